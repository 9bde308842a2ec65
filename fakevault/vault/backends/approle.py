"""The AppRole auth method (``auth/<mount>/``): roles, role IDs, secret IDs and login.

State lives in :mod:`fakevault.model.approle`; hvac's ``client.auth.approle`` drives it.
"""

from __future__ import annotations

import json
from typing import Any

from fakevault.model import approle as model
from fakevault.model.messages import error
from fakevault.vault.backends.tokens import auth_data
from fakevault.vault.context import Context
from fakevault.vault.framework import Field, Path
from fakevault.vault.logical import Response

MOUNT_TYPE = "approle"
_NOT_FOUND = Response(raw={"errors": []}, raw_status=404)


def _mount(ctx: Context) -> str:
    return ctx.mount.removeprefix("auth/")


def _role(ctx: Context) -> model.AppRole:
    return model.require_role(ctx.cluster, _mount(ctx), str(ctx.args["name"]))


def _reply(data: dict[str, Any] | None = None) -> Response:
    return Response(data=data, empty=data is None, mount_type=MOUNT_TYPE)


# -- roles -----------------------------------------------------------------------------------
_ROLE_ATTRS = ("bind_secret_id", "secret_id_num_uses", "secret_id_ttl", "token_policies",
               "token_ttl", "token_max_ttl", "token_period", "token_explicit_max_ttl",
               "token_num_uses", "token_type")


def write_role(ctx: Context) -> Response:
    """Create or update a role; fields not sent keep their values (a new role gets a role ID)."""
    name = str(ctx.args["name"])
    role = model.read_role(ctx.cluster, _mount(ctx), name)
    if role is None:
        role = model.AppRole(name=name, role_id=ctx.data.get("role_id") or ctx.sim.ids.uuid(),
                             local_secret_ids=ctx.data.get("local_secret_ids"))
    for attr in _ROLE_ATTRS:
        if ctx.data.raw(attr) is not None:
            setattr(role, attr, ctx.data.get(attr))
    if ctx.data.raw("token_policies") is None and ctx.data.raw("policies") is not None:
        role.token_policies = ctx.data.get("policies")
    model.write_role(ctx.cluster, _mount(ctx), role)
    return _reply()


def read_role(ctx: Context) -> Response:
    """A role's settings (404 when there is none)."""
    role = model.read_role(ctx.cluster, _mount(ctx), str(ctx.args["name"]))
    if role is None:
        return _NOT_FOUND
    data = {attr: getattr(role, attr) for attr in _ROLE_ATTRS}
    data.update(local_secret_ids=role.local_secret_ids, policies=role.token_policies,
                period=role.token_period)
    return _reply(data)


def delete_role(ctx: Context) -> Response:
    """Delete a role and its secret IDs (204)."""
    model.delete_role(ctx.cluster, _mount(ctx), str(ctx.args["name"]))
    return _reply()


def list_roles(ctx: Context) -> Response:
    """``LIST role``: role names (404 when there are none)."""
    names = model.list_roles(ctx.cluster, _mount(ctx))
    return _reply({"keys": names}) if names else _NOT_FOUND


def role_id(ctx: Context) -> Response:
    """GET the role ID; POST sets it."""
    role = _role(ctx)
    if ctx.operation == "read":
        return _reply({"role_id": role.role_id})
    wanted = ctx.data.get("role_id")
    if not wanted:
        raise error("missing_field", field="role_id")
    role.role_id = wanted
    model.write_role(ctx.cluster, _mount(ctx), role)
    return _reply()


# -- secret IDs ------------------------------------------------------------------------------
def _metadata(ctx: Context) -> dict[str, str]:
    raw = ctx.data.get("metadata")
    if not raw:
        return {}
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict) or not all(isinstance(v, str) for v in parsed.values()):
        raise error("missing_field", field="metadata (a JSON object of strings)")
    return parsed


def secret_id(ctx: Context) -> Response:
    """POST: a new secret ID; LIST: the accessors of the live ones."""
    role = _role(ctx)
    if ctx.operation == "list":
        keys = model.secret_id_accessors(ctx.cluster, _mount(ctx), role)
        return _reply({"keys": keys}) if keys else _NOT_FOUND
    return _reply(model.generate_secret_id(ctx.cluster, _mount(ctx), role, _metadata(ctx)))


def _described(record: dict[str, Any]) -> dict[str, Any]:
    return {"secret_id_accessor": record["accessor"], "secret_id_ttl": record["ttl"],
            "secret_id_num_uses": record["num_uses"], "metadata": record["metadata"]}


def secret_id_lookup(ctx: Context) -> Response:
    """``secret-id/lookup``: the secret ID's details (404 when it is not live)."""
    record = model.lookup_secret_id(ctx.cluster, _mount(ctx), _role(ctx),
                                    ctx.data.get("secret_id"))
    return _NOT_FOUND if record is None else _reply(_described(record))


def secret_id_destroy(ctx: Context) -> Response:
    """``secret-id/destroy``: forget a secret ID (204, also when it was not live)."""
    role = _role(ctx)
    record = model.lookup_secret_id(ctx.cluster, _mount(ctx), role, ctx.data.get("secret_id"))
    if record is not None:
        model.destroy_secret_id(ctx.cluster, _mount(ctx), role, record)
    return _reply()


def accessor_lookup(ctx: Context) -> Response:
    """``secret-id-accessor/lookup``."""
    record = model.secret_id_by_accessor(ctx.cluster, _mount(ctx), _role(ctx),
                                         ctx.data.get("secret_id_accessor"))
    return _reply(_described(record))


def accessor_destroy(ctx: Context) -> Response:
    """``secret-id-accessor/destroy``."""
    role = _role(ctx)
    record = model.secret_id_by_accessor(ctx.cluster, _mount(ctx), role,
                                         ctx.data.get("secret_id_accessor"))
    model.destroy_secret_id(ctx.cluster, _mount(ctx), role, record)
    return _reply()


def login(ctx: Context) -> Response:
    """``login``: a token for ``role_id`` and ``secret_id`` (unauthenticated)."""
    entry = model.login(ctx.cluster, _mount(ctx), ctx.data.get("role_id"),
                        ctx.data.get("secret_id"))
    return Response(auth=auth_data(entry), mount_type=MOUNT_TYPE)


_ROLE = "role/(?P<name>[^/]+)"
_ROLE_FIELDS = (
    Field("bind_secret_id", "bool", "Logins need a secret ID (default true).", default=True),
    Field("secret_id_num_uses", "int", "Uses of each secret ID (0: unlimited).", minimum=0),
    Field("secret_id_ttl", "duration", "Lifetime of each secret ID (0: none)."),
    Field("local_secret_ids", "bool", "Keep secret IDs on the cluster that made them."),
    Field("token_policies", "strings", "Policies of the tokens issued."),
    Field("policies", "strings", "Deprecated: token_policies."),
    Field("token_ttl", "duration", "TTL of the tokens issued."),
    Field("token_max_ttl", "duration", "Max TTL of the tokens issued."),
    Field("token_period", "duration", "Make the tokens periodic."),
    Field("token_explicit_max_ttl", "duration", "A hard cap on the tokens' lifetime."),
    Field("token_num_uses", "int", "Uses of each token (0: unlimited).", minimum=0),
    Field("token_type", "string", "The tokens' type.",
          enum=("default", "service", "batch", "default-service", "default-batch")),
    Field("role_id", "string", "The role ID (default: a new UUID)."),
)
_SECRET = (Field("secret_id", "string", "The secret ID.", required=True),)
_ACCESSOR = (Field("secret_id_accessor", "string", "The secret ID's accessor.", required=True),)

PATHS: tuple[Path, ...] = (
    Path("login", {"update": login},
         (Field("role_id", "string", "The role's ID."),
          Field("secret_id", "string", "A secret ID of the role.")),
         auth="none", answers="approle:login", summary="Log in with a role ID and secret ID."),
    Path("role/?", {"list": list_roles}, answers="approle:roles"),
    Path(_ROLE, {"update": write_role, "read": read_role, "delete": delete_role}, _ROLE_FIELDS,
         answers="approle:role"),
    Path(_ROLE + "/role-id", {"read": role_id, "update": role_id},
         (Field("role_id", "string", "The new role ID."),), answers="approle:role_id"),
    Path(_ROLE + "/secret-id/?", {"update": secret_id, "list": secret_id},
         (Field("metadata", "string", "JSON object of string metadata."),
          Field("cidr_list", "strings", "Not simulated."),
          Field("token_bound_cidrs", "strings", "Not simulated.")),
         answers="approle:secret_id"),
    Path(_ROLE + "/secret-id/lookup", {"update": secret_id_lookup}, _SECRET,
         answers="approle:secret_id_info"),
    Path(_ROLE + "/secret-id/destroy", {"update": secret_id_destroy, "delete": secret_id_destroy},
         _SECRET, answers="approle:destroy"),
    Path(_ROLE + "/secret-id-accessor/lookup", {"update": accessor_lookup}, _ACCESSOR,
         answers="approle:secret_id_info"),
    Path(_ROLE + "/secret-id-accessor/destroy",
         {"update": accessor_destroy, "delete": accessor_destroy}, _ACCESSOR,
         answers="approle:destroy"),
)
