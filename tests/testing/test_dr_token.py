"""``dr_operation_token``: the ceremony through an hvac client, as the README's example uses it."""

from __future__ import annotations

import hvac.exceptions
import pytest

from fakevault import Simulator
from fakevault.testing import CeremonyError, dr_operation_token, hvac_client


@pytest.fixture
def world() -> Simulator:
    sim = Simulator(seed=5, clusters=("a", "b"), key_shares=3, key_threshold=2)
    sim["a"].dr.enable_primary()
    sim["b"].dr.enable_secondary(sim["a"].dr.secondary_token("b").token)
    return sim


def test_the_token_promotes_the_dr_secondary(world: Simulator) -> None:
    vault = hvac_client(world, "b")
    token = dr_operation_token(vault, world.unseal_keys("a"))
    assert token.startswith("hvs.")
    world.crash("a")
    vault.adapter.post("/v1/sys/replication/dr/secondary/promote",
                       json={"dr_operation_token": token})
    assert world["b"].dr.status()["mode"] == "primary"


def test_too_few_keys_cancel_the_attempt(world: Simulator) -> None:
    vault = hvac_client(world, "b")
    with pytest.raises(CeremonyError, match="1 key share"):
        dr_operation_token(vault, world.unseal_keys("a")[:1])
    assert world["b"].ceremony.attempt is None  # a later ceremony can start
    assert dr_operation_token(vault, world.unseal_keys("a")).startswith("hvs.")


def test_vaults_refusal_comes_back_as_hvacs_exception(world: Simulator) -> None:
    with pytest.raises(hvac.exceptions.InvalidRequest, match="not a DR secondary"):
        dr_operation_token(hvac_client(world, "a"), world.unseal_keys("a"))
