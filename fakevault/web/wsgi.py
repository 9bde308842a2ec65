"""``/ui/``: the web view's page, served in front of the fake's own WSGI app.

Everything outside ``/ui`` goes to the wrapped app untouched, so Vault's API and the control
plane answer exactly as before. The page reads ``/_fakevault/view`` on its own origin and loads
nothing from anywhere else (the Content-Security-Policy says so), so it works offline.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.wrappers import Response

from fakevault.web import assets

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
PREFIX = "/ui"
#: Nothing but this origin: no CDN, no inline script, no frames.
POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
          "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


class WebView:
    """WSGI middleware: ``/ui/`` serves the web view, every other path goes to ``app``."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app
        self._bodies: dict[str, bytes] = {}

    def __repr__(self) -> str:
        return f"WebView({self.app!r})"

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> \
            Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path != PREFIX and not path.startswith(PREFIX + "/"):
            return self.app(environ, start_response)
        response = self.respond(path, environ.get("REQUEST_METHOD", "GET").upper())
        return response(environ, start_response)

    def respond(self, path: str, method: str) -> Response:
        """The answer to ``method path`` under ``/ui``."""
        if path == PREFIX:
            return Response(status=301, headers={"Location": PREFIX + "/"})
        name = path.removeprefix(PREFIX + "/") or "index.html"
        if name not in assets.FILES:
            return _error(404, f"no such file in the web view: {path}; the page is at {PREFIX}/")
        if method not in ("GET", "HEAD"):
            return _error(405, f"{method} is not allowed on {path}: the web view is read-only "
                          "(its controls call /_fakevault/)", allow="GET, HEAD")
        body = self._bodies.get(name)
        if body is None:
            body = self._bodies[name] = assets.read(name).encode()
        response = Response(body, content_type=assets.FILES[name])  # HEAD: Werkzeug drops it
        response.headers["Cache-Control"] = "no-cache"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = POLICY
        return response


def _error(status: int, message: str, allow: str = "") -> Response:
    response = Response(json.dumps({"errors": [message]}), status=status,
                        content_type="application/json")
    if allow:
        response.headers["Allow"] = allow
    return response


def with_web_view(app: WSGIApp) -> WebView:
    """``app`` with the web view at ``/ui/`` in front of it."""
    return WebView(app)
