"""The live server on real sockets: clients, concurrency, the control plane."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import hvac
import pytest
import requests

from fakevault import Simulator
from fakevault.model.ceremony import decode_token
from fakevault.testing.server import FakeVaultServer

ROOT = {"X-Vault-Token": "root"}
DR = "sys/replication/dr"


@pytest.fixture
def server() -> Iterator[FakeVaultServer]:
    with FakeVaultServer(Simulator(seed=21)) as running:
        yield running
        assert not running.errors, running.errors


def control(server: FakeVaultServer, path: str, **body: Any) -> Any:
    response = requests.post(f"{server.control_url}/_fakevault/{path}", json=body or None,
                             headers=ROOT, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def op_token(client: hvac.Client, keys: list[str]) -> str:
    base = f"{DR}/secondary/generate-operation-token"
    started = client.write(f"{base}/attempt")
    for key in keys:
        result = client.write(f"{base}/update", key=key, nonce=started["nonce"])
    return decode_token(result["encoded_token"], started["otp"])


def test_hvac_dr_failover_and_failback_over_sockets(server: FakeVaultServer) -> None:
    a = hvac.Client(url=server.url("a"), token="root")
    b = hvac.Client(url=server.url("b"), token="root")
    keys = server.sim.unseal_keys("a")
    a.write(f"{DR}/primary/enable")
    wrapped = a.write(f"{DR}/primary/secondary-token", id="b")
    b.write(f"{DR}/secondary/enable", token=wrapped["wrap_info"]["token"])
    a.secrets.kv.v2.create_or_update_secret(path="app", secret={"v": 1})
    # Failover: a is demoted for maintenance, b promoted with an operation token.
    a.write(f"{DR}/primary/demote")
    b.write(f"{DR}/secondary/promote", dr_operation_token=op_token(b, keys))
    secret = b.secrets.kv.v2.read_secret_version(path="app", raise_on_deleted_version=True)
    assert secret["data"]["data"] == {"v": 1}
    wrapped = b.write(f"{DR}/primary/secondary-token", id="a")
    a.write(f"{DR}/secondary/update-primary", dr_operation_token=op_token(a, keys),
            token=wrapped["wrap_info"]["token"])
    b.secrets.kv.v2.create_or_update_secret(path="app", secret={"v": 2})
    # Failback: the same steps the other way.
    b.write(f"{DR}/primary/demote")
    a.write(f"{DR}/secondary/promote", dr_operation_token=op_token(a, keys))
    wrapped = a.write(f"{DR}/primary/secondary-token", id="b2")
    b.write(f"{DR}/secondary/update-primary", dr_operation_token=op_token(b, keys),
            token=wrapped["wrap_info"]["token"])
    secret = a.secrets.kv.v2.read_secret_version(path="app", raise_on_deleted_version=True)
    assert secret["data"]["data"] == {"v": 2}
    status_a = a.read(f"{DR}/status")["data"]
    status_b = b.read(f"{DR}/status")["data"]
    assert status_a["mode"] == "primary" and status_b["mode"] == "secondary"
    assert status_b["state"] == "stream-wals"
    assert status_a["merkle_root"] == status_b["merkle_root"]
    assert control(server, "sync") is not None
    invariants = requests.get(f"{server.url('b')}/_fakevault/invariants", headers=ROOT,
                              timeout=10).json()
    assert invariants == {"ok": True, "violations": []}


def test_concurrent_writes_and_status_reads_lose_nothing(server: FakeVaultServer) -> None:
    a = server.url("a")
    requests.post(f"{a}/v1/{DR}/primary/enable", headers=ROOT, timeout=10)
    token = requests.post(f"{a}/v1/{DR}/primary/secondary-token", json={"id": "b"},
                          headers=ROOT, timeout=10).json()["wrap_info"]["token"]
    requests.post(f"{server.url('b')}/v1/{DR}/secondary/enable", json={"token": token},
                  headers=ROOT, timeout=10).raise_for_status()
    statuses: list[int] = []
    acknowledged: list[str] = []
    lock = threading.Lock()

    def writer(worker: int) -> None:
        with requests.Session() as http:
            for n in range(25):
                key = f"w{worker}-{n}"
                response = http.post(f"{a}/v1/secret/data/{key}", json={"data": {"n": n}},
                                     headers=ROOT, timeout=10)
                status = http.get(f"{a}/v1/sys/replication/status", timeout=10)
                with lock:
                    statuses.extend([response.status_code, status.status_code])
                    if response.status_code == 200:
                        acknowledged.append(key)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(code < 500 for code in statuses)
    assert len(acknowledged) == 8 * 25
    sim = server.sim
    with requests.Session() as http:
        for key in acknowledged:
            read = http.get(f"{a}/v1/secret/data/{key}", headers=ROOT, timeout=10)
            assert read.status_code == 200, key
    dr_a = sim["a"].dr.status()
    assert sim["b"].dr.status()["last_remote_wal"] == dr_a["last_wal"]
    assert sim.check() == []


def test_control_plane_faults_show_in_status(server: FakeVaultServer) -> None:
    a = server.url("a")
    requests.post(f"{a}/v1/sys/replication/performance/primary/enable", headers=ROOT, timeout=10)
    token = requests.post(f"{a}/v1/sys/replication/performance/primary/secondary-token",
                          json={"id": "b"}, headers=ROOT, timeout=10).json()["wrap_info"]["token"]
    requests.post(f"{server.url('b')}/v1/sys/replication/performance/secondary/enable",
                  json={"token": token}, headers=ROOT, timeout=10).raise_for_status()
    control(server, "network/partition", clusters=["a", "b"])
    secondaries = requests.get(f"{a}/v1/sys/replication/performance/status", timeout=10).json()
    assert secondaries["data"]["secondaries"][0]["connection_status"] == "disconnected"
    control(server, "network/heal")
    control(server, "clusters/b/faults", kind="stall", type="performance")
    status_b = requests.get(f"{server.url('b')}/v1/sys/replication/performance/status",
                            timeout=10).json()["data"]
    assert status_b["state"] == "idle"
    control(server, "clusters/a/crash")
    with pytest.raises(requests.ConnectionError):  # a down node refuses (fact 21)
        requests.get(f"{a}/v1/sys/health", timeout=10)
    control(server, "clusters/a/restart")  # on the control port, up whatever crashes
    assert requests.get(f"{a}/v1/sys/health", timeout=10).status_code == 200


@pytest.mark.parametrize(("path", "body"), [
    ("network/partition", {"clusters": ["a"]}),
    ("network/partition", {"clusters": ["a", "zz"]}),
    ("clusters/zz/crash", {}),
    ("clusters/a/faults", {"kind": "meteor"}),
    ("clock/advance", {"seconds": "soon"}),
    ("clock/advance", {"seconds": -1}),
    ("seed", {}),
    ("restore", {"format": "nope"}),
])
def test_control_plane_bad_input_is_400_and_changes_nothing(server: FakeVaultServer, path: str,
                                                            body: dict[str, Any]) -> None:
    before = requests.get(f"{server.url('a')}/_fakevault/state", headers=ROOT, timeout=10).json()
    response = requests.post(f"{server.url('a')}/_fakevault/{path}", json=body, headers=ROOT,
                             timeout=10)
    assert response.status_code == 400, response.text
    assert response.headers["Content-Type"] == "application/json"
    assert response.json()["errors"]
    after = requests.get(f"{server.url('a')}/_fakevault/state", headers=ROOT, timeout=10).json()
    assert after == before


def test_control_plane_needs_the_root_token(server: FakeVaultServer) -> None:
    for headers in ({}, {"X-Vault-Token": "nope"}):
        response = requests.get(f"{server.url('a')}/_fakevault/state", headers=headers,
                                timeout=10)
        assert response.status_code == 403


def test_snapshot_and_restore_round_trip(server: FakeVaultServer) -> None:
    a = server.url("a")
    requests.post(f"{a}/v1/sys/replication/dr/primary/enable", headers=ROOT, timeout=10)
    snapshot = requests.get(f"{a}/_fakevault/snapshot", headers=ROOT, timeout=10).json()
    control(server, "reset")
    assert requests.get(f"{a}/v1/sys/replication/dr/status", timeout=10).json()["data"] == {
        "mode": "disabled"}
    control(server, "restore", **snapshot)
    assert requests.get(f"{a}/v1/sys/replication/dr/status",
                        timeout=10).json()["data"]["mode"] == "primary"
    assert server.url("a") == a  # the restored world keeps this server's addresses


def test_the_control_port_stays_up_when_every_cluster_is_down(server: FakeVaultServer) -> None:
    control_url = server.control_url
    for name in server.sim.names:
        control(server, f"clusters/{name}/crash")
    for name in server.sim.names:
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{server.url(name)}/v1/sys/health", timeout=10)
    state = requests.get(f"{control_url}/_fakevault/state", headers=ROOT, timeout=10).json()
    assert all(cluster["crashed"] for cluster in state["clusters"].values())
    assert requests.get(f"{control_url}/ui/", timeout=10).status_code == 200
    vault_path = requests.get(f"{control_url}/v1/sys/health", timeout=10)
    assert vault_path.status_code == 404 and "control port" in vault_path.json()["errors"][0]
    control(server, "reset")
    assert requests.get(f"{server.url('a')}/v1/sys/health", timeout=10).status_code == 200
