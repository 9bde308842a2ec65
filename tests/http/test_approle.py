"""AppRole and sys/auth through hvac unchanged: login, secret IDs, wrapping, replication."""

from __future__ import annotations

import hvac
import pytest

from fakevault import Simulator
from fakevault.testing.assertions import unchanged
from fakevault.testing.clients import VaultTestClient, hvac_client
from fakevault.vault.backends import approle
from fakevault.vault.endpoints import endpoint as endpoint_of


@pytest.fixture
def client(sim: Simulator) -> hvac.Client:
    root = hvac_client(sim, "a")
    root.sys.enable_auth_method("approle")
    root.auth.approle.create_or_update_approle("failover", token_policies=["default"],
                                               token_ttl="1h", secret_id_num_uses=2)
    return root


def credentials(client: hvac.Client) -> tuple[str, str]:
    role_id = client.auth.approle.read_role_id("failover")["data"]["role_id"]
    return role_id, client.auth.approle.generate_secret_id("failover")["data"]["secret_id"]


def test_login_then_renew_self(sim: Simulator, client: hvac.Client) -> None:
    role_id, secret = credentials(client)
    app = hvac_client(sim, "a", token="")
    auth = app.auth.approle.login(role_id, secret)["auth"]
    assert auth["policies"] == ["default"] and auth["metadata"] == {"role_name": "failover"}
    assert app.token == auth["client_token"] and auth["lease_duration"] == 3600
    sim.advance(1800)
    assert app.auth.token.renew_self()["auth"]["lease_duration"] == 3600
    assert app.auth.token.lookup_self()["data"]["path"] == "auth/approle/login"


def test_a_wrapped_secret_id_unwraps_once(sim: Simulator, client: hvac.Client) -> None:
    role_id = client.auth.approle.read_role_id("failover")["data"]["role_id"]
    wrapped = client.auth.approle.generate_secret_id("failover", wrap_ttl="1m")["wrap_info"]
    secret = hvac_client(sim, "a", token="").sys.unwrap(wrapped["token"])["data"]["secret_id"]
    assert hvac_client(sim, "a", token="").auth.approle.login(role_id, secret)["auth"]
    with pytest.raises(hvac.exceptions.InvalidRequest, match="not valid"):
        client.sys.unwrap(wrapped["token"])


def test_a_used_up_or_wrong_secret_id_is_refused(sim: Simulator, client: hvac.Client) -> None:
    role_id, secret = credentials(client)
    app = hvac_client(sim, "a", token="")
    app.auth.approle.login(role_id, secret, use_token=False)
    app.auth.approle.login(role_id, secret, use_token=False)  # secret_id_num_uses = 2
    vault = VaultTestClient(sim)
    for body in ({"role_id": role_id, "secret_id": secret},
                 {"role_id": role_id, "secret_id": "wrong"},
                 {"role_id": "wrong", "secret_id": secret}):
        with unchanged(sim):
            refused = vault.post("a", "auth/approle/login", json=body, token=None)
        assert refused.status_code == 400
        assert refused.json == {"errors": ["invalid role or secret ID"]}


def test_secret_id_ttl_lookup_and_accessors(sim: Simulator, client: hvac.Client) -> None:
    client.auth.approle.create_or_update_approle("short", secret_id_ttl="60s")
    made = client.auth.approle.generate_secret_id("short")["data"]
    looked = client.auth.approle.read_secret_id("short", made["secret_id"])["data"]
    assert looked["secret_id_accessor"] == made["secret_id_accessor"]
    assert client.auth.approle.list_secret_id_accessors("short")["data"]["keys"] == [
        made["secret_id_accessor"]]
    sim.advance(60)
    with pytest.raises(hvac.exceptions.InvalidPath):
        client.auth.approle.read_secret_id("short", made["secret_id"])
    other = client.auth.approle.generate_secret_id("short")["data"]
    client.auth.approle.destroy_secret_id_accessor("short", other["secret_id_accessor"])
    with pytest.raises(hvac.exceptions.InvalidPath):
        client.auth.approle.list_secret_id_accessors("short")


def test_roles_crud_and_unknown_roles(vault: VaultTestClient, sim: Simulator,
                                      client: hvac.Client) -> None:
    assert client.auth.approle.list_roles()["data"]["keys"] == ["failover"]
    assert client.auth.approle.read_role("failover")["data"]["token_ttl"] == 3600
    with unchanged(sim):
        refused = vault.post("a", "auth/approle/role/nope/secret-id", json={})
    assert refused.json == {"errors": ['role "nope" does not exist']}
    client.auth.approle.delete_role("failover")
    with pytest.raises(hvac.exceptions.InvalidPath):
        client.auth.approle.read_role("failover")


def test_sys_auth_simulates_approle_only(vault: VaultTestClient, sim: Simulator) -> None:
    with unchanged(sim):
        refused = vault.post("a", "sys/auth/userpass", json={"type": "userpass"})
        taken = vault.post("a", "sys/auth/token", json={"type": "approle"})
    assert refused.status_code == 400 and "does not simulate" in refused.json["errors"][0]
    assert taken.status_code == 400
    assert vault.post("a", "sys/auth/ar", json={"type": "approle"}).status_code == 204
    assert set(vault.get("a", "sys/auth").json["data"]) == {"token/", "ar/"}
    assert vault.delete("a", "sys/auth/ar").status_code == 204
    assert vault.get("a", "auth/ar/role", token="root").status_code == 404


def test_approle_replicates_to_a_performance_secondary(sim: Simulator,
                                                       client: hvac.Client) -> None:
    role_id, secret = credentials(client)
    sim["a"].performance.enable_primary()
    sim["b"].performance.enable_secondary(sim["a"].performance.secondary_token("b").token)
    on_b = hvac_client(sim, "b", token="")
    token = on_b.auth.approle.login(role_id, secret)["auth"]["client_token"]
    assert on_b.auth.token.lookup_self()["data"]["policies"] == ["default"]
    with pytest.raises(hvac.exceptions.Forbidden):  # the token is b's alone
        hvac_client(sim, "a", token=token).auth.token.lookup_self()


@pytest.mark.parametrize("local_secret_ids", [False, True])
def test_secret_ids_replicate_unless_the_role_keeps_them_local(
        sim: Simulator, client: hvac.Client, local_secret_ids: bool) -> None:
    client.write("auth/approle/role/edge", token_policies="default",
                 local_secret_ids=local_secret_ids)
    role_id = client.auth.approle.read_role_id("edge")["data"]["role_id"]
    sim["a"].performance.enable_primary()
    sim["b"].performance.enable_secondary(sim["a"].performance.secondary_token("b").token)
    on_b = hvac_client(sim, "b", token=sim.generate_root("b"))
    secret = on_b.auth.approle.generate_secret_id("edge")["data"]["secret_id"]
    assert hvac_client(sim, "b", token="").auth.approle.login(role_id, secret)
    login_on_a = VaultTestClient(sim).post("a", "auth/approle/login", token=None,
                                           json={"role_id": role_id, "secret_id": secret})
    assert login_on_a.status_code == (400 if local_secret_ids else 200)


def test_snapshots_carry_approle_and_wrapped_state(sim: Simulator, client: hvac.Client) -> None:
    role_id = client.auth.approle.read_role_id("failover")["data"]["role_id"]
    wrapped = client.auth.approle.generate_secret_id("failover", wrap_ttl="5m")["wrap_info"]
    copy = Simulator.restore(sim.snapshot())
    secret = hvac_client(copy, "a").sys.unwrap(wrapped["token"])["data"]["secret_id"]
    assert hvac_client(copy, "a", token="").auth.approle.login(role_id, secret)["auth"]


APPROLE_ROUTES = [(method, endpoint.path.replace("{name}", "failover"))
                  for endpoint in (endpoint_of("auth/approle/", path) for path in approle.PATHS)
                  for method in endpoint.methods]


@pytest.mark.parametrize(("method", "path"), APPROLE_ROUTES, ids=[f"{m} {p}" for m, p in
                                                                    APPROLE_ROUTES])
def test_every_approle_route_refuses_an_unknown_token_and_never_errors(
        sim: Simulator, client: hvac.Client, method: str, path: str) -> None:
    vault = VaultTestClient(sim)
    with unchanged(sim):
        response = vault.request("a", method, path, token="hvs.unknown", json={"x": 1})
    if path.endswith("login"):  # unauthenticated: refused for its missing role_id instead
        assert response.json == {"errors": ["missing role_id"]}
    else:
        assert response.status_code == 403 and "invalid token" in response.json["errors"][0]
    assert not vault.app.internal_errors
