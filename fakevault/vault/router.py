"""Vault's router: which backend serves a path, then the framework's request handling.

``sys/`` is the system backend (replication, health, mounts, policies, the OpenAPI document),
``auth/token/`` the token store, and every other path the secrets engine its mount table names
(the longest mount prefix wins, as in ``vault/router.go``). fakevault's control plane is a
backend of its own, reached only by requests marked ``control``.

Handling a request is Vault's order: route (404, 405), DR-secondary gating, the token and its
policies (403), the declared fields (400), the callback, then the warnings about parameters the
path does not know.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fakevault.model.approle import approle_mount
from fakevault.model.auth import revoke_token
from fakevault.model.cluster import Cluster
from fakevault.model.errors import (
    UnavailableError,
    UnsupportedOperationError,
    UnsupportedPathError,
)
from fakevault.model.messages import error
from fakevault.model.simulator import Simulator
from fakevault.model.wrapping import forget_spent, wrap_ttl
from fakevault.vault.auth import authorize
from fakevault.vault.backends import (
    approle,
    auth_mounts,
    ceremony,
    control,
    control_tokens,
    generate_root,
    kv,
    paths_filter,
    policies,
    replication,
    specs,
    system,
    token_lifecycle,
    token_roles,
    tokens,
    ui_mounts,
    wrapping,
)
from fakevault.vault.context import Context
from fakevault.vault.framework import Backend, Field, FieldData, Path, ignored_warning
from fakevault.vault.logical import (
    UNSUPPORTED_OPERATION,
    UNSUPPORTED_PATH,
    Operation,
    Request,
    Response,
)
from fakevault.vault.mount_table import Mount, find_mount

SYSTEM = Backend("system", "system", (*replication.PATHS, *ceremony.PATHS, *system.PATHS,
                                      *policies.PATHS, *specs.PATHS, *ui_mounts.PATHS,
                                      *paths_filter.PATHS, *generate_root.PATHS,
                                      *wrapping.PATHS, *auth_mounts.PATHS),
                 lenient_slash=True)
TOKEN = Backend("token", "token", (*tokens.PATHS, *token_lifecycle.PATHS, *token_roles.PATHS),
                lenient_slash=True)
KV_V1 = Backend("kv-v1", "kv", kv.V1_PATHS)
KV_V2 = Backend("kv-v2", "kv", kv.V2_PATHS, fallback=kv.v2_fallback)
APPROLE = Backend("approle", "approle", approle.PATHS, lenient_slash=True)
CONTROL = Backend("control", "fakevault", (*control.PATHS, *control_tokens.PATHS),
                  lenient_slash=True)
#: Every backend with the mount path its declarations are relative to (KV: the dev server's
#: ``secret/``), for the OpenAPI document and the supported-endpoints table.
BACKENDS: tuple[tuple[str, Backend], ...] = (
    ("sys/", SYSTEM), ("auth/token/", TOKEN), ("secret/", KV_V2), ("kv-v1/", KV_V1),
    ("auth/approle/", APPROLE), ("/_fakevault/", CONTROL))
ReplaceWorld = Callable[[Simulator], None]


def resolve(cluster: Cluster, request: Request) -> tuple[Backend, str, Mount | None]:
    """The backend serving ``request`` on ``cluster``, its mount path and mount entry."""
    path = request.path
    if request.control:
        return CONTROL, "", None
    if request.namespace.strip("/") not in ("", "root"):
        raise error("namespace_not_simulated", namespace=request.namespace)
    if path.startswith("sys/"):
        return SYSTEM, "sys/", None
    if path.startswith("auth/token/"):
        return TOKEN, "auth/token/", None
    if path.startswith("auth/"):
        mount_path = path[len("auth/"):].split("/", 1)[0] + "/"
        if approle_mount(cluster, mount_path) is not None:
            return APPROLE, "auth/" + mount_path, None
    if path in ("sys", "auth") or path.startswith("auth/"):
        raise UnsupportedPathError(UNSUPPORTED_PATH)
    mount = find_mount(cluster, path)
    if mount is None:
        _refuse_namespace_prefix(cluster, path)
        raise error("no_route", path=path)
    if not mount.kv_version:
        raise error("engine_not_simulated", type=mount.type, mount=mount.path)
    return (KV_V2 if mount.kv_version == 2 else KV_V1), mount.path, mount


def _refuse_namespace_prefix(cluster: Cluster, path: str) -> None:
    """``ns1/sys/...`` or ``ns1/secret/...``: a namespace prefix, which is not simulated."""
    rest = path.partition("/")[2]
    while rest:
        if rest.startswith(("sys/", "auth/")) or find_mount(cluster, rest) is not None:
            raise error("namespace_not_simulated", namespace=path[:len(path) - len(rest)])
        _, _, rest = rest.partition("/")


def handle(sim: Simulator, name: str, request: Request,
           replace_world: ReplaceWorld | None = None) -> Response:
    """Answer ``request`` on cluster ``name``; a :class:`VaultError` for every refusal."""
    cluster = sim[name]
    if cluster.crashed and not request.control:
        raise UnavailableError(f"fakevault: cluster {name} is down (crashed)")
    ttl = wrap_ttl(request.wrap_ttl)  # a bad header is a 400 before anything else
    backend, mount, entry = resolve(cluster, request)
    found = backend.route(request.path[len(mount):], sim.profile)
    if found is None:
        raise UnsupportedPathError(UNSUPPORTED_PATH)
    path, captures, fields = found
    callback = path.operations.get(request.operation)
    if callback is None:
        bare = path.bare_errors and sim.profile.bare_health_errors
        raise UnsupportedOperationError(*(() if bare else (UNSUPPORTED_OPERATION,)))
    if cluster.is_dr_secondary and not path.dr_ok:
        raise error("dr_secondary_path_disabled")
    ctx = Context(sim, cluster, request, path, request.path, captures,
                  FieldData(request.data, fields), mount, entry, replace_world=replace_world)
    try:
        authorize(ctx)
        if not path.raw_data:
            ctx.data.validate(request.operation)
        response = callback(ctx)
        if ttl:
            response = wrapping.wrap_response(ctx, response, ttl)
    finally:
        if ctx.token_spent and ctx.token is not None:  # its last use, spent even on failure
            revoke_token(cluster, ctx.token.id)
            forget_spent(cluster, ctx.token.id)
    if not path.raw_data:
        ignored = ctx.data.ignored()
        if ignored:
            response.warnings.append(ignored_warning(ignored))
    response.copy_data_to_top = path.copy_data_to_top or (
        mount == "sys/" and sim.profile.copy_every_sys_answer)
    return response


class Vault:
    """One cluster's logical layer, without HTTP: what the HTTP API calls, for Python callers.

    >>> from fakevault import Simulator
    >>> vault = Simulator(seed=7).vault("a")
    >>> vault.request("read", "sys/replication/dr/status").data
    {'mode': 'disabled'}

    Refusals raise :class:`fakevault.VaultError` (with Vault's messages and a status hint).
    """

    def __init__(self, sim: Simulator, name: str) -> None:
        sim[name]  # an unknown cluster is a KeyError now, not at the first request
        self.sim = sim
        self.name = name

    def __repr__(self) -> str:
        return f"Vault(sim={self.sim!r}, name={self.name!r})"

    def request(self, operation: Operation, path: str, data: Mapping[str, Any] | None = None,
                *, token: str = "", control: bool = False, wrap_ttl: str = "") -> Response:
        """Run ``operation`` on ``path`` with ``data`` as the holder of ``token``; with
        ``wrap_ttl`` ("5m") the answer is only ``wrap_info``, as with ``X-Vault-Wrap-TTL``."""
        return handle(self.sim, self.name,
                      Request(operation, path, dict(data or {}), token=token, control=control,
                              wrap_ttl=wrap_ttl))


def declared_paths() -> list[tuple[str, Backend, Path]]:
    """Every declaration with its mount, in routing order (for documents and tests)."""
    return [(mount, backend, path) for mount, backend in BACKENDS for path in backend.paths]


__all__ = ["BACKENDS", "Field", "Vault", "declared_paths", "handle", "resolve"]
