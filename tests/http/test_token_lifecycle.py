"""Tokens after creation (facts 10-13): renew, revoke, accessors, roles, limited uses; through
hvac's ``client.auth.token`` unchanged, and over plain HTTP for the refusals."""

from __future__ import annotations

import hvac
import pytest

from fakevault import Simulator
from fakevault.http.errors import INVALID_TOKEN
from fakevault.model.auth import MAX_TTL
from fakevault.testing.assertions import unchanged
from fakevault.testing.ceremonies import generate_dr_operation_token
from fakevault.testing.clients import VaultTestClient, hvac_client

SELF = "auth/token/lookup-self"


@pytest.fixture
def client(sim: Simulator) -> hvac.Client:
    return hvac_client(sim, "a")


def token_of(answer: dict[str, object]) -> str:
    auth = answer["auth"]
    assert isinstance(auth, dict)
    return str(auth["client_token"])


def test_renew_self_extends_the_ttl_from_now(sim: Simulator, client: hvac.Client) -> None:
    token = token_of(client.auth.token.create(policies=["default"], ttl="1h"))
    sim.advance(1800)
    user = hvac_client(sim, "a", token=token)
    renewed = user.auth.token.renew_self()
    assert renewed["auth"]["lease_duration"] == 3600 and renewed["auth"]["client_token"] == token
    sim.advance(3000)  # past the original hour, within the renewed one
    data = user.auth.token.lookup_self()["data"]
    assert data["ttl"] == 600 and data["creation_ttl"] == 3600 and "last_renewal_time" in data
    assert user.auth.token.renew_self(increment="2h")["auth"]["lease_duration"] == 7200


def test_renewal_past_the_explicit_max_ttl_is_capped_with_vaults_warning(
        sim: Simulator, client: hvac.Client) -> None:
    token = token_of(client.auth.token.create(policies=["default"], ttl="1h",
                                              explicit_max_ttl="90m"))
    sim.advance(3000)
    renewed = client.auth.token.renew(token, increment="1h")
    assert renewed["auth"]["lease_duration"] == 2400
    assert renewed["warnings"] == ['TTL of "1h0m0s" exceeded the effective max_ttl of '
                                   '"40m0s"; TTL value is capped accordingly']
    sim.advance(2400)
    with pytest.raises(hvac.exceptions.InvalidRequest, match="token not found"):
        client.auth.token.renew(token)


def test_a_periodic_token_renews_to_its_period(sim: Simulator, client: hvac.Client) -> None:
    token = token_of(client.auth.token.create(policies=["default"], period="10m"))
    for _ in range(3):  # beyond any TTL it was created with
        sim.advance(500)
        assert client.auth.token.renew(token, increment="5h")["auth"]["lease_duration"] == 600
    assert client.auth.token.lookup(token)["data"]["period"] == 600


@pytest.mark.parametrize(("body", "message"), [
    ({"renewable": False}, "lease is not renewable"),
    ({"type": "batch"}, "batch tokens cannot be renewed"),
])
def test_what_cannot_be_renewed(vault: VaultTestClient, sim: Simulator,
                                body: dict[str, object], message: str) -> None:
    made = vault.post("a", "auth/token/create", json={"policies": ["default"], **body})
    token = made.json["auth"]["client_token"]
    with unchanged(sim):
        refused = vault.post("a", "auth/token/renew", json={"token": token})
    assert refused.status_code == 400 and refused.json == {"errors": [message]}


def test_renew_refusals(vault: VaultTestClient, sim: Simulator) -> None:
    with unchanged(sim):
        assert vault.post("a", "auth/token/renew", json={}).json == {
            "errors": ["missing token ID"]}
        assert vault.post("a", "auth/token/renew", json={"token": "hvs.nope"}).json == {
            "errors": ["token not found"]}
        assert vault.post("a", "auth/token/renew-self").json == {
            "errors": ["lease is not renewable"]}  # the root token has no TTL
        assert vault.post("a", "auth/token/renew-accessor", json={"accessor": "x"}).json == {
            "errors": ["invalid accessor"]}


def test_accessors_look_up_renew_and_revoke(client: hvac.Client) -> None:
    made = client.auth.token.create(policies=["default"], ttl="1h")["auth"]
    accessor = made["accessor"]
    assert accessor in client.auth.token.list_accessors()["data"]["keys"]
    data = client.auth.token.lookup_accessor(accessor)["data"]
    assert data["id"] == "" and data["accessor"] == accessor and data["policies"] == ["default"]
    renewed = client.auth.token.renew_accessor(accessor, increment="2h")["auth"]
    assert renewed["client_token"] == "" and renewed["lease_duration"] == 7200
    client.auth.token.revoke_accessor(accessor)
    with pytest.raises(hvac.exceptions.Forbidden):
        client.auth.token.lookup(made["client_token"])
    assert accessor not in client.auth.token.list_accessors()["data"]["keys"]


def test_listing_accessors_needs_sudo(vault: VaultTestClient) -> None:
    token = vault.post("a", "auth/token/create", json={"policies": ["default"]}).json
    refused = vault.list("a", "auth/token/accessors", token=token["auth"]["client_token"])
    assert refused.status_code == 403


def test_revoke_takes_the_children_and_revoke_orphan_leaves_them(
        sim: Simulator, client: hvac.Client) -> None:
    client.sys.create_or_update_acl_policy(
        "default", 'path "auth/token/create" { capabilities = ["update"] }')
    parent = token_of(client.auth.token.create(policies=["default"], ttl="1h"))
    as_parent = hvac_client(sim, "a", token=parent)
    child = token_of(as_parent.auth.token.create(policies=["default"], ttl="30m"))
    orphan = token_of(client.auth.token.create_orphan(policies=["default"], ttl="30m"))
    client.auth.token.revoke(parent)
    for gone in (parent, child):
        with pytest.raises(hvac.exceptions.Forbidden):
            client.auth.token.lookup(gone)
    assert client.auth.token.lookup(orphan)["data"]["orphan"] is True
    parent = token_of(client.auth.token.create(policies=["default"], ttl="1h"))
    child = token_of(hvac_client(sim, "a", token=parent).auth.token.create(
        policies=["default"], ttl="30m"))
    client.auth.token.revoke_and_orphan_children(parent)
    assert client.auth.token.lookup(child)["data"]["orphan"] is True
    with pytest.raises(hvac.exceptions.Forbidden):
        client.auth.token.lookup(parent)


def test_revoke_refusals_change_nothing(vault: VaultTestClient, sim: Simulator) -> None:
    with unchanged(sim):
        assert vault.post("a", "auth/token/revoke", json={"token": "hvs.unknown"}
                          ).status_code == 204  # Vault: nothing to revoke is no error
        assert vault.post("a", "auth/token/revoke-orphan", json={"token": "hvs.x"}).json == {
            "errors": ["token to revoke not found"]}
        assert vault.post("a", "auth/token/revoke-accessor", json={}).json == {
            "errors": ["missing accessor"]}


def test_expiry_follows_the_worlds_clock(sim: Simulator, vault: VaultTestClient) -> None:
    made = vault.post("a", "auth/token/create", json={"policies": ["default"], "ttl": "60s"})
    token = made.json["auth"]["client_token"]
    sim.advance(59)
    assert vault.get("a", SELF, token=token).status_code == 200
    sim.advance(1)
    assert vault.get("a", SELF, token=token).json == {"errors": [INVALID_TOKEN]}


# -- roles --------------------------------------------------------------------------------------

def test_roles_crud_through_hvac(client: hvac.Client) -> None:
    client.auth.token.create_or_update_role("app", allowed_policies=["app"], orphan=True,
                                            token_period="1h")
    role = client.auth.token.read_role("app")["data"]
    assert role["allowed_policies"] == ["app"] and role["orphan"] is True
    assert role["token_period"] == 3600 and role["token_type"] == "default-service"
    assert client.auth.token.list_roles()["data"]["keys"] == ["app"]
    made = client.auth.token.create(role_name="app")["auth"]
    assert made["policies"] == ["app", "default"] and made["orphan"] is True
    assert made["lease_duration"] == 3600
    data = client.auth.token.lookup(made["client_token"])["data"]
    assert data["role"] == "app" and data["path"] == "auth/token/create/app"
    client.auth.token.delete_role("app")
    with pytest.raises(hvac.exceptions.InvalidPath):
        client.auth.token.read_role("app")


@pytest.mark.parametrize(("role", "body", "message"), [
    ({"allowed_policies": ["app"]}, {"policies": ["ops"]},
     'token policies (["default" "ops"]) must be subset of the role\'s allowed policies '
     '(["app" "default"])'),
    ({"disallowed_policies": ["ops"]}, {"policies": ["ops"]},
     'token policy "ops" is disallowed by this role'),
    (None, {}, "unknown role app"),
])
def test_role_refusals_change_nothing(vault: VaultTestClient, sim: Simulator,
                                      role: dict[str, object] | None, body: dict[str, object],
                                      message: str) -> None:
    if role is not None:
        assert vault.post("a", "auth/token/roles/app", json=role).status_code == 204
    with unchanged(sim):
        refused = vault.post("a", "auth/token/create/app", json=body)
    assert refused.status_code == 400 and refused.json == {"errors": [message]}


@pytest.mark.parametrize(("role", "reason"), [
    ({"token_type": "batch"}, "non-orphan tokens"),
    ({"token_type": "batch", "orphan": True}, "renewable tokens"),
    ({"token_type": "batch", "orphan": True, "renewable": False, "token_period": "1h"},
     "periodic tokens"),
])
def test_a_batch_role_must_be_orphan_nonrenewable_and_plain(
        vault: VaultTestClient, sim: Simulator, role: dict[str, object], reason: str) -> None:
    with unchanged(sim):
        refused = vault.post("a", "auth/token/roles/dr", json=role)
    assert refused.json == {"errors": [
        f"'token_type' cannot be 'batch' when role is set to generate {reason}"]}


def test_hashicorps_batch_dr_operation_token_promotes_a_dr_secondary(sim: Simulator) -> None:
    """HashiCorp's harness recipe: a policy, a batch role, a token from it, used to promote."""
    a, b = hvac_client(sim, "a"), hvac_client(sim, "b")
    a.sys.create_or_update_acl_policy("dr-secondary-promotion", """
path "sys/replication/dr/secondary/promote" { capabilities = ["update"] }
path "sys/replication/dr/secondary/update-primary" { capabilities = ["update"] }
""")
    a.write("auth/token/roles/failover-handler", allowed_policies="dr-secondary-promotion",
            orphan=True, renewable=False, token_type="batch")
    batch = a.auth.token.create(role_name="failover-handler", ttl="8h")["auth"]
    assert batch["token_type"] == "batch" and batch["client_token"].startswith("hvb.")
    sim["a"].dr.enable_primary()
    sim["b"].dr.enable_secondary(sim["a"].dr.secondary_token("b").token)
    sim.crash("a")
    b.write("sys/replication/dr/secondary/promote", dr_operation_token=batch["client_token"])
    assert sim["b"].dr.mode == "primary"


def test_the_ceremony_helper_also_promotes(sim: Simulator) -> None:
    sim["a"].dr.enable_primary()
    sim["b"].dr.enable_secondary(sim["a"].dr.secondary_token("b").token)
    token = generate_dr_operation_token(hvac_client(sim, "b"), sim.unseal_keys("a"))
    hvac_client(sim, "b").write("sys/replication/dr/secondary/promote",
                                dr_operation_token=token, force=True)
    assert sim["b"].dr.mode == "primary"


def test_roles_replicate_to_performance_secondaries_tokens_do_not(sim: Simulator) -> None:
    client = hvac_client(sim, "a")
    client.auth.token.create_or_update_role("app", allowed_policies=["default"])
    sim["a"].performance.enable_primary()
    sim["b"].performance.enable_secondary(sim["a"].performance.secondary_token("b").token)
    root_b = sim.generate_root("b")
    on_b = hvac_client(sim, "b", token=root_b)
    assert on_b.auth.token.read_role("app")["data"]["allowed_policies"] == ["default"]
    made = on_b.auth.token.create(role_name="app")["auth"]["client_token"]
    with pytest.raises(hvac.exceptions.Forbidden):
        client.auth.token.lookup(made)


def test_the_system_max_ttl_caps_a_renewal(sim: Simulator, client: hvac.Client) -> None:
    token = token_of(client.auth.token.create(policies=["default"]))
    sim.advance(MAX_TTL - 100)
    renewed = client.auth.token.renew(token)
    assert renewed["auth"]["lease_duration"] == 100 and renewed["warnings"]
