"""``sys/policies/acl``: the round trip, Vault's refusals, and what policies grant (ACL rules)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from fakevault import Simulator
from fakevault.http.errors import PERMISSION_DENIED
from fakevault.model.acl import (
    DEFAULT_POLICY_RULES,
    DEFAULT_POLICY_TEXT,
    allows,
    capabilities,
    merged,
    parse_policy,
    parse_rules,
)
from fakevault.testing.assertions import unchanged
from fakevault.testing.clients import VaultTestClient, hvac_client

ACL = "sys/policies/acl"
APP_HCL = '''
# the application may read its own secret
path "secret/data/app" {
  capabilities = ["read"]
}
path "secret/metadata/*" {
  capabilities = ["list"]
}
'''
APP_JSON = json.dumps({"path": {"secret/data/app": {"capabilities": ["read"]},
                                "secret/metadata/*": {"capabilities": ["list"]}}})


def write(vault: VaultTestClient, name: str, policy: str, cluster: str = "a") -> Any:
    return vault.post(cluster, f"{ACL}/{name}", json={"policy": policy})


def token_for(vault: VaultTestClient, *policies: str, cluster: str = "a") -> str:
    created = vault.post(cluster, "auth/token/create", json={"policies": list(policies)})
    assert created.status_code == 200, created.json
    token: str = created.json["auth"]["client_token"]
    return token


# -- the round trip --------------------------------------------------------------------------
@pytest.mark.parametrize("text", [APP_HCL, APP_JSON], ids=["hcl", "json"])
def test_write_read_list_delete_round_trip(vault: VaultTestClient, text: str) -> None:
    written = write(vault, "app", text)
    assert written.status_code == 204 and written.get_data() == b""
    read = vault.get("a", f"{ACL}/app")
    assert read.status_code == 200
    assert read.json["data"] == {"name": "app", "policy": text}
    assert vault.list("a", ACL).json["data"] == {"keys": ["app", "default", "root"]}
    deleted = vault.delete("a", f"{ACL}/app")
    assert deleted.status_code == 204 and deleted.get_data() == b""
    assert vault.get("a", f"{ACL}/app").status_code == 404
    assert vault.list("a", ACL).json["data"]["keys"] == ["default", "root"]


@pytest.mark.parametrize("text", [APP_HCL, APP_JSON], ids=["hcl", "json"])
def test_hcl_and_json_grant_the_same(vault: VaultTestClient, text: str) -> None:
    write(vault, "app", text)
    vault.post("a", "secret/data/app", json={"data": {"password": "x"}})
    token = token_for(vault, "app")
    assert vault.get("a", "secret/data/app", token=token).status_code == 200
    assert vault.list("a", "secret/metadata/team/", token=token).status_code != 403
    assert vault.get("a", "secret/data/other", token=token).status_code == 403


def test_a_glob_on_a_directory_covers_listing_the_directory(vault: VaultTestClient) -> None:
    write(vault, "lister", APP_HCL)
    vault.post("a", "secret/data/app", json={"data": {"password": "x"}})
    token = token_for(vault, "lister")
    assert vault.list("a", "secret/metadata/", token=token).status_code == 200


def test_base64_encoded_policy_text_is_decoded(vault: VaultTestClient) -> None:
    encoded = base64.b64encode(APP_HCL.encode()).decode()
    assert write(vault, "app", encoded).status_code == 204
    assert vault.get("a", f"{ACL}/app").json["data"]["policy"] == APP_HCL


def test_list_with_get_and_list_true(vault: VaultTestClient) -> None:
    write(vault, "zeta", APP_JSON)
    write(vault, "alpha", APP_JSON)
    listed = vault.get("a", ACL, query={"list": "true"})
    assert listed.json["data"] == {"keys": ["alpha", "default", "zeta", "root"]}


def test_plain_get_on_the_list_path_is_405(vault: VaultTestClient) -> None:
    response = vault.get("a", ACL)
    assert response.status_code == 405
    assert response.json == {"errors": ["1 error occurred:\n\t* unsupported operation\n\n"]}


def test_names_are_case_insensitive(vault: VaultTestClient) -> None:
    assert write(vault, "MyPolicy", APP_JSON).status_code == 204
    assert vault.list("a", ACL).json["data"]["keys"] == ["default", "mypolicy", "root"]
    assert vault.get("a", f"{ACL}/MYPOLICY").json["data"]["name"] == "mypolicy"


def test_default_and_root_exist_from_the_start(vault: VaultTestClient) -> None:
    default = vault.get("a", f"{ACL}/default").json["data"]
    assert default == {"name": "default", "policy": DEFAULT_POLICY_TEXT}
    assert vault.get("a", f"{ACL}/root").json["data"] == {"name": "root", "policy": ""}


def test_the_built_in_default_rules_are_its_text_parsed() -> None:
    assert parse_policy(DEFAULT_POLICY_TEXT) == DEFAULT_POLICY_RULES


def test_reading_an_unknown_policy_is_404_with_no_errors(vault: VaultTestClient) -> None:
    response = vault.get("a", f"{ACL}/nope")
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/json"
    assert response.json == {"errors": []}


def test_deleting_an_unknown_policy_succeeds_and_writes_nothing(vault: VaultTestClient,
                                                               sim: Simulator) -> None:
    with unchanged(sim):
        assert vault.delete("a", f"{ACL}/nope").status_code == 204


def test_unknown_parameters_are_ignored_with_vaults_warning(vault: VaultTestClient) -> None:
    response = vault.post("a", f"{ACL}/app", json={"policy": APP_JSON, "rules": "x"})
    assert response.status_code == 200
    assert response.json["warnings"] == ["Endpoint ignored these unrecognized parameters: [rules]"]


def test_the_default_policy_can_be_rewritten(vault: VaultTestClient) -> None:
    token = token_for(vault, "default")
    assert vault.get("a", "auth/token/lookup-self", token=token).status_code == 200
    assert write(vault, "default", '# nothing for anyone').status_code == 204
    assert vault.get("a", "auth/token/lookup-self", token=token).status_code == 403


def test_a_token_without_the_default_policy_cannot_look_itself_up(
        vault: VaultTestClient) -> None:
    write(vault, "app", APP_JSON)
    created = vault.post("a", "auth/token/create",
                         json={"policies": ["app"], "no_default_policy": True})
    token = created.json["auth"]["client_token"]
    assert created.json["auth"]["policies"] == ["app"]
    assert vault.get("a", "auth/token/lookup-self", token=token).status_code == 403


# -- refusals --------------------------------------------------------------------------------
BAD_WRITES = [
    ("app", {}, "'policy' parameter not supplied or empty"),
    ("app", {"policy": ""}, "'policy' parameter not supplied or empty"),
    ("app", {"policy": {"path": {}}}, 'invalid value for "policy": expected a string'),
    ("app", {"policy": 'path "a" { capabilities = ["read" }'},
     "failed to parse policy: Line 1, column 34"),
    ("app", {"policy": 'path "a" {'}, "failed to parse policy: Unexpected end of file"),
    ("app", {"policy": '{"path": '}, "failed to parse policy: "),
    ("app", {"policy": 'path "a" { capabilities = ["reed"] }'},
     'failed to parse policy: path "a": invalid capability "reed"'),
    ("app", {"policy": 'path "a" { capability = ["read"] }'},
     'failed to parse policy: path "a": invalid key "capability"'),
    ("app", {"policy": 'paths "a" { capabilities = ["read"] }'},
     'failed to parse policy: invalid key "paths"'),
    ("app", {"policy": 'path "a" { policy = "admin" }'},
     'failed to parse policy: path "a": invalid policy "admin"'),
    ("app", {"policy": 'path "a/+*" { capabilities = ["read"] }'},
     "failed to parse policy: path \"a/+*\": invalid use of wildcards ('+*' is forbidden)"),
    ("app", {"policy": "path = 3"}, "failed to parse policy: "),
    ("app", {"policy": '{"path": {"a": {"policy": ["read"]}}}'},
     'failed to parse policy: path "a": invalid policy'),
    ("root", {"policy": APP_JSON}, 'cannot update "root" policy'),
    ("response-wrapping", {"policy": APP_JSON}, 'cannot update "response-wrapping" policy'),
    ("root", {"policy": "path {"}, "failed to parse policy: "),
]


@pytest.mark.parametrize(("name", "body", "message"), BAD_WRITES,
                         ids=[f"{n}:{m[:40]}" for n, _, m in BAD_WRITES])
def test_bad_writes_are_400_and_change_nothing(vault: VaultTestClient, sim: Simulator, name: str,
                                               body: dict[str, Any], message: str) -> None:
    with unchanged(sim):
        response = vault.post("a", f"{ACL}/{name}", json=body)
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/json"
    assert set(response.json) == {"errors"} and len(response.json["errors"]) == 1
    assert response.json["errors"][0].startswith(message), response.json


@pytest.mark.parametrize(("name", "message"), [("root", 'cannot delete "root" policy'),
                                               ("default", "cannot delete default policy"),
                                               ("Default", "cannot delete default policy")])
def test_root_and_default_cannot_be_deleted(vault: VaultTestClient, sim: Simulator, name: str,
                                            message: str) -> None:
    with unchanged(sim):
        response = vault.delete("a", f"{ACL}/{name}")
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/json"
    assert response.json == {"errors": [message]}


def test_a_non_root_token_needs_the_capability_to_write_policies(vault: VaultTestClient,
                                                                sim: Simulator) -> None:
    write(vault, "reader", json.dumps({"path": {"sys/policies/acl/*": {"capabilities":
                                                                       ["read", "list"]}}}))
    token = token_for(vault, "reader")
    assert vault.get("a", f"{ACL}/reader", token=token).status_code == 200
    with unchanged(sim):
        refused = vault.post("a", f"{ACL}/mine", json={"policy": APP_JSON}, token=token)
    assert refused.status_code == 403 and refused.json == {"errors": [PERMISSION_DENIED]}


# -- what a policy grants, end to end --------------------------------------------------------
def test_a_read_policy_reads_but_does_not_write(vault: VaultTestClient) -> None:
    write(vault, "app", APP_HCL)
    assert vault.post("a", "secret/data/app", json={"data": {"k": "v"}}).status_code == 200
    token = token_for(vault, "app")
    read = vault.get("a", "secret/data/app", token=token)
    assert read.status_code == 200 and read.json["data"]["data"] == {"k": "v"}
    refused = vault.post("a", "secret/data/app", json={"data": {"k": "w"}}, token=token)
    assert refused.status_code == 403 and refused.json == {"errors": [PERMISSION_DENIED]}
    assert vault.delete("a", "secret/data/app", token=token).status_code == 403


def test_deny_in_another_policy_wins(vault: VaultTestClient) -> None:
    write(vault, "app", APP_HCL)
    write(vault, "lockdown", 'path "secret/data/app" { capabilities = ["deny"] }')
    vault.post("a", "secret/data/app", json={"data": {"k": "v"}})
    assert vault.get("a", "secret/data/app", token=token_for(vault, "app")).status_code == 200
    both = token_for(vault, "app", "lockdown")
    assert vault.get("a", "secret/data/app", token=both).status_code == 403


def test_the_most_specific_rule_decides(vault: VaultTestClient) -> None:
    write(vault, "mixed", '''
path "secret/*" { capabilities = ["deny"] }
path "secret/data/app" { capabilities = ["read"] }
path "secret/data/+/config" { capabilities = ["read"] }
''')
    for path in ("secret/data/app", "secret/data/svc/config", "secret/data/other"):
        vault.post("a", path, json={"data": {"k": "v"}})
    token = token_for(vault, "mixed")
    assert vault.get("a", "secret/data/app", token=token).status_code == 200
    assert vault.get("a", "secret/data/svc/config", token=token).status_code == 200
    assert vault.get("a", "secret/data/other", token=token).status_code == 403


def test_sudo_is_needed_on_sudo_paths(vault: VaultTestClient) -> None:
    path = "sys/replication/dr/primary/secondary-token"
    write(vault, "no-sudo", f'path "{path}" {{ capabilities = ["update"] }}')
    write(vault, "sudo", f'path "{path}" {{ capabilities = ["update", "sudo"] }}')
    vault.post("a", "sys/replication/dr/primary/enable")
    refused = vault.post("a", path, json={"id": "b"}, token=token_for(vault, "no-sudo"))
    assert refused.status_code == 403
    granted = vault.post("a", path, json={"id": "b"}, token=token_for(vault, "sudo"))
    assert granted.status_code == 200 and granted.json["wrap_info"]["token"]


def test_the_old_policy_shorthand(vault: VaultTestClient) -> None:
    write(vault, "old", 'path "secret/*" { policy = "write" }\n'
                        'path "secret/data/locked" { policy = "deny" }')
    token = token_for(vault, "old")
    assert vault.post("a", "secret/data/x", json={"data": {"k": "v"}},
                      token=token).status_code == 200
    assert vault.post("a", "secret/data/locked", json={"data": {"k": "v"}},
                      token=token).status_code == 403


def test_policies_replicate_to_a_performance_secondary(vault: VaultTestClient,
                                                       sim: Simulator) -> None:
    sim["a"].performance.enable_primary()
    sim["b"].performance.enable_secondary(sim["a"].performance.secondary_token("b").token)
    sim.mint_root_token("b", sim.root_token)  # its token store was wiped at enable
    write(vault, "app", APP_JSON)
    assert vault.get("b", f"{ACL}/app").json["data"]["policy"] == APP_JSON
    assert write(vault, "from-b", APP_JSON, cluster="b").status_code == 204  # forwarded
    assert "from-b" in vault.list("a", ACL).json["data"]["keys"]


def test_hvac_manages_policies(sim: Simulator) -> None:
    client = hvac_client(sim, "a")
    client.sys.create_or_update_acl_policy("app", APP_HCL)
    assert client.sys.read_acl_policy("app")["data"]["policy"] == APP_HCL
    assert client.sys.list_acl_policies()["data"]["keys"] == ["app", "default", "root"]
    client.sys.delete_acl_policy("app")
    assert client.sys.list_acl_policies()["data"]["keys"] == ["default", "root"]


# -- ACL rule evaluation (the model's matching, Vault's priority order) -----------------------
def grants(policy: dict[str, list[str]], path: str) -> frozenset[str]:
    return capabilities(merged([parse_rules(policy)]), path)


MATCHING: list[tuple[dict[str, list[str]], str, set[str]]] = [
    # (rules, request path, capabilities granted)
    ({"secret/data/*": ["read"]}, "secret/data/app", {"read"}),
    ({"secret/data/*": ["read"]}, "secret/data/a/b/c", {"read"}),
    ({"secret/data/*": ["read"]}, "secret/data", {"deny"}),
    ({"secret/da*": ["read"]}, "secret/data/app", {"read"}),
    ({"secret/da*": ["read"]}, "secret/dab", {"read"}),
    ({"secret/data/app": ["read"]}, "secret/data/app/x", {"deny"}),
    ({"secret/+/app": ["read"]}, "secret/data/app", {"read"}),
    ({"secret/+/app": ["read"]}, "secret/data/x/app", {"deny"}),
    ({"+/data/app": ["read"]}, "kv/data/app", {"read"}),
    ({"secret/+/+": ["read"]}, "secret/a/b", {"read"}),
    ({"secret/+/ap*": ["read"]}, "secret/data/apple/pie", {"read"}),
    ({"/secret/data/app": ["read"]}, "secret/data/app", {"read"}),
    ({"*": ["read"]}, "anything/at/all", {"read"}),
    ({"identity/entity/id/{{identity.entity.id}}": ["read"]},
     "identity/entity/id/{{identity.entity.id}}", {"deny"}),
    # exact beats glob
    ({"secret/data/app": ["read"], "secret/data/app*": ["update"]}, "secret/data/app", {"read"}),
    # later first wildcard wins: foo/a* over foo/+
    ({"foo/a*": ["read"], "foo/+": ["update"]}, "foo/ab", {"read"}),
    # foo/bar/+/baz over foo/+/bar/baz
    ({"foo/bar/+/baz": ["read"], "foo/+/bar/baz": ["update"]}, "foo/bar/bar/baz", {"read"}),
    # not a prefix wins: foo/+/bar over foo/+/ba*, foo/+ over foo/*
    ({"foo/+/bar": ["read"], "foo/+/ba*": ["update"]}, "foo/x/bar", {"read"}),
    ({"foo/+": ["read"], "foo/*": ["update"]}, "foo/x", {"read"}),
    # fewer wildcard segments win
    ({"a/+/c/d": ["read"], "a/+/+/d": ["update"]}, "a/x/c/d", {"read"}),
    # longer wins: foo/+/bar/ba* over foo/+/bar/b*
    ({"foo/+/bar/ba*": ["read"], "foo/+/bar/b*": ["update"]}, "foo/x/bar/baz", {"read"}),
    # the longest glob prefix wins
    ({"secret/*": ["update"], "secret/data/*": ["read"]}, "secret/data/app", {"read"}),
    ({"secret/data/app": []}, "secret/data/app", {"deny"}),
    ({"secret/data/app": ["read", "deny"]}, "secret/data/app", {"deny"}),
]


def test_listing_a_directory_uses_an_exact_rule_without_the_slash() -> None:
    rules = merged([parse_rules({"secret/metadata": ["list", "read"], "secret/*": ["deny"]})])
    assert allows(rules, "secret/metadata/", {"list"})
    assert not allows(rules, "secret/metadata/", {"read"})  # only LIST falls back


@pytest.mark.parametrize(("rules", "path", "expected"), MATCHING,
                         ids=[f"{sorted(r)}->{p}" for r, p, _ in MATCHING])
def test_rule_matching_and_priority(rules: dict[str, list[str]], path: str,
                                    expected: set[str]) -> None:
    assert grants(rules, path) == frozenset(expected)


def test_rules_of_several_policies_merge_and_deny_wins() -> None:
    merged_rules = merged([parse_rules({"a": ["read"]}), parse_rules({"a": ["update"]}),
                           parse_rules({"b": ["read"]}), parse_rules({"b": ["deny"]})])
    assert allows(merged_rules, "a", {"read", "update"})
    assert not allows(merged_rules, "b", {"read"})


def test_two_blocks_for_one_path_in_a_json_policy_merge() -> None:
    text = json.dumps({"path": [{"a": {"capabilities": ["read"]}},
                                {"a": {"capabilities": ["list"]}}]})
    assert parse_policy(text) == {"a": ["read", "list"]}


@pytest.mark.parametrize(("shorthand", "expected"), [
    ("read", ["read", "list"]),
    ("write", ["create", "read", "update", "delete", "list"]),
    ("sudo", ["create", "read", "update", "delete", "list", "sudo"]),
    ("deny", ["deny"]),
])
def test_old_policy_shorthand_maps_to_capabilities(shorthand: str, expected: list[str]) -> None:
    assert parse_policy(f'path "a" {{ policy = "{shorthand}" }}') == {"a": expected}
