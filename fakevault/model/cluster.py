"""A simulated Vault cluster: addresses, storage, seal keys and its two replication roles."""

from __future__ import annotations

import base64
import builtins
from typing import TYPE_CHECKING, Any

from fakevault.model.ceremony import Ceremony
from fakevault.model.messages import error
from fakevault.model.replication import REPLICATION_TYPES, ReplicationRole
from fakevault.model.storage import LOCAL_PREFIX, Storage, canonical_json, is_local

if TYPE_CHECKING:
    from fakevault.model.invariants import SetKey
    from fakevault.model.simulator import Simulator


class Cluster:
    """One Vault cluster. ``performance`` and ``dr`` are its replication roles."""

    def __init__(self, world: Simulator, name: str, *, api_addr: str, cluster_addr: str,
                 wal_retention: int, unseal_keys: list[str], unseal_threshold: int) -> None:
        self.world = world
        self.name = name
        self.api_addr = api_addr
        self.cluster_addr = cluster_addr
        self.storage = Storage(wal_retention)
        self.unseal_keys = list(unseal_keys)
        self.unseal_threshold = unseal_threshold
        self.performance = ReplicationRole(self, "performance")
        self.dr = ReplicationRole(self, "dr")
        self.ceremony = Ceremony()

    def __repr__(self) -> str:
        return f"Cluster(name={self.name!r}, api_addr={self.api_addr!r})"

    @property
    def roles(self) -> tuple[ReplicationRole, ReplicationRole]:
        """Both replication roles, performance first."""
        return (self.performance, self.dr)

    def role(self, replication_type: str) -> ReplicationRole:
        """The role for ``replication_type`` ("performance" or "dr")."""
        if replication_type == "performance":
            return self.performance
        if replication_type == "dr":
            return self.dr
        raise ValueError(f"unknown replication type {replication_type!r}; use one of "
                         f"{', '.join(REPLICATION_TYPES)}")

    @property
    def crashed(self) -> bool:
        """True while the cluster is down."""
        return not self.world.network.is_up(self.name)

    @property
    def is_dr_secondary(self) -> bool:
        """True if this cluster is a DR secondary (and so refuses almost every request)."""
        return self.dr.mode == "secondary"

    def status(self) -> dict[str, Any]:
        """The ``data`` of ``GET /sys/replication/status``: both roles."""
        return {"dr": self.dr.status(), "performance": self.performance.status()}

    def adopt_seal(self, other: Cluster) -> None:
        """Take ``other``'s unseal keys, as joining a replication set replaces the seal config."""
        self.unseal_keys = list(other.unseal_keys)
        self.unseal_threshold = other.unseal_threshold

    # -- storage through the replication rules -----------------------------------------
    def _key(self, path: str, local: bool) -> str:
        if not isinstance(path, str) or not path.strip("/"):
            raise error("bad_key", key=path, reason="a path is required")
        path = path.strip("/")
        if not local and is_local(path):
            reason = f"{LOCAL_PREFIX!r} is reserved; pass local=True"
            raise error("bad_key", key=path, reason=reason)
        return LOCAL_PREFIX + path if local else path

    def write(self, path: str, value: Any, *, local: bool = False) -> int:
        """Write ``value`` (JSON-able) at ``path``; returns the acknowledging cluster's WAL index.

        On a performance secondary a replicated write is forwarded to the primary; a DR
        secondary refuses every write.
        """
        key = self._key(path, local)
        text = canonical_json(value)
        with self.world.operation(self.name, None, "write", {"path": path, "local": local}):
            return self._commit(key, text)

    def delete(self, path: str, *, local: bool = False) -> int:
        """Delete ``path``; returns the acknowledging cluster's WAL index."""
        key = self._key(path, local)
        with self.world.operation(self.name, None, "delete", {"path": path, "local": local}):
            return self._commit(key, None)

    def read(self, path: str, *, local: bool = False) -> Any | None:
        """A copy of the value at ``path`` on this cluster (possibly stale on a secondary)."""
        key = self._key(path, local)
        self._refuse_if_unavailable()
        return self.storage.get(key)

    def list(self, prefix: str = "", *, local: bool = False) -> builtins.list[str]:
        """Vault LIST of ``prefix`` on this cluster."""
        self._refuse_if_unavailable()
        base = (LOCAL_PREFIX if local else "") + prefix.lstrip("/")
        return [child for child in self.storage.list(base)
                if local or not is_local(base + child)]

    def _refuse_if_unavailable(self) -> None:
        if self.crashed:
            raise error("cluster_down", name=self.name)
        if self.is_dr_secondary:
            raise error("dr_secondary_path_disabled")

    def _commit(self, key: str, text: str | None) -> int:
        self._refuse_if_unavailable()
        target = self
        if self.performance.mode == "secondary" and not is_local(key):
            target = self._forward_target()
        entry = target.storage.apply(key, text)
        self.world.invariants.record_write(target.name, key, text, target.acknowledging_sets(key))
        return entry.index

    def _forward_target(self) -> Cluster:
        primary = self.world.primary_of(self.performance)
        if primary is None:
            raise error("no_primary_to_forward")
        if not self.world.link_up(self.performance):  # partitioned, crashed, or revoked
            raise error("forward_failed", primary=primary.cluster.name)
        target: Cluster = primary.cluster
        return target

    def acknowledging_sets(self, key: str) -> builtins.list[SetKey]:
        """The replication sets in which this cluster, as primary, acknowledges ``key``."""
        sets: builtins.list[SetKey] = []
        if self.dr.mode == "primary":
            sets.append(("dr", self.dr.cluster_id))
        if self.performance.mode == "primary" and not is_local(key):
            sets.append(("performance", self.performance.cluster_id))
        return sets

    # -- snapshot ------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        """Plain JSON-able state."""
        return {
            "name": self.name,
            "api_addr": self.api_addr,
            "cluster_addr": self.cluster_addr,
            "storage": self.storage.to_json(),
            "unseal_keys": list(self.unseal_keys),
            "unseal_threshold": self.unseal_threshold,
            "performance": self.performance.to_json(),
            "dr": self.dr.to_json(),
            "ceremony": self.ceremony.to_json(),
        }

    def load_json(self, data: dict[str, Any]) -> None:
        """Restore state written by ``to_json``."""
        self.api_addr = data["api_addr"]
        self.cluster_addr = data["cluster_addr"]
        self.storage = Storage.from_json(data["storage"])
        self.unseal_keys = list(data["unseal_keys"])
        self.unseal_threshold = int(data["unseal_threshold"])
        self.performance.load_json(data["performance"])
        self.dr.load_json(data["dr"])
        self.ceremony.load_json(data["ceremony"])


def new_unseal_key(raw: bytes) -> str:
    """An unseal key share as ``vault operator init`` prints it (base64)."""
    return base64.b64encode(raw).decode()

