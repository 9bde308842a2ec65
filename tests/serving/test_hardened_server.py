"""The live server against slow, half-open, oversized and foreign clients (loopback only)."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from fakevault import Simulator
from fakevault.serving.hardened import (
    HardenedRequestHandler,
    HardenedServer,
    HostCheck,
    is_loopback,
    redact,
)
from fakevault.testing.server import FakeVaultServer

ROOT = {"X-Vault-Token": "root"}


@pytest.fixture
def server() -> Iterator[FakeVaultServer]:
    with FakeVaultServer(Simulator(clusters=("a",))) as live:
        yield live


def _connect(url: str) -> socket.socket:
    parts = urlsplit(url)
    return socket.create_connection((parts.hostname, parts.port), timeout=5)


def _raw(url: str, data: bytes) -> tuple[int, dict[str, Any]]:
    with _connect(url) as conn:
        conn.sendall(data)
        reply = b""
        while chunk := conn.recv(65536):
            reply += chunk
    head, _, body = reply.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)


def test_200_half_open_connections_do_not_stop_a_normal_client(server: FakeVaultServer) -> None:
    url = server.url("a")
    with ExitStack() as stack:
        for n in range(200):
            conn = stack.enter_context(_connect(url))
            conn.sendall(b"POST /v1/secret/data/x HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         if n % 2 else b"GE")
        started = time.monotonic()
        answer = requests.get(f"{url}/v1/sys/health", timeout=5)
        assert answer.status_code == 200
        assert time.monotonic() - started < 3.0


def test_a_half_open_connection_is_closed_after_the_read_timeout() -> None:
    handler = type("Quick", (HardenedRequestHandler,), {"timeout": 0.3})
    server = HardenedServer("127.0.0.1", 0, lambda environ, start: [], handler=handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        with socket.create_connection(("127.0.0.1", server.server_port), timeout=5) as conn:
            conn.sendall(b"GET / HTTP/1.1\r\n")
            started = time.monotonic()
            assert conn.recv(100) == b""  # closed by the server, not by our 5 s timeout
            assert time.monotonic() - started < 3
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_connections_past_the_bound_are_answered_503_at_once(server: FakeVaultServer) -> None:
    for live in server._servers.values():
        live.max_connections = 5  # type: ignore[attr-defined]
    url = server.url("a")
    with ExitStack() as stack:
        for _ in range(5):
            stack.enter_context(_connect(url)).sendall(b"GE")
        time.sleep(0.2)
        status, body = _raw(url, b"GET /v1/sys/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert status == 503 and "too many connections" in body["errors"][0]


@pytest.mark.parametrize(("request_bytes", "status"), [
    (b"GARBAGE\r\n\r\n", 400),
    (b"GET / HTTP/9.9\r\n\r\n", 505),
    (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"X-Big: " + b"a" * 60_000 + b"\r\n" * 1,
     None),
])
def test_protocol_errors_are_json(server: FakeVaultServer, request_bytes: bytes,
                                  status: int | None) -> None:
    if status is None:  # 20 headers of 60 kB: past the 1 MiB header limit
        request_bytes = request_bytes[:-2] + b"".join(
            b"X-Big-%d: " % n + b"a" * 60_000 + b"\r\n" for n in range(20)) + b"\r\n"
        status = 431
    got, body = _raw(server.url("a"), request_bytes)
    assert got == status
    assert isinstance(body["errors"], list) and body["errors"]


@pytest.mark.parametrize(("host", "status"), [
    ("127.0.0.1", 200), ("127.0.0.2:8200", 200), ("localhost", 200), ("[::1]:1", 200),
    ("vault.localhost", 200), ("evil.example", 403), ("evil.example:8200", 403),
    ("10.0.0.1", 403), ("allowed.example:8200", 200), ("ALLOWED.example.", 200),
])
def test_only_loopback_and_allowed_hosts_are_answered(host: str, status: int) -> None:
    sim = Simulator(clusters=("a",))
    with FakeVaultServer(sim, allowed_hosts=["allowed.example"]) as live:
        answer = requests.get(f"{live.url('a')}/v1/sys/health", headers={"Host": host},
                              timeout=5)
    assert answer.status_code == status
    if status == 403:
        assert answer.headers["Content-Type"] == "application/json"
        assert "--allowed-host" in answer.json()["errors"][0]


def test_the_served_host_itself_is_allowed() -> None:
    seen: list[str] = []
    check = HostCheck(lambda environ, start: seen.append("ok") or [], "vault.internal")
    check({"HTTP_HOST": "vault.internal:8200"}, lambda *args: None)
    assert seen == ["ok"]


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.2", True), ("::1", True), ("localhost", True), ("0.0.0.0", False),
    ("192.168.1.1", False), ("localhost.evil.example", False),
])
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_request_log_lines_hide_tokens_in_query_strings(caplog: pytest.LogCaptureFixture) -> None:
    assert redact("GET /v1/x?token=hvs.abc&list=true&client_token=s HTTP/1.1") == \
        "GET /v1/x?token=<redacted>&list=true&client_token=<redacted> HTTP/1.1"
    with FakeVaultServer(Simulator(clusters=("a",)), log_requests=True) as live, \
            caplog.at_level(logging.INFO, logger="werkzeug"):
        requests.get(f"{live.url('a')}/v1/sys/health?token=hvs.SECRET&otp=abc", timeout=5)
    lines = "\n".join(record.getMessage() for record in caplog.records)
    assert "/v1/sys/health?token=<redacted>&otp=<redacted>" in lines
    assert "SECRET" not in lines
