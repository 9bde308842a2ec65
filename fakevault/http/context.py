"""What a handler gets: the world, the cluster the request reached, parameters, the caller."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from werkzeug.wrappers import Request

from fakevault.http.params import Params
from fakevault.http.routes import Route
from fakevault.model.auth import TokenEntry
from fakevault.model.cluster import Cluster
from fakevault.model.replication import ReplicationRole
from fakevault.model.simulator import Simulator

#: HTTP method (and ?list=true) -> Vault logical operation.
OPERATIONS = {"GET": "read", "HEAD": "read", "POST": "update", "PUT": "update",
              "DELETE": "delete", "LIST": "list", "PATCH": "patch"}


@dataclass
class Context:
    """One request, parsed: handlers read from here and return a Reply."""

    sim: Simulator
    cluster: Cluster
    request: Request
    route: Route
    path: str
    args: dict[str, Any]
    params: Params
    operation: str
    token: TokenEntry | None = None
    replace_world: Callable[[Simulator], None] | None = None

    def role(self) -> ReplicationRole:
        """The replication role the path names (performance for the seed's generic paths)."""
        return self.cluster.role(str(self.args.get("rtype", "performance")))

    @property
    def legacy(self) -> bool:
        """True for the seed's generic ``/sys/replication/...`` paths (204 on success)."""
        return self.route.legacy
