"""A DR secondary of a performance primary takes over the performance role when promoted."""

from __future__ import annotations

import pytest

from fakevault import Simulator
from fakevault.model.errors import SplitBrainRefusedError


def four_clusters(strict: bool = False) -> Simulator:
    """a: perf primary + DR primary; b: a's DR secondary; c: a's perf secondary."""
    sim = Simulator(seed=4, clusters=("a", "b", "c"), strict=strict)
    a, b, c = sim["a"], sim["b"], sim["c"]
    a.performance.enable_primary()
    a.dr.enable_primary()
    b.dr.enable_secondary(a.dr.secondary_token("b").token)
    c.performance.enable_secondary(a.performance.secondary_token("c").token)
    a.write("secret/data/app", {"v": 1})
    return sim


def test_promoted_dr_secondary_becomes_the_performance_primary_of_the_same_set() -> None:
    sim = four_clusters()
    perf_id = sim["a"].performance.cluster_id
    sim.crash("a")
    sim["b"].dr.promote()
    perf = sim["b"].performance.status()
    assert perf["mode"] == "primary" and perf["cluster_id"] == perf_id
    assert perf["known_secondaries"] == ["c"]
    assert sim.violations == []


def test_the_perf_secondary_follows_the_new_primary_with_a_new_token() -> None:
    sim = four_clusters()
    sim.crash("a")
    sim["b"].dr.promote()
    sim["b"].performance.revoke_secondary("c")
    token = sim["b"].performance.secondary_token("c")
    sim["c"].performance.update_primary(token.token)
    sim["b"].write("secret/data/after", {"v": 2})
    assert sim["c"].read("secret/data/after") == {"v": 2}
    assert sim["c"].performance.status()["state"] == "stream-wals"
    assert sim.check() == []


def test_without_a_performance_primary_nothing_is_inherited() -> None:
    sim = Simulator(seed=4)
    sim["a"].dr.enable_primary()
    sim["b"].dr.enable_secondary(sim["a"].dr.secondary_token("b").token)
    sim["a"].dr.demote()
    sim["b"].dr.promote()
    assert sim["b"].performance.status() == {"mode": "disabled"}


def test_strict_mode_refuses_a_promotion_that_would_double_the_performance_primary() -> None:
    sim = four_clusters(strict=True)
    sim["a"].dr.demote()  # the DR role steps down, but a is still the live performance primary
    with pytest.raises(SplitBrainRefusedError):
        sim["b"].dr.promote()
    assert sim["b"].dr.mode == "secondary"


def test_loose_mode_records_the_doubled_performance_primary() -> None:
    sim = four_clusters()
    sim["a"].dr.demote()
    sim["b"].dr.promote()
    kinds = {(v.kind, v.details.get("type")) for v in sim.violations}
    assert ("split_brain", "performance") in kinds
