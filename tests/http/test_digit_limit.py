"""Numbers longer than Python converts (4300 digits) are a 400 like any bad number, not a 500."""

from __future__ import annotations

from typing import Any

import pytest
from werkzeug.test import Client

from fakevault import Simulator, create_app
from fakevault.testing.assertions import world_state

DIGITS = "1" * 5000


@pytest.mark.parametrize(("method", "path", "body", "says"), [
    ("GET", "/_fakevault/view?limit=" + DIGITS, None, "too many digits"),
    ("POST", "/_fakevault/seed", {"seed": DIGITS}, "too many digits"),
    # Modern health answers a bad parameter with an empty error list (fact 17).
    ("GET", "/v1/sys/health?standbycode=" + DIGITS, None, None),
])
def test_integers_past_pythons_digit_limit_are_refused_not_crashed(
        method: str, path: str, body: Any, says: str | None) -> None:
    sim = Simulator(seed=1)
    before = world_state(sim)
    response = Client(create_app(sim, cluster="a")).open(
        path, method=method, json=body, headers={"X-Vault-Token": "root"})
    assert response.status_code == 400
    errors = response.get_json()["errors"]
    assert (says in errors[0]) if says else errors == []
    assert world_state(sim) == before
