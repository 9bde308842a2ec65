"""``sys/wrapping/wrap``, ``unwrap``, ``lookup`` and ``rewrap`` (fact 14).

Any request may ask for its answer wrapped (``X-Vault-Wrap-TTL``, or ``wrap_ttl`` on a logical
request): the router then answers only ``wrap_info`` (:func:`wrap_response`). The tokens and
the stored responses are :mod:`fakevault.model.wrapping`'s.
"""

from __future__ import annotations

from typing import Any

from fakevault.model import wrapping
from fakevault.model.messages import error
from fakevault.vault.context import Context
from fakevault.vault.framework import Field, Path
from fakevault.vault.logical import Response


def wrap_response(ctx: Context, response: Response, ttl: int) -> Response:
    """``response`` stored behind a new wrapping token: only ``wrap_info`` is answered."""
    if ttl <= 0 or response.raw is not None or response.raw_status is not None or \
            response.is_empty or response.wrap_info is not None:
        return response  # Vault wraps only a response with a body of its own
    stored: dict[str, Any] = {"data": response.data, "auth": response.auth,
                              "warnings": response.warnings or None,
                              "mount_type": response.mount_type}
    info = wrapping.wrap(ctx.cluster, stored, ttl, ctx.path)
    return Response(wrap_info=info, mount_type=response.mount_type)


def _target(ctx: Context) -> str:
    """The wrapping token: the ``token`` field, else the caller's own token."""
    token: str = ctx.data.get("token") or ctx.request.token
    if not token:
        raise error("wrapping_token_invalid")
    return token


def wrap(ctx: Context) -> Response:
    """``sys/wrapping/wrap``: wrap the request's own data (needs a wrap TTL)."""
    if not wrapping.wrap_ttl(ctx.request.wrap_ttl):
        raise error("wrapping_required")
    return Response(data=dict(ctx.data.values))


def unwrap(ctx: Context) -> Response:
    """``sys/wrapping/unwrap``: the wrapped response, once."""
    stored = wrapping.unwrap(ctx.cluster, _target(ctx))
    return Response(data=stored.get("data"), auth=stored.get("auth"),
                    warnings=list(stored.get("warnings") or []),
                    mount_type=str(stored.get("mount_type", "")))


def lookup(ctx: Context) -> Response:
    """``sys/wrapping/lookup``: creation TTL, time and path, without spending the token."""
    return Response(data=wrapping.lookup(ctx.cluster, _target(ctx)))


def rewrap(ctx: Context) -> Response:
    """``sys/wrapping/rewrap``: the same response behind a new token (the old one is spent)."""
    return Response(wrap_info=wrapping.rewrap(ctx.cluster, _target(ctx)))


_TOKEN = Field("token", "string", "The wrapping token (the request's token when unset).")

PATHS: tuple[Path, ...] = (
    Path("wrapping/wrap", {"update": wrap}, raw_data=True, answers="wrapping:wrap",
         summary="Wrap the request body in a single-use token (needs X-Vault-Wrap-TTL)."),
    Path("wrapping/unwrap", {"update": unwrap}, (_TOKEN,), answers="wrapping:unwrap",
         summary="Answer the wrapped response, spending the wrapping token."),
    Path("wrapping/lookup", {"update": lookup, "read": lookup},
         (Field("token", "string", "The wrapping token.", location="both"),), auth="none",
         answers="wrapping:lookup", summary="Look up a wrapping token's creation details."),
    Path("wrapping/rewrap", {"update": rewrap}, (_TOKEN,), answers="wrapping:rewrap",
         summary="Move a wrapped response to a new wrapping token."),
)
