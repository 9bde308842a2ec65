"""Identifiers drawn from a Simulator's one seeded random source."""

from __future__ import annotations

import base64
import random
import string

_BASE62 = string.digits + string.ascii_letters


class IdSource:
    """Makes Vault-shaped identifiers (UUIDs, tokens, nonces) from one seeded ``random.Random``.

    Same seed, same sequence of ids: that is what makes two simulators with one seed identical.
    """

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def uuid(self) -> str:
        """A Vault UUID: 16 random bytes as 8-4-4-4-12 hex (Vault's uuid.GenerateUUID)."""
        raw = f"{self.rng.getrandbits(128):032x}"
        return f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"

    def raw(self, size: int) -> bytes:
        """``size`` random bytes."""
        return self.rng.getrandbits(size * 8).to_bytes(size, "big") if size else b""

    def base62(self, length: int) -> str:
        """A base62 string, as Vault's token and OTP generators make."""
        # rng.choice(_BASE62) per character, unrolled: CPython's choice draws 6 bits and
        # retries above 61, so this is the same sequence, at a third of the cost.
        bits, chars = self.rng.getrandbits, list[str]()
        while len(chars) < length:
            drawn = bits(6)
            if drawn < 62:
                chars.append(_BASE62[drawn])
        return "".join(chars)

    def b64url(self, size: int) -> str:
        """``size`` random bytes, base64url without padding (JWT signature style)."""
        return base64.urlsafe_b64encode(self.raw(size)).rstrip(b"=").decode()

    def vault_token(self, prefix: str = "hvs.") -> str:
        """A service-token-looking id (``hvs.`` and 24 base62 characters)."""
        return prefix + self.base62(24)

    def __repr__(self) -> str:
        return "IdSource(rng=random.Random(...))"
