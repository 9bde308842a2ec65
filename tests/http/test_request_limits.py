"""Vault's max_request_size: a body over the limit is 413 ``{"errors": [...]}``, read no further.

An app with a 1 KiB limit; bodies that declare their length (honestly, or lying about it) and
bodies streamed without a Content-Length (chunked transfer encoding, where the WSGI server sets
``wsgi.input_terminated``).
"""

from __future__ import annotations

import io
import json
from typing import Any
from urllib.parse import urlsplit

import pytest
from werkzeug.datastructures import Headers
from werkzeug.test import EnvironBuilder, run_wsgi_app

from fakevault import Simulator
from fakevault.http.app import MAX_REQUEST_SIZE, FakeVaultApp, create_app
from fakevault.testing.assertions import unchanged

LIMIT = 1024
ROOT = {"X-Vault-Token": "root"}


class Answer:
    """Status, headers and body of one WSGI call."""

    def __init__(self, status: str, headers: Any, body: bytes) -> None:
        self.status_code = int(status.split(" ", 1)[0])
        self.headers = headers
        self.body = body

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class CountingStream(io.RawIOBase):
    """``size`` bytes of a JSON object that never closes, counting what the app reads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.read_bytes = 0
        self._prefix = b'{"data": {"k": "'

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        want = min(len(buffer), self.size - self.read_bytes)
        if want <= 0:
            return 0
        chunk = (self._prefix + b"x" * want)[:want] if self.read_bytes == 0 else b"x" * want
        buffer[:want] = chunk
        self.read_bytes += want
        return want


@pytest.fixture
def sim() -> Simulator:
    return Simulator(seed=3)


@pytest.fixture
def app(sim: Simulator) -> FakeVaultApp:
    return FakeVaultApp(sim, max_request_size=LIMIT)


def host(sim: Simulator, cluster: str = "a") -> str:
    return urlsplit(sim[cluster].api_addr).netloc


def wsgi(app: FakeVaultApp, environ: dict[str, Any]) -> Answer:
    app_iter, status, headers = run_wsgi_app(app, environ, buffered=True)
    return Answer(status, headers, b"".join(app_iter))


def post(app: FakeVaultApp, path: str, body: bytes, *, content_length: int | None = None,
         headers: dict[str, str] | None = None) -> Answer:
    """POST ``body``; ``content_length`` overrides the declared length (a lying client)."""
    sent: dict[str, str] = {"Host": host(app.sim), **ROOT, **(headers or {})}
    builder = EnvironBuilder(path=path, method="POST", data=body, headers=Headers(sent))
    environ = builder.get_environ()
    if content_length is not None:
        environ["CONTENT_LENGTH"] = str(content_length)
    return wsgi(app, environ)


def streamed(app: FakeVaultApp, path: str, stream: io.RawIOBase) -> Answer:
    """POST a chunked body: no Content-Length, the server terminates the input stream."""
    sent: dict[str, str] = {"Host": host(app.sim), **ROOT, "Transfer-Encoding": "chunked"}
    builder = EnvironBuilder(path=path, method="POST", headers=Headers(sent))
    environ = builder.get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ["wsgi.input"] = io.BufferedReader(stream)
    environ["wsgi.input_terminated"] = True
    return wsgi(app, environ)


def kv_body(size: int) -> bytes:
    """A valid KV v2 write of exactly ``size`` bytes."""
    head = b'{"data": {"k": "'
    tail = b'"}}'
    return head + b"x" * (size - len(head) - len(tail)) + tail


def assert_413(answer: Answer) -> None:
    assert answer.status_code == 413, answer.body[:300]
    assert answer.headers["Content-Type"] == "application/json"
    errors = answer.json["errors"]
    assert isinstance(errors, list) and errors
    assert all(isinstance(message, str) for message in errors)


# -- declared Content-Length ---------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/v1/secret/data/big", "/v1/auth/token/create",
                                  "/v1/sys/replication/dr/primary/enable",
                                  "/v1/sys/policies/acl/big", "/_fakevault/restore"])
def test_a_body_over_the_limit_is_413(app: FakeVaultApp, sim: Simulator, path: str) -> None:
    with unchanged(sim):
        answer = post(app, path, kv_body(LIMIT + 1))
    assert_413(answer)
    assert "request body too large" in answer.json["errors"][0]
    assert not app.internal_errors


def test_a_body_of_exactly_the_limit_is_served(app: FakeVaultApp, sim: Simulator) -> None:
    answer = post(app, "/v1/secret/data/big", kv_body(LIMIT))
    assert answer.status_code == 200, answer.body
    assert answer.json["data"]["version"] == 1


def test_the_limit_comes_before_authentication(app: FakeVaultApp, sim: Simulator) -> None:
    """Vault reads (and refuses) the body before it looks at the token."""
    sent: dict[str, str] = {"Host": host(sim)}
    builder = EnvironBuilder(path="/v1/secret/data/big", method="POST",
                             data=kv_body(LIMIT * 4), headers=Headers(sent))
    with unchanged(sim):
        answer = wsgi(app, builder.get_environ())
    assert_413(answer)


def test_a_declared_length_over_the_limit_is_not_read(app: FakeVaultApp, sim: Simulator) -> None:
    """A client announcing a terabyte is refused on the header alone."""
    stream = CountingStream(LIMIT * 64)
    sent: dict[str, str] = {"Host": host(sim), **ROOT}
    builder = EnvironBuilder(path="/v1/secret/data/big", method="POST", headers=Headers(sent))
    environ = builder.get_environ()
    environ["CONTENT_LENGTH"] = str(10**12)
    environ["wsgi.input"] = io.BufferedReader(stream)
    with unchanged(sim):
        answer = wsgi(app, environ)
    assert_413(answer)
    assert stream.read_bytes == 0


def test_a_lying_short_body_with_a_huge_length_is_413(app: FakeVaultApp, sim: Simulator) -> None:
    with unchanged(sim):
        answer = post(app, "/v1/secret/data/big", b"{}", content_length=LIMIT * 10)
    assert_413(answer)


def test_the_limit_can_be_set_on_an_app_from_create_app(sim: Simulator) -> None:
    app = create_app(sim)
    assert app.max_request_size == MAX_REQUEST_SIZE == 32 * 1024 * 1024
    assert post(app, "/v1/secret/data/big", kv_body(LIMIT * 4)).status_code == 200
    app.max_request_size = LIMIT
    with unchanged(sim):
        assert_413(post(app, "/v1/secret/data/big", kv_body(LIMIT * 4)))


# -- streamed bodies (no Content-Length) -------------------------------------------------------


def test_a_streamed_body_over_the_limit_is_413_without_reading_it_all(
        app: FakeVaultApp, sim: Simulator) -> None:
    stream = CountingStream(LIMIT * 1024)  # 1 MiB, chunked, never declared
    with unchanged(sim):
        answer = streamed(app, "/v1/secret/data/big", stream)
    assert_413(answer)
    assert not app.internal_errors
    assert stream.read_bytes <= LIMIT + 64 * 1024, stream.read_bytes


def test_a_streamed_body_under_the_limit_is_served(app: FakeVaultApp, sim: Simulator) -> None:
    class Exact(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self.data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            chunk = self.data.read(len(buffer))
            buffer[:len(chunk)] = chunk
            return len(chunk)

    answer = streamed(app, "/v1/secret/data/small", Exact(kv_body(LIMIT // 2)))
    assert answer.status_code == 200, answer.body
    assert answer.json["data"]["version"] == 1
