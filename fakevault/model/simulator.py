"""The world: several clusters, one clock, one seeded random source, a network, a history."""

from __future__ import annotations

import json
import math
import random
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, Literal, Self
from urllib.parse import urlsplit

from fakevault.model.clock import Clock, ManualClock, SystemClock, rfc3339
from fakevault.model.cluster import Cluster, new_unseal_key
from fakevault.model.durations import MAX_SECONDS
from fakevault.model.errors import VaultError
from fakevault.model.history import History, Operation
from fakevault.model.ids import IdSource
from fakevault.model.invariants import InvariantChecker, Violation
from fakevault.model.messages import error
from fakevault.model.replication import ReplicationRole
from fakevault.model.requirements import Requirement
from fakevault.model.storage import DEFAULT_WAL_RETENTION
from fakevault.model.streaming import advance_secondary
from fakevault.model.versions import DEFAULT_VERSION, Profile, profile

SyncMode = Literal["eager", "manual"]
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")
SNAPSHOT_FORMAT = "fakevault-snapshot"
SNAPSHOT_VERSION = 1
MAX_SYNC_PASSES = 100_000
#: The latest time a world's clock may show: any duration Vault takes (at most Go's
#: time.Duration, about 292 years) added to it still ends by 9999-12-31T23:59:59Z, the last
#: time RFC 3339 (and Python's datetime) can write. About the year 9707.
LATEST = 253402300799.0 - MAX_SECONDS


def default_addresses(index: int) -> tuple[str, str]:
    """The api_addr and cluster_addr of the ``index``-th cluster when none are given."""
    return f"http://127.0.0.1:{8200 + index}", f"https://127.0.0.1:{9200 + index}"


class Simulator:
    """Several simulated Vault Enterprise clusters and the replication between them.

    Independent of every other Simulator: same ``seed``, same cluster ids, tokens and roots.
    ``sync="eager"`` replicates after every operation; ``"manual"`` only on ``step``/``sync``.
    ``strict=True`` refuses an operation that would leave two primaries in one set.
    ``vault_version`` chooses which Vault the world answers as (:mod:`fakevault.model.versions`:
    modern Enterprise by default, ``"0.7"`` for the seed's document).
    """

    def __init__(self, seed: int = 0, clusters: Sequence[str] = ("a", "b", "c"), *,
                 sync: SyncMode = "eager", strict: bool = False, root_token: str = "root",
                 wal_retention: int = DEFAULT_WAL_RETENTION, key_shares: int = 1,
                 key_threshold: int = 1, clock: Clock | None = None,
                 addresses: Mapping[str, tuple[str, str]] | None = None,
                 vault_version: str = DEFAULT_VERSION) -> None:
        _validate_config(clusters, sync, root_token, wal_retention, key_shares, key_threshold)
        _validate_options(strict, clusters, addresses)
        self.profile: Profile = profile(vault_version)
        self.vault_version = vault_version
        self.seed = seed
        self.sync_mode: SyncMode = sync
        self.strict = strict
        self.root_token = root_token
        self.wal_retention = wal_retention
        self.key_shares = key_shares
        self.key_threshold = key_threshold
        self.rng = random.Random(seed)
        self.ids = IdSource(self.rng)
        self.clock: Clock = clock if clock is not None else ManualClock()
        #: When the world's clusters came up (``sys/leader``'s ``active_time``).
        self.started_at = self.clock.now()
        from fakevault.model.network import Network

        self.network = Network()
        self.history = History()
        self.invariants = InvariantChecker()
        #: Called as ``observer(sim, operation)`` after each operation that succeeded (and its
        #: eager sync and invariant checks); the HTML report's recorder is one. Not snapshotted.
        self.observers: list[Callable[[Simulator, Operation], None]] = []
        #: "type:cluster_id" -> operation number of the set's latest promotion (or enable).
        self.promotions: dict[str, int] = {}
        self._seq = 0
        self._depth = 0
        self.clusters: dict[str, Cluster] = {}
        for index, name in enumerate(clusters):
            api, cluster_addr = (addresses or {}).get(name, default_addresses(index))
            keys = [new_unseal_key(self.ids.raw(32)) for _ in range(key_shares)]
            self.clusters[name] = Cluster(self, name, api_addr=api, cluster_addr=cluster_addr,
                                          wal_retention=wal_retention, unseal_keys=keys,
                                          unseal_threshold=key_threshold)

    def __repr__(self) -> str:
        version = "" if self.vault_version == DEFAULT_VERSION else \
            f", vault_version={self.vault_version!r}"
        return (f"Simulator(seed={self.seed!r}, clusters={tuple(self.clusters)!r}, "
                f"sync={self.sync_mode!r}, strict={self.strict!r}{version})")

    @property
    def last_operation(self) -> int:
        """The sequence number of the latest operation (0 before any)."""
        return self._seq

    # -- lookup --------------------------------------------------------------------------
    def __getitem__(self, name: str) -> Cluster:
        try:
            return self.clusters[name]
        except KeyError:
            raise error("unknown_cluster", name=name, names=", ".join(self.clusters)) from None

    def __contains__(self, name: object) -> bool:
        return name in self.clusters

    def __iter__(self) -> Iterator[Cluster]:
        return iter(self.clusters.values())

    @property
    def names(self) -> list[str]:
        """Cluster names in creation order."""
        return list(self.clusters)

    def cluster_at(self, addr: str) -> Cluster | None:
        """The cluster whose api_addr is ``addr`` (scheme, host and port compared)."""
        wanted = _origin(addr)
        for cluster in self.clusters.values():
            if _origin(cluster.api_addr) == wanted:
                return cluster
        return None

    def set_address(self, name: str, api_addr: str, cluster_addr: str | None = None) -> None:
        """Change a cluster's addresses (a live server does this once its port is known)."""
        cluster = self[name]
        cluster.api_addr = api_addr
        if cluster_addr is not None:
            cluster.cluster_addr = cluster_addr

    def filterable_mounts(self, cluster: Cluster) -> dict[str, str] | None:
        """The mounts a performance paths filter may name on ``cluster``: mount path -> where
        its data lives in storage. None here (the pure model has no mount table: filter paths
        are raw key prefixes); ``fakevault.Simulator`` answers from the Vault mount table."""
        return None

    def unseal_keys(self, name: str) -> list[str]:
        """The unseal key shares of cluster ``name`` (a secondary's are its primary's)."""
        return list(self[name].unseal_keys)

    # -- replication topology ----------------------------------------------------------
    def primaries(self, replication_type: str, cluster_id: str) -> list[ReplicationRole]:
        """Every role that is a primary of set (``replication_type``, ``cluster_id``)."""
        return [c.role(replication_type) for c in self.clusters.values()
                if c.role(replication_type).mode == "primary"
                and c.role(replication_type).cluster_id == cluster_id]

    def primary_of(self, role: ReplicationRole) -> ReplicationRole | None:
        """The primary ``role`` follows, if it still is a primary of ``role``'s set."""
        if role.mode != "secondary" or role.primary is None or role.primary not in self.clusters:
            return None
        primary = self.clusters[role.primary].role(role.type)
        if primary.mode != "primary" or primary.cluster_id != role.cluster_id:
            return None
        return primary

    def link_up(self, role: ReplicationRole) -> bool:
        """True if secondary ``role`` is connected to its primary right now."""
        primary = self.primary_of(role)
        if primary is None:
            return False
        record = primary.known.get(role.secondary_id)
        if record is None or record.cluster != role.cluster.name:
            return False
        return self.network.reachable(role.cluster.name, primary.cluster.name)

    # -- operations ----------------------------------------------------------------------
    @contextmanager
    def operation(self, cluster: str | None, role: str | None, name: str,
                  args: dict[str, Any]) -> Iterator[None]:
        """Run one operation: history, then (eager) sync and the invariant checks."""
        if self._depth:
            yield
            return
        if cluster is not None and self[cluster].crashed:
            self._seq += 1
            down = error("cluster_down", name=cluster)
            self.history.append(Operation(self._seq, self.clock.now(), cluster, role, name,
                                          _jsonable(args), down.messages[0]))
            raise down
        self._seq += 1
        op = Operation(self._seq, self.clock.now(), cluster, role, name, _jsonable(args))
        self.invariants.begin(op)
        self._depth += 1
        try:
            yield
        except VaultError as exc:
            self.history.append(replace(op, error="; ".join(exc.messages)))
            raise
        finally:
            self._depth -= 1
        self.history.append(op)
        if self.sync_mode == "eager":
            self._drain()
        self.invariants.after_operation(self)
        for observer in self.observers:
            observer(self, op)

    def _drain(self) -> int:
        moved = 0
        for _ in range(MAX_SYNC_PASSES):
            progress = sum(advance_secondary(self, role, drain=True) for role in self._followers())
            if not progress:
                return moved
            moved += progress
        raise RuntimeError("replication did not settle; this is a fakevault bug")

    def _followers(self) -> list[ReplicationRole]:
        return [role for cluster in self.clusters.values() for role in cluster.roles
                if role.mode == "secondary"]

    def sync(self) -> int:
        """Replicate until nothing moves; returns how many steps were taken."""
        with self.operation(None, None, "sync", {}):
            moved = self._drain()
        return moved

    def step(self) -> bool:
        """One unit of replication work for every secondary (one WAL entry or one state change)."""
        with self.operation(None, None, "step", {}):
            moved = [advance_secondary(self, role, drain=False) for role in self._followers()]
        return any(moved)

    def advance(self, seconds: float) -> None:
        """Move virtual time forward: tokens expire, heartbeats age (and refresh where linked)."""
        if seconds < 0:
            raise error("bad_duration", field="seconds", value=seconds,
                        reason="must not be negative")
        if math.isnan(seconds):
            raise error("bad_duration", field="seconds", value=seconds, reason="not a number")
        if self.clock.now() + seconds > LATEST:
            raise error("bad_duration", field="seconds", value=seconds,
                        reason=f"would move the clock past {rfc3339(LATEST)}, the latest time "
                        "fakevault simulates")
        with self.operation(None, None, "advance", {"seconds": seconds}):
            self.clock.advance(seconds)
            now = self.clock.now()
            for role in self._followers():
                if self.link_up(role):
                    primary = self.primary_of(role)
                    assert primary is not None
                    role.last_heartbeat = now
                    primary.known[role.secondary_id].last_heartbeat = now

    # -- faults ---------------------------------------------------------------------------
    def partition(self, a: str, b: str, *, one_way: bool = False) -> None:
        """Cut the network between clusters ``a`` and ``b``; ``one_way``: only connections
        that ``a`` opens to ``b`` fail (a firewall rule), ``b`` still reaches ``a``."""
        self[a], self[b]
        if a == b:
            raise error("bad_key", key=a, reason="a cluster cannot be partitioned from itself")
        args: dict[str, Any] = {"a": a, "b": b}
        if one_way:
            args["one_way"] = True
        with self.operation(None, None, "partition", args):
            self.network.partition(a, b, one_way=bool(one_way))

    def heal(self, a: str | None = None, b: str | None = None) -> None:
        """Restore the link between ``a`` and ``b`` (all links when no names are given)."""
        for name in (a, b):
            if name is not None:
                self[name]
        with self.operation(None, None, "heal", {"a": a, "b": b}):
            self.network.heal(a, b)

    def crash(self, name: str) -> None:
        """Take cluster ``name`` down; its storage survives for ``restart``."""
        self[name]
        with self.operation(None, None, "crash", {"name": name}):
            self.network.crash(name)

    def restart(self, name: str, *, demote_stale_primaries: bool = False) -> None:
        """Bring a crashed cluster back up, storage and replication state as they were.

        A primary whose set has promoted another cluster since it became primary is stale: once
        up it is a split brain (or, if the newer primary is down, the one primary, missing what
        the newer one acknowledged), as in Vault. With ``demote_stale_primaries`` (always in
        strict mode) such a role is demoted as the cluster comes back, whether or not the newer
        primary is up now: the runbook's "demote the old primary before it serves".
        """
        cluster = self[name]
        fence = demote_stale_primaries or self.strict
        with self.operation(None, None, "restart",
                            {"name": name, "demote_stale_primaries": fence}):
            self.network.restart(name)
            for role in cluster.roles:
                if fence and self.is_stale_primary(role):
                    role.step_down()  # fencing is not a request: no path gating applies

    def record_promotion(self, role: ReplicationRole) -> None:
        """``role`` became a primary now (enable or promote): the newest of its set."""
        role.primary_since = self._seq
        self.promotions[f"{role.type}:{role.cluster_id}"] = self._seq

    def is_stale_primary(self, role: ReplicationRole) -> bool:
        """True if ``role`` is a primary and its set has promoted someone else since, or has
        another primary that is up now."""
        if role.mode != "primary":
            return False
        latest = self.promotions.get(f"{role.type}:{role.cluster_id}", 0)
        return latest > role.primary_since or any(
            other is not role and not other.cluster.crashed
            for other in self.primaries(role.type, role.cluster_id))

    def corrupt_merkle(self, name: str, tree: Literal["replicated", "local"] = "replicated") -> str:
        """Corrupt a page of a cluster's merkle tree; returns the page. ``reindex`` mends it."""
        cluster = self[name]
        if tree not in ("replicated", "local"):
            raise error("bad_key", key=tree, reason='tree must be "replicated" or "local"')
        with self.operation(None, None, "corrupt_merkle", {"name": name, "tree": tree}):
            page = cluster.storage.tree(tree == "local").corrupt(self.rng.getrandbits(32))
            for role in cluster.roles:
                if role.mode == "secondary" and role.state == "stream-wals":
                    role.state = "merkle-diff"
        return page

    def stall(self, name: str, replication_type: str = "performance") -> None:
        """Stop a secondary's replication, as an internal error would; ``recover`` restarts it."""
        role = self[name].role(replication_type)
        if role.mode != "secondary":
            raise error("not_secondary", type=replication_type, mode=role.mode)
        with self.operation(None, None, "stall", {"name": name, "type": replication_type}):
            role.stalled = True

    # -- invariants ---------------------------------------------------------------------------
    @property
    def violations(self) -> list[Violation]:
        """Every invariant violation on record, oldest first."""
        return list(self.invariants.violations)

    def require(self, *requirements: Requirement) -> None:
        """Opt into more invariants (``fakevault.model.requirements``): availability,
        membership, redundancy, lost writes across sets. Judged after every operation."""
        for requirement in requirements:
            if not isinstance(requirement, Requirement):
                raise TypeError(f"{requirement!r} is not a fakevault Requirement (use "
                                "Availability, Membership, Redundancy or LostWritesAcrossSets)")
        self.invariants.requirements.extend(requirements)

    def check(self) -> list[Violation]:
        """Run every invariant over the whole world now; returns all violations on record."""
        return self.invariants.check(self)

    # -- snapshot -------------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        """The whole world as plain JSON-able data; ``Simulator.restore`` rebuilds it exactly."""
        return {
            "format": SNAPSHOT_FORMAT,
            "version": SNAPSHOT_VERSION,
            "config": {
                "seed": self.seed, "clusters": self.names, "sync": self.sync_mode,
                "strict": self.strict, "root_token": self.root_token,
                "wal_retention": self.wal_retention, "key_shares": self.key_shares,
                "key_threshold": self.key_threshold, "vault_version": self.vault_version,
                "started_at": self.started_at,
            },
            "clock": _clock_json(self.clock),
            "rng": _rng_json(self.rng),
            "seq": self._seq,
            "network": self.network.to_json(),
            "clusters": {name: c.to_json() for name, c in self.clusters.items()},
            "history": self.history.to_json(),
            "invariants": self.invariants.to_json(),
            "promotions": dict(self.promotions),
        }

    @classmethod
    def restore(cls, data: Mapping[str, Any]) -> Self:
        """Rebuild a world from ``snapshot`` output (as this class: subclasses stay themselves)."""
        from fakevault.model.snapshot import restore_simulator

        restored = restore_simulator(cls, data)
        assert isinstance(restored, cls)
        return restored


def _validate_config(clusters: Sequence[str], sync: str, root_token: str, wal_retention: int,
                     key_shares: int, key_threshold: int) -> None:
    if isinstance(clusters, str) or not clusters:
        raise ValueError("clusters must be a non-empty sequence of names, e.g. ('a', 'b')")
    for name in clusters:
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise ValueError(
                f"invalid cluster name {name!r}: use lowercase letters, digits, - or _")
    if len(set(clusters)) != len(clusters):
        raise ValueError(f"cluster names must be unique: {list(clusters)!r}")
    if sync not in ("eager", "manual"):
        raise ValueError(f"sync must be 'eager' or 'manual', not {sync!r}")
    if not isinstance(root_token, str) or not root_token:
        raise ValueError("root_token must be a non-empty string")
    if root_token != root_token.strip() or not root_token.isprintable() or \
            not root_token.isascii():
        raise ValueError("root_token must be printable ASCII without surrounding spaces (it "
                         "travels in an HTTP header)")
    if not _is_int(wal_retention) or wal_retention < 1:
        raise ValueError("wal_retention must be a positive number of entries")
    if not (_is_int(key_shares) and _is_int(key_threshold)):
        raise ValueError("key_shares and key_threshold must be integers")
    if not 1 <= key_threshold <= key_shares:
        raise ValueError("need 1 <= key_threshold <= key_shares")


def _validate_options(strict: bool, clusters: Sequence[str],
                      addresses: Mapping[str, tuple[str, str]] | None) -> None:
    if not isinstance(strict, bool):
        raise ValueError(f"strict must be True or False, not {strict!r}")
    unknown = sorted(set(addresses or {}) - set(clusters))
    if unknown:
        raise ValueError(f"addresses names unknown clusters: {unknown!r}")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _origin(addr: str) -> tuple[str, str, int | None]:
    parts = urlsplit(addr.strip())
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    try:
        port = parts.port or default
    except ValueError:
        port = None
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


def _jsonable(args: dict[str, Any]) -> dict[str, Any]:
    """Arguments as history keeps them: copies (a caller's list may change later), or reprs."""
    kept: dict[str, Any] = {}
    for key, value in args.items():
        if isinstance(value, list | dict):
            try:
                value = json.loads(json.dumps(value))
            except (TypeError, ValueError):
                value = repr(value)
        elif not isinstance(value, str | int | float | bool | type(None)):
            value = repr(value)
        kept[key] = value
    return kept


def _clock_json(clock: Clock) -> dict[str, Any]:
    if isinstance(clock, ManualClock):
        return {"kind": "manual", "now": clock.now()}
    if isinstance(clock, SystemClock):
        return {"kind": "system", "offset": clock.offset}
    return {"kind": "manual", "now": clock.now()}


def _rng_json(rng: random.Random) -> list[Any]:
    version, internal, gauss = rng.getstate()
    return [version, list(internal), gauss]
