"""Who may call what: X-Vault-Token / Bearer tokens, ACL capabilities, sudo, DR op tokens."""

from __future__ import annotations

from fakevault.http.context import Context
from fakevault.http.errors import INVALID_TOKEN, PERMISSION_DENIED
from fakevault.http.handlers.kv import exists
from fakevault.model.acl import allows
from fakevault.model.auth import lookup_token, policy_rules
from fakevault.model.errors import PermissionDeniedError
from fakevault.model.messages import error


def request_token(ctx: Context) -> str:
    """The token the client sent (X-Vault-Token, else ``Authorization: Bearer``)."""
    token = ctx.request.headers.get("X-Vault-Token", "").strip()
    if token:
        return token
    scheme, _, value = ctx.request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def authorize(ctx: Context, capability: str) -> None:
    """Raise unless the request may run: the route's auth kind, then the token's policies."""
    kind = ctx.route.auth
    if kind == "none":
        return
    if kind == "dr_op":
        check_dr_operation_token(ctx)
        return
    token_id = request_token(ctx)
    if not token_id:
        raise PermissionDeniedError(PERMISSION_DENIED)
    entry = lookup_token(ctx.cluster, token_id)
    if entry is None:
        raise PermissionDeniedError(INVALID_TOKEN)
    ctx.token = entry
    if entry.is_root:
        return
    if capability == "update" and ctx.route.endpoint == "kv:logical" and not exists(ctx):
        capability = "create"  # Vault's existence check: a write that creates needs "create"
    needed = {capability, "sudo"} if kind in ("sudo", "root") else {capability}
    if kind == "root" or not allows(policy_rules(ctx.cluster, entry.policies), ctx.path, needed):
        raise PermissionDeniedError(PERMISSION_DENIED)


def check_dr_operation_token(ctx: Context) -> None:
    """A DR operation token (from the ceremony) or a batch token allowed on the path."""
    value = ctx.params.string("dr_operation_token")
    if not value:
        raise error("dr_operation_token_missing")
    if value in ctx.cluster.ceremony.tokens:
        return
    entry = lookup_token(ctx.cluster, value)
    if entry is not None and entry.type == "batch" and (
            entry.is_root or allows(policy_rules(ctx.cluster, entry.policies), ctx.path,
                                    {"update"})):
        return
    raise error("dr_operation_token_invalid")
