"""Restart fencing by promotion order: a primary whose set promoted someone since comes back
fenced, whether or not that newer primary is up now."""

from __future__ import annotations

import pytest

from conftest import Connect
from fakevault.model.simulator import Simulator


def unplanned_failover_then_the_new_primary_dies(connect: Connect, fence: bool) -> Simulator:
    """The issue's false alarm: a crashes, the watchdog promotes c (which has everything) and
    re-points b, a client write is acknowledged by c, c crashes, then a restarts."""
    sim = Simulator(seed=3)
    connect(sim, "dr", "a", "b")
    connect(sim, "dr", "a", "c")
    sim["a"].write("secret/data/before", 1)
    sim.crash("a")
    sim["c"].dr.promote()
    sim["b"].dr.update_primary(sim["c"].dr.secondary_token("b2").token)
    sim["c"].write("secret/data/after", 2)
    sim.crash("c")
    sim.restart("a", demote_stale_primaries=fence)
    return sim


def test_a_restarting_primary_is_fenced_though_the_newer_primary_is_down(
        connect: Connect) -> None:
    sim = unplanned_failover_then_the_new_primary_dies(connect, fence=True)
    assert sim["a"].dr.mode == "secondary" and sim["a"].dr.state == "idle"
    assert sim.violations == []
    sim.restart("c")  # the newest primary comes back as the one primary, with everything
    assert sim["c"].dr.mode == "primary" and sim.violations == []


def test_without_fencing_the_same_story_is_reported(connect: Connect) -> None:
    sim = unplanned_failover_then_the_new_primary_dies(connect, fence=False)
    assert sim["a"].dr.mode == "primary"
    (violation,) = sim.violations
    assert violation.kind == "lost_writes" and "secret/data/after" in violation.message
    sim.restart("c")
    assert {v.kind for v in sim.violations} == {"lost_writes", "split_brain"}


def test_strict_mode_fences_by_promotion_order_too(connect: Connect) -> None:
    sim = Simulator(strict=True)
    connect(sim, "performance", "a", "b")
    sim.crash("a")
    sim["b"].performance.promote()
    sim.crash("b")
    sim.restart("a")
    assert sim["a"].performance.mode == "secondary" and sim.violations == []


def test_a_primary_that_was_not_replaced_is_not_fenced(connect: Connect) -> None:
    sim = Simulator()
    connect(sim, "dr", "a", "b")
    sim.crash("a")
    sim.restart("a", demote_stale_primaries=True)
    assert sim["a"].dr.mode == "primary" and sim.violations == []


def test_a_primary_promoted_again_after_a_demotion_is_the_newest(connect: Connect) -> None:
    """Failback: a -> b -> a; b, the older primary now, is the one fenced."""
    sim = Simulator()
    connect(sim, "dr", "a", "b")
    sim["a"].dr.demote()
    sim["b"].dr.promote()
    sim["a"].dr.update_primary(sim["b"].dr.secondary_token("a").token)
    sim["b"].dr.demote()
    sim["a"].dr.promote()
    sim.crash("a")
    sim.crash("b")
    sim.restart("a", demote_stale_primaries=True)
    assert sim["a"].dr.mode == "primary"


@pytest.mark.parametrize("rtype", ["dr", "performance"])
def test_promotion_order_survives_a_snapshot(connect: Connect, rtype: str) -> None:
    sim = Simulator()
    connect(sim, rtype, "a", "b")
    sim.crash("a")
    sim["b"].role(rtype).promote()
    sim.crash("b")
    restored = Simulator.restore(sim.snapshot())
    restored.restart("a", demote_stale_primaries=True)
    assert restored["a"].role(rtype).mode == "secondary"
