"""Response wrapping (fact 14): X-Vault-Wrap-TTL answers only wrap_info; sys/wrapping/*."""

from __future__ import annotations

import hvac
import pytest

from fakevault import Simulator
from fakevault.testing.assertions import unchanged
from fakevault.testing.clients import VaultTestClient, hvac_client

INVALID = {"errors": ["wrapping token is not valid or does not exist"]}


def wrapped(vault: VaultTestClient, path: str, body: dict[str, object], ttl: str = "5m",
            cluster: str = "a") -> dict[str, object]:
    response = vault.request(cluster, "POST", path, json=body, headers={"X-Vault-Wrap-TTL": ttl})
    assert response.status_code == 200, response.json
    assert response.json["data"] is None and response.json["auth"] is None
    info: dict[str, object] = response.json["wrap_info"]
    return info


def test_any_request_can_be_wrapped_and_unwrapped_once(vault: VaultTestClient) -> None:
    vault.post("a", "secret/data/app", json={"data": {"password": "s3cret"}})
    response = vault.request("a", "GET", "secret/data/app", headers={"X-Vault-Wrap-TTL": "60"})
    info = response.json["wrap_info"]
    assert set(info) == {"token", "accessor", "ttl", "creation_time", "creation_path"}
    assert info["ttl"] == 60 and info["creation_path"] == "secret/data/app"
    body = vault.post("a", "sys/wrapping/unwrap", token=info["token"]).json
    assert body["data"]["data"] == {"password": "s3cret"}
    again = vault.post("a", "sys/wrapping/unwrap", json={"token": info["token"]})
    assert again.status_code == 400 and again.json == INVALID


def test_hvac_wraps_a_token_and_a_third_party_unwraps_it(sim: Simulator) -> None:
    client = hvac_client(sim, "a")
    answer = client.auth.token.create(policies=["default"], ttl="1h", wrap_ttl="2m")
    info = answer["wrap_info"]
    assert info["wrapped_accessor"] and answer["auth"] is None
    assert client.sys.unwrap(info["token"])["auth"]["policies"] == ["default"]
    with pytest.raises(hvac.exceptions.InvalidRequest, match="not valid"):
        client.sys.unwrap(info["token"])


def test_sys_wrapping_wrap_lookup_rewrap(vault: VaultTestClient, sim: Simulator) -> None:
    info = wrapped(vault, "sys/wrapping/wrap", {"secret_id": "abc", "n": 1})
    looked = vault.post("a", "sys/wrapping/lookup", json={"token": info["token"]}, token=None)
    assert looked.json["data"] == {"creation_ttl": 300, "creation_time": info["creation_time"],
                                   "creation_path": "sys/wrapping/wrap"}
    moved = vault.post("a", "sys/wrapping/rewrap", json={"token": info["token"]}).json
    new = moved["wrap_info"]
    assert new["token"] != info["token"] and new["ttl"] == 300
    assert vault.post("a", "sys/wrapping/unwrap", json={"token": info["token"]}).json == INVALID
    unwrapped = vault.post("a", "sys/wrapping/unwrap", json={"token": new["token"]}).json
    assert unwrapped["data"] == {"secret_id": "abc", "n": 1}


def test_wrap_without_a_ttl_and_bad_ttls_are_refused(vault: VaultTestClient,
                                                     sim: Simulator) -> None:
    with unchanged(sim):
        plain = vault.post("a", "sys/wrapping/wrap", json={"x": 1})
        bad = vault.request("a", "GET", "sys/health", headers={"X-Vault-Wrap-TTL": "soon"})
    assert plain.json == {"errors": ["endpoint requires response wrapping to be used"]}
    assert bad.status_code == 400 and "X-Vault-Wrap-TTL" in bad.json["errors"][0]


def test_a_wrapping_token_expires(vault: VaultTestClient, sim: Simulator) -> None:
    info = wrapped(vault, "sys/wrapping/wrap", {"x": 1}, ttl="30s")
    sim.advance(30)
    with unchanged(sim):
        expired = vault.post("a", "sys/wrapping/unwrap", json={"token": info["token"]})
    assert expired.json == INVALID


def test_a_wrapping_token_is_local_to_its_cluster(vault: VaultTestClient) -> None:
    info = wrapped(vault, "sys/wrapping/wrap", {"x": 1})
    assert vault.post("c", "sys/wrapping/unwrap", json={"token": info["token"]}).json == INVALID
    assert vault.post("a", "sys/wrapping/unwrap", json={"token": info["token"]}).status_code \
        == 200


def test_lookup_describes_an_activation_token_on_its_primary(vault: VaultTestClient,
                                                               sim: Simulator) -> None:
    vault.post("a", "sys/replication/dr/primary/enable")
    info = vault.post("a", "sys/replication/dr/primary/secondary-token",
                      json={"id": "b"}).json["wrap_info"]
    looked = vault.post("a", "sys/wrapping/lookup", json={"token": info["token"]}).json["data"]
    assert looked == {"creation_ttl": 1800, "creation_time": info["creation_time"],
                      "creation_path": "sys/replication/dr/primary/secondary-token"}
    sim["b"].dr.enable_secondary(info["token"])
    assert vault.post("a", "sys/wrapping/lookup", json={"token": info["token"]}).json == INVALID


def test_in_process_callers_can_wrap(sim: Simulator) -> None:
    vault = sim.vault("a")
    answer = vault.request("update", "auth/token/create", {"policies": ["default"]},
                           token="root", wrap_ttl="1m")
    assert answer.wrap_info is not None and answer.auth is None
    unwrapped = vault.request("update", "sys/wrapping/unwrap",
                              {"token": answer.wrap_info["token"]}, token="root")
    assert unwrapped.auth is not None and unwrapped.auth["policies"] == ["default"]
