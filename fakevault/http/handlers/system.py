"""System endpoints: health, leader, seal status, and the secrets-engine mount table.

Health, leader and seal status answer without Vault's ``data`` envelope, as real Vault does.
The mount table is kept in storage where Vault keeps it: ``core/mounts`` (replicated) and
``core/local-mounts`` (local, so DR replication carries it and performance replication does not).
An absent table is dev mode's default table, so reading never writes.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from fakevault.http.context import Context
from fakevault.http.params import Params, ignored_warning
from fakevault.http.serialize import Reply
from fakevault.model.cluster import Cluster
from fakevault.model.durations import parse_seconds
from fakevault.model.messages import error

#: The Vault this fake claims to be.
VERSION = "1.17.3+ent"
BUILD_DATE = "2024-08-06T14:28:45Z"
KV_PLUGIN_VERSION = "v0.19.0+builtin"
VAULT_PLUGIN_VERSION = "v1.17.3+builtin.vault"
LICENSE = {"state": "autoloaded", "expiry_time": "2099-12-31T23:59:59Z", "terminated": False}

# -- identity of a cluster ---------------------------------------------------------------------


def _digest(*parts: object) -> str:
    text = ":".join(str(part) for part in parts)
    return hashlib.sha256(text.encode()).hexdigest()


def _as_uuid(hexdigest: str) -> str:
    return (f"{hexdigest[:8]}-{hexdigest[8:12]}-{hexdigest[12:16]}-{hexdigest[16:20]}-"
            f"{hexdigest[20:32]}")


def derived_uuid(*parts: object) -> str:
    """A UUID-shaped id derived from ``parts`` (never from the world's random source)."""
    return _as_uuid(_digest(*parts))


def cluster_id(cluster: Cluster) -> str:
    """The cluster's own id (health, seal status): stable per seed and name, no RNG used."""
    return _as_uuid(_digest("cluster-id", cluster.world.seed, cluster.name))


def cluster_name(cluster: Cluster) -> str:
    """Vault's generated cluster name, ``vault-cluster-`` and eight hex digits."""
    return "vault-cluster-" + _digest("cluster-name", cluster.world.seed, cluster.name)[:8]


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


def _status_code(params: Params, name: str, default: int) -> int:
    value = params.raw(name)
    if value is None:
        return default
    text = str(value)
    try:
        code = int(text) if _INTEGER.fullmatch(text) else 0
    except ValueError:  # past Python's limit of 4300 digits
        code = 0
    if not 100 <= code <= 999:
        raise error("health_bad_code", param=name, value=text)
    return code


def _query_bool(params: Params, name: str) -> bool:
    value = params.raw(name)
    if value is None:
        return False
    if str(value) not in _GO_BOOLS:
        raise error("health_bad_bool", param=name, value=str(value))
    return _GO_BOOLS[str(value)]


def performance_mode(cluster: Cluster) -> str:
    """The performance mode health shows: a DR secondary mirrors its DR primary's."""
    primary = cluster.dr.primary
    if cluster.is_dr_secondary and primary is not None and primary in cluster.world:
        return cluster.world[primary].performance.mode
    return cluster.performance.mode


def _health_body(cluster: Cluster) -> dict[str, Any]:
    return {
        "initialized": True,
        "sealed": False,
        "standby": False,
        "performance_standby": False,
        "replication_performance_mode": performance_mode(cluster),
        "replication_dr_mode": cluster.dr.mode,
        "server_time_utc": int(cluster.world.clock.now()),
        "version": VERSION,
        "enterprise": True,
        "cluster_name": cluster_name(cluster),
        "cluster_id": cluster_id(cluster),
        "last_wal": cluster.storage.last_wal,
        "license": dict(LICENSE),
        "echo_duration_ms": 0,
        "clock_skew_ms": 0,
        "replication_primary_canary_age_ms": 0,
    }


def health(ctx: Context) -> Reply:
    """``GET``/``HEAD /sys/health``: the status code says active (200) or DR secondary (472)."""
    codes = {name: _status_code(ctx.params, name, default)
             for name, default in HEALTH_CODES.items()}
    for name in ("standbyok", "perfstandbyok"):
        _query_bool(ctx.params, name)
    code = codes["drsecondarycode" if ctx.cluster.is_dr_secondary else "activecode"]
    if code < 200 or code in (204, 304):  # statuses that carry no body (Go drops it)
        return Reply(raw_status=code)
    return Reply(raw=_health_body(ctx.cluster), raw_status=code)


# -- sys/leader and sys/seal-status --------------------------------------------------------------


def leader(ctx: Context) -> Reply:
    """``GET /sys/leader``: every simulated cluster is a single active node."""
    cluster = ctx.cluster
    return Reply(raw={
        "ha_enabled": False,
        "is_self": True,
        "active_time": "0001-01-01T00:00:00Z",
        "leader_address": cluster.api_addr,
        "leader_cluster_address": cluster.cluster_addr,
        "performance_standby": False,
        "performance_standby_last_remote_wal": 0,
        "last_wal": cluster.storage.last_wal,
    })


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
        "version": VERSION,
        "build_date": BUILD_DATE,
        "migration": False,
        "cluster_name": cluster_name(cluster),
        "cluster_id": cluster_id(cluster),
        "recovery_seal": False,
        "storage_type": "inmem",
    })


# -- the mount table -------------------------------------------------------------------------------

TABLE_KEY = "core/mounts"
LOCAL_TABLE_KEY = "core/local-mounts"
#: Paths nobody may mount under or unmount (vault/mount.go protectedMounts).
PROTECTED = ("audit/", "auth/", "sys/", "cubbyhole/", "identity/")
#: Types that exist once (vault/mount.go singletonMounts).
SINGLETONS = frozenset({"cubbyhole", "system", "token", "identity"})
#: Vault's built-in secrets engines that fakevault does not implement.
UNSIMULATED = frozenset({"ad", "alicloud", "aws", "azure", "consul", "database", "gcp", "gcpkms",
                         "keymgmt", "kmip", "kubernetes", "ldap", "mongodbatlas", "nomad",
                         "openldap", "pki", "rabbitmq", "ssh", "terraform", "totp", "transform",
                         "transit"})
_MOUNT_PARAMS = ("type", "description", "config", "local", "seal_wrap", "options", "plugin_name",
                 "plugin_version", "external_entropy_access", "path")


def _default_config() -> dict[str, Any]:
    return {"default_lease_ttl": 0, "force_no_cache": False, "max_lease_ttl": 0}


@dataclass(frozen=True)
class Mount:
    """One entry of the mount table."""

    path: str
    type: str
    uuid: str
    accessor: str
    description: str = ""
    local: bool = False
    seal_wrap: bool = False
    options: dict[str, str] | None = None
    config: dict[str, Any] = field(default_factory=_default_config)

    @property
    def kv_version(self) -> int:
        """2 for a KV v2 mount, 1 for KV v1, 0 for any other engine."""
        if self.type != "kv":
            return 0
        return 2 if (self.options or {}).get("version") == "2" else 1

    def to_json(self) -> dict[str, Any]:
        """The stored form (the table is keyed by path)."""
        data = asdict(self)
        del data["path"]
        return data

    def info(self) -> dict[str, Any]:
        """The entry as ``sys/mounts`` shows it."""
        builtin = KV_PLUGIN_VERSION if self.type == "kv" else VAULT_PLUGIN_VERSION
        info: dict[str, Any] = {
            "accessor": self.accessor, "config": dict(self.config),
            "description": self.description, "external_entropy_access": False,
            "local": self.local, "options": self.options, "plugin_version": "",
            "running_plugin_version": builtin, "running_sha256": "",
            "seal_wrap": self.seal_wrap, "type": self.type, "uuid": self.uuid,
        }
        if self.type == "kv":
            info["deprecation_status"] = "supported"
        return info


def _default_mount(seed: int, path: str, kind: str, description: str, **extra: Any) -> Mount:
    digest = _digest("default-mount", seed, path)
    accessor = f"{'system' if kind == 'system' else kind}_{digest[32:40]}"
    return Mount(path, kind, _as_uuid(digest), accessor, description, **extra)


def default_mounts(seed: int) -> list[Mount]:
    """Dev mode's table; ids depend only on the seed, so every cluster of a world agrees."""
    return list(_default_mounts(seed))


@functools.lru_cache(maxsize=64)
def _default_mounts(seed: int) -> tuple[Mount, ...]:
    # Mounts are frozen, and every KV request looks the table up: derive it once per seed.
    return (
        _default_mount(seed, "cubbyhole/", "cubbyhole", "per-token private secret storage",
                       local=True),
        _default_mount(seed, "identity/", "identity", "identity store", config={
            **_default_config(), "passthrough_request_headers": ["Authorization"]}),
        _default_mount(seed, "secret/", "kv", "key/value secret storage",
                       options={"version": "2"}),
        _default_mount(seed, "sys/", "system",
                       "system endpoints used for control, policy and debugging", seal_wrap=True,
                       config={**_default_config(), "passthrough_request_headers": ["Accept"]}),
    )


def read_table(cluster: Cluster, local: bool) -> dict[str, Mount]:
    """The replicated (or local) half of ``cluster``'s mount table, keyed by path."""
    stored = cluster.read(LOCAL_TABLE_KEY if local else TABLE_KEY, local=local)
    if stored is None:
        return {m.path: m for m in default_mounts(cluster.world.seed) if m.local == local}
    return {path: Mount(path=path, **entry) for path, entry in stored.items()}


def _save_table(cluster: Cluster, table: dict[str, Mount], local: bool) -> None:
    value = {path: mount.to_json() for path, mount in sorted(table.items())}
    cluster.write(LOCAL_TABLE_KEY if local else TABLE_KEY, value, local=local)


def mounts(cluster: Cluster) -> dict[str, Mount]:
    """The whole mount table of ``cluster`` (both halves), keyed by path."""
    return dict(sorted({**read_table(cluster, False), **read_table(cluster, True)}.items()))


def find_mount(cluster: Cluster, path: str) -> Mount | None:
    """The mount serving ``path`` (longest prefix, as Vault's router), or None."""
    storage = cluster.storage
    routes = _routing_table(cluster.world.seed, storage.text(TABLE_KEY),
                            storage.text("local/" + LOCAL_TABLE_KEY))
    for prefix, mount in routes:
        if path.startswith(prefix) or path + "/" == prefix:
            return mount
    return None


@functools.lru_cache(maxsize=256)
def _routing_table(seed: int, replicated: str | None,
                   local: str | None) -> tuple[tuple[str, Mount], ...]:
    """Mounts longest path first, parsed once per distinct stored table (every KV request
    routes through here)."""
    table = {m.path: m for m in default_mounts(seed)
             if (m.local and local is None) or (not m.local and replicated is None)}
    for text in (replicated, local):
        if text is not None:
            table.update({p: Mount(path=p, **entry) for p, entry in json.loads(text).items()})
    return tuple(sorted(table.items(), key=lambda item: len(item[0]), reverse=True))


def _walk(cluster: Cluster, prefix: str, local: bool) -> list[str]:
    keys: list[str] = []
    for child in cluster.list(prefix, local=local):
        if child.endswith("/"):
            keys.extend(_walk(cluster, prefix + child, local))
        else:
            keys.append(prefix + child)
    return keys


def data_prefix(mount: Mount) -> str:
    """Where a mount's data lives in storage (Vault's ``logical/<uuid>/``)."""
    return f"logical/{mount.uuid}/"


# -- sys/mounts handlers ------------------------------------------------------------------------


def list_mounts(ctx: Context) -> Reply:
    """``GET /sys/mounts``: the table, in ``data`` and (as every sys/ path) at the top level."""
    data = {path: mount.info() for path, mount in mounts(ctx.cluster).items()}
    return Reply(data=data, top_level=data)


def mount(ctx: Context) -> Reply:
    """``/sys/mounts/<path>``: GET reads one mount, POST/PUT mounts, DELETE unmounts."""
    path = str(ctx.args["mount"]).lstrip("/").rstrip("/") + "/"
    if ctx.operation == "read":
        found = find_mount(ctx.cluster, path)
        if found is None:
            raise error("mount_not_found", path=path)
        return Reply(data=found.info(), top_level=found.info())
    if ctx.operation == "delete":
        return _unmount(ctx, path)
    return _mount(ctx, path)


def _engine(params: Params) -> tuple[str, dict[str, str] | None]:
    kind = params.string("type")
    options = {key: "" if value is None else str(value)
               for key, value in params.mapping("options").items()}
    if not kind:
        raise error("mount_type_missing")
    if kind in ("kv-v1", "kv-v2"):
        kind, options["version"] = "kv", kind[-1]
    if kind == "kv" and options.get("version", "") not in ("", "1", "2"):
        raise error("mount_bad_kv_version", version=options["version"])
    return kind, options or None


def _mount_config(raw: dict[str, Any]) -> dict[str, Any]:
    config = _default_config()
    for name in ("default_lease_ttl", "max_lease_ttl"):
        if raw.get(name) not in (None, "", "system"):
            config[name] = parse_seconds(raw[name], field=f"config.{name}")
    config["force_no_cache"] = Params(raw).boolean("force_no_cache")
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
    params, cluster = ctx.params, ctx.cluster
    local = params.boolean("local")
    kind, options = _engine(params)
    description = params.string("description")
    seal_wrap = params.boolean("seal_wrap")
    config = _mount_config(params.mapping("config"))
    if not local and cluster.performance.mode == "secondary":
        raise error("mount_nonlocal_on_secondary")
    _check_mountable(cluster, path, kind)
    ids = ctx.sim.ids
    entry = Mount(path, kind, ids.uuid(), f"{kind}_{ids.raw(4).hex()}", description, local,
                  seal_wrap, options, config)
    table = read_table(cluster, local)
    table[path] = entry
    _save_table(cluster, table, local)
    ignored = params.ignored(_MOUNT_PARAMS)
    return Reply(warnings=[ignored_warning(ignored)] if ignored else [], empty=not ignored)


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
    _save_table(cluster, table, serving.local)
    for key in _walk(cluster, data_prefix(serving), serving.local):
        cluster.delete(key, local=serving.local)
    return Reply(empty=True)


def init_status(ctx: Context) -> Reply:
    """``GET sys/init``: a simulated cluster is always initialized."""
    return Reply(raw={"initialized": True})
