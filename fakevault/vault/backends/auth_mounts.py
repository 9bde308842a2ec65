"""``sys/auth``: list, enable and disable auth methods (``approle``; ``token`` is built in).

Any other type is a clear 400: fakevault does not simulate it.
"""

from __future__ import annotations

from typing import Any

from fakevault.model.approle import auth_table, disable_auth, enable_auth
from fakevault.vault.context import Context
from fakevault.vault.framework import Field, Path
from fakevault.vault.logical import Response


def _shown(entry: dict[str, Any]) -> dict[str, Any]:
    return {"type": entry["type"], "description": entry["description"],
            "accessor": entry["accessor"], "local": entry["local"], "seal_wrap": False,
            "external_entropy_access": False, "options": None,
            "config": {"default_lease_ttl": 0, "max_lease_ttl": 0,
                       "token_type": "default-service"}}


def list_auth(ctx: Context) -> Response:
    """``GET sys/auth``: every auth mount by path."""
    return Response(data={path: _shown(entry) for path, entry in auth_table(ctx.cluster).items()})


def change(ctx: Context) -> Response:
    """``POST sys/auth/:path`` enables, ``DELETE`` disables (204 either way)."""
    path = str(ctx.args["path"])
    if ctx.operation == "delete":
        disable_auth(ctx.cluster, path)
    else:
        enable_auth(ctx.cluster, path, ctx.data.get("type"), ctx.data.get("description"),
                    ctx.data.get("local"))
    return Response(empty=True)


PATHS: tuple[Path, ...] = (
    Path("auth", {"read": list_auth}, answers="auth:list", summary="List auth methods.",
         copy_data_to_top=True),
    Path("auth/(?P<path>.+)", {"update": change, "delete": change},
         (Field("type", "string", 'The auth method ("approle"; others are not simulated).',
                required=True),
          Field("description", "string", "A description of the mount."),
          Field("local", "bool", "Keep the mount (and its roles) off performance "
                "secondaries.")),
         auth="sudo", answers="auth:mount", summary="Enable or disable an auth method."),
)
