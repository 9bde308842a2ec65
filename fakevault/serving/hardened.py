"""Werkzeug's threaded server, hardened for ``fakevault serve`` and the live pytest server.

- a read timeout on every socket read (Vault closes idle and half-sent requests too), so a
  half-open connection holds its thread for at most ``READ_TIMEOUT`` seconds;
- at most ``MAX_HEADER_BYTES`` of request line and headers (Go's default, which Vault keeps);
- at most ``max_connections`` connections served at once: one more is answered 503 at once
  and closed, instead of a thread;
- protocol errors (bad request line, headers too large) answered as ``{"errors": [...]}``;
- request log lines without the values of query parameters that carry secrets;
- a Host check against DNS rebinding: only loopback names, the served host, and
  ``allowed_hosts`` are answered; any other Host gets a 403.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import re
import socket
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

READ_TIMEOUT = 30.0
MAX_HEADER_BYTES = 1024 * 1024
MAX_CONNECTIONS = 512
_SECRET_PARAMETER = re.compile(r"(?i)([^&=?\s]*(?:token|key|otp|secret|password|nonce)"
                               r"[^&=\s]*=)[^&\s]*")


class HardenedRequestHandler(WSGIRequestHandler):
    """A request handler with read timeouts, a header limit and JSON protocol errors."""

    timeout = READ_TIMEOUT

    def parse_request(self) -> bool:
        """Parse the request line and headers, refusing more than ``MAX_HEADER_BYTES``."""
        unlimited = self.rfile
        self.rfile = _LimitedReader(  # type: ignore[assignment]
            unlimited, MAX_HEADER_BYTES - len(self.raw_requestline))
        try:
            return super().parse_request()
        finally:
            self.rfile = unlimited

    def send_error(self, code: int, message: str | None = None,
                   explain: str | None = None) -> None:
        """Vault's error shape for what the server itself refuses."""
        text = message or self.responses.get(code, ("error",))[0]
        if self.request_version == "HTTP/0.9":  # the request line was unreadable: answer as
            self.request_version = "HTTP/1.0"  # HTTP/1, with a status line and headers
        body = json.dumps({"errors": [text]}).encode()
        self.log_error("code %d, message %s", code, text)
        self.send_response(code, text)
        self.send_header("Content-Type", "application/json")
        self.send_header("Connection", "close")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.close_connection = True
        if self.command != "HEAD" and code >= 200 and code not in (204, 304):
            self.wfile.write(body)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """One line per request if asked for, with secret query values redacted."""
        if getattr(self.server, "fakevault_log_requests", False):
            path = self.path  # what werkzeug's log line shows
            self.path = redact(path)
            try:
                super().log_request(code, size)
            finally:
                self.path = path


def redact(line: str) -> str:
    """``line`` with the values of token-, key- and secret-like query parameters hidden."""
    return _SECRET_PARAMETER.sub(r"\1<redacted>", line)


class _LimitedReader:
    """A file's readline that raises LineTooLong (answered 431) past a byte budget."""

    def __init__(self, stream: Any, budget: int) -> None:
        self._stream = stream
        self._budget = budget

    def readline(self, size: int = -1) -> bytes:
        line: bytes = self._stream.readline(size)
        self._budget -= len(line)
        if self._budget < 0:
            raise http.client.LineTooLong("header")
        return line

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class HardenedServer(ThreadedWSGIServer):
    """A thread per connection, at most ``max_connections`` of them."""

    max_connections = MAX_CONNECTIONS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._active = 0
        self._count = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        """Serve in a thread, or answer 503 at once when every slot is taken."""
        with self._count:
            full = self._active >= self.max_connections
            if not full:
                self._active += 1
        if full:
            _refuse_connection(request)
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        """Serve one connection and free its slot."""
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._count:
                self._active -= 1


def _refuse_connection(request: socket.socket) -> None:
    body = json.dumps({"errors": ["fakevault: too many connections; try again"]}).encode()
    head = ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    try:
        request.settimeout(1.0)
        request.sendall(head + body)
    except OSError:
        pass


# -- Host check ----------------------------------------------------------------------------------
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class HostCheck:
    """WSGI middleware: answers 403 to a Host header that is not loopback, ``localhost``,
    the served host or one of ``allowed`` (a DNS-rebinding page sends its own name)."""

    def __init__(self, app: WSGIApp, served_host: str, allowed: Iterable[str] = ()) -> None:
        self.app = app
        self.allowed = {_bare(name) for name in (served_host, *allowed)} - {""}

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) \
            -> Iterable[bytes]:
        host = _bare(environ.get("HTTP_HOST", ""))
        if host and not (host in self.allowed or is_loopback(host)):
            body = json.dumps({"errors": [
                f"fakevault: Host {host!r} is not served here; use a loopback address or "
                "start with --allowed-host"]}).encode()
            start_response("403 Forbidden", [("Content-Type", "application/json"),
                                             ("Content-Length", str(len(body)))])
            return [body]
        return self.app(environ, start_response)


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and addresses in 127.0.0.0/8 or ::1."""
    host = _bare(host)
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _bare(host: str) -> str:
    """The host name of a Host header or address, lowercase, without port or brackets."""
    host = host.strip().lower()
    if not host:
        return ""
    try:
        parsed = urlsplit(f"//{host}").hostname
    except ValueError:
        return host
    return (parsed or host).rstrip(".")
