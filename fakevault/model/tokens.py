"""Secondary activation tokens: single-use, expiring ES512 JWTs that carry the primary's address.

Real Vault delivers them response-wrapped (``wrap_info.token``); the JWT payload is
``{"addr", "exp", "iat", "jti", "type": "wrapping"}``. The fake signs nothing: the signature is
random bytes of the right length, and the primary keeps the token's record.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import asdict, dataclass
from typing import Any

from fakevault.model.errors import ActivationTokenError
from fakevault.model.ids import IdSource
from fakevault.model.messages import error

_HEADER = {"alg": "ES512", "typ": "JWT"}
_ES512_SIGNATURE_BYTES = 132


def _b64url_json(value: dict[str, Any]) -> str:
    raw = json.dumps(value, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def mint_jwt(ids: IdSource, *, addr: str, issued_at: float, ttl: int) -> tuple[str, str]:
    """A new activation JWT and its ``jti``."""
    jti = ids.uuid()
    claims = {
        "addr": addr,
        "exp": int(issued_at) + ttl,
        "iat": int(issued_at),
        "jti": jti,
        "type": "wrapping",
    }
    signature = ids.b64url(_ES512_SIGNATURE_BYTES)
    return f"{_b64url_json(_HEADER)}.{_b64url_json(claims)}.{signature}", jti


def decode_claims(token: str) -> dict[str, Any]:
    """The claims of an activation JWT; ActivationTokenError if it is not one."""
    parts = token.split(".")
    if len(parts) != 3:
        raise error("token_malformed", reason="token contains an invalid number of segments")
    padded = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(padded))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise error("token_malformed", reason="payload is not base64url JSON") from None
    if not isinstance(claims, dict) or not isinstance(claims.get("jti"), str):
        raise error("token_malformed", reason="payload has no jti claim")
    if not isinstance(claims.get("addr"), str):
        raise error("token_malformed", reason="payload has no addr claim")
    return claims


@dataclass
class ActivationToken:
    """What a primary remembers about an activation token it issued."""

    token: str
    jti: str
    secondary_id: str
    replication_type: str
    cluster_id: str
    primary: str
    accessor: str
    issued_at: float
    ttl: int
    creation_path: str
    used: bool = False
    revoked: bool = False

    @property
    def expires_at(self) -> float:
        """When the token stops being usable."""
        return self.issued_at + self.ttl

    def usable_at(self, now: float) -> bool:
        """True if the token can still activate a secondary at ``now``."""
        return not self.used and not self.revoked and now < self.expires_at

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-able state."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ActivationToken:
        """Rebuild from ``to_json`` output."""
        return cls(**data)


__all__ = ["ActivationToken", "ActivationTokenError", "decode_claims", "mint_jwt"]
