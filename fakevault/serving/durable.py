"""WSGI middleware for ``fakevault serve``: every answer durable first, and a graceful stop.

With a ``StateStore``, each request's body is read whole *before* the world's lock is taken (a
slow client holds up nobody), then, under the lock, the app answers with the clock pinned to
one instant and the request is appended to the journal; only then does the answer leave. The
journal order is the order in which requests changed the world.

``drain()`` starts a shutdown: requests that arrive later are refused with a 503, requests
already in flight may finish within a bound, then ``close()`` (under the lock) refuses the
rest, so the final save sees every acknowledged change and nothing changes after it.
"""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response
from werkzeug.wsgi import get_input_stream

from fakevault.http import errors
from fakevault.http.app import FakeVaultApp
from fakevault.model.clock import pinned_wall_time
from fakevault.serving.journal import StateError, StateStore, call_app, request_record

WSGIEnviron = dict[str, Any]
StartResponse = Callable[..., Any]


class DurableApp:
    """Wraps ``app``: journals every request to ``store`` (if any) before answering it."""

    def __init__(self, app: FakeVaultApp, store: StateStore | None = None,
                 on_error: Callable[[str], None] | None = None) -> None:
        self.app = app
        self.store = store
        self.on_error = on_error or (lambda message: None)
        self.draining = False
        self.closed = False
        self._in_flight = 0
        self._idle = threading.Condition()

    def __repr__(self) -> str:
        return f"DurableApp({self.app!r}, store={self.store!r})"

    @property
    def in_flight(self) -> int:
        """Requests being answered right now."""
        return self._in_flight

    def __call__(self, environ: WSGIEnviron, start_response: StartResponse) -> Iterable[bytes]:
        if self.draining:
            return _refuse(start_response, "fakevault is shutting down")
        with self._tracked():
            if self.store is None:
                return self._plain(environ, start_response)
            return self._durable(environ, start_response, self.store)

    @contextmanager
    def _tracked(self) -> Iterator[None]:
        with self._idle:
            self._in_flight += 1
        try:
            yield
        finally:
            with self._idle:
                self._in_flight -= 1
                self._idle.notify_all()

    def _plain(self, environ: WSGIEnviron, start_response: StartResponse) -> Iterable[bytes]:
        body = _read_body(environ, self.app.max_request_size)
        if isinstance(body, Response):
            return body(environ, start_response)
        status, headers, answer = call_app(self.app, environ)  # in flight until answered
        start_response(status, headers)
        return [answer]

    def _durable(self, environ: WSGIEnviron, start_response: StartResponse,
                 store: StateStore) -> Iterable[bytes]:
        body = _read_body(environ, self.app.max_request_size)
        if isinstance(body, Response):  # too large or cut short: refused, nothing changes
            return body(environ, start_response)
        record = {key: environ[key] for key in environ if key.startswith("HTTP_") or key in (
            "REQUEST_METHOD", "PATH_INFO", "QUERY_STRING", "CONTENT_TYPE", "fakevault.cluster")}
        record.setdefault("fakevault.cluster", self.app.bound)  # replayed on the same cluster
        with self.app.lock:
            if self.closed:
                return _refuse(start_response, "fakevault is shutting down")
            wall = time.time()
            with pinned_wall_time(wall):
                status, headers, answer = call_app(self.app, environ)
            try:
                store.append(request_record(record, body, wall, int(status.split()[0])))
            except (OSError, StateError) as exc:
                self.on_error(f"cannot write the state journal: {exc}")
                return _refuse(start_response, "fakevault cannot write its state journal "
                               f"({exc}); this change is not saved")
        if store.needs_compaction():
            store.compact(self.app.lock, lambda: self.app.sim, wait=False)
        start_response(status, headers)
        return [answer]

    # -- shutdown ------------------------------------------------------------------------
    def drain(self, timeout: float) -> bool:
        """Refuse new requests; wait up to ``timeout`` s for those in flight. True if none
        is left."""
        self.draining = True
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._in_flight:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
        return True

    def close(self) -> None:
        """Refuse everything from now on; waits for the request holding the world's lock."""
        with self.app.lock:
            self.closed = True


def _read_body(environ: WSGIEnviron, limit: int) -> bytes | Response:
    """The whole body, read before the app runs (a client too slow to send it times out here,
    which the server treats as a dropped connection), or the answer that refuses it."""
    declared = environ.get("CONTENT_LENGTH")
    if declared and declared.isdigit() and int(declared) > limit:
        return errors.payload_too_large(limit)
    try:
        body: bytes = get_input_stream(environ, max_content_length=None).read(limit + 1)
    except HTTPException as exc:  # the client closed before sending what it declared
        return errors.from_http_exception(exc)
    if len(body) > limit:
        return errors.payload_too_large(limit)
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    environ.pop("wsgi.input_terminated", None)
    environ.pop("HTTP_TRANSFER_ENCODING", None)
    return body


def _refuse(start_response: StartResponse, message: str) -> list[bytes]:
    body = json.dumps({"errors": [message]}).encode()
    start_response("503 Service Unavailable", [
        ("Content-Type", "application/json"), ("Content-Length", str(len(body))),
        ("Connection", "close"), ("Cache-Control", "no-store")])
    return [body]
