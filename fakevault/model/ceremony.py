"""Vault's generate-root code, with its two strategies: a root token and a DR operation token.

Key holders of the *primary's* unseal keys each submit a share with the attempt's nonce; at the
threshold the cluster mints the token and hands it out XOR-ed with the attempt's OTP,
base64-encoded, as ``vault operator generate-root [-dr-token] -decode`` expects. A root token
(``sys/generate-root``) goes into the cluster's token store: it is how a performance secondary,
whose token store starts empty, gets a working token. A DR operation token
(``sys/replication/dr/secondary/generate-operation-token``) is only valid on a DR secondary.
One attempt at a time per cluster, whichever kind, as Vault keeps one generation config.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from fakevault.model.auth import TokenEntry, lookup_token, store_token
from fakevault.model.errors import InvalidRequestError
from fakevault.model.messages import error

if TYPE_CHECKING:
    from fakevault.model.cluster import Cluster

OTP_LENGTH = 28  # len("hvs.") + 24, the length of a modern token
#: Vault XORs the OTP with the token byte by byte: it must be one byte per character.
_OTP_CHARACTERS = re.compile(r"[A-Za-z0-9+/_=.-]+")
#: The two strategies: a root token, or a DR operation token.
ROOT, DR = "root", "dr"


@dataclass
class Attempt:
    """One generation attempt in progress."""

    nonce: str
    otp: str
    required: int
    keys: list[str] = field(default_factory=list)
    kind: str = DR


class Ceremony:
    """A cluster's one generation slot and the DR operation tokens it has minted."""

    def __init__(self) -> None:
        self.attempt: Attempt | None = None
        self.tokens: set[str] = set()

    def status(self, cluster: Cluster, *, otp: str = "", encoded: str = "") -> dict[str, Any]:
        """The top-level JSON the attempt endpoints answer with."""
        attempt = self.attempt
        return {
            "nonce": attempt.nonce if attempt else "",
            "started": attempt is not None,
            "progress": len(attempt.keys) if attempt else 0,
            "required": attempt.required if attempt else cluster.unseal_threshold,
            "complete": bool(encoded),
            "encoded_token": encoded,
            "encoded_root_token": "",
            "pgp_fingerprint": "",
            "otp": otp,
            "otp_length": OTP_LENGTH,
        }

    def start(self, cluster: Cluster, otp: str = "", pgp_key: str = "",
              kind: str = DR) -> dict[str, Any]:
        """Begin an attempt; with no OTP one is generated and returned (only now)."""
        if kind == DR:
            _require_dr_secondary(cluster)
        if self.attempt is not None:
            raise error("ceremony_in_progress")
        if pgp_key:
            raise error("ceremony_pgp_unsupported")
        if otp and len(otp) != OTP_LENGTH:
            raise error("ceremony_otp_length")
        if otp and not _OTP_CHARACTERS.fullmatch(otp):
            raise error("ceremony_otp_characters")
        generated = "" if otp else cluster.world.ids.base62(OTP_LENGTH)
        self.attempt = Attempt(nonce=cluster.world.ids.uuid(), otp=otp or generated,
                               required=cluster.unseal_threshold, kind=kind)
        return self.status(cluster, otp=generated)

    def cancel(self) -> None:
        """Forget the attempt in progress, if any."""
        self.attempt = None

    def update(self, cluster: Cluster, key: str, nonce: str, kind: str = DR) -> dict[str, Any]:
        """Submit one key share; at the threshold, mint the token and end the attempt."""
        attempt = self.attempt
        if not key:
            raise error("ceremony_key_missing")
        if attempt is None or attempt.kind != kind:
            raise error("ceremony_not_started")
        if nonce != attempt.nonce:
            raise error("ceremony_bad_nonce", nonce=attempt.nonce)
        share = _decode_share(key)
        if share in attempt.keys:
            raise error("ceremony_duplicate_key")
        attempt.keys.append(share)
        if len(attempt.keys) < attempt.required:
            return self.status(cluster)
        self.attempt = None
        known = {_decode_share(k) for k in cluster.unseal_keys}
        if not set(attempt.keys) <= known:
            raise error("ceremony_aborted")
        token = "hvs." + cluster.world.ids.base62(OTP_LENGTH - 4)
        if kind == ROOT:
            mint_root_token(cluster, token)
        else:
            self.tokens.add(token)
        encoded = encode_token(token, attempt.otp)
        finished = self.status(cluster, encoded=encoded)
        finished.update(nonce=attempt.nonce, started=True, progress=attempt.required,
                        required=attempt.required,
                        encoded_root_token=encoded if kind == ROOT else "")
        return finished

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-able state."""
        return {"attempt": asdict(self.attempt) if self.attempt else None,
                "tokens": sorted(self.tokens)}

    def load_json(self, data: dict[str, Any]) -> None:
        """Restore state written by ``to_json``."""
        self.attempt = Attempt(**data["attempt"]) if data["attempt"] else None
        self.tokens = set(data["tokens"])


def mint_root_token(cluster: Cluster, token_id: str) -> TokenEntry:
    """Put a root token ``token_id`` in ``cluster``'s token store (what generate-root does)."""
    entry = TokenEntry(id=token_id, accessor=cluster.world.ids.base62(24), policies=["root"],
                       creation_time=float(int(cluster.world.clock.now())),
                       display_name="root", orphan=True, renewable=False,
                       path="auth/token/root")
    store_token(cluster, entry)
    return entry


def mint_root(cluster: Cluster, token_id: str = "") -> str:
    """A root token on ``cluster`` without a ceremony (fakevault's shortcut, not Vault's):
    ``token_id`` if given and not already a live token there, else a new ``hvs.`` token."""
    if token_id and lookup_token(cluster, token_id) is not None:
        raise error("token_duplicate_id")
    chosen = token_id or "hvs." + cluster.world.ids.base62(OTP_LENGTH - 4)
    return mint_root_token(cluster, chosen).id


def run_ceremony(cluster: Cluster, keys: list[str], kind: str = DR) -> str:
    """Run a whole generation with ``keys`` (the threshold's worth) and answer the token."""
    ceremony = cluster.ceremony
    started = ceremony.start(cluster, kind=kind)
    nonce, otp = started["nonce"], started["otp"]
    result = started
    for key in keys[:started["required"]]:
        result = ceremony.update(cluster, key, nonce, kind=kind)
    if not result["complete"]:
        ceremony.cancel()
        raise InvalidRequestError(f"{len(keys)} key share(s) given, {started['required']} "
                                  "needed to generate a token")
    return decode_token(result["encoded_token"], otp)


def _require_dr_secondary(cluster: Cluster) -> None:
    if cluster.dr.mode != "secondary":
        raise error("not_secondary", type="DR", mode=cluster.dr.mode)


def _decode_share(key: str) -> str:
    """A key share as hex, whatever encoding (hex or base64) it came in."""
    try:
        return bytes.fromhex(key).hex()
    except ValueError:
        pass
    try:
        return base64.b64decode(key, validate=True).hex()
    except (binascii.Error, ValueError):
        raise error("ceremony_bad_key") from None


def encode_token(token: str, otp: str) -> str:
    """The token XOR-ed with the OTP, base64 without padding (Vault's encoded_token)."""
    mixed = bytes(a ^ b for a, b in zip(token.encode(), otp.encode(), strict=True))
    return base64.b64encode(mixed).decode().rstrip("=")


def decode_token(encoded: str, otp: str) -> str:
    """What ``vault operator generate-root -dr-token -decode=ENCODED -otp=OTP`` prints."""
    try:
        mixed = base64.b64decode(encoded + "=" * (-len(encoded) % 4))
    except (binascii.Error, ValueError):
        raise InvalidRequestError("encoded token is not base64") from None
    if len(mixed) != len(otp):
        raise InvalidRequestError("the OTP does not match the encoded token's length")
    return bytes(a ^ b for a, b in zip(mixed, otp.encode(), strict=True)).decode()
