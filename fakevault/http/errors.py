"""The only place that turns errors into HTTP status codes and ``{"errors": [...]}`` bodies."""

from __future__ import annotations

from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from fakevault.http.serialize import empty_response, json_response
from fakevault.model.errors import VaultError
from fakevault.vault.logical import INVALID_TOKEN as INVALID_TOKEN
from fakevault.vault.logical import PERMISSION_DENIED as PERMISSION_DENIED
from fakevault.vault.logical import UNSUPPORTED_OPERATION as UNSUPPORTED_OPERATION
from fakevault.vault.logical import UNSUPPORTED_PATH

#: Methods Vault's HTTP layer knows; any other gets 405 with an empty error list.
KNOWN_METHODS = frozenset({"GET", "POST", "PUT", "DELETE", "LIST", "PATCH", "HEAD", "OPTIONS"})


def from_vault_error(exc: VaultError, head: bool = False) -> Response:
    """A domain error rendered with its status hint (a HEAD's bare error: no body, no type)."""
    messages = [m for m in exc.messages if m]
    if head and not messages:
        return empty_response(exc.status_hint)
    return json_response({"errors": messages}, exc.status_hint)


def unsupported_path() -> Response:
    """404 for a path no route serves."""
    return json_response({"errors": [UNSUPPORTED_PATH]}, 404)


def unknown_method() -> Response:
    """405 with an empty error list: a verb Vault's HTTP layer does not know (no ``Allow``)."""
    return json_response({"errors": []}, 405)


def unsupported_media_type(message: str) -> Response:
    """415, as for PATCH without the merge-patch content type."""
    return json_response({"errors": [message]}, 415)


def payload_too_large(limit: int) -> Response:
    """413 for a body over Vault's request size limit."""
    return json_response({"errors": [f"http: request body too large (limit {limit} bytes)"]}, 413)


def no_such_cluster(host: str, known: str) -> Response:
    """404: the Host header names no cluster of the world."""
    return json_response({"errors": [f"fakevault: no cluster serves host {host!r}; {known}"]},
                         404)


def internal_error(exc: BaseException) -> Response:
    """500: a fakevault bug (recorded on the app so tests can re-raise it)."""
    return json_response({"errors": [f"fakevault internal error: {type(exc).__name__}: {exc}"]},
                         500)


def from_http_exception(exc: HTTPException) -> Response:
    """Any other Werkzeug HTTP error, in Vault's error shape."""
    return json_response({"errors": [exc.description or exc.name]}, exc.code or 400)
