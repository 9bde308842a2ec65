"""``sys/internal/ui/mounts``: what the ``vault kv`` CLI, consul-template and Terraform read to
learn a mount's type and KV version (fact 19). Without it ``vault kv put`` falls back to KV v1.

Vault lists a mount without a token only when its ``listing_visibility`` is ``unauth``; no
simulated mount is, so a caller without a valid token sees empty lists and gets a 403 for one
mount, as a dev server answers.
"""

from __future__ import annotations

from typing import Any

from fakevault.model.auth import lookup_token
from fakevault.model.errors import PermissionDeniedError
from fakevault.vault.context import Context
from fakevault.vault.framework import Path
from fakevault.vault.identity import digest
from fakevault.vault.logical import PERMISSION_DENIED, Response
from fakevault.vault.mount_table import find_mount, mounts


def _token_auth(ctx: Context) -> dict[str, Any]:
    # The built-in token auth method, as every cluster has it.
    accessor = "auth_token_" + digest("auth-token", ctx.sim.seed)[:8]
    return {"accessor": accessor, "config": {"default_lease_ttl": 0, "max_lease_ttl": 0,
                                             "token_type": "default-service"},
            "description": "token based credentials", "external_entropy_access": False,
            "local": False, "options": None, "plugin_version": "", "seal_wrap": False,
            "type": "token", "uuid": digest("auth-token-uuid", ctx.sim.seed)[:36]}


def _has_token(ctx: Context) -> bool:
    return bool(ctx.request.token) and lookup_token(ctx.cluster, ctx.request.token) is not None


def list_ui_mounts(ctx: Context) -> Response:
    """Every secrets engine and auth method the caller's token may see."""
    if not _has_token(ctx):
        return Response(data={"auth": {}, "secret": {}})
    secret = {path: mount.info() for path, mount in mounts(ctx.cluster).items()}
    return Response(data={"auth": {"token/": _token_auth(ctx)}, "secret": secret})


def read_ui_mount(ctx: Context) -> Response:
    """One mount, found by any path inside it, with its ``path`` (how the CLI learns it)."""
    if not _has_token(ctx):
        raise PermissionDeniedError(PERMISSION_DENIED)
    path = str(ctx.args["path"]).lstrip("/")
    found = find_mount(ctx.cluster, path if path.endswith("/") else path + "/")
    if found is None:
        raise PermissionDeniedError(PERMISSION_DENIED)  # Vault does not say what exists
    return Response(data={**found.info(), "path": found.path})


PATHS: tuple[Path, ...] = (
    Path("internal/ui/mounts", {"read": list_ui_mounts}, auth="none", requires="ui_mounts",
         answers="ui:mounts"),
    Path("internal/ui/mounts/(?P<path>.+)", {"read": read_ui_mount}, auth="none",
         requires="ui_mounts", answers="ui:mount"),
)
