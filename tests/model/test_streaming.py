"""How secondaries follow: eager vs manual sync, step() granularity, merkle resync, forwarding."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from fakevault.model.errors import InvalidRequestError, UnavailableError
from fakevault.model.simulator import Simulator

Connect = Callable[..., Any]
State = Callable[[Simulator], dict[str, Any]]
TYPES = ("performance", "dr")
DR_DISABLED = "path disabled in replication DR secondary mode"


def _state_of(sim: Simulator, name: str, rtype: str) -> str:
    state: str = sim[name].role(rtype).status()["state"]
    return state


def _replicated(sim: Simulator, name: str) -> dict[str, str]:
    return {k: v for k, v in sim[name].storage.items() if not k.startswith("local/")}


@pytest.mark.parametrize("rtype", TYPES)
def test_eager_sync_replicates_within_the_write(rtype: str, connect: Connect) -> None:
    sim = Simulator()
    connect(sim, rtype, "a", "b")
    index = sim["a"].write("secret/x", {"v": 1})
    assert sim["b"].storage.get("secret/x") == {"v": 1}
    assert sim["b"].role(rtype).last_remote_wal == index == sim["a"].storage.last_wal


@pytest.mark.parametrize("rtype", TYPES)
def test_manual_sync_replicates_only_when_asked(rtype: str, connect: Connect) -> None:
    sim = Simulator(sync="manual")
    connect(sim, rtype, "a", "b")
    sim["a"].write("secret/x", 1)
    sim["a"].write("secret/y", 2)
    assert sim["b"].storage.get("secret/x") is None
    assert _state_of(sim, "b", rtype) == "merkle-diff"
    moved = sim.sync()
    assert moved == 2  # merkle-diff, then merkle-sync copies both keys
    assert sim.sync() == 0
    assert _replicated(sim, "b") == _replicated(sim, "a")
    assert sim["b"].role(rtype).status()["merkle_root"] == \
        sim["a"].role(rtype).status()["merkle_root"]


@pytest.mark.parametrize("rtype", TYPES)
def test_step_walks_merkle_diff_then_merkle_sync_then_stream_wals(
        rtype: str, connect: Connect) -> None:
    sim = Simulator(sync="manual")
    sim["a"].write("secret/before-1", 1)
    sim["a"].write("secret/before-2", 2)
    connect(sim, rtype, "a", "b")
    b = sim["b"].role(rtype)
    assert b.status()["state"] == "merkle-diff"
    assert "merkle_sync_progress" not in b.status()
    assert sim.step() is True
    status = b.status()
    assert status["state"] == "merkle-sync"
    assert status["merkle_sync_progress"] == {"sync_progress": 0, "sync_total_keys": 2}
    assert sim["b"].storage.get("secret/before-1") is None
    assert sim.step() is True
    status = b.status()
    assert status["state"] == "stream-wals"
    assert "merkle_sync_progress" not in status
    assert status["last_remote_wal"] == sim["a"].storage.last_wal == 2
    assert sim["b"].storage.get("secret/before-2") == 2
    assert sim.step() is False


def test_step_streams_one_wal_entry_per_secondary(connect: Connect) -> None:
    sim = Simulator(sync="manual")
    connect(sim, "dr", "a", "b")
    connect(sim, "dr", "a", "c")
    sim.sync()
    for i in range(3):
        sim["a"].write(f"secret/{i}", i)
    for expected in (1, 2, 3):
        assert sim.step() is True
        assert sim["b"].dr.last_remote_wal == sim["c"].dr.last_remote_wal == expected
        assert sim["b"].dr.lag() == 3 - expected
    assert sim["b"].storage.get("secret/2") == 2
    assert sim.step() is False


def test_step_and_sync_are_recorded_in_history() -> None:
    sim = Simulator(sync="manual")
    sim.step()
    sim.sync()
    assert [op.name for op in sim.history] == ["step", "sync"]


def test_deletes_replicate(connect: Connect) -> None:
    sim = Simulator()
    connect(sim, "dr", "a", "b")
    sim["a"].write("secret/x", 1)
    sim["a"].delete("secret/x")
    assert "secret/x" not in sim["b"].storage
    assert sim["b"].dr.status()["merkle_root"] == sim["a"].dr.status()["merkle_root"]


@pytest.mark.parametrize("rtype", TYPES)
def test_a_secondary_behind_the_retained_wal_resyncs_by_merkle(
        rtype: str, connect: Connect) -> None:
    sim = Simulator(sync="manual", wal_retention=3)
    connect(sim, rtype, "a", "b")
    sim["a"].write("secret/gone", 1)
    sim.sync()
    sim["a"].delete("secret/gone")
    for i in range(10):
        sim["a"].write(f"secret/{i}", i)
    assert sim["a"].storage.entries_after(sim["b"].role(rtype).last_remote_wal) is None
    states = []
    for _ in range(3):
        assert sim.step() is True
        states.append(_state_of(sim, "b", rtype))
    assert states == ["merkle-diff", "merkle-sync", "stream-wals"]
    sim.sync()
    b = sim["b"].role(rtype).status()
    assert b["last_remote_wal"] == sim["a"].storage.last_wal
    assert b["merkle_root"] == sim["a"].role(rtype).status()["merkle_root"]
    assert _replicated(sim, "b") == _replicated(sim, "a")
    assert "secret/gone" not in sim["b"].storage
    assert not sim.violations


def test_eager_resync_after_a_partition_longer_than_the_wal(connect: Connect) -> None:
    sim = Simulator(wal_retention=2)
    connect(sim, "dr", "a", "b")
    sim.partition("a", "b")
    for i in range(6):
        sim["a"].write(f"secret/{i}", i)
    assert sim["b"].storage.get("secret/5") is None
    sim.heal("a", "b")
    assert sim["b"].storage.get("secret/5") == 5
    assert sim["b"].dr.status()["merkle_root"] == sim["a"].dr.status()["merkle_root"]
    assert not sim.violations


def test_a_wiped_primary_makes_its_secondaries_resync(connect: Connect) -> None:
    sim = Simulator()
    connect(sim, "dr", "a", "b")
    sim["a"].write("secret/old", 1)
    sim["c"].performance.enable_primary()
    sim["c"].write("secret/from-c", 1)
    connect(sim, "performance", "c", "a")  # wipes a, which is b's DR primary
    assert sim["b"].storage.get("secret/old") is None
    assert sim["b"].storage.get("secret/from-c") == 1
    assert sim["b"].dr.status()["merkle_root"] == sim["a"].dr.status()["merkle_root"]


def test_replication_chains_through_a_perf_secondary_that_is_a_dr_primary(
        connect: Connect) -> None:
    sim = Simulator()
    connect(sim, "performance", "a", "b")
    connect(sim, "dr", "b", "c")
    sim["a"].write("secret/x", 1)
    assert sim["c"].storage.get("secret/x") == 1


# -- performance secondaries forward writes ------------------------------------------------

def test_perf_secondary_forwards_writes_to_the_primary(connect: Connect) -> None:
    sim = Simulator()
    connect(sim, "performance", "a", "b")
    index = sim["b"].write("secret/x", 1)
    assert index == sim["a"].storage.last_wal
    assert sim["a"].read("secret/x") == 1
    assert sim["b"].read("secret/x") == 1
    sim["b"].delete("secret/x")
    assert sim["a"].read("secret/x") is None


def test_forwarded_write_is_stale_on_the_secondary_until_sync(connect: Connect) -> None:
    sim = Simulator(sync="manual")
    connect(sim, "performance", "a", "b")
    sim.sync()
    sim["b"].write("secret/x", 1)
    assert sim["a"].read("secret/x") == 1
    assert sim["b"].read("secret/x") is None
    sim.sync()
    assert sim["b"].read("secret/x") == 1


def test_perf_secondary_local_writes_stay_local(connect: Connect) -> None:
    sim = Simulator()
    connect(sim, "performance", "a", "b")
    index = sim["b"].write("lease", 1, local=True)
    assert index == sim["b"].storage.last_wal
    assert sim["b"].read("lease", local=True) == 1
    assert sim["a"].read("lease", local=True) is None
    assert sim["b"].list(local=True) == ["lease", "sys/"]  # sys/: b's own token store
    assert sim["b"].list() == []


@pytest.mark.parametrize(("setup", "message"), [
    ("partition", "error forwarding request to the performance primary: cluster a is "
                  "unreachable"),
    ("forget", "this performance secondary has no primary to forward writes to"),
    ("crash", "error forwarding request to the performance primary: cluster a is "
              "unreachable"),
])
def test_forwarding_fails_without_a_reachable_primary(setup: str, message: str,
                                                      connect: Connect, state: State) -> None:
    sim = Simulator()
    connect(sim, "performance", "a", "b")
    if setup == "partition":
        sim.partition("a", "b")
    elif setup == "crash":
        sim.crash("a")
    else:
        sim["b"].performance.update_primary(token="")
    before = state(sim)
    with pytest.raises(UnavailableError) as info:
        sim["b"].write("secret/x", 1)
    assert str(info.value) == message
    assert info.value.status_hint == 503
    assert state(sim) == before


# -- DR secondaries ------------------------------------------------------------------------

@pytest.mark.parametrize("call", [
    lambda c: c.read("secret/x"),
    lambda c: c.write("secret/x", 1),
    lambda c: c.write("x", 1, local=True),
    lambda c: c.delete("secret/x"),
    lambda c: c.list("secret/"),
])
def test_dr_secondary_refuses_reads_and_writes(call: Callable[[Any], Any], connect: Connect,
                                               state: State) -> None:
    sim = Simulator()
    connect(sim, "dr", "a", "b")
    sim["a"].write("secret/x", 1)
    before = state(sim)
    with pytest.raises(InvalidRequestError) as info:
        call(sim["b"])
    assert str(info.value) == DR_DISABLED
    assert info.value.status_hint == 400
    assert state(sim) == before


def test_dr_carries_local_keys_and_performance_does_not(connect: Connect) -> None:
    sim = Simulator()
    connect(sim, "dr", "a", "b")
    connect(sim, "performance", "a", "c")
    sim["a"].write("token/abc", {"policies": ["root"]}, local=True)
    sim["a"].write("secret/shared", 1)
    assert sim["b"].storage.get("local/token/abc") == {"policies": ["root"]}
    assert sim["c"].read("token/abc", local=True) is None
    assert sim["c"].read("secret/shared") == 1
    assert sim["b"].dr.status()["merkle_root"] == sim["a"].dr.status()["merkle_root"]
    assert sim["c"].performance.status()["merkle_root"] == \
        sim["a"].performance.status()["merkle_root"]
    assert sim["c"].performance.status()["last_remote_wal"] == sim["a"].storage.last_wal


def test_local_wal_entries_do_not_count_as_performance_lag(connect: Connect) -> None:
    sim = Simulator(sync="manual")
    connect(sim, "performance", "a", "c")
    sim.sync()
    sim["a"].write("token/abc", 1, local=True)
    assert sim["a"].performance.status()["last_performance_wal"] == 0
    assert sim["a"].performance.status()["last_wal"] == 1
    assert sim["c"].performance.lag() == 0
    sim["c"].performance.promote()
    assert sim["c"].performance.mode == "primary"


def test_dr_merkle_sync_copies_local_keys(connect: Connect) -> None:
    sim = Simulator(sync="manual")
    sim["a"].write("token/abc", 1, local=True)
    connect(sim, "dr", "a", "b")
    sim.sync()
    assert sim["b"].storage.get("local/token/abc") == 1


def test_a_revoked_performance_secondary_cannot_forward_writes() -> None:
    from fakevault.model.errors import UnavailableError

    sim = Simulator(seed=1)
    a, b = sim["a"], sim["b"]
    a.performance.enable_primary()
    b.performance.enable_secondary(a.performance.secondary_token("s1").token)
    a.performance.revoke_secondary("s1")
    with pytest.raises(UnavailableError):
        b.write("secret/x", 1)
    assert a.read("secret/x") is None
