"""The seed specification's endpoints, parameters, status codes and sample shapes.

The seed is Vault 0.7's document, so these run under its profile (``vault_version="0.7"``);
``test_replication_modern.py`` and ``tests/conformance/`` hold the modern answers.
"""

from __future__ import annotations

import base64
import json
import re

import pytest

from fakevault import Simulator
from fakevault.testing.assertions import unchanged
from fakevault.testing.clients import VaultTestClient

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
SHA1 = re.compile(r"^[0-9a-f]{40}$")
ENVELOPE = {"request_id", "lease_id", "renewable", "lease_duration", "data", "wrap_info",
            "warnings", "auth"}


@pytest.fixture
def sim() -> Simulator:
    """A world that answers as Vault 0.7's document."""
    return Simulator(seed=1, vault_version="0.7")


def jwt_claims(token: str) -> dict[str, object]:
    header, payload, _ = token.split(".")
    pad = lambda part: part + "=" * (-len(part) % 4)  # noqa: E731
    assert json.loads(base64.urlsafe_b64decode(pad(header))) == {"alg": "ES512", "typ": "JWT"}
    claims: dict[str, object] = json.loads(base64.urlsafe_b64decode(pad(payload)))
    return claims


def test_status_of_a_primary_has_the_seed_sample_shape(vault: VaultTestClient) -> None:
    assert vault.post("a", "sys/replication/primary/enable", json={}).status_code == 204
    body = vault.get("a", "sys/replication/status", token=None).json
    assert set(body) >= ENVELOPE
    flat = {"mode", "cluster_id", "known_secondaries", "last_wal", "merkle_root"}
    assert flat <= set(body) and flat <= set(body["data"])
    assert body["mode"] == body["data"]["mode"] == "primary"
    assert UUID.match(body["cluster_id"]) and body["cluster_id"] == body["data"]["cluster_id"]
    assert body["known_secondaries"] == []
    assert isinstance(body["last_wal"], int) and SHA1.match(body["merkle_root"])
    assert UUID.match(body["request_id"])
    assert body["lease_id"] == "" and body["renewable"] is False and body["lease_duration"] == 0
    assert body["wrap_info"] is None and body["warnings"] is None and body["auth"] is None
    assert set(body["data"]) == flat  # exactly the seed's sample: no per-type objects


def test_status_is_unauthenticated_and_disabled_by_default(vault: VaultTestClient) -> None:
    body = vault.get("b", "sys/replication/status", token=None).json
    assert body["data"]["mode"] == body["mode"] == "disabled"
    assert vault.get("b", "sys/replication/dr/status", token=None).json["data"] == {
        "mode": "disabled"}


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_secondary_token_wraps_a_jwt_for_the_id(vault: VaultTestClient, sim: Simulator,
                                                method: str) -> None:
    vault.post("a", "sys/replication/primary/enable")
    if method == "GET":
        response = vault.get("a", "sys/replication/primary/secondary-token",
                             query={"id": "us-east-1", "ttl": "5m"})
    else:
        response = vault.post("a", "sys/replication/primary/secondary-token",
                              json={"id": "us-east-1", "ttl": "5m"})
    assert response.status_code == 200
    body = response.json
    assert body["request_id"] == "" and body["data"] is None
    wrap = body["wrap_info"]
    assert set(wrap) == {"token", "accessor", "ttl", "creation_time", "creation_path"}
    assert wrap["ttl"] == 300
    assert wrap["creation_path"] == "sys/replication/primary/secondary-token"
    claims = jwt_claims(wrap["token"])
    assert claims["addr"] == sim["a"].api_addr and claims["type"] == "wrapping"
    assert claims["exp"] == claims["iat"] + 300  # type: ignore[operator]
    status = vault.get("a", "sys/replication/status").json
    assert status["known_secondaries"] == ["us-east-1"]


def test_secondary_token_default_ttl_is_30m(vault: VaultTestClient) -> None:
    vault.post("a", "sys/replication/primary/enable")
    wrap = vault.post("a", "sys/replication/primary/secondary-token", json={"id": "x"}).json
    assert wrap["wrap_info"]["ttl"] == 1800


@pytest.mark.parametrize(("body", "field"), [
    ({}, "id"), ({"id": ""}, "id"), ({"id": ["x"]}, "id"), ({"id": "x", "ttl": "soon"}, "ttl"),
    ({"id": "x", "ttl": -5}, "ttl"), ({"id": "x", "ttl": True}, "ttl"),
])
def test_secondary_token_bad_input_names_the_field(vault: VaultTestClient, sim: Simulator,
                                                   body: dict[str, object], field: str) -> None:
    vault.post("a", "sys/replication/primary/enable")
    with unchanged(sim):
        response = vault.post("a", "sys/replication/primary/secondary-token", json=body)
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/json"
    assert f'"{field}"' in response.json["errors"][0]


@pytest.mark.parametrize("revoke_path", ["sys/replication/secondary/revoke-secondary",
                                         "sys/replication/primary/revoke-secondary"])
def test_seed_lifecycle_answers_204_at_each_step(vault: VaultTestClient, sim: Simulator,
                                                 revoke_path: str) -> None:
    assert vault.post("a", "sys/replication/primary/enable", json={}).status_code == 204
    token = vault.post("a", "sys/replication/primary/secondary-token",
                       json={"id": "b"}).json["wrap_info"]["token"]
    assert vault.post("b", "sys/replication/secondary/enable",
                      json={"token": token}).status_code == 204
    sim.mint_root_token("b", sim.root_token)  # b's token store was wiped at enable
    b_status = vault.get("b", "sys/replication/status").json
    assert b_status["mode"] == "secondary"
    assert b_status["cluster_id"] == vault.get("a", "sys/replication/status").json["cluster_id"]
    perf_status = vault.get("b", "sys/replication/performance/status").json["data"]
    assert perf_status["state"] == "stream-wals"
    assert vault.post("a", revoke_path, json={"id": "b"}).status_code == 204
    assert vault.get("a", "sys/replication/status").json["known_secondaries"] == []
    perf_b = vault.get("b", "sys/replication/performance/status").json["data"]
    assert perf_b["primaries"][0]["connection_status"] == "disconnected"
    assert vault.post("b", "sys/replication/secondary/promote", json={}).status_code == 204
    assert vault.post("b", "sys/replication/secondary/disable").status_code == 400  # primary now
    assert vault.post("b", "sys/replication/primary/demote").status_code == 204
    assert vault.post("b", "sys/replication/secondary/update-primary",
                      json={"token": ""}).status_code == 204
    assert vault.post("b", "sys/replication/secondary/disable").status_code == 204
    assert vault.post("a", "sys/replication/primary/disable").status_code == 204
    assert vault.get("a", "sys/replication/status").json["mode"] == "disabled"


def test_enable_secondary_wipes_its_storage(vault: VaultTestClient, sim: Simulator) -> None:
    sim["b"].write("secret/data/only-on-b", {"x": 1})
    vault.post("a", "sys/replication/primary/enable")
    token = vault.post("a", "sys/replication/primary/secondary-token",
                       json={"id": "b"}).json["wrap_info"]["token"]
    vault.post("b", "sys/replication/secondary/enable", json={"token": token})
    assert sim["b"].read("secret/data/only-on-b") is None


def test_a_token_is_single_use(vault: VaultTestClient) -> None:
    vault.post("a", "sys/replication/primary/enable")
    token = vault.post("a", "sys/replication/primary/secondary-token",
                       json={"id": "b"}).json["wrap_info"]["token"]
    assert vault.post("b", "sys/replication/secondary/enable",
                      json={"token": token}).status_code == 204
    again = vault.post("c", "sys/replication/secondary/enable", json={"token": token})
    assert again.status_code == 400
    assert "unwrapping secondary token" in again.json["errors"][0]


def test_disable_then_enable_gives_a_new_cluster_id(vault: VaultTestClient) -> None:
    vault.post("a", "sys/replication/primary/enable")
    first = vault.get("a", "sys/replication/status").json["cluster_id"]
    vault.post("a", "sys/replication/primary/disable")
    vault.post("a", "sys/replication/primary/enable")
    assert vault.get("a", "sys/replication/status").json["cluster_id"] != first


@pytest.mark.parametrize("path", ["sys/replication/recover", "sys/replication/reindex"])
def test_recover_and_reindex_answer_200_with_warnings(vault: VaultTestClient,
                                                      path: str) -> None:
    vault.post("a", "sys/replication/primary/enable")
    response = vault.post("a", path)
    assert response.status_code == 200
    assert response.json["warnings"] and all(isinstance(w, str) for w in response.json["warnings"])


def test_reindex_sets_last_reindex_epoch(vault: VaultTestClient, sim: Simulator) -> None:
    vault.post("a", "sys/replication/primary/enable")
    sim.advance(100)
    vault.post("a", "sys/replication/reindex")
    epoch = vault.get("a", "sys/replication/performance/status").json["data"]["last_reindex_epoch"]
    assert epoch == str(int(sim.clock.now()))


def test_promote_with_primary_cluster_addr(vault: VaultTestClient) -> None:
    vault.post("a", "sys/replication/primary/enable")
    token = vault.post("a", "sys/replication/primary/secondary-token",
                       json={"id": "b"}).json["wrap_info"]["token"]
    vault.post("b", "sys/replication/secondary/enable", json={"token": token})
    vault.sim.mint_root_token("b", vault.sim.root_token)  # b's token store was wiped
    vault.post("a", "sys/replication/primary/demote")
    assert vault.post("b", "sys/replication/secondary/promote",
                      json={"primary_cluster_addr": "https://lb:8201"}).status_code == 204
    data = vault.get("b", "sys/replication/performance/status").json["data"]
    assert data["mode"] == "primary" and data["primary_cluster_addr"] == "https://lb:8201"


def test_update_primary_needs_a_token_field(vault: VaultTestClient, sim: Simulator) -> None:
    vault.post("a", "sys/replication/primary/enable")
    vault.post("a", "sys/replication/primary/demote")
    with unchanged(sim):
        response = vault.post("a", "sys/replication/secondary/update-primary", json={})
    assert response.status_code == 400
    assert '"token"' in response.json["errors"][0]


def test_unknown_parameters_are_ignored_with_a_warning(vault: VaultTestClient) -> None:
    response = vault.post("a", "sys/replication/primary/enable", json={"bogus": 1})
    assert response.status_code == 200
    assert response.json["warnings"] == [
        "Endpoint ignored these unrecognized parameters: [bogus]"]


def test_wsgi_app_bound_to_one_cluster_ignores_the_host(sim: Simulator) -> None:
    from werkzeug.test import Client

    sim["b"].dr.enable_primary()
    client = Client(sim.wsgi_app("b"))
    body = client.get("/v1/sys/replication/dr/status", headers={"Host": "anything:1"}).json
    assert body["data"]["mode"] == "primary"
