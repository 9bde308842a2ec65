"""Performance paths filters: which mounts a performance primary sends to one secondary.

A primary keeps one :class:`PathsFilter` per secondary id (``mode`` "allow" or "deny" and the
mount ``paths``), in its replicated state beside its known secondaries. What a filter blocks is
worked out when it is used, as Vault's "dynamic filter" is, so a mount created later is covered:

* With a mount table (the Vault layer's ``fakevault.Simulator`` answers
  :meth:`Simulator.filterable_mounts` with ``{mount path: storage prefix}``), the filtered
  mounts are the denied ones, or in allow mode every replicated mount not allowed. Their data
  (under the storage prefix, and raw keys under the mount path itself) is not sent; data
  outside any mount (Vault's own ``core/`` and ``sys/`` storage) always is.
* Without one (the pure model), the paths are raw key prefixes: deny blocks the keys under them,
  allow blocks every key that is not under one of them.

Local keys are never a filter's business: performance replication does not carry them at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from fakevault.model.messages import error
from fakevault.model.storage import Storage, is_local

if TYPE_CHECKING:
    from fakevault.model.replication import ReplicationRole

FilterMode = Literal["allow", "deny"]
MODES: tuple[FilterMode, ...] = ("allow", "deny")
#: Where Vault keeps its own storage: a mount at such a path still has only its data filtered.
_VAULT_STORAGE = ("core/", "sys/", "logical/", "local/")


@dataclass(frozen=True)
class PathsFilter:
    """One secondary's filter as the operator set it."""

    mode: FilterMode
    paths: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """What ``paths-filter/:id`` reads: ``{"mode", "paths"}``."""
        return {"mode": self.mode, "paths": list(self.paths)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PathsFilter:
        """Rebuild from ``to_json`` output."""
        mode = str(data["mode"])
        if mode not in MODES:
            raise ValueError(f"bad paths filter mode {mode!r}")
        return cls("allow" if mode == "allow" else "deny", tuple(str(p) for p in data["paths"]))


@dataclass(frozen=True)
class EffectiveFilter:
    """What a filter blocks right now: keys under ``prefixes`` (``deny``), or every key not
    under them (``allow``, the pure model's raw allow filter). ``mounts`` are the filtered mount
    paths (the dynamic filter)."""

    kind: FilterMode
    prefixes: tuple[str, ...]
    mounts: tuple[str, ...]

    def blocks(self, key: str) -> bool:
        """True if ``key`` is not sent to the filtered secondary."""
        if is_local(key):
            return False
        return key.startswith(self.prefixes) != (self.kind == "allow")

    def held_by(self, storage: Storage) -> set[str]:
        """The keys of ``storage`` this filter blocks (one pass, no per-key call)."""
        prefixes, wanted = self.prefixes, self.kind == "deny"
        return {key for key, _ in storage.items()
                if key.startswith(prefixes) is wanted and not is_local(key)}

    def to_json(self) -> list[Any]:
        """Compact JSON-able form (kept by the invariant checker)."""
        return [self.kind, list(self.prefixes), list(self.mounts)]

    @classmethod
    def from_json(cls, data: list[Any]) -> EffectiveFilter:
        """Rebuild from ``to_json`` output."""
        kind, prefixes, mounts = data
        return cls("allow" if kind == "allow" else "deny", tuple(prefixes), tuple(mounts))


def normalized(primary: ReplicationRole, mode: object, paths: object) -> PathsFilter:
    """The filter ``mode`` and ``paths`` describe, or the error a bad one deserves."""
    if mode not in MODES:
        raise error("paths_filter_bad_mode", mode=mode)
    if isinstance(paths, str) or not isinstance(paths, list | tuple) \
            or not all(isinstance(path, str) for path in paths):
        raise error("paths_filter_bad_paths")
    mounts = primary.world.filterable_mounts(primary.cluster)
    cleaned: list[str] = []
    for path in paths:
        clean = path.strip().strip("/") + "/"
        if clean == "/" or (mounts is not None and clean not in mounts):
            raise error("paths_filter_not_mount", path=path)
        if clean not in cleaned:
            cleaned.append(clean)
    return PathsFilter("allow" if mode == "allow" else "deny", tuple(cleaned))


def effective(primary: ReplicationRole, paths_filter: PathsFilter) -> EffectiveFilter:
    """What ``paths_filter`` blocks on ``primary``'s current mount table."""
    mounts = primary.world.filterable_mounts(primary.cluster)
    if mounts is None:  # the pure model: paths are raw key prefixes
        return EffectiveFilter(paths_filter.mode, paths_filter.paths,
                               paths_filter.paths if paths_filter.mode == "deny" else ())
    if paths_filter.mode == "deny":
        filtered = [path for path in paths_filter.paths if path in mounts]
    else:
        filtered = [path for path in mounts if path not in paths_filter.paths]
    prefixes = tuple(prefix for path in filtered for prefix in (path, mounts[path])
                     if not prefix.startswith(_VAULT_STORAGE) or prefix == mounts[path])
    return EffectiveFilter("deny", prefixes, tuple(sorted(filtered)))


def filter_for(primary: ReplicationRole, secondary_id: str) -> EffectiveFilter | None:
    """What ``primary`` holds back from ``secondary_id`` (None: nothing, no filter)."""
    found = primary.filters.get(secondary_id) if primary.type == "performance" else None
    return None if found is None else effective(primary, found)


def source_filter(secondary: ReplicationRole) -> EffectiveFilter | None:
    """The filter ``secondary`` was fed under by the primary it follows (or followed, when that
    primary has since been demoted in the same set)."""
    name = secondary.primary
    if secondary.type != "performance" or name is None or name not in secondary.world:
        return None
    primary = secondary.world[name].performance
    if primary.cluster_id != secondary.cluster_id:
        return None
    return filter_for(primary, secondary.secondary_id)


def keys_to_sync(mine: Storage, theirs: Storage, view: EffectiveFilter | None, *,
                 scan_held: bool = True) -> set[str]:
    """Replicated keys whose value on ``mine`` is not what the filtered secondary should hold:
    allowed keys that differ from the primary's, and blocked keys it still has (those that
    differ from the primary's always; with ``scan_held``, also those equal to it, which only a
    scan of ``mine`` finds)."""
    keys = mine.replicated.diff(theirs.replicated)
    if view is None:
        return keys
    wrong = {key for key in keys if not view.blocks(key) or key in mine}
    return wrong | view.held_by(mine) if scan_held else wrong
