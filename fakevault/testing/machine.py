"""``ReplicationMachine``: a Hypothesis state machine of replication sets under faults.

Subclass it and add a ``@rule`` that runs *your* automation on ``self.sim`` (or through
``self.client(name)``, an in-process hvac client). Hypothesis interleaves it with client writes
and reads, partitions, crashes, restarts and the passage of time, and the invariants fail as soon
as the model records a violation (two primaries in a set, an acknowledged write lost, a diverged
secondary, and any ``requirements`` you opt into) or the clients' history shows an anomaly
(a stale consistent read, a lost update, a non-monotonic read). Hypothesis then shrinks the run
to the shortest sequence that does it::

    class TestMyFailover(ReplicationMachine):
        @rule()
        def failover(self):
            my_failover(self.sim, replication_type=self.replication_type)

    TestMyFailover.TestCase.settings = settings(max_examples=50, stateful_step_count=20)

The environment's rules are built per class from its attributes (cluster names, faults, sync),
so their strategies are made once, not on every draw; a rule of the same name that a subclass
defines itself is left alone.
"""

from __future__ import annotations

import contextlib
import copy
import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from fakevault.optional import missing

try:
    from hypothesis import event, target
    from hypothesis import strategies as st
    from hypothesis.errors import InvalidArgument
    from hypothesis.stateful import (
        RuleBasedStateMachine,
        initialize,
        invariant,
        precondition,
        rule,
    )
except ModuleNotFoundError as exc:
    raise missing(exc, "pytest") from None

from fakevault.model.clienthistory import ClientHistory
from fakevault.model.errors import VaultError
from fakevault.model.replication import REPLICATION_TYPES, ReplicationRole
from fakevault.model.requirements import Requirement
from fakevault.model.versions import DEFAULT_VERSION, PROFILES
from fakevault.testing.failures import WorldViolationError, in_final_replay
from fakevault.testing.strategies import Layout, Topology
from fakevault.testing.workload import Workload
from fakevault.world import Simulator

if TYPE_CHECKING:
    import hvac

FAULTS = frozenset({"partition", "one_way_partition", "crash", "time", "stall", "corrupt",
                    "client_partition"})
_GENERATED = "_fakevault_generated_rule"


class ReplicationMachine(RuleBasedStateMachine):
    """Replication sets (by default one: first cluster primary, the rest secondaries) under
    client traffic and faults."""

    #: Cluster names; the first starts as the primary.
    clusters: ClassVar[tuple[str, ...]] = ("a", "b", "c")
    #: "performance" or "dr": the set the machine builds and its helpers look at.
    replication_type: ClassVar[str] = "dr"
    #: A strategy of ``Layout`` (``fakevault.testing.strategies.layouts``) to draw the sets
    #: from instead: 2-5 clusters, performance and DR at once. None: the fixed set above.
    topology: ClassVar[st.SearchStrategy[Layout] | None] = None
    #: "eager" replicates after every operation; "manual" adds step and sync rules.
    sync: ClassVar[str] = "eager"
    seed: ClassVar[int] = 0
    strict: ClassVar[bool] = False
    #: Which Vault the world answers as (``fakevault.model.versions``; "0.7" is the seed's).
    vault_version: ClassVar[str] = DEFAULT_VERSION
    #: A restarted stale primary is demoted as it comes back (the runbook's first step).
    fence_on_restart: ClassVar[bool] = True
    #: Faults Hypothesis may inject: "partition", "crash", "time", and (opt in)
    #: "one_way_partition" (one cluster cannot connect to another), "stall", "corrupt" (a
    #: merkle page) and "client_partition" (clients lose a cluster).
    faults: ClassVar[frozenset[str]] = frozenset({"partition", "crash", "time"})
    #: Crashed clusters come back, and cut links heal, by themselves this many simulated
    #: seconds after the fault (as an operations team repairs them); None: only when
    #: Hypothesis draws ``restart`` or ``heal``.
    repair_within: ClassVar[float | None] = None
    #: At most this many clusters down at once (a fault budget); None: any number.
    max_crashed: ClassVar[int | None] = None
    #: Time passes in steps of at most this many seconds, calling ``tick()`` (your periodic
    #: automation, e.g. a watchdog) after each; None: in one step, no tick.
    tick_interval: ClassVar[float | None] = None
    #: Opt-in invariants (``fakevault.model.requirements``); each machine gets its own copy.
    requirements: ClassVar[tuple[Requirement, ...]] = ()
    #: The clients: their names, whether they read (and read-modify-write), over which API
    #: ("model" or "http": in-process hvac, KV v2), with KV v2 ``cas`` on read-modify-writes.
    client_names: ClassVar[tuple[str, ...]] = ("c1", "c2")
    reads: ClassVar[bool] = True
    client_api: ClassVar[str] = "model"
    cas: ClassVar[bool] = True
    #: The keys clients use (few, so that they meet).
    keys: ClassVar[tuple[str, ...]] = ("k0", "k1")

    def __init__(self) -> None:
        super().__init__()
        self._validate()
        self.sim = Simulator(seed=self.seed, clusters=self.clusters,
                             sync="manual" if self.sync == "manual" else "eager",
                             strict=self.strict, vault_version=self.vault_version)
        if in_final_replay():  # the run Hypothesis reports: keep frames for an HTML report
            from fakevault.web.recorder import attach

            attach(self.sim)
        self.sim.require(*(copy.deepcopy(r) for r in self.requirements))
        self.history = ClientHistory()
        self.workload = Workload(self.sim, api="http" if self.client_api == "http" else "model",
                                 history=self.history)
        self.crashed_at: dict[str, float] = {}
        self.partitioned_at: dict[tuple[str, str], float] = {}
        if self.topology is None:
            self._build(Layout((Topology(self.replication_type, self.clusters[0],
                                         self.clusters[1:]),)))

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _install_environment(cls)

    @classmethod
    def _validate(cls) -> None:
        if cls.replication_type not in REPLICATION_TYPES:
            raise InvalidArgument(f"replication_type={cls.replication_type!r} must be one of "
                                  f"{REPLICATION_TYPES}")
        if cls.sync not in ("eager", "manual"):
            raise InvalidArgument(f"sync={cls.sync!r} must be 'eager' or 'manual'")
        if cls.vault_version not in PROFILES:
            raise InvalidArgument(f"vault_version={cls.vault_version!r} must be one of "
                                  f"{', '.join(PROFILES)}")
        unknown = set(cls.faults) - FAULTS
        if unknown:
            raise InvalidArgument(f"faults={sorted(cls.faults)!r}: unknown {sorted(unknown)}; "
                                  f"use {', '.join(sorted(FAULTS))}")
        if not isinstance(cls.clusters, tuple) or len(cls.clusters) < 2:
            raise InvalidArgument(f"clusters={cls.clusters!r} must be a tuple of at least two "
                                  "cluster names")
        if cls.client_api not in ("model", "http"):
            raise InvalidArgument(f"client_api={cls.client_api!r} must be 'model' or 'http'")
        if not cls.client_names or not cls.keys:
            raise InvalidArgument("client_names and keys must not be empty")
        if not all(isinstance(r, Requirement) for r in cls.requirements):
            raise InvalidArgument(f"requirements={cls.requirements!r} must be Requirement "
                                  "objects (fakevault.model.requirements)")

    def _build(self, layout: Layout) -> None:
        for topology in layout.sets:
            primary = self.sim[topology.primary].role(topology.replication_type)
            primary.enable_primary()
            for name in topology.secondaries:
                token = primary.secondary_token(name)
                self.sim[name].role(topology.replication_type).enable_secondary(token.token)
        self.sim.sync()
        self.workload = Workload(self.sim, api=self.workload.api, history=self.history,
                                 primary=layout.sets[0].primary)

    # -- helpers for subclasses --------------------------------------------------------------
    def role(self, name: str) -> ReplicationRole:
        """Cluster ``name``'s role of this machine's replication type."""
        return self.sim[name].role(self.replication_type)

    def primaries(self) -> list[str]:
        """Clusters that are primaries of this type now (crashed ones included)."""
        return [c.name for c in self.sim if c.role(self.replication_type).mode == "primary"]

    def live_primaries(self) -> list[str]:
        """Primaries that are up."""
        return [name for name in self.primaries() if not self.sim[name].crashed]

    def linked_secondaries(self, primary: str) -> list[str]:
        """Secondaries connected to ``primary`` right now."""
        return [name for name in self.clusters if name != primary
                and self.sim.primary_of(self.role(name)) is self.role(primary)
                and self.sim.link_up(self.role(name))]

    def client(self, name: str, token: str | None = None) -> hvac.Client:
        """An hvac client for cluster ``name``, answered in-process (one per cluster, kept)."""
        if token is None:
            return self.workload.hvac(name)
        from fakevault.testing.clients import hvac_client

        return hvac_client(self.sim, name, token)

    def tick(self) -> None:
        """Your automation's periodic work, run as time passes (see ``tick_interval``)."""

    def next_repair_in(self) -> float:
        """Seconds until the next fault is due to be repaired (inf: none is)."""
        faults = [*self.crashed_at.values(), *self.partitioned_at.values()]
        if self.repair_within is None or not faults:
            return float("inf")
        return max(0.0, min(faults) + self.repair_within - self.sim.clock.now())

    def repair(self) -> None:
        """Restart clusters crashed, and heal links cut, ``repair_within`` seconds ago."""
        if self.repair_within is None:
            return
        due = self.sim.clock.now() - self.repair_within
        for pair, since in sorted(self.partitioned_at.items()):
            if since <= due:
                _heal(self, pair)
        for name, since in sorted(self.crashed_at.items()):
            if since <= due:
                del self.crashed_at[name]  # due: repaired now, or given up if refused
                with contextlib.suppress(VaultError):
                    _restart(self, name)

    # -- invariants and statistics ----------------------------------------------------------
    @invariant()
    def no_invariant_violations(self) -> None:
        """No split brain, no lost acknowledged write, no divergence, ... so far."""
        if self.sim.violations:
            raise WorldViolationError(self.report(), self.sim)

    @invariant()
    def no_client_anomalies(self) -> None:
        """The clients' history has no stale consistent read, lost update or non-monotonic
        read (judged as each operation completes)."""
        if self.history.anomalies:
            raise AssertionError(self.report())

    def report(self) -> str:
        """The violations, the client anomalies, and the operations behind them."""
        from fakevault.testing.assertions import violation_report

        text = violation_report(self.sim) if self.sim.violations else ""
        anomalies = self.history.anomalies
        if anomalies:
            text += "\n\nclient history anomalies:\n" + "\n".join(map(str, anomalies))
            text += "\nclient operations (most recent last):\n" + self.history.format()
        return text.strip()

    def teardown(self) -> None:
        """What the search covered (``--hypothesis-show-statistics``)."""
        promotions = sum(op.ok and op.name == "promote" for op in self.sim.history)
        event("failovers", f"{min(promotions, 3)}{'+' if promotions >= 3 else ''}")
        event("live primaries at the end", str(len(self.live_primaries())))
        event("client operations failed", str(sum(op.outcome == "fail"
                                                   for op in self.history) > 0))
        target(float(promotions), label="promotions")


# -- the environment's rules, built per class ------------------------------------------------
def _client_writes(self: ReplicationMachine, client: str, key: str) -> None:
    """A client writes to the cluster it believes is primary."""
    self.workload.write(client, key)


def _client_reads(self: ReplicationMachine, client: str, cluster: str, key: str,
                  consistent: bool) -> None:
    """A client reads from any cluster, asking for read-after-write consistency or not."""
    self.workload.read(client, cluster, key, consistent=consistent)


def _client_increments(self: ReplicationMachine, client: str, cluster: str, key: str) -> None:
    """A client reads a counter from any cluster and writes it back plus one."""
    self.workload.increment(client, cluster, key, cas=self.cas)


def _partition(self: ReplicationMachine, pair: tuple[str, str]) -> None:
    """The network between two clusters fails."""
    self.sim.partition(*pair)
    self.partitioned_at.setdefault((min(pair), max(pair)), self.sim.clock.now())


def _partition_one_way(self: ReplicationMachine, pair: tuple[str, str]) -> None:
    """The first cluster can no longer open connections to the second (a firewall rule)."""
    self.sim.partition(*pair, one_way=True)
    self.partitioned_at.setdefault((min(pair), max(pair)), self.sim.clock.now())


def _heal(self: ReplicationMachine, pair: tuple[str, str]) -> None:
    """A failed link comes back."""
    self.sim.heal(*pair)
    self.partitioned_at.pop((min(pair), max(pair)), None)


def _crash(self: ReplicationMachine, name: str) -> None:
    """A cluster goes down."""
    self.sim.crash(name)
    self.crashed_at.setdefault(name, self.sim.clock.now())


def _restart(self: ReplicationMachine, name: str) -> None:
    """A cluster comes back (demoted first if it is a stale primary and fencing is on)."""
    self.sim.restart(name, demote_stale_primaries=self.fence_on_restart)
    self.crashed_at.pop(name, None)


def _time_passes(self: ReplicationMachine, seconds: int) -> None:
    """Time passes: tokens expire, heartbeats age, opt-in allowances run out; the automation
    ticks and crashed clusters are repaired along the way (if the machine says so)."""
    left = float(seconds)
    while left > 0:
        chunk = min(left, self.tick_interval or left, self.next_repair_in())
        self.sim.advance(chunk)
        left -= chunk
        self.repair()
        if self.tick_interval is not None:
            self.tick()


def _stall(self: ReplicationMachine, name: str, replication_type: str) -> None:
    """A secondary's replication stops, as an internal error would (``recover`` mends it)."""
    if self.sim[name].role(replication_type).mode == "secondary":
        self.sim.stall(name, replication_type)


def _corrupt(self: ReplicationMachine, name: str) -> None:
    """A page of a cluster's merkle tree is corrupted (``reindex`` mends it)."""
    self.sim.corrupt_merkle(name)


def _client_partition(self: ReplicationMachine, name: str) -> None:
    """Clients lose their network path to one cluster (the clusters still see each other)."""
    self.workload.unreachable.add(name)


def _client_heal(self: ReplicationMachine, name: str) -> None:
    """Clients reach that cluster again."""
    self.workload.unreachable.discard(name)


def _replicate_a_little(self: ReplicationMachine) -> None:
    """One unit of replication work."""
    self.sim.step()


def _replicate_fully(self: ReplicationMachine) -> None:
    """Replication catches up."""
    self.sim.sync()


def _set_up_drawn(self: ReplicationMachine, layout: Layout) -> None:
    """Build the replication sets of a drawn layout."""
    self._build(layout)


def _install_environment(cls: type[ReplicationMachine]) -> None:
    """(Re)build the environment's rules from ``cls``'s attributes, with static strategies."""
    names = st.sampled_from(cls.clusters)
    pairs = st.sampled_from(list(itertools.permutations(cls.clusters, 2)))
    clients = st.sampled_from(cls.client_names)
    keys = st.sampled_from(cls.keys)
    faults = set(cls.faults)
    rules: dict[str, tuple[bool, Callable[..., None], dict[str, Any]]] = {
        "client_writes": (True, _client_writes, {"client": clients, "key": keys}),
        "client_reads": (cls.reads, _client_reads, {"client": clients, "cluster": names,
                                                    "key": keys, "consistent": st.booleans()}),
        "client_increments": (cls.reads, _client_increments,
                              {"client": clients, "cluster": names, "key": keys}),
        "partition": ("partition" in faults, _partition, {"pair": pairs}),
        "partition_one_way": ("one_way_partition" in faults, _partition_one_way,
                              {"pair": pairs}),
        "heal": (bool(faults & {"partition", "one_way_partition"}), _heal, {"pair": pairs}),
        "crash": ("crash" in faults, _crash, {"name": names}),
        "restart": ("crash" in faults, _restart, {"name": names}),
        "time_passes": ("time" in faults, _time_passes, {"seconds": st.integers(1, 3600)}),
        "stall": ("stall" in faults, _stall,
                  {"name": names, "replication_type": st.sampled_from(REPLICATION_TYPES)}),
        "corrupt_merkle": ("corrupt" in faults, _corrupt, {"name": names}),
        "client_partition": ("client_partition" in faults, _client_partition, {"name": names}),
        "client_heal": ("client_partition" in faults, _client_heal, {"name": names}),
        "replicate_a_little": (cls.sync == "manual", _replicate_a_little, {}),
        "replicate_fully": (cls.sync == "manual", _replicate_fully, {}),
    }
    for name, (enabled, body, arguments) in rules.items():
        if name in cls.__dict__ or not _replaceable(cls, name):
            continue  # the subclass's own rule (or method) of that name wins
        method = _named(body, name)
        make_rule: Callable[..., Callable[[Any], Any]] = rule
        made = make_rule(**arguments)(method) if enabled else method
        if enabled and name == "crash" and cls.max_crashed is not None:
            made = precondition(_within_fault_budget)(made)
        setattr(cls, name, made)
    if _replaceable(cls, "set_up_topology"):
        method = _named(_set_up_drawn, "set_up_topology")
        drawn = initialize(layout=cls.topology)(method) if cls.topology is not None else method
        cls.set_up_topology = drawn


def _within_fault_budget(self: ReplicationMachine) -> bool:
    return self.max_crashed is None or len(self.sim.network.crashed) < self.max_crashed


def _replaceable(cls: type, name: str) -> bool:
    existing = getattr(cls, name, None)
    return existing is None or getattr(existing, _GENERATED, False)


def _named(body: Callable[..., None], name: str) -> Callable[..., None]:
    def method(self: ReplicationMachine, *args: Any, **kwargs: Any) -> None:
        body(self, *args, **kwargs)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = body.__doc__
    setattr(method, _GENERATED, True)
    return method


_install_environment(ReplicationMachine)
