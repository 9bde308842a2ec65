"""Run Vault's token ceremonies through a client, as an operator's runbook does.

>>> from fakevault import Simulator
>>> from fakevault.testing.clients import hvac_client
>>> sim = Simulator(seed=7)
>>> sim["a"].performance.enable_primary()
>>> sim["b"].performance.enable_secondary(sim["a"].performance.secondary_token("b").token)
>>> root_b = generate_root(hvac_client(sim, "b"), sim.unseal_keys("a"))
>>> hvac_client(sim, "b", token=root_b).auth.token.lookup_self()["data"]["policies"]
['root']

A performance secondary accepts no earlier token (the primary's root token included) until a
root token is generated on it with the primary's unseal keys (:func:`generate_root`); a DR
secondary is promoted with a DR operation token from :func:`generate_dr_operation_token`. Both
work against real Vault too: they only speak the HTTP API (hvac's own calls where it has them).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from fakevault.model.ceremony import decode_token

if TYPE_CHECKING:
    import hvac

DR_ATTEMPT = "/v1/sys/replication/dr/secondary/generate-operation-token/attempt"
DR_UPDATE = "/v1/sys/replication/dr/secondary/generate-operation-token/update"


class CeremonyError(RuntimeError):
    """The key shares ran out before the threshold, or the cluster refused the ceremony."""


def generate_root(client: hvac.Client, unseal_keys: Sequence[str]) -> str:
    """``sys/generate-root`` with ``unseal_keys`` (the primary's, on a secondary); the token.

    Cancels an attempt left in progress first, as ``vault operator generate-root -init`` would
    refuse to start beside one.
    """
    client.sys.cancel_root_generation()
    started = _json(client.sys.start_root_token_generation())
    return _feed(started, unseal_keys,
                 lambda key: _json(client.sys.generate_root(key=key, nonce=started["nonce"])),
                 client.sys.cancel_root_generation)


def generate_dr_operation_token(client: hvac.Client, unseal_keys: Sequence[str]) -> str:
    """The DR operation token ceremony on a DR secondary with the primary's ``unseal_keys``."""
    client.adapter.delete(DR_ATTEMPT)
    started = _json(client.adapter.put(DR_ATTEMPT, json={}))
    return _feed(started, unseal_keys, lambda key: _json(client.adapter.put(
        DR_UPDATE, json={"key": key, "nonce": started["nonce"]})),
        lambda: client.adapter.delete(DR_ATTEMPT))


#: The name the README's first example (and earlier releases) use.
dr_operation_token = generate_dr_operation_token


def _feed(started: dict[str, Any], unseal_keys: Sequence[str], submit: Any,
          cancel: Any) -> str:
    given = 0
    for key in unseal_keys:
        given += 1
        result = submit(key)
        if result.get("complete"):
            return decode_token(str(result["encoded_token"]), str(started["otp"]))
    cancel()  # a later ceremony can start
    raise CeremonyError(f"{given} key share(s) given, {started.get('required')} needed; the "
                        "attempt was cancelled")


def _json(answer: Any) -> dict[str, Any]:
    """hvac's JSON adapter answers dicts; its raw adapter answers ``requests.Response``."""
    body = answer.json() if hasattr(answer, "json") else answer
    if not isinstance(body, dict):
        raise CeremonyError(f"unexpected answer: {body!r}")
    return body


__all__ = ["CeremonyError", "dr_operation_token", "generate_dr_operation_token", "generate_root"]
