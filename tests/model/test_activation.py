"""Secondary ids, activation tokens and enabling secondaries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from fakevault.model.errors import (
    ActivationTokenError,
    InvalidRequestError,
    ReplicationStateError,
)
from fakevault.model.simulator import Simulator

Connect = Callable[..., Any]
State = Callable[[Simulator], dict[str, Any]]
UNWRAP = ('error response unwrapping secondary token; status code is 400, message is '
          '"400 Bad Request"')
TYPES = ("performance", "dr")


# -- secondary ids and tokens ---------------------------------------------------------------

@pytest.mark.parametrize("rtype", TYPES)
def test_secondary_token_record(rtype: str) -> None:
    sim = Simulator(seed=1)
    primary = sim["a"].role(rtype)
    primary.enable_primary()
    token = primary.secondary_token("us-east")
    assert token.secondary_id == "us-east"
    assert token.replication_type == rtype
    assert token.cluster_id == primary.cluster_id
    assert token.primary == "a"
    assert token.creation_path == f"sys/replication/{rtype}/primary/secondary-token"
    assert token.ttl == 1800
    assert token.issued_at == sim.clock.now()
    assert not token.used and not token.revoked
    assert primary.status()["known_secondaries"] == ["us-east"]


@pytest.mark.parametrize(("ttl", "seconds"), [
    ("", 1800), (0, 1800), ("0", 1800), ("0s", 1800), (None, 1800), ("30m", 1800),
    ("1h", 3600), (90, 90), ("2d", 172800),
])
def test_secondary_token_ttl(ttl: Any, seconds: int) -> None:
    sim = Simulator()
    sim["a"].dr.enable_primary()
    assert sim["a"].dr.secondary_token("b", ttl=ttl).ttl == seconds


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"id": ""}, 'missing required field "id"'),
    ({"id": "b", "ttl": "soon"}, 'invalid duration for "ttl"'),
    ({"id": "b", "ttl": "-1m"}, "must not be negative"),
    ({"id": "dup"}, 'a DR secondary with id "dup" already exists'),
])
def test_secondary_token_refusals_change_nothing(kwargs: dict[str, Any], message: str,
                                                 state: State) -> None:
    sim = Simulator()
    sim["a"].dr.enable_primary()
    sim["a"].dr.secondary_token("dup")
    before = state(sim)
    with pytest.raises(InvalidRequestError, match=message):
        sim["a"].dr.secondary_token(**kwargs)
    assert state(sim) == before
    assert sim["a"].dr.status()["known_secondaries"] == ["dup"]


def test_duplicate_live_id_is_refused_even_once_used(connect: Connect) -> None:
    sim = Simulator()
    connect(sim, "dr", "a", "b")
    with pytest.raises(InvalidRequestError) as info:
        sim["a"].dr.secondary_token("b")
    assert str(info.value) == ('a DR secondary with id "b" already exists; revoke it first or '
                               "choose another id")


def test_an_id_can_be_reused_after_revoke() -> None:
    sim = Simulator()
    sim["a"].dr.enable_primary()
    first = sim["a"].dr.secondary_token("b")
    sim["a"].dr.revoke_secondary("b")
    second = sim["a"].dr.secondary_token("b")
    assert second.jti != first.jti
    assert first.revoked and not second.revoked


def test_secondary_ids_are_separate_per_replication_type() -> None:
    sim = Simulator()
    sim["a"].dr.enable_primary()
    sim["a"].performance.enable_primary()
    sim["a"].dr.secondary_token("1")
    sim["a"].performance.secondary_token("1")
    assert sim["a"].dr.status()["known_secondaries"] == ["1"]
    assert sim["a"].performance.status()["known_secondaries"] == ["1"]


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"id": "nobody"}, InvalidRequestError,
     'no DR secondary with id "nobody" is known to this primary'),
    ({"id": ""}, InvalidRequestError, 'missing required field "id"'),
])
def test_revoke_refusals_change_nothing(kwargs: dict[str, Any], error: type[Exception],
                                        message: str, state: State) -> None:
    sim = Simulator()
    sim["a"].dr.enable_primary()
    sim["a"].dr.secondary_token("b")
    before = state(sim)
    with pytest.raises(error) as info:
        sim["a"].dr.revoke_secondary(**kwargs)
    assert str(info.value) == message
    assert state(sim) == before


@pytest.mark.parametrize("rtype", TYPES)
def test_revoke_disconnects_the_secondary_for_good(rtype: str, connect: Connect) -> None:
    sim = Simulator()
    token = connect(sim, rtype, "a", "b")
    a, b = sim["a"], sim["b"]
    a.role(rtype).revoke_secondary("b")
    assert token.revoked
    status = a.role(rtype).status()
    assert status["known_secondaries"] == []
    assert status["secondaries"] == []
    assert b.role(rtype).status()["state"] == "idle"
    assert b.role(rtype).status()["connection_state"] != "ready"
    a.write("secret/after", 1)
    sim.sync()
    assert b.storage.get("secret/after") is None
    assert not sim.violations


def test_revoked_secondary_can_rejoin_with_a_new_token(connect: Connect) -> None:
    sim = Simulator()
    connect(sim, "performance", "a", "b")
    a, b = sim["a"], sim["b"]
    a.performance.revoke_secondary("b")
    a.write("secret/x", 1)
    b.performance.update_primary(token=a.performance.secondary_token("b").token)
    assert b.performance.status()["state"] == "stream-wals"
    assert b.read("secret/x") == 1


def test_unused_token_is_dead_after_revoke() -> None:
    sim = Simulator()
    sim["a"].dr.enable_primary()
    token = sim["a"].dr.secondary_token("b")
    sim["a"].dr.revoke_secondary("b")
    with pytest.raises(ActivationTokenError, match="unwrapping secondary token"):
        sim["b"].dr.enable_secondary(token.token)
    assert sim["b"].dr.mode == "disabled"


# -- enable_secondary -------------------------------------------------------------------------

@pytest.mark.parametrize("rtype", TYPES)
def test_enable_secondary_wipes_storage_and_adopts_the_primarys_seal(
        rtype: str, connect: Connect) -> None:
    sim = Simulator(key_shares=3, key_threshold=2)
    sim["a"].write("secret/a", "from a")
    sim["b"].write("secret/b", "from b")
    sim["b"].write("mine", 1, local=True)
    assert sim.unseal_keys("a") != sim.unseal_keys("b")
    token = connect(sim, rtype, "a", "b")
    b = sim["b"]
    assert b.storage.get("secret/b") is None
    assert b.storage.get("local/mine") is None
    assert b.storage.get("secret/a") == "from a"
    assert sim.unseal_keys("b") == sim.unseal_keys("a")
    assert b.unseal_threshold == 2
    assert token.used
    status = b.role(rtype).status()
    assert (status["mode"], status["state"], status["connection_state"]) == \
        ("secondary", "stream-wals", "ready")
    assert status["cluster_id"] == sim["a"].role(rtype).cluster_id
    assert status["secondary_id"] == "b"


def _token_for(sim: Simulator, how: str) -> str:
    a = sim["a"].dr
    token = a.secondary_token("b")
    if how == "used":
        sim["c"].dr.enable_secondary(token.token)
    elif how == "expired":
        sim.advance(1800)
    elif how == "revoked":
        a.revoke_secondary("b")
    elif how == "other type":
        return sim["a"].performance.secondary_token("b").token
    elif how == "primary disabled":
        a.disable()
    elif how == "primary demoted":
        a.demote()
    return token.token


@pytest.mark.parametrize("how", ["used", "expired", "revoked", "other type",
                                 "primary disabled", "primary demoted"])
def test_enable_secondary_with_a_dead_token_fails_to_unwrap(how: str, state: State) -> None:
    sim = Simulator()
    sim["a"].dr.enable_primary()
    sim["a"].performance.enable_primary()
    token = _token_for(sim, how)
    before = state(sim)
    with pytest.raises(ActivationTokenError) as info:
        sim["b"].dr.enable_secondary(token)
    assert str(info.value) == UNWRAP
    assert state(sim) == before


def test_token_still_works_one_second_before_expiry() -> None:
    sim = Simulator()
    sim["a"].dr.enable_primary()
    token = sim["a"].dr.secondary_token("b", ttl="1m")
    sim.advance(59)
    sim["b"].dr.enable_secondary(token.token)
    assert sim["b"].dr.mode == "secondary"


@pytest.mark.parametrize(("token", "addr", "message"), [
    ("", "", 'missing required field "token"'),
    ("garbage", "", "error parsing activation token"),
    (None, "http://10.0.0.1:8200", "dial tcp: connect: connection refused"),
])
def test_enable_secondary_refusals_change_nothing(token: str | None, addr: str, message: str,
                                                  state: State) -> None:
    sim = Simulator()
    sim["a"].dr.enable_primary()
    jwt = token if token is not None else sim["a"].dr.secondary_token("b").token
    sim["b"].write("keep", 1)
    before = state(sim)
    with pytest.raises(InvalidRequestError, match=message):
        sim["b"].dr.enable_secondary(jwt, primary_api_addr=addr)
    assert state(sim) == before
    assert sim["b"].read("keep") == 1


def test_enable_secondary_fails_when_the_primary_is_unreachable(state: State) -> None:
    sim = Simulator()
    sim["a"].dr.enable_primary()
    token = sim["a"].dr.secondary_token("b")
    sim.partition("a", "b")
    before = state(sim)
    with pytest.raises(ActivationTokenError) as info:
        sim["b"].dr.enable_secondary(token.token)
    assert 'Put "http://127.0.0.1:8200/v1/sys/wrapping/unwrap"' in str(info.value)
    assert state(sim) == before
    sim.heal()
    sim["b"].dr.enable_secondary(token.token)
    assert sim["b"].dr.status()["state"] == "stream-wals"


def test_primary_api_addr_overrides_the_tokens_address() -> None:
    sim = Simulator()
    sim["a"].dr.enable_primary()
    token = sim["a"].dr.secondary_token("b")
    sim.set_address("a", "http://vault-a.example:8200")
    with pytest.raises(ActivationTokenError):
        sim["b"].dr.enable_secondary(token.token)
    sim["b"].dr.enable_secondary(token.token, primary_api_addr="http://VAULT-A.example:8200/")
    assert sim["b"].dr.primary == "a"


def test_dr_secondary_requires_performance_disabled(state: State) -> None:
    sim = Simulator()
    sim["a"].dr.enable_primary()
    sim["b"].performance.enable_primary()
    token = sim["a"].dr.secondary_token("b")
    before = state(sim)
    with pytest.raises(ReplicationStateError, match=r"performance replication is enabled on "
                       r"this cluster \(primary\)"):
        sim["b"].dr.enable_secondary(token.token)
    assert state(sim) == before


