"""One-way partitions: ``a`` cannot open connections to ``b``, ``b`` still reaches ``a``."""

from __future__ import annotations

from conftest import Connect
from fakevault.model.simulator import Simulator


def lagging_pair(connect: Connect) -> Simulator:
    sim = Simulator(sync="manual")
    connect(sim, "performance", "a", "b")
    sim.sync()
    return sim


def test_a_secondary_that_cannot_connect_to_its_primary_stops_receiving(
        connect: Connect) -> None:
    sim = lagging_pair(connect)
    sim.partition("b", "a", one_way=True)
    sim["a"].write("secret/x", 1)
    sim.sync()
    assert sim["b"].read("secret/x") is None and not sim.link_up(sim["b"].performance)
    sim.heal("a", "b")
    sim.sync()
    assert sim["b"].read("secret/x") == 1


def test_the_secondary_opens_the_stream_so_the_other_direction_does_not_matter(
        connect: Connect) -> None:
    sim = lagging_pair(connect)
    sim.partition("a", "b", one_way=True)  # the primary cannot connect to the secondary
    sim["a"].write("secret/x", 1)
    sim.sync()
    assert sim["b"].read("secret/x") == 1


def test_one_way_partitions_survive_a_snapshot_and_heal_by_name(connect: Connect) -> None:
    sim = lagging_pair(connect)
    sim.partition("b", "a", one_way=True)
    restored = Simulator.restore(sim.snapshot())
    assert not restored.network.reachable("b", "a") and restored.network.reachable("a", "b")
    restored.heal("b")
    assert restored.network.reachable("b", "a")
    assert "one_way=True" in sim.history[-1].describe()
