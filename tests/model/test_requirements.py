"""Opt-in invariants: availability, membership, redundancy and lost writes across sets."""

from __future__ import annotations

import pytest

from conftest import Connect
from fakevault.model.errors import VaultError
from fakevault.model.requirements import (
    Availability,
    LostWritesAcrossSets,
    Membership,
    Redundancy,
)
from fakevault.model.simulator import Simulator


def dr_set(connect: Connect, *requirements: object, sync: str = "eager") -> Simulator:
    sim = Simulator(sync=sync)  # type: ignore[arg-type]
    sim.require(*requirements)  # type: ignore[arg-type]
    connect(sim, "dr", "a", "b")
    connect(sim, "dr", "a", "c")
    return sim


def kinds(sim: Simulator) -> list[str]:
    return [v.kind for v in sim.violations]


def correct_unplanned_failover(sim: Simulator) -> None:
    sim.crash("a")
    sim["b"].dr.promote()
    sim["c"].dr.update_primary(sim["b"].dr.secondary_token("c2").token)


# -- availability ---------------------------------------------------------------------------------
def test_a_watchdog_that_never_fails_over_is_unavailable(connect: Connect) -> None:
    sim = dr_set(connect, Availability(within=60))
    sim.crash("a")
    sim.advance(60)
    assert sim.violations == []  # within the allowance
    sim.advance(1)
    (violation,) = sim.violations
    assert violation.kind == "unavailable" and "for 61s" in violation.message
    assert "sim.crash(name='a')" in violation.caused_by  # the operation that lost the primary


def test_demote_then_a_swallowed_failed_promote_leaves_no_primary(connect: Connect) -> None:
    sim = dr_set(connect, Availability(within=30))
    sim["a"].write("secret/x", 1)
    sim.partition("a", "b")
    sim["a"].write("secret/x", 2)
    sim["a"].dr.demote()
    with pytest.raises(VaultError):
        sim["b"].dr.update_primary("not-a-token")  # the automation's error, swallowed
    sim.advance(3600)
    assert kinds(sim) == ["unavailable"]
    assert "a.dr.demote()" in sim.violations[0].caused_by


def test_a_correct_failover_is_available(connect: Connect) -> None:
    sim = dr_set(connect, Availability(within=60), Membership(within=60))
    correct_unplanned_failover(sim)
    sim.advance(3600)
    assert sim.violations == []


# -- membership -----------------------------------------------------------------------------------
def test_followers_of_a_crashed_primary_are_orphans(connect: Connect) -> None:
    sim = dr_set(connect, Membership(within=120))
    sim.crash("a")
    sim["b"].dr.promote()  # c is never re-pointed
    sim.advance(121)
    (violation,) = sim.violations
    assert violation.kind == "orphaned_secondary"
    assert violation.details["cluster"] == "c" and "it follows a" in violation.message


def test_a_demoted_primary_left_following_nobody_is_an_orphan(connect: Connect) -> None:
    sim = dr_set(connect, Membership(within=0))
    sim["a"].dr.demote()
    assert {v.details["cluster"] for v in sim.violations} == {"a", "b", "c"}


# -- redundancy -----------------------------------------------------------------------------------
def test_redundancy_counts_caught_up_secondaries(connect: Connect) -> None:
    sim = dr_set(connect, Redundancy(count=2, within=10))
    sim.crash("c")
    sim.advance(10)
    assert sim.violations == []
    sim.advance(5)
    (violation,) = sim.violations
    assert violation.kind == "under_replicated" and violation.details["copies"] == 1
    sim.restart("c")
    sim.advance(100)
    assert len(sim.violations) == 1


def test_a_lagging_secondary_is_not_a_copy(connect: Connect) -> None:
    sim = dr_set(connect, sync="manual")
    sim.sync()
    sim.require(Redundancy(count=2, within=0))
    sim.advance(1)
    assert sim.violations == []
    sim["a"].write("secret/x", 1)
    assert kinds(sim) == ["under_replicated"]


@pytest.mark.parametrize("bad", [-1, float("nan"), "5m", True])
def test_requirements_refuse_a_bad_allowance(bad: object) -> None:
    with pytest.raises(ValueError, match="within"):
        Availability(within=bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="count"):
        Redundancy(count=0)


def test_require_refuses_other_objects() -> None:
    with pytest.raises(TypeError, match="Requirement"):
        Simulator().require("availability")  # type: ignore[arg-type]


# -- lost writes across sets ----------------------------------------------------------------------
def disable_and_enable_failover(connect: Connect, *requirements: object) -> Simulator:
    """'Failing over' by disable + enable_primary: b starts a new set, missing a's last write."""
    sim = dr_set(connect, *requirements, sync="manual")
    sim.sync()
    sim["a"].write("secret/late", 1)  # acknowledged by a, not yet on b
    sim.crash("a")
    sim["b"].dr.disable()
    sim["b"].dr.enable_primary()
    return sim


def test_writes_lost_by_starting_a_new_set_are_invisible_per_set(connect: Connect) -> None:
    assert disable_and_enable_failover(connect).violations == []


def test_writes_lost_by_starting_a_new_set_are_reported_across_sets(connect: Connect) -> None:
    sim = disable_and_enable_failover(connect, LostWritesAcrossSets())
    (violation,) = sim.violations
    assert violation.kind == "lost_writes" and violation.details["keys"] == ["secret/late"]
    assert "b.dr.enable_primary()" in violation.caused_by


def test_a_caught_up_new_set_loses_nothing(connect: Connect) -> None:
    sim = dr_set(connect, LostWritesAcrossSets(), sync="manual")
    sim["a"].write("secret/x", 1)
    sim.sync()
    sim.crash("a")
    sim["b"].dr.disable()
    sim["b"].dr.enable_primary()
    sim["b"].write("secret/y", 2)
    assert sim.violations == []


def test_a_wiped_secondary_takes_its_new_primarys_lineage(connect: Connect) -> None:
    sim = Simulator()
    check = LostWritesAcrossSets()
    sim.require(check)
    sim["c"].performance.enable_primary()
    sim["c"].write("secret/c-data", 1)
    connect(sim, "performance", "c", "a")
    assert check.lineage("a") == "c"
    sim["a"].performance.disable()
    sim["a"].performance.enable_primary()  # a serves c's data now, and has all of it
    assert sim.violations == []
