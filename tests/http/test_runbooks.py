"""Whole runbooks driven only through HTTP: a DR failover and a planned performance failover."""

from __future__ import annotations

from fakevault import Simulator
from fakevault.model.ceremony import decode_token
from fakevault.testing.ceremonies import generate_root
from fakevault.testing.clients import VaultTestClient, hvac_client

DR = "sys/replication/dr"
PERF = "sys/replication/performance"


def dr_operation_token(vault: VaultTestClient, cluster: str, keys: list[str]) -> str:
    """Run the generate-operation-token ceremony on ``cluster`` with the key holders' shares."""
    started = vault.post(cluster, f"{DR}/secondary/generate-operation-token/attempt",
                         token=None).json
    for key in keys:
        result = vault.post(cluster, f"{DR}/secondary/generate-operation-token/update",
                            json={"key": key, "nonce": started["nonce"]}, token=None).json
        if result["complete"]:
            return decode_token(result["encoded_token"], started["otp"])
    raise AssertionError("not enough key shares")


def status(vault: VaultTestClient, cluster: str, rtype: str) -> dict[str, object]:
    data: dict[str, object] = vault.get(cluster, f"sys/replication/{rtype}/status").json["data"]
    return data


def test_dr_failover_after_the_primary_is_lost_and_failback() -> None:
    sim = Simulator(seed=11)
    vault = VaultTestClient(sim)
    keys = sim.unseal_keys("a")
    # Set-up: a is the DR primary, b its DR secondary.
    vault.post("a", f"{DR}/primary/enable")
    token = vault.post("a", f"{DR}/primary/secondary-token", json={"id": "b"}).json
    vault.post("b", f"{DR}/secondary/enable", json={"token": token["wrap_info"]["token"]})
    vault.post("a", "secret/data/app", json={"data": {"password": "one"}})
    assert status(vault, "b", "dr")["last_remote_wal"] == status(vault, "a", "dr")["last_wal"]
    # The primary is lost.
    sim.crash("a")
    assert vault.get("a", "sys/replication/status").status_code == 503
    # Promote b with an operation token from the key holders.
    op_token = dr_operation_token(vault, "b", keys)
    promoted = vault.post("b", f"{DR}/secondary/promote", json={"dr_operation_token": op_token})
    assert promoted.status_code == 200
    assert status(vault, "b", "dr")["mode"] == "primary"
    assert vault.get("b", "secret/data/app").json["data"]["data"] == {"password": "one"}
    vault.post("b", "secret/data/app", json={"data": {"password": "two"}})
    # The old primary comes back believing it is primary: demote it at once.
    sim.restart("a")
    assert vault.post("a", f"{DR}/primary/demote").status_code == 200
    new_token = vault.post("b", f"{DR}/primary/secondary-token", json={"id": "a"}).json
    op_token_a = dr_operation_token(vault, "a", keys)
    updated = vault.post("a", f"{DR}/secondary/update-primary",
                         json={"dr_operation_token": op_token_a,
                               "token": new_token["wrap_info"]["token"]})
    assert updated.status_code in (200, 204)
    a_status, b_status = status(vault, "a", "dr"), status(vault, "b", "dr")
    assert a_status["state"] == "stream-wals"
    assert a_status["merkle_root"] == b_status["merkle_root"]
    assert sim["a"].storage.get("secret/data/app") == sim["b"].storage.get("secret/data/app")
    kinds = [v.kind for v in sim.violations]
    assert kinds == ["split_brain"]  # the window between restart and demote, named:
    assert "restart" in sim.violations[0].caused_by


def test_planned_performance_failover_keeps_every_write() -> None:
    sim = Simulator(seed=12)
    vault = VaultTestClient(sim)
    vault.post("a", f"{PERF}/primary/enable")
    roots = {"a": sim.root_token}
    for name in ("b", "c"):
        token = vault.post("a", f"{PERF}/primary/secondary-token", json={"id": name}).json
        vault.post(name, f"{PERF}/secondary/enable",
                   json={"token": token["wrap_info"]["token"]})
        # A new performance secondary keeps no earlier token: generate one with a's keys.
        assert vault.get(name, "auth/token/lookup-self").status_code == 403
        roots[name] = generate_root(hvac_client(sim, name), sim.unseal_keys("a"))
    for n in range(5):
        vault.post("a", f"secret/data/item{n}", json={"data": {"n": n}})
    # Maintenance on a: demote it, promote b, re-point a and c at b.
    assert vault.post("a", f"{PERF}/primary/demote").status_code == 200
    assert vault.post("b", f"{PERF}/secondary/promote", token=roots["b"]).status_code == 200
    for name in ("a", "c"):
        token = vault.post("b", f"{PERF}/primary/secondary-token", json={"id": name},
                           token=roots["b"]).json
        response = vault.post(name, f"{PERF}/secondary/update-primary",
                              json={"token": token["wrap_info"]["token"]}, token=roots[name])
        assert response.status_code in (200, 204), response.json
    vault.post("b", "secret/data/after", json={"data": {"ok": True}}, token=roots["b"])
    for name in ("a", "c"):
        data = status(vault, name, "performance")
        assert data["state"] == "stream-wals" and data["connection_state"] == "ready"
        read = vault.get(name, "secret/data/after", token=roots[name]).json
        assert read["data"]["data"] == {"ok": True}
        item = vault.get(name, "secret/data/item4", token=roots[name]).json
        assert item["data"]["data"] == {"n": 4}
    assert sorted(status(vault, "b", "performance")["known_secondaries"]) == ["a", "c"]
    assert sim.check() == []


def test_hvac_unchanged_drives_a_dr_setup_and_reads_status() -> None:
    sim = Simulator(seed=13)
    a, b = hvac_client(sim, "a"), hvac_client(sim, "b")
    enabled = a.write("sys/replication/dr/primary/enable")
    assert enabled["warnings"]
    wrapped = a.write("sys/replication/dr/primary/secondary-token", id="b")
    b.write("sys/replication/dr/secondary/enable", token=wrapped["wrap_info"]["token"])
    assert b.read("sys/replication/dr/status")["data"]["state"] == "stream-wals"
    assert a.read("sys/replication/status")["data"]["dr"]["known_secondaries"] == ["b"]
    a.secrets.kv.v2.create_or_update_secret(path="app", secret={"k": "v"})
    secret = a.secrets.kv.v2.read_secret_version(path="app", raise_on_deleted_version=True)
    assert secret["data"]["data"] == {"k": "v"}
    health = b.sys.read_health_status(method="GET")
    assert health.status_code == 472  # hvac hands back the Response for non-200 codes
