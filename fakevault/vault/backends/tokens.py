"""The token store: ``auth/token/create``, ``create-orphan``, ``lookup``, ``lookup-self``,
``revoke-self``. Tokens are written where Vault keeps them (see ``fakevault.model.auth``).
Renewal, revocation and accessors are in :mod:`.token_lifecycle`, roles in :mod:`.token_roles`.
"""

from __future__ import annotations

from typing import Any

from fakevault.model.auth import (
    TokenEntry,
    TokenRequest,
    create_token,
    lookup_token,
    revoke_tree,
)
from fakevault.model.clock import rfc3339_nano
from fakevault.model.errors import InvalidRequestError, PermissionDeniedError
from fakevault.model.messages import error
from fakevault.vault.context import Context
from fakevault.vault.framework import Field, Path
from fakevault.vault.logical import PERMISSION_DENIED
from fakevault.vault.logical import Response as Reply

#: Vault names the mount that answered; the token store's type is "token".
MOUNT_TYPE = "token"


def create(ctx: Context) -> Reply:
    """``auth/token/create``: a child of the caller's token (an orphan with ``no_parent``)."""
    return _create(ctx, orphan=False)


def create_orphan(ctx: Context) -> Reply:
    """``auth/token/create-orphan``: an orphan token, no sudo needed."""
    return _create(ctx, orphan=True)


def lookup_self(ctx: Context) -> Reply:
    """``GET auth/token/lookup-self``: the caller's token."""
    return Reply(data=lookup_data(ctx, caller(ctx)), mount_type=MOUNT_TYPE)


def lookup(ctx: Context) -> Reply:
    """``auth/token/lookup``: the token in ``token`` (body or query), else the caller's."""
    token_id = ctx.data.get("token") or caller(ctx).id
    entry = lookup_token(ctx.cluster, token_id)
    if entry is None:
        raise error("token_bad_token")
    return Reply(data=lookup_data(ctx, entry), mount_type=MOUNT_TYPE)


def revoke_self(ctx: Context) -> Reply:
    """``auth/token/revoke-self``: the caller's token and its children stop working (204)."""
    revoke_tree(ctx.cluster, caller(ctx))
    return Reply(empty=True)


# -- helpers ---------------------------------------------------------------------------------
def caller(ctx: Context) -> TokenEntry:
    """The token that made the request (the route is authenticated, so auth has set it)."""
    if ctx.token is None:  # the route is authenticated, so auth has set it
        raise PermissionDeniedError(PERMISSION_DENIED)
    return ctx.token


def _create(ctx: Context, orphan: bool) -> Reply:
    request = token_request(ctx, orphan)
    entry, warnings = create_token(ctx.cluster, caller(ctx), request)
    return Reply(auth=auth_data(entry), warnings=warnings, mount_type=MOUNT_TYPE)


def token_request(ctx: Context, orphan: bool) -> TokenRequest:
    """The create parameters, typed (each bad one is a 400 naming its field)."""
    data = ctx.data
    ttl_field = "ttl" if "ttl" in data or "lease" not in data else "lease"
    return TokenRequest(
        policies=tuple(data.get("policies")),
        ttl=data.get(ttl_field),
        explicit_max_ttl=data.get("explicit_max_ttl"),
        period=data.get("period"),
        type=data.get("type"),
        no_parent=data.get("no_parent"),
        no_default_policy=data.get("no_default_policy"),
        renewable=data.get("renewable"),
        display_name=data.get("display_name"),
        meta=_meta(ctx),
        num_uses=data.get("num_uses"),
        id=data.get("id"),
        orphan=orphan,
        path=ctx.path,
    )


def _meta(ctx: Context) -> tuple[tuple[str, str], ...]:
    """``meta`` as string pairs (mapstructure's weak decoding of numbers and booleans)."""
    pairs = []
    for key, value in sorted(ctx.data.get("meta").items()):
        if isinstance(value, bool):
            value = "1" if value else "0"
        elif isinstance(value, int | float):
            value = str(value)
        if not isinstance(value, str):
            raise InvalidRequestError(f'invalid value for "meta": "{key}" must be a string')
        pairs.append((str(key), value))
    return tuple(pairs)


def auth_data(entry: TokenEntry) -> dict[str, Any]:
    """Vault's ``auth`` object for a newly created token."""
    return {
        "client_token": entry.id,
        "accessor": entry.accessor,
        "policies": list(entry.policies),
        "token_policies": list(entry.policies),
        "metadata": dict(entry.meta) or None,
        "lease_duration": entry.renewed_ttl or entry.ttl,
        "renewable": entry.renewable,
        "entity_id": "",
        "token_type": entry.type,
        "orphan": entry.orphan,
        "mfa_requirement": None,
        "num_uses": entry.num_uses,
    }


def lookup_data(ctx: Context, entry: TokenEntry) -> dict[str, Any]:
    """Vault's ``data`` for a token lookup (``ttl`` is what remains now)."""
    now = ctx.sim.clock.now()
    data: dict[str, Any] = {
        "accessor": entry.accessor,
        "creation_time": int(entry.creation_time),
        "creation_ttl": entry.ttl,
        "display_name": entry.display_name,
        "entity_id": "",
        "expire_time": None,
        "explicit_max_ttl": entry.explicit_max_ttl,
        "id": entry.id,
        "meta": dict(entry.meta) or None,
        "num_uses": entry.num_uses,
        "orphan": entry.orphan,
        "path": entry.path,
        "policies": list(entry.policies),
        "renewable": entry.renewable,
        "ttl": entry.remaining(now),
        "type": entry.type,
    }
    if entry.id != ctx.sim.root_token:  # the dev-style root token has no lease
        data["issue_time"] = rfc3339_nano(entry.creation_time)
    if entry.ttl > 0:
        data["expire_time"] = rfc3339_nano(entry.expire_time)
    if entry.period:
        data["period"] = entry.period
    if entry.role:
        data["role"] = entry.role
    if entry.last_renewal:
        data["last_renewal_time"] = int(entry.last_renewal)
        data["last_renewal"] = rfc3339_nano(entry.last_renewal)
    return dict(sorted(data.items()))  # Go encodes maps with sorted keys


# -- declarations (relative to auth/token/) --------------------------------------------------

TOKEN_CREATE_FIELDS = (
    Field("policies", "strings", "The policies of the new token (a subset of the caller's)."),
    Field("ttl", "duration", "The token's TTL."),
    Field("lease", "duration", "Deprecated: the TTL (when ttl is unset)."),
    Field("explicit_max_ttl", "duration", "A hard cap on the token's lifetime."),
    Field("period", "duration", "Make the token periodic with this period."),
    Field("type", "string", "The token type.", enum=("service", "batch")),
    Field("no_parent", "bool", "Create an orphan token (root or sudo callers only)."),
    Field("no_default_policy", "bool", 'Do not attach the "default" policy.'),
    Field("renewable", "bool", "Whether the token may be renewed (default true).",
          default=True),
    Field("display_name", "string", "The token's display name."),
    Field("meta", "map", "Metadata as string pairs.", values="string"),
    # Vault checks the sign itself, with its own message.
    Field("num_uses", "int", "The number of uses (0: unlimited; not negative)."),
    Field("id", "string", "A custom token ID (root callers only)."),
)
_LOOKUP = (Field("token", "string", "The token to look up (the caller's if unset).",
                 location="both"),)

PATHS: tuple[Path, ...] = (
    Path("create", {"update": create}, TOKEN_CREATE_FIELDS, answers="tokens:create"),
    Path("create-orphan", {"update": create_orphan}, TOKEN_CREATE_FIELDS,
         answers="tokens:create_orphan"),
    Path("lookup-self", {"read": lookup_self}, answers="tokens:lookup_self"),
    Path("lookup", {"read": lookup, "update": lookup}, _LOOKUP, answers="tokens:lookup"),
    Path("revoke-self", {"update": revoke_self}, answers="tokens:revoke_self"),
)
