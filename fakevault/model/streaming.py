"""How a secondary follows its primary: merkle-diff -> merkle-sync -> stream-wals.

``advance_secondary`` does one unit of work (one state change or one WAL entry, or every
pending entry when ``drain``); it answers whether it made progress, so ``Simulator.sync`` can
run until nothing moves. A corrupted tree makes a secondary oscillate between merkle-diff and
merkle-sync without counting as progress (Vault loops the same way until a reindex).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fakevault.model.paths_filter import EffectiveFilter, filter_for, keys_to_sync
from fakevault.model.storage import Storage, is_local

if TYPE_CHECKING:
    from fakevault.model.replication import ReplicationRole
    from fakevault.model.simulator import Simulator


def advance_secondary(world: Simulator, role: ReplicationRole, *, drain: bool) -> bool:
    """Move ``role`` (a secondary) one step closer to its primary; True if it moved."""
    if role.mode != "secondary" or role.stalled or not world.link_up(role):
        return False
    primary = world.primary_of(role)
    assert primary is not None  # link_up guarantees it
    _heartbeat(world, role, primary)
    if role.state == "merkle-diff":
        return _merkle_diff(role, primary)
    if role.state == "merkle-sync":
        return _merkle_sync(world, role, primary)
    if role.state == "stream-wals":
        return _stream(world, role, primary, drain=drain)
    role.state = "merkle-diff"  # "idle" with a live link: start over, as Vault reconnects
    return True


def _heartbeat(world: Simulator, role: ReplicationRole, primary: ReplicationRole) -> None:
    now = world.clock.now()
    role.last_heartbeat = now
    primary.known[role.secondary_id].last_heartbeat = now
    if role.type == "dr":  # DR carries the primary's performance replication state too
        performance = primary.cluster.performance
        role.performance_mirror = performance.to_json() if performance.mode == "primary" \
            else None


def _trees_corrupted(role: ReplicationRole, storage: Storage) -> bool:
    if storage.replicated.corrupted:
        return True
    return role.type == "dr" and storage.local.corrupted


def _merkle_diff(role: ReplicationRole, primary: ReplicationRole) -> bool:
    mine, theirs = role.cluster.storage, primary.cluster.storage
    if role.remote_epoch != theirs.epoch:
        role.last_remote_wal = role.wal_cursor = 0  # positions in an old epoch mean nothing
    view = filter_for(primary, role.secondary_id)
    if view is None and _bulk_copy_possible(role, mine, theirs):
        role.pending_keys = []  # everything: merkle-sync copies the trees whole
        role.sync_total = len(theirs.replicated) + (len(theirs.local) if role.type == "dr" else 0)
        role.sync_target = theirs.last_wal
        role.remote_epoch = theirs.epoch
        role.state = "merkle-sync"
        return True
    keys = keys_to_sync(mine, theirs, view)  # a filtered secondary compares what it should hold
    if role.type == "dr":
        keys |= mine.local.diff(theirs.local)
    role.pending_keys = sorted(keys)
    role.sync_total = len(role.pending_keys)
    role.sync_target = theirs.last_wal
    role.remote_epoch = theirs.epoch
    role.state = "merkle-sync"
    corrupted = _trees_corrupted(role, mine) or _trees_corrupted(primary, theirs)
    return not corrupted


def _bulk_copy_possible(role: ReplicationRole, mine: Storage, theirs: Storage) -> bool:
    """A wiped secondary of a healthy primary takes whole trees instead of key by key."""
    empty = len(mine.replicated) == 0 and (role.type == "performance" or len(mine.local) == 0)
    return empty and not mine.corrupted and not theirs.corrupted and len(theirs) > 0


def _merkle_sync(world: Simulator, role: ReplicationRole, primary: ReplicationRole) -> bool:
    mine, theirs = role.cluster.storage, primary.cluster.storage
    view = filter_for(primary, role.secondary_id)
    if view is None and _bulk_copy_possible(role, mine, theirs) \
            and role.remote_epoch == theirs.epoch:
        copied = mine.clone_from(theirs, include_local=role.type == "dr")
        world.invariants.record_apply(role, primary, copied)
        role.pending_keys = []
        _synced_to(role, primary)
        role.state = "stream-wals"
        return True
    for key in role.pending_keys:
        if role.type == "performance" and is_local(key):
            continue
        mine.apply(key, _wanted(view, key, theirs))
    world.invariants.record_apply(role, primary, len(role.pending_keys))
    role.pending_keys = []
    if _trees_corrupted(role, mine) or _trees_corrupted(primary, theirs) \
            or role.remote_epoch != theirs.epoch:
        role.state = "merkle-diff"
        return False
    _synced_to(role, primary)
    role.state = "stream-wals"
    return True


def _synced_to(role: ReplicationRole, primary: ReplicationRole) -> None:
    """After a merkle sync: read up to the sync target; counted up to the last entry this
    replication carries (a performance secondary never counts the primary's local ones)."""
    role.wal_cursor = role.sync_target
    storage = primary.cluster.storage
    carried = storage.last_wal if role.type == "dr" else storage.last_performance_wal
    role.last_remote_wal = max(role.last_remote_wal, min(role.sync_target, carried))


def _stream(world: Simulator, role: ReplicationRole, primary: ReplicationRole, *,
            drain: bool) -> bool:
    theirs = primary.cluster.storage
    if role.remote_epoch != theirs.epoch:
        role.state = "merkle-diff"
        return True
    entries = theirs.entries_after(role.wal_cursor)
    if entries is None:  # fell behind the primary's retained WAL
        role.state = "merkle-diff"
        return True
    if not entries:
        return False
    if not drain:
        entries = entries[:1]
    mine = role.cluster.storage
    carries_local = role.type == "dr"
    view = filter_for(primary, role.secondary_id)
    for entry in entries:
        if carries_local or not entry.local:
            if view is None or not view.blocks(entry.key):
                mine.apply(entry.key, entry.text)
            role.last_remote_wal = entry.index  # a filtered entry is still counted as received
        role.wal_cursor = entry.index
    world.invariants.record_apply(role, primary, len(entries))
    return True


def _wanted(view: EffectiveFilter | None, key: str, theirs: Storage) -> str | None:
    """What a merkle sync sets ``key`` to: the primary's value, or nothing if it is filtered."""
    if view is not None and view.blocks(key):
        return None
    return theirs.text(key)
