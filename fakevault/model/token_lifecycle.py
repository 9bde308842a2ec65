"""A token's life after creation: renewal, revocation (with or without its children),
accessors, and limited uses, as Vault's token store and expiration manager keep them.

Renewal follows Vault's ``framework.CalculateTTL`` from the token's issue time: the new TTL
is the increment (else the last TTL), capped by what the token's max TTL (the system's 768h,
or its explicit max TTL) leaves, with Vault's warning; a periodic token renews to its period.
A token at its max TTL, a non-renewable one, a root token without TTL and a batch token cannot
be renewed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fakevault.model.auth import (
    DEFAULT_TTL,
    MAX_TTL,
    TokenEntry,
    all_tokens,
    capped_warning,
    lookup_token,
    revoke_token,
    revoke_tree,
    store_token,
)
from fakevault.model.messages import error
from fakevault.model.token_roles import read_role

if TYPE_CHECKING:
    from fakevault.model.cluster import Cluster


def renew(cluster: Cluster, entry: TokenEntry, increment: int = 0) -> list[str]:
    """Renew ``entry`` by ``increment`` seconds (0: its last TTL); Vault's warnings."""
    if entry.type == "batch":
        raise error("token_batch_renew")
    if entry.ttl <= 0 or not entry.renewable:
        raise error("lease_not_renewable")
    period, explicit = entry.period, entry.explicit_max_ttl
    if entry.role:  # Vault's authRenew takes the role's current period and explicit max TTL
        role = read_role(cluster, entry.role)
        if role is None:
            raise error("token_role_gone", role=entry.role)
        period, explicit = role.period, role.explicit_max_ttl
    now = float(int(cluster.world.clock.now()))
    last_ttl = entry.renewed_ttl or entry.ttl
    ttl, warnings = renewal_ttl(increment, last_ttl, period, explicit,
                                elapsed=int(now - entry.creation_time))
    entry.renewed_ttl, entry.last_renewal = ttl, now
    store_token(cluster, entry)
    return warnings


def renewal_ttl(increment: int, last_ttl: int, period: int, explicit_max_ttl: int, *,
                elapsed: int) -> tuple[int, list[str]]:
    """Vault's ``framework.CalculateTTL`` for a renewal ``elapsed`` seconds after issue."""
    max_ttl = min(MAX_TTL, explicit_max_ttl) if explicit_max_ttl > 0 else MAX_TTL
    warnings: list[str] = []
    limit: int | None
    if period > 0:
        if period > max_ttl:
            warnings.append(capped_warning("period", period, max_ttl))
            period = max_ttl
        ttl, limit = period, (explicit_max_ttl - elapsed if explicit_max_ttl > 0 else None)
    else:
        ttl, limit = (increment or last_ttl or DEFAULT_TTL), max_ttl - elapsed
    if limit is not None:
        if limit <= 0:
            raise error("token_past_max_ttl")
        if ttl > limit:
            warnings.append(capped_warning("TTL", ttl, limit))
            ttl = limit
    return ttl, warnings


def by_accessor(cluster: Cluster, accessor: str) -> TokenEntry:
    """The live token behind ``accessor`` (400 "invalid accessor" when there is none)."""
    if not accessor:
        raise error("token_missing_accessor")
    for entry in all_tokens(cluster):
        if entry.accessor == accessor:
            live = lookup_token(cluster, entry.id)
            if live is not None:
                return live
    raise error("token_invalid_accessor")


def accessors(cluster: Cluster) -> list[str]:
    """Accessors of every live token on ``cluster`` (batch tokens have none)."""
    found = (lookup_token(cluster, entry.id) for entry in all_tokens(cluster))
    return sorted(entry.accessor for entry in found if entry is not None and entry.accessor)


def revoke(cluster: Cluster, token_id: str) -> None:
    """``auth/token/revoke``: the token and its children; an unknown token is no error."""
    entry = lookup_token(cluster, token_id)
    if entry is not None:
        revoke_tree(cluster, entry)


def revoke_orphan(cluster: Cluster, token_id: str) -> None:
    """``auth/token/revoke-orphan``: the token only; its children become orphans."""
    entry = lookup_token(cluster, token_id)
    if entry is None:
        raise error("token_revoke_not_found")
    if entry.type == "batch":
        raise error("token_batch_revoke")
    for child in all_tokens(cluster):
        if child.parent == entry.id:
            child.parent, child.orphan = "", True
            store_token(cluster, child)
    revoke_token(cluster, entry.id)


def spend_use(cluster: Cluster, entry: TokenEntry) -> bool:
    """Count one use of a limited-use token before the request runs (fact 12).

    Returns True when that was its last use: the caller revokes it once the request is over,
    whatever its outcome, as Vault does.
    """
    if entry.num_uses <= 0:
        return False
    if entry.num_uses == 1:
        return True
    entry.num_uses -= 1
    store_token(cluster, entry)
    return False
