"""The machine's environment: clients that read, richer faults, drawn layouts, requirements;
correct failovers pass across many seeds, and planted bugs are found."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import InvalidArgument
from hypothesis.stateful import rule, run_state_machine_as_test

from benchmarks.automations import (
    CounterWithCas,
    CounterWithoutCas,
    EagerWatchdog,
    HvacPlannedFailover,
    PerformanceWatchdog,
    PlannedFailover,
    Watchdog,
    WatchdogNeverFailsOver,
    WatchdogStartsANewSet,
    WatchdogWithoutFencing,
)
from fakevault.model.requirements import Availability, Requirement
from fakevault.model.simulator import Simulator
from fakevault.testing.machine import ReplicationMachine
from fakevault.testing.strategies import Layout, layouts
from fakevault.testing.workload import Workload


def bounded(examples: int, steps: int = 30) -> settings:
    return settings(max_examples=examples, stateful_step_count=steps, deadline=None,
                    phases=[Phase.generate], database=None,
                    suppress_health_check=list(HealthCheck))


# -- the workload ---------------------------------------------------------------------------------
def perf_set(sync: str = "manual") -> Simulator:
    sim = Simulator(sync=sync)  # type: ignore[arg-type]
    sim["a"].performance.enable_primary()
    for name in ("b", "c"):
        sim[name].performance.enable_secondary(
            sim["a"].performance.secondary_token(name).token)
    sim.sync()
    return sim


@pytest.mark.parametrize("api", ["model", "http"])
def test_an_increment_from_a_lagging_secondary_is_refused_with_cas(api: Any) -> None:
    sim = perf_set()
    load = Workload(sim, api=api)
    load.write("c1", "n", 1)
    sim.sync()
    load.read("c1", "b", "n")
    load.write("c2", "n", 2)  # b lags now
    refused = load.increment("c1", "b", "n", cas=True)
    assert refused.outcome == "fail" and refused.rmw
    assert load.history.anomalies == []
    load.increment("c1", "b", "n", cas=False)
    assert [a.kind for a in load.history.anomalies] == ["lost_update"]


@pytest.mark.parametrize("api", ["model", "http"])
def test_reads_and_writes_are_recorded_with_their_outcome(api: Any) -> None:
    sim = perf_set(sync="eager")
    load = Workload(sim, api=api)
    written = load.write("c1", "k", {"x": 1})
    read = load.read("c2", "c", "k")
    assert written.outcome == read.outcome == "ok" and read.write_id == written.write_id
    sim.crash("c")
    failed = load.read("c2", "c", "k")
    assert failed.outcome == "fail" and failed.error
    assert failed.complete_seq is not None and failed.invoke_seq <= failed.complete_seq


def test_a_consistent_read_waits_for_the_clients_index() -> None:
    sim = perf_set()
    load = Workload(sim)
    load.write("c1", "k")
    assert load.read("c1", "b", "k", consistent=True).error.startswith("412")
    assert load.read("c1", "b", "k").outcome == "ok"  # eventual: allowed, possibly stale
    sim.sync()
    assert load.read("c1", "b", "k", consistent=True).outcome == "ok"


def test_clients_rediscover_the_primary_and_lose_a_partitioned_cluster() -> None:
    sim = perf_set(sync="eager")
    load = Workload(sim)
    sim.crash("a")
    sim["b"].performance.promote()
    assert load.write("c1", "k").cluster == "b"
    load.unreachable.add("b")
    assert load.read("c1", "b", "k").outcome == "fail"
    assert load.write("c1", "k").outcome == "fail"  # no primary it can reach


def test_workload_refuses_an_unknown_api() -> None:
    with pytest.raises(ValueError, match="api"):
        Workload(Simulator(), api="grpc")  # type: ignore[arg-type]


# -- the machine's options ------------------------------------------------------------------------
class EveryFault(ReplicationMachine):
    replication_type = "performance"
    sync = "manual"
    faults = frozenset({"partition", "one_way_partition", "crash", "time", "stall", "corrupt",
                        "client_partition"})
    topology = layouts(("a", "b", "c", "d"), both=True)
    clusters = ("a", "b", "c", "d")
    requirements: ClassVar[tuple[Requirement, ...]] = (Availability(within=10**9),)


def test_every_fault_and_a_drawn_layout_run_without_false_alarms() -> None:
    run_state_machine_as_test(EveryFault, settings=bounded(15))


def test_the_generated_rules_follow_the_class_attributes() -> None:
    assert hasattr(EveryFault.stall, "hypothesis_stateful_rule")
    assert not hasattr(ReplicationMachine.stall, "hypothesis_stateful_rule")  # not opted in
    assert hasattr(EveryFault.set_up_topology, "hypothesis_stateful_initialize_rule")

    class Mine(ReplicationMachine):
        @rule()
        def crash(self) -> None:  # the user's own rule of that name is kept
            self.sim.crash("b")

    assert Mine.crash.__qualname__.endswith("Mine.crash")


def test_each_machine_gets_its_own_requirements() -> None:
    first, second = EagerWatchdog(), EagerWatchdog()
    assert first.sim.invariants.requirements[0] is not second.sim.invariants.requirements[0]


def test_bad_machine_attributes_are_refused() -> None:
    class Bad(ReplicationMachine):
        client_api = "grpc"

    with pytest.raises(InvalidArgument, match="client_api"):
        Bad()


@settings(max_examples=20, deadline=None)
@given(layouts(("a", "b", "c"), min_clusters=3, both=True))
def test_a_layout_with_both_types_protects_the_performance_primary(layout: Layout) -> None:
    kinds = [t.replication_type for t in layout.sets]
    assert kinds == ["performance", "dr"] and len(set(t.primary for t in layout.sets)) == 1


# -- correct failovers never fail; planted bugs are found -----------------------------------------
CORRECT = [PlannedFailover, Watchdog, PerformanceWatchdog, EagerWatchdog, CounterWithCas]


@pytest.mark.parametrize("machine", CORRECT, ids=lambda m: m.__name__)
@pytest.mark.parametrize("run", range(6))
def test_correct_failovers_pass_across_seeds(machine: type[ReplicationMachine],
                                             run: int) -> None:
    run_state_machine_as_test(seed(run)(type(machine.__name__, (machine,), {"seed": run})),
                              settings=bounded(8))


def test_a_correct_planned_failover_over_hvac_passes() -> None:
    run_state_machine_as_test(seed(1)(HvacPlannedFailover), settings=bounded(4, steps=15))


@pytest.mark.parametrize(("machine", "kind"), [
    (WatchdogNeverFailsOver, "unavailable"),
    (WatchdogStartsANewSet, "lost_writes"),
    (CounterWithoutCas, "lost_update"),
])
def test_planted_bugs_are_found(machine: type[ReplicationMachine], kind: str) -> None:
    with pytest.raises(AssertionError, match=kind):
        run_state_machine_as_test(seed(0)(machine), settings=bounded(100, steps=50))


def test_statistics_name_what_the_search_covered(monkeypatch: pytest.MonkeyPatch) -> None:
    import fakevault.testing.machine as machine_module

    events: list[str] = []
    monkeypatch.setattr(machine_module, "event",
                        lambda value, payload="": events.append(f"{value}={payload}"))
    run_state_machine_as_test(EagerWatchdog, settings=bounded(3, steps=10))
    assert any(e.startswith("failovers=") for e in events)
    assert any(e.startswith("live primaries at the end=") for e in events)


# -- the false alarm, step by step through the machine's own rules ----------------------
@pytest.mark.parametrize(("machine", "expected"), [(Watchdog, []),
                                                   (WatchdogWithoutFencing, ["lost_writes"])])
def test_restart_after_the_new_primary_died_is_fenced_by_promotion_order(
        machine: type[Watchdog], expected: list[str]) -> None:
    world = machine()
    world.crash(name="a")
    world.watchdog_tick()  # promotes b (it has everything) and re-points c
    assert world.live_primaries() == ["b"]
    world.client_writes(client="c1", key="k0")  # acknowledged by b
    world.crash(name="b")
    world.restart(name="a")
    assert [v.kind for v in world.sim.violations] == expected
    if not expected:
        world.no_invariant_violations()
        assert world.role("a").mode == "secondary"
