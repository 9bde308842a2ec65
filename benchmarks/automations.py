"""Failover automations with planted bugs, each with a fixed twin, as ReplicationMachines.

Every class of bug the machine should find is here once: planned and unplanned failovers, DR
and performance, through the model API and through in-process hvac. ``CATALOGUE`` pairs each
buggy machine with its fixed twin; ``python -m benchmarks.catalogue`` measures how fast the
machine finds each bug and that it never blames a twin. The fixed twins are also the
"correct failovers" the test suite runs across many seeds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import hvac.exceptions
from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from fakevault.model.errors import VaultError
from fakevault.model.requirements import (
    Availability,
    LostWritesAcrossSets,
    Membership,
    Requirement,
)
from fakevault.model.simulator import Simulator
from fakevault.testing.machine import ReplicationMachine

MAX_CATCH_UP_STEPS = 50
ALLOWANCE = 1800  # seconds a set may be without a primary, or a secondary without one
REPAIR = 900  # seconds until operations restart a crashed cluster


# -- building blocks -----------------------------------------------------------------------------
def members(sim: Simulator, rtype: str) -> list[str]:
    """Live clusters with a role of ``rtype`` enabled."""
    return [c.name for c in sim if not c.crashed and c.role(rtype).mode != "disabled"]


def live_primaries(sim: Simulator, rtype: str) -> list[str]:
    """Live clusters that are primaries of ``rtype``."""
    return [n for n in members(sim, rtype) if sim[n].role(rtype).mode == "primary"]


def repoint(sim: Simulator, rtype: str, primary: str) -> None:
    """Make every live secondary that does not follow ``primary`` follow it."""
    leader = sim[primary].role(rtype)
    for name in members(sim, rtype):
        role = sim[name].role(rtype)
        if name == primary or role.mode != "secondary" or sim.primary_of(role) is leader:
            continue
        try:
            if name in leader.known:
                leader.revoke_secondary(name)
            role.update_primary(leader.secondary_token(name).token)
        except VaultError:
            continue  # unreachable now: the next round tries again


def catch_up(sim: Simulator, role_name: str, rtype: str) -> bool:
    """Let replication run until ``role_name`` has everything; False if it cannot."""
    role = sim[role_name].role(rtype)
    for _ in range(MAX_CATCH_UP_STEPS):
        if role.lag() == 0 and sim.link_up(role):
            return True
        if not sim.link_up(role):
            return False
        sim.step()
    return role.lag() == 0


# -- unplanned: a watchdog that fails over when the primary is gone ----------------------------
class Watchdog(ReplicationMachine):
    """A correct watchdog: when no primary is up, promote a secondary that has everything the
    old primary acknowledged (or wait); then keep every live secondary following the primary."""

    sync = "manual"
    faults = frozenset({"partition", "crash", "time"})
    repair_within = REPAIR
    tick_interval = 60.0
    requirements: ClassVar[tuple[Requirement, ...]] = (
        Availability(within=ALLOWANCE), Membership(within=ALLOWANCE), LostWritesAcrossSets())

    def tick(self) -> None:
        self.watchdog_tick()

    def candidates(self) -> list[str]:
        """Live secondaries with every write of the newest primary (the one the watchdog, or
        the set's creator, made last), which they followed."""
        return [n for n in members(self.sim, self.replication_type)
                if self.role(n).mode == "secondary" and self.follows_newest(n)
                and self.role(n).state == "stream-wals" and self.role(n).lag() == 0]

    def follows_newest(self, name: str) -> bool:
        """True if ``name`` follows the primary its set promoted last."""
        primary = self.sim.primary_of(self.role(name))
        return primary is not None and not self.sim.is_stale_primary(primary)

    def take_over(self, name: str) -> None:
        """Make ``name`` the primary."""
        self.role(name).promote()

    @rule()
    def watchdog_tick(self) -> None:
        """One round of the watchdog."""
        primaries = live_primaries(self.sim, self.replication_type)
        if not primaries:
            chosen = self.candidates()
            if chosen:
                self.take_over(chosen[0])
                primaries = [chosen[0]]
        if len(primaries) == 1:
            self.maintain(primaries[0])

    def maintain(self, primary: str) -> None:
        """Keep the secondaries following ``primary``."""
        repoint(self.sim, self.replication_type, primary)


class WatchdogPromotesLagging(Watchdog):
    """Bug: promotes the first live secondary, caught up or not (force)."""

    def candidates(self) -> list[str]:
        return [n for n in members(self.sim, self.replication_type)
                if self.role(n).mode == "secondary"]

    def take_over(self, name: str) -> None:
        self.role(name).promote(force=True)


class WatchdogWithoutFencing(Watchdog):
    """Bug: the old primary is not fenced when it restarts (no demote before it serves)."""

    fence_on_restart = False


class EagerWatchdog(Watchdog):
    """The correct watchdog where secondaries keep up (eager replication, no partitions), so
    one always has everything, and operations take an hour to repair a crashed cluster: a set
    must have a primary again within five minutes."""

    sync = "eager"
    faults = frozenset({"crash", "time"})
    repair_within = 3600
    max_crashed = 1
    requirements: ClassVar[tuple[Requirement, ...]] = (
        Availability(within=300), Membership(within=300), LostWritesAcrossSets())


class WatchdogNeverFailsOver(EagerWatchdog):
    """Bug: the watchdog's health check never fires, so it never promotes anyone."""

    def candidates(self) -> list[str]:
        return []


class WatchdogForgetsFollowers(Watchdog):
    """Bug: promotes the right secondary but never re-points the others."""

    def maintain(self, primary: str) -> None:
        return None


class WatchdogStartsANewSet(Watchdog):
    """Bug: "fails over" by disable + enable_primary on the first live secondary, which makes
    a new replication set (and leaves behind what it had not received)."""

    def candidates(self) -> list[str]:
        return [n for n in members(self.sim, self.replication_type)
                if self.role(n).mode == "secondary"]

    def take_over(self, name: str) -> None:
        self.role(name).disable()
        self.role(name).enable_primary()

    def maintain(self, primary: str) -> None:
        leader = self.role(primary)
        for name in members(self.sim, self.replication_type):
            role = self.role(name)
            if role.mode == "secondary" and role.cluster_id != leader.cluster_id:
                try:
                    role.disable()
                    role.enable_secondary(leader.secondary_token(name).token)
                except VaultError:
                    continue
        repoint(self.sim, self.replication_type, primary)


class PerformanceWatchdog(Watchdog):
    """The correct watchdog, of a performance set."""

    replication_type = "performance"


class PerformanceWatchdogPromotesLagging(WatchdogPromotesLagging):
    """Bug: promotes a lagging performance secondary."""

    replication_type = "performance"


# -- planned: move the primary for maintenance ----------------------------------------------------
class PlannedFailover(ReplicationMachine):
    """A correct planned failover: pick a live linked secondary, let it catch up, demote the
    old primary, promote the new one, re-point everyone."""

    sync = "manual"
    faults = frozenset({"partition", "crash", "time"})
    repair_within = REPAIR
    requirements: ClassVar[tuple[Requirement, ...]] = (
        Availability(within=ALLOWANCE), LostWritesAcrossSets())

    def targets(self, old: str) -> list[str]:
        """Where the primary may move."""
        return self.linked_secondaries(old)

    def ready(self, old: str, new: str) -> bool:
        """True once ``new`` may take over from ``old``."""
        return catch_up(self.sim, new, self.replication_type)

    @precondition(lambda self: len(live_primaries(self.sim, self.replication_type)) == 1)
    @rule(data=st.data())
    def planned_failover(self, data: st.DataObject) -> None:
        """Move the primary to another cluster."""
        (old,) = live_primaries(self.sim, self.replication_type)
        targets = self.targets(old)
        if not targets:
            return
        new = data.draw(st.sampled_from(targets), label="new primary")
        if not self.ready(old, new):
            return
        self.role(old).demote()
        try:
            self.role(new).promote()
        except VaultError:
            return  # the operator's error, swallowed
        repoint(self.sim, self.replication_type, new)


class PlannedFailoverWithoutCatchUp(PlannedFailover):
    """Bug: demotes and promotes at once (the README's example)."""

    def ready(self, old: str, new: str) -> bool:
        return True


class PlannedFailoverToAnySecondary(PlannedFailover):
    """Bug: picks any secondary, even a crashed one; its promote fails and is swallowed, the
    old primary stays demoted: no primary at all."""

    def targets(self, old: str) -> list[str]:
        return [n for n in self.clusters if n != old and self.role(n).mode == "secondary"]

    def ready(self, old: str, new: str) -> bool:
        return self.sim[new].crashed or catch_up(self.sim, new, self.replication_type)


# -- clients: a counter incremented by read-modify-write ------------------------------------------
class CounterWithCas(ReplicationMachine):
    """Clients increment counters read from any cluster (secondaries lag), with KV v2 cas."""

    replication_type = "performance"
    sync = "manual"
    faults = frozenset({"partition", "time"})
    cas = True


class CounterWithoutCas(CounterWithCas):
    """Bug: read from a lagging performance secondary, written back without cas."""

    cas = False


# -- through hvac: a planned performance failover over the HTTP API ------------------------------
class HvacPlannedFailover(ReplicationMachine):
    """A correct planned performance failover through in-process hvac clients."""

    replication_type = "performance"
    sync = "manual"
    faults = frozenset({"partition", "time"})
    reads = False
    client_api = "http"
    requirements: ClassVar[tuple[Requirement, ...]] = (LostWritesAcrossSets(),)
    wait_for_catch_up = True

    def http(self, name: str, method: str, path: str, **body: Any) -> Any:
        """One request through hvac; the parsed JSON (None for 204)."""
        answer = self.client(name).adapter.request(method, f"/v1/{path}", json=body or None)
        return answer if isinstance(answer, dict) else None

    def caught_up(self, old: str, new: str) -> bool:
        """What an operator checks (``sys/replication/performance/status`` on both): the new
        primary streams WALs (not still resyncing after a re-point, when its last_remote_wal
        still counts the previous primary's WALs) and has reached the old one's last_wal."""
        mine = self.http(new, "get", "sys/replication/performance/status")["data"]
        theirs = self.http(old, "get", "sys/replication/performance/status")["data"]
        return bool(mine.get("state") == "stream-wals"
                    and mine.get("last_remote_wal", 0) >= theirs.get("last_wal", 0))

    @precondition(lambda self: len(live_primaries(self.sim, "performance")) == 1)
    @rule(data=st.data())
    def planned_failover(self, data: st.DataObject) -> None:
        """Move the performance primary over HTTP."""
        (old,) = live_primaries(self.sim, "performance")
        targets = self.linked_secondaries(old)
        if not targets:
            return
        new = data.draw(st.sampled_from(targets), label="new primary")
        if self.wait_for_catch_up:
            for _ in range(MAX_CATCH_UP_STEPS):
                if self.caught_up(old, new):
                    break
                self.sim.step()  # replication gets time to run
            else:
                return
        self.http(old, "post", "sys/replication/performance/primary/demote")
        self.http(new, "post", "sys/replication/performance/secondary/promote")
        for name in members(self.sim, "performance"):
            if name == new or self.role(name).mode != "secondary":
                continue
            if name in self.role(new).known:
                self.http(new, "post", "sys/replication/performance/primary/revoke-secondary",
                          id=name)
            token = self.http(new, "post", "sys/replication/performance/primary/secondary-token",
                              id=name)["wrap_info"]["token"]
            try:
                self.http(name, "post", "sys/replication/performance/secondary/update-primary",
                          token=token)
            except hvac.exceptions.VaultError:
                continue  # partitioned from the new primary: an operator retries later


class HvacPlannedFailoverWithoutCatchUp(HvacPlannedFailover):
    """Bug: the same over HTTP, without waiting for the new primary to catch up."""

    wait_for_catch_up = False


@dataclass(frozen=True)
class Entry:
    """One class of bug: the machine with it planted, and its fixed twin."""

    name: str
    buggy: type[ReplicationMachine]
    fixed: type[ReplicationMachine]
    expect: str  # the violation or anomaly kind that should name it


CATALOGUE: tuple[Entry, ...] = (
    Entry("planned DR failover without catch-up", PlannedFailoverWithoutCatchUp,
          PlannedFailover, "lost_writes"),
    Entry("planned failover to a dead secondary (no primary)", PlannedFailoverToAnySecondary,
          PlannedFailover, "unavailable"),
    Entry("unplanned DR: promotes a lagging secondary", WatchdogPromotesLagging, Watchdog,
          "lost_writes"),
    Entry("unplanned perf: promotes a lagging secondary", PerformanceWatchdogPromotesLagging,
          PerformanceWatchdog, "lost_writes"),
    Entry("unplanned DR: no fencing on restart", WatchdogWithoutFencing, Watchdog,
          "split_brain"),
    Entry("watchdog never fails over", WatchdogNeverFailsOver, EagerWatchdog, "unavailable"),
    Entry("followers of a dead primary", WatchdogForgetsFollowers, Watchdog,
          "orphaned_secondary"),
    Entry("failover by disable + enable (new set)", WatchdogStartsANewSet, Watchdog,
          "lost_writes"),
    Entry("counter read-modify-write without cas", CounterWithoutCas, CounterWithCas,
          "lost_update"),
    Entry("planned perf failover over hvac without catch-up",
          HvacPlannedFailoverWithoutCatchUp, HvacPlannedFailover, "lost_writes"),
)
