"""What a path's callback gets: the world, the cluster, the request, its decoded data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fakevault.model.auth import TokenEntry
from fakevault.model.cluster import Cluster
from fakevault.model.replication import ReplicationRole
from fakevault.model.simulator import Simulator
from fakevault.vault.framework import FieldData, Path
from fakevault.vault.logical import Request
from fakevault.vault.mount_table import Mount


@dataclass
class Context:
    """One logical request on one cluster, routed: callbacks read from here."""

    sim: Simulator
    cluster: Cluster
    request: Request
    route: Path
    #: The request's path (``sys/...``, ``secret/data/x``), with LIST's trailing slash.
    path: str
    #: The pattern's captures (``rtype``, ``name``, a KV key), defaults filled in.
    args: dict[str, Any]
    data: FieldData
    #: The mount the path is under (``sys/``, ``auth/token/``, ``secret/``).
    mount: str = ""
    #: The mount table's entry for a secrets engine's path (None for sys/ and auth/).
    mount_entry: Mount | None = None
    token: TokenEntry | None = None
    #: The request spent the last use of a limited-use token: revoke it when it is over.
    token_spent: bool = False
    replace_world: Callable[[Simulator], None] | None = None

    @property
    def operation(self) -> str:
        """The logical operation (read, update, delete, list, patch)."""
        return self.request.operation

    @property
    def rest(self) -> str:
        """The path inside its mount."""
        return self.path[len(self.mount):]

    def role(self) -> ReplicationRole:
        """The replication role the path names (performance for the seed's generic paths)."""
        return self.cluster.role(str(self.args.get("rtype", "performance")))

    @property
    def legacy(self) -> bool:
        """True for the seed's generic ``/sys/replication/...`` paths (204 on success)."""
        return self.route.legacy
