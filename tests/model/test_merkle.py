"""Tests for fakevault.model.merkle: the per-cluster merkle tree used by replication."""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fakevault.model import merkle
from fakevault.model.merkle import DEPTH, EMPTY_ROOT, MerkleTree, value_digest

HEX40 = re.compile(r"[0-9a-f]{40}")
FAST = settings(max_examples=60, deadline=None)

keys_st = st.text(alphabet="ab/é1", min_size=1, max_size=5)
digests_st = st.integers(0, 5).map(value_digest)
contents_st = st.dictionaries(keys_st, digests_st, max_size=30)


def tree_of(content: dict[str, bytes]) -> MerkleTree:
    tree = MerkleTree()
    for key, digest in content.items():
        tree.set(key, digest)
    return tree


def numbered(n: int, salt: str = "") -> dict[str, bytes]:
    return {f"secret/k{i}": value_digest(f"{salt}{i}") for i in range(n)}


class CountingTree(MerkleTree):
    """Counts the leaf pages diff() compares entries of."""

    __slots__ = ("pages_visited",)

    def __init__(self) -> None:
        super().__init__()
        self.pages_visited = 0

    def _diff_page(self, other: MerkleTree, number: int, out: set[str]) -> None:
        self.pages_visited += 1
        super()._diff_page(other, number, out)


# -- basics -------------------------------------------------------------------------------


def test_empty_root_is_sha1_of_nothing() -> None:
    tree = MerkleTree()
    assert hashlib.sha1(b"").hexdigest() == EMPTY_ROOT
    assert tree.root == EMPTY_ROOT
    assert len(tree) == 0
    assert list(tree.keys()) == []
    assert not tree.corrupted
    assert tree.verify() == []


def test_value_digest_is_sha1_of_canonical_json() -> None:
    value = {"b": [1, 2], "a": "é"}
    expected = hashlib.sha1('{"a":"é","b":[1,2]}'.encode()).digest()
    assert value_digest(value) == expected
    assert value_digest({"a": "é", "b": [1, 2]}) == expected
    assert value_digest({"a": "é", "b": [2, 1]}) != expected


def test_root_is_40_lowercase_hex_and_tracks_content() -> None:
    tree = MerkleTree()
    tree.set("secret/a", value_digest(1))
    assert HEX40.fullmatch(tree.root)
    assert tree.root != EMPTY_ROOT
    assert tree.get("secret/a") == value_digest(1)
    assert tree.get("secret/b") is None
    assert "secret/a" in tree
    assert "secret/b" not in tree
    assert 3 not in tree
    assert len(tree) == 1


def test_keys_len_and_overwrite() -> None:
    tree = tree_of({"b": value_digest(1), "a": value_digest(2), "c": value_digest(3)})
    tree.set("a", value_digest(9))
    assert len(tree) == 3
    assert list(tree.keys()) == ["a", "b", "c"]
    assert tree.get("a") == value_digest(9)
    tree.delete("b")
    tree.delete("b")  # absent: no error
    assert list(tree.keys()) == ["a", "c"]
    assert len(tree) == 2


def test_digest_must_be_20_bytes() -> None:
    with pytest.raises(ValueError, match="20 bytes"):
        MerkleTree().set("k", b"short")
    with pytest.raises(ValueError, match="20 bytes"):
        MerkleTree.build([("k", value_digest(1)), ("j", b"x" * 21)])


def test_repr_is_short_and_constructor_like() -> None:
    tree = tree_of(numbered(3))
    assert repr(tree) == f"MerkleTree(keys=3, root={tree.root[:12]!r})"
    tree.corrupt(0)
    assert repr(tree).endswith(", corrupted=True)")


# -- root semantics -----------------------------------------------------------------------


@FAST
@given(contents_st, st.randoms(use_true_random=False))
def test_insertion_order_does_not_matter(content: dict[str, bytes], rnd: random.Random) -> None:
    items = list(content.items())
    rnd.shuffle(items)
    shuffled = MerkleTree()
    for key, digest in items:
        shuffled.set(key, digest)
    assert shuffled.root == tree_of(content).root


@FAST
@given(contents_st, keys_st, digests_st)
def test_set_then_delete_restores_root(content: dict[str, bytes], key: str, digest: bytes) -> None:
    tree = tree_of(content)
    before = tree.root
    old = tree.get(key)
    tree.set(key, digest)
    if old is None:
        tree.delete(key)
    else:
        assert (tree.root == before) == (old == digest)
        tree.set(key, old)
    assert tree.root == before
    assert len(tree) == len(content)


def test_root_changes_on_every_distinct_write() -> None:
    rnd = random.Random(1)
    tree = MerkleTree()
    content: dict[str, bytes] = {}
    roots: dict[frozenset[tuple[str, bytes]], str] = {frozenset(): tree.root}
    changes = 0
    for i in range(400):
        key = f"k{rnd.randrange(30)}"
        before = tree.root
        if rnd.random() < 0.3:
            changed = content.pop(key, None) is not None
            tree.delete(key)
        else:
            digest = value_digest(rnd.randrange(4))
            changed = content.get(key) != digest
            content[key] = digest
            tree.set(key, digest)
        assert (tree.root != before) == changed, i
        changes += changed
        state = frozenset(content.items())
        assert roots.setdefault(state, tree.root) == tree.root
    assert changes > 200
    assert len(set(roots.values())) == len(roots)  # distinct contents, distinct roots


def test_noop_writes_keep_root() -> None:
    tree = tree_of(numbered(20))
    before = tree.root
    tree.set("secret/k3", value_digest("3"))
    tree.delete("nope")
    assert tree.root == before


@FAST
@given(st.lists(st.tuples(keys_st, digests_st), max_size=40))
def test_build_equals_repeated_set(items: list[tuple[str, bytes]]) -> None:
    built = MerkleTree.build(items)
    content = dict(items)  # later duplicates win, as in build()
    manual = tree_of(content)
    assert built.root == manual.root
    assert len(built) == len(content)
    assert list(built.keys()) == sorted(content)
    assert all(built.get(k) == d for k, d in content.items())


def test_build_equals_repeated_set_at_scale() -> None:
    content = numbered(3000)
    assert MerkleTree.build(content.items()).root == tree_of(content).root


def test_set_rehashes_a_constant_number_of_nodes(monkeypatch: pytest.MonkeyPatch) -> None:
    small, large = tree_of(numbered(10)), MerkleTree.build(numbered(20000).items())
    calls = 0
    real = merkle._sha1

    def counting(data: bytes = b"") -> hashlib._Hash:
        nonlocal calls
        calls += 1
        return real(data)

    digests = [value_digest(i) for i in range(50)]
    monkeypatch.setattr(merkle, "_sha1", counting)
    counts = []
    for tree in (small, large):
        for i, digest in enumerate(digests):
            calls = 0
            tree.set(f"new/{i}", digest)
            counts.append(calls)
    # sha1(key) + one leaf page + at most DEPTH internal nodes, whatever the size
    assert max(counts) <= DEPTH + 2
    assert max(counts[50:]) == max(counts[:50])


# -- diff ---------------------------------------------------------------------------------


@FAST
@given(contents_st, contents_st)
def test_diff_finds_exactly_the_differing_keys(a: dict[str, bytes], b: dict[str, bytes]) -> None:
    expected = {k for k in a.keys() | b.keys() if a.get(k) != b.get(k)}
    ta, tb = tree_of(a), tree_of(b)
    assert ta.diff(tb) == expected
    assert tb.diff(ta) == expected
    assert (ta.root == tb.root) == (not expected)


def test_diff_of_identical_trees_visits_no_page() -> None:
    content = numbered(2000)
    a = CountingTree.build(content.items())
    b = MerkleTree.build(content.items())
    assert isinstance(a, CountingTree)
    assert a.diff(b) == set()
    assert a.pages_visited == 0


def test_diff_descends_only_into_differing_pages() -> None:
    content = numbered(2000)
    a = CountingTree.build(content.items())
    b = MerkleTree.build(content.items())
    b.set("secret/k7", value_digest("changed"))
    b.delete("secret/k8")
    b.set("extra", value_digest(0))
    assert isinstance(a, CountingTree)
    assert a.diff(b) == {"secret/k7", "secret/k8", "extra"}
    assert a.pages_visited <= 3


def test_diff_then_sync_converges() -> None:
    primary = MerkleTree.build(numbered(500).items())
    secondary = MerkleTree.build(numbered(450, salt="old").items())
    for key in primary.diff(secondary):
        digest = primary.get(key)
        if digest is None:
            secondary.delete(key)
        else:
            secondary.set(key, digest)
    assert secondary.root == primary.root
    assert secondary.diff(primary) == set()


# -- corruption ---------------------------------------------------------------------------


def test_corrupt_changes_root_until_rebuild() -> None:
    tree = MerkleTree.build(numbered(200).items())
    healthy = tree.root
    name = tree.corrupt(12345)
    assert re.fullmatch(r"page [1-4]/[0-9a-f]{1,4}", name)
    assert name.split("/")[0] == f"page {len(name.split('/')[1])}"
    assert tree.root != healthy
    assert HEX40.fullmatch(tree.root)
    assert tree.corrupted
    assert tree.verify() == [name]
    tree.rebuild()
    assert tree.root == healthy
    assert not tree.corrupted
    assert tree.verify() == []


def test_corrupt_empty_tree() -> None:
    tree = MerkleTree()
    name = tree.corrupt(7)
    assert name.startswith("page ")
    assert tree.root != EMPTY_ROOT
    assert tree.corrupted
    assert tree.verify() == [name]
    tree.rebuild()
    assert tree.root == EMPTY_ROOT
    assert tree.verify() == []


@FAST
@given(st.integers(0, 60), st.integers(-(2**70), 2**70))
def test_any_choice_corrupts_detectably(n: int, choice: int) -> None:
    tree = MerkleTree.build(numbered(n).items())
    healthy = tree.root
    twin = tree.copy()
    name = tree.corrupt(choice)
    assert twin.corrupt(choice) == name  # deterministic
    assert twin.root == tree.root != healthy
    assert tree.verify() == [name]
    tree.rebuild()
    assert tree.root == healthy


def test_corrupting_the_same_page_twice_still_changes_root() -> None:
    tree = MerkleTree()
    tree.set("only", value_digest(1))
    first = tree.corrupt(3)
    root1 = tree.root
    assert tree.corrupt(3) == first  # one candidate chain: same page again
    assert tree.root != root1
    assert tree.verify() == [first]


def test_corruption_survives_writes_until_rebuild() -> None:
    content = numbered(300)
    tree = MerkleTree.build(content.items())
    name = tree.corrupt(42)
    for i in range(300):  # rewrite, delete and add: every page path gets recomputed
        tree.set(f"secret/k{i}", value_digest(f"v2-{i}"))
        content[f"secret/k{i}"] = value_digest(f"v2-{i}")
        if i % 3 == 0:
            tree.delete(f"secret/k{i}")
            del content[f"secret/k{i}"]
        tree.set(f"more/{i}", value_digest(i))
        content[f"more/{i}"] = value_digest(i)
        assert tree.corrupted
    healthy = MerkleTree.build(content.items())
    assert tree.verify() == [name]
    assert tree.root != healthy.root
    assert len(tree) == len(content)
    tree.rebuild()
    assert tree.root == healthy.root
    assert not tree.corrupted


def test_corrupted_page_hides_its_fault_from_diff() -> None:
    content = numbered(100)
    good = MerkleTree.build(content.items())
    bad = good.copy()
    bad.corrupt(5)
    # stored hashes are trusted: the roots never match, yet no key is found to fix
    assert bad.root != good.root
    assert bad.diff(good) == set()
    bad.rebuild()
    assert bad.root == good.root


# -- persistence and copies -----------------------------------------------------------------


def roundtrip(tree: MerkleTree) -> MerkleTree:
    return MerkleTree.from_json(json.loads(json.dumps(tree.to_json())))


@pytest.mark.parametrize("corruptions", [(), (1,), (3, 99, 1000)])
def test_json_round_trip(corruptions: tuple[int, ...]) -> None:
    tree = MerkleTree.build(numbered(150).items())
    for choice in corruptions:
        tree.corrupt(choice)
    back = roundtrip(tree)
    assert back.root == tree.root
    assert back.corrupted == tree.corrupted == bool(corruptions)
    assert back.verify() == tree.verify()
    assert len(tree.verify()) <= len(corruptions)
    keys = list(tree.keys())
    assert list(back.keys()) == keys
    assert all(back.get(k) == tree.get(k) for k in keys)
    back.rebuild()
    tree.rebuild()
    assert back.root == tree.root


def test_json_round_trip_of_corrupted_empty_tree() -> None:
    tree = MerkleTree()
    tree.corrupt(9)
    back = roundtrip(tree)
    assert back.root == tree.root != EMPTY_ROOT
    assert back.verify() == tree.verify()


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.update(root="0" * 40),
        lambda d: d.update(depth=DEPTH + 1),
        lambda d: d.update(entries=[]),
        lambda d: d["entries"].update(k="zz"),
        lambda d: d["entries"].update(k="ab"),
        lambda d: d["corruption"].update({"g": "11" * 20}),
        lambda d: d["corruption"].update({"12345": "11" * 20}),
        lambda d: d["corruption"].update({"1": "00" * 20}),
    ],
)
def test_from_json_rejects_malformed_state(mutate: Callable[[dict[str, object]], None]) -> None:
    data = json.loads(json.dumps(tree_of(numbered(5)).to_json()))
    MerkleTree.from_json(data)  # valid as is
    mutate(data)
    with pytest.raises(ValueError):
        MerkleTree.from_json(data)


def test_copy_is_independent() -> None:
    original = MerkleTree.build(numbered(100).items())
    root, keys = original.root, list(original.keys())
    dup = original.copy()
    assert dup.root == root
    dup.set("secret/k1", value_digest("other"))
    dup.delete("secret/k2")
    dup.set("new", value_digest(0))
    dup.corrupt(1)
    assert original.root == root
    assert list(original.keys()) == keys
    assert not original.corrupted
    assert original.get("secret/k1") == value_digest("1")
    original.set("secret/k3", value_digest("x"))
    assert dup.get("secret/k3") == value_digest("3")
    assert dup.corrupted
