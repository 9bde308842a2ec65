"""Every usage or runtime error of the command line: one line on stderr, the documented code."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from fakevault import Simulator, cli
from fakevault.cli import main
from fakevault.scenario.bundled import BUNDLED, bundled_scenarios, find_scenario
from fakevault.testing.server import FakeVaultServer

TIMEOUT = 60.0
ROOT = Path(__file__).resolve().parents[2]


def run(*argv: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "fakevault", *argv], capture_output=True,
                          text=True, timeout=TIMEOUT, cwd=cwd)


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("fakevault: error: ")
    return lines[0]


@pytest.mark.parametrize(("argv", "code", "message"), [
    (["serve", "--port", "65535"], 2, "3 cluster(s) from port 65535 need ports up to 65537"),
    (["serve", "--host", "999.1.1.1", "--port", "0"], 1, "cannot listen on '999.1.1.1'"),
    (["status", "--addr", "not-a-url"], 2, "invalid URL 'not-a-url'"),
    (["status", "--addr", "http://[::1"], 2, "invalid URL"),
    (["status", "--addr", "http://127.0.0.1:99999"], 2, "invalid URL"),
    (["scenario", "run", "dr-setup-and-health", "--target", "a=vault-a"], 2,
     "--target: invalid URL 'vault-a'"),
    (["scenario", "list", "/no/such/folder"], 2, "/no/such/folder is not a folder"),
    (["scenario"], 2, "the following arguments are required"),
    (["serve", "--port", "http"], 2, "invalid port"),
    (["frobnicate"], 2, "invalid choice"),
])
def test_errors_are_one_line_with_the_documented_code(argv: list[str], code: int,
                                                      message: str) -> None:
    result = run(*argv)
    assert result.returncode == code
    assert message in one_line(result)


def test_the_last_ports_fit_exactly_and_one_more_is_refused() -> None:
    two = Simulator(clusters=("a", "b"))
    assert FakeVaultServer(two, port=65534)._wanted == {"a": 65534, "b": 65535}
    with pytest.raises(ValueError, match="pick a --port of at most 65534"):
        FakeVaultServer(two, port=65535)


def test_a_port_in_use_is_exactly_one_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("serve", "--port", str(port))
    assert result.returncode == 1
    assert f"port {port} on 127.0.0.1 is in use" in one_line(result)


def test_scenario_list_works_outside_the_checkout_and_shows_the_sync_it_needs(
        tmp_path: Path) -> None:
    result = run("scenario", "list", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line for line in result.stdout.splitlines()[1:]}
    assert set(rows) == {path.stem for path in bundled_scenarios()} and len(rows) >= 10
    assert "SERVE WITH" in result.stdout.splitlines()[0]
    assert "--sync manual" in rows["lagging-forced-promotion"]
    assert "--sync manual" not in rows["dr-setup-and-health"]


def test_a_shipped_scenario_runs_by_name_from_anywhere(tmp_path: Path) -> None:
    result = run("scenario", "run", "dr-setup-and-health", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "passed: 11 of 11" in result.stdout


def test_a_file_of_the_same_name_wins_over_a_shipped_one(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert find_scenario("dr-failover") == BUNDLED / "dr-failover.toml"
    assert find_scenario("dr-failover.toml") == BUNDLED / "dr-failover.toml"
    Path("dr-failover.toml").write_text("mine")
    assert find_scenario("dr-failover.toml") == Path("dr-failover.toml")
    assert find_scenario("sub/dr-failover") == Path("sub/dr-failover")


def test_usage_errors_from_main_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["serve", "--sync", "sometimes"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.splitlines()
    assert err == ["fakevault: error: serve: argument --sync: invalid choice: 'sometimes' "
                   "(choose from 'eager', 'manual') (see `fakevault serve --help`)"]


def test_the_load_benchmark_help_does_not_run_the_load() -> None:
    result = subprocess.run([sys.executable, "-m", "benchmarks.load", "--help"], cwd=ROOT,
                            capture_output=True, text=True, timeout=TIMEOUT)
    assert result.returncode == 0
    assert result.stdout.startswith("usage: python -m benchmarks.load")
    assert "requests in" not in result.stdout
    bad = subprocess.run([sys.executable, "-m", "benchmarks.load", "--threads", "0"], cwd=ROOT,
                         capture_output=True, text=True, timeout=TIMEOUT)
    assert bad.returncode == 2 and "at least 1" in bad.stderr


def test_a_state_file_in_a_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = run("serve", "--port", "0", "--state", str(tmp_path / "no" / "world.json"))
    assert result.returncode == 2
    assert "does not exist" in one_line(result)


def test_an_os_error_reaching_main_is_one_line(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    def refuse(args: object) -> int:
        raise PermissionError(13, "Permission denied", "/var/lib/world.json")

    monkeypatch.setitem(cli.COMMANDS, "status", refuse)
    with pytest.raises(SystemExit) as exit_info:
        main(["status"])
    assert exit_info.value.code == 1
    assert capsys.readouterr().err == ("fakevault: error: Permission denied: "
                                       "/var/lib/world.json\n")


def test_a_control_port_that_is_a_clusters_port_is_a_usage_error() -> None:
    result = run("serve", "--port", "8600", "--control-port", "8601")
    assert result.returncode == 2
    assert "control port 8601 is also cluster b's port" in one_line(result)


def test_a_missing_scenario_points_at_the_shipped_list(tmp_path: Path) -> None:
    result = run("scenario", "run", "no-such-runbook", cwd=tmp_path)
    assert result.returncode == 2
    assert "fakevault scenario list" in one_line(result)
