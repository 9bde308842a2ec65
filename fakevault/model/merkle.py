"""Merkle tree over a cluster's key/value storage, as used by replication.

The tree has a fixed shape: a 16-ary trie of depth :data:`DEPTH` addressed by the hex SHA-1 of
each key. Leaf *pages* live at the ``DEPTH``-digit prefixes and hold ``key -> value digest``
entries; internal nodes live at the shorter prefixes (the root is ``""``). Pages and internal
nodes are stored lazily, and any empty subtree hashes to the constant ``sha1(b"")``, so one
``set()`` rehashes one page and ``DEPTH`` internal nodes whatever the tree size.

Every internal node keeps a 320-byte buffer holding the *stored* hashes of its 16 children;
these stored hashes are the truth for :attr:`MerkleTree.root` and :meth:`MerkleTree.diff`.
Fault injection (:meth:`MerkleTree.corrupt`) XORs a mask into one node's stored hash; the mask
survives later writes until :meth:`MerkleTree.rebuild`, like a bad page until a reindex.
"""

from __future__ import annotations

import builtins
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping

__all__ = ["DEPTH", "EMPTY_ROOT", "MerkleTree", "value_digest"]

DEPTH = 4
"""Number of hex digits of ``sha1(key)`` addressing a leaf page (16**DEPTH possible pages)."""

_HEX = "0123456789abcdef"
_SIZE = 20  # bytes in a SHA-1 digest
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


def _page_of(key: str) -> str:
    return _sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:DEPTH]


def _leaf_hash(page: Mapping[str, bytes] | None, new: Callable[[], hashlib._Hash] = _sha1) -> bytes:
    """Hash of a leaf page: SHA-1 over its entries sorted by key, netstring-encoded."""
    if not page:
        return _EMPTY
    hasher = new()
    for key in sorted(page):
        kb = key.encode("utf-8", "surrogatepass")
        digest = page[key]
        hasher.update(b"%d:%b,%d:%b," % (len(kb), kb, len(digest), digest))
    return hasher.digest()


def _node_hash(buf: bytes | bytearray | None) -> bytes:
    """Hash of an internal node from its 16 children's stored hashes (empty if all are empty)."""
    if buf is None or buf == _EMPTY16:
        return _EMPTY
    return _sha1(buf).digest()


def _xor(a: bytes, b: bytes) -> bytes:
    return (int.from_bytes(a, "big") ^ int.from_bytes(b, "big")).to_bytes(_SIZE, "big")


def _name(prefix: str) -> str:
    return f"page {len(prefix)}/{prefix}"


def _is_prefix(text: str) -> bool:
    return 1 <= len(text) <= DEPTH and all(c in _HEX for c in text)


class MerkleTree:
    """Fixed-shape 16-ary merkle tree mapping string keys to value digests."""

    __slots__ = ("_children", "_count", "_masks", "_pages", "_root")

    def __init__(self) -> None:
        """Create an empty, healthy tree."""
        self._pages: dict[str, dict[str, bytes]] = {}
        self._children: dict[str, bytearray] = {}
        self._masks: dict[str, bytes] = {}
        self._root: bytes = _EMPTY
        self._count = 0

    @classmethod
    def build(cls, items: Iterable[tuple[str, bytes]]) -> MerkleTree:
        """Build a tree from ``(key, digest)`` pairs in one pass (later duplicates win)."""
        tree = cls()
        pages = tree._pages
        new = _sha1().copy  # copying a fresh hasher is much cheaper than constructing one
        for key, digest in items:
            hasher = new()
            hasher.update(key.encode("utf-8", "surrogatepass"))
            prefix = hasher.hexdigest()[:DEPTH]
            page = pages.get(prefix)
            if page is None:
                pages[prefix] = {key: digest}
            else:
                page[key] = digest
        tree._count = sum(map(len, pages.values()))
        tree._rehash_all()
        return tree

    def _rehash_all(self) -> None:
        """Recompute every internal buffer and the root from the pages (ignores masks)."""
        new = _sha1().copy
        hashes = {p: _leaf_hash(page, new) for p, page in self._pages.items() if page}
        children: dict[str, bytearray] = {}
        for _level in range(DEPTH):
            get, parents = hashes.get, {}
            for parent in {p[:-1] for p in hashes}:
                buf = b"".join([get(parent + c, _EMPTY) for c in _HEX])
                children[parent] = bytearray(buf)
                hasher = new()
                hasher.update(buf)
                parents[parent] = hasher.digest()
            hashes = parents
        self._children = children
        self._root = hashes.get("", _EMPTY)

    def _refresh(self, prefix: str) -> None:
        """Recompute the stored hash of node ``prefix`` (mask applied) and of its ancestors."""
        masks, children = self._masks, self._children
        if len(prefix) == DEPTH:
            digest = _leaf_hash(self._pages.get(prefix))
        else:
            digest = _node_hash(children.get(prefix))
        if masks and prefix in masks:
            digest = _xor(digest, masks[prefix])
        for level in range(len(prefix) - 1, -1, -1):
            parent = prefix[:level]
            buf = children.get(parent)
            if buf is None:
                if digest == _EMPTY:
                    return  # slot was already empty: nothing above changes
                buf = children[parent] = bytearray(_EMPTY16)
            off = _HEX.index(prefix[level]) * _SIZE
            if buf[off : off + _SIZE] == digest:
                return  # unchanged: ancestors are already right
            buf[off : off + _SIZE] = digest
            if buf == _EMPTY16:
                del children[parent]
                digest = _EMPTY
            else:
                digest = _sha1(buf).digest()
            if masks and parent in masks:
                digest = _xor(digest, masks[parent])
        self._root = digest

    def _stored(self, prefix: str) -> bytes:
        """The stored hash of node ``prefix`` (what its parent holds)."""
        if not prefix:
            return self._root
        buf = self._children.get(prefix[:-1])
        if buf is None:
            return _EMPTY
        off = _HEX.index(prefix[-1]) * _SIZE
        return bytes(buf[off : off + _SIZE])

    def set(self, key: str, digest: bytes) -> None:
        """Insert or replace ``key`` with value digest ``digest``; cost independent of size."""
        prefix = _page_of(key)
        page = self._pages.get(prefix)
        if page is None:
            page = self._pages[prefix] = {}
        old = page.get(key)
        if old == digest:
            return
        if old is None:
            self._count += 1
        page[key] = digest
        self._refresh(prefix)

    def delete(self, key: str) -> None:
        """Remove ``key`` if present (no error if absent)."""
        prefix = _page_of(key)
        page = self._pages.get(prefix)
        if page is None or key not in page:
            return
        del page[key]
        if not page:
            del self._pages[prefix]
        self._count -= 1
        self._refresh(prefix)

    def get(self, key: str) -> bytes | None:
        """Return the digest stored for ``key``, or ``None``."""
        page = self._pages.get(_page_of(key))
        return None if page is None else page.get(key)

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

        Walks both trees from the root, descending only into children whose stored hashes
        differ, and compares entries only at the leaf pages reached. Stored hashes are trusted:
        a corrupted page is descended into but, if its entries agree, yields no keys.
        """
        out: builtins.set[str] = builtins.set()
        if self._root != other._root:
            self._diff_node(other, "", out)
        return out

    def _diff_node(self, other: MerkleTree, prefix: str, out: builtins.set[str]) -> None:
        mine = self._children.get(prefix, _EMPTY16)
        theirs = other._children.get(prefix, _EMPTY16)
        for i, char in enumerate(_HEX):
            off = i * _SIZE
            if mine[off : off + _SIZE] != theirs[off : off + _SIZE]:
                if len(prefix) + 1 == DEPTH:
                    self._diff_page(other, prefix + char, out)
                else:
                    self._diff_node(other, prefix + char, out)

    def _diff_page(self, other: MerkleTree, prefix: str, out: builtins.set[str]) -> None:
        mine = self._pages.get(prefix, {})
        theirs = other._pages.get(prefix, {})
        out.update(k for k in mine.keys() | theirs.keys() if mine.get(k) != theirs.get(k))

    def copy(self) -> MerkleTree:
        """Return an independent copy (including any corruption)."""
        new = type(self)()
        new._pages = {p: dict(page) for p, page in self._pages.items()}
        new._children = {p: bytearray(buf) for p, buf in self._children.items()}
        new._masks = dict(self._masks)
        new._root = self._root
        new._count = self._count
        return new

    def corrupt(self, choice: int) -> str:
        """Corrupt one non-root node's stored hash, chosen deterministically from ``choice``.

        Picks among existing non-root nodes (internal nodes and leaf pages) in sorted order; on an
        empty tree picks the leaf page ``choice mod 16**DEPTH``. The new stored hash differs from
        the old one and the change propagates, so the root changes. Returns the page's name, as
        :meth:`verify` reports it (e.g. ``"page 4/a7c3"``).
        """
        candidates = sorted(
            p + c for p in self._children for c in _HEX if self._stored(p + c) != _EMPTY
        )
        if candidates:
            prefix = candidates[choice % len(candidates)]
        else:
            prefix = format(choice % 16**DEPTH, f"0{DEPTH}x")
        mask = _sha1(b"fakevault-merkle-corrupt:%d" % choice).digest()
        while mask == self._masks.get(prefix) or mask == bytes(_SIZE):
            mask = _sha1(mask).digest()
        self._masks[prefix] = mask
        self._refresh(prefix)
        return _name(prefix)

    @property
    def corrupted(self) -> bool:
        """True while any stored hash disagrees with what the content implies (O(1))."""
        return bool(self._masks)

    def verify(self) -> list[str]:
        """Recompute every node from its content and name the nodes whose stored hash is wrong.

        Returns sorted names such as ``"page 4/a7c3"``; ``[]`` for a healthy tree. O(n).
        """
        children, pages = self._children, self._pages
        suspects = set(pages) | set(self._masks) | {""}
        suspects.update(p + c for p in children for c in _HEX)
        bad = []
        for prefix in suspects:
            if len(prefix) == DEPTH:
                expected = _leaf_hash(pages.get(prefix))
            else:
                expected = _node_hash(children.get(prefix))
            if self._stored(prefix) != expected:
                bad.append(prefix)
        return [_name(p) for p in sorted(bad, key=lambda p: (len(p), p))]

    def rebuild(self) -> None:
        """Recompute every hash from the content, clearing all corruption (what reindex does)."""
        self._masks = {}
        self._rehash_all()

    def to_json(self) -> dict[str, object]:
        """JSON-able state, including corruption; :meth:`from_json` restores it exactly."""
        entries = {k: page[k].hex() for page in self._pages.values() for k in page}
        return {
            "depth": DEPTH,
            "root": self.root,
            "entries": dict(sorted(entries.items())),
            "corruption": dict(sorted((p, m.hex()) for p, m in self._masks.items())),
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
        for prefix, mask in sorted(masks.items(), key=lambda pm: -len(pm[0])):
            if not _is_prefix(prefix) or len(mask) != _SIZE or mask == bytes(_SIZE):
                raise ValueError(f"bad merkle corruption entry {prefix!r}")
            tree._masks[prefix] = mask
            tree._refresh(prefix)
        if "root" in data and data["root"] != tree.root:
            raise ValueError(f"merkle root mismatch: {data['root']!r} != {tree.root!r}")
        return tree

    def __repr__(self) -> str:
        """Short, valid-looking constructor-style summary."""
        extra = ", corrupted=True" if self._masks else ""
        return f"{type(self).__name__}(keys={self._count}, root={self.root[:12]!r}{extra})"
