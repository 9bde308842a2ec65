"""``auth/token/roles/:name`` (create, read, list, delete) and ``auth/token/create/:role``.

A role's ``token_*`` fields and their older names (``period``, ``explicit_max_ttl``) are both
accepted; the ``token_*`` name wins when both are sent, as in Vault.
"""

from __future__ import annotations

from typing import Any

from fakevault.model.auth import create_token
from fakevault.model.messages import error
from fakevault.model.token_roles import (
    TOKEN_TYPES,
    TokenRole,
    delete_role,
    list_roles,
    read_role,
    role_name,
    write_role,
)
from fakevault.vault.backends.tokens import (
    MOUNT_TYPE,
    TOKEN_CREATE_FIELDS,
    auth_data,
    caller,
    token_request,
)
from fakevault.vault.context import Context
from fakevault.vault.framework import Field, Path
from fakevault.vault.logical import Response as Reply


def create_with_role(ctx: Context) -> Reply:
    """``auth/token/create/:role``: a token shaped by the role."""
    role = read_role(ctx.cluster, str(ctx.args["name"]))
    if role is None:
        raise error("token_unknown_role", role=ctx.args["name"])
    entry, warnings = create_token(ctx.cluster, caller(ctx), token_request(ctx, False), role)
    return Reply(auth=auth_data(entry), warnings=warnings, mount_type=MOUNT_TYPE)


def _either(ctx: Context, name: str, legacy: str, current: Any) -> Any:
    """The ``token_*`` field if sent, else its older name if sent, else ``current``."""
    for field_name in (name, legacy):
        if ctx.data.raw(field_name) is not None:
            return ctx.data.get(field_name)
    return current


def write(ctx: Context) -> Reply:
    """Create or update a role (204); fields not sent keep their stored values."""
    name = role_name(str(ctx.args["name"]))
    role = read_role(ctx.cluster, name) or TokenRole(name=name)
    data = ctx.data
    for attr in ("allowed_policies", "disallowed_policies", "orphan", "renewable",
                 "path_suffix"):
        if data.raw(attr) is not None:
            setattr(role, attr, data.get(attr))
    role.token_type = data.get("token_type") if data.raw("token_type") is not None \
        else role.token_type
    role.period = _either(ctx, "token_period", "period", role.period)
    role.explicit_max_ttl = _either(ctx, "token_explicit_max_ttl", "explicit_max_ttl",
                                    role.explicit_max_ttl)
    role.num_uses = _either(ctx, "token_num_uses", "token_num_uses", role.num_uses)
    write_role(ctx.cluster, role)
    return Reply(empty=True, mount_type=MOUNT_TYPE)


def read(ctx: Context) -> Reply:
    """Read a role (404 when there is none, as Vault's nil response)."""
    role = read_role(ctx.cluster, str(ctx.args["name"]))
    if role is None:
        return Reply(raw_status=404, raw={"errors": []})
    return Reply(data={
        "allowed_policies": role.allowed_policies, "disallowed_policies": role.disallowed_policies,
        "explicit_max_ttl": role.explicit_max_ttl, "name": role.name, "orphan": role.orphan,
        "path_suffix": role.path_suffix, "period": role.period, "renewable": role.renewable,
        "token_explicit_max_ttl": role.explicit_max_ttl, "token_num_uses": role.num_uses,
        "token_period": role.period, "token_type": role.token_type}, mount_type=MOUNT_TYPE)


def delete(ctx: Context) -> Reply:
    """Delete a role (204, also when there was none)."""
    delete_role(ctx.cluster, str(ctx.args["name"]))
    return Reply(empty=True, mount_type=MOUNT_TYPE)


def list_all(ctx: Context) -> Reply:
    """``LIST auth/token/roles``."""
    names = list_roles(ctx.cluster)
    if not names:
        return Reply(raw_status=404, raw={"errors": []})
    return Reply(data={"keys": names}, mount_type=MOUNT_TYPE)


def _exists(ctx: Context) -> bool:
    return read_role(ctx.cluster, str(ctx.args["name"])) is not None


_ROLE_FIELDS = (
    Field("allowed_policies", "strings", "Policies tokens of this role may have (default: "
          "the creator's)."),
    Field("disallowed_policies", "strings", "Policies tokens of this role may never have."),
    Field("orphan", "bool", "Tokens of this role have no parent."),
    Field("renewable", "bool", "Tokens of this role may be renewed (default true)."),
    Field("path_suffix", "string", "Appended to the tokens' creation path."),
    Field("token_type", "string", "The tokens' type.", enum=TOKEN_TYPES),
    Field("token_period", "duration", "Make the tokens periodic with this period."),
    Field("period", "duration", "Deprecated: token_period."),
    Field("token_explicit_max_ttl", "duration", "A hard cap on the tokens' lifetime."),
    Field("explicit_max_ttl", "duration", "Deprecated: token_explicit_max_ttl."),
    Field("token_num_uses", "int", "The tokens' number of uses (0: unlimited).", minimum=0),
)
_NAME = "roles/(?P<name>[^/]+)"

PATHS: tuple[Path, ...] = (
    Path("create/(?P<name>[^/]+)", {"update": create_with_role}, TOKEN_CREATE_FIELDS,
         answers="tokens:create"),
    Path("roles/?", {"list": list_all}, answers="tokens:roles"),
    Path(_NAME, {"update": write, "read": read, "delete": delete}, _ROLE_FIELDS,
         existence_check=_exists, answers="tokens:role"),
)
