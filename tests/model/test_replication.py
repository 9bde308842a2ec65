"""Replication roles: the whole TRANSITIONS table, every refusal, and the decided behaviours."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest

from fakevault.model.errors import (
    ActivationTokenError,
    InvalidRequestError,
    ReplicationStateError,
    UnavailableError,
)
from fakevault.model.messages import MESSAGES, message_text
from fakevault.model.replication import (
    _DEFAULT_REFUSAL,
    REFUSALS,
    TRANSITIONS,
    ReplicationRole,
)
from fakevault.model.simulator import Simulator

Connect = Callable[..., Any]
State = Callable[[Simulator], dict[str, Any]]

MODES = ("disabled", "primary", "secondary")
OPERATIONS = ("demote", "disable", "disable_primary", "disable_secondary", "enable_primary",
              "enable_secondary", "promote", "recover", "revoke_secondary", "secondary_token",
              "update_primary")
TYPES = ("performance", "dr")
LABEL = {"performance": "performance", "dr": "DR"}
UNWRAP = ('error response unwrapping secondary token; status code is 400, message is '
          '"400 Bad Request"')


def test_operations_list_covers_every_table() -> None:
    named = {op for _, op in TRANSITIONS} | {op for _, op in REFUSALS} | set(_DEFAULT_REFUSAL)
    assert named == set(OPERATIONS)
    assert {mode for mode, _ in TRANSITIONS} == set(MODES)
    assert not set(REFUSALS) & set(TRANSITIONS)


def _world(mode: str, rtype: str) -> Simulator:
    """``b``'s ``rtype`` role in ``mode``; ``a`` is a primary of that type whatever the mode."""
    sim = Simulator(seed=11)
    a, b = sim["a"].role(rtype), sim["b"].role(rtype)
    a.enable_primary()
    if mode == "primary":
        b.enable_primary()
        b.secondary_token("x")
    elif mode == "secondary":
        b.enable_secondary(a.secondary_token("b").token)
    return sim


def _legal_call(sim: Simulator, role: ReplicationRole, op: str) -> None:
    """Call ``op`` on ``role`` with arguments that make it succeed."""
    calls: dict[str, Callable[[], Any]] = {
        "enable_primary": role.enable_primary,
        "enable_secondary": lambda: role.enable_secondary(
            sim["a"].role(role.type).secondary_token("b").token),
        "demote": role.demote,
        "disable": role.disable,
        "disable_primary": role.disable_primary,
        "disable_secondary": role.disable_secondary,
        "secondary_token": lambda: role.secondary_token("y"),
        "revoke_secondary": lambda: role.revoke_secondary("x"),
        "recover": role.recover,
        "promote": role.promote,
        "update_primary": lambda: role.update_primary(token=""),
    }
    calls[op]()


def _refused_call(role: ReplicationRole, op: str) -> None:
    """Call ``op`` with arguments that would do if the mode allowed it."""
    args: dict[str, dict[str, Any]] = {
        "enable_secondary": {"token": "a.b.c"},
        "secondary_token": {"id": "z"},
        "revoke_secondary": {"id": "x"},
        "update_primary": {"token": ""},
    }
    getattr(role, op)(**args.get(op, {}))


LEGAL = sorted((mode, op, rtype) for (mode, op) in TRANSITIONS for rtype in TYPES)
REFUSED = sorted((mode, op, rtype) for mode, op in itertools.product(MODES, OPERATIONS)
                 if (mode, op) not in TRANSITIONS for rtype in TYPES)


def test_every_mode_operation_pair_is_legal_or_refused() -> None:
    assert len(LEGAL) + len(REFUSED) == len(MODES) * len(OPERATIONS) * len(TYPES)
    assert len(REFUSED) == 2 * 20


@pytest.mark.parametrize(("mode", "op", "rtype"), LEGAL)
def test_legal_transition_reaches_the_tabled_mode(mode: str, op: str, rtype: str) -> None:
    sim = _world(mode, rtype)
    role = sim["b"].role(rtype)
    assert role.mode == mode
    _legal_call(sim, role, op)
    assert role.mode == TRANSITIONS[(mode, op)]  # type: ignore[index]
    assert sim.history[-1].name == op and sim.history[-1].ok


@pytest.mark.parametrize(("mode", "op", "rtype"), REFUSED)
def test_refused_transition_raises_its_message_and_changes_nothing(
        mode: str, op: str, rtype: str, state: State) -> None:
    sim = _world(mode, rtype)
    role = sim["b"].role(rtype)
    key = REFUSALS.get((mode, op), _DEFAULT_REFUSAL.get(op))  # type: ignore[arg-type]
    assert key is not None
    before = state(sim)
    with pytest.raises(ReplicationStateError) as info:
        _refused_call(role, op)
    assert type(info.value) is MESSAGES[key].error
    assert str(info.value) == message_text(key, type=LABEL[rtype], mode=mode)
    assert info.value.status_hint == 400
    assert state(sim) == before
    failed = sim.history[-1]
    assert (failed.cluster, failed.role, failed.name) == ("b", rtype, op)
    assert failed.error == str(info.value)


@pytest.mark.parametrize(("mode", "op", "key"), [
    ("primary", "enable_primary", "already_primary"),
    ("secondary", "enable_primary", "secondary_cannot_enable_primary"),
    ("secondary", "enable_secondary", "already_secondary"),
    ("primary", "enable_secondary", "primary_cannot_enable_secondary"),
    ("disabled", "disable", "not_enabled"),
    ("disabled", "recover", "not_enabled"),
    ("disabled", "demote", "not_primary"),
    ("secondary", "demote", "not_primary"),
    ("disabled", "secondary_token", "not_primary"),
    ("secondary", "revoke_secondary", "not_primary"),
    ("primary", "promote", "not_secondary"),
    ("disabled", "update_primary", "not_secondary"),
])
def test_refusal_messages_read_well(mode: str, op: str, key: str) -> None:
    sim = _world(mode, "performance")
    with pytest.raises(ReplicationStateError) as info:
        _refused_call(sim["b"].performance, op)
    assert str(info.value) == message_text(key, type="performance", mode=mode)
    assert "performance" in str(info.value)


# -- promote ------------------------------------------------------------------------------------

@pytest.mark.parametrize("rtype", TYPES)
def test_promote_of_a_lagging_secondary_with_a_reachable_primary_needs_force(
        rtype: str, connect: Connect, state: State) -> None:
    sim = Simulator(sync="manual")
    connect(sim, rtype, "a", "b")
    sim.sync()
    sim["a"].write("secret/new", 1)
    assert sim["b"].role(rtype).lag() == 1
    before = state(sim)
    with pytest.raises(UnavailableError) as info:
        sim["b"].role(rtype).promote()
    assert str(info.value) == ('replication is still catching up, try again later or provide '
                               'the "force" argument')
    assert info.value.status_hint == 503
    assert state(sim) == before
    sim["b"].role(rtype).promote(force=True)
    assert sim["b"].role(rtype).mode == "primary"


def test_promote_of_a_secondary_still_in_merkle_diff_needs_force(connect: Connect) -> None:
    sim = Simulator(sync="manual")
    connect(sim, "dr", "a", "b")
    assert sim["b"].dr.status()["state"] == "merkle-diff"
    with pytest.raises(UnavailableError, match="still catching up"):
        sim["b"].dr.promote()


@pytest.mark.parametrize("fault", ["partition", "crash"])
def test_promote_proceeds_when_the_primary_is_unreachable(fault: str, connect: Connect) -> None:
    sim = Simulator(sync="manual")
    connect(sim, "dr", "a", "b")
    sim["a"].write("secret/new", 1)
    if fault == "partition":
        sim.partition("a", "b")
    else:
        sim.crash("a")
    sim["b"].dr.promote()
    status = sim["b"].dr.status()
    assert (status["mode"], status["state"]) == ("primary", "running")
    assert status["cluster_id"] == sim["a"].dr.cluster_id
    assert status["known_secondaries"] == []


def test_promote_of_a_caught_up_secondary_keeps_the_set_and_its_data(connect: Connect) -> None:
    sim = Simulator()
    connect(sim, "dr", "a", "b")
    sim["a"].write("secret/x", 1)
    cluster_id = sim["a"].dr.cluster_id
    sim["b"].dr.promote(primary_cluster_addr="https://lb:8201")
    status = sim["b"].dr.status()
    assert status["cluster_id"] == cluster_id
    assert status["primary_cluster_addr"] == "https://lb:8201"
    assert sim["b"].read("secret/x") == 1


# -- demote, disable, update_primary ---------------------------------------------------------

@pytest.mark.parametrize("rtype", TYPES)
def test_demote_keeps_cluster_id_and_idles(rtype: str, connect: Connect) -> None:
    sim = Simulator()
    connect(sim, rtype, "a", "b")
    a = sim["a"].role(rtype)
    cluster_id = a.cluster_id
    a.demote()
    status = a.status()
    assert (status["mode"], status["state"], status["cluster_id"]) == \
        ("secondary", "idle", cluster_id)
    assert status["connection_state"] == "idle"
    assert status["primaries"] == []
    assert sim["b"].role(rtype).status()["connection_state"] == "connecting"


@pytest.mark.parametrize("rtype", TYPES)
def test_disable_then_enable_primary_gives_a_new_set(rtype: str, connect: Connect) -> None:
    sim = Simulator()
    connect(sim, rtype, "a", "b")
    a, b = sim["a"].role(rtype), sim["b"].role(rtype)
    old = a.cluster_id
    a.disable()
    assert a.status() == {"mode": "disabled"}
    a.enable_primary()
    assert a.cluster_id not in ("", old)
    assert a.status()["known_secondaries"] == a.status()["secondaries"] == []
    sim["a"].write("secret/after", 1)
    sim.sync()
    assert not sim.link_up(b)
    assert b.status()["connection_state"] != "ready"
    assert b.status()["primaries"][0]["connection_status"] == "disconnected"
    assert sim["b"].storage.get("secret/after") is None
    with pytest.raises(ActivationTokenError, match=r"different .* replication set"):
        b.update_primary(token=a.secondary_token("b").token)


def test_disable_revokes_outstanding_tokens() -> None:
    sim = Simulator()
    sim["a"].dr.enable_primary()
    token = sim["a"].dr.secondary_token("b")
    sim["a"].dr.disable()
    assert token.revoked
    assert sim["a"].dr.tokens == {}


@pytest.mark.parametrize("rtype", TYPES)
def test_update_primary_blank_token_forgets_the_primary(rtype: str, connect: Connect) -> None:
    sim = Simulator()
    connect(sim, rtype, "a", "b")
    b = sim["b"].role(rtype)
    cluster_id = b.cluster_id
    b.update_primary(token="")
    status = b.status()
    assert (status["mode"], status["state"], status["connection_state"]) == \
        ("secondary", "idle", "idle")
    assert status["cluster_id"] == cluster_id
    assert status["primaries"] == status["known_primary_cluster_addrs"] == []
    assert status["primary_cluster_addr"] == ""
    sim["a"].write("secret/after", 1)
    assert sim["b"].storage.get("secret/after") is None


def test_update_primary_with_a_token_from_another_set_changes_nothing(
        connect: Connect, state: State) -> None:
    sim = Simulator()
    connect(sim, "dr", "a", "b")
    sim["c"].dr.enable_primary()
    token = sim["c"].dr.secondary_token("b")
    before = state(sim)
    with pytest.raises(ActivationTokenError) as info:
        sim["b"].dr.update_primary(token=token.token)
    assert str(info.value) == message_text(
        "token_other_set", type="DR", token_cluster_id=sim["c"].dr.cluster_id,
        cluster_id=sim["a"].dr.cluster_id)
    assert state(sim) == before
    assert not token.used


def test_update_primary_token_and_addrs_are_exclusive(connect: Connect, state: State) -> None:
    sim = Simulator()
    connect(sim, "dr", "a", "b")
    before = state(sim)
    with pytest.raises(InvalidRequestError,
                       match="only one of token or update_primary_addrs may be set"):
        sim["b"].dr.update_primary(token="x.y.z", update_primary_addrs=["https://x"])
    assert state(sim) == before


def test_failover_and_failback_runbook_leaves_no_violation(connect: Connect) -> None:
    sim = Simulator()
    connect(sim, "dr", "a", "b")
    a, b = sim["a"], sim["b"]
    a.write("secret/one", 1)
    a.dr.demote()
    b.dr.promote()
    b.write("secret/two", 2)
    a.dr.update_primary(token=b.dr.secondary_token("a").token)
    assert a.dr.status()["state"] == "stream-wals"
    assert a.storage.get("secret/two") == 2
    assert a.dr.status()["merkle_root"] == b.dr.status()["merkle_root"]
    assert b.dr.status()["known_secondaries"] == ["a"]
    assert sim.violations == []


def test_update_primary_follows_the_new_primary_of_the_same_set(connect: Connect) -> None:
    sim = Simulator()
    connect(sim, "dr", "a", "b")
    connect(sim, "dr", "a", "c")
    sim["a"].write("secret/one", 1)
    sim["c"].storage.put("secret/only-c", 1)  # update-primary does not wipe: merkle mends it
    sim.crash("a")
    sim["b"].dr.promote()
    sim["b"].write("secret/two", 2)
    sim["c"].dr.update_primary(token=sim["b"].dr.secondary_token("c").token)
    c = sim["c"]
    assert c.dr.primary == "b"
    assert c.dr.status()["state"] == "stream-wals"
    assert c.storage.get("secret/two") == 2
    assert c.storage.get("secret/only-c") is None
    assert c.dr.status()["merkle_root"] == sim["b"].dr.status()["merkle_root"]


def test_update_primary_addrs_reconnects_to_a_primary_of_the_set(connect: Connect) -> None:
    sim = Simulator()
    connect(sim, "dr", "a", "b")
    b = sim["b"].dr
    b.update_primary(token="")
    b.update_primary(update_primary_addrs=[sim["a"].cluster_addr])
    assert b.primary == "a"
    assert b.status()["state"] == "stream-wals"
    assert b.status()["known_primary_cluster_addrs"] == [sim["a"].cluster_addr]


# -- recover, reindex, public key --------------------------------------------------------------

def test_recover_on_a_primary_keeps_it_running() -> None:
    sim = Simulator()
    sim["a"].dr.enable_primary()
    sim["a"].dr.recover()
    assert sim["a"].dr.status()["state"] == "running"


def test_reindex_stamps_the_epoch_as_a_string() -> None:
    sim = Simulator()
    sim["a"].dr.enable_primary()
    sim.advance(10)
    sim["a"].dr.reindex()
    assert sim["a"].dr.status()["last_reindex_epoch"] == str(int(sim.clock.now()))


def test_generate_public_key_is_deterministic_and_recorded() -> None:
    keys = []
    for _ in range(2):
        sim = Simulator(seed=5)
        keys.append(sim["b"].dr.generate_public_key())
        assert sim["b"].dr.public_key == keys[-1]
        assert sim.history[-1].name == "generate_public_key"
    assert keys[0] == keys[1] and len(keys[0]) > 100


def test_role_repr_looks_like_python() -> None:
    sim = Simulator()
    sim["a"].dr.enable_primary()
    text = repr(sim["a"].dr)
    assert text == (f"ReplicationRole(cluster='a', type='dr', mode='primary', "
                    f"cluster_id={sim['a'].dr.cluster_id!r})")


def test_unknown_replication_type_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown replication type 'perf'"):
        Simulator()["a"].role("perf")


@pytest.mark.parametrize("op", OPERATIONS)
def test_a_dr_secondary_refuses_every_performance_operation(op: str, state: State) -> None:
    sim = Simulator()
    sim["a"].dr.enable_primary()
    sim["a"].write("secret/x", 1)
    sim["b"].dr.enable_secondary(sim["a"].dr.secondary_token("b").token)
    sim["c"].performance.enable_primary()
    token = sim["c"].performance.secondary_token("b").token
    args = {"enable_secondary": {"token": token}, "secondary_token": {"id": "z"},
            "revoke_secondary": {"id": "z"}, "update_primary": {"token": token}}
    before = state(sim)
    with pytest.raises(InvalidRequestError) as info:
        getattr(sim["b"].performance, op)(**args.get(op, {}))
    assert str(info.value) == "path disabled in replication DR secondary mode"
    assert state(sim) == before
    assert sim.violations == []
