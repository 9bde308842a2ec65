"""Performance paths filters in the model: what is streamed, re-syncs, invariants, refusals.

The pure model has no mount table, so here a filter's paths are raw key prefixes ("secret/",
"kv/"); the mount-table semantics are tested through the Vault layer in
tests/http/test_paths_filter_routes.py. Modern Vault fact 8: a filtered mount's data is not
replicated to that secondary (vault/logical_system_helpers.go entStubPaths; api-docs
replication-performance.mdx "Create paths filter").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from fakevault.model.errors import InvalidRequestError, VaultError
from fakevault.model.simulator import Simulator
from fakevault.testing.assertions import unchanged

Connect = Callable[..., Any]


def keys(sim: Simulator, name: str) -> list[str]:
    """The replicated keys cluster ``name`` holds, sorted."""
    return sorted(key for key, _ in sim[name].storage.items() if not key.startswith("local/"))


def perf_set(connect: Connect, sync: Any = "eager") -> Simulator:
    """``a`` the performance primary of ``b`` and ``c``, with data under secret/ and kv/."""
    sim = Simulator(seed=5, sync=sync)
    connect(sim, "performance", "a", "b")
    connect(sim, "performance", "a", "c")
    sim["a"].write("secret/one", 1)
    sim["a"].write("kv/one", 1)
    sim.sync()
    return sim


def test_a_denied_path_is_not_streamed_to_that_secondary_only(connect: Connect) -> None:
    sim = perf_set(connect)
    a = sim["a"]
    a.performance.set_paths_filter("b", mode="deny", paths=["kv/"])
    a.write("kv/two", 2)
    a.write("secret/two", 2)
    assert keys(sim, "b") == ["secret/one", "secret/two"]
    assert keys(sim, "c") == ["kv/one", "kv/two", "secret/one", "secret/two"]
    b = sim["b"].performance
    assert b.state == "stream-wals" and b.lag() == 0  # filtered entries still count as received
    assert b.last_remote_wal == a.storage.last_performance_wal
    assert sim.check() == []


def test_an_allow_filter_sends_only_the_allowed_paths(connect: Connect) -> None:
    sim = perf_set(connect)
    sim["a"].performance.set_paths_filter("b", mode="allow", paths=["secret/"])
    sim["a"].write("kv/two", 2)
    sim["a"].write("secret/two", 2)
    sim["a"].delete("secret/one")
    assert keys(sim, "b") == ["secret/two"]
    assert sim.check() == []


def test_changing_the_filter_resyncs_removing_and_sending(connect: Connect) -> None:
    sim = perf_set(connect)
    perf = sim["a"].performance
    perf.set_paths_filter("b", mode="deny", paths=["kv/"])
    sim["a"].write("kv/two", 2)
    perf.set_paths_filter("b", mode="deny", paths=["secret/"])
    assert keys(sim, "b") == ["kv/one", "kv/two"]
    perf.delete_paths_filter("b")
    assert keys(sim, "b") == keys(sim, "a")
    assert sim["b"].performance.status()["merkle_root"] == perf.status()["merkle_root"]
    assert sim.check() == []


def test_a_filter_change_waits_for_the_next_sync_in_manual_mode(connect: Connect) -> None:
    sim = perf_set(connect, sync="manual")
    sim["a"].performance.set_paths_filter("b", mode="deny", paths=["kv/"])
    b = sim["b"].performance
    assert b.state == "merkle-diff" and b.lag() > 0
    assert "kv/one" in keys(sim, "b")  # not removed until the secondary re-syncs
    sim.sync()
    assert keys(sim, "b") == ["secret/one"] and b.state == "stream-wals"
    assert sim.check() == []


def test_a_filtered_secondary_reconnecting_after_a_partition_resyncs(connect: Connect) -> None:
    sim = perf_set(connect)
    sim.partition("a", "b")
    sim["a"].performance.set_paths_filter("b", mode="allow", paths=["kv/"])
    sim["a"].write("kv/two", 2)
    sim.heal()
    sim.sync()
    assert keys(sim, "b") == ["kv/one", "kv/two"]
    assert sim.check() == []


def test_the_read_and_dynamic_filter_answers(connect: Connect) -> None:
    sim = perf_set(connect)
    perf = sim["a"].performance
    assert perf.paths_filter("b") is None
    assert perf.dynamic_filter("b") == {"dynamic_filtered_mounts": [],
                                        "dynamic_filtered_namespaces": []}
    perf.set_paths_filter("b", mode="deny", paths=["/kv", "kv/", "secret"])
    assert perf.paths_filter("b") == {"mode": "deny", "paths": ["kv/", "secret/"]}
    assert perf.dynamic_filter("b")["dynamic_filtered_mounts"] == ["kv/", "secret/"]
    assert sim["b"].performance.received_filter("b") == perf.dynamic_filter("b")
    assert sim["c"].performance.received_filter("c")["dynamic_filtered_mounts"] == []


# -- invariants --------------------------------------------------------------------------------
def test_a_filtered_secondary_missing_allowed_data_is_diverged(connect: Connect) -> None:
    sim = perf_set(connect)
    sim["a"].performance.set_paths_filter("b", mode="deny", paths=["kv/"])
    assert sim.check() == []
    sim["b"].storage.delete("secret/one")  # real loss of data the filter lets through
    found = [v for v in sim.check() if v.kind == "diverged"]
    assert len(found) == 1 and found[0].details["keys"] == ["secret/one"]


def test_the_check_after_each_operation_catches_lost_allowed_data(connect: Connect) -> None:
    sim = perf_set(connect)
    sim["a"].performance.set_paths_filter("b", mode="deny", paths=["kv/"])
    sim["b"].storage.delete("secret/one")
    sim["a"].write("kv/two", 2)  # any operation: no explicit check() needed
    found = [v for v in sim.violations if v.kind == "diverged"]
    assert len(found) == 1 and found[0].details["keys"] == ["secret/one"]
    assert "a.write(path='kv/two'" in found[0].caused_by


def test_a_filtered_secondary_holding_filtered_data_is_diverged(connect: Connect) -> None:
    sim = perf_set(connect)
    sim["a"].performance.set_paths_filter("b", mode="deny", paths=["kv/"])
    sim["b"].storage.put("kv/one", 1)  # what the filter should have kept away
    found = [v for v in sim.check() if v.kind == "diverged"]
    assert len(found) == 1 and found[0].details["keys"] == ["kv/one"]


def test_promoting_a_filtered_secondary_loses_no_write_it_should_have_held(
        connect: Connect) -> None:
    sim = perf_set(connect)
    sim["a"].performance.set_paths_filter("b", mode="deny", paths=["kv/"])
    sim["a"].write("kv/two", 2)
    sim.crash("a")
    sim["b"].performance.promote()
    assert [v for v in sim.violations if v.kind == "lost_writes"] == []


def test_promoting_a_filtered_secondary_still_reports_lost_allowed_writes(
        connect: Connect) -> None:
    sim = perf_set(connect, sync="manual")
    sim["a"].performance.set_paths_filter("b", mode="deny", paths=["kv/"])
    sim.sync()
    sim["a"].write("kv/two", 2)
    sim["a"].write("secret/two", 2)  # allowed, never replicated
    sim.crash("a")
    sim["b"].performance.promote()
    lost = [v for v in sim.violations if v.kind == "lost_writes"]
    assert len(lost) == 1 and lost[0].details["keys"] == ["secret/two"]


def test_a_planned_failover_to_a_filtered_secondary_is_judged_by_its_filter(
        connect: Connect) -> None:
    sim = perf_set(connect)
    sim["a"].performance.set_paths_filter("b", mode="allow", paths=["secret/"])
    sim["a"].performance.demote()
    sim["b"].performance.promote()
    assert sim["b"].performance.known == {} and sim["b"].performance.filters == {}
    assert [v for v in sim.violations if v.kind == "lost_writes"] == []


# -- refusals change nothing -------------------------------------------------------------------
BAD: list[tuple[str, dict[str, Any], str]] = [
    ("nobody", {"mode": "deny", "paths": ["kv/"]}, "no performance secondary"),
    ("c", {"mode": "block", "paths": ["kv/"]}, 'invalid mode "block"'),
    ("c", {"mode": "", "paths": ["kv/"]}, "invalid mode"),
    ("c", {"mode": "deny", "paths": "kv/"}, '"paths" must be a list'),
    ("c", {"mode": "deny", "paths": [7]}, '"paths" must be a list'),
    ("c", {"mode": "deny", "paths": ["/"]}, "is not a replicated secrets engine mount"),
    ("", {"mode": "deny", "paths": []}, 'missing required field "id"'),
]


@pytest.mark.parametrize(("id", "args", "text"), BAD)
def test_a_bad_filter_is_refused_and_changes_nothing(connect: Connect, id: str,
                                                     args: dict[str, Any], text: str) -> None:
    sim = Simulator(seed=5)
    connect(sim, "performance", "a", "c")
    sim["a"].performance.set_paths_filter("c", mode="allow", paths=["secret/"])
    with unchanged(sim), pytest.raises(InvalidRequestError, match=text):
        sim["a"].performance.set_paths_filter(id, **args)


@pytest.mark.parametrize("call", ["set", "delete", "read", "dynamic"])
def test_filters_are_a_performance_primarys_business(connect: Connect, call: str) -> None:
    sim = perf_set(connect)
    attempts = {
        "set": lambda role: role.set_paths_filter("b", mode="deny", paths=["kv/"]),
        "delete": lambda role: role.delete_paths_filter("b"),
        "read": lambda role: role.paths_filter("b"),
        "dynamic": lambda role: role.dynamic_filter("b"),
    }
    for role, text in ((sim["b"].performance, "not a performance primary"),
                       (sim["a"].dr, "performance replication only")):
        with unchanged(sim), pytest.raises(VaultError, match=text):
            attempts[call](role)


def test_revoking_a_secondary_drops_its_filter(connect: Connect) -> None:
    sim = perf_set(connect)
    perf = sim["a"].performance
    perf.set_paths_filter("b", mode="deny", paths=["kv/"])
    perf.revoke_secondary("b")
    sim["b"].performance.update_primary(perf.secondary_token("b").token)
    assert perf.paths_filter("b") is None
    assert keys(sim, "b") == keys(sim, "a")


# -- snapshot --------------------------------------------------------------------------------------
def test_a_filter_survives_snapshot_and_restore(connect: Connect) -> None:
    sim = perf_set(connect)
    sim["a"].performance.set_paths_filter("b", mode="deny", paths=["kv/"])
    sim["c"].dr.enable_primary()  # unrelated; the snapshot carries everything
    restored = Simulator.restore(sim.snapshot())
    assert restored.snapshot() == sim.snapshot()
    assert restored["a"].performance.paths_filter("b") == {"mode": "deny", "paths": ["kv/"]}
    restored["a"].write("kv/three", 3)
    assert "kv/three" not in keys(restored, "b")
    assert restored.check() == []


def test_a_promoted_dr_secondary_takes_over_the_filters(connect: Connect) -> None:
    sim = Simulator(seed=5, clusters=("a", "b", "d"))
    connect(sim, "performance", "a", "b")
    connect(sim, "dr", "a", "d")
    sim["a"].performance.set_paths_filter("b", mode="deny", paths=["kv/"])
    sim.crash("a")
    sim["d"].dr.promote()  # DR carries the performance primary's state, its filters included
    assert sim["d"].performance.paths_filter("b") == {"mode": "deny", "paths": ["kv/"]}
