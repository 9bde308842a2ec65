"""The token store: create, create-orphan, lookup, lookup-self, revoke-self; and which clusters
accept a token (DR replicates the token store, performance replication does not).

(Named ``test_token_store`` because ``tests/model/test_tokens.py`` owns the module name.)
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from fakevault import Simulator
from fakevault.http.errors import INVALID_TOKEN, PERMISSION_DENIED
from fakevault.model.auth import DEFAULT_TTL, lookup_token
from fakevault.model.token_lifecycle import spend_use
from fakevault.testing.assertions import unchanged
from fakevault.testing.clients import VaultTestClient, hvac_client

CREATE = "auth/token/create"
ORPHAN = "auth/token/create-orphan"
SELF = "auth/token/lookup-self"
AUTH_KEYS = {"client_token", "accessor", "policies", "token_policies", "metadata",
             "lease_duration", "renewable", "entity_id", "token_type", "orphan",
             "mfa_requirement", "num_uses"}
LOOKUP_KEYS = {"accessor", "creation_time", "creation_ttl", "display_name", "entity_id",
               "expire_time", "explicit_max_ttl", "id", "issue_time", "meta", "num_uses",
               "orphan", "path", "policies", "renewable", "ttl", "type"}
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
CAPPED = ('TTL of "{0}" exceeded the effective max_ttl of "{1}"; TTL value is capped '
          "accordingly")


def policy(vault: VaultTestClient, name: str, rules: dict[str, list[str]],
           cluster: str = "a") -> None:
    text = json.dumps({"path": {path: {"capabilities": caps} for path, caps in rules.items()}})
    assert vault.post(cluster, f"sys/policies/acl/{name}",
                      json={"policy": text}).status_code == 204


def create(vault: VaultTestClient, cluster: str = "a", token: str = "root",
           path: str = CREATE, **body: Any) -> Any:
    return vault.post(cluster, path, json=body, token=token)


def new_token(vault: VaultTestClient, cluster: str = "a", token: str = "root",
              path: str = CREATE, **body: Any) -> str:
    response = create(vault, cluster, token, path, **body)
    assert response.status_code == 200, response.json
    client_token: str = response.json["auth"]["client_token"]
    return client_token


@pytest.fixture
def app_token(vault: VaultTestClient) -> str:
    """A token with policies app and default, allowed to create tokens (without sudo)."""
    policy(vault, "app", {CREATE: ["update"], ORPHAN: ["update"],
                          "secret/data/app": ["read"]})
    return new_token(vault, policies=["app"])


# -- create ----------------------------------------------------------------------------------
def test_create_answers_vaults_auth_object(vault: VaultTestClient) -> None:
    policy(vault, "app", {"secret/data/app": ["read"]})
    response = create(vault, policies=["app"], meta={"team": "pay"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    body = response.json
    assert body["data"] is None and body["warnings"] is None
    assert body["mount_type"] == "token" and body["lease_duration"] == 0
    auth = body["auth"]
    assert set(auth) == AUTH_KEYS
    assert re.fullmatch(r"hvs\.[0-9A-Za-z]{24}", auth["client_token"])
    assert re.fullmatch(r"[0-9A-Za-z]{24}", auth["accessor"])
    assert auth["policies"] == auth["token_policies"] == ["app", "default"]
    assert auth["metadata"] == {"team": "pay"}
    assert auth["lease_duration"] == DEFAULT_TTL == 768 * 3600
    assert auth["renewable"] is True and auth["orphan"] is False
    assert auth["token_type"] == "service" and auth["entity_id"] == ""
    assert auth["mfa_requirement"] is None and auth["num_uses"] == 0


def test_root_without_policies_makes_a_root_token(vault: VaultTestClient) -> None:
    auth = create(vault).json["auth"]
    assert auth["policies"] == ["root"]
    assert auth["lease_duration"] == 0 and auth["renewable"] is False
    assert vault.post("a", "sys/replication/dr/primary/enable",
                      token=auth["client_token"]).status_code == 200


def test_same_seed_same_tokens() -> None:
    tokens = [new_token(VaultTestClient(Simulator(seed=9)), policies=["x"]) for _ in range(2)]
    assert tokens[0] == tokens[1]


def test_ttl_beyond_the_max_is_capped_with_vaults_warning(vault: VaultTestClient) -> None:
    response = create(vault, policies=["default"], ttl="8760h")
    assert response.json["auth"]["lease_duration"] == DEFAULT_TTL
    assert response.json["warnings"] == [CAPPED.format("8760h0m0s", "768h0m0s")]


def test_explicit_max_ttl_caps_the_default_ttl(vault: VaultTestClient) -> None:
    response = create(vault, policies=["default"], explicit_max_ttl="1h")
    assert response.json["auth"]["lease_duration"] == 3600
    assert response.json["warnings"] == [CAPPED.format("768h0m0s", "1h0m0s")]


def test_unknown_policies_are_assigned_with_a_warning(vault: VaultTestClient) -> None:
    response = create(vault, policies=["nope"])
    assert response.json["auth"]["policies"] == ["default", "nope"]
    assert response.json["warnings"] == ['Policy "nope" does not exist']


def test_display_name_meta_and_num_uses(vault: VaultTestClient) -> None:
    token = new_token(vault, policies=["default"], display_name="my app!", num_uses=3,
                      meta={"n": 1, "ok": True})
    data = vault.get("a", SELF, token=token).json["data"]
    assert data["display_name"] == "token-my-app"
    # The lookup spent a use before it ran (fact 12), so it shows the two left.
    assert data["num_uses"] == 2 and data["meta"] == {"n": "1", "ok": "1"}


def test_a_limited_use_token_stops_after_its_uses(vault: VaultTestClient) -> None:
    token = new_token(vault, policies=["default"], num_uses=2)
    assert vault.get("a", SELF, token=token).status_code == 200
    assert vault.get("a", SELF, token=token).status_code == 200
    assert vault.get("a", SELF, token=token).status_code == 403


def test_a_custom_id_needs_root_and_warns(vault: VaultTestClient) -> None:
    response = create(vault, id="my-own-token", policies=["default"])
    assert response.json["auth"]["client_token"] == "my-own-token"
    assert response.json["warnings"][0].startswith("Supplying a custom ID for the token")
    assert vault.get("a", SELF, token="my-own-token").status_code == 200


def test_batch_tokens(vault: VaultTestClient) -> None:
    auth = create(vault, path=ORPHAN, type="batch", policies=["default"], ttl="1h").json["auth"]
    assert re.fullmatch(r"hvb\.[0-9A-Za-z_-]{100,}", auth["client_token"])
    assert auth["accessor"] == "" and auth["renewable"] is False
    assert auth["token_type"] == "batch" and auth["orphan"] is True
    data = vault.get("a", SELF, token=auth["client_token"]).json["data"]
    assert data["type"] == "batch" and data["ttl"] == 3600


def test_create_orphan_needs_no_sudo(vault: VaultTestClient, app_token: str) -> None:
    auth = create(vault, token=app_token, path=ORPHAN, policies=["app"]).json["auth"]
    assert auth["orphan"] is True
    data = vault.get("a", SELF, token=auth["client_token"]).json["data"]
    assert data["orphan"] is True and data["path"] == ORPHAN


def test_root_may_ask_for_no_parent(vault: VaultTestClient) -> None:
    assert create(vault, no_parent=True, policies=["default"]).json["auth"]["orphan"] is True


def test_a_child_gets_a_subset_of_its_parents_policies(vault: VaultTestClient,
                                                       app_token: str) -> None:
    def policies(**body: Any) -> list[str]:
        response = create(vault, token=app_token, **body)
        assert response.status_code == 200, response.json
        result: list[str] = response.json["auth"]["policies"]
        return result

    assert policies() == ["app", "default"]  # inherited
    assert policies(policies=["app"]) == ["app", "default"]
    assert policies(policies=["App "]) == ["app", "default"]
    assert policies(policies=["app"], no_default_policy=True) == ["app"]


def test_a_sudo_parent_may_give_any_policy_but_root(vault: VaultTestClient) -> None:
    policy(vault, "admin", {CREATE: ["update", "sudo"]})
    admin = new_token(vault, policies=["admin"])
    assert create(vault, token=admin, policies=["other"]).json["auth"]["policies"] == [
        "default", "other"]
    with unchanged(vault.sim):
        refused = create(vault, token=admin, policies=["root"])
    assert refused.status_code == 400
    assert refused.json == {
        "errors": ["root tokens may not be created without parent token being root"]}


def test_child_tokens_die_with_their_parent(vault: VaultTestClient, sim: Simulator) -> None:
    policy(vault, "maker", {CREATE: ["update"], ORPHAN: ["update"]})
    parent = new_token(vault, policies=["maker"], ttl="1h")
    child = new_token(vault, token=parent, ttl="2h")
    orphan = new_token(vault, token=parent, path=ORPHAN, ttl="2h")
    sim.advance(3600)
    assert vault.get("a", SELF, token=child).status_code == 403
    assert vault.get("a", SELF, token=orphan).status_code == 200


# -- refusals: 400, Vault's message, exact content type, world unchanged ----------------------
BAD_CREATES = [
    ({"policies": ["admin"]}, "child policies must be subset of parent"),
    ({"policies": ["root"]}, "child policies must be subset of parent"),
    ({"no_parent": True}, "root or sudo privileges required to create orphan token"),
    ({"id": "mine"}, "root or sudo privileges required to specify token id"),
    ({"period": "1h"}, "root or sudo privileges required to create periodic token"),
    ({"type": "weird"}, "invalid 'token_type' value"),
    ({"type": "batch", "num_uses": 2}, 'batch tokens cannot have "num_uses" set'),
    ({"type": "batch", "explicit_max_ttl": "1h"},
     'batch tokens cannot have "explicit_max_ttl" set'),
    ({"num_uses": -1}, "number of uses cannot be negative"),
    ({"ttl": "soon"}, 'invalid duration for "ttl"'),
    ({"ttl": "-5m"}, 'invalid duration for "ttl"'),
    ({"explicit_max_ttl": []}, 'invalid value for "explicit_max_ttl"'),
    ({"policies": {"a": 1}}, 'invalid value for "policies"'),
    ({"meta": "x"}, 'invalid value for "meta"'),
    ({"meta": {"k": {"nested": 1}}}, 'invalid value for "meta"'),
    ({"renewable": "maybe"}, 'invalid value for "renewable"'),
    ({"num_uses": "many"}, 'invalid value for "num_uses"'),
]


@pytest.mark.parametrize(("body", "message"), BAD_CREATES, ids=[m[:40] for _, m in BAD_CREATES])
def test_bad_creates_by_a_non_root_token(vault: VaultTestClient, sim: Simulator, app_token: str,
                                         body: dict[str, Any], message: str) -> None:
    with unchanged(sim):
        response = create(vault, token=app_token, **body)
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/json"
    assert set(response.json) == {"errors"} and len(response.json["errors"]) == 1
    assert response.json["errors"][0].startswith(message), response.json


ROOT_BAD_CREATES = [
    ({"type": "batch", "policies": ["root"]}, "batch tokens cannot be root tokens"),
    ({"policies": ["response-wrapping"]}, 'cannot assign policy "response-wrapping"'),
    ({"id": "hvs.mine"}, "custom token ID cannot have the 'hvs.' prefix"),
    ({"id": "s.mine"}, "custom token ID cannot have the 's.' prefix"),
    ({"id": "root"}, "cannot create a token with a duplicate ID"),
]


@pytest.mark.parametrize(("body", "message"), ROOT_BAD_CREATES,
                         ids=[m[:40] for _, m in ROOT_BAD_CREATES])
def test_bad_creates_by_root(vault: VaultTestClient, sim: Simulator, body: dict[str, Any],
                             message: str) -> None:
    with unchanged(sim):
        response = create(vault, **body)
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/json"
    assert response.json == {"errors": [message]}


def test_a_duplicate_custom_id_is_refused(vault: VaultTestClient, sim: Simulator) -> None:
    new_token(vault, id="mine", policies=["default"])
    with unchanged(sim):
        response = create(vault, id="mine", policies=["default"])
    assert response.json == {"errors": ["cannot create a token with a duplicate ID"]}


@pytest.mark.parametrize(("parent_body", "message"), [
    ({"type": "batch", "policies": ["maker"]}, "batch tokens cannot create more tokens"),
    ({"num_uses": 5, "policies": ["maker"]},
     "restricted use token cannot generate child tokens"),
])
def test_some_parents_cannot_create_tokens(vault: VaultTestClient, sim: Simulator,
                                           parent_body: dict[str, Any], message: str) -> None:
    policy(vault, "maker", {CREATE: ["update"]})
    parent = new_token(vault, **parent_body)
    if "num_uses" in parent_body:  # the refused request still spends one of its uses
        response = create(vault, token=parent)
        assert vault.get("a", SELF, token=parent).json["data"]["num_uses"] == 3
    else:
        with unchanged(sim):
            response = create(vault, token=parent)
    assert response.status_code == 400
    assert response.json == {"errors": [message]}


def test_an_expiring_root_token_cannot_make_a_non_expiring_one(vault: VaultTestClient,
                                                              sim: Simulator) -> None:
    expiring_root = new_token(vault, ttl="1h")
    with unchanged(sim):
        response = create(vault, token=expiring_root)
    assert response.json == {
        "errors": ["expiring root tokens cannot create non-expiring root tokens"]}


def test_malformed_json_is_refused(vault: VaultTestClient, sim: Simulator) -> None:
    with unchanged(sim):
        response = vault.post("a", CREATE, data="{nope", headers={
            "Content-Type": "application/json"})
    assert response.status_code == 400 and response.json == {"errors": ["error parsing JSON"]}


# -- lookup ----------------------------------------------------------------------------------
def test_lookup_self_shape_and_ttl_counting_down(vault: VaultTestClient, sim: Simulator) -> None:
    token = new_token(vault, policies=["default"], ttl="1h")
    data = vault.get("a", SELF, token=token).json["data"]
    assert set(data) == LOOKUP_KEYS
    assert data["id"] == token and data["path"] == CREATE and data["type"] == "service"
    assert data["creation_ttl"] == data["ttl"] == 3600
    assert data["creation_time"] == int(sim.clock.now())
    assert RFC3339.match(data["expire_time"]) and RFC3339.match(data["issue_time"])
    assert data["meta"] is None and data["orphan"] is False and data["renewable"] is True
    sim.advance(600)
    assert vault.get("a", SELF, token=token).json["data"]["ttl"] == 3000
    sim.advance(3000)
    expired = vault.get("a", SELF, token=token)
    assert expired.status_code == 403 and expired.json == {"errors": [INVALID_TOKEN]}


def test_lookup_self_of_the_root_token(vault: VaultTestClient) -> None:
    data = vault.get("a", SELF).json["data"]
    assert data["id"] == "root" and data["policies"] == ["root"]
    assert data["expire_time"] is None and data["ttl"] == 0 and data["path"] == "auth/token/root"


def test_lookup_by_body_query_or_self(vault: VaultTestClient) -> None:
    token = new_token(vault, policies=["default"])
    assert vault.post("a", "auth/token/lookup", json={"token": token}).json["data"]["id"] == token
    by_query = vault.get("a", "auth/token/lookup", query={"token": token})
    assert by_query.json["data"]["id"] == token
    assert vault.post("a", "auth/token/lookup", json={}).json["data"]["id"] == "root"


def test_lookup_of_an_unknown_token_is_403_bad_token(vault: VaultTestClient,
                                                    sim: Simulator) -> None:
    with unchanged(sim):
        response = vault.post("a", "auth/token/lookup", json={"token": "hvs.unknown"})
    assert response.status_code == 403
    assert response.headers["Content-Type"] == "application/json"
    assert response.json == {"errors": ["bad token"]}


def test_lookup_needs_a_capability_lookup_self_does_not(vault: VaultTestClient) -> None:
    token = new_token(vault, policies=["default"])
    assert vault.get("a", SELF, token=token).status_code == 200
    refused = vault.post("a", "auth/token/lookup", json={"token": token}, token=token)
    assert refused.status_code == 403 and refused.json == {"errors": [PERMISSION_DENIED]}


# -- revoke ----------------------------------------------------------------------------------
def test_revoke_self_stops_the_token_and_its_children_at_once(vault: VaultTestClient) -> None:
    policy(vault, "maker", {CREATE: ["update"], ORPHAN: ["update"]})
    parent = new_token(vault, policies=["maker"])
    child = new_token(vault, token=parent)
    orphan = new_token(vault, token=parent, path=ORPHAN)
    response = vault.post("a", "auth/token/revoke-self", token=parent)
    assert response.status_code == 204 and response.get_data() == b""
    for gone in (parent, child):
        refused = vault.get("a", SELF, token=gone)
        assert refused.status_code == 403 and refused.json == {"errors": [INVALID_TOKEN]}
    assert vault.get("a", SELF, token=orphan).status_code == 200


def test_batch_tokens_cannot_be_revoked(vault: VaultTestClient, sim: Simulator) -> None:
    batch = new_token(vault, path=ORPHAN, type="batch", policies=["default"])
    with unchanged(sim):
        response = vault.post("a", "auth/token/revoke-self", token=batch)
    assert response.status_code == 400
    assert response.json == {"errors": ["batch tokens cannot be revoked"]}


def test_spend_use_counts_down_and_says_when_the_last_use_is_spent(vault: VaultTestClient,
                                                                    sim: Simulator) -> None:
    """The model's use counter that the auth step calls before every request (fact 12)."""
    token = new_token(vault, policies=["default"], num_uses=2)
    cluster = sim["a"]
    entry = lookup_token(cluster, token)
    assert entry is not None
    assert not spend_use(cluster, entry)
    again = lookup_token(cluster, token)
    assert again is not None and again.num_uses == 1
    assert spend_use(cluster, again)  # the last one: the router revokes it after the request


# -- which clusters accept a token -----------------------------------------------------------
def dr_pair(sim: Simulator) -> None:
    sim["a"].dr.enable_primary()
    sim["b"].dr.enable_secondary(sim["a"].dr.secondary_token("b").token)


def perf_pair(sim: Simulator) -> None:
    sim["a"].performance.enable_primary()
    sim["b"].performance.enable_secondary(sim["a"].performance.secondary_token("b").token)


def test_dr_replicates_tokens_and_policies_to_the_promoted_secondary(
        vault: VaultTestClient, sim: Simulator) -> None:
    policy(vault, "app", {"secret/data/app": ["read"]})
    before = new_token(vault, policies=["app"])
    dr_pair(sim)
    after = new_token(vault, policies=["app"])
    sim["a"].dr.demote()
    sim["b"].dr.promote()
    for token in (before, after):
        data = vault.get("b", SELF, token=token).json["data"]
        assert data["id"] == token and data["policies"] == ["app", "default"]


def test_performance_replication_does_not_carry_service_tokens(vault: VaultTestClient,
                                                               sim: Simulator) -> None:
    perf_pair(sim)
    policy(vault, "app", {"secret/data/app": ["read"]})
    token = new_token(vault, policies=["app"])
    assert vault.get("a", SELF, token=token).status_code == 200
    refused = vault.get("b", SELF, token=token)
    assert refused.status_code == 403 and refused.json == {"errors": [INVALID_TOKEN]}
    assert vault.get("b", SELF).status_code == 403  # the configured root token too (fact 9)
    root = sim.generate_root("b")
    local = new_token(vault, "b", token=root, policies=["app"])  # b's own token store
    assert vault.get("b", SELF, token=local).status_code == 200
    assert vault.get("a", SELF, token=local).status_code == 403


def test_orphan_batch_tokens_work_across_a_performance_set(vault: VaultTestClient,
                                                           sim: Simulator) -> None:
    """Vault's docs: batch tokens are usable across performance clusters if they are orphans."""
    perf_pair(sim)
    orphan = new_token(vault, path=ORPHAN, type="batch", policies=["default"])
    child = new_token(vault, type="batch", policies=["default"])
    assert vault.get("b", SELF, token=orphan).status_code == 200
    assert vault.get("b", SELF, token=child).status_code == 403


def test_hvac_creates_and_looks_up_tokens(sim: Simulator) -> None:
    root = hvac_client(sim, "a")
    created = root.auth.token.create(policies=["default"], ttl="1h")
    token = created["auth"]["client_token"]
    user = hvac_client(sim, "a", token=token)
    assert user.is_authenticated()
    assert user.auth.token.lookup_self()["data"]["display_name"] == "token-token"
    assert root.auth.token.lookup(token)["data"]["ttl"] == 3600
    user.auth.token.revoke_self()
    assert not user.is_authenticated()
