"""A Hypothesis state machine over the replication model (``fakevault.model``).

Rules call the public model API. Targets come from small pools (three clusters, two replication
types, two secondary ids, three paths), each one that fits the operation (a primary to demote,
a secondary to promote, an unredeemed token) three times likelier, so runs reach failovers
while refusals stay common. A refused call must leave the world as it was. The invariants are
computed by the machine from the clusters' state and must agree with the model's own
``InvariantChecker`` where both look at the same thing.

Only clusters that are up count as primaries (a crashed primary serves nobody; it counts again
when it restarts, which strict mode fences). ``TestStrict`` runs with ``strict=True``: never two
live primaries in one set. ``TestLoose`` runs without: two primaries are allowed, but a
split_brain violation naming the promote (or restart) behind them must be on record.

Below the machine: broken variants (a bug patched into the model, which the machine must find),
a determinism test (same seed and operations, same world), and ``test_model_bug_*``: the model
bugs the machine found, which fail until the model is fixed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

import pytest
from hypothesis import Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from fakevault.model.errors import VaultError
from fakevault.model.messages import error
from fakevault.model.replication import ReplicationRole, operation
from fakevault.model.simulator import Simulator, SyncMode
from fakevault.model.storage import LOCAL_PREFIX
from fakevault.model.tokens import ActivationToken
from fakevault.testing.assertions import world_state

T = TypeVar("T")
SetKey = tuple[str, str]  # (replication type, cluster_id): one replication set

CLUSTERS = ("a", "b", "c")
TYPES = ("performance", "dr")
SECONDARY_IDS = ("s1", "s2")
PATHS = ("secret/app", "secret/db", "kv/x")
SPLITTING_OPERATIONS = ("promote", "restart")  # the only ways a set gains a live primary
PREFERRED_WEIGHT = 3

clusters = st.sampled_from(CLUSTERS)
types = st.sampled_from(TYPES)
secondary_ids = st.sampled_from(SECONDARY_IDS)
paths = st.sampled_from(PATHS)
values = st.none() | st.integers(0, 3)  # None deletes
ttls = st.sampled_from(["30m", 60])
seconds = st.sampled_from([1, 30, 120, 3600])
Topology = tuple[str, list[str]]  # a starting replication set: its primary and secondaries
topologies: st.SearchStrategy[Topology] = clusters.flatmap(
    lambda primary: st.tuples(st.just(primary),
                              st.lists(st.sampled_from([c for c in CLUSTERS if c != primary]),
                                       min_size=1, max_size=2, unique=True)))


@dataclass(frozen=True)
class IssuedToken:
    """An activation token the machine holds, with what it was issued for."""

    type: str
    token: str
    primary: str
    cluster_id: str
    secondary_id: str


@dataclass(frozen=True)
class Revocation:
    """A follower whose secondary id was revoked, and its replication position at that moment."""

    follower: str
    type: str
    primary: str
    cluster_id: str
    secondary_id: str
    last_remote_wal: int

    def still_following(self, role: ReplicationRole) -> bool:
        """True while ``role`` still believes it is the revoked secondary of the same primary."""
        return (role.mode == "secondary" and role.primary == self.primary
                and role.cluster_id == self.cluster_id and role.secondary_id == self.secondary_id)


@dataclass(frozen=True)
class AckedWrite:
    """The last write a primary of some set acknowledged for one storage key."""

    number: int
    value: int | None


#: The snapshot without the parts a refused call may change (it appends to history only).
comparable = world_state


def live_primaries(sim: Simulator) -> dict[SetKey, frozenset[str]]:
    """Every replication set with a primary that is up, and the names of those primaries."""
    found: dict[SetKey, set[str]] = {}
    for cluster in sim:
        if cluster.crashed:
            continue
        for role in (cluster.performance, cluster.dr):
            if role.mode == "primary":
                found.setdefault((role.type, role.cluster_id), set()).add(cluster.name)
    return {key: frozenset(names) for key, names in found.items()}


def following(sim: Simulator, role: ReplicationRole) -> ReplicationRole | None:
    """The primary role ``role`` follows, if that cluster still is a primary of its set."""
    if role.mode != "secondary" or role.primary is None:
        return None
    primary = sim[role.primary].role(role.type)
    same_set = primary.mode == "primary" and primary.cluster_id == role.cluster_id
    return primary if same_set else None


def acknowledging_sets(sim: Simulator, name: str, local: bool) -> list[SetKey]:
    """The replication sets whose primary acknowledged a write just made through ``name``."""
    cluster = sim[name]
    if not local and cluster.performance.mode == "secondary":
        target = following(sim, cluster.performance)
        assert target is not None, "a forwarded write succeeded without a primary"
        cluster = target.cluster
    sets: list[SetKey] = []
    if cluster.dr.mode == "primary":
        sets.append(("dr", cluster.dr.cluster_id))
    if cluster.performance.mode == "primary" and not local:
        sets.append(("performance", cluster.performance.cluster_id))
    return sets


def in_sync(sim: Simulator, role: ReplicationRole) -> ReplicationRole | None:
    """The primary of ``role`` if ``role`` is connected, streaming and has every WAL entry."""
    primary = following(sim, role)
    if primary is None or role.state != "stream-wals" or role.stalled:
        return None
    record = primary.known.get(role.secondary_id)
    if record is None or record.cluster != role.cluster.name:
        return None
    storage = primary.cluster.storage
    if role.remote_epoch != storage.epoch:  # the primary was wiped: a resync is due
        return None
    if not sim.network.reachable(role.cluster.name, primary.cluster.name):
        return None
    last = storage.last_performance_wal if role.type == "performance" else storage.last_wal
    return primary if role.last_remote_wal >= last else None


def choose(data: st.DataObject, preferred: Sequence[T], anything: Sequence[T], label: str) -> T:
    """One of ``anything``, or (``PREFERRED_WEIGHT`` times likelier) one of ``preferred``."""
    pool = [*preferred] * PREFERRED_WEIGHT + [*anything]
    return data.draw(st.sampled_from(pool), label=label)


def has_role(*modes: str) -> Callable[[ModelMachine], bool]:
    """A rule precondition: some role of some cluster is in one of ``modes``."""
    return lambda machine: any(role.mode in modes for c in machine.sim for role in c.roles)


def has_tokens(machine: ModelMachine) -> bool:
    """A rule precondition: the machine holds an activation token."""
    return bool(machine.issued)


class ModelMachine(RuleBasedStateMachine):
    """Random operations on a three-cluster world; independent checks after every step."""

    strict: ClassVar[bool] = False

    def __init__(self) -> None:
        super().__init__()
        self.sim = Simulator(seed=0, clusters=CLUSTERS, strict=self.strict)
        self.issued: list[IssuedToken] = []
        self.redeemed: set[str] = set()
        self.revocations: list[Revocation] = []
        self.acked: dict[SetKey, dict[str, AckedWrite]] = {}
        self.writes = 0
        self.groups: dict[SetKey, frozenset[str]] = {}
        self.lost_reported: set[tuple[SetKey, str, int]] = set()
        self.lost_violations_seen = 0
        self.split_violations_seen = 0
        self.wal_marks: dict[str, tuple[int, int]] = {}
        self.remote_marks: dict[str, tuple[tuple[Any, ...], int]] = {}

    @initialize(seed=st.integers(0, 2**16), sync=st.sampled_from(["eager", "manual"]),
                retention=st.sampled_from([3, 4096]), performance=topologies,
                dr=st.none() | topologies)
    def create_world(self, seed: int, sync: SyncMode, retention: int, performance: Topology,
                     dr: Topology | None) -> None:
        """A fresh world with a performance set (and maybe a DR set), so the steps begin deep.

        A DR secondary cannot be in a performance set: those joins are refused, as they should.
        """
        self.sim = Simulator(seed=seed, clusters=CLUSTERS, sync=sync,
                             strict=self.strict, wal_retention=retention)
        self.build_set("performance", *performance)
        if dr is not None:
            self.build_set("dr", *dr)

    def build_set(self, replication_type: str, primary: str, secondaries: list[str]) -> None:
        """Enable ``primary`` and join each of ``secondaries`` through the public API."""
        role = self.role(primary, replication_type)
        self.attempt(role.enable_primary)
        for number, name in enumerate(secondaries):
            issued = self.issue(role, f"s{number + 1}", "30m")
            if issued is not None:
                self.redeem(self.role(name, replication_type), issued, "enable_secondary")

    # -- helpers -----------------------------------------------------------------------------
    def attempt(self, action: Callable[[], T]) -> tuple[bool, T | None]:
        """Run ``action``; if the model refuses it, check that the world did not change."""
        before = comparable(self.sim)
        try:
            return True, action()
        except VaultError as refusal:
            assert comparable(self.sim) == before, f"refused call changed the world: {refusal!r}"
            return False, None

    def role(self, name: str, replication_type: str) -> ReplicationRole:
        return self.sim[name].role(replication_type)

    def roles(self, replication_type: str = "") -> list[ReplicationRole]:
        return [c.role(t) for c in self.sim for t in TYPES if t == (replication_type or t)]

    def draw_role(self, data: st.DataObject, *modes: str) -> ReplicationRole:
        every = self.roles()
        return choose(data, [role for role in every if role.mode in modes], every, "role")

    def issue(self, role: ReplicationRole, secondary_id: str,
              ttl: int | str) -> IssuedToken | None:
        ok, token = self.attempt(lambda: role.secondary_token(secondary_id, ttl=ttl))
        if not ok or token is None:
            return None
        self.issued.append(IssuedToken(role.type, token.token, role.cluster.name,
                                       role.cluster_id, secondary_id))
        return self.issued[-1]

    def redeem(self, role: ReplicationRole, issued: IssuedToken, how: str) -> None:
        """Use ``issued`` on ``role`` (``enable_secondary`` or ``update_primary``)."""
        ok, _ = self.attempt(lambda: getattr(role, how)(issued.token))
        if not ok:
            return
        assert issued.token not in self.redeemed, f"token for {issued.secondary_id} used twice"
        self.redeemed.add(issued.token)
        name = role.cluster.name
        self.revocations = [r for r in self.revocations
                            if not (r.follower == name and r.type == role.type)]

    def draw_token(self, data: st.DataObject) -> IssuedToken:
        """A token, likelier one not yet redeemed whose primary still leads its set."""
        def live(issued: IssuedToken) -> bool:
            primary = self.role(issued.primary, issued.type)
            return issued.token not in self.redeemed and primary.mode == "primary" \
                and primary.cluster_id == issued.cluster_id
        return choose(data, [t for t in self.issued if live(t)], self.issued, "token")

    # -- replication rules -------------------------------------------------------------------
    @rule(data=st.data())
    def enable_primary(self, data: st.DataObject) -> None:
        self.attempt(self.draw_role(data, "disabled").enable_primary)

    @precondition(has_role("primary"))
    @rule(data=st.data(), ttl=ttls)
    def issue_token(self, data: st.DataObject, ttl: int | str) -> None:
        role = self.draw_role(data, "primary")
        fresh = [i for i in SECONDARY_IDS if i not in role.known]
        self.issue(role, choose(data, fresh, SECONDARY_IDS, "id"), ttl)

    @precondition(has_tokens)
    @rule(data=st.data())
    def enable_secondary(self, data: st.DataObject) -> None:
        issued = self.draw_token(data)
        every = self.roles(issued.type)
        joinable = [r for r in every if r.mode == "disabled" and r.cluster.name != issued.primary]
        self.redeem(choose(data, joinable, every, "role"), issued, "enable_secondary")

    @precondition(has_tokens)
    @rule(data=st.data())
    def update_primary(self, data: st.DataObject) -> None:
        issued = self.draw_token(data)
        every = self.roles(issued.type)
        members = [r for r in every if r.mode == "secondary" and r.cluster_id == issued.cluster_id]
        self.redeem(choose(data, members, every, "role"), issued, "update_primary")

    @precondition(has_role("primary"))
    @rule(data=st.data())
    def demote(self, data: st.DataObject) -> None:
        self.attempt(self.draw_role(data, "primary").demote)

    @precondition(has_role("secondary"))
    @rule(data=st.data(), force=st.booleans())
    def promote(self, data: st.DataObject, force: bool) -> None:
        role = self.draw_role(data, "secondary")
        self.attempt(lambda: role.promote(force=force))

    @precondition(has_role("primary", "secondary"))
    @rule(data=st.data(), how=st.sampled_from(["disable", "disable_primary", "disable_secondary"]))
    def disable(self, data: st.DataObject, how: str) -> None:
        self.attempt(getattr(self.draw_role(data, "primary", "secondary"), how))

    @precondition(has_role("primary"))
    @rule(data=st.data())
    def revoke(self, data: st.DataObject) -> None:
        leading = [r for r in self.roles() if r.mode == "primary"
                   and any(record.cluster for record in r.known.values())]
        primary = choose(data, leading, self.roles(), "role")
        connected = [i for i, record in primary.known.items() if record.cluster is not None]
        secondary_id = choose(data, connected, [*primary.known, *SECONDARY_IDS], "id")
        followers = [Revocation(c.name, primary.type, primary.cluster.name, primary.cluster_id,
                                secondary_id, c.role(primary.type).last_remote_wal)
                     for c in self.sim]
        ok, _ = self.attempt(lambda: primary.revoke_secondary(secondary_id))
        if ok:
            self.revocations += [r for r in followers
                                 if r.still_following(self.role(r.follower, r.type))]

    @precondition(has_role("secondary"))
    @rule(data=st.data(), reindex=st.booleans())
    def recover_or_reindex(self, data: st.DataObject, reindex: bool) -> None:
        role = self.draw_role(data, "secondary")
        self.attempt(role.reindex if reindex else role.recover)

    # -- data --------------------------------------------------------------------------------
    @rule(name=clusters, path=paths, value=values, local=st.booleans())
    def write(self, name: str, path: str, value: int | None, local: bool) -> None:
        cluster = self.sim[name]
        if value is None:
            ok, _ = self.attempt(lambda: cluster.delete(path, local=local))
        else:
            ok, _ = self.attempt(lambda: cluster.write(path, value, local=local))
        if not ok:
            return
        self.writes += 1
        key = LOCAL_PREFIX + path if local else path
        for set_key in acknowledging_sets(self.sim, name, local):
            self.acked.setdefault(set_key, {})[key] = AckedWrite(self.writes, value)

    @rule(data=st.data(), path=paths, value=st.integers(0, 3))
    def write_to_a_primary(self, data: st.DataObject, path: str, value: int) -> None:
        """Writes a primary acknowledges are what lost-write checks are about: make them common."""
        self.write(self.draw_role(data, "primary").cluster.name, path, value, local=False)

    # -- world: time, network, faults --------------------------------------------------------
    # These never refuse (a refusal fails the test). Hypothesis tries rules with fewer
    # arguments first, so more often: "step" leads.
    @rule()
    def step(self) -> None:
        self.sim.step()

    @rule()
    def sync(self) -> None:
        self.sim.sync()

    @rule(pair=st.permutations(CLUSTERS).map(lambda names: (names[0], names[1])))
    def partition(self, pair: tuple[str, str]) -> None:
        self.sim.partition(*pair)

    @rule(name=st.none() | clusters)
    def heal(self, name: str | None) -> None:
        self.sim.heal(name)

    @rule(amount=seconds)
    def advance(self, amount: int) -> None:
        self.sim.advance(amount)

    @rule(data=st.data())
    def crash(self, data: st.DataObject) -> None:
        self.sim.crash(self.draw_role(data, "primary").cluster.name)

    @precondition(lambda machine: bool(machine.sim.network.crashed))
    @rule(data=st.data(), fence=st.booleans())
    def restart(self, data: st.DataObject, fence: bool) -> None:
        name = data.draw(st.sampled_from(sorted(self.sim.network.crashed)), label="crashed")
        self.attempt(lambda: self.sim.restart(name, demote_stale_primaries=fence))

    @precondition(has_role("secondary"))
    @rule(data=st.data(), corrupt=st.booleans())
    def stall_or_corrupt(self, data: st.DataObject, corrupt: bool) -> None:
        role = self.draw_role(data, "secondary")
        name = role.cluster.name
        self.attempt(lambda: self.sim.corrupt_merkle(name) if corrupt
                     else self.sim.stall(name, role.type))

    # -- invariants --------------------------------------------------------------------------
    @invariant()
    def split_brain_is_refused_or_recorded(self) -> None:
        groups = live_primaries(self.sim)
        for set_key, names in groups.items():
            if len(names) < 2:
                continue
            assert not self.strict, f"two primaries in one set despite strict: {set_key} {names}"
            assert self.split_brain_on_record(set_key, names), \
                f"no split_brain violation names a promote/restart for {set_key} {sorted(names)}"
        recorded = self.violations_of("split_brain")
        for violation in recorded[self.split_violations_seen:]:  # recorded by the last step
            set_key = (violation.details["type"], violation.details["cluster_id"])
            assert frozenset(violation.details["primaries"]) == groups.get(set_key), violation
        self.split_violations_seen = len(recorded)

    def split_brain_on_record(self, set_key: SetKey, names: frozenset[str]) -> bool:
        for violation in self.violations_of("split_brain"):
            details = violation.details
            if (details["type"], details["cluster_id"]) != set_key:
                continue
            cause = self.sim.history.find(violation.operation or -1)
            if (names <= set(details["primaries"]) and cause is not None and cause.ok
                    and cause.name in SPLITTING_OPERATIONS
                    and cause.describe() == violation.caused_by):
                return True
        return False

    @invariant()
    def wal_positions_never_go_back(self) -> None:
        for cluster in self.sim:
            mark = (cluster.storage.epoch, cluster.storage.last_wal)
            before = self.wal_marks.get(cluster.name, mark)
            assert before[0] != mark[0] or mark[1] >= before[1], f"{cluster.name} WAL went back"
            self.wal_marks[cluster.name] = mark
            for role in (cluster.performance, cluster.dr):
                self.check_remote_wal(role)

    def check_remote_wal(self, role: ReplicationRole) -> None:
        key = f"{role.cluster.name}/{role.type}"
        if role.mode != "secondary":
            self.remote_marks.pop(key, None)
            return
        if role.state != "stream-wals":  # last_remote_wal is only meaningful while streaming
            return
        identity = (role.primary, role.cluster_id, role.secondary_id, role.remote_epoch)
        before = self.remote_marks.get(key)
        if before is not None and before[0] == identity:
            assert role.last_remote_wal >= before[1], f"{key} last_remote_wal went back"
        self.remote_marks[key] = (identity, role.last_remote_wal)

    @invariant()
    def in_sync_secondaries_have_their_primarys_root(self) -> None:
        for cluster in self.sim:
            for role in (cluster.performance, cluster.dr):
                primary = in_sync(self.sim, role)
                if primary is None or cluster.storage.corrupted \
                        or primary.cluster.storage.corrupted:
                    continue
                mine = cluster.storage.merkle_root(role.type)
                theirs = primary.cluster.storage.merkle_root(role.type)
                assert mine == theirs, f"{cluster.name} {role.type} in sync but diverged"

    @invariant()
    def lost_writes_agree_with_the_checker(self) -> None:
        groups = live_primaries(self.sim)
        expected: set[tuple[SetKey, str]] = set()
        for set_key in groups.keys() | self.groups.keys():
            names = groups.get(set_key, frozenset())
            if names != self.groups.get(set_key) and len(names) == 1:
                expected |= self.newly_lost(set_key, next(iter(names)))
        self.groups = groups
        lost = self.violations_of("lost_writes")
        recorded = {((v.details["type"], v.details["cluster_id"]), key)
                    for v in lost[self.lost_violations_seen:] for key in v.details["keys"]}
        self.lost_violations_seen = len(lost)
        assert recorded == expected, f"lost writes: checker {recorded}, machine {expected}"

    def newly_lost(self, set_key: SetKey, primary: str) -> set[tuple[SetKey, str]]:
        storage = self.sim[primary].storage
        lost = set()
        for key, write in self.acked.get(set_key, {}).items():
            mark = (set_key, key, write.number)
            if storage.get(key) != write.value and mark not in self.lost_reported:
                self.lost_reported.add(mark)
                lost.add((set_key, key))
        return lost

    @invariant()
    def revoked_secondaries_receive_nothing(self) -> None:
        for revocation in self.revocations:
            role = self.role(revocation.follower, revocation.type)
            if not revocation.still_following(role):
                continue
            assert role.last_remote_wal == revocation.last_remote_wal \
                and role.state in ("idle", "merkle-diff"), \
                f"revoked {revocation.follower} {revocation.type} still receives"
        assert not self.violations_of("revoked_received")

    @invariant()
    def tokens_are_single_use(self) -> None:
        assert not self.violations_of("token_reused")

    @invariant()
    def checker_sees_no_divergence_or_wal_regression(self) -> None:
        assert not self.violations_of("diverged"), self.violations_of("diverged")
        assert not self.violations_of("wal_regressed"), self.violations_of("wal_regressed")

    def violations_of(self, kind: str) -> list[Any]:
        return [v for v in self.sim.violations if v.kind == kind]


class StrictModelMachine(ModelMachine):
    strict = True


class LooseModelMachine(ModelMachine):
    strict = False


MACHINE_SETTINGS = settings(max_examples=40, stateful_step_count=30, deadline=None)
TestStrict = StrictModelMachine.TestCase
TestStrict.settings = MACHINE_SETTINGS
TestLoose = LooseModelMachine.TestCase
TestLoose.settings = MACHINE_SETTINGS


# -- broken variants: the machine must find a bug patched into the model -------------------------
def promote_without_strict_check(self: ReplicationRole, *args: object, **kwargs: object) -> None:
    """Bug: strict mode no longer refuses a promote that leaves two primaries."""


@operation
def revoke_secondary(self: ReplicationRole, id: str) -> None:
    """Bug: the revoked id is marked (token dead) but the primary keeps streaming to it.

    Named like the method it replaces, as history records an operation by function name.
    """
    self._require("revoke_secondary")
    if id not in self.known:
        raise error("unknown_secondary_id", type=self.type, id=id)
    for token in self.tokens.values():
        if token.secondary_id == id:
            token.revoked = True
    self.world.invariants.record_revoke(self, id)


def usable_even_if_used(self: ActivationToken, now: float) -> bool:
    """Bug: an activation token can be redeemed again."""
    return not self.revoked and now < self.expires_at


BROKEN_VARIANTS = {
    "promote_ignores_strict": (ReplicationRole, "_refuse_split_brain",
                               promote_without_strict_check, "two primaries"),
    "revoke_keeps_streaming": (ReplicationRole, "revoke_secondary", revoke_secondary,
                               "still receives"),
    "token_reusable": (ActivationToken, "usable_at", usable_even_if_used, "used twice"),
}
FIND_BUG = settings(max_examples=150, stateful_step_count=25, deadline=None, derandomize=True,
                    database=None, phases=[Phase.generate], report_multiple_bugs=False)


@pytest.mark.parametrize("variant", sorted(BROKEN_VARIANTS))
def test_machine_finds_a_bug_patched_into_the_model(variant: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    owner, attribute, broken, message = BROKEN_VARIANTS[variant]
    monkeypatch.setattr(owner, attribute, broken)
    with pytest.raises(AssertionError, match=message):
        run_state_machine_as_test(StrictModelMachine, settings=FIND_BUG)


def test_the_bug_hunting_settings_pass_on_the_real_model() -> None:
    run_state_machine_as_test(StrictModelMachine, settings=FIND_BUG)
