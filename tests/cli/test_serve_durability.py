"""``fakevault serve --state`` under SIGKILL, SIGTERM with slow clients, and SIGHUP.

Each test runs a real process on loopback for a few seconds at most.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from test_cli import Served, control

from fakevault import Simulator

ROOT = {"X-Vault-Token": "root"}


class Writers:
    """Threads writing distinct KV secrets until stopped; remembers what was acknowledged."""

    def __init__(self, addr: str, threads: int = 4) -> None:
        self.addr = addr
        self.acknowledged: dict[str, int] = {}
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._write, args=(n,)) for n in range(threads)]
        for thread in self._threads:
            thread.start()

    def _write(self, worker: int) -> None:
        session = requests.Session()
        n = 0
        while not self._stop.is_set() and n < 5_000:
            key = f"w{worker}-{n}"
            try:
                answer = session.post(f"{self.addr}/v1/secret/data/{key}", headers=ROOT,
                                      json={"data": {"n": n}}, timeout=5)
            except requests.RequestException:
                return  # the server went away: this write was not acknowledged
            if answer.status_code == 200:
                self.acknowledged[key] = n
            n += 1

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=10)


def assert_all_there(addr: str, acknowledged: dict[str, int]) -> None:
    session = requests.Session()
    missing = [key for key, n in acknowledged.items()
               if session.get(f"{addr}/v1/secret/data/{key}", headers=ROOT, timeout=5)
               .json().get("data", {}).get("data") != {"n": n}]
    assert not missing, f"{len(missing)} acknowledged writes lost, e.g. {missing[:3]}"


def test_sigkill_in_the_middle_of_a_write_load_loses_no_acknowledged_write(
        tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    first = Served("--state", str(state))
    a, b = first.addr("a"), first.addr("b")
    requests.post(f"{a}/v1/sys/replication/dr/primary/enable", headers=ROOT, timeout=5)
    token = requests.post(f"{a}/v1/sys/replication/dr/primary/secondary-token", headers=ROOT,
                          json={"id": "b"}, timeout=5).json()["wrap_info"]["token"]
    requests.post(f"{b}/v1/sys/replication/dr/secondary/enable", headers=ROOT,
                  json={"token": token}, timeout=5).raise_for_status()
    writers = Writers(a)
    time.sleep(1.5)
    first.process.kill()
    first.process.wait(timeout=10)
    writers.stop()
    assert len(writers.acknowledged) > 50
    second = Served("--state", str(state))
    try:
        assert_all_there(second.addr("a"), writers.acknowledged)
        dr = requests.get(f"{second.addr('b')}/v1/sys/replication/dr/status", timeout=5).json()
        assert dr["data"]["mode"] == "secondary"
    finally:
        second.process.send_signal(signal.SIGTERM)
        _, err = second.process.communicate(timeout=30)
    assert "answered differently" not in err  # the replay in a new process is deterministic


def _slow_post(addr: str, key: str, answers: dict[str, int], seconds: float) -> None:
    """A POST whose body trickles in over ``seconds``; records the status if answered."""
    parts = urlsplit(addr)
    body = json.dumps({"data": {"slow": key}}).encode()
    head = (f"POST /v1/secret/data/{key} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
            f"X-Vault-Token: root\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as conn:
        conn.sendall(head)
        step = seconds / len(body)
        try:
            for byte in body:
                conn.sendall(bytes([byte]))
                time.sleep(step)
            reply = conn.recv(65536)
        except OSError:
            return
    if reply.startswith(b"HTTP/1.1 "):
        answers[key] = int(reply.split()[1])


def test_sigterm_with_slow_bodies_in_flight_saves_every_acknowledged_write(
        tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    served = Served("--state", str(state))
    addr = served.addr("a")
    writers = Writers(addr)
    answers: dict[str, int] = {}
    slow = [threading.Thread(target=_slow_post, args=(addr, f"slow{n}", answers, 1.5))
            for n in range(6)]
    for thread in slow:
        thread.start()
    time.sleep(0.7)  # slow bodies half sent, writers busy
    code, out = served.stop(signal.SIGTERM)
    writers.stop()
    for thread in slow:
        thread.join(timeout=10)
    assert code == 0 and out.rstrip().endswith("fakevault: stopped")
    assert answers and set(answers.values()) <= {200, 503}
    assert answers.get("slow0") == 200  # in flight at the signal: allowed to finish
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]  # a clean state file
    world = Simulator.restore(json.loads(state.read_text()))  # a snapshot on its own
    second = Served("--state", str(state))
    try:
        assert_all_there(second.addr("a"), writers.acknowledged)
        for key, status in answers.items():
            if status == 200:
                got = requests.get(f"{second.addr('a')}/v1/secret/data/{key}", headers=ROOT,
                                   timeout=5).json()["data"]["data"]
                assert got == {"slow": key}
    finally:
        second.stop()
    assert world.names == ["a", "b", "c"]


def test_sighup_saves_and_goes_on(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    served = Served("--state", str(state))
    addr = served.addr("a")
    try:
        requests.post(f"{addr}/v1/secret/data/before", headers=ROOT, json={"data": {"x": 1}},
                      timeout=5).raise_for_status()
        served.process.send_signal(signal.SIGHUP)
        assert served.process.stdout is not None
        assert served.process.stdout.readline().startswith("fakevault: saved the world to")
        saved = Simulator.restore(json.loads(state.read_text()))
        assert saved.names == ["a", "b", "c"]
        assert b"before" in state.read_bytes()
        assert control(addr, "state")["clusters"]["a"]["crashed"] is False  # still serving
    finally:
        served.stop()


def _serve(*flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "fakevault", "serve", "--port", "0", *flags],
                          capture_output=True, text=True, timeout=30)


@pytest.mark.parametrize(("flags", "message"), [
    (["--seed", "5"], "--seed 5 conflicts with the state file {}, which holds seed 0"),
    (["--clusters", "2"], "--clusters 2 conflicts with the state file {}, which holds clusters 3"),
    (["--cluster", "x"], "--cluster x conflicts with the state file {}, which holds cluster a,b,c"),
    (["--sync", "manual"], "--sync manual conflicts with the state file {}, which holds "
                           "sync eager"),
    (["--strict"], "--strict conflicts with the state file {}, which holds strict false"),
    (["--root-token", "other"], "--root-token other conflicts"),
])
def test_flags_that_conflict_with_the_state_file_are_usage_errors(
        tmp_path: Path, flags: list[str], message: str) -> None:
    state = tmp_path / "state.json"
    state.write_text(json.dumps(Simulator().snapshot()))
    result = _serve("--state", str(state), *flags)
    assert result.returncode == 2
    assert message.format(state) in result.stderr and "Traceback" not in result.stderr


def test_agreeing_flags_another_loopback_host_and_leftovers_at_start(tmp_path: Path) -> None:
    """Flags that agree with the state file are accepted; 127.0.0.2 is loopback (no warning);
    temporary files of a killed save are removed."""
    state = tmp_path / "state.json"
    state.write_text(json.dumps(Simulator().snapshot()))
    leftover = tmp_path / ".state.json.k1ll3d.tmp"
    leftover.write_bytes(b"x" * 1000)
    served = Served("--state", str(state), "--seed", "0", "--clusters", "3", "--sync", "eager",
                    "--host", "127.0.0.2")
    assert not leftover.exists()
    served.process.send_signal(signal.SIGTERM)
    _, err = served.process.communicate(timeout=30)
    assert served.process.returncode == 0 and "warning" not in err


def test_a_state_file_in_a_missing_folder_is_refused_at_start(tmp_path: Path) -> None:
    result = _serve("--state", str(tmp_path / "missing" / "state.json"))
    assert result.returncode == 2  # a usage error: the flag names a place that is not there
    assert "does not exist" in result.stderr and "Traceback" not in result.stderr


def test_a_deeply_nested_state_file_is_one_line(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text("[" * 100_000)
    result = _serve("--state", str(state))
    assert result.returncode == 1 and "cannot load state" in result.stderr
    assert "Traceback" not in result.stderr
