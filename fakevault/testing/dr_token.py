"""``dr_operation_token(client, keys)``: the DR operation token ceremony, as an operator runs it.

Promoting, demoting or re-pointing a DR secondary needs a DR operation token, made by the key
holders of the *primary's* unseal keys on the secondary (``vault operator generate-root
-dr-token``): start an attempt with a one-time password, submit key shares with its nonce, and
decode the encoded token with the OTP. This helper runs those requests through ``client`` (any
``hvac.Client``: ``fakevault_client("b")``, or one pointed at ``fakevault serve`` or real Vault
Enterprise) and returns the decoded token.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from fakevault.model.ceremony import decode_token

if TYPE_CHECKING:
    import hvac

CEREMONY = "/v1/sys/replication/dr/secondary/generate-operation-token"


class CeremonyError(RuntimeError):
    """The key shares ran out before the threshold (the attempt is cancelled)."""


def dr_operation_token(client: hvac.Client, unseal_keys: Iterable[str]) -> str:
    """Run the DR operation token ceremony on the DR secondary ``client`` talks to.

    ``unseal_keys`` are the DR primary's key shares (``sim.unseal_keys("a")``). Returns the
    decoded token, ready for ``dr_operation_token`` in promote, demote or update-primary.
    Vault's errors (not a DR secondary, an attempt already running, a bad key) come back as
    hvac's exceptions; too few keys raise ``CeremonyError``.
    """
    started = _json(client.adapter.post(f"{CEREMONY}/attempt", json={}))
    required = started.get("required")
    given = 0
    for key in unseal_keys:
        given += 1
        answer = _json(client.adapter.post(f"{CEREMONY}/update",
                                           json={"key": key, "nonce": started["nonce"]}))
        if answer.get("complete"):
            return decode_token(answer["encoded_token"], started["otp"])
    client.adapter.delete(f"{CEREMONY}/attempt")
    raise CeremonyError(f"{given} key share(s) did not reach the threshold of {required}; "
                        "the attempt was cancelled")


def _json(answer: Any) -> dict[str, Any]:
    """hvac's JSON adapter answers a dict; a raw adapter a ``requests.Response``."""
    if isinstance(answer, dict):
        return answer
    body: dict[str, Any] = answer.json()
    return body
