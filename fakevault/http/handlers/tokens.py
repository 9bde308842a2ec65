"""The token store: ``auth/token/create``, ``create-orphan``, ``lookup``, ``lookup-self``,
``revoke-self``. Tokens are written where Vault keeps them (see ``fakevault.model.auth``).
"""

from __future__ import annotations

from typing import Any

from fakevault.http.context import Context
from fakevault.http.errors import PERMISSION_DENIED
from fakevault.http.serialize import Reply
from fakevault.model.auth import (
    TokenEntry,
    TokenRequest,
    create_token,
    lookup_token,
    revoke_tree,
)
from fakevault.model.clock import rfc3339_nano
from fakevault.model.durations import parse_seconds
from fakevault.model.errors import InvalidRequestError, PermissionDeniedError
from fakevault.model.messages import error

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
    return Reply(data=lookup_data(ctx, _caller(ctx)), mount_type=MOUNT_TYPE)


def lookup(ctx: Context) -> Reply:
    """``auth/token/lookup``: the token in ``token`` (body or query), else the caller's."""
    token_id = ctx.params.string("token") or _caller(ctx).id
    entry = lookup_token(ctx.cluster, token_id)
    if entry is None:
        raise error("token_bad_token")
    return Reply(data=lookup_data(ctx, entry), mount_type=MOUNT_TYPE)


def revoke_self(ctx: Context) -> Reply:
    """``auth/token/revoke-self``: the caller's token and its children stop working (204)."""
    revoke_tree(ctx.cluster, _caller(ctx))
    return Reply(empty=True)


# -- helpers ---------------------------------------------------------------------------------
def _caller(ctx: Context) -> TokenEntry:
    if ctx.token is None:  # the route is authenticated, so auth has set it
        raise PermissionDeniedError(PERMISSION_DENIED)
    return ctx.token


def _create(ctx: Context, orphan: bool) -> Reply:
    request = token_request(ctx, orphan)
    entry, warnings = create_token(ctx.cluster, _caller(ctx), request)
    return Reply(auth=auth_data(entry), warnings=warnings, mount_type=MOUNT_TYPE)


def token_request(ctx: Context, orphan: bool) -> TokenRequest:
    """The create parameters, typed (each bad one is a 400 naming its field)."""
    params = ctx.params
    ttl_field = "ttl" if "ttl" in params or "lease" not in params else "lease"
    return TokenRequest(
        policies=tuple(params.strings("policies")),
        ttl=_seconds(ctx, ttl_field),
        explicit_max_ttl=_seconds(ctx, "explicit_max_ttl"),
        period=_seconds(ctx, "period"),
        type=params.string("type") or "service",
        no_parent=params.boolean("no_parent"),
        no_default_policy=params.boolean("no_default_policy"),
        renewable=params.boolean("renewable", True),
        display_name=params.string("display_name"),
        meta=_meta(ctx),
        num_uses=params.integer("num_uses"),
        id=params.string("id"),
        orphan=orphan,
        path=ctx.path,
    )


def _seconds(ctx: Context, name: str) -> int:
    return parse_seconds(ctx.params.duration(name, 0), field=name)


def _meta(ctx: Context) -> tuple[tuple[str, str], ...]:
    """``meta`` as string pairs (mapstructure's weak decoding of numbers and booleans)."""
    pairs = []
    for key, value in sorted(ctx.params.mapping("meta").items()):
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
        "lease_duration": entry.ttl,
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
        data["expire_time"] = rfc3339_nano(entry.creation_time + entry.ttl)
    if entry.period:
        data["period"] = entry.period
    return dict(sorted(data.items()))  # Go encodes maps with sorted keys
