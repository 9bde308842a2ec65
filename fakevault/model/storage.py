"""A cluster's key/value storage with its write-ahead log and merkle trees.

Keys under ``local/`` are cluster-local (tokens, local mounts): DR replication carries them,
performance replication does not. Each kind has its own merkle tree, as Vault keeps a
"replicated" and a "local" tree.
"""

from __future__ import annotations

import builtins
import hashlib
import json
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from fakevault.model.merkle import MerkleTree

LOCAL_PREFIX = "local/"
DEFAULT_WAL_RETENTION = 4096


def is_local(key: str) -> bool:
    """True for keys that only DR replication carries."""
    return key.startswith(LOCAL_PREFIX)


def canonical_json(value: Any) -> str:
    """The one JSON text of ``value`` that storage keeps and hashes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class WalEntry:
    """One write in a cluster's WAL: ``text`` is canonical JSON, or None for a delete."""

    index: int
    key: str
    text: str | None

    @property
    def local(self) -> bool:
        """True if only DR replication carries this entry."""
        return is_local(self.key)

    def to_json(self) -> list[Any]:
        """Compact JSON-able form."""
        return [self.index, self.key, self.text]


class Storage:
    """Key/value storage whose every change is a WAL entry and a merkle update."""

    def __init__(self, retention: int = DEFAULT_WAL_RETENTION) -> None:
        if retention < 1:
            raise ValueError("WAL retention must be at least 1 entry")
        self.retention = retention
        self.epoch = 0
        self._data: dict[str, str] = {}
        self.replicated = MerkleTree()
        self.local = MerkleTree()
        self.wal: deque[WalEntry] = deque(maxlen=retention)
        self.last_wal = 0
        self.last_performance_wal = 0

    # -- reads -------------------------------------------------------------------------
    def get(self, key: str) -> Any | None:
        """A copy of the value at ``key``, or None."""
        text = self._data.get(key)
        return None if text is None else json.loads(text)

    def text(self, key: str) -> str | None:
        """The stored canonical JSON at ``key``, or None."""
        return self._data.get(key)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __len__(self) -> int:
        return len(self._data)

    def keys(self, prefix: str = "") -> Iterator[str]:
        """Every key starting with ``prefix``, in no particular order."""
        return (key for key in self._data if key.startswith(prefix))

    def list(self, prefix: str) -> builtins.list[str]:
        """Vault LIST semantics: the sorted immediate children of ``prefix`` (folders end in /)."""
        children = set()
        for key in self.keys(prefix):
            rest = key[len(prefix):]
            head, slash, _ = rest.partition("/")
            children.add(head + slash)
        return sorted(children)

    def tree(self, local: bool) -> MerkleTree:
        """The merkle tree that holds local or replicated keys."""
        return self.local if local else self.replicated

    def merkle_root(self, replication_type: str) -> str:
        """The root a status shows: the replicated tree for performance, both trees for DR."""
        if replication_type == "performance":
            return self.replicated.root
        both = (self.replicated.root + self.local.root).encode()
        return hashlib.sha1(both, usedforsecurity=False).hexdigest()

    @property
    def corrupted(self) -> bool:
        """True while either merkle tree has a page that disagrees with the data."""
        return self.replicated.corrupted or self.local.corrupted

    # -- writes ------------------------------------------------------------------------
    def put(self, key: str, value: Any) -> WalEntry:
        """Store ``value`` (JSON-able) at ``key``; returns the WAL entry."""
        return self.apply(key, canonical_json(value))

    def delete(self, key: str) -> WalEntry:
        """Remove ``key`` (a WAL entry even if it was absent, as Vault logs the delete)."""
        return self.apply(key, None)

    def apply(self, key: str, text: str | None) -> WalEntry:
        """Set ``key`` to canonical JSON ``text`` (None deletes) and log it."""
        tree = self.tree(is_local(key))
        if text is None:
            self._data.pop(key, None)
            tree.delete(key)
        else:
            digest = hashlib.sha1(text.encode(), usedforsecurity=False).digest()  # may raise
            self._data[key] = text
            tree.set(key, digest)
        self.last_wal += 1
        if not is_local(key):
            self.last_performance_wal = self.last_wal
        entry = WalEntry(self.last_wal, key, text)
        self.wal.append(entry)
        return entry

    def entries_after(self, index: int) -> builtins.list[WalEntry] | None:
        """Retained entries after ``index``; None if some are no longer retained."""
        if index >= self.last_wal:
            return []
        oldest = self.wal[0].index if self.wal else self.last_wal + 1
        if index + 1 < oldest:
            return None
        wal, count = self.wal, self.last_wal - index
        if wal[-1].index == self.last_wal and count <= len(wal):
            # Indexes are consecutive: the last ``count`` entries, read from the right end
            # (every eager write streams one or two entries; no scan of the whole WAL).
            return [wal[i] for i in range(len(wal) - count, len(wal))]
        return [entry for entry in wal if entry.index > index]

    def wipe(self) -> None:
        """Forget everything (what enabling a secondary does); starts a new WAL epoch."""
        self._data.clear()
        self.replicated = MerkleTree()
        self.local = MerkleTree()
        self.wal.clear()
        self.last_wal = 0
        self.last_performance_wal = 0
        self.epoch += 1

    def clone_from(self, source: Storage, *, include_local: bool) -> int:
        """Become a copy of ``source``'s replicated data (and local data if ``include_local``).

        The bootstrap of a freshly wiped secondary: whole trees are copied rather than replayed
        key by key. Starts a new WAL epoch, so this cluster's own secondaries resync by merkle.
        Returns how many keys were copied.
        """
        kept_local = {} if include_local else {k: v for k, v in self._data.items() if is_local(k)}
        copied = {k: v for k, v in source._data.items() if include_local or not is_local(k)}
        self._data = {**copied, **kept_local}
        self.replicated = source.replicated.copy()
        if include_local:
            self.local = source.local.copy()
        self.wal.clear()
        self.epoch += 1
        self.last_wal += 1
        self.last_performance_wal = self.last_wal
        return len(copied)

    def reindex(self) -> None:
        """Rebuild both merkle trees from the data (clears corruption)."""
        self.replicated.rebuild()
        self.local.rebuild()

    # -- snapshot ------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        """Plain JSON-able state."""
        return {
            "retention": self.retention,
            "epoch": self.epoch,
            "data": dict(self._data),
            "replicated": self.replicated.to_json(),
            "local": self.local.to_json(),
            "wal": [entry.to_json() for entry in self.wal],
            "last_wal": self.last_wal,
            "last_performance_wal": self.last_performance_wal,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Storage:
        """Rebuild from ``to_json`` output."""
        storage = cls(int(data["retention"]))
        storage.epoch = int(data["epoch"])
        storage._data = {str(k): str(v) for k, v in data["data"].items()}
        storage.replicated = MerkleTree.from_json(data["replicated"])
        storage.local = MerkleTree.from_json(data["local"])
        storage.wal.extend(WalEntry(int(i), str(k), t) for i, k, t in data["wal"])
        storage.last_wal = int(data["last_wal"])
        storage.last_performance_wal = int(data["last_performance_wal"])
        return storage

    def items(self) -> Iterable[tuple[str, str]]:
        """(key, canonical JSON) pairs."""
        return self._data.items()

    def __repr__(self) -> str:
        return f"Storage(keys={len(self._data)}, last_wal={self.last_wal}, epoch={self.epoch})"
