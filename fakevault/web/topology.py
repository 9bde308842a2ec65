"""The replication topology of a world as one plain JSON frame: what the web view draws.

A frame lists every cluster (up or down, and per replication type its mode, set, state and
connection), every link from a secondary to the primary it follows (with its lag in WAL entries,
its heartbeat age and why it is broken, if it is), the network partitions, and the alarms: two
live primaries of one replication set. The live page, the HTML report and its "before / after"
pictures all read this one shape.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fakevault.model.clock import rfc3339

if TYPE_CHECKING:
    from fakevault.model.replication import ReplicationRole
    from fakevault.model.simulator import Simulator

#: Characters of a cluster id or merkle root shown: enough to tell sets apart at a glance.
SHORT = 8
#: Characters of a merkle root shown, as ``fakevault status`` shows them.
ROOT_SHORT = 10


def topology(sim: Simulator) -> dict[str, Any]:
    """The frame of ``sim`` now: clusters, links, partitions and alarms."""
    now = sim.clock.now()
    return {
        "clock": now,
        "time": rfc3339(now),
        "clusters": [_cluster(sim, cluster.name, now) for cluster in sim],
        "links": [link for cluster in sim for role in cluster.roles
                  if (link := _link(sim, role, now)) is not None],
        "partitions": sorted(sorted(pair) for pair in sim.network.partitions),
        "alarms": split_brains(sim),
    }


def split_brains(sim: Simulator) -> list[dict[str, Any]]:
    """Every replication set with more than one primary that is up."""
    sets: dict[tuple[str, str], list[str]] = {}
    for cluster in sim:
        if cluster.crashed:
            continue
        for role in cluster.roles:
            if role.mode == "primary":
                sets.setdefault((role.type, role.cluster_id), []).append(cluster.name)
    return [{"kind": "split_brain", "type": rtype, "cluster_id": cluster_id,
             "primaries": names,
             "message": f"split brain: {' and '.join(names)} are all {rtype} primaries of "
                        f"replication set {cluster_id[:SHORT]}"}
            for (rtype, cluster_id), names in sorted(sets.items()) if len(names) > 1]


def _cluster(sim: Simulator, name: str, now: float) -> dict[str, Any]:
    cluster = sim[name]
    return {
        "name": name,
        "api_addr": cluster.api_addr,
        "up": not cluster.crashed,
        "storage_keys": len(cluster.storage),
        "last_wal": cluster.storage.last_wal,
        "corrupted_merkle_tree": cluster.storage.corrupted,
        "roles": {role.type: _role(role, now) for role in cluster.roles},
    }


def _role(role: ReplicationRole, now: float) -> dict[str, Any]:
    if role.mode == "disabled":
        return {"mode": "disabled"}
    storage = role.cluster.storage
    common = {
        "mode": role.mode,
        "cluster_id": role.cluster_id,
        "cluster_id_short": role.cluster_id[:SHORT],
        "merkle_root": storage.merkle_root(role.type)[:ROOT_SHORT],
    }
    if role.mode == "primary":
        return {**common, "state": "running", "connection_state": None,
                "last_wal": role.last_wal_for(role.type),
                "known_secondaries": list(role.known),
                "tokens_outstanding": [
                    {"secondary_id": token.secondary_id,
                     "expires_in": max(0, int(token.expires_at - now))}
                    for token in role.tokens.values() if token.usable_at(now)]}
    return {**common, "state": _secondary_state(role),
            "connection_state": _connection_state(role),
            "primary": role.primary, "secondary_id": role.secondary_id,
            "last_remote_wal": role.last_remote_wal, "lag": role.lag(),
            "heartbeat_age": _age(role.last_heartbeat, now)}


def _secondary_state(role: ReplicationRole) -> str:
    # As GET .../status reports it: a stalled or primary-less secondary shows "idle".
    return "idle" if role.stalled or role.primary is None else role.state


def _connection_state(role: ReplicationRole) -> str:
    if role.primary is None:
        return "idle"
    if role.stalled:
        return "transient_failure"
    return "ready" if role.world.link_up(role) else "connecting"


def _link(sim: Simulator, role: ReplicationRole, now: float) -> dict[str, Any] | None:
    """The arrow from secondary ``role`` to the cluster it follows, or None if it follows none."""
    if role.mode != "secondary" or role.primary is None or role.primary not in sim:
        return None
    state = _link_state(sim, role)
    return {
        "id": f"{role.type}:{role.cluster.name}->{role.primary}",
        "type": role.type,
        "from": role.cluster.name,
        "to": role.primary,
        "secondary_id": role.secondary_id,
        "state": state,
        "broken": state != "connected",
        "replication_state": _secondary_state(role),
        "lag": role.lag(),
        "heartbeat_age": _age(role.last_heartbeat, now),
    }


def _link_state(sim: Simulator, role: ReplicationRole) -> str:
    """Why a link carries nothing, most fundamental reason first; ``connected`` if it does."""
    assert role.primary is not None
    if role.cluster.crashed:
        return "secondary down"
    if sim[role.primary].crashed:
        return "primary down"
    if not sim.network.reachable(role.cluster.name, role.primary):
        return "partitioned"
    if sim.primary_of(role) is None:
        return "primary left the set"
    if not sim.link_up(role):
        return "revoked"
    if role.stalled:
        return "stalled"
    return "connected"


def _age(heartbeat: float | None, now: float) -> float | None:
    return None if heartbeat is None else max(0.0, round(now - heartbeat, 3))
