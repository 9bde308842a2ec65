"""One replication role (performance or DR) of one cluster.

The role's mode moves only along ``TRANSITIONS``; an operation not in the table for the current
mode raises the error named in ``REFUSALS`` and changes nothing. Every check happens before the
first mutation, so a refused call leaves the world as it was.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Literal, ParamSpec, TypeVar

from fakevault.model.auth import fence_configured_root
from fakevault.model.durations import parse_seconds
from fakevault.model.errors import VaultError
from fakevault.model.messages import error
from fakevault.model.paths_filter import PathsFilter, filter_for, normalized, source_filter
from fakevault.model.tokens import ActivationToken, decode_claims, mint_jwt

if TYPE_CHECKING:
    from fakevault.model.cluster import Cluster
    from fakevault.model.simulator import Simulator

ReplicationType = Literal["performance", "dr"]
Mode = Literal["disabled", "primary", "secondary"]
REPLICATION_TYPES: tuple[ReplicationType, ...] = ("performance", "dr")
DEFAULT_TOKEN_TTL = 1800

#: (mode, operation) -> mode afterwards. Anything else is refused.
TRANSITIONS: dict[tuple[Mode, str], Mode] = {
    ("disabled", "enable_primary"): "primary",
    ("disabled", "enable_secondary"): "secondary",
    ("primary", "demote"): "secondary",
    ("primary", "disable"): "disabled",
    ("primary", "disable_primary"): "disabled",
    ("primary", "secondary_token"): "primary",
    ("primary", "revoke_secondary"): "primary",
    ("primary", "recover"): "primary",
    ("secondary", "promote"): "primary",
    ("secondary", "disable"): "disabled",
    ("secondary", "disable_secondary"): "disabled",
    ("secondary", "update_primary"): "secondary",
    ("secondary", "recover"): "secondary",
}

#: (mode, operation) -> message key when the transition is refused; the default is by operation.
REFUSALS: dict[tuple[Mode, str], str] = {
    ("primary", "enable_primary"): "already_primary",
    ("secondary", "enable_primary"): "secondary_cannot_enable_primary",
    ("secondary", "enable_secondary"): "already_secondary",
    ("primary", "enable_secondary"): "primary_cannot_enable_secondary",
    ("disabled", "disable"): "not_enabled",
    ("disabled", "recover"): "not_enabled",
}
_DEFAULT_REFUSAL = {
    "demote": "not_primary",
    "secondary_token": "not_primary",
    "revoke_secondary": "not_primary",
    "promote": "not_secondary",
    "update_primary": "not_secondary",
    "disable_primary": "not_primary",
    "disable_secondary": "not_secondary",
}

P = ParamSpec("P")
R = TypeVar("R")


def operation(method: Callable[P, R]) -> Callable[P, R]:
    """Record a role method in the world's history, then sync (eager) and check invariants."""
    signature = inspect.signature(method)

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        role = args[0]
        assert isinstance(role, ReplicationRole)
        bound = signature.bind(*args, **kwargs)
        recorded = {k: v for k, v in bound.arguments.items() if k != "self"}
        with role.cluster.world.operation(role.cluster.name, role.type, method.__name__, recorded):
            return method(*args, **kwargs)

    return wrapper


@dataclass
class SecondaryRecord:
    """A primary's knowledge of one secondary id: its token and, once used, who connected."""

    id: str
    token_jti: str
    cluster: str | None = None
    last_heartbeat: float | None = None


class ReplicationRole:
    """The performance or DR replication role of a cluster, named after Vault's endpoints."""

    def __init__(self, cluster: Cluster, replication_type: ReplicationType) -> None:
        self.cluster = cluster
        self.type: ReplicationType = replication_type
        self.mode: Mode = "disabled"
        self.cluster_id = ""
        self.primary_cluster_addr = ""
        self.last_reindex_epoch = 0
        self.last_corruption_check_epoch = -62135596800
        #: The world's operation number when this role last became a primary (0: never).
        self.primary_since = 0
        self._reset_roles()

    def _reset_roles(self) -> None:
        # Primary side
        self.known: dict[str, SecondaryRecord] = {}
        self.tokens: dict[str, ActivationToken] = {}
        self.filters: dict[str, PathsFilter] = {}  # performance paths filters by secondary id
        # Secondary side
        self.state = "idle"
        self.primary: str | None = None
        self.secondary_id = ""
        self.known_primary_cluster_addrs: list[str] = []
        self.last_remote_wal = 0
        #: How far this secondary has read its primary's WAL (local entries included, which
        #: performance replication reads past without applying or counting them).
        self.wal_cursor = 0
        self.remote_epoch: int | None = None
        self.last_start = 0.0
        self.last_heartbeat: float | None = None
        self.stalled = False
        self.pending_keys: list[str] = []
        self.sync_total = 0
        self.sync_target = 0
        self.public_key = ""
        self.performance_mirror: dict[str, Any] | None = None

    def __repr__(self) -> str:
        return (f"ReplicationRole(cluster={self.cluster.name!r}, type={self.type!r}, "
                f"mode={self.mode!r}, cluster_id={self.cluster_id!r})")

    # -- checks --------------------------------------------------------------------------
    def _require(self, operation_name: str) -> None:
        if self.type == "performance" and self.cluster.is_dr_secondary:
            raise error("dr_secondary_path_disabled")
        if (self.mode, operation_name) in TRANSITIONS:
            return
        key = REFUSALS.get((self.mode, operation_name), _DEFAULT_REFUSAL.get(operation_name))
        raise error(key or "not_enabled", type=self._label, mode=self.mode)

    @property
    def _label(self) -> str:
        return "DR" if self.type == "dr" else "performance"

    @property
    def world(self) -> Simulator:
        """The Simulator this role lives in."""
        return self.cluster.world

    @property
    def advertised_cluster_addr(self) -> str:
        """The cluster address a primary gives its secondaries."""
        return self.primary_cluster_addr or self.cluster.cluster_addr

    # -- primary side ------------------------------------------------------------------
    @operation
    def enable_primary(self, primary_cluster_addr: str = "") -> None:
        """Make this cluster the primary of a new replication set (a new cluster_id)."""
        self._require("enable_primary")
        self.mode = "primary"
        self.cluster_id = self.world.ids.uuid()
        self.primary_cluster_addr = primary_cluster_addr
        self._reset_roles()
        self.state = "running"
        self.world.record_promotion(self)

    @operation
    def demote(self) -> None:
        """Turn the primary into a secondary that keeps its cluster_id and follows nobody."""
        self._require("demote")
        self.step_down()

    def step_down(self) -> None:
        """The demotion itself, without the checks: also what fencing a stale primary does."""
        self.mode = "secondary"
        self.state = "idle"
        self.primary = None
        self.secondary_id = ""
        self.known_primary_cluster_addrs = []
        self.remote_epoch = None
        self.last_start = self.world.clock.now()

    @operation
    def disable(self) -> None:
        """Turn replication off; re-enabling later makes a new cluster_id."""
        self._require("disable")
        self._disable()

    @operation
    def disable_primary(self) -> None:
        """``primary/disable``: ``disable``, refused unless this role is a primary."""
        self._require("disable_primary")
        self._disable()

    @operation
    def disable_secondary(self) -> None:
        """``secondary/disable``: ``disable``, refused unless this role is a secondary."""
        self._require("disable_secondary")
        self._disable()

    def _disable(self) -> None:
        for token in self.tokens.values():
            token.revoked = True
        self.mode = "disabled"
        self.cluster_id = ""
        self.primary_cluster_addr = ""
        self._reset_roles()

    @operation
    def secondary_token(self, id: str, ttl: str | int = "30m",
                        secondary_public_key: str = "") -> ActivationToken:
        """Issue a single-use activation token for secondary ``id`` (unique among live ids)."""
        self._require("secondary_token")
        if not isinstance(id, str) or not id:
            raise error("missing_field", field="id")
        seconds = parse_seconds(ttl, field="ttl") or DEFAULT_TOKEN_TTL
        if id in self.known:
            raise error("duplicate_secondary_id", type=self._label, id=id)
        now = self.world.clock.now()
        jwt, jti = mint_jwt(self.world.ids, addr=self.cluster.api_addr, issued_at=now,
                            ttl=seconds)
        token = ActivationToken(
            token=jwt, jti=jti, secondary_id=id, replication_type=self.type,
            cluster_id=self.cluster_id, primary=self.cluster.name,
            accessor=self.world.ids.uuid(), issued_at=now, ttl=seconds,
            creation_path=f"sys/replication/{self.type}/primary/secondary-token",
        )
        self.tokens[jti] = token
        self.known[id] = SecondaryRecord(id=id, token_jti=jti)
        return token

    @operation
    def revoke_secondary(self, id: str) -> None:
        """Forget secondary ``id``: its token dies and it is disconnected at once."""
        self._require("revoke_secondary")
        if not isinstance(id, str) or not id:
            raise error("missing_field", field="id")
        record = self.known.get(id)
        if record is None:
            raise error("unknown_secondary_id", type=self._label, id=id)
        del self.known[id]
        self.filters.pop(id, None)  # a new token for the id starts unfiltered, as in Vault
        for token in self.tokens.values():
            if token.secondary_id == id:
                token.revoked = True
        self.world.invariants.record_revoke(self, id)
        follower = self._follower(record)
        if follower is not None:
            follower.state = "idle"

    def _follower(self, record: SecondaryRecord) -> ReplicationRole | None:
        if record.cluster is None or record.cluster not in self.world:
            return None
        role: ReplicationRole = self.world[record.cluster].role(self.type)
        following = role.primary == self.cluster.name and role.secondary_id == record.id
        return role if following and role.mode == "secondary" else None

    # -- secondary side ----------------------------------------------------------------
    @operation
    def generate_public_key(self) -> str:
        """A public key the primary can encrypt an activation token to."""
        self.public_key = self.world.ids.b64url(91)
        return self.public_key

    @operation
    def enable_secondary(self, token: str, primary_api_addr: str = "", ca_file: str = "",
                         ca_path: str = "") -> None:
        """Join the set of the primary that issued ``token``: wipes this cluster's storage."""
        self._require("enable_secondary")
        if self.type == "dr" and self.cluster.performance.mode != "disabled":
            raise error("dr_secondary_with_performance", mode=self.cluster.performance.mode)
        primary, record = self._redeem(token, primary_api_addr)
        self._consume(record)
        self.cluster.storage.wipe()
        if self.type == "performance":  # its own token store, without the old root token
            fence_configured_root(self.cluster)
        self.cluster.adopt_seal(primary.cluster)
        self._follow(primary, record)

    @operation
    def promote(self, primary_cluster_addr: str = "", force: bool = False) -> None:
        """Make this secondary a primary of its set (the old primary is not told)."""
        self._require("promote")
        if not force and self.world.link_up(self) and self.lag() > 0:
            raise error("catching_up")
        self._refuse_split_brain("promote")
        self._record_filtered_promotion()
        inherited = self._inherited_performance()
        if inherited is not None:
            self.cluster.performance._refuse_split_brain("promote", inherited["cluster_id"])
            self.cluster.performance.load_json(inherited)
            self.world.record_promotion(self.cluster.performance)
        self.performance_mirror = None
        # "New secondary tokens will need to be issued to other secondaries": a promoted
        # cluster starts with no known secondaries, even ids it knew as a primary before.
        self.known, self.tokens, self.filters = {}, {}, {}
        self.mode = "primary"
        self.state = "running"
        self.primary = None
        self.secondary_id = ""
        self.known_primary_cluster_addrs = []
        self.pending_keys = []
        self.primary_cluster_addr = primary_cluster_addr
        self.world.record_promotion(self)

    @operation
    def update_primary(self, token: str = "", primary_api_addr: str = "",
                       update_primary_addrs: list[str] | None = None, ca_file: str = "",
                       ca_path: str = "") -> None:
        """Follow another primary of the same set (no wipe), or forget it with a blank token."""
        self._require("update_primary")
        if token and update_primary_addrs:
            raise error("token_and_addrs")
        if update_primary_addrs:
            self._retarget(list(update_primary_addrs))
            return
        if not token:
            self.primary = None
            self.state = "idle"
            self.known_primary_cluster_addrs = []
            self.primary_cluster_addr = ""
            return
        primary, record = self._redeem(token, primary_api_addr)
        if record.cluster_id != self.cluster_id:
            raise error("token_other_set", type=self._label, token_cluster_id=record.cluster_id,
                        cluster_id=self.cluster_id)
        self._consume(record)
        self._follow(primary, record)

    def _retarget(self, addrs: list[str]) -> None:
        self.known_primary_cluster_addrs = addrs
        self.primary_cluster_addr = addrs[0]
        for cluster in self.world.clusters.values():
            role = cluster.role(self.type)
            if role.advertised_cluster_addr in addrs and role.mode == "primary" \
                    and role.cluster_id == self.cluster_id and self.secondary_id in role.known:
                self.primary = cluster.name
                role.known[self.secondary_id].cluster = self.cluster.name
                self.state = "merkle-diff"
                return

    def _redeem(self, token: str, primary_api_addr: str) -> tuple[ReplicationRole, ActivationToken]:
        """Find the live token record behind ``token``; raise as Vault's unwrap would."""
        if not isinstance(token, str) or not token:
            raise error("missing_field", field="token")
        claims = decode_claims(token)
        addr = primary_api_addr or str(claims["addr"])
        cluster = self.world.cluster_at(addr)
        if cluster is None or not self.world.network.reachable(self.cluster.name, cluster.name):
            raise error("primary_unreachable", addr=addr.rstrip("/"))
        primary: ReplicationRole = cluster.role(self.type)
        record = primary.tokens.get(str(claims["jti"]))
        now = self.world.clock.now()
        live = record is not None and record.usable_at(now) and primary.mode == "primary"
        if record is None or not live or record.cluster_id != primary.cluster_id:
            raise error("token_unwrap_failed")
        return primary, record

    def _consume(self, record: ActivationToken) -> None:
        record.used = True
        self.world.invariants.record_token_use(record)

    def _follow(self, primary: ReplicationRole, record: ActivationToken) -> None:
        now = self.world.clock.now()
        self.mode = "secondary"
        self.cluster_id = primary.cluster_id
        self.secondary_id = record.secondary_id
        self.primary = primary.cluster.name
        self.primary_cluster_addr = primary.advertised_cluster_addr
        self.known_primary_cluster_addrs = [primary.advertised_cluster_addr]
        self.state = "merkle-diff"
        self.remote_epoch = None
        self.stalled = False
        self.last_start = now
        self.last_heartbeat = now
        link = primary.known[record.secondary_id]
        link.cluster = self.cluster.name
        link.last_heartbeat = now

    def _inherited_performance(self) -> dict[str, Any] | None:
        """What a DR secondary promoted to primary takes over of its primary's performance role.

        DR replicates everything, the performance replication state included, so a promoted DR
        secondary of a performance primary becomes that performance primary too.
        """
        mirror = self.performance_mirror
        if self.type != "dr" or mirror is None or mirror.get("mode") != "primary":
            return None
        return mirror if self.cluster.performance.mode == "disabled" else None

    def _refuse_split_brain(self, operation_name: str, cluster_id: str | None = None) -> None:
        if not self.world.strict:
            return
        cluster_id = cluster_id or self.cluster_id
        for other in self.world.primaries(self.type, cluster_id):
            if other is not self and not other.cluster.crashed:
                raise error("split_brain_refused", operation=operation_name,
                            other=other.cluster.name, type=self._label,
                            cluster_id=cluster_id)

    def _record_filtered_promotion(self) -> None:
        view = source_filter(self)
        if view is not None:
            self.world.invariants.record_filtered_promotion(self, view)

    # -- paths filters (performance primaries) --------------------------------------------
    def _require_filterable(self, id: str) -> None:
        if self.type != "performance":
            raise error("paths_filter_performance_only")
        if self.cluster.is_dr_secondary:
            raise error("dr_secondary_path_disabled")
        if self.mode != "primary":  # a primary's own business: not a transition of the table
            raise error("not_primary", type=self._label, mode=self.mode)
        if not isinstance(id, str) or not id:
            raise error("missing_field", field="id")
        if id not in self.known:
            raise error("unknown_secondary_id", type=self._label, id=id)

    @operation
    def set_paths_filter(self, id: str, mode: str = "allow",
                         paths: list[str] | tuple[str, ...] = ()) -> None:
        """Send secondary ``id`` only the allowed mounts, or all but the denied ones.

        ``paths`` are mount paths ("secret/", "kv2/"). The secondary re-syncs by merkle diff:
        data now filtered out is removed from it, data now allowed is sent.
        """
        self._require_filterable(id)
        self.filters[id] = normalized(self, mode, paths)
        self._resync(id)

    @operation
    def delete_paths_filter(self, id: str) -> None:
        """Remove secondary ``id``'s filter: it receives everything again."""
        self._require_filterable(id)
        if self.filters.pop(id, None) is not None:
            self._resync(id)

    def paths_filter(self, id: str) -> dict[str, Any] | None:
        """Secondary ``id``'s filter as ``paths-filter/:id`` reads it, or None if it has none."""
        self._require_filterable(id)
        found = self.filters.get(id)
        return None if found is None else found.to_json()

    def dynamic_filter(self, id: str) -> dict[str, Any]:
        """The mounts secondary ``id`` does not receive right now (``dynamic-filter/:id``)."""
        self._require_filterable(id)
        view = filter_for(self, id)
        return {"dynamic_filtered_mounts": list(view.mounts) if view else [],
                "dynamic_filtered_namespaces": []}

    def received_filter(self, id: str) -> dict[str, Any]:
        """On a performance secondary: the mounts its primary does not send it
        (``secondary/dynamic-filter/:id``, where ``id`` is this secondary's own id)."""
        if self.type != "performance":
            raise error("paths_filter_performance_only")
        if self.mode != "secondary":
            raise error("not_secondary", type=self._label, mode=self.mode)
        if id != self.secondary_id:
            raise error("paths_filter_other_secondary", id=id, own=self.secondary_id)
        view = source_filter(self)
        return {"dynamic_filtered_mounts": list(view.mounts) if view else [],
                "dynamic_filtered_namespaces": []}

    def _resync(self, id: str) -> None:
        follower = self._follower(self.known[id])
        if follower is not None:  # whatever it was doing, it compares trees again
            follower.state = "merkle-diff"

    # -- both sides ----------------------------------------------------------------------
    @operation
    def recover(self) -> None:
        """Restart a replication that stopped syncing (clears a stall, resyncs by merkle)."""
        self._require("recover")
        if self.mode == "secondary":
            self.stalled = False
            self.state = "merkle-diff" if self.primary else "idle"

    @operation
    def reindex(self) -> None:
        """Rebuild the merkle trees from storage; a secondary then resyncs by merkle diff."""
        self.cluster.storage.reindex()
        self.last_reindex_epoch = int(self.world.clock.now())
        if self.mode == "secondary" and self.primary:
            self.state = "merkle-diff"

    def merkle_check(self) -> dict[str, Any]:
        """Check the merkle trees for corrupted pages (what merkle-check reports)."""
        self.last_corruption_check_epoch = int(self.world.clock.now())
        storage = self.cluster.storage
        return {
            "replicated": storage.replicated.verify(),
            "local": storage.local.verify(),
            "epoch": self.last_corruption_check_epoch,
        }

    def last_wal_for(self, replication_type: str) -> int:
        """This cluster's last WAL index that ``replication_type`` replication carries."""
        storage = self.cluster.storage
        if replication_type == "performance":
            return int(storage.last_performance_wal)
        return int(storage.last_wal)

    def lag(self) -> int:
        """How many WAL entries this secondary is behind its primary (0 when caught up)."""
        primary = self.world.primary_of(self)
        if primary is None:
            return 0
        stale = self.remote_epoch != primary.cluster.storage.epoch  # its primary was wiped
        if self.state != "stream-wals" or stale:
            return max(1, primary.last_wal_for(self.type))
        return max(0, primary.last_wal_for(self.type) - self.last_remote_wal)

    def status(self) -> dict[str, Any]:
        """Exactly the ``data`` object Vault returns for this role's status endpoint."""
        from fakevault.model.status import role_status

        return role_status(self)

    # -- snapshot ------------------------------------------------------------------------
    _SCALARS = ("mode", "cluster_id", "primary_cluster_addr", "last_reindex_epoch",
                "last_corruption_check_epoch", "state", "primary", "secondary_id",
                "known_primary_cluster_addrs", "last_remote_wal", "remote_epoch", "last_start",
                "last_heartbeat", "stalled", "pending_keys", "sync_total", "sync_target",
                "public_key",
                "performance_mirror")

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-able state."""
        data = {name: getattr(self, name) for name in self._SCALARS}
        data["wal_cursor"] = self.wal_cursor
        data["primary_since"] = self.primary_since
        data["known"] = [asdict(record) for record in self.known.values()]
        data["tokens"] = [token.to_json() for token in self.tokens.values()]
        data["filters"] = {id: f.to_json() for id, f in sorted(self.filters.items())}
        return data

    def load_json(self, data: dict[str, Any]) -> None:
        """Restore state written by ``to_json``."""
        for name in self._SCALARS:
            setattr(self, name, data[name])
        self.wal_cursor = int(data.get("wal_cursor", self.last_remote_wal))
        self.primary_since = int(data.get("primary_since", 0))  # absent before fencing by order
        self.known = {r["id"]: SecondaryRecord(**r) for r in data["known"]}
        self.tokens = {t["jti"]: ActivationToken.from_json(t) for t in data["tokens"]}
        self.filters = {str(id): PathsFilter.from_json(f)
                        for id, f in data.get("filters", {}).items()}


__all__ = ["REPLICATION_TYPES", "TRANSITIONS", "ReplicationRole", "VaultError"]
