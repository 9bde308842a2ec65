"""The KV engine's records: versions, metadata, check-and-set, soft deletes, and config.

Each KV v2 secret is one storage record under its mount's ``logical/<uuid>/data/`` (metadata
and every version's data together); a KV v1 secret is its body as-is. Every change goes through
``Cluster.write``/``delete``, so it is a WAL entry, moves the merkle roots, replicates, and is
forwarded to the primary when written on a performance secondary. Reads never write. Nothing
here knows requests: :mod:`fakevault.vault.backends.kv` decodes them and shapes the answers.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fakevault.model.clock import rfc3339_nano
from fakevault.model.cluster import Cluster
from fakevault.model.errors import InvalidRequestError
from fakevault.model.messages import error
from fakevault.vault.mount_table import Mount, data_prefix

#: kv-v2's default max_versions.
DEFAULT_MAX_VERSIONS = 10
Record = dict[str, Any]
Version = dict[str, Any]
VersionChange = Callable[[Record, Version, float], None]


@dataclass
class Store:
    """One KV mount's records on one cluster (local mounts use local storage)."""

    cluster: Cluster
    mount: Mount

    def _key(self, path: str) -> str:
        return data_prefix(self.mount) + "data/" + path

    def get(self, path: str) -> Any | None:
        """The record at ``path`` on this cluster (possibly stale on a secondary), or None."""
        return self.cluster.read(self._key(path), local=self.mount.local) if path else None

    def _authority(self) -> Cluster:
        cluster, world = self.cluster, self.cluster.world
        if self.mount.local or cluster.performance.mode != "secondary":
            return cluster
        primary = world.primary_of(cluster.performance)
        if primary is None or not world.network.reachable(cluster.name, primary.cluster.name):
            return cluster  # the write itself fails the way the model says
        return primary.cluster

    def current(self, path: str) -> Any | None:
        """The record a write starts from: the primary's when the write will be forwarded."""
        if not path:
            return None
        return self._authority().read(self._key(path), local=self.mount.local)

    def put(self, path: str, value: Any) -> None:
        """Store ``value`` at ``path`` (a WAL entry; forwarded on a performance secondary)."""
        self.cluster.write(self._key(path), value, local=self.mount.local)

    def delete(self, path: str) -> None:
        """Remove ``path``."""
        self.cluster.delete(self._key(path), local=self.mount.local)

    def list(self, prefix: str) -> list[str]:
        """Vault LIST of ``prefix`` (a folder) inside the mount."""
        folder = prefix.rstrip("/") + "/" if prefix else ""
        return self.cluster.list(self._key(folder), local=self.mount.local)

    def config(self, fresh: bool = True) -> dict[str, Any]:
        """The KV v2 engine configuration: as a write sees it (``fresh``), or the local copy."""
        source = self._authority() if fresh else self.cluster
        stored = source.read(data_prefix(self.mount) + "config", local=self.mount.local)
        return stored or {"max_versions": 0, "cas_required": False, "delete_version_after": 0}

    def set_config(self, config: dict[str, Any]) -> None:
        """Replace the KV v2 engine configuration."""
        self.cluster.write(data_prefix(self.mount) + "config", config, local=self.mount.local)


def timestamp(moment: float | None) -> str:
    """Go's RFC3339Nano (trailing zeros of the fraction dropped); "" for no time."""
    return "" if moment is None else rfc3339_nano(moment)


# -- records ---------------------------------------------------------------------------------


def new_record(now: float) -> Record:
    """The metadata of a secret that has no version yet."""
    return {"created": now, "updated": now, "current_version": 0, "oldest_version": 0,
            "max_versions": 0, "cas_required": False, "delete_version_after": 0,
            "custom_metadata": None, "versions": {}}


def gone(version: Version, now: float) -> bool:
    """Destroyed, or deleted (its deletion time reached, "now" included: virtual time stands)."""
    deleted = version["deleted"]
    return bool(version["destroyed"]) or (deleted is not None and deleted <= now)


def version_meta(record: Record, number: int) -> dict[str, Any]:
    """Version ``number``'s metadata as a data read or write answers it."""
    version = record["versions"][str(number)]
    return {"created_time": timestamp(version["created"]),
            "custom_metadata": record["custom_metadata"],
            "deletion_time": timestamp(version["deleted"]),
            "destroyed": version["destroyed"], "version": number}


def deletion_time(record: Record, config: dict[str, Any], base: float) -> float | None:
    """When a version written at ``base`` is deleted by ``delete_version_after``, if ever."""
    durations = [d for d in (config["delete_version_after"], record["delete_version_after"]) if d]
    return base + min(durations) if durations else None


def add_version(record: Record, config: dict[str, Any], data: dict[str, Any],
                now: float) -> int:
    """Vault's KeyMetadata.AddVersion: a new current version, the oldest pruned past the max."""
    number = int(record["current_version"]) + 1
    record["current_version"] = number
    record["versions"][str(number)] = {"created": now, "destroyed": False, "data": data,
                                       "deleted": deletion_time(record, config, now)}
    record["updated"] = now
    limit = max(record["max_versions"], config["max_versions"], 0) or DEFAULT_MAX_VERSIONS
    if number - record["oldest_version"] >= limit:
        for old in range(record["oldest_version"], number - limit + 1):
            record["versions"].pop(str(old), None)
        record["oldest_version"] = number - limit + 1
    return number


def weak_int(value: Any) -> int | None:
    """mapstructure's weak decoding of ``value`` to an int; None if it cannot."""
    if value is None or value == "":
        return 0
    if isinstance(value, bool | int):
        return int(value)
    if isinstance(value, float):
        return int(value) if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            return int(value.strip(), 0)
        except ValueError:
            return None
    return None


def check_cas(options: dict[str, Any], config: dict[str, Any], record: Record) -> None:
    """Refuse a write whose ``options.cas`` is wrong, or missing where it is required."""
    if "cas" in options:
        cas = weak_int(options["cas"])
        if cas is None:
            raise error("kv_cas_parse")
        if cas != record["current_version"]:
            raise error("kv_cas_mismatch")
    elif config["cas_required"] or record["cas_required"]:
        raise error("kv_cas_required")


def version_numbers(raw: Any, missing: str) -> list[int]:
    """Vault's TypeCommaIntSlice: a list of integers or numeric strings, or "1,2"."""
    if raw is None or raw == "":
        items: list[Any] = []
    elif isinstance(raw, str):
        items = [part.strip() for part in raw.split(",") if part.strip()]
    else:
        items = raw if isinstance(raw, list) else [raw]
    numbers: list[int] = []
    for item in items:
        number = None if isinstance(item, bool | dict | list) else weak_int(item)
        if number is None:
            raise InvalidRequestError(
                f'invalid value for "versions": expected a list of integers, got {raw!r}')
        numbers.append(number)
    if not numbers:
        raise error(missing)
    return numbers


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch of ``patch`` onto ``target``."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for name, value in patch.items():
        if value is None:
            result.pop(name, None)
        else:
            result[name] = merge_patch(result.get(name), value)
    return result


def custom_metadata(values: dict[str, Any]) -> dict[str, str]:
    """``custom_metadata`` as string pairs (mapstructure's weak decoding), or a 400."""
    pairs: dict[str, str] = {}
    for name, value in values.items():
        if isinstance(value, dict | list):
            raise InvalidRequestError(f'invalid value for "custom_metadata.{name}": expected a '
                                      "string")
        pairs[name] = ("1" if value else "0") if isinstance(value, bool) else (
            "" if value is None else str(value))
    return pairs


# -- delete/, undelete/, destroy/ ------------------------------------------------------------


def change_versions(store: Store, key: str, numbers: list[int], now: float,
                    change: VersionChange) -> None:
    """Apply ``change`` to each live version named (Vault rewrites the record regardless)."""
    record = store.current(key)
    if record is None:
        return
    for number in numbers:
        version = record["versions"].get(str(number))
        if version is not None and not version["destroyed"]:
            change(record, version, now)
    store.put(key, record)


def soft_delete(record: Record, version: Version, now: float) -> None:
    """Mark a version deleted now (unless it already is)."""
    if not gone(version, now):
        version["deleted"] = now


def undeleter(config: dict[str, Any]) -> VersionChange:
    """Bring a version back, with a new deletion time if the settings give one."""
    def undelete(record: Record, version: Version, now: float) -> None:
        version["deleted"] = deletion_time(record, config, now)

    return undelete


def destroy(record: Record, version: Version, now: float) -> None:
    """Forget a version's data for good."""
    version["destroyed"], version["data"] = True, None
