"""``ReplicationMachine``: a Hypothesis state machine of one replication set under faults.

Subclass it and add a ``@rule`` that runs *your* automation on ``self.sim`` (or through
``self.client(name)``, an in-process hvac client). Hypothesis interleaves it with client writes,
partitions, crashes, restarts and the passage of time, and the invariant fails as soon as the
model records a violation: two primaries in the set, an acknowledged write lost, a diverged
secondary. Hypothesis then shrinks the run to the shortest sequence that does it::

    class TestMyFailover(ReplicationMachine):
        @rule()
        def failover(self):
            my_failover(self.sim, replication_type=self.replication_type)

    TestMyFailover.TestCase.settings = settings(max_examples=50, stateful_step_count=20)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from fakevault.optional import missing

try:
    from hypothesis import strategies as st
    from hypothesis.errors import InvalidArgument
    from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
except ModuleNotFoundError as exc:
    raise missing(exc, "pytest") from None
from fakevault.model.errors import VaultError
from fakevault.model.replication import REPLICATION_TYPES, ReplicationRole
from fakevault.model.versions import DEFAULT_VERSION, PROFILES
from fakevault.testing.failures import WorldViolationError, in_final_replay
from fakevault.testing.strategies import kv_writes
from fakevault.world import Simulator

if TYPE_CHECKING:
    import hvac


def _cluster(machine: Any) -> st.SearchStrategy[str]:
    return st.sampled_from(list(machine.clusters))


def _pair(machine: Any) -> st.SearchStrategy[tuple[str, str]]:
    names = list(machine.clusters)
    return st.lists(st.sampled_from(names), min_size=2, max_size=2, unique=True).map(tuple)


class ReplicationMachine(RuleBasedStateMachine):
    """One replication set (first cluster primary, the rest secondaries) under faults."""

    #: Cluster names; the first starts as the primary.
    clusters: ClassVar[tuple[str, ...]] = ("a", "b", "c")
    #: "performance" or "dr".
    replication_type: ClassVar[str] = "dr"
    #: "eager" replicates after every operation; "manual" adds step and sync rules.
    sync: ClassVar[str] = "eager"
    seed: ClassVar[int] = 0
    strict: ClassVar[bool] = False
    #: Which Vault the world answers as (``fakevault.model.versions``; "0.7" is the seed's).
    vault_version: ClassVar[str] = DEFAULT_VERSION
    #: A restarted stale primary is demoted as it comes back (the runbook's first step).
    fence_on_restart: ClassVar[bool] = True
    #: Which faults Hypothesis may inject: any of "partition", "crash", "time".
    faults: ClassVar[frozenset[str]] = frozenset({"partition", "crash", "time"})

    def __init__(self) -> None:
        super().__init__()
        self._validate()
        self.sim = Simulator(seed=self.seed, clusters=self.clusters,
                             sync="manual" if self.sync == "manual" else "eager",
                             strict=self.strict, vault_version=self.vault_version)
        if in_final_replay():  # the run Hypothesis reports: keep frames for an HTML report
            from fakevault.web.recorder import attach

            attach(self.sim)
        self._set_up()

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
        unknown = set(cls.faults) - {"partition", "crash", "time"}
        if unknown:
            raise InvalidArgument(f"faults={sorted(cls.faults)!r}: unknown {sorted(unknown)}; "
                                  "use partition, crash, time")
        if not isinstance(cls.clusters, tuple) or len(cls.clusters) < 2:
            raise InvalidArgument(f"clusters={cls.clusters!r} must be a tuple of at least two "
                                  "cluster names")

    def _set_up(self) -> None:
        primary, *secondaries = self.clusters
        self.role(primary).enable_primary()
        for name in secondaries:
            token = self.role(primary).secondary_token(name)
            self.role(name).enable_secondary(token.token)
        self.sim.sync()

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
        """An hvac client for cluster ``name``, answered in-process."""
        from fakevault.testing.clients import hvac_client

        return hvac_client(self.sim, name, token)

    # -- the environment: clients, network, machines, time ------------------------------------
    @rule(write=kv_writes())
    def client_writes(self, write: tuple[str, dict[str, Any]]) -> None:
        """A client writes to whichever cluster answers as primary."""
        for name in self.live_primaries():
            try:
                self.sim[name].write(*write)
            except VaultError:
                continue
            return

    @precondition(lambda self: "partition" in self.faults)
    @rule(pair=st.runner().flatmap(_pair))
    def partition(self, pair: tuple[str, str]) -> None:
        """The network between two clusters fails."""
        self.sim.partition(*pair)

    @precondition(lambda self: "partition" in self.faults)
    @rule(pair=st.runner().flatmap(_pair))
    def heal(self, pair: tuple[str, str]) -> None:
        """A failed link comes back."""
        self.sim.heal(*pair)

    @precondition(lambda self: "crash" in self.faults)
    @rule(name=st.runner().flatmap(_cluster))
    def crash(self, name: str) -> None:
        """A cluster goes down."""
        self.sim.crash(name)

    @precondition(lambda self: "crash" in self.faults)
    @rule(name=st.runner().flatmap(_cluster))
    def restart(self, name: str) -> None:
        """A cluster comes back (demoted first if it is a stale primary and fencing is on)."""
        self.sim.restart(name, demote_stale_primaries=self.fence_on_restart)

    @precondition(lambda self: "time" in self.faults)
    @rule(seconds=st.integers(1, 3600))
    def time_passes(self, seconds: int) -> None:
        """Time passes: tokens expire, heartbeats age."""
        self.sim.advance(seconds)

    @precondition(lambda self: self.sync == "manual")
    @rule()
    def replicate_a_little(self) -> None:
        """One unit of replication work."""
        self.sim.step()

    @precondition(lambda self: self.sync == "manual")
    @rule()
    def replicate_fully(self) -> None:
        """Replication catches up."""
        self.sim.sync()

    @invariant()
    def no_invariant_violations(self) -> None:
        """No split brain, no lost acknowledged write, no divergence, ... so far."""
        violations = self.sim.violations
        if violations:
            from fakevault.testing.assertions import violation_report

            raise WorldViolationError(violation_report(self.sim), self.sim)
