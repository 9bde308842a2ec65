"""``GET /sys/internal/specs/openapi``: the OpenAPI document of every path fakevault serves.

Unauthenticated, as in Vault (``internal/specs/openapi`` is in the system backend's
unauthenticated paths), and answered as top-level JSON, as Vault writes it (a raw body, no
``data`` envelope).
"""

from __future__ import annotations

from fakevault.vault.context import Context
from fakevault.vault.framework import Field, Path
from fakevault.vault.logical import Response


def openapi(ctx: Context) -> Response:
    """``GET /sys/internal/specs/openapi``: the OpenAPI 3 document of every path served."""
    from fakevault.vault.openapi import document  # built from every backend's declarations

    return Response(raw=document(generic_mount_paths=ctx.data.get("generic_mount_paths"),
                                 version=ctx.sim.vault_version))


PATHS: tuple[Path, ...] = (
    Path("internal/specs/openapi", {"read": openapi},
         (Field("generic_mount_paths", "bool", "Describe KV paths with a {secret_mount_path} "
                "parameter instead of secret/.", location="query"),),
         auth="none", dr_ok=True, answers="specs:openapi"),
)
