"""Injected faults: partitions, crashes, corrupted merkle trees, stalled replication."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from fakevault.model.errors import InvalidRequestError, ReplicationStateError, UnavailableError
from fakevault.model.simulator import Simulator

Connect = Callable[..., Any]
State = Callable[[Simulator], dict[str, Any]]
PAGE = re.compile(r"page [1-4]/[0-9a-f]{1,4}")


# -- partitions ------------------------------------------------------------------------------

def test_partition_stops_replication_and_heal_resumes_it(connect: Connect) -> None:
    sim = Simulator()
    connect(sim, "dr", "a", "b")
    sim.partition("a", "b")
    assert not sim.network.reachable("a", "b") and not sim.network.reachable("b", "a")
    sim["a"].write("secret/x", 1)
    assert sim["b"].storage.get("secret/x") is None
    assert sim["b"].dr.lag() == 1
    sim.heal("a", "b")
    assert sim["b"].storage.get("secret/x") == 1
    assert sim.history[-1].name == "heal"


@pytest.mark.parametrize(("args", "still_cut"), [
    ((), set()),
    (("a",), {frozenset("bc")}),
    (("a", "b"), {frozenset("ac"), frozenset("bc")}),
])
def test_heal_all_one_or_a_pair(args: tuple[str, ...], still_cut: set[frozenset[str]]) -> None:
    sim = Simulator()
    for pair in ("ab", "ac", "bc"):
        sim.partition(*pair)
    sim.heal(*args)
    assert sim.network.partitions == still_cut


@pytest.mark.parametrize(("call", "message"), [
    (lambda sim: sim.partition("a", "a"), "a cluster cannot be partitioned from itself"),
    (lambda sim: sim.partition("a", "zz"), "no cluster named 'zz'; clusters are a, b, c"),
    (lambda sim: sim.heal("zz"), "no cluster named 'zz'"),
    (lambda sim: sim.crash("zz"), "no cluster named 'zz'"),
    (lambda sim: sim.restart("zz"), "no cluster named 'zz'"),
    (lambda sim: sim.corrupt_merkle("zz"), "no cluster named 'zz'"),
    (lambda sim: sim.corrupt_merkle("a", "both"), 'tree must be "replicated" or "local"'),
])
def test_fault_arguments_are_checked(call: Callable[[Simulator], Any], message: str,
                                     state: State) -> None:
    sim = Simulator()
    before = state(sim)
    with pytest.raises(InvalidRequestError, match=re.escape(message)):
        call(sim)
    assert state(sim) == before


# -- crash and restart -----------------------------------------------------------------------

@pytest.mark.parametrize("call", [
    lambda c: c.write("secret/x", 1),
    lambda c: c.delete("secret/x"),
    lambda c: c.read("secret/x"),
    lambda c: c.list(),
    lambda c: c.dr.enable_primary(),
    lambda c: c.performance.secondary_token("z"),
    lambda c: c.performance.demote(),
    lambda c: c.dr.reindex(),
])
def test_a_crashed_cluster_refuses_everything(call: Callable[[Any], Any], state: State) -> None:
    sim = Simulator()
    sim["a"].performance.enable_primary()
    sim["a"].write("secret/x", 1)
    sim.crash("a")
    before = state(sim)
    with pytest.raises(UnavailableError) as info:
        call(sim["a"])
    assert str(info.value) == "cluster a is down (crashed); restart it first"
    assert info.value.status_hint == 503
    assert state(sim) == before
    sim.restart("a")
    assert sim["a"].read("secret/x") == 1


def test_a_refused_operation_on_a_crashed_cluster_is_in_history() -> None:
    sim = Simulator()
    sim.crash("a")
    with pytest.raises(UnavailableError):
        sim["a"].dr.enable_primary()
    failed = sim.history[-1]
    assert (failed.cluster, failed.role, failed.name, failed.ok) == \
        ("a", "dr", "enable_primary", False)
    assert failed.error == "cluster a is down (crashed); restart it first"
    assert "-> error: cluster a is down" in failed.describe()


def test_crash_keeps_storage_and_restart_resumes_replication(connect: Connect) -> None:
    sim = Simulator()
    connect(sim, "dr", "a", "b")
    sim.crash("b")
    assert sim["b"].crashed
    for i in range(3):
        sim["a"].write(f"secret/{i}", i)
    (info,) = sim["a"].dr.status()["secondaries"]
    assert info["connection_status"] == "disconnected"
    assert sim["b"].storage.get("secret/2") is None
    sim.restart("b")
    assert not sim["b"].crashed
    assert sim["b"].storage.get("secret/2") == 2
    assert sim["b"].dr.status()["merkle_root"] == sim["a"].dr.status()["merkle_root"]


def test_a_crashed_primary_restarts_as_the_primary(connect: Connect) -> None:
    sim = Simulator()
    connect(sim, "dr", "a", "b")
    sim["a"].write("secret/x", 1)
    sim.crash("a")
    assert sim["b"].dr.status()["connection_state"] == "connecting"
    sim.restart("a")
    assert sim["a"].dr.status()["mode"] == "primary"
    sim["a"].write("secret/y", 2)
    assert sim["b"].storage.get("secret/y") == 2
    assert sim.violations == []


# -- corrupted merkle trees ------------------------------------------------------------------

def _states_under_step(sim: Simulator, name: str, steps: int) -> list[tuple[str, bool]]:
    out = []
    for _ in range(steps):
        moved = sim.step()
        out.append((sim[name].dr.status()["state"], moved))
    return out


def test_corrupt_secondary_oscillates_until_it_is_reindexed(connect: Connect) -> None:
    sim = Simulator(sync="manual")
    connect(sim, "dr", "a", "b")
    sim["a"].write("secret/x", 1)
    sim.sync()
    page = sim.corrupt_merkle("b")
    assert PAGE.fullmatch(page)
    status = sim["b"].dr.status()
    assert status["corrupted_merkle_tree"] is True
    assert status["state"] == "merkle-diff"
    assert sim["b"].dr.merkle_check()["replicated"] == [page]
    sim["a"].write("secret/y", 2)
    assert _states_under_step(sim, "b", 4) == [
        ("merkle-sync", False), ("merkle-diff", False),
        ("merkle-sync", False), ("merkle-diff", False)]
    assert sim.sync() == 0
    sim["b"].dr.reindex()
    status = sim["b"].dr.status()
    assert status["corrupted_merkle_tree"] is False
    assert status["last_reindex_epoch"] == str(int(sim.clock.now()))
    sim.sync()
    status = sim["b"].dr.status()
    assert status["state"] == "stream-wals"
    assert status["merkle_root"] == sim["a"].dr.status()["merkle_root"]
    assert sim["b"].storage.get("secret/y") == 2


def test_corrupt_primary_makes_a_resyncing_secondary_oscillate(connect: Connect) -> None:
    sim = Simulator(sync="manual")
    connect(sim, "dr", "a", "b")
    sim.sync()
    sim["a"].write("secret/x", 1)
    sim.corrupt_merkle("a")
    assert sim["a"].dr.status()["corrupted_merkle_tree"] is True
    sim["b"].dr.recover()
    assert _states_under_step(sim, "b", 3) == [
        ("merkle-sync", False), ("merkle-diff", False), ("merkle-sync", False)]
    sim["a"].dr.reindex()
    assert sim["a"].dr.status()["corrupted_merkle_tree"] is False
    sim.sync()
    assert sim["b"].dr.status()["state"] == "stream-wals"
    assert sim["b"].dr.status()["merkle_root"] == sim["a"].dr.status()["merkle_root"]


def test_corrupt_local_tree_stalls_dr_but_not_performance(connect: Connect) -> None:
    sim = Simulator(clusters=("a", "b", "c", "d"))
    connect(sim, "dr", "a", "b")
    connect(sim, "performance", "c", "d")
    sim.corrupt_merkle("b", "local")
    sim.corrupt_merkle("d", "local")
    assert sim["b"].dr.status()["state"] in ("merkle-diff", "merkle-sync")
    assert sim["d"].performance.status()["state"] == "stream-wals"
    assert sim["d"].performance.status()["corrupted_merkle_tree"] is True


def test_eager_mode_does_not_hang_on_a_corrupt_tree(connect: Connect) -> None:
    sim = Simulator()
    connect(sim, "dr", "a", "b")
    sim.corrupt_merkle("b")
    sim["a"].write("secret/x", 1)
    assert sim["b"].storage.get("secret/x") is None
    sim["b"].dr.reindex()
    assert sim["b"].storage.get("secret/x") == 1
    assert not sim.violations


def test_corruption_is_deterministic_per_seed(connect: Connect) -> None:
    pages = []
    for _ in range(2):
        sim = Simulator(seed=3)
        sim["a"].write("secret/x", 1)
        pages.append(sim.corrupt_merkle("a"))
    assert pages[0] == pages[1]


# -- stall and recover ---------------------------------------------------------------------------

def test_stall_idles_the_secondary_until_recover(connect: Connect) -> None:
    sim = Simulator()
    connect(sim, "performance", "a", "b")
    sim.stall("b")
    status = sim["b"].performance.status()
    assert (status["state"], status["connection_state"]) == ("idle", "transient_failure")
    sim["a"].write("secret/x", 1)
    assert sim["b"].storage.get("secret/x") is None
    assert sim.step() is False
    assert sim["b"].performance.status()["state"] == "idle"
    sim["b"].performance.recover()
    status = sim["b"].performance.status()
    assert (status["state"], status["connection_state"]) == ("stream-wals", "ready")
    assert sim["b"].storage.get("secret/x") == 1


def test_recover_of_a_secondary_without_primary_stays_idle(connect: Connect) -> None:
    sim = Simulator()
    connect(sim, "dr", "a", "b")
    sim["b"].dr.update_primary(token="")
    sim["b"].dr.recover()
    assert sim["b"].dr.status()["state"] == "idle"


@pytest.mark.parametrize("rtype", ["performance", "dr"])
def test_stall_needs_a_secondary(rtype: str, state: State) -> None:
    sim = Simulator()
    sim["a"].role(rtype).enable_primary()
    before = state(sim)
    with pytest.raises(ReplicationStateError, match=r"is not a .* secondary"):
        sim.stall("a", rtype)
    assert state(sim) == before
