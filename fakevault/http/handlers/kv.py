"""The KV secrets engine, versions 1 and 2, behind the catch-all logical route.

Each KV v2 secret is one storage record under its mount's ``logical/<uuid>/data/`` (metadata
and every version's data together); a KV v1 secret is its body as-is. Every change goes through
``Cluster.write``/``delete``, so it is a WAL entry, moves the merkle roots, replicates, and is
forwarded to the primary when written on a performance secondary. Reads never write.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fakevault.http.context import Context
from fakevault.http.errors import UNSUPPORTED_OPERATION
from fakevault.http.handlers.system import Mount, data_prefix, derived_uuid, find_mount
from fakevault.http.params import Params, ignored_warning
from fakevault.http.serialize import Reply, envelope
from fakevault.model.clock import rfc3339_nano
from fakevault.model.cluster import Cluster
from fakevault.model.durations import go_duration, parse_seconds
from fakevault.model.errors import InvalidRequestError, UnsupportedOperationError
from fakevault.model.messages import WARNINGS, error

#: kv-v2's default max_versions, and the default lease TTL a dev server gives kv v1 reads.
DEFAULT_MAX_VERSIONS = 10
DEFAULT_LEASE_TTL = 32 * 24 * 3600
_DATA_PARAMS = ("data", "options", "version")
_CLI_VERB = {"update": "put", "patch": "patch", "read": "get", "list": "list",
             "delete": "delete"}
KvHandler = Callable[[Context, "Store", str], Reply]


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


# -- entry point -----------------------------------------------------------------------------------


def _resolve(ctx: Context) -> tuple[Store, str]:
    mount = find_mount(ctx.cluster, ctx.path)
    if mount is None:
        raise error("no_route", path=ctx.path)
    if not mount.kv_version:
        raise error("engine_not_simulated", type=mount.type, mount=mount.path)
    return Store(ctx.cluster, mount), ctx.path[len(mount.path):]


def logical(ctx: Context) -> Reply:
    """Any path under a mount: KV v1 or v2, by the mount's ``options.version``."""
    store, rest = _resolve(ctx)
    if store.mount.kv_version == 1:
        return _v1(ctx, store, rest)
    return _v2(ctx, store, rest)


def exists(ctx: Context) -> bool:
    """Vault's existence check: False when an update would create the secret (needs "create")."""
    mount = find_mount(ctx.cluster, ctx.path)
    if mount is None or not mount.kv_version:
        return True
    store, rest = Store(ctx.cluster, mount), ctx.path[len(mount.path):]
    if mount.kv_version == 1:
        return store.get(rest) is not None
    head, _, key = rest.partition("/")
    if head in ("data", "metadata") and key:
        return store.get(key) is not None
    return True


# -- answers ---------------------------------------------------------------------------------------


def _nil() -> Reply:
    """404 with an empty error list: Vault's answer to a read or list that found nothing."""
    return Reply(raw={"errors": []}, raw_status=404)


def _not_found(ctx: Context, data: dict[str, Any] | None, *warnings: str) -> Reply:
    """404 whose body is the whole envelope (Vault's RespondWithStatusCode)."""
    request_id = derived_uuid("kv-404", ctx.sim.seed, ctx.cluster.name, ctx.path,
                              ctx.cluster.storage.last_wal, ctx.sim.clock.now())
    body = envelope(Reply(data=data, warnings=list(warnings), mount_type="kv"), request_id)
    return Reply(raw=body, raw_status=404)


def _ok(data: dict[str, Any], warnings: list[str] | None = None) -> Reply:
    return Reply(data=data, warnings=warnings or [], mount_type="kv")


def _unsupported_operation() -> UnsupportedOperationError:
    return UnsupportedOperationError(UNSUPPORTED_OPERATION)


def timestamp(moment: float | None) -> str:
    """Go's RFC3339Nano (trailing zeros of the fraction dropped); "" for no time."""
    return "" if moment is None else rfc3339_nano(moment)


# -- KV v1 -----------------------------------------------------------------------------------------


def _v1_ttl(value: dict[str, Any]) -> int:
    raw = value.get("ttl", value.get("lease"))
    try:
        return parse_seconds(raw) if raw is not None else DEFAULT_LEASE_TTL
    except InvalidRequestError:
        return DEFAULT_LEASE_TTL


def _v1(ctx: Context, store: Store, key: str) -> Reply:
    operation = ctx.operation
    if operation == "list":
        keys = store.list(key)
        return _ok({"keys": keys}) if keys else _nil()
    if operation == "read":
        value = store.get(key)
        if value is None:
            return _nil()
        return Reply(data=value, top_level={"lease_duration": _v1_ttl(value)}, mount_type="kv")
    if operation == "delete":
        if key:
            store.delete(key)
        return Reply(empty=True)
    if operation != "update":
        raise _unsupported_operation()
    if not key:
        raise error("kv_missing_path")
    if not ctx.params.values:
        raise error("kv_missing_data_fields")
    store.put(key, ctx.params.values)
    return Reply(empty=True)


# -- KV v2: dispatch -------------------------------------------------------------------------------


def _v2(ctx: Context, store: Store, rest: str) -> Reply:
    head, slash, key = rest.partition("/")
    if not slash and rest and (ctx.operation == "list" or ctx.request.path.endswith("/")):
        slash = "/"  # Vault's HTTP layer appends "/" to every LIST path
    if head == "config" and not slash:
        return _config(ctx, store)
    operations = _V2.get(head)
    if operations is not None and not slash:
        return _not_found(ctx, None, WARNINGS["kv2_root"][0])
    if operations is None or (head == "data" and not key):
        return _not_found(ctx, None, WARNINGS["kv2_invalid_path"][0].format(
            command=_CLI_VERB.get(ctx.operation, ctx.operation)))
    handler = operations.get(ctx.operation)
    if handler is None:
        raise _unsupported_operation()
    return handler(ctx, store, key)


# -- KV v2: records --------------------------------------------------------------------------------


def _now(ctx: Context) -> float:
    return ctx.sim.clock.now()


def _new_record(now: float) -> dict[str, Any]:
    return {"created": now, "updated": now, "current_version": 0, "oldest_version": 0,
            "max_versions": 0, "cas_required": False, "delete_version_after": 0,
            "custom_metadata": None, "versions": {}}


def _gone(version: dict[str, Any], now: float) -> bool:
    """Destroyed, or deleted (its deletion time reached, "now" included: virtual time stands)."""
    deleted = version["deleted"]
    return bool(version["destroyed"]) or (deleted is not None and deleted <= now)


def _version_meta(record: dict[str, Any], number: int) -> dict[str, Any]:
    version = record["versions"][str(number)]
    return {"created_time": timestamp(version["created"]),
            "custom_metadata": record["custom_metadata"],
            "deletion_time": timestamp(version["deleted"]),
            "destroyed": version["destroyed"], "version": number}


def _deletion_time(record: dict[str, Any], config: dict[str, Any], base: float) -> float | None:
    durations = [d for d in (config["delete_version_after"], record["delete_version_after"]) if d]
    return base + min(durations) if durations else None


def _add_version(record: dict[str, Any], config: dict[str, Any], data: dict[str, Any],
                 now: float) -> int:
    """Vault's KeyMetadata.AddVersion: a new current version, the oldest pruned past the max."""
    number = int(record["current_version"]) + 1
    record["current_version"] = number
    record["versions"][str(number)] = {"created": now, "destroyed": False, "data": data,
                                       "deleted": _deletion_time(record, config, now)}
    record["updated"] = now
    limit = max(record["max_versions"], config["max_versions"]) or DEFAULT_MAX_VERSIONS
    if number - record["oldest_version"] >= limit:
        for old in range(record["oldest_version"], number - limit + 1):
            record["versions"].pop(str(old), None)
        record["oldest_version"] = number - limit + 1
    return number


def _weak_int(value: Any) -> int | None:
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


def _check_cas(params: Params, config: dict[str, Any], record: dict[str, Any]) -> None:
    options = params.mapping("options")
    if "cas" in options:
        cas = _weak_int(options["cas"])
        if cas is None:
            raise error("kv_cas_parse")
        if cas != record["current_version"]:
            raise error("kv_cas_mismatch")
    elif config["cas_required"] or record["cas_required"]:
        raise error("kv_cas_required")


def _data_param(params: Params) -> dict[str, Any]:
    if params.raw("data") is None:
        raise error("kv_no_data")
    return params.mapping("data")


def _versions_param(params: Params, missing: str) -> list[int]:
    """Vault's TypeCommaIntSlice: a list of integers or numeric strings, or "1,2"."""
    raw = params.raw("versions")
    if raw is None or raw == "":
        items: list[Any] = []
    elif isinstance(raw, str):
        items = [part.strip() for part in raw.split(",") if part.strip()]
    else:
        items = raw if isinstance(raw, list) else [raw]
    numbers: list[int] = []
    for item in items:
        number = None if isinstance(item, bool | dict | list) else _weak_int(item)
        if number is None:
            raise InvalidRequestError(
                f'invalid value for "versions": expected a list of integers, got {raw!r}')
        numbers.append(number)
    if not numbers:
        raise error(missing)
    return numbers


# -- KV v2: data/ ----------------------------------------------------------------------------------


def _read_data(ctx: Context, store: Store, key: str) -> Reply:
    record = store.get(key)
    if record is None:
        return _nil()
    wanted = ctx.params.integer("version")
    number = wanted if wanted > 0 else record["current_version"]
    version = record["versions"].get(str(number))
    if version is None:
        return _nil()
    body: dict[str, Any] = {"data": None, "metadata": _version_meta(record, number)}
    if _gone(version, _now(ctx)):
        return _not_found(ctx, body)
    body["data"] = version["data"]
    return _ok(body)


def _write_data(ctx: Context, store: Store, key: str) -> Reply:
    data = _data_param(ctx.params)
    now = _now(ctx)
    record = store.current(key) or _new_record(now)
    config = store.config()
    _check_cas(ctx.params, config, record)
    number = _add_version(record, config, data, now)
    store.put(key, record)
    ignored = ctx.params.ignored(_DATA_PARAMS)
    return _ok(_version_meta(record, number), [ignored_warning(ignored)] if ignored else None)


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


def _patch_data(ctx: Context, store: Store, key: str) -> Reply:
    patch = _data_param(ctx.params)
    record = store.current(key)
    if record is None:
        return Reply(raw_status=404)
    config = store.config()
    _check_cas(ctx.params, config, record)
    current = record["versions"].get(str(record["current_version"]))
    if current is None:
        return Reply(raw_status=404)
    now = _now(ctx)
    if _gone(current, now):
        return _not_found(ctx, _version_meta(record, record["current_version"]))
    number = _add_version(record, config, merge_patch(current["data"], patch), now)
    store.put(key, record)
    ignored = ctx.params.ignored(_DATA_PARAMS)
    return _ok(_version_meta(record, number), [ignored_warning(ignored)] if ignored else None)


def _delete_latest(ctx: Context, store: Store, key: str) -> Reply:
    record = store.current(key)
    latest = record["versions"].get(str(record["current_version"])) if record else None
    now = _now(ctx)
    if record is not None and latest is not None and not _gone(latest, now):
        latest["deleted"] = now
        store.put(key, record)
    return Reply(empty=True)


# -- KV v2: delete/, undelete/, destroy/ -----------------------------------------------------------


def _change_versions(ctx: Context, store: Store, key: str, missing: str,
                     change: Callable[[dict[str, Any], dict[str, Any], float], None]) -> Reply:
    numbers = _versions_param(ctx.params, missing)
    record = store.current(key)
    if record is None:
        return Reply(empty=True)
    now = _now(ctx)
    for number in numbers:
        version = record["versions"].get(str(number))
        if version is not None and not version["destroyed"]:
            change(record, version, now)
    store.put(key, record)  # Vault rewrites the metadata even when nothing changed
    return Reply(empty=True)


def _soft_delete(record: dict[str, Any], version: dict[str, Any], now: float) -> None:
    if not _gone(version, now):
        version["deleted"] = now


def _delete_versions(ctx: Context, store: Store, key: str) -> Reply:
    return _change_versions(ctx, store, key, "kv_no_versions", _soft_delete)


def _undelete_versions(ctx: Context, store: Store, key: str) -> Reply:
    config = store.config()

    def undelete(record: dict[str, Any], version: dict[str, Any], now: float) -> None:
        version["deleted"] = _deletion_time(record, config, now)

    return _change_versions(ctx, store, key, "kv_no_versions", undelete)


def _destroy(record: dict[str, Any], version: dict[str, Any], now: float) -> None:
    version["destroyed"], version["data"] = True, None


def _destroy_versions(ctx: Context, store: Store, key: str) -> Reply:
    return _change_versions(ctx, store, key, "kv_no_versions_destroy", _destroy)


# -- KV v2: metadata/ and config -------------------------------------------------------------------


def _read_metadata(ctx: Context, store: Store, key: str) -> Reply:
    record = store.get(key)
    if record is None:
        return _nil()
    versions = {number: {name: value for name, value in _version_meta(record, int(number)).items()
                         if name in ("created_time", "deletion_time", "destroyed")}
                for number in record["versions"]}
    return _ok({
        "cas_required": record["cas_required"],
        "created_time": timestamp(record["created"]),
        "current_version": record["current_version"],
        "custom_metadata": record["custom_metadata"],
        "delete_version_after": go_duration(record["delete_version_after"]),
        "max_versions": record["max_versions"],
        "oldest_version": record["oldest_version"],
        "updated_time": timestamp(record["updated"]),
        "versions": versions,
    })


def _custom_metadata(params: Params) -> dict[str, str]:
    values: dict[str, str] = {}
    for name, value in params.mapping("custom_metadata").items():
        if isinstance(value, dict | list):
            raise InvalidRequestError(f'invalid value for "custom_metadata.{name}": expected a '
                                      "string")
        values[name] = ("1" if value else "0") if isinstance(value, bool) else (
            "" if value is None else str(value))
    return values


def _settings(params: Params) -> dict[str, Any]:
    """The version settings a request sets (``config`` and ``metadata`` share them)."""
    changes: dict[str, Any] = {}
    if "max_versions" in params:
        changes["max_versions"] = params.integer("max_versions")
    if "cas_required" in params:
        changes["cas_required"] = params.boolean("cas_required")
    if "delete_version_after" in params:
        changes["delete_version_after"] = parse_seconds(params.raw("delete_version_after"),
                                                        field="delete_version_after")
    return changes


def _write_metadata(ctx: Context, store: Store, key: str) -> Reply:
    params = ctx.params
    if not key:
        raise error("kv_missing_path")
    changes = _settings(params)
    if "custom_metadata" in params:
        changes["custom_metadata"] = _custom_metadata(params)
    if not changes:
        return Reply(empty=True)
    record = store.current(key) or _new_record(_now(ctx))
    record.update(changes)
    store.put(key, record)
    return Reply(empty=True)


def _delete_metadata(ctx: Context, store: Store, key: str) -> Reply:
    if store.current(key) is not None:
        store.delete(key)
    return Reply(empty=True)


def _list_metadata(ctx: Context, store: Store, key: str) -> Reply:
    keys = store.list(key)
    return _ok({"keys": keys}) if keys else _nil()


def _config(ctx: Context, store: Store) -> Reply:
    config = store.config(fresh=ctx.operation != "read")
    if ctx.operation == "read":
        return _ok({"cas_required": config["cas_required"],
                    "delete_version_after": go_duration(config["delete_version_after"]),
                    "max_versions": config["max_versions"]})
    if ctx.operation != "update":
        raise _unsupported_operation()
    config.update(_settings(ctx.params))
    store.set_config(config)
    return Reply(empty=True)


_V2: dict[str, dict[str, KvHandler]] = {
    "data": {"read": _read_data, "update": _write_data, "patch": _patch_data,
             "delete": _delete_latest},
    "metadata": {"read": _read_metadata, "update": _write_metadata,
                 "delete": _delete_metadata, "list": _list_metadata},
    "delete": {"update": _delete_versions},
    "undelete": {"update": _undelete_versions},
    "destroy": {"update": _destroy_versions},
}
