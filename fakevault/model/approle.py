"""Auth mounts (``sys/auth``) and the AppRole auth method, kept where Vault keeps them.

The auth table is replicated (``core/auth``) or local (``core/local-auth``), like the mount
table: performance secondaries see the primary's non-local auth mounts and their roles. A role's
secret IDs are replicated too (a secondary forwards the write to its primary), unless the mount
is local or the role keeps ``local_secret_ids``: then they stay on the cluster that made them.
Only ``approle`` (and the built-in ``token``) are simulated.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from fakevault.model.auth import TokenEntry, TokenRequest, create_token, root_entry, store_token
from fakevault.model.messages import error

if TYPE_CHECKING:
    from fakevault.model.cluster import Cluster

AUTH_TABLE = "core/auth"
LOCAL_AUTH_TABLE = "core/local-auth"
TOKEN_MOUNT = {"type": "token", "description": "token based credentials", "local": False,
               "accessor": "auth_token_root"}


# -- the auth table --------------------------------------------------------------------------
def auth_table(cluster: Cluster) -> dict[str, dict[str, Any]]:
    """Every auth mount by path (``token/`` always first)."""
    table = {"token/": dict(TOKEN_MOUNT)}
    for key in (AUTH_TABLE, "local/" + LOCAL_AUTH_TABLE):
        table.update(cluster.storage.get(key) or {})
    return table


def enable_auth(cluster: Cluster, path: str, kind: str, description: str = "",
                local: bool = False) -> None:
    """``POST sys/auth/:path``: mount an auth method (approle only)."""
    path = path.strip("/") + "/"
    if kind != "approle":
        raise error("auth_type_not_simulated", type=kind or "(none)")
    if path in auth_table(cluster):
        raise error("auth_path_in_use", path=path)
    key = LOCAL_AUTH_TABLE if local else AUTH_TABLE
    table = dict(cluster.storage.get(("local/" if local else "") + key) or {})
    table[path] = {"type": kind, "description": description, "local": local,
                   "accessor": "auth_approle_" + cluster.world.ids.base62(8)}
    cluster.write(key, table, local=local)


def disable_auth(cluster: Cluster, path: str) -> None:
    """``DELETE sys/auth/:path``: unmount (and forget its roles); unknown paths succeed."""
    path = path.strip("/") + "/"
    if path == "token/":
        raise error("auth_token_protected")
    mount = auth_table(cluster).get(path)
    if mount is None:
        return
    local = bool(mount["local"])
    key = LOCAL_AUTH_TABLE if local else AUTH_TABLE
    table = dict(cluster.storage.get(("local/" if local else "") + key) or {})
    del table[path]
    for name in list_roles(cluster, path):
        delete_role(cluster, path, name)
    cluster.write(key, table, local=local)


def approle_mount(cluster: Cluster, path: str) -> dict[str, Any] | None:
    """The AppRole mount at ``path`` (``approle/``), or None."""
    mount = auth_table(cluster).get(path)
    return mount if mount is not None and mount["type"] == "approle" else None


# -- roles -----------------------------------------------------------------------------------
@dataclass
class AppRole:
    """What the AppRole backend keeps about a role."""

    name: str
    role_id: str
    bind_secret_id: bool = True
    secret_id_num_uses: int = 0
    secret_id_ttl: int = 0
    local_secret_ids: bool = False
    token_policies: list[str] = field(default_factory=list)
    token_ttl: int = 0
    token_max_ttl: int = 0
    token_period: int = 0
    token_explicit_max_ttl: int = 0
    token_num_uses: int = 0
    token_type: str = "default"

    def check(self) -> None:
        """Vault's checks when a role is written."""
        if self.token_type not in ("default", "service", "batch", "default-service",
                                   "default-batch"):
            raise error("role_bad_token_type", value=self.token_type)
        if self.token_type == "batch" and self.token_period:
            raise error("role_batch_conflict", reason="periodic tokens")
        if self.token_type == "batch" and self.token_num_uses:
            raise error("role_batch_conflict", reason="tokens with limited use count")
        if self.token_max_ttl and self.token_ttl > self.token_max_ttl:
            raise error("approle_ttl_over_max")
        if not self.bind_secret_id:
            raise error("approle_no_constraint")

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-able form."""
        return asdict(self)


def _prefix(mount: str) -> str:
    return "auth/" + mount


def _local(cluster: Cluster, mount: str) -> bool:
    entry = approle_mount(cluster, mount)
    return bool(entry and entry["local"])


def read_role(cluster: Cluster, mount: str, name: str) -> AppRole | None:
    """Role ``name`` of the AppRole mount ``mount``, or None."""
    local = _local(cluster, mount)
    raw = cluster.storage.get(("local/" if local else "") + _prefix(mount) + "role/" + name)
    return None if raw is None else AppRole(**raw)


def require_role(cluster: Cluster, mount: str, name: str) -> AppRole:
    """Role ``name``, or Vault's 400 for a role that does not exist."""
    role = read_role(cluster, mount, name)
    if role is None:
        raise error("approle_unknown_role", name=name)
    return role


def write_role(cluster: Cluster, mount: str, role: AppRole) -> None:
    """Check and store ``role`` (and its role-id index)."""
    role.check()
    for other in list_roles(cluster, mount):
        found = read_role(cluster, mount, other)
        if found is not None and found.name != role.name and found.role_id == role.role_id:
            raise error("approle_role_id_in_use")
    local = _local(cluster, mount)
    cluster.write(_prefix(mount) + "role/" + role.name, role.to_json(), local=local)


def delete_role(cluster: Cluster, mount: str, name: str) -> None:
    """Delete a role and its secret IDs; deleting nothing succeeds."""
    role = read_role(cluster, mount, name)
    if role is None:
        return
    for accessor in secret_id_accessors(cluster, mount, role):
        _delete_secret(cluster, mount, role, _by_accessor(cluster, mount, role, accessor))
    cluster.delete(_prefix(mount) + "role/" + name, local=_local(cluster, mount))


def list_roles(cluster: Cluster, mount: str) -> list[str]:
    """Role names, sorted."""
    local = _local(cluster, mount)
    return sorted(cluster.storage.list(("local/" if local else "") + _prefix(mount) + "role/"))


# -- secret IDs ------------------------------------------------------------------------------
def _secrets_local(cluster: Cluster, mount: str, role: AppRole) -> bool:
    return role.local_secret_ids or _local(cluster, mount)


def _secret_key(mount: str, role: AppRole, digest: str) -> str:
    return f"{_prefix(mount)}secret-id/{role.name}/{digest}"


def _digest(secret_id: str) -> str:
    return hashlib.sha256(secret_id.encode()).hexdigest()


def generate_secret_id(cluster: Cluster, mount: str, role: AppRole,
                       metadata: dict[str, str]) -> dict[str, Any]:
    """A new secret ID for ``role``: ``secret_id``, its accessor, TTL and uses."""
    ids, now = cluster.world.ids, cluster.world.clock.now()
    secret, accessor = ids.uuid(), ids.uuid()
    record = {"accessor": accessor, "creation_time": now, "ttl": role.secret_id_ttl,
              "num_uses": role.secret_id_num_uses, "metadata": metadata}
    cluster.write(_secret_key(mount, role, _digest(secret)), record,
                  local=_secrets_local(cluster, mount, role))
    return {"secret_id": secret, "secret_id_accessor": accessor,
            "secret_id_ttl": role.secret_id_ttl, "secret_id_num_uses": role.secret_id_num_uses}


def _record(cluster: Cluster, mount: str, role: AppRole, digest: str) -> dict[str, Any] | None:
    local = "local/" if _secrets_local(cluster, mount, role) else ""
    record = cluster.storage.get(local + _secret_key(mount, role, digest))
    if record is None:
        return None
    expired = record["ttl"] and cluster.world.clock.now() >= record["creation_time"] + \
        record["ttl"]
    return None if expired else {**record, "digest": digest}


def lookup_secret_id(cluster: Cluster, mount: str, role: AppRole,
                     secret_id: str) -> dict[str, Any] | None:
    """The live record of ``secret_id`` (None when unknown, used up or expired)."""
    return _record(cluster, mount, role, _digest(secret_id)) if secret_id else None


def secret_id_accessors(cluster: Cluster, mount: str, role: AppRole) -> list[str]:
    """Accessors of the role's live secret IDs."""
    local = "local/" if _secrets_local(cluster, mount, role) else ""
    base = local + f"{_prefix(mount)}secret-id/{role.name}/"
    found = (_record(cluster, mount, role, digest) for digest in cluster.storage.list(base))
    return sorted(record["accessor"] for record in found if record is not None)


def _by_accessor(cluster: Cluster, mount: str, role: AppRole,
                 accessor: str) -> dict[str, Any]:
    local = "local/" if _secrets_local(cluster, mount, role) else ""
    base = local + f"{_prefix(mount)}secret-id/{role.name}/"
    for digest in cluster.storage.list(base):
        record = _record(cluster, mount, role, digest)
        if record is not None and record["accessor"] == accessor:
            return record
    raise error("approle_bad_accessor", accessor=accessor)


def secret_id_by_accessor(cluster: Cluster, mount: str, role: AppRole,
                          accessor: str) -> dict[str, Any]:
    """The live record behind a secret-ID accessor (400 when there is none)."""
    return _by_accessor(cluster, mount, role, accessor)


def destroy_secret_id(cluster: Cluster, mount: str, role: AppRole, record: dict[str, Any]) -> None:
    """Delete a secret ID's record."""
    _delete_secret(cluster, mount, role, record)


def _delete_secret(cluster: Cluster, mount: str, role: AppRole, record: dict[str, Any]) -> None:
    cluster.delete(_secret_key(mount, role, record["digest"]),
                   local=_secrets_local(cluster, mount, role))


# -- login -----------------------------------------------------------------------------------
def login(cluster: Cluster, mount: str, role_id: str, secret_id: str) -> TokenEntry:
    """``auth/approle/login``: a token for the role whose ``role_id`` and secret ID match."""
    if not role_id:
        raise error("approle_missing_role_id")
    role = next((found for name in list_roles(cluster, mount)
                 if (found := read_role(cluster, mount, name)) is not None
                 and found.role_id == role_id), None)
    if role is None:
        raise error("approle_invalid_login")
    record = lookup_secret_id(cluster, mount, role, secret_id) if role.bind_secret_id else None
    if role.bind_secret_id and record is None:
        raise error("approle_invalid_login")
    entry = _issue(cluster, mount, role)
    if record is not None:
        _spend_secret(cluster, mount, role, record)
    return entry


def _spend_secret(cluster: Cluster, mount: str, role: AppRole, record: dict[str, Any]) -> None:
    if record["num_uses"] == 1:
        _delete_secret(cluster, mount, role, record)
    elif record["num_uses"] > 1:
        stored = {k: v for k, v in record.items() if k != "digest"}
        stored["num_uses"] -= 1
        cluster.write(_secret_key(mount, role, record["digest"]), stored,
                      local=_secrets_local(cluster, mount, role))


def _issue(cluster: Cluster, mount: str, role: AppRole) -> TokenEntry:
    explicit = min(x for x in (role.token_explicit_max_ttl, role.token_max_ttl, 10**12) if x)
    token_type = "batch" if role.token_type in ("batch", "default-batch") else "service"
    request = TokenRequest(
        policies=tuple(role.token_policies) or ("default",), ttl=role.token_ttl,
        explicit_max_ttl=0 if explicit == 10**12 or token_type == "batch" else explicit,
        period=role.token_period, type=token_type, no_parent=True,
        num_uses=role.token_num_uses, path=f"auth/{mount}login",
        meta=(("role_name", role.name),))
    entry, _ = create_token(cluster, root_entry(cluster), request)
    entry.display_name = mount.rstrip("/")
    store_token(cluster, entry)
    return entry
