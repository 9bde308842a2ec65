"""Status objects with Vault's exact keys and field types (string epochs and *_ms, int WALs)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fakevault.model.clock import rfc3339

if TYPE_CHECKING:
    from fakevault.model.replication import ReplicationRole, SecondaryRecord
    from fakevault.model.simulator import Simulator

GO_ZERO_EPOCH = -62135596800


def role_status(role: ReplicationRole) -> dict[str, Any]:
    """The ``data`` object of ``GET /sys/replication/<type>/status`` for ``role``."""
    if role.mode == "disabled":
        return {"mode": "disabled"}
    storage = role.cluster.storage
    common = {
        "cluster_id": role.cluster_id,
        "corrupted_merkle_tree": storage.corrupted,
        "last_corruption_check_epoch": str(role.last_corruption_check_epoch),
        "last_reindex_epoch": str(role.last_reindex_epoch),
        "merkle_root": storage.merkle_root(role.type),
        "mode": role.mode,
        "primary_cluster_addr": role.primary_cluster_addr,
        "ssct_generation_counter": 0,
    }
    if role.mode == "primary":
        return dict(sorted({**common, **_primary_fields(role)}.items()))
    return dict(sorted({**common, **_secondary_fields(role)}.items()))


def _primary_fields(role: ReplicationRole) -> dict[str, Any]:
    storage = role.cluster.storage
    wal_key = "last_performance_wal" if role.type == "performance" else "last_dr_wal"
    return {
        "known_secondaries": list(role.known),
        "last_wal": storage.last_wal,
        wal_key: role.last_wal_for(role.type),
        "secondaries": [_secondary_info(role, record) for record in role.known.values()
                        if record.cluster is not None],
        "state": "running",
    }


def _secondary_info(role: ReplicationRole, record: SecondaryRecord) -> dict[str, Any]:
    world = role.world
    assert record.cluster is not None  # only connected records are listed
    secondary = world[record.cluster]
    follower = secondary.role(role.type)
    connected = follower.primary == role.cluster.name and follower.secondary_id == record.id \
        and world.link_up(follower)
    return {
        "api_address": secondary.api_addr,
        "clock_skew_ms": "0",
        "cluster_address": secondary.cluster_addr,
        "connection_status": "connected" if connected else "disconnected",
        "last_heartbeat": rfc3339(record.last_heartbeat or 0.0),
        "last_heartbeat_duration_ms": "0",
        "node_id": record.id,
        "replication_primary_canary_age_ms": _age_ms(world, record.last_heartbeat),
    }


def _secondary_fields(role: ReplicationRole) -> dict[str, Any]:
    world = role.world
    linked = world.link_up(role)
    fields: dict[str, Any] = {
        "connection_state": _connection_state(role, linked),
        "known_primary_cluster_addrs": list(role.known_primary_cluster_addrs),
        "last_remote_wal": role.last_remote_wal,
        "last_start": rfc3339(role.last_start),
        "primaries": _primaries(role, linked),
        "secondary_id": role.secondary_id,
        "state": "idle" if role.stalled or role.primary is None else role.state,
    }
    if role.state == "merkle-sync" and not role.stalled:
        fields["merkle_sync_progress"] = {
            "sync_progress": 0,
            "sync_total_keys": role.sync_total,
        }
    return fields


def _connection_state(role: ReplicationRole, linked: bool) -> str:
    if role.primary is None:
        return "idle"
    if role.stalled:
        return "transient_failure"
    return "ready" if linked else "connecting"


def _primaries(role: ReplicationRole, linked: bool) -> list[dict[str, Any]]:
    if role.primary is None:
        return []
    primary = role.world[role.primary]
    return [{
        "api_address": primary.api_addr,
        "clock_skew_ms": "0",
        "cluster_address": role.primary_cluster_addr,
        "connection_status": "connected" if linked else "disconnected",
        "last_heartbeat": rfc3339(role.last_heartbeat or 0.0),
        "last_heartbeat_duration_ms": "0",
        "replication_primary_canary_age_ms": _age_ms(role.world, role.last_heartbeat),
    }]


def _age_ms(world: Simulator, heartbeat: float | None) -> str:
    if heartbeat is None:
        return "0"
    return str(max(0, int((world.clock.now() - heartbeat) * 1000)))
