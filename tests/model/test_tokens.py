"""Activation tokens: ES512-looking JWTs with Vault's wrapping claims, single use, expiring."""

from __future__ import annotations

import base64
import json
import random
from typing import Any

import pytest

from fakevault.model.errors import ActivationTokenError
from fakevault.model.ids import IdSource
from fakevault.model.tokens import ActivationToken, decode_claims, mint_jwt

ISSUED = 1767225600.0


def _segment(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mint(seed: int = 1, ttl: int = 1800) -> tuple[str, str]:
    return mint_jwt(IdSource(random.Random(seed)), addr="http://127.0.0.1:8200",
                    issued_at=ISSUED, ttl=ttl)


def _token(**overrides: Any) -> ActivationToken:
    fields: dict[str, Any] = {
        "token": "x.y.z", "jti": "j", "secondary_id": "b", "replication_type": "dr",
        "cluster_id": "c", "primary": "a", "accessor": "acc", "issued_at": ISSUED,
        "ttl": 1800, "creation_path": "sys/replication/dr/primary/secondary-token",
    }
    return ActivationToken(**{**fields, **overrides})


def test_jwt_has_three_base64url_segments_without_padding() -> None:
    jwt, _ = _mint()
    parts = jwt.split(".")
    assert len(parts) == 3
    assert all(part and "=" not in part and "+" not in part and "/" not in part
               for part in parts)


def test_jwt_header_is_es512() -> None:
    jwt, _ = _mint()
    assert json.loads(_segment(jwt.split(".")[0])) == {"alg": "ES512", "typ": "JWT"}


def test_jwt_claims_are_vaults_wrapping_claims() -> None:
    jwt, jti = _mint(ttl=1800)
    claims = json.loads(_segment(jwt.split(".")[1]))
    assert claims == {"addr": "http://127.0.0.1:8200", "exp": int(ISSUED) + 1800,
                      "iat": int(ISSUED), "jti": jti, "type": "wrapping"}
    assert claims["exp"] - claims["iat"] == 1800


def test_jwt_signature_is_es512_sized() -> None:
    jwt, _ = _mint()
    assert len(_segment(jwt.split(".")[2])) == 132


def test_jti_is_a_uuid() -> None:
    _, jti = _mint()
    groups = jti.split("-")
    assert [len(g) for g in groups] == [8, 4, 4, 4, 12]
    int("".join(groups), 16)


def test_minting_is_deterministic_per_seed() -> None:
    assert _mint(seed=3) == _mint(seed=3)
    assert _mint(seed=3) != _mint(seed=4)


def test_decode_claims_round_trips() -> None:
    jwt, jti = _mint(ttl=60)
    claims = decode_claims(jwt)
    assert claims["jti"] == jti
    assert claims["addr"] == "http://127.0.0.1:8200"
    assert claims["exp"] == int(ISSUED) + 60


def _b64(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


@pytest.mark.parametrize(("token", "reason"), [
    ("not-a-jwt", "token contains an invalid number of segments"),
    ("a.b", "token contains an invalid number of segments"),
    ("a.b.c.d", "token contains an invalid number of segments"),
    ("e30.!!!!.sig", "payload is not base64url JSON"),
    (f"e30.{_b64('text')}.sig", "payload has no jti claim"),
    (f"e30.{_b64([1, 2])}.sig", "payload has no jti claim"),
    (f"e30.{_b64({'addr': 'http://x'})}.sig", "payload has no jti claim"),
    (f"e30.{_b64({'jti': 7, 'addr': 'http://x'})}.sig", "payload has no jti claim"),
    (f"e30.{_b64({'jti': 'j'})}.sig", "payload has no addr claim"),
])
def test_decode_claims_refuses_malformed_tokens(token: str, reason: str) -> None:
    with pytest.raises(ActivationTokenError) as info:
        decode_claims(token)
    assert str(info.value) == f"error parsing activation token: {reason}"
    assert info.value.status_hint == 400


@pytest.mark.parametrize(("overrides", "now", "usable"), [
    ({}, ISSUED, True),
    ({}, ISSUED + 1799, True),
    ({}, ISSUED + 1800, False),
    ({"used": True}, ISSUED, False),
    ({"revoked": True}, ISSUED, False),
    ({"ttl": 60}, ISSUED + 59.5, True),
    ({"ttl": 60}, ISSUED + 60, False),
])
def test_usable_until_used_revoked_or_expired(overrides: dict[str, Any], now: float,
                                              usable: bool) -> None:
    assert _token(**overrides).usable_at(now) is usable


def test_expires_at_is_issue_plus_ttl() -> None:
    assert _token(ttl=300).expires_at == ISSUED + 300


def test_token_json_round_trips() -> None:
    token = _token(used=True)
    data = token.to_json()
    assert json.loads(json.dumps(data)) == data
    assert ActivationToken.from_json(data) == token
