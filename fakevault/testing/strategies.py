"""Hypothesis strategies for replication tests: topologies, ids, durations, faults, writes."""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fakevault.optional import missing

try:
    from hypothesis import strategies as st
except ModuleNotFoundError as exc:
    raise missing(exc, "pytest") from None

_NAME_ALPHABET = string.ascii_lowercase + string.digits
_ID_ALPHABET = string.ascii_letters + string.digits + "-_."
UNITS = ("s", "m", "h")


@dataclass(frozen=True)
class Topology:
    """Who replicates from whom: one primary and its secondaries, of one replication type."""

    replication_type: str
    primary: str
    secondaries: tuple[str, ...]

    @property
    def clusters(self) -> tuple[str, ...]:
        """Every cluster of the topology, primary first."""
        return (self.primary, *self.secondaries)


@dataclass(frozen=True)
class Fault:
    """One fault to inject: ``kind`` is partition, heal, crash, restart, advance, stall."""

    kind: str
    args: tuple[Any, ...] = ()


def cluster_names(min_size: int = 2, max_size: int = 4) -> st.SearchStrategy[tuple[str, ...]]:
    """Unique valid cluster names (lowercase letters, digits, - and _)."""
    if not 1 <= min_size <= max_size:
        raise ValueError(f"need 1 <= min_size <= max_size, got {min_size}, {max_size}")
    name = st.text(_NAME_ALPHABET, min_size=1, max_size=8).filter(lambda n: n[0] != "-")
    return st.lists(name, min_size=min_size, max_size=max_size, unique=True).map(tuple)


def topologies(clusters: Sequence[str] = ("a", "b", "c"),
               replication_types: Sequence[str] = ("performance", "dr")
               ) -> st.SearchStrategy[Topology]:
    """A primary among ``clusters`` and a non-empty subset of the rest as its secondaries."""
    if len(clusters) < 2:
        raise ValueError("a topology needs at least two clusters")
    names = list(clusters)

    def build(rtype: str, primary: str, picks: list[bool]) -> Topology:
        others = [n for n in names if n != primary]
        chosen = tuple(n for n, keep in zip(others, picks, strict=False) if keep) or (others[0],)
        return Topology(rtype, primary, chosen)

    return st.builds(build, st.sampled_from(list(replication_types)), st.sampled_from(names),
                     st.lists(st.booleans(), min_size=len(names) - 1, max_size=len(names) - 1))


def secondary_ids() -> st.SearchStrategy[str]:
    """Opaque secondary ids like ``us-east-1``."""
    return st.text(_ID_ALPHABET, min_size=1, max_size=16)


def durations() -> st.SearchStrategy[str | int]:
    """Valid Vault durations: seconds as int or text, Go-style ``1h30m``, and days ``2d``."""
    go_style = st.lists(st.tuples(st.integers(1, 90), st.sampled_from(UNITS)), min_size=1,
                        max_size=3).map(lambda parts: "".join(f"{n}{u}" for n, u in parts))
    return st.one_of(st.integers(1, 10 * 86400), st.integers(1, 86400).map(str), go_style,
                     st.integers(1, 30).map(lambda d: f"{d}d"))


def invalid_durations() -> st.SearchStrategy[Any]:
    """Values Vault refuses as a duration."""
    return st.one_of(
        st.sampled_from(["soon", "1x", "m5", "--1m", "1h-", "5 minutes", "∞", "1.2.3s"]),
        st.integers(-10**6, -1), st.integers(-10**6, -1).map(lambda n: f"{n}s"),
        st.booleans(), st.lists(st.integers(), max_size=2), st.dictionaries(st.text(),
                                                                           st.integers()))


def kv_writes(prefix: str = "secret/data/") -> st.SearchStrategy[tuple[str, dict[str, Any]]]:
    """(path, value) pairs for ``Cluster.write``: a few keys, JSON values."""
    path = st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=6)
    leaf = st.one_of(st.text(max_size=12), st.integers(-1000, 1000), st.booleans())
    value = st.dictionaries(st.text(string.ascii_lowercase, min_size=1, max_size=6), leaf,
                            max_size=3)
    return st.tuples(path.map(lambda p: prefix + p), value)


def fault_schedules(clusters: Sequence[str] = ("a", "b", "c"),
                    max_size: int = 8) -> st.SearchStrategy[list[Fault]]:
    """Sequences of faults over ``clusters``, for replaying against a world."""
    names = list(clusters)
    pair = st.lists(st.sampled_from(names), min_size=2, max_size=2, unique=True).map(tuple)
    one = st.sampled_from(names).map(lambda n: (n,))
    fault = st.one_of(
        pair.map(lambda p: Fault("partition", p)),
        pair.map(lambda p: Fault("heal", p)),
        one.map(lambda n: Fault("crash", n)),
        one.map(lambda n: Fault("restart", n)),
        st.integers(1, 3600).map(lambda s: Fault("advance", (s,))),
    )
    return st.lists(fault, max_size=max_size)


def apply_fault(sim: Any, fault: Fault) -> None:
    """Inject ``fault`` into ``sim`` (a Simulator)."""
    if fault.kind not in ("partition", "heal", "crash", "restart", "advance"):
        raise ValueError(f"unknown fault kind {fault.kind!r}")
    getattr(sim, fault.kind)(*fault.args)


@dataclass(frozen=True)
class Layout:
    """Replication sets to build at the start: a performance set, a DR set, or both at once
    (the DR set then protects the performance primary, as a production deployment does)."""

    sets: tuple[Topology, ...]

    @property
    def clusters(self) -> tuple[str, ...]:
        """Every cluster in some set, in order of appearance."""
        seen: dict[str, None] = {}
        for topology in self.sets:
            seen.update(dict.fromkeys(topology.clusters))
        return tuple(seen)


def layouts(clusters: Sequence[str] = ("a", "b", "c", "d", "e"), min_clusters: int = 2,
            both: bool | None = None) -> st.SearchStrategy[Layout]:
    """Layouts of ``min_clusters`` to ``len(clusters)`` clusters: a performance primary with
    performance secondaries and/or DR secondaries (``both``: True always both types, False one
    type, None either). The first of the drawn clusters is the primary of every set."""
    names = list(clusters)
    if not 2 <= min_clusters <= len(names):
        raise ValueError(f"need 2 <= min_clusters <= {len(names)}, got {min_clusters}")

    def build(count: int, order: list[str], split: int, kinds: str) -> Layout:
        primary, *rest = order[:count]
        if kinds != "both":
            return Layout((Topology(kinds, primary, tuple(rest)),))
        cut = max(1, min(split, len(rest) - 1)) if len(rest) > 1 else 1
        sets = [Topology("performance", primary, tuple(rest[:cut]))]
        if rest[cut:]:
            sets.append(Topology("dr", primary, tuple(rest[cut:])))
        return Layout(tuple(sets))

    kinds = {True: st.just("both"), False: st.sampled_from(["performance", "dr"]),
             None: st.sampled_from(["performance", "dr", "both"])}[both]
    return st.builds(build, st.integers(min_clusters, len(names)), st.permutations(names),
                     st.integers(1, len(names)), kinds)
