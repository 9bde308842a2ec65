"""Merkle tree over a cluster's key/value storage, as replication compares and syncs them.

Fixed shape: a 16-ary trie of depth :data:`DEPTH` over the hex SHA-1 of each key. Leaf *pages*
hold one ``sha1(key) + value digest`` entry per key and hash their sorted entries; internal nodes
hash their 16 children's hashes; empty subtrees are absent and hash to ``sha1(b"")``. Nodes are
numbered like a heap (root 1, child ``c`` of ``n`` is ``n << 4 | c``) and every internal node
keeps a buffer of its children's *stored* hashes, the truth for ``root`` and ``diff()``. So
``set()`` rehashes one page and ``DEPTH`` nodes whatever the size. ``corrupt()`` XORs a mask into
one stored hash that survives writes until ``rebuild()``, like a bad page until a reindex.
"""

from __future__ import annotations

import builtins
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping

__all__ = ["DEPTH", "EMPTY_ROOT", "MerkleTree", "value_digest"]

DEPTH = 4
"""Hex digits of ``sha1(key)`` (its first two bytes) that address a leaf page: 65,536 pages."""

_SIZE = 20  # bytes in a SHA-1 digest
_LEAF0 = 1 << 4 * DEPTH  # number of the first leaf page; nodes >= _LEAF0 are pages
_EMPTY = hashlib.sha1(b"").digest()
_EMPTY16 = _EMPTY * 16
_sha1 = hashlib.sha1

EMPTY_ROOT: str = _EMPTY.hex()
"""Root of an empty tree (and hash of any empty subtree): ``sha1(b"")`` in lowercase hex."""


def value_digest(value: object) -> bytes:
    """Return the SHA-1 digest of a JSON-able value, in canonical JSON form.

    Canonical means ``json.dumps(value, sort_keys=True, separators=(",", ":"),
    ensure_ascii=False).encode()``, so equal values give equal digests whatever their dict order.
    """
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return _sha1(text.encode()).digest()


def _locate(key: str) -> tuple[int, bytes]:
    """The page number of ``key`` and its SHA-1 (the first half of its page entry)."""
    key_hash = _sha1(key.encode("utf-8", "surrogatepass")).digest()
    return _LEAF0 | key_hash[0] << 8 | key_hash[1], key_hash


def _leaf_hash(
    page: Mapping[str, bytes] | None, new: Callable[[], hashlib._Hash] | None = None
) -> bytes:
    """Hash of a leaf page: SHA-1 over its fixed-size entries in sorted order."""
    if not page:
        return _EMPTY
    hasher = (new or _sha1)()
    hasher.update(b"".join(sorted(page.values())))
    return hasher.digest()


def _node_hash(buf: bytes | bytearray | None) -> bytes:
    """Hash of an internal node from its 16 children's stored hashes (empty if all are empty)."""
    if buf is None or buf == _EMPTY16:
        return _EMPTY
    return _sha1(buf).digest()


def _xor(a: bytes, b: bytes) -> bytes:
    return (int.from_bytes(a, "big") ^ int.from_bytes(b, "big")).to_bytes(_SIZE, "big")


def _check(digest: bytes) -> None:
    if len(digest) != _SIZE:
        raise ValueError(f"value digest must be {_SIZE} bytes (SHA-1), got {len(digest)}")


def _prefix(node: int) -> str:
    depth = (node.bit_length() - 1) // 4
    return f"{node ^ 1 << 4 * depth:0{depth}x}" if depth else ""


def _name(node: int) -> str:
    return f"page {(node.bit_length() - 1) // 4}/{_prefix(node)}"


class MerkleTree:
    """Fixed-shape 16-ary merkle tree mapping string keys to 20-byte value digests."""

    __slots__ = ("_children", "_count", "_masks", "_pages", "_root")

    def __init__(self) -> None:
        """Create an empty, healthy tree."""
        self._pages: dict[int, dict[str, bytes]] = {}  # page number -> key -> entry
        self._children: dict[int, bytearray] = {}  # internal node -> children's stored hashes
        self._masks: dict[int, bytes] = {}  # corrupted node -> XOR mask on its stored hash
        self._root: bytes = _EMPTY
        self._count = 0

    @classmethod
    def build(cls, items: Iterable[tuple[str, bytes]]) -> MerkleTree:
        """Build a tree from ``(key, digest)`` pairs in one pass (later duplicates win)."""
        tree = cls()
        pages = tree._pages
        get = pages.get
        new = _sha1().copy  # copying a fresh hasher is much cheaper than constructing one
        for key, digest in items:
            if len(digest) != _SIZE:
                _check(digest)
            hasher = new()
            hasher.update(key.encode("utf-8", "surrogatepass"))
            key_hash = hasher.digest()
            number = _LEAF0 | key_hash[0] << 8 | key_hash[1]  # as in _locate()
            page = get(number)
            if page is None:
                pages[number] = {key: key_hash + digest}
            else:
                page[key] = key_hash + digest
        tree._count = sum(map(len, pages.values()))
        tree._rehash_all()
        return tree

    def _rehash_all(self) -> None:
        """Recompute every internal buffer and the root from the pages (ignores masks)."""
        new = _sha1().copy
        hashes = {n: _leaf_hash(page, new) for n, page in self._pages.items() if page}
        children: dict[int, bytearray] = {}
        for _level in range(DEPTH):
            bufs: dict[int, bytearray] = {}
            for node, digest in hashes.items():
                buf = bufs.get(node >> 4)
                if buf is None:
                    buf = bufs[node >> 4] = bytearray(_EMPTY16)
                off = (node & 15) * _SIZE
                buf[off : off + _SIZE] = digest
            hashes = {node: _sha1(buf).digest() for node, buf in bufs.items()}
            children.update(bufs)
        self._children = children
        self._root = hashes.get(1, _EMPTY)

    def _refresh(self, node: int) -> None:
        """Recompute the stored hash of ``node`` (mask applied) and of its ancestors."""
        masks, children = self._masks, self._children
        if node >= _LEAF0:
            digest = _leaf_hash(self._pages.get(node))
        else:
            digest = _node_hash(children.get(node))
        if masks and node in masks:
            digest = _xor(digest, masks[node])
        while node > 1:
            parent, off = node >> 4, (node & 15) * _SIZE
            buf = children.get(parent)
            if buf is None:
                if digest == _EMPTY:
                    return  # the slot was empty already: nothing above changes
                buf = children[parent] = bytearray(_EMPTY16)
            elif buf[off : off + _SIZE] == digest:
                return  # unchanged: the ancestors are already right
            buf[off : off + _SIZE] = digest
            if buf == _EMPTY16:
                del children[parent]
                digest = _EMPTY
            else:
                digest = _sha1(buf).digest()
            if masks and parent in masks:
                digest = _xor(digest, masks[parent])
            node = parent
        self._root = digest

    def _stored(self, node: int) -> bytes:
        """The stored hash of ``node`` (what its parent holds)."""
        if node == 1:
            return self._root
        buf = self._children.get(node >> 4)
        off = (node & 15) * _SIZE
        return _EMPTY if buf is None else bytes(buf[off : off + _SIZE])

    def set(self, key: str, digest: bytes) -> None:
        """Insert or replace ``key`` with its 20-byte value digest; cost independent of size."""
        _check(digest)
        number, key_hash = _locate(key)
        page = self._pages.get(number)
        if page is None:
            page = self._pages[number] = {}
        entry = key_hash + digest
        old = page.get(key)
        if old == entry:
            return
        if old is None:
            self._count += 1
        page[key] = entry
        self._refresh(number)

    def delete(self, key: str) -> None:
        """Remove ``key`` if present (no error if absent)."""
        number, _ = _locate(key)
        page = self._pages.get(number)
        if page is None or page.pop(key, None) is None:
            return
        if not page:
            del self._pages[number]
        self._count -= 1
        self._refresh(number)

    def get(self, key: str) -> bytes | None:
        """Return the digest stored for ``key``, or ``None``."""
        page = self._pages.get(_locate(key)[0])
        entry = None if page is None else page.get(key)
        return None if entry is None else entry[_SIZE:]

    def __contains__(self, key: object) -> bool:
        """Whether ``key`` (a string) is in the tree."""
        return isinstance(key, str) and self.get(key) is not None

    def __len__(self) -> int:
        """Number of keys."""
        return self._count

    def keys(self) -> Iterator[str]:
        """Iterate over all keys in sorted order."""
        return iter(sorted(k for page in self._pages.values() for k in page))

    @property
    def root(self) -> str:
        """Stored root hash: 40 lowercase hex chars; :data:`EMPTY_ROOT` for an empty tree."""
        return self._root.hex()

    def diff(self, other: MerkleTree) -> builtins.set[str]:
        """Keys whose digests differ between the trees, or present in only one of them.

        Descends only into children whose stored hashes differ and compares entries only at the
        leaf pages reached; a corrupted page is visited but yields no keys if its entries agree.
        """
        out: builtins.set[str] = builtins.set()
        if self._root != other._root:
            self._diff_node(other, 1, out)
        return out

    def _diff_node(self, other: MerkleTree, node: int, out: builtins.set[str]) -> None:
        mine = self._children.get(node, _EMPTY16)
        theirs = other._children.get(node, _EMPTY16)
        for slot in range(16):
            off = slot * _SIZE
            if mine[off : off + _SIZE] != theirs[off : off + _SIZE]:
                child = node << 4 | slot
                if child >= _LEAF0:
                    self._diff_page(other, child, out)
                else:
                    self._diff_node(other, child, out)

    def _diff_page(self, other: MerkleTree, number: int, out: builtins.set[str]) -> None:
        mine = self._pages.get(number, {})
        theirs = other._pages.get(number, {})
        out.update(k for k in mine.keys() | theirs.keys() if mine.get(k) != theirs.get(k))

    def copy(self) -> MerkleTree:
        """Return an independent copy (including any corruption)."""
        new = type(self)()
        new._pages = {n: dict(page) for n, page in self._pages.items()}
        new._children = {n: bytearray(buf) for n, buf in self._children.items()}
        new._masks = dict(self._masks)
        new._root = self._root
        new._count = self._count
        return new

    def corrupt(self, choice: int) -> str:
        """Corrupt the stored hash of a non-root node picked deterministically by ``choice``.

        Picks among non-empty nodes and pages (a leaf page of an empty tree); the change
        propagates, so the root changes. Returns the name :meth:`verify` reports, e.g.
        ``"page 4/a7c3"`` (depth/hex prefix).
        """
        candidates = sorted(
            node << 4 | slot
            for node, buf in self._children.items()
            for slot in range(16)
            if buf[slot * _SIZE : (slot + 1) * _SIZE] != _EMPTY
        )
        node = candidates[choice % len(candidates)] if candidates else _LEAF0 | choice % _LEAF0
        mask = _sha1(b"fakevault-merkle-corrupt:%d" % choice).digest()
        while mask == self._masks.get(node):
            mask = _sha1(mask).digest()
        self._masks[node] = mask
        self._refresh(node)
        return _name(node)

    @property
    def corrupted(self) -> bool:
        """True while any stored hash disagrees with what the content implies (O(1))."""
        return bool(self._masks)

    def verify(self) -> list[str]:
        """Name the nodes whose stored hash disagrees with the hash their content implies.

        Names look like ``"page 4/a7c3"`` (depth/hex prefix), shallowest first; ``[]`` when
        healthy. Recomputes every page and node: O(n).
        """
        children, pages = self._children, self._pages
        suspects = {1, *pages, *self._masks}
        suspects.update(node << 4 | slot for node in children for slot in range(16))
        bad = []
        for node in sorted(suspects):
            if node >= _LEAF0:
                expected = _leaf_hash(pages.get(node))
            else:
                expected = _node_hash(children.get(node))
            if self._stored(node) != expected:
                bad.append(_name(node))
        return bad

    def rebuild(self) -> None:
        """Recompute every hash from the content, clearing all corruption (what reindex does)."""
        self._masks = {}
        self._rehash_all()

    def to_json(self) -> dict[str, object]:
        """JSON-able state, including corruption; :meth:`from_json` restores it exactly."""
        entries = {k: e[_SIZE:].hex() for page in self._pages.values() for k, e in page.items()}
        return {
            "depth": DEPTH,
            "root": self.root,
            "entries": dict(sorted(entries.items())),
            "corruption": {_prefix(n): self._masks[n].hex() for n in sorted(self._masks)},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> MerkleTree:
        """Rebuild a tree from :meth:`to_json` output; raises ``ValueError`` if malformed."""
        entries, corruption = data.get("entries", {}), data.get("corruption", {})
        if data.get("depth", DEPTH) != DEPTH:
            raise ValueError(f"merkle depth {data.get('depth')!r} != {DEPTH}")
        if not isinstance(entries, Mapping) or not isinstance(corruption, Mapping):
            raise ValueError("merkle 'entries' and 'corruption' must be objects")
        try:
            tree = cls.build((str(k), bytes.fromhex(v)) for k, v in entries.items())
            masks = {str(p): bytes.fromhex(m) for p, m in corruption.items()}
        except (TypeError, ValueError) as exc:
            raise ValueError(f"malformed merkle state: {exc}") from exc
        for prefix, mask in sorted(masks.items(), key=lambda pm: -len(pm[0])):  # deepest first
            ok = 1 <= len(prefix) <= DEPTH and all(c in "0123456789abcdef" for c in prefix)
            if not ok or len(mask) != _SIZE or mask == bytes(_SIZE):
                raise ValueError(f"bad merkle corruption entry {prefix!r}")
            node = 1 << 4 * len(prefix) | int(prefix, 16)
            tree._masks[node] = mask
            tree._refresh(node)
        if "root" in data and data["root"] != tree.root:
            raise ValueError(f"merkle root mismatch: {data['root']!r} != {tree.root!r}")
        return tree

    def __repr__(self) -> str:
        """Short, constructor-style summary."""
        extra = ", corrupted=True" if self._masks else ""
        return f"{type(self).__name__}(keys={self._count}, root={self.root[:12]!r}{extra})"
