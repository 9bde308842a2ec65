"""Vault's JSON envelope and the one way the fake writes a JSON response."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from werkzeug.wrappers import Response

#: Exactly this: hvac parses error bodies only when the header is exactly "application/json".
JSON_CONTENT_TYPE = "application/json"
_ENCODER = json.JSONEncoder(separators=(",", ":"), check_circular=False)


@dataclass
class Reply:
    """What a handler answers; the edge turns it into Vault's envelope (or a raw body)."""

    data: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)
    wrap_info: dict[str, Any] | None = None
    auth: dict[str, Any] | None = None
    top_level: dict[str, Any] = field(default_factory=dict)
    #: Vault copies ``data`` to the top level of every ``sys/`` answer (old clients read it).
    copy_data_to_top: bool = False
    raw: Any = None
    raw_status: int | None = None
    empty: bool = False
    mount_type: str = "system"


def json_response(body: Any, status: int, headers: dict[str, str] | None = None) -> Response:
    """A response whose body is ``body`` as JSON, with Vault's exact content type."""
    text = _ENCODER.encode(body) + "\n"
    return Response(text, status=status, headers=headers, content_type=JSON_CONTENT_TYPE)


def empty_response(status: int = 204, content_type: str | None = None) -> Response:
    """A body-less response (Vault's 204, or a HEAD answer that keeps its content type)."""
    response = Response(status=status)
    response.headers.pop("Content-Type", None)
    if content_type:
        response.headers["Content-Type"] = content_type
    return response


def envelope(reply: Reply, request_id: str) -> dict[str, Any]:
    """Vault's logical response envelope for ``reply``."""
    wrapped = reply.wrap_info is not None
    body: dict[str, Any] = {
        "request_id": "" if wrapped else request_id,
        "lease_id": "",
        "renewable": False,
        "lease_duration": 0,
        "data": None if wrapped else reply.data,
        "wrap_info": reply.wrap_info,
        "warnings": reply.warnings or None,
        "auth": reply.auth,
        "mount_type": "" if wrapped else reply.mount_type,
    }
    if reply.copy_data_to_top and isinstance(reply.data, dict):
        body.update({k: v for k, v in reply.data.items() if k not in body})
    body.update(reply.top_level)
    return body


def render(reply: Reply, request_id: str, head: bool = False) -> Response:
    """The HTTP response for ``reply``: raw, 204, or 200 with the envelope."""
    if reply.raw is not None or reply.raw_status is not None:
        status = reply.raw_status or 200
        if head or reply.raw is None:
            # Vault's RespondWithStatusCode(nil, ...) still says application/json on errors.
            typed = reply.raw is not None or status >= 400
            return empty_response(status, JSON_CONTENT_TYPE if typed else None)
        return json_response(reply.raw, status)
    if reply.empty and not reply.warnings:
        return empty_response()
    return json_response(envelope(reply, request_id), 200)
