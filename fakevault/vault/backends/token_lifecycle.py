"""``auth/token/``: renew, renew-self, renew-accessor, revoke, revoke-accessor, revoke-orphan,
lookup-accessor and ``LIST accessors`` (sudo), over :mod:`fakevault.model.token_lifecycle`.
"""

from __future__ import annotations

from fakevault.model.auth import lookup_token
from fakevault.model.messages import error
from fakevault.model.token_lifecycle import accessors, by_accessor, renew, revoke, revoke_orphan
from fakevault.vault.backends.tokens import MOUNT_TYPE, auth_data, caller, lookup_data
from fakevault.vault.context import Context
from fakevault.vault.framework import Field, Path
from fakevault.vault.logical import Response as Reply


def _token_field(ctx: Context) -> str:
    token_id: str = ctx.data.get("token")
    if not token_id:
        raise error("token_missing_id")
    return token_id


def _renewed(ctx: Context, token_id: str, *, hide_token: bool = False) -> Reply:
    entry = lookup_token(ctx.cluster, token_id)
    if entry is None:
        raise error("token_not_found")
    warnings = renew(ctx.cluster, entry, ctx.data.get("increment"))
    auth = auth_data(entry)
    if hide_token:  # renew-accessor never shows the token itself
        auth["client_token"] = ""
    return Reply(auth=auth, warnings=warnings, mount_type=MOUNT_TYPE)


def renew_token(ctx: Context) -> Reply:
    """``auth/token/renew``: renew the token in ``token`` (200 with an ``auth`` block)."""
    return _renewed(ctx, _token_field(ctx))


def renew_self(ctx: Context) -> Reply:
    """``auth/token/renew-self``: renew the caller's token."""
    return _renewed(ctx, caller(ctx).id)


def renew_accessor(ctx: Context) -> Reply:
    """``auth/token/renew-accessor``: renew the token behind ``accessor``."""
    return _renewed(ctx, by_accessor(ctx.cluster, ctx.data.get("accessor")).id, hide_token=True)


def revoke_token(ctx: Context) -> Reply:
    """``auth/token/revoke``: the token and its children (204, also for an unknown token)."""
    revoke(ctx.cluster, _token_field(ctx))
    return Reply(empty=True)


def revoke_accessor(ctx: Context) -> Reply:
    """``auth/token/revoke-accessor``: the token behind ``accessor`` and its children."""
    revoke(ctx.cluster, by_accessor(ctx.cluster, ctx.data.get("accessor")).id)
    return Reply(empty=True)


def revoke_orphaning(ctx: Context) -> Reply:
    """``auth/token/revoke-orphan`` (sudo): the token only; its children become orphans."""
    revoke_orphan(ctx.cluster, _token_field(ctx))
    return Reply(empty=True)


def lookup_accessor(ctx: Context) -> Reply:
    """``auth/token/lookup-accessor``: the token behind ``accessor``, its ``id`` blanked."""
    data = lookup_data(ctx, by_accessor(ctx.cluster, ctx.data.get("accessor")))
    data["id"] = ""
    return Reply(data=data, mount_type=MOUNT_TYPE)


def list_accessors(ctx: Context) -> Reply:
    """``LIST auth/token/accessors`` (sudo): every live token's accessor."""
    return Reply(data={"keys": accessors(ctx.cluster)}, mount_type=MOUNT_TYPE)


_TOKEN = Field("token", "string", "The token (required).")
_ACCESSOR = Field("accessor", "string", "The token's accessor (required).")
_INCREMENT = Field("increment", "duration", "The TTL to ask for (default: the last TTL).")

PATHS: tuple[Path, ...] = (
    Path("renew", {"update": renew_token}, (_TOKEN, _INCREMENT), answers="tokens:renew"),
    Path("renew-self", {"update": renew_self}, (_INCREMENT,), answers="tokens:renew"),
    Path("renew-accessor", {"update": renew_accessor}, (_ACCESSOR, _INCREMENT),
         answers="tokens:renew"),
    Path("revoke", {"update": revoke_token}, (_TOKEN,), answers="tokens:revoke"),
    Path("revoke-accessor", {"update": revoke_accessor}, (_ACCESSOR,), answers="tokens:revoke"),
    Path("revoke-orphan", {"update": revoke_orphaning}, (_TOKEN,), auth="sudo",
         answers="tokens:revoke"),
    Path("lookup-accessor", {"update": lookup_accessor}, (_ACCESSOR,),
         answers="tokens:lookup_accessor"),
    Path("accessors/?", {"list": list_accessors}, auth="sudo", answers="tokens:accessors"),
)
