"""``sys/generate-root/attempt`` and ``sys/generate-root/update``: a new root token.

The same ceremony as the DR operation token (:mod:`fakevault.model.ceremony`), with Vault's
standard strategy: the token goes into this cluster's token store. It is how a performance
secondary, whose token store was wiped when it joined, gets a working root token (Vault's own
test harness does this after every ``performance/secondary/enable``). Unauthenticated, answered
as top-level JSON, and refused on a DR secondary, as in Vault.
"""

from __future__ import annotations

from fakevault.vault.backends.ceremony import attempt_cancel, attempt_start, attempt_status, update
from fakevault.vault.framework import Field, Path

PATHS: tuple[Path, ...] = (
    Path("generate-root/attempt",
         {"read": attempt_status, "update": attempt_start, "delete": attempt_cancel},
         (Field("otp", "string", "A one-time pad of otp_length characters; generated (and "
                "answered once) when unset."),
          Field("pgp_key", "string", "A PGP key to encrypt the token with (not simulated).")),
         auth="none", answers="ceremony:attempt",
         summary="Start, read or cancel a root token generation."),
    Path("generate-root/update", {"update": update},
         (Field("key", "string", "One unseal key share (of the primary, on a performance "
                "secondary), hex or base64.", required=True, missing="ceremony_key_missing"),
          Field("nonce", "string", "The nonce of the attempt (required).")),
         auth="none", answers="ceremony:update",
         summary="Submit one unseal key share to a root token generation."),
)
