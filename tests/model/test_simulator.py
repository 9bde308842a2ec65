"""The Simulator: determinism, snapshots, construction, time, heartbeats, the DESIGN example."""

from __future__ import annotations

import ast
import base64
import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

import fakevault
from fakevault.model.clock import DEFAULT_EPOCH, ManualClock, SystemClock, rfc3339
from fakevault.model.errors import ActivationTokenError, InvalidRequestError
from fakevault.model.simulator import Simulator
from fakevault.model.snapshot import SnapshotError

Connect = Callable[..., Any]
UNWRAP = ('error response unwrapping secondary token; status code is 400, message is '
          '"400 Bad Request"')


def test_design_example_runs_verbatim() -> None:
    from fakevault import Simulator  # create_app is the HTTP layer's, tested there

    sim = Simulator(seed=7)                     # clusters "a", "b", "c"; root token "root"
    a, b = sim["a"], sim["b"]
    a.dr.enable_primary()
    token = a.dr.secondary_token("b")           # single use, 30m by default
    b.dr.enable_secondary(token.token)          # wipes b, bootstraps, streams WALs
    a.write("secret/data/app", {"data": {"password": "x"}})
    assert b.dr.status()["last_remote_wal"] == a.dr.status()["last_wal"]
    sim.partition("a", "b"); sim.advance(60); sim.heal("a", "b")  # noqa: E702
    assert not sim.violations
    assert sim.names == ["a", "b", "c"] and sim.root_token == "root"
    assert token.ttl == 1800 and token.used
    assert b.storage.get("secret/data/app") == {"data": {"password": "x"}}


def test_package_exports() -> None:
    # The public Simulator is the model's world with its Vault and HTTP faces attached.
    assert issubclass(fakevault.Simulator, Simulator)
    assert {"vault", "wsgi_app"} <= set(vars(fakevault.Simulator))
    assert {"ManualClock", "Simulator", "SystemClock", "VaultError", "Violation"} <= \
        set(fakevault.__all__)


# -- determinism ------------------------------------------------------------------------------

def _story(sim: Simulator) -> None:
    """A bit of everything that draws on the random source or the clock."""
    a, b, c = sim["a"], sim["b"], sim["c"]
    a.performance.enable_primary()
    a.dr.enable_primary()
    b.performance.enable_secondary(a.performance.secondary_token("b").token)
    c.dr.enable_secondary(a.dr.secondary_token("c", ttl="1h").token)
    a.write("secret/x", {"v": 1})
    b.write("secret/y", [1, 2])
    a.write("token", "t", local=True)
    sim.advance(30)
    a.dr.secondary_token("spare")
    b.dr.generate_public_key()
    sim.partition("a", "c")
    a.write("secret/z", None)
    sim.corrupt_merkle("b")
    sim.crash("c")


def test_same_seed_gives_the_same_world() -> None:
    one, two = Simulator(seed=42), Simulator(seed=42)
    _story(one)
    _story(two)
    assert one.snapshot() == two.snapshot()
    assert one["b"].status() == two["b"].status()


def test_different_seeds_give_different_ids() -> None:
    ids = set()
    for seed in range(5):
        sim = Simulator(seed=seed)
        sim["a"].dr.enable_primary()
        sim["a"].performance.enable_primary()
        ids.add(sim["a"].dr.cluster_id)
        ids.add(sim["a"].performance.cluster_id)
    assert len(ids) == 10


def test_simulators_are_independent() -> None:
    one, two = Simulator(), Simulator()
    one["a"].write("secret/x", 1)
    one.partition("a", "b")
    assert two["a"].storage.get("secret/x") is None
    assert two.network.reachable("a", "b")
    assert len(two.history) == 0


def test_unseal_keys_are_seeded_base64_shares() -> None:
    sim = Simulator(seed=1, key_shares=3, key_threshold=2)
    keys = sim.unseal_keys("a")
    assert len(keys) == len(set(keys)) == 3
    assert all(len(base64.b64decode(k)) == 32 for k in keys)
    assert keys != sim.unseal_keys("b")
    assert keys == Simulator(seed=1, key_shares=3, key_threshold=2).unseal_keys("a")
    keys.clear()
    assert len(sim.unseal_keys("a")) == 3


# -- snapshots ---------------------------------------------------------------------------------

def _rich(sync: str = "manual") -> Simulator:
    sim = Simulator(seed=9, sync=sync, wal_retention=5, key_shares=2, key_threshold=2)  # type: ignore[arg-type]
    _story(sim)
    sim["a"].write("secret/lagging", 1)
    sim.step()
    sim.stall("b")
    return sim


def _statuses(sim: Simulator) -> dict[str, Any]:
    return {c.name: c.status() for c in sim}


def test_snapshot_is_json() -> None:
    snap = _rich().snapshot()
    text = json.dumps(snap)
    assert json.loads(text) == snap
    assert snap["format"] == "fakevault-snapshot" and snap["version"] == 1
    assert set(snap) == {"format", "version", "config", "clock", "rng", "seq", "network",
                         "clusters", "history", "invariants", "promotions"}


@pytest.mark.parametrize("sync", ["manual", "eager"])
def test_restore_gives_the_same_world(sync: str) -> None:
    sim = _rich(sync)
    snap = json.loads(json.dumps(sim.snapshot()))
    again = Simulator.restore(snap)
    assert again.snapshot() == sim.snapshot()
    assert _statuses(again) == _statuses(sim)
    assert [op.describe() for op in again.history] == [op.describe() for op in sim.history]
    assert again.violations == sim.violations


def _more(sim: Simulator) -> Any:
    """Operations after the snapshot: every kind of work, and what they return."""
    out: list[Any] = []
    sim.restart("c")
    sim.heal()
    out.append(sim.step())
    sim["b"].performance.recover()
    out.append(sim.sync())
    sim["b"].performance.reindex()
    out.append(sim.sync())
    out.append(sim["a"].write("secret/after", 1))
    token = sim["a"].performance.secondary_token("c2")
    out.append(token.token)
    sim.advance(120)
    with pytest.raises(InvalidRequestError) as info:
        sim["c"].dr.enable_secondary(token.token)
    out.append(str(info.value))
    sim["c"].dr.promote(force=True)
    out.append(sim.corrupt_merkle("a", "local"))
    out.append(sim.sync())
    return out


@pytest.mark.parametrize("sync", ["manual", "eager"])
def test_restored_world_keeps_working_like_the_original(sync: str) -> None:
    original = _rich(sync)
    restored = Simulator.restore(json.loads(json.dumps(original.snapshot())))
    assert _more(original) == _more(restored)
    assert restored.snapshot() == original.snapshot()
    assert _statuses(restored) == _statuses(original)
    assert [v.to_json() for v in restored.violations] == \
        [v.to_json() for v in original.violations]


def test_restore_of_a_fresh_world_and_of_a_system_clock() -> None:
    sim = Simulator(clock=SystemClock(offset=5.0))
    again = Simulator.restore(sim.snapshot())
    assert isinstance(again.clock, SystemClock) and again.clock.offset == 5.0
    fresh = Simulator(seed=3)
    assert Simulator.restore(fresh.snapshot()).snapshot() == fresh.snapshot()


def _broken(change: Callable[[dict[str, Any]], Any]) -> dict[str, Any]:
    sim = Simulator(seed=1)
    sim["a"].dr.enable_primary()
    sim["a"].write("secret/x", 1)
    snap = copy.deepcopy(sim.snapshot())
    change(snap)
    return snap


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(snap: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = snap
        for part in parents:
            target = target[part]
        target[last] = value
    return change


def _drop(path: str) -> Callable[[dict[str, Any]], None]:
    def change(snap: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = snap
        for part in parents:
            target = target[part]
        del target[last]
    return change


@pytest.mark.parametrize(("change", "message"), [
    (_set("format", "other"), 'not a fakevault snapshot (no "format": "fakevault-snapshot")'),
    (_drop("format"), "not a fakevault snapshot"),
    (_set("version", 2), "unsupported snapshot version 2; this fakevault reads version 1"),
    (_drop("config"), "corrupt snapshot: KeyError"),
    (_set("config.sync", "lazy"), "corrupt snapshot: ValueError: sync must be"),
    (_set("config.clusters", []), "corrupt snapshot: ValueError: clusters must be"),
    (_set("clusters", []), "corrupt snapshot: AttributeError"),
    (_set("clusters", {"zz": {}}), "corrupt snapshot: InvalidRequestError: no cluster named"),
    (_drop("clusters.a.storage"), "corrupt snapshot: KeyError: 'storage'"),
    (_set("clusters.a.storage.replicated.root", "0" * 40), "merkle root mismatch"),
    (_set("rng", [3, [1, 2], None]), "corrupt snapshot: ValueError"),
    (_set("rng", "seeded"), "corrupt snapshot: ValueError"),
    (_set("history", [{"seq": 1}]), "corrupt snapshot: TypeError"),
    (_set("seq", "one"), "corrupt snapshot: ValueError"),
    (_set("clock", {"kind": "manual"}), "corrupt snapshot: KeyError: 'now'"),
    (_set("network", None), "corrupt snapshot: TypeError"),
])
def test_bad_snapshot_data_raises_snapshot_error(change: Callable[[dict[str, Any]], Any],
                                                 message: str) -> None:
    with pytest.raises(SnapshotError) as info:
        Simulator.restore(_broken(change))
    assert message in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("data", [None, [], "fakevault-snapshot", 7])
def test_non_mapping_snapshot_raises_snapshot_error(data: Any) -> None:
    with pytest.raises(SnapshotError, match="not a fakevault snapshot"):
        Simulator.restore(data)


# -- repr -------------------------------------------------------------------------------------

def _call_name(text: str) -> str:
    node = ast.parse(text, mode="eval").body
    assert isinstance(node, ast.Call)
    assert all(isinstance(k.value, ast.Constant | ast.Tuple | ast.List) for k in node.keywords)
    assert isinstance(node.func, ast.Name)
    return node.func.id


def test_reprs_look_like_python() -> None:
    sim = Simulator(seed=7, clusters=("x", "y"), sync="manual", strict=True)
    sim["x"].dr.enable_primary()
    assert repr(sim) == ("Simulator(seed=7, clusters=('x', 'y'), sync='manual', strict=True)")
    assert _call_name(repr(sim)) == "Simulator"
    assert repr(eval(repr(sim), {"Simulator": Simulator})) == repr(sim)
    assert repr(sim["x"]) == "Cluster(name='x', api_addr='http://127.0.0.1:8200')"
    assert _call_name(repr(sim["x"])) == "Cluster"
    assert _call_name(repr(sim["x"].dr)) == "ReplicationRole"
    assert _call_name(repr(sim.clock)) == "ManualClock"
    assert _call_name(repr(sim.network)) == "Network"
    assert _call_name(repr(sim.history)) == "History"


# -- construction -----------------------------------------------------------------------------

@pytest.mark.parametrize(("kwargs", "message"), [
    ({"clusters": "abc"}, "clusters must be a non-empty sequence of names"),
    ({"clusters": ()}, "clusters must be a non-empty sequence of names"),
    ({"clusters": ("A",)}, "invalid cluster name 'A': use lowercase letters, digits, - or _"),
    ({"clusters": ("a b",)}, "invalid cluster name 'a b'"),
    ({"clusters": ("-a",)}, "invalid cluster name '-a'"),
    ({"clusters": (1,)}, "invalid cluster name 1"),
    ({"clusters": ("a", "a")}, "cluster names must be unique: ['a', 'a']"),
    ({"sync": "lazy"}, "sync must be 'eager' or 'manual', not 'lazy'"),
    ({"root_token": ""}, "root_token must be a non-empty string"),
    ({"root_token": None}, "root_token must be a non-empty string"),
    ({"wal_retention": 0}, "wal_retention must be a positive number of entries"),
    ({"wal_retention": "10"}, "wal_retention must be a positive number of entries"),
    ({"wal_retention": True}, "wal_retention must be a positive number of entries"),
    ({"key_shares": 0, "key_threshold": 0}, "need 1 <= key_threshold <= key_shares"),
    ({"key_shares": 2, "key_threshold": 3}, "need 1 <= key_threshold <= key_shares"),
    ({"key_shares": "3"}, "key_shares and key_threshold must be integers"),
    ({"key_threshold": 1.0}, "key_shares and key_threshold must be integers"),
    ({"strict": "yes"}, "strict must be True or False"),
    ({"addresses": {"zz": ("http://h:1", "https://h:2")}},
     "addresses names unknown clusters: ['zz']"),
])
def test_invalid_constructor_arguments(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as info:
        Simulator(**kwargs)
    assert message in str(info.value)


def test_custom_clusters_addresses_and_root_token() -> None:
    sim = Simulator(clusters=("east", "west"), root_token="s3cret",
                    addresses={"west": ("http://west:8200", "https://west:8201")})
    assert sim.names == ["east", "west"]
    assert [c.name for c in sim] == ["east", "west"]
    assert "east" in sim and "north" not in sim
    assert sim["east"].api_addr == "http://127.0.0.1:8200"
    assert sim["east"].cluster_addr == "https://127.0.0.1:9200"
    assert sim["west"].api_addr == "http://west:8200"
    assert sim.root_token == "s3cret"
    with pytest.raises(InvalidRequestError, match="no cluster named 'north'; clusters are "
                       "east, west"):
        sim["north"]


@pytest.mark.parametrize(("addr", "found"), [
    ("http://127.0.0.1:8201", "b"),
    ("http://127.0.0.1:8201/", "b"),
    ("HTTP://127.0.0.1:8201/v1/sys", "b"),
    ("https://127.0.0.1:8201", None),
    ("http://127.0.0.1:9999", None),
    ("not a url", None),
])
def test_cluster_at(addr: str, found: str | None) -> None:
    cluster = Simulator().cluster_at(addr)
    assert (cluster.name if cluster else None) == found


def test_set_address_moves_a_cluster() -> None:
    sim = Simulator()
    sim.set_address("a", "http://localhost:50000")
    assert sim.cluster_at("http://localhost:50000") is sim["a"]
    assert sim["a"].cluster_addr == "https://127.0.0.1:9200"
    sim.set_address("a", "http://localhost:50000", "https://localhost:50001")
    assert sim["a"].cluster_addr == "https://localhost:50001"


# -- time ------------------------------------------------------------------------------------

def test_manual_clock_starts_at_the_default_epoch_and_advances() -> None:
    sim = Simulator()
    assert sim.clock.now() == DEFAULT_EPOCH
    sim.advance(90.5)
    assert sim.clock.now() == DEFAULT_EPOCH + 90.5
    assert sim.history[-1].describe() == "#1 sim.advance(seconds=90.5)"


def test_advance_refuses_going_backwards() -> None:
    sim = Simulator()
    with pytest.raises(InvalidRequestError, match="must not be negative"):
        sim.advance(-1)
    assert sim.clock.now() == DEFAULT_EPOCH
    with pytest.raises(ValueError, match="backwards"):
        ManualClock().advance(-1)


@pytest.mark.parametrize(("ttl", "ok_after", "dead_after"), [
    ("30m", 1799, 1800),
    ("", 1799, 1800),
    (0, 1799, 1800),
    ("10s", 9, 10),
    ("2h", 7199, 7200),
])
def test_advance_expires_activation_tokens(ttl: Any, ok_after: int, dead_after: int) -> None:
    for wait, works in ((ok_after, True), (dead_after, False)):
        sim = Simulator()
        sim["a"].dr.enable_primary()
        token = sim["a"].dr.secondary_token("b", ttl=ttl)
        sim.advance(wait)
        if works:
            sim["b"].dr.enable_secondary(token.token)
            assert sim["b"].dr.mode == "secondary"
        else:
            with pytest.raises(ActivationTokenError) as info:
                sim["b"].dr.enable_secondary(token.token)
            assert str(info.value) == UNWRAP
            assert sim["b"].dr.mode == "disabled"


@pytest.mark.parametrize("sync", ["eager", "manual"])
def test_heartbeats_move_with_advance_while_linked(sync: str, connect: Connect) -> None:
    sim = Simulator(sync=sync)  # type: ignore[arg-type]
    connect(sim, "dr", "a", "b")
    sim.advance(60)
    now = rfc3339(sim.clock.now())
    (seen_by_primary,) = sim["a"].dr.status()["secondaries"]
    (seen_by_secondary,) = sim["b"].dr.status()["primaries"]
    assert seen_by_primary["last_heartbeat"] == seen_by_secondary["last_heartbeat"] == now
    assert seen_by_primary["replication_primary_canary_age_ms"] == "0"
    assert seen_by_secondary["replication_primary_canary_age_ms"] == "0"


def test_canary_age_grows_while_partitioned(connect: Connect) -> None:
    sim = Simulator()
    connect(sim, "dr", "a", "b")
    start = rfc3339(sim.clock.now())
    sim.partition("a", "b")

    def ages() -> tuple[str, str]:
        (p,) = sim["a"].dr.status()["secondaries"]
        (s,) = sim["b"].dr.status()["primaries"]
        assert p["last_heartbeat"] == s["last_heartbeat"] == start
        return p["replication_primary_canary_age_ms"], s["replication_primary_canary_age_ms"]

    sim.advance(60)
    assert ages() == ("60000", "60000")
    sim.advance(1.5)
    assert ages() == ("61500", "61500")
    sim.heal()
    (p,) = sim["a"].dr.status()["secondaries"]
    assert p["replication_primary_canary_age_ms"] == "0"
    assert p["last_heartbeat"] == rfc3339(sim.clock.now())


def test_system_clock_adds_offsets() -> None:
    clock = SystemClock()
    sim = Simulator(clock=clock)
    before = clock.now()
    sim.advance(3600)
    assert clock.offset == 3600
    assert clock.now() - before >= 3600


# -- history --------------------------------------------------------------------------------

def test_history_records_every_operation_with_its_outcome(connect: Connect) -> None:
    sim = Simulator()
    connect(sim, "dr", "a", "b")
    with pytest.raises(InvalidRequestError):
        sim["a"].dr.secondary_token("b")
    lines = sim.history.format().splitlines()
    assert lines[0] == "#1 a.dr.enable_primary()"
    assert lines[1] == "#2 a.dr.secondary_token(id='b')"
    assert lines[2].startswith("#3 b.dr.enable_secondary(token='eyJ")
    assert lines[3].startswith("#4 a.dr.secondary_token(id='b') -> error: a DR secondary")
    assert [op.seq for op in sim.history] == [1, 2, 3, 4]
    assert sim.history.find(2) is sim.history[1]
    assert sim.history.tail(1)[0].ok is False
    assert len(sim.history.format(2).splitlines()) == 2
