"""The WSGI application: HTTP in, logical requests to each cluster's Vault, HTTP out.

This layer only turns HTTP into logical requests and back: the cluster a request is for (by
Host), method to operation, body and query decoding, size limits, the envelope, status codes
(through :mod:`fakevault.http.errors`) and headers. Routing, auth, parameters and every answer
are the logical layer's (:mod:`fakevault.vault`). The world is passed in; nothing is global.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.wrappers import Request, Response

from fakevault.http import errors
from fakevault.http.json_depth import too_deep
from fakevault.http.serialize import render
from fakevault.model.cluster import Cluster
from fakevault.model.errors import InvalidRequestError, UnsupportedOperationError, VaultError
from fakevault.model.simulator import Simulator
from fakevault.vault import logical
from fakevault.vault.router import handle

#: Vault's default max_request_size.
MAX_REQUEST_SIZE = 32 * 1024 * 1024
#: Internal errors kept for tests to re-raise; older ones are only in the log.
MAX_INTERNAL_ERRORS = 20
_log = logging.getLogger("fakevault")
WSGIEnviron = dict[str, Any]
StartResponse = Any
#: HTTP method -> Vault logical operation (GET with ``?list=true`` is a list).
OPERATIONS: dict[str, logical.Operation] = {
    "GET": "read", "HEAD": "read", "POST": "update", "PUT": "update", "DELETE": "delete",
    "LIST": "list", "PATCH": "patch"}
CONTROL_PREFIX = "/_fakevault/"


class FakeVaultApp:
    """Vault's HTTP API for every cluster of ``sim`` (by Host), or for one bound ``cluster``."""

    def __init__(self, sim: Simulator, cluster: str | None = None,
                 lock: threading.RLock | None = None,
                 max_request_size: int = MAX_REQUEST_SIZE) -> None:
        if cluster is not None:
            sim[cluster]
        self.sim = sim
        self.bound = cluster
        self.lock = lock or threading.RLock()
        self.max_request_size = max_request_size
        self._hosts: tuple[tuple[str, ...], dict[str, str]] = ((), {})
        self.internal_errors: list[BaseException] = []
        #: Called with the new world after the control plane replaced it (a live server
        #: watches which clusters are up).
        self.world_listeners: list[Callable[[Simulator], None]] = []
        self._requests = 0
        raw = hashlib.sha1(f"fakevault:{sim.seed}".encode(), usedforsecurity=False).hexdigest()
        self._id_prefix = f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}"

    def __repr__(self) -> str:
        return f"FakeVaultApp(sim={self.sim!r}, cluster={self.bound!r})"

    def __call__(self, environ: WSGIEnviron, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if "//" in path:  # Vault collapses repeated slashes (hvac does too, before sending)
            environ["PATH_INFO"] = re.sub("/{2,}", "/", path)
        request = Request(environ)
        response = self.dispatch(request)
        response.headers["Cache-Control"] = "no-store"  # on every answer, as Vault's handler
        return response(environ, start_response)

    # -- dispatch ------------------------------------------------------------------------
    def dispatch(self, request: Request) -> Response:
        """Answer one request; never lets an exception escape."""
        try:
            return self._dispatch(request)
        except VaultError as exc:
            return errors.from_vault_error(exc, head=request.method.upper() == "HEAD")
        except HTTPException as exc:
            return errors.from_http_exception(exc)
        except Exception as exc:  # a fakevault bug: report it, keep serving
            return self._internal_error(request, exc)

    def _internal_error(self, request: Request, exc: Exception) -> Response:
        """Log one line with a request id; keep only the latest errors (they hold bodies)."""
        request_id = self._request_id()
        self.internal_errors.append(exc)
        del self.internal_errors[:-MAX_INTERNAL_ERRORS]
        _log.error("internal error in request %s (%s %s): %s: %s", request_id, request.method,
                   request.path, type(exc).__name__, exc)
        response = errors.internal_error(exc)
        response.headers["X-Request-Id"] = request_id
        return response

    def _dispatch(self, request: Request) -> Response:
        cluster = self.cluster_for(request)
        if cluster is None:
            return errors.no_such_cluster(request.host, self._known_hosts())
        method = request.method.upper()
        if method not in errors.KNOWN_METHODS:
            return errors.unknown_method()
        if method == "PATCH" and request.mimetype != "application/merge-patch+json":
            return errors.unsupported_media_type(
                "PATCH requires Content-Type of application/merge-patch+json, provided "
                f"{request.mimetype or 'none'}")
        path = request.path
        control = path.startswith(CONTROL_PREFIX)
        if not control and not path.startswith("/v1/"):
            return errors.unsupported_path()
        operation = _operation(request, method)
        too_big = self._too_big(request)
        if too_big is not None:
            return too_big
        request.max_content_length = self.max_request_size  # also bounds streamed bodies
        try:
            data = _parameters(request, method, operation)
        except RequestEntityTooLarge:
            return errors.payload_too_large(self.max_request_size)
        logical_request = logical.Request(
            operation, path.removeprefix(CONTROL_PREFIX if control else "/v1/"), data,
            token=_token(request), control=control,
            namespace=request.headers.get("X-Vault-Namespace", ""),
            wrap_ttl=request.headers.get("X-Vault-Wrap-TTL", "").strip())
        with self.lock:
            reply = handle(self.sim, cluster.name, logical_request, self.replace_world)
        return render(reply, self._request_id(), head=method == "HEAD")

    def replace_world(self, sim: Simulator) -> None:
        """Swap in another world (the control plane's reset and restore); keeps the lock."""
        with self.lock:
            if self.bound is not None:
                sim[self.bound]
            self.sim = sim
            for listener in self.world_listeners:
                listener(sim)

    def _too_big(self, request: Request) -> Response | None:
        declared = request.environ.get("CONTENT_LENGTH")
        length = request.content_length if declared else None
        if length is not None and length > self.max_request_size:
            return errors.payload_too_large(self.max_request_size)
        return None

    # -- clusters ------------------------------------------------------------------------
    def cluster_for(self, request: Request) -> Cluster | None:
        """The cluster a request is for: the bound one, else the one whose api_addr is Host."""
        bound = self.bound or request.environ.get("fakevault.cluster")
        if bound is not None:
            return self.sim.clusters.get(bound)
        name = self._host_table().get(request.environ.get("HTTP_HOST", "").lower())
        if name is not None:
            return self.sim.clusters.get(name)
        if len(self.sim.clusters) == 1:
            return next(iter(self.sim))
        return None

    def _host_table(self) -> dict[str, str]:
        """``host:port`` -> cluster name, rebuilt only when an api_addr changes."""
        addrs = tuple(cluster.api_addr for cluster in self.sim)
        if addrs != self._hosts[0]:
            self._hosts = (addrs, {_netloc(c.api_addr): c.name for c in self.sim})
        return self._hosts[1]

    def _known_hosts(self) -> str:
        return "clusters: " + ", ".join(f"{c.name}={c.api_addr}" for c in self.sim)

    def _request_id(self) -> str:
        # Not from the world's random source: reading status must not change the world. A
        # seed-derived prefix and a counter: unique, deterministic, cheap.
        self._requests += 1
        return f"{self._id_prefix}-{self._requests:012x}"


def create_app(sim: Simulator, cluster: str | None = None,
               lock: threading.RLock | None = None) -> FakeVaultApp:
    """The WSGI app for ``sim``: routes by Host to each cluster's api_addr, or to ``cluster``."""
    return FakeVaultApp(sim, cluster, lock)


def _netloc(addr: str) -> str:
    parts = urlsplit(addr)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    host = (parts.hostname or "").lower()
    port = parts.port
    return host if port in (None, default) else f"{host}:{port}"


def _operation(request: Request, method: str) -> logical.Operation:
    if method == "OPTIONS":
        raise UnsupportedOperationError(errors.UNSUPPORTED_OPERATION)
    if method == "GET" and "list=" in request.environ.get("QUERY_STRING", "") and \
            request.args.get("list", "").lower() == "true":
        return "list"
    return OPERATIONS[method]


def _token(request: Request) -> str:
    """The token the client sent (X-Vault-Token, else ``Authorization: Bearer``)."""
    token = request.headers.get("X-Vault-Token", "").strip()
    if token:
        return token
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def _parameters(request: Request, method: str, operation: str) -> dict[str, Any]:
    if method in ("GET", "HEAD", "LIST"):
        if operation == "list" or not request.environ.get("QUERY_STRING"):
            return {}  # Vault reads no parameters for a LIST
        return {key: request.args.get(key) for key in request.args}
    raw = request.get_data(cache=True)
    limit = request.max_content_length
    if limit is not None and len(raw) >= limit:
        request.stream.read(1)  # a streamed body cut at the limit: reading on raises 413
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw, parse_constant=_refuse_constant, parse_float=_finite_float)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise InvalidRequestError("error parsing JSON") from None
    if not isinstance(body, dict) or too_deep(raw, body):
        raise InvalidRequestError("error parsing JSON")
    if _ESCAPED_SURROGATE.search(raw):
        scrubbed: dict[str, Any] = _without_lone_surrogates(body)
        return scrubbed
    return body


_ESCAPED_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _finite_float(text: str) -> float:
    # 1e999 would become infinity, which no Go client can read back.
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"{text} is out of range")
    return value


def _refuse_constant(name: str) -> Any:
    # Go's encoding/json has no NaN or Infinity.
    raise ValueError(f"{name} is not JSON")


def _without_lone_surrogates(value: Any) -> Any:
    """Go's decoder turns an unpaired surrogate escape into U+FFFD; Python keeps it."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_without_lone_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {_without_lone_surrogates(k): _without_lone_surrogates(v)
                for k, v in value.items()}
    return value
