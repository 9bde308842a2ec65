"""Status objects: Vault's exact key sets and field types (reference sections 2.3 and 2.4)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from fakevault.model.simulator import Simulator

Connect = Callable[..., Any]
TYPES = ("performance", "dr")
WAL_KEY = {"performance": "last_performance_wal", "dr": "last_dr_wal"}

COMMON = {"cluster_id", "corrupted_merkle_tree", "last_corruption_check_epoch",
          "last_reindex_epoch", "merkle_root", "mode", "primary_cluster_addr",
          "ssct_generation_counter", "state"}
PRIMARY = COMMON | {"known_secondaries", "last_wal", "secondaries"}
SECONDARY = COMMON | {"connection_state", "known_primary_cluster_addrs", "last_remote_wal",
                      "last_start", "primaries", "secondary_id"}
SECONDARY_INFO = {"api_address", "clock_skew_ms", "cluster_address", "connection_status",
                  "last_heartbeat", "last_heartbeat_duration_ms", "node_id",
                  "replication_primary_canary_age_ms"}
PRIMARY_INFO = SECONDARY_INFO - {"node_id"}

HEX40 = re.compile(r"[0-9a-f]{40}")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)")
INTEGER_TEXT = re.compile(r"-?\d+")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_common_types(status: dict[str, Any]) -> None:
    assert UUID.fullmatch(status["cluster_id"])
    assert status["corrupted_merkle_tree"] is False
    assert status["last_corruption_check_epoch"] == "-62135596800"
    assert isinstance(status["last_reindex_epoch"], str)
    assert INTEGER_TEXT.fullmatch(status["last_reindex_epoch"])
    assert HEX40.fullmatch(status["merkle_root"])
    assert isinstance(status["primary_cluster_addr"], str)
    assert status["ssct_generation_counter"] == 0 and _is_int(status["ssct_generation_counter"])


def _check_info_types(info: dict[str, Any]) -> None:
    for key in ("clock_skew_ms", "last_heartbeat_duration_ms",
                "replication_primary_canary_age_ms"):
        assert isinstance(info[key], str) and INTEGER_TEXT.fullmatch(info[key]), key
    assert RFC3339.fullmatch(info["last_heartbeat"])
    assert info["connection_status"] in ("connected", "disconnected")
    assert info["api_address"].startswith("http")
    assert info["cluster_address"].startswith("https://")


@pytest.mark.parametrize("rtype", TYPES)
def test_disabled_is_exactly_mode_disabled(rtype: str) -> None:
    sim = Simulator()
    assert sim["a"].role(rtype).status() == {"mode": "disabled"}
    assert sim["a"].status() == {"dr": {"mode": "disabled"}, "performance": {"mode": "disabled"}}


@pytest.mark.parametrize("rtype", TYPES)
def test_primary_status_keys_and_types(rtype: str, connect: Connect) -> None:
    sim = Simulator()
    connect(sim, rtype, "a", "b")
    sim["a"].write("secret/x", 1)
    status = sim["a"].role(rtype).status()
    assert set(status) == PRIMARY | {WAL_KEY[rtype]}
    _check_common_types(status)
    assert (status["mode"], status["state"]) == ("primary", "running")
    assert status["last_reindex_epoch"] == "0"
    assert status["primary_cluster_addr"] == ""
    assert _is_int(status["last_wal"]) and status["last_wal"] == 1
    assert _is_int(status[WAL_KEY[rtype]]) and status[WAL_KEY[rtype]] == 1
    assert status["known_secondaries"] == ["b"]
    (info,) = status["secondaries"]
    assert set(info) == SECONDARY_INFO
    _check_info_types(info)
    assert info["node_id"] == "b"
    assert info["connection_status"] == "connected"
    assert info["api_address"] == sim["b"].api_addr
    assert info["cluster_address"] == sim["b"].cluster_addr


@pytest.mark.parametrize("rtype", TYPES)
def test_secondary_status_keys_and_types(rtype: str, connect: Connect) -> None:
    sim = Simulator()
    connect(sim, rtype, "a", "b")
    sim["a"].write("secret/x", 1)
    primary = sim["a"].role(rtype).status()
    status = sim["b"].role(rtype).status()
    assert set(status) == SECONDARY
    _check_common_types(status)
    assert (status["mode"], status["state"], status["connection_state"]) == \
        ("secondary", "stream-wals", "ready")
    assert status["cluster_id"] == primary["cluster_id"]
    assert status["merkle_root"] == primary["merkle_root"]
    assert _is_int(status["last_remote_wal"]) and status["last_remote_wal"] == primary["last_wal"]
    assert status["secondary_id"] == "b"
    assert RFC3339.fullmatch(status["last_start"])
    assert status["primary_cluster_addr"] == sim["a"].cluster_addr
    assert status["known_primary_cluster_addrs"] == [sim["a"].cluster_addr]
    (info,) = status["primaries"]
    assert set(info) == PRIMARY_INFO
    _check_info_types(info)
    assert info["api_address"] == sim["a"].api_addr
    assert info["connection_status"] == "connected"


def test_statuses_carry_primary_cluster_addr_when_set(connect: Connect) -> None:
    sim = Simulator()
    sim["a"].dr.enable_primary(primary_cluster_addr="https://lb.example:8201")
    connect(sim, "dr", "a", "b")
    assert sim["a"].dr.status()["primary_cluster_addr"] == "https://lb.example:8201"
    status = sim["b"].dr.status()
    assert status["primary_cluster_addr"] == "https://lb.example:8201"
    assert status["primaries"][0]["cluster_address"] == "https://lb.example:8201"


def test_merkle_sync_status_shows_progress(connect: Connect) -> None:
    sim = Simulator(sync="manual")
    sim["a"].write("secret/x", 1)
    connect(sim, "dr", "a", "b")
    sim.step()
    status = sim["b"].dr.status()
    assert status["state"] == "merkle-sync"
    assert set(status) == SECONDARY | {"merkle_sync_progress"}
    assert status["merkle_sync_progress"] == {"sync_progress": 0, "sync_total_keys": 1}


def test_demoted_primary_has_the_secondary_shape(connect: Connect) -> None:
    sim = Simulator()
    connect(sim, "dr", "a", "b")
    sim["a"].dr.demote()
    status = sim["a"].dr.status()
    assert set(status) == SECONDARY
    assert (status["secondary_id"], status["last_remote_wal"], status["primaries"]) == \
        ("", 0, [])


def test_empty_roots_are_sha1_of_nothing() -> None:
    sim = Simulator()
    sim["a"].performance.enable_primary()
    sim["a"].dr.enable_primary()
    empty = "da39a3ee5e6b4b0d3255bfef95601890afd80709"
    assert sim["a"].performance.status()["merkle_root"] == empty
    assert HEX40.fullmatch(sim["a"].dr.status()["merkle_root"])
    assert sim["a"].dr.status()["last_wal"] == 0


def test_merkle_root_changes_on_every_write() -> None:
    sim = Simulator()
    sim["a"].dr.enable_primary()
    roots = {sim["a"].dr.status()["merkle_root"]}
    for i in range(5):
        sim["a"].write(f"secret/{i}", i)
        roots.add(sim["a"].dr.status()["merkle_root"])
    assert len(roots) == 6


def test_cluster_status_has_both_roles(connect: Connect) -> None:
    sim = Simulator()
    connect(sim, "performance", "a", "b")
    connect(sim, "dr", "b", "c")
    status = sim["b"].status()
    assert set(status) == {"dr", "performance"}
    assert status["performance"]["mode"] == "secondary"
    assert status["dr"]["mode"] == "primary"
    assert status["dr"]["cluster_id"] != status["performance"]["cluster_id"]


def test_known_secondaries_from_token_time_until_revoke() -> None:
    sim = Simulator()
    a = sim["a"].dr
    a.enable_primary()
    assert a.status()["known_secondaries"] == []
    a.secondary_token("b")
    a.secondary_token("c")
    assert a.status()["known_secondaries"] == ["b", "c"]
    assert a.status()["secondaries"] == []
    sim["b"].dr.enable_secondary(a.tokens[a.known["b"].token_jti].token)
    assert a.status()["known_secondaries"] == ["b", "c"]
    assert [s["node_id"] for s in a.status()["secondaries"]] == ["b"]
    a.revoke_secondary("b")
    assert a.status()["known_secondaries"] == ["c"]
    assert a.status()["secondaries"] == []
    a.revoke_secondary("c")
    assert a.status()["known_secondaries"] == []


@pytest.mark.parametrize("rtype", TYPES)
def test_connection_status_follows_partitions(rtype: str, connect: Connect) -> None:
    sim = Simulator()
    connect(sim, rtype, "a", "b")
    connect(sim, rtype, "a", "c")

    def seen() -> dict[str, str]:
        secondaries = sim["a"].role(rtype).status()["secondaries"]
        return {s["node_id"]: s["connection_status"] for s in secondaries}

    assert seen() == {"b": "connected", "c": "connected"}
    sim.partition("a", "b")
    assert seen() == {"b": "disconnected", "c": "connected"}
    status = sim["b"].role(rtype).status()
    assert status["connection_state"] == "connecting"
    assert status["primaries"][0]["connection_status"] == "disconnected"
    sim.heal("a", "b")
    assert seen() == {"b": "connected", "c": "connected"}
    assert sim["b"].role(rtype).status()["connection_state"] == "ready"


def test_a_disabled_secondary_shows_as_disconnected(connect: Connect) -> None:
    sim = Simulator()
    connect(sim, "dr", "a", "b")
    sim["b"].dr.disable()
    (info,) = sim["a"].dr.status()["secondaries"]
    assert (info["node_id"], info["connection_status"]) == ("b", "disconnected")
    assert sim["a"].dr.status()["known_secondaries"] == ["b"]


def test_reindex_and_merkle_check_epochs_are_strings() -> None:
    sim = Simulator()
    sim["a"].dr.enable_primary()
    sim.advance(5)
    report = sim["a"].dr.merkle_check()
    assert report == {"replicated": [], "local": [], "epoch": int(sim.clock.now())}
    sim["a"].dr.reindex()
    status = sim["a"].dr.status()
    assert status["last_corruption_check_epoch"] == str(int(sim.clock.now()))
    assert status["last_reindex_epoch"] == str(int(sim.clock.now()))
