"""Invariant checks: each one fires when its rule is broken, names the cause, and stays quiet
otherwise."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from fakevault.model.errors import ActivationTokenError, SplitBrainRefusedError
from fakevault.model.invariants import Violation
from fakevault.model.replication import SecondaryRecord
from fakevault.model.simulator import Simulator

Connect = Callable[..., Any]
State = Callable[[Simulator], dict[str, Any]]


def _kinds(sim: Simulator) -> list[str]:
    return [v.kind for v in sim.violations]


def _only(sim: Simulator, kind: str) -> Violation:
    (violation,) = [v for v in sim.violations if v.kind == kind]
    return violation


# -- split brain -------------------------------------------------------------------------------

@pytest.mark.parametrize("rtype", ["performance", "dr"])
def test_split_brain_is_recorded_against_the_promote(rtype: str, connect: Connect) -> None:
    sim = Simulator()
    connect(sim, rtype, "a", "b")
    sim.partition("a", "b")
    sim["b"].role(rtype).promote()
    violation = _only(sim, "split_brain")
    assert f"b.{rtype}.promote()" in violation.caused_by
    assert violation.operation == sim.history[-1].seq
    cluster_id = sim["a"].role(rtype).cluster_id
    assert violation.details == {"type": rtype, "cluster_id": cluster_id,
                                 "primaries": ["a", "b"]}
    assert violation.message == f"a, b are all {rtype} primaries of replication set {cluster_id}"
    assert str(violation) == f"split_brain: {violation.message} (caused by {violation.caused_by})"


def test_split_brain_when_force_promoting_a_connected_secondary(connect: Connect) -> None:
    sim = Simulator()
    connect(sim, "dr", "a", "b")
    sim["b"].dr.promote(force=True)
    assert _kinds(sim) == ["split_brain"]
    assert "force=True" in sim.violations[0].caused_by


def test_split_brain_is_reported_once(connect: Connect) -> None:
    sim = Simulator()
    connect(sim, "dr", "a", "b")
    sim["b"].dr.promote()
    for i in range(3):
        sim["a"].write(f"secret/{i}", i)
    sim.check()
    assert _kinds(sim) == ["split_brain"]


def test_strict_mode_refuses_the_second_primary(connect: Connect, state: State) -> None:
    sim = Simulator(strict=True)
    connect(sim, "dr", "a", "b")
    sim.partition("a", "b")
    before = state(sim)
    with pytest.raises(SplitBrainRefusedError) as info:
        sim["b"].dr.promote(force=True)
    assert str(info.value) == (f"refusing to promote: cluster a is still the DR primary of "
                               f"replication set {sim['a'].dr.cluster_id} (fakevault strict mode)")
    assert info.value.status_hint == 400
    assert state(sim) == before
    assert sim["b"].dr.mode == "secondary"
    assert sim.violations == []
    assert not sim.history[-1].ok


def test_strict_mode_allows_promote_in_place_of_a_crashed_primary(connect: Connect) -> None:
    sim = Simulator(strict=True)
    connect(sim, "dr", "a", "b")
    sim.crash("a")
    sim["b"].dr.promote()
    assert sim["b"].dr.mode == "primary"
    assert sim.violations == []
    sim.restart("a")  # strict mode fences the stale primary as it comes back
    assert sim["a"].dr.mode == "secondary" and sim["a"].dr.state == "idle"
    assert sim.violations == []
    with pytest.raises(SplitBrainRefusedError):
        sim["a"].dr.promote()


def test_a_restarted_stale_primary_is_a_split_brain_unless_fenced(connect: Connect) -> None:
    for fence in (False, True):
        sim = Simulator()
        connect(sim, "dr", "a", "b")
        sim.crash("a")
        sim["b"].dr.promote()
        sim.restart("a", demote_stale_primaries=fence)
        if fence:
            assert sim.violations == [] and sim["a"].dr.mode == "secondary"
        else:
            assert "sim.restart(name='a'" in _only(sim, "split_brain").caused_by


def test_strict_mode_allows_promote_once_the_old_primary_is_demoted(connect: Connect) -> None:
    sim = Simulator(strict=True)
    connect(sim, "dr", "a", "b")
    sim["a"].dr.demote()
    sim["b"].dr.promote()
    assert sim["b"].dr.mode == "primary"
    assert sim.violations == []


# -- lost writes -------------------------------------------------------------------------------

def _lagging_pair(connect: Connect) -> Simulator:
    sim = Simulator(sync="manual")
    connect(sim, "dr", "a", "b")
    sim["a"].write("secret/kept", 0)
    sim.sync()
    sim["a"].write("secret/one", 1)
    sim["a"].write("secret/two", 2)
    sim["a"].write("secret/kept", 3)
    sim.step()  # b has secret/one only
    return sim


def test_lost_writes_when_a_lagging_secondary_is_promoted_after_a_crash(
        connect: Connect) -> None:
    sim = _lagging_pair(connect)
    sim.crash("a")
    sim["b"].dr.promote(force=True)
    lost = _only(sim, "lost_writes")
    assert lost.details["keys"] == ["secret/kept", "secret/two"]
    assert lost.details["primary"] == "b"
    assert lost.details["acknowledged_by"] == ["a"]
    assert "b.dr.promote(force=True)" in lost.caused_by
    assert "2 acknowledged write(s) missing from b" in lost.message
    assert "secret/kept, secret/two" in lost.message
    assert _kinds(sim) == ["lost_writes"]  # a crashed primary is not a second primary...
    sim.restart("a")
    assert "sim.restart(name='a'" in _only(sim, "split_brain").caused_by  # ...until it is up


def test_lost_writes_after_a_partition_once_the_old_primary_steps_down(
        connect: Connect) -> None:
    sim = _lagging_pair(connect)
    sim.partition("a", "b")
    sim["b"].dr.promote(force=True)
    assert _kinds(sim) == ["split_brain"]
    sim["a"].dr.demote()
    lost = _only(sim, "lost_writes")
    assert lost.details["keys"] == ["secret/kept", "secret/two"]
    # Blame the decision (the forced promote that left them behind), and say where it showed.
    assert "b.dr.promote(force=True)" in lost.caused_by
    assert "a.dr.demote()" in lost.details["seen_at"] and "seen at #" in str(lost)


def test_lost_writes_when_the_old_primary_crashes_after_the_promote(connect: Connect) -> None:
    sim = _lagging_pair(connect)
    sim.partition("a", "b")
    sim["b"].dr.promote(force=True)
    sim.crash("a")
    assert _only(sim, "lost_writes").details["keys"] == ["secret/kept", "secret/two"]
    assert "b.dr.promote(force=True)" in _only(sim, "lost_writes").caused_by
    assert "sim.crash(name='a')" in _only(sim, "lost_writes").details["seen_at"]


def test_lost_writes_are_not_reported_twice(connect: Connect) -> None:
    sim = _lagging_pair(connect)
    sim.crash("a")
    sim["b"].dr.promote(force=True)
    sim.restart("a")
    sim["a"].dr.demote()
    sim.check()
    assert sorted(_kinds(sim)) == ["lost_writes", "split_brain"]


def test_no_lost_writes_when_the_secondary_was_caught_up(connect: Connect) -> None:
    sim = Simulator()
    connect(sim, "dr", "a", "b")
    sim["a"].write("secret/x", 1)
    sim["a"].delete("secret/x")
    sim["a"].write("secret/y", 1)
    sim.crash("a")
    sim["b"].dr.promote()
    assert sim.violations == []
    sim.restart("a")
    assert _kinds(sim) == ["split_brain"]


def test_a_crash_and_restart_alone_loses_nothing(connect: Connect) -> None:
    sim = _lagging_pair(connect)
    sim.crash("a")
    sim.restart("a")
    sim.sync()
    assert sim.violations == []


def test_lost_writes_check_can_fire_on_a_hand_corrupted_primary(connect: Connect) -> None:
    sim = Simulator()
    connect(sim, "dr", "a", "b")
    sim["a"].write("secret/x", 1)
    sim["a"].storage._data.pop("secret/x")
    assert sim.check()[0].kind == "lost_writes"
    assert sim.violations[0].details["keys"] == ["secret/x"]


# -- tokens and revoked secondaries ----------------------------------------------------------

def test_tokens_are_single_use(connect: Connect) -> None:
    sim = Simulator()
    token = connect(sim, "dr", "a", "b")
    with pytest.raises(ActivationTokenError, match="unwrapping secondary token"):
        sim["c"].dr.enable_secondary(token.token)
    assert sim["c"].dr.mode == "disabled"
    assert sim.violations == []


def test_token_reuse_check_fires_when_the_model_lets_a_token_through(connect: Connect) -> None:
    sim = Simulator()
    token = connect(sim, "dr", "a", "b")
    token.used = False  # a broken model that forgot the token was redeemed
    sim["a"].dr.known["c"] = SecondaryRecord(id="c", token_jti=token.jti)
    sim["c"].dr.enable_secondary(token.token)
    violation = _only(sim, "token_reused")
    assert "c.dr.enable_secondary(" in violation.caused_by
    assert token.jti in violation.message and "'b'" in violation.message


def test_revoked_secondary_receives_nothing(connect: Connect) -> None:
    sim = Simulator()
    connect(sim, "dr", "a", "b")
    sim["a"].dr.revoke_secondary("b")
    for i in range(3):
        sim["a"].write(f"secret/{i}", i)
    sim.sync()
    assert sim["b"].dr.last_remote_wal == 0
    assert sim.violations == []


def test_revoked_check_fires_when_the_model_keeps_streaming(connect: Connect) -> None:
    sim = Simulator()
    connect(sim, "dr", "a", "b")
    record = sim["a"].dr.known["b"]
    sim["a"].dr.revoke_secondary("b")
    sim["a"].dr.known["b"] = record  # a broken model that still streams to b
    sim["a"].write("secret/x", 1)
    violation = _only(sim, "revoked_received")
    assert "a.write(path='secret/x'" in violation.caused_by
    assert "after its id 'b' was revoked" in violation.message


def test_a_new_token_for_a_revoked_id_clears_the_revocation(connect: Connect) -> None:
    sim = Simulator()
    connect(sim, "dr", "a", "b")
    sim["a"].dr.revoke_secondary("b")
    sim["b"].dr.update_primary(token=sim["a"].dr.secondary_token("b").token)
    sim["a"].write("secret/x", 1)
    assert sim["b"].storage.get("secret/x") == 1
    assert sim.violations == []


# -- WAL monotonic and convergence -----------------------------------------------------------

def test_wal_regression_check_fires(connect: Connect) -> None:
    sim = Simulator()
    sim["a"].write("secret/x", 1)
    sim["a"].write("secret/y", 1)
    sim["a"].storage.last_wal -= 1
    sim.advance(1)
    violation = _only(sim, "wal_regressed")
    assert violation.message == "a's last_wal went from 2 to 1 without a wipe"
    assert "sim.advance(seconds=1)" in violation.caused_by


def test_a_wipe_is_not_a_wal_regression(connect: Connect) -> None:
    sim = Simulator()
    sim["b"].write("secret/x", 1)
    sim["b"].write("secret/y", 1)
    connect(sim, "dr", "a", "b")
    assert sim["b"].storage.last_wal == 0
    assert sim.violations == []


def test_remote_wal_regression_check_fires(connect: Connect) -> None:
    sim = Simulator(sync="manual")
    connect(sim, "dr", "a", "b")
    sim["a"].write("secret/x", 1)
    sim.sync()
    sim["b"].dr.last_remote_wal = 0
    sim.check()
    violation = _only(sim, "wal_regressed")
    assert violation.message == "b/dr last_remote_wal went from 1 to 0 while following the " \
        "same primary"


def test_divergence_check_fires_on_a_caught_up_secondary(connect: Connect) -> None:
    sim = Simulator()
    connect(sim, "dr", "a", "b")
    sim["a"].write("secret/x", 1)
    sim["b"].storage.put("secret/rogue", 1)
    sim.check()
    violation = _only(sim, "diverged")
    assert violation.message.startswith("b is a caught-up dr secondary of a but its merkle root")


def test_no_divergence_reported_for_a_lagging_or_corrupt_secondary(connect: Connect) -> None:
    sim = Simulator(sync="manual")
    connect(sim, "dr", "a", "b")
    sim.sync()
    sim["a"].write("secret/x", 1)
    sim.corrupt_merkle("b")
    sim.check()
    assert sim.violations == []


def test_a_busy_healthy_world_has_no_violations(connect: Connect) -> None:
    sim = Simulator(wal_retention=4)
    connect(sim, "performance", "a", "b")
    connect(sim, "dr", "a", "c")
    for i in range(20):
        sim["a" if i % 2 else "b"].write(f"secret/{i % 7}", i)
        if i % 5 == 0:
            sim.partition("a", "c")
        if i % 5 == 3:
            sim.heal()
        sim.advance(10)
    sim.heal()
    assert sim.check() == []
    assert sim["c"].dr.status()["merkle_root"] == sim["a"].dr.status()["merkle_root"]


# -- records ---------------------------------------------------------------------------------

def test_violations_are_json_and_a_copy(connect: Connect) -> None:
    sim = Simulator()
    connect(sim, "dr", "a", "b")
    sim["b"].dr.promote()
    data = [v.to_json() for v in sim.violations]
    assert json.loads(json.dumps(data)) == data
    assert set(data[0]) == {"kind", "message", "operation", "caused_by", "details"}
    sim.violations.clear()
    assert len(sim.violations) == 1
