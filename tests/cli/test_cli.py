"""The command line as a user meets it: a real process, real ports, signals, exit codes."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from fakevault.cli import READY_LINE, main
from fakevault.scenario.bundled import BUNDLED

SERVE_TIMEOUT = 30.0


class Served:
    """A running ``fakevault serve`` process and what it printed."""

    def __init__(self, *flags: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "fakevault", "serve", "--port", "0", *flags],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        deadline = time.monotonic() + SERVE_TIMEOUT
        assert self.process.stdout is not None
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                raise AssertionError(f"serve exited: {self.process.stderr.read()}")  # type: ignore[union-attr]
            self.lines.append(line.rstrip("\n"))
            if line.strip() == READY_LINE:
                return
        raise AssertionError("serve never printed the ready line")

    def addr(self, name: str) -> str:
        prefix = f"    {name}: VAULT_ADDR="
        return next(line[len(prefix):] for line in self.lines if line.startswith(prefix))

    def stop(self, signum: int = signal.SIGTERM) -> tuple[int, str]:
        self.process.send_signal(signum)
        out, _ = self.process.communicate(timeout=SERVE_TIMEOUT)
        return self.process.returncode, out


@pytest.fixture
def served() -> Iterator[Served]:
    server = Served()
    yield server
    if server.process.poll() is None:
        server.stop()


def control(addr: str, path: str, method: str = "GET", **body: Any) -> Any:
    response = requests.request(method, f"{addr}/_fakevault/{path}", json=body or None,
                                headers={"X-Vault-Token": "root"}, timeout=10)
    response.raise_for_status()
    return response.json()


def test_serve_prints_addresses_token_and_ready_then_stops_cleanly(served: Served) -> None:
    assert any(line.startswith("Root Token: root") for line in served.lines)
    for name in "abc":
        addr = served.addr(name)
        assert addr.startswith("http://127.0.0.1:")
        status = requests.get(f"{addr}/v1/sys/replication/status", timeout=10)
        assert status.status_code == 200 and status.headers["Content-Type"] == "application/json"
    code, out = served.stop(signal.SIGINT)
    assert code == 0 and "fakevault: stopped" in out


def test_status_command_prints_the_replication_table(served: Served,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    addr = served.addr("a")
    requests.post(f"{addr}/v1/sys/replication/dr/primary/enable",
                  headers={"X-Vault-Token": "root"}, timeout=10)
    assert main(["status", "--addr", addr]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["CLUSTER", "ROLE", "MODE", "STATE", "CLUSTER_ID", "WAL",
                                "MERKLE", "LINKS"]
    assert any(row.split()[:4] == ["a", "dr", "primary", "running"] for row in table)


def comparable(state: dict[str, Any]) -> dict[str, Any]:
    """The state without what legitimately differs after a restart (ports, heartbeat ages)."""
    text = json.dumps(state["clusters"])
    for name, cluster in state["clusters"].items():
        text = text.replace(cluster["api_addr"], f"<{name}>")
    clusters = json.loads(text)
    for cluster in clusters.values():
        for role in cluster["replication"].values():
            for link in role.get("secondaries", []) + role.get("primaries", []):
                link.pop("replication_primary_canary_age_ms")
                link.pop("last_heartbeat")
    return clusters


def test_state_file_survives_a_restart_exactly(tmp_path: Path) -> None:
    state_file = tmp_path / "world.json"
    first = Served("--state", str(state_file), "--seed", "9")
    a, b = first.addr("a"), first.addr("b")
    root = {"X-Vault-Token": "root"}
    requests.post(f"{a}/v1/sys/replication/dr/primary/enable", headers=root, timeout=10)
    token = requests.post(f"{a}/v1/sys/replication/dr/primary/secondary-token", headers=root,
                          json={"id": "b"}, timeout=10).json()["wrap_info"]["token"]
    requests.post(f"{b}/v1/sys/replication/dr/secondary/enable", headers=root,
                  json={"token": token}, timeout=10).raise_for_status()
    before = comparable(control(a, "state"))
    code, _ = first.stop()
    assert code == 0 and state_file.exists()
    second = Served("--state", str(state_file))
    try:
        after = comparable(control(second.addr("a"), "state"))
    finally:
        second.stop()
    assert after == before
    assert after["b"]["replication"]["dr"]["mode"] == "secondary"


@pytest.mark.parametrize(("argv", "code", "message"), [
    (["serve", "--port", "http"], 2, "invalid port"),
    (["serve", "--port", "70000"], 2, "invalid port"),
    (["serve", "--clusters", "0"], 2, "between 1 and 26"),
    (["serve", "--clusters", "2", "--cluster", "x"], 2, "not allowed with"),
    (["serve", "--cluster", "Bad Name!"], 2, "invalid cluster name"),
    (["serve", "--sync", "sometimes"], 2, "invalid choice"),
    (["frobnicate"], 2, "invalid choice"),
    (["status", "--addr", "http://127.0.0.1:9"], 1, "cannot reach"),
])
def test_bad_input_is_one_line_and_an_exit_code(argv: list[str], code: int, message: str) -> None:
    result = subprocess.run([sys.executable, "-m", "fakevault", *argv], capture_output=True,
                            text=True, timeout=SERVE_TIMEOUT)
    assert result.returncode == code
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_port_in_use_is_reported_not_raised() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "fakevault", "serve", "--port", str(port)],
                                capture_output=True, text=True, timeout=SERVE_TIMEOUT)
    assert result.returncode == 1
    assert "in use" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("content", ["{not json", '{"format": "something-else"}', "[]"])
def test_a_bad_state_file_is_reported(tmp_path: Path, content: str) -> None:
    state_file = tmp_path / "bad.json"
    state_file.write_text(content)
    result = subprocess.run([sys.executable, "-m", "fakevault", "serve", "--port", "0",
                             "--state", str(state_file)], capture_output=True, text=True,
                            timeout=SERVE_TIMEOUT)
    assert result.returncode == 1
    assert "cannot load state" in result.stderr and "Traceback" not in result.stderr
    assert state_file.read_text() == content  # left alone


def test_python_dash_m_and_the_console_script_agree() -> None:
    result = subprocess.run([sys.executable, "-m", "fakevault", "--version"], capture_output=True,
                            text=True, timeout=SERVE_TIMEOUT, env={**os.environ})
    assert result.returncode == 0 and result.stdout.startswith("fakevault ")


def test_serve_starts_from_a_scenario(tmp_path: Path) -> None:
    scenario = BUNDLED / "dr-setup-and-health.toml"
    served = Served("--scenario", str(scenario))
    try:
        assert any("passed: 11 of 11" in line for line in served.lines)
        state = control(served.addr("a"), "state")
        assert state["clusters"]["b"]["replication"]["dr"]["mode"] == "secondary"
        assert list(state["clusters"]) == ["a", "b"]
    finally:
        served.stop()


def test_serve_refuses_a_malformed_scenario(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("title = 'x'\n")
    result = subprocess.run([sys.executable, "-m", "fakevault", "serve", "--port", "0",
                             "--scenario", str(bad)], capture_output=True, text=True,
                            timeout=SERVE_TIMEOUT)
    assert result.returncode == 2
    assert str(bad) in result.stderr and "Traceback" not in result.stderr
