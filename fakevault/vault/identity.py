"""Who a simulated cluster says it is: version, ids and names derived from the seed.

Ids here never come from the world's random source: reading status must not change the world.
"""

from __future__ import annotations

import hashlib

from fakevault.model.cluster import Cluster

#: The Vault this fake claims to be.
KV_PLUGIN_VERSION = "v0.19.0+builtin"
VAULT_PLUGIN_VERSION = "v1.17.3+builtin.vault"
LICENSE = {"state": "autoloaded", "expiry_time": "2099-12-31T23:59:59Z", "terminated": False}

# -- identity of a cluster ---------------------------------------------------------------------


def digest(*parts: object) -> str:
    """The SHA-256 hex digest of ``parts`` joined by colons."""
    text = ":".join(str(part) for part in parts)
    return hashlib.sha256(text.encode()).hexdigest()


def as_uuid(hexdigest: str) -> str:
    """A hex digest shaped as a UUID."""
    return (f"{hexdigest[:8]}-{hexdigest[8:12]}-{hexdigest[12:16]}-{hexdigest[16:20]}-"
            f"{hexdigest[20:32]}")


def derived_uuid(*parts: object) -> str:
    """A UUID-shaped id derived from ``parts`` (never from the world's random source)."""
    return as_uuid(digest(*parts))


def cluster_id(cluster: Cluster) -> str:
    """The cluster's own id (health, seal status): stable per seed and name, no RNG used."""
    return as_uuid(digest("cluster-id", cluster.world.seed, cluster.name))


def cluster_name(cluster: Cluster) -> str:
    """Vault's generated cluster name, ``vault-cluster-`` and eight hex digits."""
    return "vault-cluster-" + digest("cluster-name", cluster.world.seed, cluster.name)[:8]


