"""Vault's JSON envelope and the one way the fake writes a JSON response."""

from __future__ import annotations

import json
from typing import Any

from werkzeug.wrappers import Response

from fakevault.vault import logical

#: Exactly this: hvac parses error bodies only when the header is exactly "application/json".
JSON_CONTENT_TYPE = "application/json"
_ENCODER = json.JSONEncoder(separators=(",", ":"), check_circular=False)


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


def render(reply: logical.Response, request_id: str, head: bool = False) -> Response:
    """The HTTP response for ``reply``: raw, 204, or 200 with the envelope."""
    if reply.raw is not None or reply.raw_status is not None:
        status = reply.raw_status or 200
        if head or reply.raw is None:
            # Vault's RespondWithStatusCode(nil, ...) still says application/json on errors.
            typed = reply.raw is not None or status >= 400
            return empty_response(status, JSON_CONTENT_TYPE if typed else None)
        return json_response(reply.raw, status)
    if reply.is_empty:
        return empty_response()
    body = logical.envelope(reply, request_id)
    if reply.copy_data_to_top and isinstance(reply.data, dict):
        body.update({k: v for k, v in reply.data.items() if k not in body})
    return json_response(body, 200)
