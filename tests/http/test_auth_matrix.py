"""Who may call what: every declared path x the tokens that call it.

Table-driven from the declarations themselves, so a path added later is checked without a new
test.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from fakevault import Simulator
from fakevault.http.errors import PERMISSION_DENIED
from fakevault.model.acl import CAPABILITIES
from fakevault.testing.assertions import unchanged
from fakevault.testing.clients import VaultTestClient
from fakevault.vault.endpoints import Endpoint as Route
from fakevault.vault.endpoints import endpoints

ROUTES = endpoints()

CAPABILITY = {"GET": "read", "POST": "update", "PUT": "update", "DELETE": "delete",
              "LIST": "list", "PATCH": "patch"}
CONCRETE = {"{rtype}": ("performance", "dr"), "{name}": ("x",), "{mount}": ("secret",),
            "{path}": ("app",)}
PROMOTE = "sys/replication/dr/secondary/promote"


def concrete_paths(route: Route) -> list[str]:
    """The route's path with every placeholder filled in (both replication types)."""
    paths = [route.path]
    for placeholder, values in CONCRETE.items():
        paths = [p.replace(placeholder, v) for p in paths for v in values] if any(
            placeholder in p for p in paths) else paths
    return paths


def cases(kinds: tuple[str, ...], replication_only: bool = True) -> list[tuple[str, str, Route]]:
    """(path, method, route) for every /v1 route whose auth kind is in ``kinds``."""
    return [(path, method, route) for route in ROUTES if route.auth in kinds
            and not route.control
            and (route.path.startswith("sys/replication") or not replication_only)
            for path in concrete_paths(route) for method in route.methods if method != "HEAD"]


def ids(table: list[tuple[str, str, Route]]) -> list[str]:
    return [f"{method} {path}" for path, method, _ in table]


AUTHENTICATED = cases(("token", "sudo"))
EVERY_AUTHENTICATED = cases(("token", "sudo"), replication_only=False)
SUDO = cases(("sudo",))
UNAUTHENTICATED = cases(("none",), replication_only=False)
DR_OP = cases(("dr_op",))


def token_with(vault: VaultTestClient, path: str, capabilities: list[str]) -> str:
    """A service token on cluster a whose only extra policy grants ``capabilities`` on ``path``."""
    policy = json.dumps({"path": {path: {"capabilities": capabilities}}})
    assert vault.post("a", "sys/policies/acl/matrix", json={"policy": policy}).status_code == 204
    created = vault.post("a", "auth/token/create", json={"policies": ["matrix"]})
    token: str = created.json["auth"]["client_token"]
    return token


def call(vault: VaultTestClient, method: str, path: str, token: str | None) -> Any:
    if method == "PATCH":
        return vault.request("a", method, path, token=token, data="{}",
                             headers={"Content-Type": "application/merge-patch+json"})
    body: dict[str, Any] | None = {} if method in ("POST", "PUT") else None
    return vault.request("a", method, path, token=token, json=body)


def test_the_tables_are_not_empty() -> None:
    assert len(AUTHENTICATED) > 30 and SUDO and UNAUTHENTICATED and len(DR_OP) >= 7


# -- X-Vault-Token routes --------------------------------------------------------------------
@pytest.mark.parametrize(("path", "method", "route"), EVERY_AUTHENTICATED,
                         ids=ids(EVERY_AUTHENTICATED))
def test_no_token_is_403_permission_denied(vault: VaultTestClient, sim: Simulator, path: str,
                                           method: str, route: Route) -> None:
    with unchanged(sim):
        response = call(vault, method, path, None)
    assert response.status_code == 403
    assert response.headers["Content-Type"] == "application/json"
    assert response.json == {"errors": [PERMISSION_DENIED]}


@pytest.mark.parametrize(("path", "method", "route"), EVERY_AUTHENTICATED,
                         ids=ids(EVERY_AUTHENTICATED))
def test_unknown_token_is_403_invalid_token(vault: VaultTestClient, sim: Simulator, path: str,
                                            method: str, route: Route) -> None:
    with unchanged(sim):
        response = call(vault, method, path, "hvs.NotATokenThisClusterKnows")
    assert response.status_code == 403
    assert "invalid token" in response.json["errors"][0]


@pytest.mark.parametrize(("path", "method", "route"), AUTHENTICATED, ids=ids(AUTHENTICATED))
def test_token_without_the_capability_is_403(vault: VaultTestClient, sim: Simulator, path: str,
                                             method: str, route: Route) -> None:
    everything_else = sorted(CAPABILITIES - {CAPABILITY[method], "deny"})
    token = token_with(vault, path, everything_else)
    with unchanged(sim):
        response = call(vault, method, path, token)
    assert response.status_code == 403
    assert response.json == {"errors": [PERMISSION_DENIED]}


@pytest.mark.parametrize(("path", "method", "route"), SUDO, ids=ids(SUDO))
def test_sudo_route_with_the_capability_but_without_sudo_is_403(
        vault: VaultTestClient, sim: Simulator, path: str, method: str, route: Route) -> None:
    token = token_with(vault, path, [CAPABILITY[method]])
    with unchanged(sim):
        response = call(vault, method, path, token)
    assert response.status_code == 403
    assert response.json == {"errors": [PERMISSION_DENIED]}


@pytest.mark.parametrize(("path", "method", "route"), AUTHENTICATED, ids=ids(AUTHENTICATED))
def test_token_with_the_capability_gets_through(vault: VaultTestClient, path: str, method: str,
                                                route: Route) -> None:
    needed = [CAPABILITY[method]] + (["sudo"] if route.auth == "sudo" else [])
    response = call(vault, method, path, token_with(vault, path, needed))
    assert response.status_code != 403, response.get_data(as_text=True)
    assert response.status_code < 500


@pytest.mark.parametrize(("path", "method", "route"), AUTHENTICATED, ids=ids(AUTHENTICATED))
def test_root_gets_through(vault: VaultTestClient, path: str, method: str, route: Route) -> None:
    response = call(vault, method, path, "root")
    assert response.status_code != 403, response.get_data(as_text=True)
    assert response.status_code < 500


def test_a_policy_granting_a_glob_covers_every_replication_route(vault: VaultTestClient) -> None:
    token = token_with(vault, "sys/replication/*", ["create", "read", "update", "sudo"])
    for path, method, _ in AUTHENTICATED:
        assert call(vault, method, path, token).status_code != 403, (method, path)


def test_bearer_authorization_header_works_like_x_vault_token(vault: VaultTestClient) -> None:
    response = vault.post("a", "sys/replication/dr/primary/enable", token=None,
                          headers={"Authorization": "Bearer root"})
    assert response.status_code == 200


# -- unauthenticated routes ------------------------------------------------------------------
@pytest.mark.parametrize(("path", "method", "route"), UNAUTHENTICATED, ids=ids(UNAUTHENTICATED))
def test_unauthenticated_routes_answer_without_a_token(vault: VaultTestClient, path: str,
                                                       method: str, route: Route) -> None:
    response = call(vault, method, path, None)
    if path.startswith("sys/internal/ui/mounts/"):
        # Unauthenticated in Vault's router, but a mount that is not listing-visible (none
        # is) needs a valid token, which the handler checks itself (fact 19).
        assert response.status_code == 403
        return
    assert response.status_code not in (401, 403), response.get_data(as_text=True)
    assert response.status_code < 500


@pytest.mark.parametrize("path", ["sys/replication/status", "sys/replication/dr/status",
                                  "sys/replication/performance/status", "sys/health",
                                  "sys/seal-status", "sys/leader"])
def test_status_endpoints_answer_200_without_a_token(vault: VaultTestClient, path: str) -> None:
    assert vault.get("a", path, token=None).status_code == 200
    assert vault.get("a", path, token="hvs.garbage").status_code == 200


# -- DR operation token routes ---------------------------------------------------------------
@pytest.mark.parametrize(("path", "method", "route"), DR_OP, ids=ids(DR_OP))
@pytest.mark.parametrize("token", [None, "root"])
def test_dr_op_routes_demand_a_dr_operation_token(vault: VaultTestClient, sim: Simulator,
                                                  path: str, method: str, route: Route,
                                                  token: str | None) -> None:
    """X-Vault-Token is ignored: even the root token does not replace dr_operation_token."""
    with unchanged(sim):
        response = call(vault, method, path, token)
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/json"
    assert response.json == {"errors": ["DR operation token was not provided"]}


@pytest.mark.parametrize(("path", "method", "route"), DR_OP, ids=ids(DR_OP))
def test_an_unknown_dr_operation_token_is_refused(vault: VaultTestClient, sim: Simulator,
                                                  path: str, method: str, route: Route) -> None:
    with unchanged(sim):
        response = vault.request("a", method, path, json={"dr_operation_token": "nope"})
    assert response.status_code == 400
    assert response.json == {"errors": ["invalid DR operation token"]}


def dr_pair_with_token(vault: VaultTestClient, sim: Simulator, token_type: str,
                       path: str = PROMOTE) -> str:
    """TC's PromoteDRSecondaryWithBatchToken: a token made on the DR primary before b joins."""
    policy = f'path "{path}" {{ capabilities = ["update"] }}'
    assert vault.post("a", "sys/policies/acl/dr-ops", json={"policy": policy}).status_code == 204
    created = vault.post("a", "auth/token/create-orphan",
                         json={"policies": ["dr-ops"], "type": token_type, "ttl": "8h"})
    assert created.status_code == 200
    token: str = created.json["auth"]["client_token"]
    sim["a"].dr.enable_primary()
    sim["b"].dr.enable_secondary(sim["a"].dr.secondary_token("b").token)
    return token


def test_a_batch_token_from_the_dr_primary_promotes_the_dr_secondary(
        vault: VaultTestClient, sim: Simulator) -> None:
    batch = dr_pair_with_token(vault, sim, "batch")
    assert batch.startswith("hvb.")
    sim["a"].dr.demote()
    response = vault.post("b", PROMOTE, token=None, json={"dr_operation_token": batch})
    assert response.status_code == 200, response.json
    assert sim["b"].dr.mode == "primary"
    assert not sim.violations


def test_a_service_token_is_not_a_dr_operation_token(vault: VaultTestClient,
                                                     sim: Simulator) -> None:
    service = dr_pair_with_token(vault, sim, "service")
    with unchanged(sim):
        response = vault.post("b", PROMOTE, token=None, json={"dr_operation_token": service})
    assert response.status_code == 400
    assert response.json == {"errors": ["invalid DR operation token"]}
    assert sim["b"].dr.mode == "secondary"


def test_a_batch_token_without_the_path_in_its_policy_is_refused(vault: VaultTestClient,
                                                                 sim: Simulator) -> None:
    batch = dr_pair_with_token(vault, sim, "batch", path="sys/replication/dr/secondary/disable")
    with unchanged(sim):
        response = vault.post("b", PROMOTE, token=None, json={"dr_operation_token": batch})
    assert response.status_code == 400
    assert sim["b"].dr.mode == "secondary"


def test_x_vault_token_on_a_dr_secondary_is_refused_for_ordinary_paths(
        vault: VaultTestClient, sim: Simulator) -> None:
    sim["a"].dr.enable_primary()
    sim["b"].dr.enable_secondary(sim["a"].dr.secondary_token("b").token)
    response = vault.get("b", "auth/token/lookup-self")
    assert response.status_code == 400
    assert response.json == {"errors": ["path disabled in replication DR secondary mode"]}
