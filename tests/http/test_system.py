"""sys/health, sys/leader, sys/seal-status and sys/mounts through the WSGI app."""

from __future__ import annotations

from typing import Any

import pytest
from werkzeug.test import Client, TestResponse

from fakevault import Simulator, create_app
from fakevault.model.clock import rfc3339_nano
from fakevault.testing.assertions import world_state as world
from fakevault.vault.mount_table import default_mounts

HOSTS = {"a": "127.0.0.1:8200", "b": "127.0.0.1:8201", "c": "127.0.0.1:8202"}
ROOT = "root"
HEALTH_KEYS = {"initialized", "sealed", "standby", "performance_standby",
               "replication_performance_mode", "replication_dr_mode", "server_time_utc",
               "version", "enterprise", "cluster_name", "cluster_id", "last_wal", "license",
               "echo_duration_ms", "clock_skew_ms", "replication_primary_canary_age_ms"}


def call(sim: Simulator, method: str, cluster: str, path: str, *, token: str | None = ROOT,
         json: Any = None, data: bytes | None = None) -> TestResponse:
    """One request to ``cluster`` through a fresh app over ``sim``."""
    headers = {"Host": HOSTS[cluster]}
    if token is not None:
        headers["X-Vault-Token"] = token
    client = Client(create_app(sim))
    return client.open(f"/v1/{path}", method=method, headers=headers, json=json, data=data)


def dr_pair(sim: Simulator, primary: str = "a", secondary: str = "c") -> None:
    sim[primary].dr.enable_primary()
    sim[secondary].dr.enable_secondary(sim[primary].dr.secondary_token(secondary).token)


def perf_pair(sim: Simulator, primary: str = "a", secondary: str = "b") -> None:
    sim[primary].performance.enable_primary()
    token = sim[primary].performance.secondary_token(secondary)
    sim[secondary].performance.enable_secondary(token.token)
    sim.mint_root_token(secondary, sim.root_token)  # its token store was wiped at enable


# -- sys/health ------------------------------------------------------------------------------


def test_health_of_an_active_cluster(sim: Simulator) -> None:
    response = call(sim, "GET", "a", "sys/health", token=None)
    body = response.json
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    # http/sys_health.go: last_wal is omitempty, and a fresh cluster has written nothing.
    assert set(body) == HEALTH_KEYS - {"last_wal"}
    assert body["initialized"] is True and body["sealed"] is False
    assert body["standby"] is False and body["performance_standby"] is False
    assert body["replication_performance_mode"] == body["replication_dr_mode"] == "disabled"
    assert body["server_time_utc"] == int(sim.clock.now())
    assert body["version"].endswith("+ent") and body["enterprise"] is True
    assert body["cluster_name"].startswith("vault-cluster-")
    assert body["echo_duration_ms"] == body["clock_skew_ms"] == 0
    assert "data" not in body  # not enveloped


@pytest.mark.parametrize(("query", "dr_secondary", "code"), [
    ("", False, 200),
    ("activecode=299", False, 299),
    ("standbycode=200&standbyok=true", False, 200),
    ("drsecondarycode=200", False, 200),
    ("performancestandbycode=200&perfstandbyok=False", False, 200),
    ("sealedcode=200&uninitcode=200", False, 200),
    ("", True, 472),
    ("drsecondarycode=200", True, 200),
    ("activecode=299", True, 472),
    ("drsecondarycode=%2B299", True, 299),
    ("standbyok=", True, 472),
])
def test_health_status_codes(sim: Simulator, query: str, dr_secondary: bool, code: int) -> None:
    if dr_secondary:
        dr_pair(sim)
    response = call(sim, "GET", "c" if dr_secondary else "a", f"sys/health?{query}", token=None)
    assert response.status_code == code
    assert response.json is not None and set(response.json) | {"last_wal"} == HEALTH_KEYS


@pytest.mark.parametrize(("query", "param"), [
    ("activecode=abc", "activecode"),
    ("drsecondarycode=4.5", "drsecondarycode"),
    ("standbycode=", "standbycode"),
    ("sealedcode=99999", "sealedcode"),
    ("uninitcode=%20501", "uninitcode"),
    ("performancestandbycode=x", "performancestandbycode"),
    ("standbyok=maybe", "standbyok"),
])
def test_health_bad_query_parameter(sim: Simulator, query: str, param: str) -> None:
    before = world(sim)
    response = call(sim, "GET", "a", f"sys/health?{query}", token=None)
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/json"
    # http/sys_health.go: respondError(w, 400, nil), an empty error list (fact 17).
    assert response.json == {"errors": []}
    assert world(sim) == before
    head = call(sim, "HEAD", "a", f"sys/health?{query}", token=None)
    assert head.status_code == 400 and "Content-Type" not in head.headers
    seed = Simulator(seed=1, vault_version="0.7")  # the seed's profile says which parameter
    assert param in call(seed, "GET", "a", f"sys/health?{query}", token=None).json["errors"][0]


def test_health_refuses_other_methods_with_an_empty_error_list(sim: Simulator) -> None:
    response = call(sim, "POST", "a", "sys/health", token=None, json={})
    assert (response.status_code, response.json) == (405, {"errors": []})  # fact 17


def test_health_head_has_no_body(sim: Simulator) -> None:
    dr_pair(sim)
    active = call(sim, "HEAD", "a", "sys/health", token=None)
    secondary = call(sim, "HEAD", "c", "sys/health", token=None)
    assert (active.status_code, active.get_data()) == (200, b"")
    assert (secondary.status_code, secondary.get_data()) == (472, b"")


def test_health_code_without_body(sim: Simulator) -> None:
    response = call(sim, "GET", "a", "sys/health?activecode=204", token=None)
    assert (response.status_code, response.get_data()) == (204, b"")


def test_health_modes_follow_replication(sim: Simulator) -> None:
    perf_pair(sim, "a", "b")
    dr_pair(sim, "a", "c")
    modes = {name: call(sim, "GET", name, "sys/health", token=None).json for name in "abc"}
    assert modes["a"]["replication_performance_mode"] == "primary"
    assert modes["a"]["replication_dr_mode"] == "primary"
    assert modes["b"]["replication_performance_mode"] == "secondary"
    assert modes["b"]["replication_dr_mode"] == "disabled"
    # a DR secondary mirrors its DR primary's performance mode (DataDog#7819 capture)
    assert modes["c"]["replication_dr_mode"] == "secondary"
    assert modes["c"]["replication_performance_mode"] == "primary"
    assert modes["a"].get("last_wal", 0) == sim["a"].storage.last_wal


def test_health_of_a_dr_secondary_of_a_plain_primary(sim: Simulator) -> None:
    dr_pair(sim, "a", "b")
    body = call(sim, "GET", "b", "sys/health", token=None).json
    assert body["replication_performance_mode"] == "disabled"


def test_identity_is_stable_distinct_and_reading_changes_nothing(sim: Simulator) -> None:
    before = world(sim)
    first = {name: call(sim, "GET", name, "sys/health").json for name in "abc"}
    again = {name: call(sim, "GET", name, "sys/seal-status").json for name in "abc"}
    call(sim, "GET", "a", "sys/leader")
    call(sim, "GET", "a", "sys/mounts")
    assert world(sim) == before
    assert len({body["cluster_id"] for body in first.values()}) == 3
    for name in "abc":
        assert first[name]["cluster_id"] == again[name]["cluster_id"]
        assert first[name]["cluster_name"] == again[name]["cluster_name"]
    other = Simulator(seed=sim.seed)
    assert call(other, "GET", "a", "sys/health").json["cluster_id"] == first["a"]["cluster_id"]


# -- sys/leader and sys/seal-status ---------------------------------------------------------


def test_leader_is_a_single_active_raft_node(sim: Simulator) -> None:
    # http/sys_leader_test.go and Core.Leader(): an Enterprise raft node (fact 15).
    fresh = call(sim, "GET", "a", "sys/leader", token=None).json
    assert "last_wal" not in fresh  # omitempty (fact 16)
    sim["a"].write("app/x", {"v": 1})
    body = call(sim, "GET", "a", "sys/leader", token=None).json
    index = sim["a"].storage.last_wal
    assert body == {
        "ha_enabled": True, "is_self": True, "active_time": rfc3339_nano(sim.started_at),
        "leader_address": sim["a"].api_addr, "leader_cluster_address": sim["a"].cluster_addr,
        "performance_standby": False, "performance_standby_last_remote_wal": 0,
        "last_wal": index, "raft_committed_index": index, "raft_applied_index": index,
    }
    sim.advance(30)
    sim.crash("a")
    sim.restart("a")
    restarted = call(sim, "GET", "a", "sys/leader", token=None).json
    assert restarted["active_time"] == rfc3339_nano(sim.clock.now())


def test_leader_in_the_seed_profile() -> None:
    sim = Simulator(seed=1, vault_version="0.7")
    sim["a"].write("app/x", {"v": 1})
    body = call(sim, "GET", "a", "sys/leader", token=None).json
    assert body == {
        "ha_enabled": False, "is_self": True, "active_time": "0001-01-01T00:00:00Z",
        "leader_address": sim["a"].api_addr, "leader_cluster_address": sim["a"].cluster_addr,
        "performance_standby": False, "performance_standby_last_remote_wal": 0,
        "last_wal": sim["a"].storage.last_wal,
    }


def test_seal_status() -> None:
    sim = Simulator(seed=3, key_shares=5, key_threshold=3)
    body = call(sim, "GET", "b", "sys/seal-status", token=None).json
    assert body["type"] == "shamir" and body["initialized"] is True and body["sealed"] is False
    assert (body["t"], body["n"], body["progress"], body["nonce"]) == (3, 5, 0, "")
    assert body["storage_type"] == "inmem" and body["recovery_seal"] is False
    assert body["cluster_id"] == call(sim, "GET", "b", "sys/health").json["cluster_id"]


@pytest.mark.parametrize("path", ["sys/health", "sys/leader", "sys/seal-status"])
def test_unauthenticated_status_paths_answer_on_a_dr_secondary(sim: Simulator, path: str) -> None:
    dr_pair(sim)
    assert call(sim, "GET", "c", path, token=None).status_code in (200, 472)


# -- sys/mounts ------------------------------------------------------------------------------


def test_dev_mount_table(sim: Simulator) -> None:
    response = call(sim, "GET", "a", "sys/mounts")
    body = response.json
    assert response.status_code == 200
    assert set(body["data"]) == {"secret/", "sys/", "cubbyhole/", "identity/"}
    secret = body["data"]["secret/"]
    assert secret["type"] == "kv" and secret["options"] == {"version": "2"}
    assert secret["local"] is False and body["data"]["cubbyhole/"]["local"] is True
    assert {"accessor", "uuid", "config", "seal_wrap", "description"} <= set(secret)
    assert body["secret/"] == secret  # sys/ answers also carry data at the top level
    assert call(sim, "GET", "b", "sys/mounts").json["data"] == body["data"]


def test_mount_read_and_unmount(sim: Simulator) -> None:
    created = call(sim, "POST", "a", "sys/mounts/team/kv",
                   json={"type": "kv", "options": {"version": "1"}, "description": "team"})
    assert created.status_code == 204
    one = call(sim, "GET", "a", "sys/mounts/team/kv").json["data"]
    assert (one["type"], one["options"], one["description"]) == ("kv", {"version": "1"}, "team")
    assert "team/kv/" in call(sim, "GET", "a", "sys/mounts").json["data"]
    assert call(sim, "DELETE", "a", "sys/mounts/team/kv").status_code == 204
    missing = call(sim, "GET", "a", "sys/mounts/team/kv")
    assert missing.status_code == 400
    assert missing.json == {"errors": ["No secret engine mount at team/kv/"]}


@pytest.mark.parametrize(("body", "alias_version"), [
    ({"type": "kv-v2"}, {"version": "2"}),
    ({"type": "kv-v1"}, {"version": "1"}),
    ({"type": "kv", "options": {"version": 2}}, {"version": "2"}),
    ({"type": "kv"}, None),
])
def test_mount_kv_types(sim: Simulator, body: dict[str, Any],
                        alias_version: dict[str, str] | None) -> None:
    assert call(sim, "POST", "a", "sys/mounts/kvx", json=body).status_code == 204
    info = call(sim, "GET", "a", "sys/mounts").json["data"]["kvx/"]
    assert (info["type"], info["options"]) == ("kv", alias_version)


@pytest.mark.parametrize(("path", "body", "message"), [
    ("secret", {"type": "kv"}, "path is already in use at secret/"),
    ("secret/nested", {"type": "kv"}, "path is already in use at secret/"),
    ("sys/x", {"type": "kv"}, 'cannot mount "sys/x/"'),
    ("cubbyhole", {"type": "kv"}, 'cannot mount "cubbyhole/"'),
    ("other", {"type": "cubbyhole"}, 'mount type of "cubbyhole" is not mountable'),
    ("other", {}, "backend type must be specified as a string"),
    ("other", {"type": "nope"}, "plugin not found in the catalog: nope"),
    ("other", {"type": "transit"}, 'fakevault only simulates kv mounts; "transit"'),
    ("other", {"type": "kv", "options": {"version": "3"}}, 'invalid kv version "3"'),
    ("other", {"type": ["kv"]}, '"type"'),
    ("other", {"type": "kv", "local": "sometimes"}, '"local"'),
    ("other", {"type": "kv", "options": "v2"}, '"options"'),
    ("other", {"type": "kv", "config": {"max_lease_ttl": "forever"}}, "config.max_lease_ttl"),
])
def test_mount_errors_leave_the_world_unchanged(sim: Simulator, path: str, body: dict[str, Any],
                                               message: str) -> None:
    before = world(sim)
    response = call(sim, "POST", "a", f"sys/mounts/{path}", json=body)
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/json"
    assert message in response.json["errors"][0]
    assert world(sim) == before


def test_mount_malformed_json(sim: Simulator) -> None:
    before = world(sim)
    response = call(sim, "POST", "a", "sys/mounts/x", data=b'{"type": "kv"')
    assert (response.status_code, response.json) == (400, {"errors": ["error parsing JSON"]})
    assert world(sim) == before


@pytest.mark.parametrize(("path", "code", "errors"), [
    ("nothing-here", 204, None),
    ("sys", 400, ['cannot unmount "sys/"']),
    ("identity", 400, ['cannot unmount "identity/"']),
])
def test_unmount_edge_cases(sim: Simulator, path: str, code: int, errors: Any) -> None:
    response = call(sim, "DELETE", "a", f"sys/mounts/{path}")
    assert response.status_code == code
    assert (response.json["errors"] if errors else response.get_data()) == (errors or b"")


def test_unmount_removes_the_data_and_a_remount_starts_empty(sim: Simulator) -> None:
    call(sim, "POST", "a", "sys/mounts/kv1", json={"type": "kv"})
    call(sim, "POST", "a", "kv1/deep/one", json={"v": 1})
    call(sim, "DELETE", "a", "sys/mounts/kv1")
    assert not list(sim["a"].storage.keys("logical/"))
    call(sim, "POST", "a", "sys/mounts/kv1", json={"type": "kv"})
    assert call(sim, "GET", "a", "kv1/deep/one").status_code == 404


def test_unmounting_the_default_secret_mount(sim: Simulator) -> None:
    assert call(sim, "DELETE", "a", "sys/mounts/secret").status_code == 204
    assert "secret/" not in call(sim, "GET", "a", "sys/mounts").json["data"]
    response = call(sim, "GET", "a", "secret/data/x")
    assert response.status_code == 404
    assert response.json == {
        "errors": ['no handler for route "secret/data/x". route entry not found.']}


def test_mounts_replicate_like_vault(sim: Simulator) -> None:
    perf_pair(sim, "a", "b")
    dr_pair(sim, "a", "c")
    call(sim, "POST", "a", "sys/mounts/shared", json={"type": "kv"})
    call(sim, "POST", "a", "sys/mounts/mine", json={"type": "kv", "local": True})
    on_b = call(sim, "GET", "b", "sys/mounts").json["data"]
    assert "shared/" in on_b and "mine/" not in on_b  # performance: non-local mounts only
    assert "shared/" in call(sim, "GET", "a", "sys/mounts").json["data"]
    assert sim["c"].storage.text("local/core/local-mounts") is not None  # DR carries local too


def test_mounts_on_a_performance_secondary(sim: Simulator) -> None:
    perf_pair(sim, "a", "b")
    refused = call(sim, "POST", "b", "sys/mounts/x", json={"type": "kv"})
    assert refused.json == {"errors": ["cannot add a non-local mount to a replication secondary"]}
    assert call(sim, "POST", "b", "sys/mounts/x", json={"type": "kv", "local": True}).status_code \
        == 204
    assert "x/" in call(sim, "GET", "b", "sys/mounts").json["data"]
    assert "x/" not in call(sim, "GET", "a", "sys/mounts").json["data"]
    unmount = call(sim, "DELETE", "b", "sys/mounts/secret")
    assert unmount.json == {"errors": ["cannot unmount a non-local mount on a replication "
                                       "secondary"]}
    assert call(sim, "DELETE", "b", "sys/mounts/x").status_code == 204


@pytest.mark.parametrize(("method", "path"), [("GET", "sys/mounts"), ("GET", "sys/mounts/secret"),
                                              ("POST", "sys/mounts/x")])
def test_mounts_refused_on_a_dr_secondary(sim: Simulator, method: str, path: str) -> None:
    dr_pair(sim)
    response = call(sim, method, "c", path, json={"type": "kv"} if method == "POST" else None)
    assert (response.status_code, response.json) == (
        400, {"errors": ["path disabled in replication DR secondary mode"]})


def test_mount_needs_a_token(sim: Simulator) -> None:
    assert call(sim, "GET", "a", "sys/mounts", token=None).status_code == 403


def test_default_mount_ids_depend_only_on_the_seed() -> None:
    assert default_mounts(4) == default_mounts(4)
    assert default_mounts(4)[0].uuid != default_mounts(5)[0].uuid
