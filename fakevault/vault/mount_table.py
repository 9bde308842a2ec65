"""The secrets-engine mount table, kept in storage where Vault keeps it.

``core/mounts`` is replicated and ``core/local-mounts`` local, so DR replication carries both
and performance replication only the first. An absent table is dev mode's default table, so
reading never writes.
"""

from __future__ import annotations

import functools
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from fakevault.model.cluster import Cluster
from fakevault.vault.identity import KV_PLUGIN_VERSION, VAULT_PLUGIN_VERSION, as_uuid, digest

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

def default_config() -> dict[str, Any]:
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
    config: dict[str, Any] = field(default_factory=default_config)

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
    hexdigest = digest("default-mount", seed, path)
    accessor = f"{'system' if kind == 'system' else kind}_{hexdigest[32:40]}"
    return Mount(path, kind, as_uuid(hexdigest), accessor, description, **extra)


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
            **default_config(), "passthrough_request_headers": ["Authorization"]}),
        _default_mount(seed, "secret/", "kv", "key/value secret storage",
                       options={"version": "2"}),
        _default_mount(seed, "sys/", "system",
                       "system endpoints used for control, policy and debugging", seal_wrap=True,
                       config={**default_config(), "passthrough_request_headers": ["Accept"]}),
    )


def read_table(cluster: Cluster, local: bool) -> dict[str, Mount]:
    """The replicated (or local) half of ``cluster``'s mount table, keyed by path."""
    stored = cluster.read(LOCAL_TABLE_KEY if local else TABLE_KEY, local=local)
    if stored is None:
        return {m.path: m for m in default_mounts(cluster.world.seed) if m.local == local}
    return {path: Mount(path=path, **entry) for path, entry in stored.items()}


def save_table(cluster: Cluster, table: dict[str, Mount], local: bool) -> None:
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


def filterable_mounts(cluster: Cluster) -> dict[str, str]:
    """Mount path -> data prefix of each mount a performance paths filter can name: the
    replicated (non-local) engines, not ``sys/``, ``identity/`` and the like. Read straight from
    storage, so it answers for a crashed cluster too."""
    storage = cluster.storage
    routes = _routing_table(cluster.world.seed, storage.text(TABLE_KEY),
                            storage.text("local/" + LOCAL_TABLE_KEY))
    return {path: data_prefix(mount) for path, mount in sorted(routes)
            if not mount.local and mount.type not in SINGLETONS}


def walk(cluster: Cluster, prefix: str, local: bool) -> list[str]:
    keys: list[str] = []
    for child in cluster.list(prefix, local=local):
        if child.endswith("/"):
            keys.extend(walk(cluster, prefix + child, local))
        else:
            keys.append(prefix + child)
    return keys


def data_prefix(mount: Mount) -> str:
    """Where a mount's data lives in storage (Vault's ``logical/<uuid>/``)."""
    return f"logical/{mount.uuid}/"


