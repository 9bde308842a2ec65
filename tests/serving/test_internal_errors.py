"""Internal errors (fakevault bugs) are logged with a request id and kept only boundedly."""

from __future__ import annotations

import logging

import pytest
from werkzeug.test import Client

from fakevault import Simulator
from fakevault.http import app as app_module
from fakevault.http.app import MAX_INTERNAL_ERRORS, FakeVaultApp


@pytest.fixture
def broken_app(monkeypatch: pytest.MonkeyPatch) -> FakeVaultApp:
    """An app whose logical layer has a bug: every request raises."""
    def broken(*args: object) -> object:
        raise RuntimeError("a fakevault bug")

    monkeypatch.setattr(app_module, "handle", broken)
    return FakeVaultApp(Simulator(clusters=("a",)), cluster="a")


def test_internal_errors_are_logged_with_a_request_id_and_kept_boundedly(
        caplog: pytest.LogCaptureFixture, broken_app: FakeVaultApp) -> None:
    app = broken_app
    client = Client(app)
    with caplog.at_level(logging.ERROR, logger="fakevault"):
        answers = [client.get("/v1/sys/health", data=b"x" * 10_000)
                   for _ in range(MAX_INTERNAL_ERRORS + 30)]
    assert {answer.status_code for answer in answers} == {500}
    assert len(app.internal_errors) == MAX_INTERNAL_ERRORS
    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == MAX_INTERNAL_ERRORS + 30
    last = answers[-1]
    request_id = last.headers["X-Request-Id"]
    assert lines[-1] == (f"internal error in request {request_id} (GET /v1/sys/health): "
                         "RuntimeError: a fakevault bug")
    assert last.json == {"errors": ["fakevault internal error: RuntimeError: a fakevault bug"]}
