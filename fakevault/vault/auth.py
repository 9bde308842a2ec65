"""Who may call what: the path's auth class, the token's policies, sudo, DR operation tokens."""

from __future__ import annotations

from fakevault.model.acl import allows
from fakevault.model.auth import lookup_token
from fakevault.model.errors import PermissionDeniedError
from fakevault.model.messages import error
from fakevault.model.policy_store import policy_rules
from fakevault.model.token_lifecycle import spend_use
from fakevault.vault.context import Context
from fakevault.vault.logical import INVALID_TOKEN, PERMISSION_DENIED


def authorize(ctx: Context) -> None:
    """Raise unless the request may run: the path's auth class, then the token's policies."""
    kind = ctx.route.auth
    if kind == "none":
        return
    if kind == "dr_op":
        check_dr_operation_token(ctx)
        return
    token_id = ctx.request.token
    if not token_id:
        raise PermissionDeniedError(PERMISSION_DENIED)
    if kind == "control" and token_id == ctx.sim.root_token:
        return  # fakevault's own plane takes the configured root token on every port
    entry = lookup_token(ctx.cluster, token_id)
    if entry is None:
        raise PermissionDeniedError(INVALID_TOKEN)
    ctx.token = entry
    ctx.token_spent = spend_use(ctx.cluster, entry)  # before anything can fail (fact 12)
    if entry.is_root:
        return
    capability = ctx.operation
    check = ctx.route.existence_check
    if capability == "update" and check is not None and not check(ctx):
        capability = "create"  # Vault's existence check: a write that creates needs "create"
    needed = {capability, "sudo"} if kind in ("sudo", "control") else {capability}
    if kind == "control" or not allows(policy_rules(ctx.cluster, entry.policies), ctx.path,
                                       needed):
        raise PermissionDeniedError(PERMISSION_DENIED)


def check_dr_operation_token(ctx: Context) -> None:
    """A DR operation token (from the ceremony) or a batch token allowed on the path."""
    raw = ctx.data.raw("dr_operation_token")
    value = "" if raw is None else ctx.data.fields["dr_operation_token"].decode(raw)
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
