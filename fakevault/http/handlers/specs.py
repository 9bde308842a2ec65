"""``GET /sys/internal/specs/openapi``: the OpenAPI document of every path fakevault serves.

Unauthenticated, as in Vault (``internal/specs/openapi`` is in the system backend's
unauthenticated paths), and answered as top-level JSON, as Vault writes it (a raw body, no
``data`` envelope).
"""

from __future__ import annotations

from fakevault.http.context import Context
from fakevault.http.openapi import document
from fakevault.http.serialize import Reply


def openapi(ctx: Context) -> Reply:
    """``GET /sys/internal/specs/openapi``: the OpenAPI 3 document of every path served."""
    return Reply(raw=document(generic_mount_paths=ctx.params.boolean("generic_mount_paths")))
