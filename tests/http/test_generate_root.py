"""Fact 9: a performance secondary keeps no earlier token until generate-root runs on it.

The configured root token works on primaries, DR secondaries (which replicate the primary's
token store) and unreplicated clusters; after ``performance/secondary/enable`` only a root token
generated on the secondary with the primary's unseal keys does, and promotion keeps it.
"""

from __future__ import annotations

from typing import Any

import hvac
import pytest

from fakevault import Simulator
from fakevault.http.errors import INVALID_TOKEN
from fakevault.model.ceremony import OTP_LENGTH, decode_token
from fakevault.testing.assertions import unchanged
from fakevault.testing.ceremonies import generate_dr_operation_token, generate_root
from fakevault.testing.clients import VaultTestClient, hvac_client

SELF = "auth/token/lookup-self"
ATTEMPT = "sys/generate-root/attempt"
UPDATE = "sys/generate-root/update"


def perf_pair(sim: Simulator) -> None:
    sim["a"].performance.enable_primary()
    sim["b"].performance.enable_secondary(sim["a"].performance.secondary_token("b").token)


def test_the_old_root_token_is_refused_until_generate_root(sim: Simulator) -> None:
    perf_pair(sim)
    old = hvac_client(sim, "b")
    with pytest.raises(hvac.exceptions.Forbidden, match="invalid token"):
        old.auth.token.lookup_self()
    root_b = generate_root(hvac_client(sim, "b"), sim.unseal_keys("a"))
    assert root_b.startswith("hvs.") and len(root_b) == OTP_LENGTH
    data = hvac_client(sim, "b", token=root_b).auth.token.lookup_self()["data"]
    assert data["policies"] == ["root"] and data["path"] == "auth/token/root"
    assert hvac_client(sim, "a").auth.token.lookup_self()["data"]["policies"] == ["root"]
    with pytest.raises(hvac.exceptions.Forbidden):  # b's root is b's alone
        hvac_client(sim, "a", token=root_b).auth.token.lookup_self()


def test_the_configured_root_works_on_primaries_dr_secondaries_and_alone(sim: Simulator) -> None:
    sim["a"].dr.enable_primary()
    sim["b"].dr.enable_secondary(sim["a"].dr.secondary_token("b").token)
    for name in ("a", "c"):
        assert sim.vault(name).request("read", SELF, token="root").data["policies"] == ["root"]
    sim["a"].dr.demote()
    sim["b"].dr.promote(force=True)  # b replicated a's token store while a DR secondary
    for name in ("b",):
        assert sim.vault(name).request("read", SELF, token="root").data["policies"] == ["root"]


def test_promotion_keeps_the_generated_root_and_the_old_one_stays_out(sim: Simulator) -> None:
    perf_pair(sim)
    root_b = sim.generate_root("b")
    sim["a"].performance.demote()
    vault = VaultTestClient(sim)
    assert vault.post("b", "sys/replication/performance/secondary/promote",
                      token=root_b).status_code == 200
    assert vault.get("b", SELF, token=root_b).status_code == 200
    assert vault.get("b", SELF).json == {"errors": [INVALID_TOKEN]}


def test_a_dr_secondary_of_a_perf_secondary_inherits_its_token_store(sim: Simulator) -> None:
    perf_pair(sim)
    root_b = sim.generate_root("b")
    sim["b"].dr.enable_primary()
    sim["c"].dr.enable_secondary(sim["b"].dr.secondary_token("c").token)
    sim["b"].dr.demote()
    sim["c"].dr.promote(force=True)
    assert sim.vault("c").request("read", SELF, token=root_b).data["policies"] == ["root"]
    with pytest.raises(Exception, match="invalid token"):
        sim.vault("c").request("read", SELF, token="root")


def test_the_ceremony_over_http_answers_like_vault(vault: VaultTestClient, sim: Simulator) -> None:
    perf_pair(sim)
    otp = "x" * OTP_LENGTH
    started = vault.post("b", ATTEMPT, json={"otp": otp}, token=None).json
    assert started["started"] and started["required"] == 1 and started["otp"] == ""
    assert vault.get("b", ATTEMPT, token=None).json["nonce"] == started["nonce"]
    done = vault.post("b", UPDATE, json={"key": sim.unseal_keys("a")[0],
                                         "nonce": started["nonce"]}, token=None).json
    assert done["complete"] and done["encoded_root_token"] == done["encoded_token"]
    token = decode_token(done["encoded_token"], otp)
    assert vault.get("b", SELF, token=token).json["data"]["policies"] == ["root"]
    assert not vault.get("b", ATTEMPT, token=None).json["started"]


@pytest.mark.parametrize("bad", ["key", "nonce"])
def test_a_wrong_key_or_nonce_changes_nothing_useful(vault: VaultTestClient, sim: Simulator,
                                                     bad: str) -> None:
    perf_pair(sim)
    started = vault.post("b", ATTEMPT, json={}, token=None).json
    key = sim.unseal_keys("c")[0] if bad == "key" else sim.unseal_keys("a")[0]
    nonce = "not-the-nonce" if bad == "nonce" else started["nonce"]
    if bad == "nonce":
        with unchanged(sim):
            refused = vault.post("b", UPDATE, json={"key": key, "nonce": nonce}, token=None)
        assert refused.status_code == 400 and "nonce" in refused.json["errors"][0]
        return
    refused = vault.post("b", UPDATE, json={"key": key, "nonce": nonce}, token=None)
    assert refused.status_code == 400 and "root generation aborted" in refused.json["errors"][0]
    assert not vault.get("b", ATTEMPT, token=None).json["started"]  # the attempt is over
    assert vault.get("b", SELF).status_code == 403  # and no token came of it


def test_a_dr_secondary_refuses_generate_root(vault: VaultTestClient, sim: Simulator) -> None:
    sim["a"].dr.enable_primary()
    sim["b"].dr.enable_secondary(sim["a"].dr.secondary_token("b").token)
    with unchanged(sim):
        refused = vault.post("b", ATTEMPT, json={}, token=None)
    assert refused.status_code == 400
    assert refused.json == {"errors": ["path disabled in replication DR secondary mode"]}


def test_one_attempt_at_a_time_whichever_kind(vault: VaultTestClient, sim: Simulator) -> None:
    sim["a"].dr.enable_primary()
    sim["b"].dr.enable_secondary(sim["a"].dr.secondary_token("b").token)
    base = "sys/replication/dr/secondary/generate-operation-token"
    started = vault.post("b", f"{base}/attempt", json={}, token=None).json
    token = generate_dr_operation_token(hvac_client(sim, "b"), sim.unseal_keys("a"))
    assert token in sim["b"].ceremony.tokens  # the helper cancelled the stale attempt first
    assert started["nonce"] != sim["b"].ceremony.status(sim["b"])["nonce"]


def control(vault: VaultTestClient, path: str, body: dict[str, str]) -> Any:
    """``POST /_fakevault/PATH`` on cluster b's port (the root token works on every port)."""
    host = vault.sim["b"].api_addr.split("://", 1)[1]
    return vault.client.post("/_fakevault/" + path, json=body,
                             headers={"Host": host, "X-Vault-Token": "root"})


def test_the_control_plane_mints_a_root_token(vault: VaultTestClient, sim: Simulator) -> None:
    perf_pair(sim)
    minted = control(vault, "clusters/b/root-token", {}).json
    assert minted["cluster"] == "b" and minted["token"].startswith("hvs.")
    assert vault.get("b", SELF, token=minted["token"]).status_code == 200
    restored = control(vault, "clusters/b/root-token", {"id": "root"}).json
    assert restored["token"] == "root" and vault.get("b", SELF).status_code == 200
    with unchanged(sim):
        again = control(vault, "clusters/b/root-token", {"id": "root"})
    assert again.status_code == 400
    assert control(vault, "clusters/zz/root-token", {}).status_code == 400


def test_snapshots_carry_the_fence_and_the_generated_root(sim: Simulator) -> None:
    perf_pair(sim)
    root_b = sim.generate_root("b")
    copy = Simulator.restore(sim.snapshot())
    assert copy.vault("b").request("read", SELF, token=root_b).data["policies"] == ["root"]
    with pytest.raises(Exception, match="invalid token"):
        copy.vault("b").request("read", SELF, token="root")
