"""Invariants a user opts into: availability, membership, redundancy, lost writes across sets.

The always-on checks (``fakevault.model.invariants``) judge safety inside one replication set.
These judge what a failover automation owes its users beyond that, so they depend on the
user's promises (how soon a set must have a primary again, how many copies it keeps) and are
added per world with ``Simulator.require(...)`` (or a machine's ``requirements``):

- ``Availability(within=S)``: a replication set with a live member has a live primary again
  within ``S`` simulated seconds of losing it (a crash, a demote, a failed promote).
- ``Membership(within=S)``: every live secondary follows a primary that is up and still the
  primary of its set, within ``S`` seconds (no secondaries left following a dead primary).
- ``Redundancy(count=N, within=S)``: every set with a live primary has at least ``N``
  caught-up secondaries (streaming, linked, no lag) within ``S`` seconds of having fewer.
- ``LostWritesAcrossSets()``: an acknowledged write is readable on whichever primary now serves
  the data that contained it, whatever its set id ("failing over" by disable + enable makes a
  new set, which the per-set check cannot follow).

Each reports through the world's ``InvariantChecker``, so violations land in ``sim.violations``
and name the operation that made them possible. ``Simulator.restore`` does not carry them:
require them again on the restored world.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fakevault.model.invariants import InvariantChecker, SetKey
    from fakevault.model.replication import ReplicationRole
    from fakevault.model.simulator import Simulator


class Requirement:
    """An opt-in invariant: told of each acknowledged write and of each finished operation."""

    kind = "requirement"

    def record_write(self, cluster: str, key: str, text: str | None, sets: list[SetKey],
                     seq: int) -> None:
        """Cluster ``cluster`` acknowledged a write in ``sets`` during operation ``seq``."""

    def after_operation(self, world: Simulator, checker: InvariantChecker) -> None:
        """Judge the world once an operation (and its eager sync) is done."""


def _grace(within: float) -> float:
    if isinstance(within, bool) or not isinstance(within, int | float) or \
            math.isnan(within) or within < 0:
        raise ValueError(f"within must be a number of seconds >= 0, not {within!r}")
    return float(within)


def _since_now(world: Simulator) -> tuple[float, int]:
    return world.clock.now(), world.history[-1].seq if len(world.history) else 0


@dataclass
class _Overdue:
    """Conditions that became true at some (time, operation), judged against a grace period."""

    within: float
    since: dict[str, tuple[float, int]] = field(default_factory=dict)

    def update(self, world: Simulator, failing: set[str]) -> list[tuple[str, float, int]]:
        """Remember when each failing key started; return the ones overdue now."""
        for key in list(self.since):
            if key not in failing:
                del self.since[key]
        for key in failing:
            self.since.setdefault(key, _since_now(world))
        now = world.clock.now()
        return [(key, now - start, seq) for key, (start, seq) in sorted(self.since.items())
                if now - start > self.within or self.within == 0]


def _live_members(world: Simulator) -> dict[SetKey, list[ReplicationRole]]:
    sets: dict[SetKey, list[ReplicationRole]] = {}
    for cluster in world:
        if cluster.crashed:
            continue
        for role in cluster.roles:
            if role.mode != "disabled":
                sets.setdefault((role.type, role.cluster_id), []).append(role)
    return sets


class Availability(Requirement):
    """Every replication set with a live member has a live primary within ``within`` seconds."""

    kind = "unavailable"

    def __init__(self, within: float = 300) -> None:
        self.within = _grace(within)
        self._overdue = _Overdue(self.within)

    def __repr__(self) -> str:
        return f"Availability(within={self.within!r})"

    def after_operation(self, world: Simulator, checker: InvariantChecker) -> None:
        headless = {f"{rtype}:{cid}" for (rtype, cid), members in _live_members(world).items()
                    if not any(role.mode == "primary" for role in members)}
        for key, age, seq in self._overdue.update(world, headless):
            rtype, _, cluster_id = key.partition(":")
            checker.report(self.kind, f"{rtype} replication set {cluster_id} has had no live "
                           f"primary for {age:g}s (allowed: {self.within:g}s)",
                           f"unavailable:{key}:{seq}", world, decided_by=seq,
                           type=rtype, cluster_id=cluster_id, seconds=age)


class Membership(Requirement):
    """Every live secondary follows a live primary of its set within ``within`` seconds."""

    kind = "orphaned_secondary"

    def __init__(self, within: float = 300) -> None:
        self.within = _grace(within)
        self._overdue = _Overdue(self.within)

    def __repr__(self) -> str:
        return f"Membership(within={self.within!r})"

    def after_operation(self, world: Simulator, checker: InvariantChecker) -> None:
        orphans: set[str] = set()
        for cluster in world:
            for role in cluster.roles:
                if cluster.crashed or role.mode != "secondary":
                    continue
                primary = world.primary_of(role)
                if primary is None or primary.cluster.crashed:
                    orphans.add(f"{cluster.name}/{role.type}")
        for key, age, seq in self._overdue.update(world, orphans):
            name, _, rtype = key.partition("/")
            role = world[name].role(rtype)
            followed = role.primary or "no primary"
            checker.report(self.kind, f"{name} has been a {rtype} secondary without a live "
                           f"primary for {age:g}s (it follows {followed}; allowed: "
                           f"{self.within:g}s)", f"orphan:{key}:{seq}", world, decided_by=seq,
                           cluster=name, type=rtype, seconds=age)


class Redundancy(Requirement):
    """Every set with a live primary has ``count`` caught-up secondaries within ``within``."""

    kind = "under_replicated"

    def __init__(self, count: int = 1, within: float = 300) -> None:
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValueError(f"count must be a positive integer, not {count!r}")
        self.count = count
        self.within = _grace(within)
        self._overdue = _Overdue(self.within)

    def __repr__(self) -> str:
        return f"Redundancy(count={self.count!r}, within={self.within!r})"

    def after_operation(self, world: Simulator, checker: InvariantChecker) -> None:
        short: dict[str, int] = {}
        for cluster in world:
            for role in cluster.roles:
                if cluster.crashed or role.mode != "primary":
                    continue
                copies = sum(_caught_up(world, other.role(role.type), role) for other in world
                             if other is not cluster and not other.crashed)
                if copies < self.count:
                    short[f"{role.type}:{role.cluster_id}:{cluster.name}"] = copies
        for key, age, seq in self._overdue.update(world, set(short)):
            rtype, cluster_id, name = key.split(":")
            checker.report(self.kind, f"{rtype} primary {name} (set {cluster_id}) has had "
                           f"fewer than {self.count} caught-up secondaries for {age:g}s "
                           f"({short[key]} now; allowed: {self.within:g}s)",
                           f"redundancy:{key}:{seq}", world, decided_by=seq,
                           type=rtype, cluster_id=cluster_id, primary=name, copies=short[key])


def _caught_up(world: Simulator, role: ReplicationRole, primary: ReplicationRole) -> bool:
    return (world.primary_of(role) is primary and role.state == "stream-wals"
            and not role.stalled and world.link_up(role) and role.lag() == 0)


@dataclass
class _Ack:
    seq: int
    text: str | None
    cluster: str
    sets: frozenset[SetKey]


class LostWritesAcrossSets(Requirement):
    """An acknowledged write survives on whichever primary now serves its data, in any set.

    The data a cluster holds has a lineage: its own at first, its primary's once enabling a
    secondary wiped it and copied the primary's. A cluster that is up, a primary of some set
    and a secondary of none serves its lineage's data; when it starts to, it must hold every
    write acknowledged in that lineage. (Inside one set the always-on ``lost_writes`` check
    already says so; this one reports only writes acknowledged in other sets.)
    """

    kind = "lost_writes"

    def __init__(self) -> None:
        self._lineage: dict[str, str] = {}
        self._acked: dict[str, dict[str, _Ack]] = {}
        self._serving: dict[str, frozenset[str]] = {}

    def __repr__(self) -> str:
        return "LostWritesAcrossSets()"

    def lineage(self, name: str) -> str:
        """The lineage of the data cluster ``name`` holds."""
        return self._lineage.get(name, name)

    def record_write(self, cluster: str, key: str, text: str | None, sets: list[SetKey],
                     seq: int) -> None:
        ack = _Ack(seq, text, cluster, frozenset(sets))
        self._acked.setdefault(self.lineage(cluster), {})[key] = ack

    def after_operation(self, world: Simulator, checker: InvariantChecker) -> None:
        last = world.history[-1]
        if last.name == "enable_secondary" and last.cluster and last.role:
            followed = world[last.cluster].role(last.role).primary
            if followed is not None:
                self._lineage[last.cluster] = self.lineage(followed)
        serving = self._serving_now(world)
        for lineage, names in serving.items():
            for name in sorted(names - self._serving.get(lineage, frozenset())):
                self._judge(world, checker, lineage, name)
        self._serving = serving

    def _serving_now(self, world: Simulator) -> dict[str, frozenset[str]]:
        found: dict[str, set[str]] = {}
        for cluster in world:
            modes = {role.mode for role in cluster.roles}
            if not cluster.crashed and "primary" in modes and "secondary" not in modes:
                found.setdefault(self.lineage(cluster.name), set()).add(cluster.name)
        return {lineage: frozenset(names) for lineage, names in found.items()}

    def _judge(self, world: Simulator, checker: InvariantChecker, lineage: str,
               name: str) -> None:
        cluster = world[name]
        mine = {(role.type, role.cluster_id) for role in cluster.roles if role.mode == "primary"}
        acked = self._acked.get(lineage, {})
        lost = sorted(key for key, ack in acked.items()
                      if not ack.sets & mine and cluster.storage.text(key) != ack.text)
        if not lost:
            return
        decided = max(role.primary_since for role in cluster.roles if role.mode == "primary")
        shown = ", ".join(lost[:20]) + (" ..." if len(lost) > 20 else "")
        checker.report(self.kind, f"{len(lost)} acknowledged write(s) missing from {name}, "
                       f"which now serves their data in another replication set: {shown}",
                       f"lost-across:{lineage}:{name}:{lost[0]}:{acked[lost[0]].seq}", world,
                       decided_by=decided, primary=name, keys=lost,
                       acknowledged_by=sorted({acked[k].cluster for k in lost}))
