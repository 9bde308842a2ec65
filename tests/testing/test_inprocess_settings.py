"""In-process clients ignore the environment's proxy settings; policy parses are kept."""

from __future__ import annotations

import pytest

from fakevault.model import acl
from fakevault.model.simulator import Simulator
from fakevault.testing.clients import hvac_client, session


def test_in_process_sessions_do_not_read_proxy_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # would refuse every request
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    sim = Simulator()
    assert session(sim, "a").trust_env is False
    assert hvac_client(sim, "a").sys.read_health_status(method="GET")["initialized"] is True


def test_a_policy_parse_is_kept_and_callers_get_their_own_copy() -> None:
    text = 'path "secret/cached-test/*" { capabilities = ["read"] }'
    first = acl.parse_policy(text)
    first["secret/cached-test/*"].append("delete")  # a caller's change
    hits = acl._parsed.cache_info().hits
    assert acl.parse_policy(text) == {"secret/cached-test/*": ["read"]}
    assert acl._parsed.cache_info().hits == hits + 1


def test_a_bad_policy_still_fails_every_time() -> None:
    for _ in range(2):
        with pytest.raises(Exception, match="failed to parse policy"):
            acl.parse_policy('path "x" { capabilities = ["fly"] }')
