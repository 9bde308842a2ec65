"""Response wrapping (fact 14), kept as Vault keeps it: a single-use service token.

Wrapping a response mints a token with the ``response-wrapping`` policy, one use and the wrap
TTL, and stores the response where only that token reads it (Vault's cubbyhole: local storage,
so a wrapping token only works on the cluster that issued it). Unwrapping spends the token;
an expired, used or unknown one is ``wrapping token is not valid or does not exist``.
Activation tokens are JWTs, not these: :func:`describe_activation` looks them up.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from fakevault.model.auth import TokenEntry, lookup_token, revoke_token, store_token
from fakevault.model.clock import rfc3339_nano
from fakevault.model.durations import parse_seconds
from fakevault.model.messages import error
from fakevault.model.policy_store import WRAPPING_POLICY
from fakevault.model.tokens import decode_claims

if TYPE_CHECKING:
    from fakevault.model.cluster import Cluster

_RESPONSES = "sys/wrapping/responses/"
#: Vault's default max wrap TTL is the system max; a wrap TTL of 0 means no wrapping.
MAX_WRAP_TTL = 768 * 3600


def wrap_ttl(value: str) -> int:
    """The ``X-Vault-Wrap-TTL`` header's seconds (0: not wrapped); a 400 when it is not one."""
    if not value:
        return 0
    seconds = parse_seconds(value, field="X-Vault-Wrap-TTL")
    return min(seconds, MAX_WRAP_TTL)


def _key(token_id: str) -> str:
    return _RESPONSES + hashlib.sha256(token_id.encode()).hexdigest()


def wrap(cluster: Cluster, response: dict[str, Any], ttl: int,
         creation_path: str) -> dict[str, Any]:
    """Store ``response`` behind a new wrapping token; answer Vault's ``wrap_info``."""
    ids, now = cluster.world.ids, float(int(cluster.world.clock.now()))
    entry = TokenEntry(id=ids.vault_token("hvs."), accessor=ids.base62(24),
                       policies=[WRAPPING_POLICY], ttl=ttl, creation_time=now,
                       display_name="", orphan=True, renewable=False, num_uses=1,
                       path=creation_path)
    store_token(cluster, entry)
    cluster.write(_key(entry.id), {"response": response, "creation_path": creation_path,
                                   "creation_time": now, "creation_ttl": ttl}, local=True)
    info = {"token": entry.id, "accessor": entry.accessor, "ttl": ttl,
            "creation_time": rfc3339_nano(now), "creation_path": creation_path}
    wrapped = response.get("auth") or {}
    if wrapped.get("accessor"):
        info["wrapped_accessor"] = wrapped["accessor"]
    return info


def _live(cluster: Cluster, token_id: str) -> tuple[TokenEntry, dict[str, Any]]:
    entry = lookup_token(cluster, token_id) if token_id else None
    stored = cluster.storage.get("local/" + _key(token_id)) if entry is not None else None
    if entry is None or entry.policies != [WRAPPING_POLICY] or stored is None:
        raise error("wrapping_token_invalid")
    return entry, stored


def unwrap(cluster: Cluster, token_id: str) -> dict[str, Any]:
    """The wrapped response; the wrapping token is spent (and its response deleted)."""
    _, stored = _live(cluster, token_id)
    _forget(cluster, token_id)
    response: dict[str, Any] = stored["response"]
    return response


def _forget(cluster: Cluster, token_id: str) -> None:
    revoke_token(cluster, token_id)
    cluster.delete(_key(token_id), local=True)


def forget_spent(cluster: Cluster, token_id: str) -> None:
    """Delete the response of a wrapping token whose last use was just spent."""
    if cluster.storage.get("local/" + _key(token_id)) is not None:
        cluster.delete(_key(token_id), local=True)


def lookup(cluster: Cluster, token_id: str) -> dict[str, Any]:
    """``sys/wrapping/lookup``: creation TTL, time and path (the token is not spent)."""
    if token_id.count(".") == 2:  # an activation JWT, which this cluster may have issued
        return describe_activation(cluster, token_id)
    _, stored = _live(cluster, token_id)
    return {"creation_ttl": stored["creation_ttl"],
            "creation_time": rfc3339_nano(stored["creation_time"]),
            "creation_path": stored["creation_path"]}


def rewrap(cluster: Cluster, token_id: str) -> dict[str, Any]:
    """``sys/wrapping/rewrap``: the same response behind a new token with the same TTL."""
    _, stored = _live(cluster, token_id)
    _forget(cluster, token_id)
    return wrap(cluster, stored["response"], int(stored["creation_ttl"]),
                str(stored["creation_path"]))


def describe_activation(cluster: Cluster, token: str) -> dict[str, Any]:
    """What ``sys/wrapping/lookup`` says of a live activation token this cluster issued."""
    try:
        jti = str(decode_claims(token)["jti"])
    except Exception:  # any malformed JWT is simply not a valid wrapping token
        raise error("wrapping_token_invalid") from None
    now = cluster.world.clock.now()
    for role in cluster.roles:
        record = role.tokens.get(jti)
        if record is not None and record.usable_at(now):
            return {"creation_ttl": record.ttl, "creation_time": rfc3339_nano(record.issued_at),
                    "creation_path": record.creation_path}
    raise error("wrapping_token_invalid")
