"""System endpoints: health, leader, seal status, init, and ``sys/mounts``.

Health, leader and seal status answer without Vault's ``data`` envelope, as real Vault does.
The mount table itself lives in :mod:`fakevault.vault.mount_table`.
"""

from __future__ import annotations

import re
from typing import Any

from fakevault.model.clock import rfc3339_nano
from fakevault.model.cluster import Cluster
from fakevault.model.durations import parse_seconds
from fakevault.model.errors import InvalidRequestError, VaultError
from fakevault.model.messages import error
from fakevault.vault.context import Context
from fakevault.vault.framework import Field, FieldData, Path
from fakevault.vault.identity import LICENSE, cluster_id, cluster_name
from fakevault.vault.logical import Response as Reply
from fakevault.vault.mount_table import (
    PROTECTED,
    SINGLETONS,
    UNSIMULATED,
    Mount,
    data_prefix,
    default_config,
    find_mount,
    mounts,
    read_table,
    save_table,
    walk,
)

# -- sys/health ----------------------------------------------------------------------------------

#: Query parameter -> default status code, as http/sys_health.go reads them.
HEALTH_CODES = {"uninitcode": 501, "sealedcode": 503, "standbycode": 429, "activecode": 200,
                "drsecondarycode": 472, "performancestandbycode": 473, "haunhealthycode": 474,
                "removedcode": 530}
_INTEGER = re.compile(r"[+-]?\d+")
#: Go's strconv.ParseBool, plus "" (mapstructure's weak decoding reads it as false).
_GO_BOOLS = {"1": True, "t": True, "T": True, "TRUE": True, "true": True, "True": True,
             "0": False, "f": False, "F": False, "FALSE": False, "false": False, "False": False,
             "": False}


def _bad_parameter(ctx: Context, message: str, name: str, value: str) -> VaultError:
    # Vault answers 400 with an empty error list (fact 17); the seed's profile says why.
    if ctx.sim.profile.bare_health_errors:
        return InvalidRequestError()
    return error(message, param=name, value=value)


def _status_code(ctx: Context, name: str, default: int) -> int:
    value = ctx.data.raw(name)
    if value is None:
        return default
    text = str(value)
    try:
        code = int(text) if _INTEGER.fullmatch(text) else 0
    except ValueError:  # past Python's limit of 4300 digits
        code = 0
    if not 100 <= code <= 999:
        raise _bad_parameter(ctx, "health_bad_code", name, text)
    return code


def _query_bool(ctx: Context, name: str) -> bool:
    value = ctx.data.raw(name)
    if value is None:
        return False
    if str(value) not in _GO_BOOLS:
        raise _bad_parameter(ctx, "health_bad_bool", name, str(value))
    return _GO_BOOLS[str(value)]


def performance_mode(cluster: Cluster) -> str:
    """The performance mode health shows: a DR secondary mirrors its DR primary's."""
    primary = cluster.dr.primary
    if cluster.is_dr_secondary and primary is not None and primary in cluster.world:
        return cluster.world[primary].performance.mode
    return cluster.performance.mode


def _health_body(cluster: Cluster) -> dict[str, Any]:
    profile = cluster.world.profile
    body = {
        "initialized": True,
        "sealed": False,
        "standby": False,
        "performance_standby": False,
        "replication_performance_mode": performance_mode(cluster),
        "replication_dr_mode": cluster.dr.mode,
        "server_time_utc": int(cluster.world.clock.now()),
        "version": profile.version,
        "enterprise": True,
        "cluster_name": cluster_name(cluster),
        "cluster_id": cluster_id(cluster),
        "last_wal": cluster.storage.last_wal,
        "license": dict(LICENSE),
        "echo_duration_ms": 0,
        "clock_skew_ms": 0,
        "replication_primary_canary_age_ms": 0,
    }
    return _without_zero_last_wal(cluster, body)


def _without_zero_last_wal(cluster: Cluster, body: dict[str, Any]) -> dict[str, Any]:
    """Modern Vault omits ``last_wal`` when it is 0 (``omitempty``; fact 16)."""
    if cluster.world.profile.omit_zero_last_wal and not body.get("last_wal"):
        body.pop("last_wal", None)
    return body


def health(ctx: Context) -> Reply:
    """``GET``/``HEAD /sys/health``: the status code says active (200) or DR secondary (472)."""
    codes = {name: _status_code(ctx, name, default) for name, default in HEALTH_CODES.items()}
    for name in ("standbyok", "perfstandbyok"):
        _query_bool(ctx, name)
    code = codes["drsecondarycode" if ctx.cluster.is_dr_secondary else "activecode"]
    if code < 200 or code in (204, 304):  # statuses that carry no body (Go drops it)
        return Reply(raw_status=code)
    return Reply(raw=_health_body(ctx.cluster), raw_status=code)


# -- sys/leader and sys/seal-status --------------------------------------------------------------


def leader(ctx: Context) -> Reply:
    """``GET /sys/leader``: every simulated cluster is a single active raft node."""
    cluster = ctx.cluster
    if not ctx.sim.profile.raft_leader:
        return Reply(raw={
            "ha_enabled": False, "is_self": True, "active_time": "0001-01-01T00:00:00Z",
            "leader_address": cluster.api_addr,
            "leader_cluster_address": cluster.cluster_addr, "performance_standby": False,
            "performance_standby_last_remote_wal": 0, "last_wal": cluster.storage.last_wal})
    # Each WAL entry is a raft commit here, applied at once.
    index = cluster.storage.last_wal
    return Reply(raw=_without_zero_last_wal(cluster, {
        "ha_enabled": True,
        "is_self": True,
        "active_time": rfc3339_nano(_active_since(cluster)),
        "leader_address": cluster.api_addr,
        "leader_cluster_address": cluster.cluster_addr,
        "performance_standby": False,
        "performance_standby_last_remote_wal": 0,
        "last_wal": index,
        "raft_committed_index": index,
        "raft_applied_index": index,
    }))


def _active_since(cluster: Cluster) -> float:
    """When the cluster last became active: its last restart, else the world's start."""
    for operation in reversed(list(cluster.world.history)):
        if operation.name == "restart" and operation.ok and \
                operation.args.get("name") == cluster.name:
            return operation.time
    return cluster.world.started_at


def seal_status(ctx: Context) -> Reply:
    """``GET /sys/seal-status``: initialized and unsealed, like a dev server."""
    cluster = ctx.cluster
    return Reply(raw={
        "type": "shamir",
        "initialized": True,
        "sealed": False,
        "t": cluster.unseal_threshold,
        "n": len(cluster.unseal_keys),
        "progress": 0,
        "nonce": "",
        "version": ctx.sim.profile.version,
        "build_date": ctx.sim.profile.build_date,
        "migration": False,
        "cluster_name": cluster_name(cluster),
        "cluster_id": cluster_id(cluster),
        "recovery_seal": False,
        "storage_type": "inmem",
    })


# -- sys/mounts handlers ------------------------------------------------------------------------


def list_mounts(ctx: Context) -> Reply:
    """``GET /sys/mounts``: the table, in ``data`` and (as every sys/ path) at the top level."""
    data = {path: mount.info() for path, mount in mounts(ctx.cluster).items()}
    return Reply(data=data)


def mount(ctx: Context) -> Reply:
    """``/sys/mounts/<path>``: GET reads one mount, POST/PUT mounts, DELETE unmounts."""
    path = str(ctx.args["mount"]).lstrip("/").rstrip("/") + "/"
    if ctx.operation == "read":
        found = find_mount(ctx.cluster, path)
        if found is None:
            raise error("mount_not_found", path=path)
        return Reply(data=found.info())
    if ctx.operation == "delete":
        return _unmount(ctx, path)
    return _mount(ctx, path)


def _engine(data: FieldData) -> tuple[str, dict[str, str] | None]:
    kind: str = data.get("type")
    options = {key: "" if value is None else str(value)
               for key, value in data.get("options").items()}
    if kind in ("kv-v1", "kv-v2"):
        kind, options["version"] = "kv", kind[-1]
    if kind == "kv" and options.get("version", "") not in ("", "1", "2"):
        raise error("mount_bad_kv_version", version=options["version"])
    return kind, options or None


def _mount_config(raw: dict[str, Any]) -> dict[str, Any]:
    config = default_config()
    for name in ("default_lease_ttl", "max_lease_ttl"):
        if raw.get(name) not in (None, "", "system"):
            config[name] = parse_seconds(raw[name], field=f"config.{name}")
    if raw.get("force_no_cache") is not None:
        config["force_no_cache"] = _FORCE_NO_CACHE.decode(raw["force_no_cache"])
    return config


def _check_mountable(cluster: Cluster, path: str, kind: str) -> None:
    if path.startswith(PROTECTED):
        raise error("mount_protected", path=path)
    if kind in SINGLETONS:
        raise error("mount_singleton", type=kind)
    for existing in mounts(cluster):
        if existing.startswith(path) or path.startswith(existing):
            raise error("mount_in_use", path=existing)
    if kind != "kv":
        raise error("mount_type_not_simulated" if kind in UNSIMULATED else "mount_unknown_type",
                    type=kind)


def _mount(ctx: Context, path: str) -> Reply:
    data, cluster = ctx.data, ctx.cluster
    local: bool = data.get("local")
    kind, options = _engine(data)
    description: str = data.get("description")
    seal_wrap: bool = data.get("seal_wrap")
    config = _mount_config(data.get("config"))
    if not local and cluster.performance.mode == "secondary":
        raise error("mount_nonlocal_on_secondary")
    _check_mountable(cluster, path, kind)
    ids = ctx.sim.ids
    entry = Mount(path, kind, ids.uuid(), f"{kind}_{ids.raw(4).hex()}", description, local,
                  seal_wrap, options, config)
    table = read_table(cluster, local)
    table[path] = entry
    save_table(cluster, table, local)
    return Reply(empty=True)


def _unmount(ctx: Context, path: str) -> Reply:
    cluster = ctx.cluster
    serving = find_mount(cluster, path)
    if serving is not None and not serving.local and cluster.performance.mode == "secondary":
        raise error("unmount_nonlocal_on_secondary")
    if serving is None or serving.path != path:
        return Reply(empty=True)  # Vault answers success so as not to reveal what exists
    if path.startswith(PROTECTED):
        raise error("unmount_protected", path=path)
    table = read_table(cluster, serving.local)
    del table[path]
    save_table(cluster, table, serving.local)
    for key in walk(cluster, data_prefix(serving), serving.local):
        cluster.delete(key, local=serving.local)
    return Reply(empty=True)


def init_status(ctx: Context) -> Reply:
    """``GET sys/init``: a simulated cluster is always initialized."""
    return Reply(raw={"initialized": True})


# -- declarations (relative to sys/) ---------------------------------------------------------

_FORCE_NO_CACHE = Field("config.force_no_cache", "bool", "Never cache the mount's data.")
_HEALTH = (
    *(Field(name, "raw", f"The status code to answer when {when} (default {code}).",
            location="query", json="integer", minimum=100, maximum=999)
      for name, when, code in (
          ("activecode", "active", 200), ("standbycode", "a standby", 429),
          ("drsecondarycode", "a DR secondary", 472),
          ("performancestandbycode", "a performance standby", 473),
          ("sealedcode", "sealed", 503), ("uninitcode", "not initialized", 501),
          ("haunhealthycode", "HA is unhealthy", 474),
          ("removedcode", "removed from the cluster", 530))),
    Field("standbyok", "raw", "A standby answers activecode.", location="query",
          json="boolean"),
    Field("perfstandbyok", "raw", "A performance standby answers activecode.",
          location="query", json="boolean"),
)
_MOUNT = (
    Field("type", "string", 'The engine type ("kv", "kv-v1", "kv-v2"; others are refused as '
          "not simulated).", required=True, missing="mount_type_missing"),
    Field("description", "string", "A description of the mount."),
    Field("config", "map", "default_lease_ttl, max_lease_ttl, force_no_cache."),
    Field("local", "bool", "A local mount: not replicated by performance replication."),
    Field("seal_wrap", "bool", "Seal-wrap the mount's data."),
    Field("options", "map", 'Engine options, e.g. {"version": "2"}.', values="string"),
    Field("plugin_name", "string", "Ignored: only built-in engines are simulated."),
    Field("plugin_version", "string", "Ignored: only built-in engines are simulated."),
    Field("external_entropy_access", "bool", "Ignored: no external entropy is simulated."),
    Field("path", "string", "Ignored: the path is the URL's."),
)

PATHS: tuple[Path, ...] = (
    Path("health", {"read": health}, _HEALTH, auth="none", dr_ok=True,
         answers="system:health", bare_errors=True),
    Path("leader", {"read": leader}, auth="none", dr_ok=True, answers="system:leader"),
    Path("seal-status", {"read": seal_status}, auth="none", dr_ok=True,
         answers="system:seal_status"),
    Path("init", {"read": init_status}, auth="none", dr_ok=True, answers="system:init_status"),
    Path("mounts", {"read": list_mounts}, answers="system:list_mounts", copy_data_to_top=True),
    Path("mounts/(?P<mount>.+)", {"read": mount, "update": mount, "delete": mount}, _MOUNT,
         answers="system:mount", copy_data_to_top=True),
)
