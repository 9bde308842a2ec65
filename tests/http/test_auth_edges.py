"""Who may call what, beyond ``test_auth_matrix``: tokens that were good once, or elsewhere.

One representative route of each authenticated kind (replication ``token`` routes, ``sudo``
routes, KV, the ACL policy APIs old and new, the token store, and the ``/_fakevault`` control
plane) is called with every kind of credential: none; a live token whose policies lack the
capability; a revoked token; a token of another cluster (an unrelated one, and the performance
primary's service token on its performance secondary, which performance replication does not
carry, and back); an expired token; a live token whose policy grants everything (and sudo); and
the root token. Each refused call is a 403 with Vault's exact body and changes nothing; root
gets through, and the control plane takes nothing but a root token.

World: ``a`` a performance primary with ``b`` its secondary, ``c`` on its own.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from werkzeug.test import TestResponse

from fakevault import Simulator
from fakevault.http.errors import INVALID_TOKEN, PERMISSION_DENIED
from fakevault.testing.assertions import unchanged
from fakevault.testing.clients import VaultTestClient

EVERYTHING = "everything"
UNRELATED = "unrelated"
ALL_CAPABILITIES = ["create", "read", "update", "delete", "list", "patch", "sudo"]


@dataclass(frozen=True)
class Target:
    """One route to call: method, path (``/v1/...`` or ``/_fakevault/...``), body."""

    kind: str
    method: str
    path: str
    body: dict[str, Any] | None = None
    root_status: int = 200

    @property
    def control(self) -> bool:
        return self.path.startswith("/_fakevault/")

    @property
    def id(self) -> str:
        return f"{self.kind}:{self.method} {self.path}"


TARGETS = [
    Target("replication", "POST", "/v1/sys/replication/dr/primary/enable", {}),
    # Modern Vault answers revoke-secondary and the generic paths 200 with warnings (facts 5,
    # 6) and reads the generic secondary-token with POST only (fact 7).
    Target("replication", "POST", "/v1/sys/replication/performance/primary/revoke-secondary",
           {"id": "b"}),
    Target("replication", "POST", "/v1/sys/replication/primary/demote", {}),
    Target("sudo", "POST", "/v1/sys/replication/primary/secondary-token", {"id": "new"}),
    Target("sudo", "POST", "/v1/sys/replication/performance/primary/secondary-token",
           {"id": "new"}),
    Target("sudo", "POST", "/v1/sys/replication/reindex", {}),
    Target("sudo", "POST", "/v1/sys/replication/dr/reindex", {}),
    Target("kv", "POST", "/v1/secret/data/app", {"data": {"k": "v2"}}),
    Target("kv", "GET", "/v1/secret/data/app"),
    Target("kv", "LIST", "/v1/secret/metadata/"),
    Target("kv", "DELETE", "/v1/secret/metadata/app", root_status=204),
    Target("kv", "POST", "/v1/kv1/app", {"k": "v"}, root_status=204),
    Target("policy", "LIST", "/v1/sys/policies/acl"),
    Target("policy", "GET", "/v1/sys/policies/acl/unrelated"),
    Target("policy", "POST", "/v1/sys/policies/acl/new",
           {"policy": 'path "x/*" { capabilities = ["read"] }'}, root_status=204),
    Target("policy", "DELETE", "/v1/sys/policies/acl/unrelated", root_status=204),
    Target("policy", "GET", "/v1/sys/policy"),
    Target("policy", "PUT", "/v1/sys/policy/new",
           {"rules": 'path "x/*" { capabilities = ["read"] }'}, root_status=204),
    Target("system", "GET", "/v1/sys/mounts"),
    Target("system", "POST", "/v1/sys/mounts/newkv", {"type": "kv"}, root_status=204),
    Target("token", "GET", "/v1/auth/token/lookup-self"),
    Target("token", "POST", "/v1/auth/token/create", {}),
    Target("token", "POST", "/v1/auth/token/lookup", {"token": "root"}),
    Target("control", "GET", "/_fakevault/state"),
    Target("control", "GET", "/_fakevault/history"),
    Target("control", "POST", "/_fakevault/sync", {}),
    Target("control", "POST", "/_fakevault/clock/advance", {"seconds": 1}),
    Target("control", "POST", "/_fakevault/network/partition", {"clusters": ["a", "b"]}),
    Target("control", "GET", "/_fakevault/clusters/a/unseal-keys"),
    Target("control", "POST", "/_fakevault/clusters/c/crash", {}),
    Target("control", "GET", "/_fakevault/snapshot"),
    Target("control", "POST", "/_fakevault/reset", {}),
]
TARGET_IDS = [target.id for target in TARGETS]


# -- the world and the calls -------------------------------------------------------------------


def _write_policies(vault: VaultTestClient, cluster: str) -> None:
    for name, path in ((EVERYTHING, "*"), (UNRELATED, "unrelated/*")):
        text = json.dumps({"path": {path: {"capabilities": ALL_CAPABILITIES}}})
        response = vault.post(cluster, f"sys/policies/acl/{name}", json={"policy": text})
        assert response.status_code == 204, response.json


@pytest.fixture
def sim() -> Simulator:
    """a: performance primary with secret/data/app and kv1/; b: its secondary; c: alone."""
    world = Simulator(seed=5)
    vault = VaultTestClient(world)
    for cluster in ("a", "c"):
        _write_policies(vault, cluster)
    assert vault.post("a", "sys/mounts/kv1", json={"type": "kv"}).status_code == 204
    assert vault.post("a", "secret/data/app", json={"data": {"k": "v"}}).status_code == 200
    world["a"].performance.enable_primary()
    world["b"].performance.enable_secondary(world["a"].performance.secondary_token("b").token)
    world.mint_root_token("b", world.root_token)  # these tests are not about generate-root
    assert world["b"].performance.mode == "secondary" and not world.violations
    return world


def new_token(vault: VaultTestClient, cluster: str = "a", **body: Any) -> str:
    """A service token made by root on ``cluster`` (policies: everything, unless told)."""
    body = {"policies": [EVERYTHING], **body}
    response = vault.post(cluster, "auth/token/create", json=body)
    assert response.status_code == 200, response.json
    token: str = response.json["auth"]["client_token"]
    return token


def call(vault: VaultTestClient, cluster: str, target: Target,
         headers: dict[str, str]) -> TestResponse:
    """``target`` on ``cluster``, with exactly ``headers`` (no token unless they carry one)."""
    sent = {"Host": vault.sim[cluster].api_addr.split("://", 1)[1], **headers}
    body = None if target.body is None else json.dumps(target.body)
    response: TestResponse = vault.client.open(target.path, method=target.method, headers=sent,
                                               data=body)
    return response


def token_header(token: str) -> dict[str, str]:
    return {"X-Vault-Token": token}


# -- credentials: (cluster to call, headers, the error a non-root gets) ------------------------

Credential = Callable[[VaultTestClient], tuple[str, dict[str, str]]]


def no_token(vault: VaultTestClient) -> tuple[str, dict[str, str]]:
    return "a", {}


def lacking_capability(vault: VaultTestClient) -> tuple[str, dict[str, str]]:
    """Everything (and sudo) on unrelated/*, nothing else: not even the default policy."""
    return "a", token_header(new_token(vault, policies=[UNRELATED], no_default_policy=True))


def revoked(vault: VaultTestClient) -> tuple[str, dict[str, str]]:
    token = new_token(vault)
    response = vault.post("a", "auth/token/revoke-self", token=token)
    assert response.status_code == 204, response.get_data(as_text=True)
    return "a", token_header(token)


def child_of_revoked(vault: VaultTestClient) -> tuple[str, dict[str, str]]:
    """A child dies with its parent (revoke-self revokes the tree)."""
    parent = new_token(vault)
    child = vault.post("a", "auth/token/create", token=parent, json={})
    assert child.status_code == 200, child.json
    assert vault.post("a", "auth/token/revoke-self", token=parent).status_code == 204
    return "a", token_header(child.json["auth"]["client_token"])


def another_clusters(vault: VaultTestClient) -> tuple[str, dict[str, str]]:
    """Made on c, which replicates with nobody; c has an "everything" policy too."""
    return "a", token_header(new_token(vault, "c"))


def perf_primarys_on_its_secondary(vault: VaultTestClient) -> tuple[str, dict[str, str]]:
    """A service token of the performance primary: b has the policy, not the token."""
    token = new_token(vault, "a")
    assert vault.get("a", "auth/token/lookup-self", token=token).status_code == 200
    return "b", token_header(token)


def perf_secondarys_on_its_primary(vault: VaultTestClient) -> tuple[str, dict[str, str]]:
    """Made on the performance secondary (kept there): unknown to the primary."""
    token = new_token(vault, "b")
    assert vault.get("b", "auth/token/lookup-self", token=token).status_code == 200
    return "a", token_header(token)


def expired(vault: VaultTestClient) -> tuple[str, dict[str, str]]:
    token = new_token(vault, ttl="60s")
    assert vault.get("a", "auth/token/lookup-self", token=token).status_code == 200
    vault.sim.advance(61)
    return "a", token_header(token)


def expired_parent(vault: VaultTestClient) -> tuple[str, dict[str, str]]:
    """A long-lived child of a token that expired: it dies with its parent."""
    parent = new_token(vault, ttl="60s")
    child = vault.post("a", "auth/token/create", token=parent, json={"ttl": "1h"})
    assert child.status_code == 200, child.json
    vault.sim.advance(61)
    return "a", token_header(child.json["auth"]["client_token"])


def everything(vault: VaultTestClient) -> tuple[str, dict[str, str]]:
    """A live token whose policy grants every capability, sudo included, on every path."""
    return "a", token_header(new_token(vault))


def everything_bearer(vault: VaultTestClient) -> tuple[str, dict[str, str]]:
    return "a", {"Authorization": f"Bearer {new_token(vault)}"}


def root(vault: VaultTestClient) -> tuple[str, dict[str, str]]:
    return "a", token_header(vault.sim.root_token)


def root_bearer(vault: VaultTestClient) -> tuple[str, dict[str, str]]:
    return "a", {"Authorization": f"Bearer {vault.sim.root_token}"}


def root_policy_child(vault: VaultTestClient) -> tuple[str, dict[str, str]]:
    """A token root made with the root policy is a root token too (Vault's definition)."""
    return "a", token_header(new_token(vault, policies=["root"]))


#: Credentials no route accepts, and the error each gets.
REFUSED: list[tuple[str, Credential, str]] = [
    ("no-token", no_token, PERMISSION_DENIED),
    ("lacking-capability", lacking_capability, PERMISSION_DENIED),
    ("revoked", revoked, INVALID_TOKEN),
    ("child-of-revoked", child_of_revoked, INVALID_TOKEN),
    ("another-clusters", another_clusters, INVALID_TOKEN),
    ("perf-primarys-on-secondary", perf_primarys_on_its_secondary, INVALID_TOKEN),
    ("perf-secondarys-on-primary", perf_secondarys_on_its_primary, INVALID_TOKEN),
    ("expired", expired, INVALID_TOKEN),
    ("child-of-expired", expired_parent, INVALID_TOKEN),
]
#: Live tokens that are not root: every route but the control plane's.
NOT_ROOT: list[tuple[str, Credential]] = [
    ("everything", everything),
    ("everything-bearer", everything_bearer),
]
#: Root tokens: every route.
ROOTS: list[tuple[str, Credential]] = [
    ("root", root),
    ("root-bearer", root_bearer),
    ("root-policy-child", root_policy_child),
]


def _expected_body(response: TestResponse, message: str) -> None:
    assert response.status_code == 403, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "application/json"
    assert response.json == {"errors": [message]}


# -- the tables ----------------------------------------------------------------------------------


def test_every_authenticated_kind_has_targets() -> None:
    kinds = {target.kind for target in TARGETS}
    assert kinds == {"replication", "sudo", "kv", "policy", "system", "token", "control"}


@pytest.mark.parametrize("target", TARGETS, ids=TARGET_IDS)
@pytest.mark.parametrize(("name", "credential", "message"), REFUSED,
                         ids=[name for name, _, _ in REFUSED])
def test_refused_credentials_get_403_and_change_nothing(
        sim: Simulator, target: Target, name: str, credential: Credential,
        message: str) -> None:
    vault = VaultTestClient(sim)
    cluster, headers = credential(vault)
    with unchanged(sim):
        response = call(vault, cluster, target, headers)
    _expected_body(response, message)
    assert vault.app.sim is sim and not vault.app.internal_errors


@pytest.mark.parametrize("target", TARGETS, ids=TARGET_IDS)
@pytest.mark.parametrize(("name", "credential"), NOT_ROOT, ids=[name for name, _ in NOT_ROOT])
def test_a_token_granted_everything_is_still_not_root(
        sim: Simulator, target: Target, name: str, credential: Credential) -> None:
    """Every route but the control plane's answers as for root; the control plane: 403."""
    vault = VaultTestClient(sim)
    cluster, headers = credential(vault)
    if target.control:
        with unchanged(sim):
            response = call(vault, cluster, target, headers)
        _expected_body(response, PERMISSION_DENIED)
        return
    response = call(vault, cluster, target, headers)
    assert response.status_code == target.root_status, response.get_data(as_text=True)


@pytest.mark.parametrize("target", TARGETS, ids=TARGET_IDS)
@pytest.mark.parametrize(("name", "credential"), ROOTS, ids=[name for name, _ in ROOTS])
def test_root_gets_through(sim: Simulator, target: Target, name: str,
                           credential: Credential) -> None:
    vault = VaultTestClient(sim)
    cluster, headers = credential(vault)
    response = call(vault, cluster, target, headers)
    assert response.status_code == target.root_status, response.get_data(as_text=True)
    assert not vault.app.internal_errors


def test_a_refused_request_still_spends_a_use(sim: Simulator) -> None:
    """Fact 12: num_uses is consumed before routing, so a 403 or a 400 spends a use too."""
    vault = VaultTestClient(sim)
    token = new_token(vault, num_uses=1)
    response = call(vault, "a", Target("control", "GET", "/_fakevault/state"),
                    token_header(token))
    _expected_body(response, PERMISSION_DENIED)
    assert vault.get("a", "secret/data/app", token=token).json == {"errors": [INVALID_TOKEN]}
    two = new_token(vault, num_uses=2)
    bad = vault.post("a", "auth/token/create", json={"ttl": "soon"}, token=two)
    assert bad.status_code == 400  # a use spent; the lookup spends the last one
    assert vault.get("a", "auth/token/lookup-self", token=two).status_code == 200
    assert vault.get("a", "secret/data/app", token=two).status_code == 403


def test_a_token_revoked_on_the_primary_was_never_on_the_secondary(sim: Simulator) -> None:
    """Revoking on a changes nothing on b: b never knew the token (and still refuses it)."""
    vault = VaultTestClient(sim)
    token = new_token(vault, "a")
    before = vault.get("b", "auth/token/lookup-self", token=token)
    assert vault.post("a", "auth/token/revoke-self", token=token).status_code == 204
    after = vault.get("b", "auth/token/lookup-self", token=token)
    assert before.json == after.json == {"errors": [INVALID_TOKEN]}
