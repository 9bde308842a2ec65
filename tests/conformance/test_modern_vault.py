"""Conformance with modern Vault Enterprise (the default profile), fact by fact.

Each test cites its fact in ``../shared/reference/modern-vault-facts.md`` and the source the fact
comes from; where the seed's 0.7 document answers otherwise, the test runs both profiles.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

from fakevault import Simulator, VaultError
from fakevault.testing.assertions import world_state
from fakevault.testing.clients import ClusterDownError, hvac_client, session
from fakevault.testing.clients import VaultTestClient as Client


def client(version: str = "1.19", seed: int = 1) -> tuple[Simulator, Client]:
    sim = Simulator(seed=seed, vault_version=version)
    return sim, Client(sim)


def perf_pair(sim: Simulator) -> None:
    sim["a"].performance.enable_primary()
    sim["b"].performance.enable_secondary(sim["a"].performance.secondary_token("b").token)
    sim.mint_root_token("b", "root")  # a performance secondary keeps no earlier token (fact 9)


def dr_pair(sim: Simulator, secondary: str = "c") -> None:
    sim["a"].dr.enable_primary()
    sim[secondary].dr.enable_secondary(sim["a"].dr.secondary_token(secondary).token)


# -- fact 1: generic status is {dr, performance} (DOC-GEN sample; api/replication_status.go) ----
def test_generic_status_data_is_exactly_dr_and_performance() -> None:
    sim, vault = client()
    perf_pair(sim)
    body = vault.get("a", "sys/replication/status", token=None).json
    assert set(body["data"]) == {"dr", "performance"}
    assert body["data"]["performance"]["mode"] == "primary"
    assert "mode" not in body  # nothing at the top level either (fact 2)


def test_the_seed_profile_keeps_the_flat_status() -> None:
    sim, vault = client("0.7")
    perf_pair(sim)
    body = vault.get("a", "sys/replication/status", token=None).json
    assert body["data"]["mode"] == body["mode"] == "primary"
    assert "performance" not in body["data"]


# -- fact 2: data copied to the top level only for Vault's list (http/handler.go) ----------------
@pytest.mark.parametrize(("path", "copied"), [
    ("sys/mounts", True), ("sys/mounts/secret", True), ("sys/policy", True), ("sys/auth", True),
    ("sys/replication/performance/status", False), ("sys/policies/acl/default", False),
])
def test_data_is_copied_to_the_top_only_for_vaults_list(path: str, copied: bool) -> None:
    _, vault = client()
    body = vault.get("a", path).json
    keys = set(body["data"])
    assert (keys <= set(body)) is copied, sorted(keys & set(body))


def test_the_seed_profile_copies_every_sys_answer() -> None:
    _, vault = client("0.7")
    body = vault.get("a", "sys/policies/acl/default").json
    assert body["name"] == body["data"]["name"] == "default"


# -- facts 3 and 4: Cache-Control on every answer; 405s without Allow (http/handler.go) --------
@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "sys/replication/status", 200), ("POST", "sys/policies/acl/x", 400),
    ("GET", "sys/nope", 404), ("DELETE", "sys/replication/status", 405),
    ("FROB", "sys/replication/status", 405), ("GET", "secret/data/missing", 404),
])
def test_every_answer_says_no_store_and_no_405_names_allow(method: str, path: str,
                                                           status: int) -> None:
    _, vault = client()
    response = vault.request("a", method, path, json={} if method == "POST" else None)
    assert response.status_code == status
    assert response.headers["Cache-Control"] == "no-store"
    assert "Allow" not in response.headers
    if method == "FROB":
        assert response.json == {"errors": []}


# -- fact 5: DR promote/update-primary and perf update-primary/revoke answer 200 with a body ----
# (sdk/helper/testcluster/replication.go: an empty DR answer is an error for HashiCorp's harness)
def test_dr_promote_and_update_primary_answer_200_with_warnings() -> None:
    sim, vault = client()
    dr_pair(sim)
    sim["c"].ceremony.tokens.add("op-token")
    update = vault.post("c", "sys/replication/dr/secondary/update-primary", json={
        "token": sim["a"].dr.secondary_token("c2").token, "dr_operation_token": "op-token"})
    assert update.status_code == 200 and update.json["warnings"], update.json
    promote = vault.post("c", "sys/replication/dr/secondary/promote",
                         json={"dr_operation_token": "op-token", "force": True})
    assert promote.status_code == 200 and promote.json["warnings"]


@pytest.mark.parametrize(("version", "status"), [("1.19", 200), ("0.7", 204)])
def test_performance_revoke_and_update_primary_answer_with_warnings(version: str,
                                                                    status: int) -> None:
    sim, vault = client(version)
    perf_pair(sim)
    token = sim["a"].performance.secondary_token("b2").token
    update = vault.post("b", "sys/replication/performance/secondary/update-primary",
                        json={"token": token})
    revoke = vault.post("a", "sys/replication/performance/primary/revoke-secondary",
                        json={"id": "b"})
    assert (update.status_code, revoke.status_code) == (status, status)


# -- fact 6: the generic paths run the performance handlers (entStubPaths) ----------------------
@pytest.mark.parametrize(("version", "status"), [("1.19", 200), ("0.7", 204)])
def test_generic_paths_answer_as_their_performance_twins(version: str, status: int) -> None:
    _, vault = client(version)
    generic = vault.post("a", "sys/replication/primary/enable", json={})
    _, twin_vault = client(version)
    twin = twin_vault.post("a", "sys/replication/performance/primary/enable", json={})
    assert generic.status_code == status
    if status == 200:
        assert generic.json["warnings"] == twin.json["warnings"]


# -- fact 7: legacy GET secondary-token is 405; secondary/revoke-secondary is 404 (entStubPaths) -
@pytest.mark.parametrize(("version", "get_token", "revoke"), [("1.19", 405, 404),
                                                              ("0.7", 200, 204)])
def test_paths_only_the_seed_document_has(version: str, get_token: int, revoke: int) -> None:
    sim, vault = client(version)
    perf_pair(sim)
    token = vault.get("a", "sys/replication/primary/secondary-token", query={"id": "x"})
    assert token.status_code == get_token
    gone = vault.post("a", "sys/replication/secondary/revoke-secondary", json={"id": "b"})
    assert gone.status_code == revoke


# -- fact 18: merkle-check lists both subtrees, "1" and "2" (DOC-GEN, DOC-DR samples) ----------
def test_merkle_check_reports_both_subtrees_with_base64_roots() -> None:
    sim, vault = client()
    sim["a"].write("app/x", {"v": 1})
    report = vault.post("a", "sys/replication/merkle-check").json["data"][
        "merkle_corruption_report"]
    trees = report["corrupted_tree_map"]
    assert set(trees) == {"1", "2"}
    assert (trees["1"]["tree_type"], trees["2"]["tree_type"]) == ("replicated", "local")
    assert trees["1"]["root_hash"] and trees["1"]["corrupted_subtree_root"] is False
    assert report["last_corruption_check_epoch"].endswith("Z")
    sim.corrupt_merkle("a", "replicated")
    corrupted = vault.post("a", "sys/replication/merkle-check").json["data"][
        "merkle_corruption_report"]
    assert corrupted["corrupted_root"] is True
    assert corrupted["corrupted_tree_map"]["1"]["corrupted_index_tuples_map"]


# -- fact 19: sys/internal/ui/mounts, as `vault kv` detects KV v2 (command/kv_helpers.go) -------
def test_the_vault_kv_preflight_finds_kv_v2() -> None:
    _, vault = client()
    # What `vault kv put secret/app x=1` asks first.
    body = vault.get("a", "sys/internal/ui/mounts/secret/app").json["data"]
    assert (body["path"], body["type"], body["options"]) == ("secret/", "kv", {"version": "2"})
    assert vault.post("a", "sys/mounts/kv1", json={"type": "kv"}).status_code == 204
    kv1 = vault.get("a", "sys/internal/ui/mounts/kv1/deep/key").json["data"]
    assert (kv1["path"], kv1["options"]) == ("kv1/", None)


def test_ui_mounts_lists_mounts_for_a_token_and_nothing_without() -> None:
    _, vault = client()
    listing = vault.get("a", "sys/internal/ui/mounts").json["data"]
    assert "secret/" in listing["secret"] and "token/" in listing["auth"]
    anonymous = vault.get("a", "sys/internal/ui/mounts", token=None).json["data"]
    assert anonymous == {"auth": {}, "secret": {}}
    assert vault.get("a", "sys/internal/ui/mounts/secret/", token=None).status_code == 403
    assert vault.get("a", "sys/internal/ui/mounts/nowhere/x").status_code == 403


def test_ui_mounts_is_not_in_the_seed_profile() -> None:
    _, vault = client("0.7")
    assert vault.get("a", "sys/internal/ui/mounts/secret/").status_code == 404


# -- fact 20: namespaces are refused, never answered from the root (api-docs/index.mdx) ---------
@pytest.mark.parametrize(("path", "headers"), [
    ("secret/data/app", {"X-Vault-Namespace": "ns1"}),
    ("sys/mounts", {"X-Vault-Namespace": "team/"}),
    ("ns1/secret/data/app", {}),
    ("ns1/sys/mounts", {}),
])
def test_namespaces_are_a_clear_400(path: str, headers: dict[str, str]) -> None:
    sim, vault = client()
    before = world_state(sim)
    response = vault.request("a", "GET", path, headers=headers)
    assert response.status_code == 400
    assert "namespaces" in response.json["errors"][0]
    assert world_state(sim) == before


def test_the_root_namespace_header_is_the_root() -> None:
    _, vault = client()
    for namespace in ("root", "root/", ""):
        response = vault.request("a", "GET", "sys/mounts",
                                 headers={"X-Vault-Namespace": namespace})
        assert response.status_code == 200


# -- fact 21: a crashed node refuses the connection (how sockets work) --------------------------
def test_a_crashed_cluster_refuses_in_process_connections() -> None:
    sim = Simulator(seed=1)
    http = session(sim)
    sim.crash("a")
    with pytest.raises(requests.ConnectionError) as refused:
        http.get(sim["a"].api_addr + "/v1/sys/health")
    assert isinstance(refused.value, ClusterDownError)
    with pytest.raises(requests.ConnectionError):
        hvac_client(sim, "a", "root").sys.read_health_status(method="GET")
    # The control plane still answers on the other clusters' ports.
    restart = http.post(sim["b"].api_addr + "/_fakevault/clusters/a/restart",
                        headers={"X-Vault-Token": "root"}, json={})
    assert restart.status_code == 200
    assert http.get(sim["a"].api_addr + "/v1/sys/health").status_code == 200


# -- fact 22: a performance secondary never counts the primary's local WAL entries -------------
def test_last_remote_wal_follows_last_performance_wal_after_token_traffic() -> None:
    sim, vault = client()
    perf_pair(sim)
    vault.post("a", "secret/data/app", json={"data": {"k": "v"}})
    for _ in range(5):  # tokens are local to the primary: WAL entries not streamed
        assert vault.post("a", "auth/token/create", json={}).status_code == 200
    sim.sync()
    primary = vault.get("a", "sys/replication/performance/status").json["data"]
    secondary = vault.get("b", "sys/replication/performance/status").json["data"]
    assert primary["last_wal"] > primary["last_performance_wal"]
    # HashiCorp's harness waits for exactly this.
    assert secondary["last_remote_wal"] >= primary["last_performance_wal"]
    assert secondary["last_remote_wal"] == primary["last_performance_wal"]


# -- version profiles -------------------------------------------------------------------------
def test_an_unknown_version_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown vault_version '1\.3'.*0\.7, 1\.15"):
        Simulator(vault_version="1.3")


def test_the_version_survives_a_snapshot_and_a_reset() -> None:
    sim, vault = client("0.7")
    restored = Simulator.restore(sim.snapshot())
    assert restored.vault_version == "0.7" and "vault_version='0.7'" in repr(restored)

    def reset(body: dict[str, Any]) -> Any:
        return vault.client.post("/_fakevault/reset", json=body, headers={
            "Host": sim["a"].api_addr.split("//")[1], "X-Vault-Token": "root"})

    assert reset({}).json["vault_version"] == "0.7"
    assert reset({"vault_version": "1.18"}).json["vault_version"] == "1.18"
    assert vault.get("a", "sys/health", token=None).json["version"].startswith("1.18.")
    refused = reset({"vault_version": "9.9"})
    assert refused.status_code == 400 and vault.app.sim.vault_version == "1.18"


def test_in_process_logical_requests_answer_as_the_profile() -> None:
    seed = Simulator(vault_version="0.7").vault("a")
    assert seed.request("read", "sys/replication/status").data["mode"] == "disabled"
    with pytest.raises(VaultError):
        Simulator().vault("a").request("read", "sys/replication/primary/secondary-token",
                                       {"id": "x"}, token="root")


def test_a_crashed_cluster_closes_its_port_under_a_live_server() -> None:
    """Fact 21 under ``fakevault serve``: the listener closes, and reopens on restart."""
    from fakevault.testing.server import FakeVaultServer

    with FakeVaultServer(Simulator(seed=1)) as server, requests.Session() as http:
        a, b = server.url("a"), server.url("b")
        root = {"X-Vault-Token": "root"}
        assert http.post(f"{b}/_fakevault/clusters/a/crash", headers=root).status_code == 200
        with pytest.raises(requests.ConnectionError):
            http.get(f"{a}/v1/sys/health", timeout=5)
        assert http.get(f"{b}/v1/sys/health", timeout=5).status_code == 200
        server.sim.restart("a")  # the Python API too, not only the control plane
        assert http.get(f"{a}/v1/sys/health", timeout=5).status_code == 200
        assert server.url("a") == a  # the same port
        server.sim.crash("a")
        with pytest.raises(requests.ConnectionError):
            http.get(f"{a}/v1/sys/health", timeout=5)
        # A reset brings a world where every cluster is up: the port opens again.
        assert http.post(f"{b}/_fakevault/reset", headers=root, json={}).status_code == 200
        assert http.get(f"{a}/v1/sys/health", timeout=5).status_code == 200


# -- review findings: each failed before its fix ------------------------------------------------
def test_a_negative_max_versions_is_a_400_and_writes_keep_working() -> None:
    sim, vault = client()
    before = world_state(sim)
    response = vault.post("a", "secret/config", json={"max_versions": -1})
    assert response.status_code == 400 and "max_versions" in response.json["errors"][0]
    assert world_state(sim) == before
    assert vault.post("a", "secret/data/y", json={"data": {"k": "v"}}).status_code == 200


def test_enabling_an_auth_method_needs_sudo() -> None:
    # vault/logical_system.go: auth/* is among the system backend's root (sudo) paths.
    _, vault = client()
    policy = '{"path": {"sys/*": {"capabilities": ["create", "update", "read"]}}}'
    assert vault.post("a", "sys/policies/acl/ops", json={"policy": policy}).status_code == 204
    token = vault.post("a", "auth/token/create", json={"policies": ["ops"]}).json["auth"][
        "client_token"]
    refused = vault.post("a", "sys/auth/approle", json={"type": "approle"}, token=token)
    assert refused.status_code == 403


def test_the_seed_profile_answers_every_health_refusal_with_words() -> None:
    _, vault = client("0.7")
    refused = vault.post("a", "sys/health", json={}, token=None)
    assert refused.status_code == 405 and refused.json["errors"]


def test_the_control_plane_through_python_is_a_clear_error() -> None:
    with pytest.raises(VaultError, match="over HTTP"):
        Simulator().vault("a").request("update", "reset", token="root", control=True)


def test_the_openapi_document_reports_the_worlds_version() -> None:
    _, vault = client("1.16")
    spec = vault.get("a", "sys/internal/specs/openapi", token=None).json
    assert spec["info"]["version"].startswith("1.16.")
