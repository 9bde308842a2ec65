"""Storage: key/value data, the WAL with bounded retention, and the two merkle trees."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fakevault.model.merkle import EMPTY_ROOT
from fakevault.model.storage import Storage, WalEntry, canonical_json, is_local


def test_put_get_returns_copies_of_json_values() -> None:
    storage = Storage()
    storage.put("secret/a", {"data": {"x": [1, 2]}})
    value = storage.get("secret/a")
    assert value == {"data": {"x": [1, 2]}}
    value["data"]["x"].append(3)
    assert storage.get("secret/a") == {"data": {"x": [1, 2]}}
    assert storage.get("missing") is None
    assert storage.text("secret/a") == '{"data":{"x":[1,2]}}'


def test_canonical_json_is_sorted_and_compact() -> None:
    assert canonical_json({"b": 1, "a": "é"}) == '{"a":"é","b":1}'


@pytest.mark.parametrize(("key", "local"), [
    ("local/token", True),
    ("local/", True),
    ("secret/local/x", False),
    ("localx", False),
    ("sys/policy", False),
])
def test_is_local(key: str, local: bool) -> None:
    assert is_local(key) is local


def test_every_change_is_a_wal_entry_with_increasing_index() -> None:
    storage = Storage()
    entries = [storage.put("a", 1), storage.put("a", 2), storage.delete("a"),
               storage.delete("never-there")]
    assert [e.index for e in entries] == [1, 2, 3, 4]
    assert entries[2] == WalEntry(3, "a", None)
    assert storage.last_wal == 4
    assert "a" not in storage
    assert len(storage) == 0


def test_last_performance_wal_skips_local_entries() -> None:
    storage = Storage()
    storage.put("a", 1)
    storage.put("local/t", 1)
    storage.put("local/u", 1)
    assert (storage.last_wal, storage.last_performance_wal) == (3, 1)
    storage.put("b", 1)
    assert (storage.last_wal, storage.last_performance_wal) == (4, 4)
    assert [e.local for e in storage.wal] == [False, True, True, False]


def test_entries_after_returns_what_a_follower_needs() -> None:
    storage = Storage(retention=10)
    for i in range(5):
        storage.put(f"k{i}", i)
    assert [e.index for e in storage.entries_after(2) or []] == [3, 4, 5]
    assert storage.entries_after(5) == []
    assert storage.entries_after(9) == []
    assert [e.index for e in storage.entries_after(0) or []] == [1, 2, 3, 4, 5]


def test_entries_after_is_none_once_the_wal_no_longer_holds_them() -> None:
    storage = Storage(retention=3)
    for i in range(6):
        storage.put(f"k{i}", i)
    assert [e.index for e in storage.wal] == [4, 5, 6]
    assert storage.entries_after(2) is None
    assert [e.index for e in storage.entries_after(3) or []] == [4, 5, 6]


def test_retention_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Storage(retention=0)


def test_replicated_and_local_keys_live_in_separate_trees() -> None:
    storage = Storage()
    storage.put("secret/a", 1)
    replicated = storage.replicated.root
    storage.put("local/t", 1)
    assert storage.replicated.root == replicated
    assert storage.local.root != EMPTY_ROOT
    assert "secret/a" in storage.replicated and "local/t" in storage.local
    assert "local/t" not in storage.replicated


def test_merkle_root_for_performance_ignores_local_data_and_dr_does_not() -> None:
    storage = Storage()
    storage.put("secret/a", 1)
    perf, dr = storage.merkle_root("performance"), storage.merkle_root("dr")
    storage.put("local/t", 1)
    assert storage.merkle_root("performance") == perf
    assert storage.merkle_root("dr") != dr
    assert len(storage.merkle_root("dr")) == 40
    int(storage.merkle_root("dr"), 16)


def test_merkle_root_depends_on_content_only() -> None:
    one, two = Storage(), Storage()
    one.put("x", {"a": 1, "b": 2})
    one.put("y", 1)
    two.put("y", 1)
    two.put("x", {"b": 2, "a": 1})
    two.put("z", 1)
    two.delete("z")
    assert one.merkle_root("dr") == two.merkle_root("dr")
    assert one.last_wal != two.last_wal


def test_wipe_forgets_everything_and_starts_a_new_epoch() -> None:
    storage = Storage()
    storage.put("a", 1)
    storage.put("local/b", 1)
    storage.wipe()
    assert len(storage) == 0
    assert (storage.last_wal, storage.last_performance_wal, storage.epoch) == (0, 0, 1)
    assert list(storage.wal) == []
    assert storage.replicated.root == storage.local.root == EMPTY_ROOT
    assert storage.put("c", 1).index == 1


def test_reindex_clears_corruption_and_restores_the_root() -> None:
    storage = Storage()
    storage.put("a", 1)
    healthy = storage.replicated.root
    storage.replicated.corrupt(5)
    assert storage.corrupted
    assert storage.replicated.root != healthy
    storage.reindex()
    assert not storage.corrupted
    assert storage.replicated.root == healthy


def test_local_tree_corruption_counts_as_corruption() -> None:
    storage = Storage()
    storage.local.corrupt(1)
    assert storage.corrupted


def test_list_gives_sorted_immediate_children() -> None:
    storage = Storage()
    for key in ("secret/a", "secret/b/c", "secret/b/d", "secret/e/f/g", "other"):
        storage.put(key, 1)
    assert storage.list("secret/") == ["a", "b/", "e/"]
    assert storage.list("secret/b/") == ["c", "d"]
    assert storage.list("") == ["other", "secret/"]
    assert storage.list("nothing/") == []
    assert sorted(storage.keys("secret/b")) == ["secret/b/c", "secret/b/d"]


def test_json_round_trip_is_exact() -> None:
    storage = Storage(retention=2)
    storage.put("a", {"x": 1})
    storage.put("local/b", [1])
    storage.put("c", "s")
    storage.delete("a")
    storage.replicated.corrupt(3)
    data = storage.to_json()
    assert json.loads(json.dumps(data)) == data
    again = Storage.from_json(json.loads(json.dumps(data)))
    assert again.to_json() == data
    assert again.merkle_root("dr") == storage.merkle_root("dr")
    assert again.corrupted
    assert again.entries_after(2) == storage.entries_after(2)
    assert again.put("d", 1).index == storage.put("d", 1).index == 5


def test_repr_looks_like_python() -> None:
    storage = Storage()
    storage.put("a", 1)
    assert repr(storage) == "Storage(keys=1, last_wal=1, epoch=0)"


_KEYS = st.sampled_from(["a", "b", "c/d", "local/t", "local/u"])


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(_KEYS, st.one_of(st.none(), st.integers(0, 3))), max_size=12),
       st.randoms(use_true_random=False))
def test_roots_depend_on_final_content_not_on_history(
        writes: list[tuple[str, int | None]], rng: random.Random) -> None:
    one = Storage()
    for key, value in writes:
        one.apply(key, None if value is None else canonical_json(value))
    two = Storage()
    final = list(one.items())
    rng.shuffle(final)
    for key, text in final:
        two.apply(key, text)
    assert dict(two.items()) == dict(one.items())
    assert two.merkle_root("dr") == one.merkle_root("dr")
    assert two.merkle_root("performance") == one.merkle_root("performance")
    assert one.last_wal == len(writes)
    assert not one.replicated.diff(two.replicated) and not one.local.diff(two.local)
