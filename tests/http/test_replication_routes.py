"""Every replication route x method: the right status, Vault's error shapes, no 5xx."""

from __future__ import annotations

import pytest

from fakevault.testing.clients import VaultTestClient
from fakevault.vault.endpoints import Endpoint as Route
from fakevault.vault.endpoints import endpoints

ALL_METHODS = ("GET", "POST", "PUT", "DELETE", "LIST", "PATCH")
TYPES = ("performance", "dr")
REPLICATION_ROUTES = [e for e in endpoints() if e.path.startswith("sys/replication")]


def concrete_paths(route: Route) -> list[str]:
    """The route's path with the replication type filled in (both types where it varies)."""
    if "{rtype}" not in route.path:
        return [route.path]
    return [route.path.replace("{rtype}", t) for t in TYPES]


CASES = [(path, route, method) for route in REPLICATION_ROUTES for path in concrete_paths(route)
         for method in ALL_METHODS if method not in route.methods]


@pytest.mark.parametrize(("path", "route", "method"), CASES,
                         ids=[f"{m} {p}" for p, _, m in CASES])
def test_unregistered_method_is_405_without_allow(vault: VaultTestClient, path: str, route: Route,
                                               method: str) -> None:
    headers = {"Content-Type": "application/merge-patch+json"} if method == "PATCH" else {}
    response = vault.request("a", method, path, headers=headers)
    assert response.status_code == 405
    assert response.headers["Content-Type"] == "application/json"
    assert response.json == {"errors": ["1 error occurred:\n\t* unsupported operation\n\n"]}
    # Vault's respondError sets no Allow header (modern-vault-facts.md, fact 4).
    assert "Allow" not in response.headers


@pytest.mark.parametrize("path", [p for r in REPLICATION_ROUTES for p in concrete_paths(r)])
def test_unknown_verb_is_405_with_empty_errors(vault: VaultTestClient, path: str) -> None:
    response = vault.request("a", "FROB", path)
    assert response.status_code == 405
    assert response.json == {"errors": []}


@pytest.mark.parametrize("path", [p for r in REPLICATION_ROUTES for p in concrete_paths(r)
                                  if "POST" in r.methods])
def test_malformed_json_is_400_everywhere(vault: VaultTestClient, path: str) -> None:
    response = vault.post("a", path, data="{not json", token="root",
                          headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json == {"errors": ["error parsing JSON"]}


@pytest.mark.parametrize("path", [p for r in REPLICATION_ROUTES for p in concrete_paths(r)
                                  if "POST" in r.methods])
def test_every_write_route_answers_without_server_error(vault: VaultTestClient,
                                                        path: str) -> None:
    """On a fresh cluster every call is legal or a clean 4xx; never a 5xx."""
    response = vault.post("a", path, json={})
    assert response.status_code < 500, response.get_data(as_text=True)
    if response.status_code >= 400:
        assert response.headers["Content-Type"] == "application/json"
        assert response.json["errors"] and all(isinstance(e, str) for e in response.json["errors"])
    assert not vault.app.internal_errors


def test_unknown_replication_path_is_404_unsupported_path(vault: VaultTestClient) -> None:
    response = vault.post("a", "sys/replication/primary/frobnicate")
    assert response.status_code == 404
    assert response.json == {"errors": ["1 error occurred:\n\t* unsupported path\n\n"]}


def test_trailing_slash_and_double_slashes_reach_the_same_route(vault: VaultTestClient) -> None:
    assert vault.get("a", "sys/replication/status/").status_code == 200
    assert vault.get("a", "sys//replication/status").status_code == 200
