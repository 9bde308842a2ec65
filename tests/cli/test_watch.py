"""``fakevault status --watch``: the table refreshed in place, against a live server."""

from __future__ import annotations

import io
import re
import socket
from collections.abc import Iterator

import pytest

from fakevault import Simulator
from fakevault.cli import build_parser, main
from fakevault.testing.server import FakeVaultServer
from fakevault.vault.backends.control import fresh_world
from fakevault.watch import HOME_AND_CLEAR, SHOW_CURSOR, watch_status


class Terminal(io.StringIO):
    """What a terminal would have received."""

    def isatty(self) -> bool:
        return True


@pytest.fixture(scope="module")
def live() -> Iterator[FakeVaultServer]:
    with FakeVaultServer(Simulator(seed=3)) as started:
        yield started


@pytest.fixture
def server(live: FakeVaultServer) -> FakeVaultServer:
    """The module's server, with a fresh world for this test."""
    live.app.replace_world(fresh_world(live.sim))
    return live


def args(server_url: str, *flags: str) -> list[str]:
    return ["status", "--addr", server_url, "--token", "root", *flags]


def test_on_a_terminal_each_refresh_redraws_in_place(server: FakeVaultServer) -> None:
    terminal = Terminal()

    def between_refreshes(seconds: float) -> None:
        assert seconds == 0.25
        server.sim["a"].dr.enable_primary()
        server.sim.partition("a", "b")

    parsed = build_parser().parse_args(args(server.url("a"), "--watch", "--interval", "0.25",
                                            "--count", "2"))
    assert watch_status(parsed, terminal, sleep=between_refreshes) == 0
    first, second = terminal.getvalue().split(HOME_AND_CLEAR)[1:]
    assert first.startswith(f"fakevault status {server.url('a')}, every 0.25s")
    assert re.search(r"^a +dr +disabled", first, re.M) and "partitioned none" in first
    assert re.search(r"^a +dr +primary +running", second, re.M)
    assert "network: partitioned a x b; down none" in second
    assert terminal.getvalue().endswith(SHOW_CURSOR)


def test_piped_it_prints_a_table_only_when_something_changed(
        server: FakeVaultServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args(server.url("b"), "--watch", "--interval", "0.1", "--count", "3")) == 0
    out = capsys.readouterr().out
    assert out.count("CLUSTER  ROLE") == 1 and "violations: 0" in out
    assert HOME_AND_CLEAR not in out


def test_an_unreachable_server_is_shown_and_retried(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}"
    terminal = Terminal()
    parsed = build_parser().parse_args(args(url, "--watch", "--count", "2"))
    assert watch_status(parsed, terminal, sleep=lambda seconds: None) == 1
    assert terminal.getvalue().count(f"fakevault: cannot reach {url}") == 2
    assert "(retrying)" in terminal.getvalue()


def test_ctrl_c_stops_the_watch_cleanly(server: FakeVaultServer) -> None:
    def interrupted(seconds: float) -> None:
        raise KeyboardInterrupt

    terminal = Terminal()
    parsed = build_parser().parse_args(args(server.url("a"), "--watch"))
    assert watch_status(parsed, terminal, sleep=interrupted) == 0
    assert terminal.getvalue().count(HOME_AND_CLEAR) == 1
    assert terminal.getvalue().endswith(SHOW_CURSOR)


@pytest.mark.parametrize(("flags", "says"), [
    (["--watch", "--interval", "0"], "use 0.1 to 3600 seconds"),
    (["--watch", "--interval", "soon"], "invalid interval 'soon'"),
    (["--watch", "--count", "0"], "invalid count '0'"),
    (["--count", "2"], "--interval and --count only apply with --watch"),
])
def test_bad_watch_flags_are_usage_errors(flags: list[str], says: str,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(args("http://127.0.0.1:9", *flags))
    assert exited.value.code == 2
    assert says in capsys.readouterr().err
