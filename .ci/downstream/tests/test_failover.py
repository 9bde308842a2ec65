"""A downstream project's tests: its failover automation against fakevault's fixtures."""

from __future__ import annotations

import pytest
import requests
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule, run_state_machine_as_test

from fakevault import VaultError
from fakevault.testing import ReplicationMachine, UnknownAddressError, dr_operation_token


def promote(vault, dr_token):
    """The project's automation: promote the DR secondary ``vault`` talks to."""
    vault.adapter.post("/v1/sys/replication/dr/secondary/promote",
                       json={"dr_operation_token": dr_token})
    return vault.adapter.get("/v1/sys/replication/dr/status")["data"]["mode"]


def test_failover_with_the_in_process_client(fakevault, fakevault_client):
    assert fakevault.seed == 11  # from this project's ini options
    a, b = fakevault["a"], fakevault["b"]
    a.dr.enable_primary()
    b.dr.enable_secondary(a.dr.secondary_token("b").token)
    fakevault.crash("a")
    vault = fakevault_client("b")
    assert promote(vault, dr_operation_token(vault, fakevault.unseal_keys("a"))) == "primary"


@pytest.mark.fakevault(clusters=("east", "west"), sync="manual", strict=True)
def test_the_marker_shapes_the_world(fakevault, fakevault_session):
    east, west = fakevault["east"], fakevault["west"]
    east.performance.enable_primary()
    west.performance.enable_secondary(east.performance.secondary_token("west").token)
    east.write("secret/data/app", {"data": {"v": 1}})
    with pytest.raises(VaultError, match="catching up"):
        west.performance.promote()
    http = fakevault_session("west")
    assert http.get(f"{west.api_addr}/v1/sys/health").status_code == 200
    with pytest.raises(UnknownAddressError):
        http.get("http://127.0.0.1:9/v1/sys/health")


def test_a_live_server(fakevault_server):
    answer = requests.get(fakevault_server.url("a") + "/v1/sys/replication/status", timeout=10)
    assert answer.json()["data"]["dr"] == {"mode": "disabled"}


def careful_failover(sim, old, new):
    """Catch up, then move the DR primary from ``old`` to ``new``."""
    while sim[new].dr.lag() > 0:
        sim.step()
    sim[old].dr.demote()
    sim[new].dr.promote()


class FailoverMachine(ReplicationMachine):
    replication_type = "dr"
    sync = "manual"
    faults = frozenset({"time"})

    @precondition(lambda self: len(self.live_primaries()) == 1)
    @rule(data=st.data())
    def fail_over(self, data):
        old = self.live_primaries()[0]
        ready = self.linked_secondaries(old)
        if ready:
            careful_failover(self.sim, old, data.draw(st.sampled_from(ready)))


def test_the_hypothesis_machine_finds_no_lost_write():
    run_state_machine_as_test(FailoverMachine, settings=settings(
        max_examples=15, stateful_step_count=10, derandomize=True, deadline=None))
