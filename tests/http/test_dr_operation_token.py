"""The DR operation token ceremony: generate-operation-token/attempt and /update."""

from __future__ import annotations

import base64

import pytest

from fakevault import Simulator
from fakevault.model.ceremony import OTP_LENGTH, decode_token
from fakevault.testing.assertions import unchanged
from fakevault.testing.clients import VaultTestClient

ATTEMPT = "sys/replication/dr/secondary/generate-operation-token/attempt"
UPDATE = "sys/replication/dr/secondary/generate-operation-token/update"
STATUS_KEYS = {"nonce", "started", "progress", "required", "complete", "encoded_token",
               "encoded_root_token", "pgp_fingerprint", "otp", "otp_length"}


@pytest.fixture
def dr_sim() -> Simulator:
    """a is a DR primary with three key shares (threshold 2); b is its DR secondary."""
    sim = Simulator(seed=5, key_shares=3, key_threshold=2)
    sim["a"].dr.enable_primary()
    sim["b"].dr.enable_secondary(sim["a"].dr.secondary_token("b").token)
    return sim


@pytest.fixture
def dr_vault(dr_sim: Simulator) -> VaultTestClient:
    return VaultTestClient(dr_sim)


def test_status_before_any_attempt_is_top_level_json(dr_vault: VaultTestClient) -> None:
    body = dr_vault.get("b", ATTEMPT, token=None).json
    assert set(body) == STATUS_KEYS  # no Vault envelope
    assert body["started"] is False and body["required"] == 2 and body["otp_length"] == 28


def test_full_ceremony_with_the_primarys_key_shares(dr_vault: VaultTestClient,
                                                    dr_sim: Simulator) -> None:
    started = dr_vault.post("b", ATTEMPT, token=None).json
    assert started["started"] is True and len(started["otp"]) == OTP_LENGTH
    keys = dr_sim.unseal_keys("a")
    assert dr_sim.unseal_keys("b") == keys  # the secondary took the primary's seal
    first = dr_vault.post("b", UPDATE, json={"key": keys[0], "nonce": started["nonce"]}).json
    assert first["progress"] == 1 and first["complete"] is False
    hex_key = base64.b64decode(keys[2]).hex()  # hex shares work too
    done = dr_vault.post("b", UPDATE, json={"key": hex_key, "nonce": started["nonce"]}).json
    assert done["complete"] is True and done["encoded_root_token"] == ""
    token = decode_token(done["encoded_token"], started["otp"])
    assert token.startswith("hvs.")
    promoted = dr_vault.post("b", "sys/replication/dr/secondary/promote",
                             json={"dr_operation_token": token})
    assert promoted.status_code == 200
    assert dr_vault.get("b", ATTEMPT, token=None).json["started"] is False


def test_cancel_answers_204_and_clears_the_attempt(dr_vault: VaultTestClient) -> None:
    dr_vault.post("b", ATTEMPT, token=None)
    response = dr_vault.delete("b", ATTEMPT, token=None)
    assert response.status_code == 204 and response.get_data() == b""
    assert dr_vault.get("b", ATTEMPT, token=None).json["started"] is False


def test_a_given_otp_is_not_echoed(dr_vault: VaultTestClient) -> None:
    otp = "x" * OTP_LENGTH
    body = dr_vault.post("b", ATTEMPT, json={"otp": otp}, token=None).json
    assert body["otp"] == "" and body["started"] is True


@pytest.mark.parametrize(("setup", "request_body", "message"), [
    ("none", {"key": "AAAA", "nonce": "n"}, "no root generation in progress"),
    ("start", {"nonce": "n"}, "'key' must be specified in request body as JSON"),
    ("start", {"key": "AAAA", "nonce": "wrong"}, "incorrect nonce supplied"),
    ("start", {"key": "%%%not-a-key", "nonce": None},
     "'key' must be a valid hex or base64 string"),
])
def test_update_errors(dr_vault: VaultTestClient, dr_sim: Simulator, setup: str,
                       request_body: dict[str, object], message: str) -> None:
    nonce = ""
    if setup == "start":
        nonce = dr_vault.post("b", ATTEMPT, token=None).json["nonce"]
    body = {k: (nonce if v is None else v) for k, v in request_body.items()}
    with unchanged(dr_sim):
        response = dr_vault.post("b", UPDATE, json=body, token=None)
    assert response.status_code == 400
    assert response.json["errors"][0].startswith(message)


def test_a_second_attempt_is_refused_while_one_runs(dr_vault: VaultTestClient) -> None:
    dr_vault.post("b", ATTEMPT, token=None)
    again = dr_vault.post("b", ATTEMPT, token=None)
    assert again.status_code == 400
    assert again.json["errors"] == ["root generation already in progress"]


def test_a_wrong_otp_length_is_refused(dr_vault: VaultTestClient) -> None:
    response = dr_vault.post("b", ATTEMPT, json={"otp": "short"}, token=None)
    assert response.status_code == 400
    assert response.json["errors"] == ["OTP string has incorrect length"]


def test_a_duplicate_share_is_refused(dr_vault: VaultTestClient, dr_sim: Simulator) -> None:
    nonce = dr_vault.post("b", ATTEMPT, token=None).json["nonce"]
    key = dr_sim.unseal_keys("a")[0]
    dr_vault.post("b", UPDATE, json={"key": key, "nonce": nonce}, token=None)
    again = dr_vault.post("b", UPDATE, json={"key": key, "nonce": nonce}, token=None)
    assert again.status_code == 400
    assert "already been provided" in again.json["errors"][0]


def test_shares_of_another_cluster_abort_the_attempt(dr_vault: VaultTestClient,
                                                     dr_sim: Simulator) -> None:
    nonce = dr_vault.post("b", ATTEMPT, token=None).json["nonce"]
    other = dr_sim.unseal_keys("c")
    dr_vault.post("b", UPDATE, json={"key": other[0], "nonce": nonce}, token=None)
    final = dr_vault.post("b", UPDATE, json={"key": other[1], "nonce": nonce}, token=None)
    assert final.status_code == 400 and final.json["errors"][0].startswith(
        "root generation aborted")
    assert dr_vault.get("b", ATTEMPT, token=None).json["started"] is False


def test_deleted_operation_tokens_stop_working(dr_vault: VaultTestClient,
                                               dr_sim: Simulator) -> None:
    started = dr_vault.post("b", ATTEMPT, token=None).json
    keys = dr_sim.unseal_keys("a")
    for key in keys[:2]:
        done = dr_vault.post("b", UPDATE, json={"key": key, "nonce": started["nonce"]}).json
    token = decode_token(done["encoded_token"], started["otp"])
    deleted = dr_vault.post("b", "sys/replication/dr/secondary/operation-token/delete",
                            json={"dr_operation_token": token})
    assert deleted.status_code == 204
    refused = dr_vault.post("b", "sys/replication/dr/secondary/promote",
                            json={"dr_operation_token": token})
    assert refused.status_code == 400


def test_the_ceremony_needs_a_dr_secondary(vault: VaultTestClient) -> None:
    response = vault.post("a", ATTEMPT, token=None)
    assert response.status_code == 400
    assert "not a DR secondary" in response.json["errors"][0]


@pytest.mark.parametrize("otp", ["é" * OTP_LENGTH, "a" * (OTP_LENGTH - 1) + "\x00",
                                 "a" * (OTP_LENGTH - 1) + " "])
def test_an_otp_that_is_not_base64_ascii_is_refused(dr_vault: VaultTestClient,
                                                    dr_sim: Simulator, otp: str) -> None:
    with unchanged(dr_sim):
        response = dr_vault.post("b", ATTEMPT, json={"otp": otp}, token=None)
    assert response.status_code == 400
    assert "OTP string must be base64" in response.json["errors"][0]
    started = dr_vault.post("b", ATTEMPT, token=None)  # no attempt was used up
    assert started.status_code == 200
