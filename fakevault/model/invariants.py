"""Safety checks over the world and its history; each violation names the operation behind it.

* ``split_brain``: two primaries up at once in one replication set (type + cluster_id).
* ``wal_regressed``: a WAL position went backwards without a wipe or a new primary.
* ``diverged``: a caught-up, connected secondary whose merkle root is not its primary's.
* ``lost_writes``: a write a primary acknowledged is missing from a later primary of its set.
* ``revoked_received``: a secondary received data after its id was revoked.
* ``token_reused``: an activation token was redeemed twice.

Only clusters that are up count as primaries: a crashed primary serves nobody, so promoting a
lagging secondary in its place loses its unreplicated writes (checked whenever a set's primaries
change and exactly one is up), and the split brain starts when the old primary restarts.

Two primaries are allowed (as in Vault): they are recorded here, not refused.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from fakevault.model.history import Operation
from fakevault.model.paths_filter import EffectiveFilter, filter_for, keys_to_sync

if TYPE_CHECKING:
    from fakevault.model.replication import ReplicationRole
    from fakevault.model.requirements import Requirement
    from fakevault.model.simulator import Simulator
    from fakevault.model.tokens import ActivationToken

SetKey = tuple[str, str]
MAX_LISTED_KEYS = 20


@dataclass(frozen=True)
class Violation:
    """One broken invariant: its kind, a readable message, and the operation that caused it."""

    kind: str
    message: str
    operation: int | None
    caused_by: str
    details: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        seen = self.details.get("seen_at")
        where = f"; seen at {seen}" if seen else ""
        return f"{self.kind}: {self.message} (caused by {self.caused_by}{where})"

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-able form."""
        return asdict(self)


@dataclass
class _Acked:
    seq: int
    text: str | None
    cluster: str


class InvariantChecker:
    """Watches operations as they happen and records violations; never refuses anything."""

    def __init__(self) -> None:
        self.violations: list[Violation] = []
        self._current: Operation | None = None
        self._acked: dict[SetKey, dict[str, _Acked]] = {}
        self._primaries: dict[SetKey, frozenset[str]] = {}  # as of the last operation
        self._reported: set[str] = set()
        self._wal_marks: dict[str, tuple[int, int]] = {}
        self._remote_marks: dict[str, tuple[str, int]] = {}
        self._revoked: set[tuple[str, str, str, str]] = set()
        self._used_tokens: set[str] = set()
        #: (set, cluster) -> (seq, filter): a filtered secondary promoted at operation seq is
        #: judged by what it should have held for the writes acknowledged before it.
        self._filtered: dict[tuple[SetKey, str], tuple[int, EffectiveFilter]] = {}
        #: Opt-in invariants (``Simulator.require``); not part of a snapshot.
        self.requirements: list[Requirement] = []

    # -- hooks the model calls while an operation runs -------------------------------
    def begin(self, operation: Operation) -> None:
        """The operation whose effects the next hooks describe."""
        self._current = operation

    def record_write(self, cluster: str, key: str, text: str | None, sets: list[SetKey]) -> None:
        """A primary acknowledged a write; ``sets`` are the replication sets it belongs to."""
        seq = self._current.seq if self._current else 0
        for set_key in sets:
            self._acked.setdefault(set_key, {})[key] = _Acked(seq, text, cluster)
        for requirement in self.requirements:
            requirement.record_write(cluster, key, text, sets, seq)

    def record_token_use(self, token: ActivationToken) -> None:
        """An activation token was redeemed."""
        if token.jti in self._used_tokens:
            self._violate("token_reused", f"activation token {token.jti} for secondary "
                          f"{token.secondary_id!r} was redeemed a second time",
                          f"token:{token.jti}")
        self._used_tokens.add(token.jti)
        self._revoked = {r for r in self._revoked
                         if not (r[0] == token.primary and r[3] == token.secondary_id)}

    def record_revoke(self, primary: ReplicationRole, secondary_id: str) -> None:
        """A primary revoked a secondary id."""
        self._revoked.add((primary.cluster.name, primary.type, primary.cluster_id, secondary_id))

    def record_apply(self, secondary: ReplicationRole, primary: ReplicationRole,
                     count: int) -> None:
        """``secondary`` applied ``count`` entries from ``primary``."""
        mark = (primary.cluster.name, primary.type, primary.cluster_id, secondary.secondary_id)
        if count and mark in self._revoked:
            self._violate(
                "revoked_received",
                f"{secondary.cluster.name} received {count} {secondary.type} entries from "
                f"{primary.cluster.name} after its id {secondary.secondary_id!r} was revoked",
                f"revoked:{mark}:{self._current.seq if self._current else 0}")

    def record_filtered_promotion(self, secondary: ReplicationRole,
                                  view: EffectiveFilter) -> None:
        """A performance secondary fed through a paths filter is being promoted."""
        seq = self._current.seq if self._current else 0
        set_key = (secondary.type, secondary.cluster_id)
        self._filtered[(set_key, secondary.cluster.name)] = (seq, view)

    # -- checks after each operation -----------------------------------------------------
    def after_operation(self, world: Simulator) -> None:
        """Check the world's state once an operation (and its eager sync) is done."""
        primaries = _primaries(world)
        self._check_split_brain(primaries)
        changed = {key for key in primaries.keys() | self._primaries.keys()
                   if primaries.get(key) != self._primaries.get(key)}
        for set_key in changed:
            self._check_lost_writes(world, set_key, primaries.get(set_key, frozenset()))
        self._primaries = primaries
        self._check_wal_monotonic(world)
        self._check_convergence(world, thorough=False)
        for requirement in self.requirements:
            requirement.after_operation(world, self)

    def check(self, world: Simulator) -> list[Violation]:
        """Run every check now, over the whole world; returns all violations on record."""
        primaries = _primaries(world)
        self._check_split_brain(primaries)
        for set_key, names in primaries.items():
            self._check_lost_writes(world, set_key, names)
        self._check_wal_monotonic(world)
        self._check_convergence(world, thorough=True)
        return list(self.violations)

    def _violate(self, kind: str, message: str, dedupe: str, **details: Any) -> None:
        if dedupe in self._reported:
            return
        self._reported.add(dedupe)
        op = self._current
        self.violations.append(Violation(kind, message, op.seq if op else None,
                                         op.describe() if op else "(initial state)", details))

    def report(self, kind: str, message: str, dedupe: str, world: Simulator,
               decided_by: int | None = None, **details: Any) -> None:
        """Record a violation once per ``dedupe`` key, blaming operation ``decided_by`` (the
        decision that made it possible) when it is known and not the running operation."""
        if dedupe in self._reported:
            return
        decision = world.history.find(decided_by) if decided_by else None
        current = self._current
        if decision is None or current is None or decision.seq == current.seq:
            self._violate(kind, message, dedupe, **details)
            return
        self._reported.add(dedupe)
        details["seen_at"] = current.describe()
        self.violations.append(Violation(kind, message, decision.seq, decision.describe(),
                                         details))

    def _check_split_brain(self, primaries: dict[SetKey, frozenset[str]]) -> None:
        for (rtype, cluster_id), names in primaries.items():
            if len(names) > 1:
                listed = ", ".join(sorted(names))
                self._violate("split_brain", f"{listed} are all {rtype} primaries of replication "
                              f"set {cluster_id}", f"split:{rtype}:{cluster_id}:{listed}",
                              type=rtype, cluster_id=cluster_id, primaries=sorted(names))

    def _check_lost_writes(self, world: Simulator, set_key: SetKey,
                           names: frozenset[str]) -> None:
        acked = self._acked.get(set_key)
        if len(names) != 1 or not acked:
            return
        (name,) = names
        storage = world[name].storage
        seq, view = self._filtered.get((set_key, name), (0, None))
        lost = sorted(key for key, write in acked.items()
                      if storage.text(key) != write.text
                      and not (view is not None and write.seq < seq and view.blocks(key)))
        fresh = [key for key in lost if f"lost:{set_key}:{key}:{acked[key].seq}"
                 not in self._reported]
        if not fresh:
            return
        for key in fresh:
            self._reported.add(f"lost:{set_key}:{key}:{acked[key].seq}")
        more = " ..." if len(fresh) > MAX_LISTED_KEYS else ""
        shown = ", ".join(fresh[:MAX_LISTED_KEYS]) + more
        # The decision: the promotion of the primary that lacks them, if it came after them.
        since = world[name].role(set_key[0]).primary_since
        decided = since if since > min(acked[k].seq for k in fresh) else None
        self.report("lost_writes", f"{len(fresh)} acknowledged write(s) missing from {name}, "
                    f"now {set_key[0]} primary of set {set_key[1]}: {shown}",
                    f"lost-batch:{set_key}:{fresh[0]}:{acked[fresh[0]].seq}", world,
                    decided_by=decided, type=set_key[0], cluster_id=set_key[1], primary=name,
                    keys=fresh, acknowledged_by=sorted({acked[k].cluster for k in fresh}))

    def _check_wal_monotonic(self, world: Simulator) -> None:
        for cluster in world.clusters.values():
            mark = (cluster.storage.epoch, cluster.storage.last_wal)
            before = self._wal_marks.get(cluster.name)
            if before and before[0] == mark[0] and mark[1] < before[1]:
                self._violate("wal_regressed", f"{cluster.name}'s last_wal went from {before[1]} "
                              f"to {mark[1]} without a wipe", f"wal:{cluster.name}:{mark}")
            self._wal_marks[cluster.name] = mark
            for role in cluster.roles:
                self._check_remote_wal(role)

    def _check_remote_wal(self, role: ReplicationRole) -> None:
        key = f"{role.cluster.name}/{role.type}"
        if role.mode != "secondary":
            self._remote_marks.pop(key, None)
            return
        identity = f"{role.primary}:{role.cluster_id}:{role.remote_epoch}:{role.secondary_id}"
        before = self._remote_marks.get(key)
        if before and before[0] == identity and role.last_remote_wal < before[1]:
            self._violate("wal_regressed", f"{key} last_remote_wal went from {before[1]} to "
                          f"{role.last_remote_wal} while following the same primary",
                          f"remote:{key}:{identity}:{role.last_remote_wal}")
        self._remote_marks[key] = (identity, role.last_remote_wal)

    def _check_convergence(self, world: Simulator, *, thorough: bool) -> None:
        for cluster in world.clusters.values():
            for role in cluster.roles:
                primary = world.primary_of(role)
                if primary is None or role.state != "stream-wals" or role.stalled:
                    continue
                if not world.link_up(role) or role.lag() > 0:
                    continue
                if cluster.storage.corrupted or primary.cluster.storage.corrupted:
                    continue
                view = filter_for(primary, role.secondary_id)
                if view is not None:
                    self._check_filtered(role, primary, view, thorough)
                    continue
                mine = cluster.storage.merkle_root(role.type)
                theirs = primary.cluster.storage.merkle_root(role.type)
                if mine != theirs:
                    self._violate("diverged", f"{cluster.name} is a caught-up {role.type} "
                                  f"secondary of {primary.cluster.name} but its merkle root "
                                  f"{mine[:10]} differs from {theirs[:10]}",
                                  f"diverged:{cluster.name}:{role.type}:{mine}:{theirs}")

    def _check_filtered(self, role: ReplicationRole, primary: ReplicationRole,
                        view: EffectiveFilter, thorough: bool) -> None:
        """A caught-up filtered secondary must hold exactly what its filter lets through.

        After each operation only the allowed keys are compared (a tree diff); a blocked key it
        holds with the primary's very value hides from a diff and needs a scan of its storage,
        which ``check()`` (run at the end of every test by the pytest plugin) adds.
        """
        mine, theirs = role.cluster.storage, primary.cluster.storage
        wrong = sorted(keys_to_sync(mine, theirs, view, scan_held=thorough))
        if wrong:
            name, shown = role.cluster.name, ", ".join(wrong[:MAX_LISTED_KEYS])
            self._violate("diverged", f"{name} is a caught-up filtered {role.type} secondary of "
                          f"{primary.cluster.name} but {len(wrong)} key(s) differ from what its "
                          f"paths filter lets through: {shown}",
                          f"diverged:{name}:{role.type}:{len(wrong)}:{wrong[0]}", keys=wrong)

    # -- snapshot ------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        """Plain JSON-able state."""
        return {
            "violations": [v.to_json() for v in self.violations],
            "acked": [[list(k), {key: [a.seq, a.text, a.cluster] for key, a in v.items()}]
                      for k, v in self._acked.items()],
            "primaries": [[list(k), sorted(v)] for k, v in self._primaries.items()],
            "reported": sorted(self._reported),
            "wal_marks": {k: list(v) for k, v in self._wal_marks.items()},
            "remote_marks": {k: list(v) for k, v in self._remote_marks.items()},
            "revoked": sorted(list(r) for r in self._revoked),
            "used_tokens": sorted(self._used_tokens),
            "filtered": [[list(set_key), name, seq, view.to_json()]
                         for (set_key, name), (seq, view) in self._filtered.items()],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> InvariantChecker:
        """Rebuild from ``to_json`` output."""
        checker = cls()
        checker.violations = [Violation(**v) for v in data["violations"]]
        checker._acked = {(k[0], k[1]): {key: _Acked(*a) for key, a in v.items()}
                          for k, v in data["acked"]}
        checker._primaries = {(k[0], k[1]): frozenset(v) for k, v in data["primaries"]}
        checker._reported = set(data["reported"])
        checker._wal_marks = {k: (v[0], v[1]) for k, v in data["wal_marks"].items()}
        checker._remote_marks = {k: (v[0], v[1]) for k, v in data["remote_marks"].items()}
        checker._revoked = {(r[0], r[1], r[2], r[3]) for r in data["revoked"]}
        checker._used_tokens = set(data["used_tokens"])
        checker._filtered = {((s[0], s[1]), name): (int(seq), EffectiveFilter.from_json(view))
                             for s, name, seq, view in data.get("filtered", [])}
        return checker


def _primaries(world: Simulator) -> dict[SetKey, frozenset[str]]:
    """The primaries of each set, counting only clusters that are up."""
    found: dict[SetKey, set[str]] = {}
    for cluster in world.clusters.values():
        if cluster.crashed:
            continue
        for role in cluster.roles:
            if role.mode == "primary":
                found.setdefault((role.type, role.cluster_id), set()).add(cluster.name)
    return {key: frozenset(names) for key, names in found.items()}
