"""The modern /sys/replication/{performance,dr}/ API: shapes, warnings, keys, force, gating."""

from __future__ import annotations

import pytest

from fakevault import Simulator
from fakevault.model.messages import WARNINGS
from fakevault.testing.assertions import unchanged
from fakevault.testing.clients import VaultTestClient

PRIMARY_KEYS = {"cluster_id", "corrupted_merkle_tree", "known_secondaries",
                "last_corruption_check_epoch", "last_reindex_epoch", "last_wal", "merkle_root",
                "mode", "primary_cluster_addr", "secondaries", "ssct_generation_counter", "state"}
SECONDARY_KEYS = {"cluster_id", "connection_state", "corrupted_merkle_tree",
                  "known_primary_cluster_addrs", "last_corruption_check_epoch",
                  "last_reindex_epoch", "last_remote_wal", "last_start", "merkle_root", "mode",
                  "primaries", "primary_cluster_addr", "secondary_id", "ssct_generation_counter",
                  "state"}
WAL_KEY = {"performance": "last_performance_wal", "dr": "last_dr_wal"}
TYPES = ("performance", "dr")


def pair(vault: VaultTestClient, rtype: str, secondary: str = "b") -> None:
    """Make ``a`` the ``rtype`` primary and ``secondary`` its secondary, over HTTP."""
    base = f"sys/replication/{rtype}"
    assert vault.post("a", f"{base}/primary/enable").status_code == 200
    token = vault.post("a", f"{base}/primary/secondary-token",
                       json={"id": secondary}).json["wrap_info"]["token"]
    response = vault.post(secondary, f"{base}/secondary/enable", json={"token": token})
    assert response.status_code == 200, response.json
    if rtype == "performance":  # its token store was wiped; these tests are not about that
        vault.sim.mint_root_token(secondary, vault.sim.root_token)


@pytest.mark.parametrize("rtype", TYPES)
def test_primary_and_secondary_status_have_the_reference_keys_and_types(
        vault: VaultTestClient, rtype: str) -> None:
    pair(vault, rtype)
    primary = vault.get("a", f"sys/replication/{rtype}/status", token=None).json["data"]
    secondary = vault.get("b", f"sys/replication/{rtype}/status", token=None).json["data"]
    assert set(primary) == PRIMARY_KEYS | {WAL_KEY[rtype]}
    assert set(secondary) == SECONDARY_KEYS
    for data in (primary, secondary):
        assert isinstance(data["last_reindex_epoch"], str)
        assert isinstance(data["last_corruption_check_epoch"], str)
        assert data["last_corruption_check_epoch"] == "-62135596800"
        assert data["cluster_id"] == primary["cluster_id"]
    assert isinstance(primary["last_wal"], int) and isinstance(secondary["last_remote_wal"], int)
    link = primary["secondaries"][0]
    assert link["node_id"] == "b" and link["connection_status"] == "connected"
    for key in ("clock_skew_ms", "last_heartbeat_duration_ms",
                "replication_primary_canary_age_ms"):
        assert isinstance(link[key], str) and isinstance(secondary["primaries"][0][key], str)
    assert "node_id" not in secondary["primaries"][0]
    assert secondary["state"] == "stream-wals" and secondary["connection_state"] == "ready"
    assert secondary["secondary_id"] == "b"
    assert secondary["merkle_root"] == primary["merkle_root"]


def test_performance_and_dr_have_separate_cluster_ids(vault: VaultTestClient) -> None:
    vault.post("a", "sys/replication/performance/primary/enable")
    vault.post("a", "sys/replication/dr/primary/enable")
    data = vault.get("a", "sys/replication/status").json["data"]
    assert data["dr"]["cluster_id"] != data["performance"]["cluster_id"]


@pytest.mark.parametrize("rtype", TYPES)
def test_transitions_answer_200_with_vaults_warnings(vault: VaultTestClient, rtype: str) -> None:
    base = f"sys/replication/{rtype}"
    response = vault.post("a", f"{base}/primary/enable")
    assert response.json["warnings"] == [WARNINGS["enable_primary"][0]]
    assert response.json["data"] is None
    assert vault.post("a", f"{base}/primary/demote").json["warnings"] == [
        WARNINGS["demote"][0]]


def test_secondary_public_key_delivers_the_token_in_data(vault: VaultTestClient) -> None:
    key = vault.post("b", "sys/replication/performance/secondary/generate-public-key").json
    public_key = key["data"]["secondary_public_key"]
    assert isinstance(public_key, str) and public_key
    vault.post("a", "sys/replication/performance/primary/enable")
    response = vault.post("a", "sys/replication/performance/primary/secondary-token",
                          json={"id": "b", "secondary_public_key": public_key}).json
    assert response["wrap_info"] is None
    token = response["data"]["token"]
    assert vault.post("b", "sys/replication/performance/secondary/enable",
                      json={"token": token}).status_code == 200


def test_secondary_token_ids_are_per_replication_type(vault: VaultTestClient) -> None:
    vault.post("a", "sys/replication/performance/primary/enable")
    vault.post("a", "sys/replication/dr/primary/enable")
    for rtype in TYPES:
        response = vault.post("a", f"sys/replication/{rtype}/primary/secondary-token",
                              json={"id": "1"})
        assert response.status_code == 200


def test_a_duplicate_live_id_is_refused(vault: VaultTestClient, sim: Simulator) -> None:
    vault.post("a", "sys/replication/dr/primary/enable")
    vault.post("a", "sys/replication/dr/primary/secondary-token", json={"id": "x"})
    with unchanged(sim):
        again = vault.post("a", "sys/replication/dr/primary/secondary-token", json={"id": "x"})
    assert again.status_code == 400 and '"x"' in again.json["errors"][0]


def test_promote_of_a_lagging_secondary_needs_force() -> None:
    sim = Simulator(seed=3, sync="manual")
    vault = VaultTestClient(sim)
    pair(vault, "performance")
    sim.sync()
    sim["a"].write("secret/data/late", {"v": 1})
    with unchanged(sim):
        refused = vault.post("b", "sys/replication/performance/secondary/promote")
    assert refused.status_code == 503
    assert "still catching up" in refused.json["errors"][0]
    forced = vault.post("b", "sys/replication/performance/secondary/promote",
                        json={"force": True})
    assert forced.status_code == 200


def test_update_primary_addrs_is_exclusive_with_token(vault: VaultTestClient,
                                                      sim: Simulator) -> None:
    pair(vault, "performance")
    with unchanged(sim):
        response = vault.post("b", "sys/replication/performance/secondary/update-primary",
                              json={"token": "x", "update_primary_addrs": ["https://a:8201"]})
    assert response.status_code == 400


def test_update_primary_addrs_changes_known_addresses(vault: VaultTestClient,
                                                      sim: Simulator) -> None:
    pair(vault, "performance")
    addrs = [sim["a"].cluster_addr, "https://10.0.0.9:8201"]
    response = vault.post("b", "sys/replication/performance/secondary/update-primary",
                          json={"update_primary_addrs": addrs})
    assert response.status_code in (200, 204)
    data = vault.get("b", "sys/replication/performance/status").json["data"]
    assert data["known_primary_cluster_addrs"] == addrs
    assert data["state"] == "stream-wals"


def test_merkle_check_reports_corruption_until_reindex(vault: VaultTestClient,
                                                       sim: Simulator) -> None:
    vault.post("a", "sys/replication/performance/primary/enable")
    sim["a"].write("secret/data/x", {"v": 1})
    clean = vault.post("a", "sys/replication/merkle-check").json["data"]
    assert clean["merkle_corruption_report"]["corrupted_root"] is False
    sim.corrupt_merkle("a")
    status = vault.get("a", "sys/replication/performance/status").json["data"]
    assert status["corrupted_merkle_tree"] is True
    report = vault.post("a", "sys/replication/merkle-check").json["data"]
    assert report["merkle_corruption_report"]["corrupted_root"] is True
    assert report["merkle_corruption_report"]["corrupted_tree_map"]
    vault.post("a", "sys/replication/performance/reindex")
    status = vault.get("a", "sys/replication/performance/status").json["data"]
    assert status["corrupted_merkle_tree"] is False


@pytest.mark.parametrize("path", ["sys/replication/performance/primary/enable",
                                  "sys/replication/dr/primary/secondary-token",
                                  "sys/replication/primary/enable", "secret/data/x"])
def test_a_dr_secondary_refuses_other_paths(vault: VaultTestClient, path: str) -> None:
    pair(vault, "dr")
    response = vault.post("b", path, json={"id": "z"})
    assert response.status_code == 400
    assert response.json == {"errors": ["path disabled in replication DR secondary mode"]}


@pytest.mark.parametrize("path", ["sys/replication/status", "sys/replication/dr/status",
                                  "sys/replication/performance/status"])
def test_a_dr_secondary_still_answers_status(vault: VaultTestClient, path: str) -> None:
    pair(vault, "dr")
    assert vault.get("b", path, token=None).status_code == 200


def test_dr_secondary_only_paths_demand_a_dr_operation_token(vault: VaultTestClient) -> None:
    pair(vault, "dr")
    response = vault.post("b", "sys/replication/dr/secondary/promote")
    assert response.status_code == 400
    assert response.json["errors"] == ["DR operation token was not provided"]
    wrong = vault.post("b", "sys/replication/dr/secondary/promote",
                       json={"dr_operation_token": "root"})
    assert wrong.status_code == 400 and wrong.json["errors"] == ["invalid DR operation token"]
