"""``sys/replication/dr/secondary/generate-operation-token/{attempt,update}``.

Answers are top-level JSON (no ``data`` envelope), as Vault's generate-root handlers write them.
The callbacks serve ``sys/generate-root`` too (:mod:`.generate_root`): the path says which
strategy (a root token or a DR operation token) the attempt runs.
"""

from __future__ import annotations

from fakevault.model.ceremony import DR, ROOT
from fakevault.vault.context import Context
from fakevault.vault.framework import Field, Path
from fakevault.vault.logical import Response


def attempt_status(ctx: Context) -> Response:
    """GET: the attempt's progress."""
    return Response(raw=ctx.cluster.ceremony.status(ctx.cluster))


def _kind(ctx: Context) -> str:
    return ROOT if ctx.path.startswith("sys/generate-root/") else DR


def attempt_start(ctx: Context) -> Response:
    """POST/PUT: start an attempt (with ``otp``, or a generated one answered once)."""
    started = ctx.cluster.ceremony.start(ctx.cluster, otp=ctx.data.get("otp"),
                                         pgp_key=ctx.data.get("pgp_key"), kind=_kind(ctx))
    return Response(raw=started)


def attempt_cancel(ctx: Context) -> Response:
    """DELETE: cancel the attempt (204)."""
    ctx.cluster.ceremony.cancel()
    return Response(raw_status=204)


def update(ctx: Context) -> Response:
    """Submit one key share with the attempt's nonce."""
    return Response(raw=ctx.cluster.ceremony.update(ctx.cluster, ctx.data.get("key"),
                                                    ctx.data.get("nonce"), kind=_kind(ctx)))


_PREFIX = "replication/dr/secondary/generate-operation-token/"
PATHS: tuple[Path, ...] = (
    Path(_PREFIX + "attempt",
         {"read": attempt_status, "update": attempt_start, "delete": attempt_cancel},
         (Field("otp", "string", "A one-time pad of otp_length characters; generated (and "
                "answered once) when unset."),
          Field("pgp_key", "string", "A PGP key to encrypt the token with (not simulated).")),
         auth="none", dr_ok=True, answers="ceremony:attempt"),
    Path(_PREFIX + "update", {"update": update},
         (Field("key", "string", "One unseal key share of the primary, hex or base64.",
                required=True, missing="ceremony_key_missing"),
          # Required too, but an attempt checks it first, with its own messages.
          Field("nonce", "string", "The nonce of the attempt (required).")),
         auth="none", dr_ok=True, answers="ceremony:update"),
)
