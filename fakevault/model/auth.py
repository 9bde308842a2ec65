"""Tokens, kept in a cluster's local storage (so DR replicates them and performance does not).

The root token of the Simulator is always accepted by every cluster, as a dev server's root
token would be, even after enabling a secondary wiped the token store (a listed difference
from real Vault).
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from fakevault.model.acl import DEFAULT_POLICY_RULES, Rule, merged, parse_rules

if TYPE_CHECKING:
    from fakevault.model.cluster import Cluster

TOKEN_PREFIX = "token/"
POLICY_PREFIX = "sys/policy/"
ROOT_POLICY = "root"


@dataclass
class TokenEntry:
    """What Vault's token store keeps about one token."""

    id: str
    accessor: str
    policies: list[str]
    type: str = "service"
    ttl: int = 0
    creation_time: float = 0.0
    display_name: str = "token"
    orphan: bool = False
    renewable: bool = True
    meta: dict[str, str] = field(default_factory=dict)
    num_uses: int = 0

    def expired_at(self, now: float) -> bool:
        """True if the token has a TTL and it has run out."""
        return self.ttl > 0 and now >= self.creation_time + self.ttl

    @property
    def is_root(self) -> bool:
        """True if the token carries the root policy."""
        return ROOT_POLICY in self.policies

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-able form."""
        return asdict(self)


def _token_path(token_id: str) -> str:
    # Vault stores tokens under a salted hash of the id, never the id itself.
    return TOKEN_PREFIX + hashlib.sha256(token_id.encode()).hexdigest()


def root_entry(cluster: Cluster) -> TokenEntry:
    """The always-valid root token of ``cluster``'s world."""
    return TokenEntry(id=cluster.world.root_token, accessor="root-accessor", policies=["root"],
                      display_name="root", orphan=True, renewable=False)


def store_token(cluster: Cluster, entry: TokenEntry) -> None:
    """Persist ``entry`` in ``cluster``'s local storage."""
    cluster.write(_token_path(entry.id), entry.to_json(), local=True)


def lookup_token(cluster: Cluster, token_id: str) -> TokenEntry | None:
    """The live token ``token_id`` on ``cluster``, or None if unknown or expired."""
    if not token_id:
        return None
    if token_id == cluster.world.root_token:
        return root_entry(cluster)
    raw = cluster.storage.get("local/" + _token_path(token_id))
    if raw is None:
        return None
    entry = TokenEntry(**raw)
    return None if entry.expired_at(cluster.world.clock.now()) else entry


def revoke_token(cluster: Cluster, token_id: str) -> None:
    """Delete ``token_id`` from ``cluster``'s token store."""
    cluster.delete(_token_path(token_id), local=True)


def policy_rules(cluster: Cluster, names: list[str]) -> list[Rule]:
    """The merged rules of policies ``names`` (plus ``default``) as stored on ``cluster``."""
    rule_sets = [parse_rules(DEFAULT_POLICY_RULES)]
    for name in names:
        stored = cluster.storage.get(POLICY_PREFIX + name)
        if stored is not None:
            rule_sets.append(parse_rules(stored["paths"]))
    return merged(rule_sets)
