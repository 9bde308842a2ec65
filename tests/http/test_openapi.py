"""``GET /v1/sys/internal/specs/openapi``: a valid OpenAPI 3.0 document of every route.

The document must name every route of ``ROUTES`` with each of its methods, and its parameter
tables only parameters the handlers really read (checked by spying on ``Params``), and the
replication routes must warn about unknown parameters but never about documented ones.
"""

from __future__ import annotations

import itertools
import json
import re
from typing import Any

import pytest
from openapi_spec_validator import validate

from fakevault import Simulator
from fakevault.http import app as app_module
from fakevault.http.openapi import build_document, document
from fakevault.http.params import Params
from fakevault.http.routes import ROUTES
from fakevault.testing.clients import VaultTestClient

SPEC = "sys/internal/specs/openapi"
METHODS = ("get", "head", "post", "put", "patch", "delete")
DOC = build_document()


def _operations() -> list[tuple[str, str]]:
    return [(method, path) for path, item in DOC["paths"].items()
            for method in METHODS if method in item]


# -- the document --------------------------------------------------------------------------------


@pytest.mark.parametrize("generic", [False, True])
def test_the_document_is_valid_openapi_3(generic: bool) -> None:
    validate(document(generic_mount_paths=generic))


def test_it_is_served_unauthenticated_as_top_level_json(vault: VaultTestClient) -> None:
    response = vault.get("a", SPEC, token=None)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.json == document()
    assert response.json["openapi"].startswith("3.0.")
    assert "data" not in response.json  # Vault writes the document as a raw body


def test_a_dr_secondary_serves_it_too(vault: VaultTestClient, sim: Simulator) -> None:
    sim["a"].dr.enable_primary()
    sim["b"].dr.enable_secondary(sim["a"].dr.secondary_token("b").token)
    assert vault.get("b", SPEC, token=None).json == document()


def test_generic_mount_paths_describes_kv_with_a_mount_parameter(vault: VaultTestClient) -> None:
    paths = vault.get("a", SPEC, query={"generic_mount_paths": "true"}).json["paths"]
    assert "/{secret_mount_path}/data/{path}" in paths
    assert not [path for path in paths if path.startswith("/secret/")]
    assert "/secret/data/{path}" in document()["paths"]


def test_it_is_deterministic_and_callers_get_their_own_copy() -> None:
    first = document()
    first["paths"].clear()
    assert document() == build_document() == json.loads(json.dumps(DOC))
    assert document()["paths"]


def test_every_route_appears_with_each_of_its_methods() -> None:
    for route in ROUTES:
        items = [item for item in DOC["paths"].values()
                 if item["x-fakevault-route"] == route.path]
        assert items, f"route {route.path} is not described"
        assert {item["x-fakevault-endpoint"] for item in items} == {route.endpoint}
        described = {method.upper() for item in items for method in METHODS if method in item}
        if any(_list_parameter(item) for item in items):
            described.add("LIST")  # Vault's convention: LIST is GET with ?list=true
        assert described == set(route.methods), route.path


def _list_parameter(item: dict[str, Any]) -> bool:
    return any(p["name"] == "list" and p["in"] == "query"
               for p in item.get("get", {}).get("parameters", []))


def test_paths_are_relative_to_v1_except_the_control_plane() -> None:
    assert DOC["servers"] == [{"url": "/v1", "description": "Vault's API prefix"}]
    for path, item in DOC["paths"].items():
        control = path.startswith("/_fakevault/")
        assert not path.startswith("/v1/")
        assert (item.get("servers") == [{"url": "/", "description": "the control plane is not "
                                          "under /v1"}]) is control
        tags = {op["tags"][0] for method, op in item.items() if method in METHODS}
        assert (tags == {"fakevault"}) is control


def test_path_parameters_match_the_templates() -> None:
    for path, item in DOC["paths"].items():
        declared = {p["name"] for p in item.get("parameters", []) if p["in"] == "path"}
        assert declared == set(re.findall(r"{(\w+)}", path)), path
    status = DOC["paths"]["/sys/replication/{rtype}/status"]["parameters"]
    assert status[0]["schema"] == {"type": "string", "enum": ["performance", "dr"]}


def test_security_and_vaults_extensions_follow_each_routes_auth() -> None:
    by_path = {route.path: route for route in ROUTES}
    for item in DOC["paths"].values():
        route = by_path[item["x-fakevault-route"]]
        assert item.get("x-vault-unauthenticated", False) is (route.auth in ("none", "dr_op"))
        assert item.get("x-vault-sudo", False) is (route.auth == "sudo")
        for method in METHODS:
            if method in item:
                needs_token = route.auth in ("token", "sudo", "root")
                assert bool(item[method]["security"]) is needs_token
                assert ("403" in item[method]["responses"]) is needs_token
    schemes = DOC["components"]["securitySchemes"]
    assert schemes["token"] == {**schemes["token"], "type": "apiKey", "in": "header",
                                "name": "X-Vault-Token"}


def test_dr_operation_token_routes_require_it_in_the_body() -> None:
    promote = DOC["paths"]["/sys/replication/dr/secondary/promote"]["post"]
    schema = promote["requestBody"]["content"]["application/json"]["schema"]
    assert "dr_operation_token" in schema["required"]
    assert promote["security"] == []


def test_errors_are_documented_as_vaults_error_list() -> None:
    assert DOC["components"]["schemas"]["Errors"] == {
        "type": "object", "properties": {"errors": {"type": "array", "items": {"type": "string"}}},
        "required": ["errors"]}
    revoke = DOC["paths"]["/auth/token/revoke-self"]["post"]["responses"]
    assert revoke["204"] == {"description": "empty body"}
    assert revoke["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Errors"}


# -- documented parameters are the ones the handlers read ---------------------------------------

_PATH_VALUES = {"name": "a", "mount": "kv2", "path": "x",
                "secret_mount_path": "secret"}


def _url(path: str, rtype: str) -> str:
    values = {**_PATH_VALUES, "rtype": rtype}
    return re.sub(r"{(\w+)}", lambda m: values[m[1]], path)


def _value(schema: dict[str, Any]) -> Any:
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema["type"]
    if kind == "string":
        return "30m" if "pattern" in schema else "x"
    if kind == "integer":
        return schema.get("minimum", 1)
    if kind == "array":
        return [1] if schema["items"]["type"] == "integer" else ["a", "b"]
    return {"number": 1, "boolean": True, "object": {"k": "v"}}[kind]


def _query_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return ",".join(map(str, value)) if isinstance(value, list) else str(value)


def _documented(method: str, path: str) -> dict[str, tuple[dict[str, Any], bool]]:
    """name -> (schema, required) of the operation's query or body parameters (not ``list``)."""
    operation = DOC["paths"][path][method]
    if method in ("get", "head"):
        return {p["name"]: (p["schema"], p["required"]) for p in operation.get("parameters", [])
                if p["in"] == "query" and p["name"] != "list"}
    body = operation.get("requestBody", {}).get("content", {})
    media: dict[str, Any] = next(iter(body.values()), {})
    schema = media.get("schema", {})
    return {name: (prop, name in schema.get("required", []))
            for name, prop in schema.get("properties", {}).items()}


PARAMETERIZED = [(m, p) for m, p in _operations() if m != "put" and _documented(m, p)]


def _requests(params: dict[str, tuple[dict[str, Any], bool]]) -> list[dict[str, Any]]:
    """Every parameter at once; and each alone with the required ones (each enum variant)."""
    required = {name: schema for name, (schema, req) in params.items() if req}
    variants = [dict(zip(required, values, strict=True)) for values in itertools.product(
        *(schema.get("enum", [_value(schema)]) for schema in required.values()))]
    everything = {name: _value(schema) for name, (schema, _) in params.items()}
    return [everything, *({**variant, name: _value(schema)}
                          for name, (schema, _) in params.items() for variant in variants)]


@pytest.mark.parametrize(("method", "path"), PARAMETERIZED,
                         ids=[f"{m.upper()} {p}" for m, p in PARAMETERIZED])
def test_every_documented_parameter_is_read(method: str, path: str,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    created: list[Params] = []

    class Recording(Params):
        def __init__(self, values: Any) -> None:
            super().__init__(values)
            created.append(self)

    monkeypatch.setattr(app_module, "Params", Recording)
    params = _documented(method, path)
    used: set[str] = set()
    for rtype, body in itertools.product(("performance", "dr"), _requests(params)):
        sim, cluster = Simulator(seed=3), "a"
        vault = VaultTestClient(sim)
        vault.post("a", "secret/data/x", json={"data": {"k": "v"}})
        if "dr_operation_token" in body:  # a DR secondary and a DR operation token it knows
            sim["a"].dr.enable_primary()
            sim["b"].dr.enable_secondary(sim["a"].dr.secondary_token("b").token)
            sim["b"].ceremony.tokens.add(body["dr_operation_token"])
            cluster = "b"
        url = _url(path, rtype)
        prefix = "" if url.startswith("/_fakevault/") else "/v1"
        headers = {"Host": sim[cluster].api_addr.split("//")[1], "X-Vault-Token": "root"}
        if method in ("get", "head"):
            vault.client.open(prefix + url, method=method.upper(), headers=headers,
                              query_string={k: _query_text(v) for k, v in body.items()})
        else:
            mimetype = "application/merge-patch+json" if method == "patch" else None
            vault.client.open(prefix + url, method=method.upper(), headers=headers,
                              data=json.dumps(body), content_type=mimetype or "application/json")
        used |= created[-1].used
    assert set(params) <= used, f"documented but never read: {sorted(set(params) - used)}"


# -- unknown parameters warn on replication routes, documented ones do not ------------------------

IGNORED = "Endpoint ignored these unrecognized parameters: [bogus]"
PERF = "sys/replication/performance"


def _body(path: str, **values: Any) -> dict[str, Any]:
    """Every documented body parameter of ``POST path`` (``values`` or a plausible one)."""
    params = _documented("post", "/" + path)
    return {name: values.get(name, _value(schema)) for name, (schema, _) in params.items()}


def _warnings(vault: VaultTestClient, cluster: str, path: str, body: dict[str, Any]) -> Any:
    response = vault.post(cluster, path, json={**body, "bogus": 1})
    assert response.status_code == 200, response.json
    return response.json["warnings"]


@pytest.mark.parametrize("rtype", ["performance", "dr"])
def test_enable_primary_warns_only_about_the_unknown_parameter(vault: VaultTestClient,
                                                               rtype: str) -> None:
    path = f"sys/replication/{rtype}/primary/enable"
    body = _body(path.replace(rtype, "{rtype}"), primary_cluster_addr="https://a:8201")
    assert set(body) == {"primary_cluster_addr"}
    assert _warnings(vault, "a", path, body)[-1:] == [IGNORED]


def test_the_secondary_side_warns_only_about_unknown_parameters(vault: VaultTestClient,
                                                                sim: Simulator) -> None:
    a = sim["a"]
    a.performance.enable_primary()
    token = a.performance.secondary_token("b").token
    enable = _body(f"{PERF}/secondary/enable", token=token, primary_api_addr=a.api_addr)
    assert set(enable) == {"token", "primary_api_addr", "ca_file", "ca_path"}
    assert _warnings(vault, "b", f"{PERF}/secondary/enable", enable)[-1:] == [IGNORED]
    again = a.performance.secondary_token("b2").token
    update = _body(f"{PERF}/secondary/update-primary", token=again, primary_api_addr=a.api_addr,
                   update_primary_addrs=[])
    assert _warnings(vault, "b", f"{PERF}/secondary/update-primary", update) == [IGNORED]
    revoke = _body("sys/replication/{rtype}/primary/revoke-secondary", id="b")
    assert _warnings(vault, "a", f"{PERF}/primary/revoke-secondary", revoke) == [IGNORED]
    promote = _body(f"{PERF}/secondary/promote", primary_cluster_addr="", force=True)
    assert set(promote) == {"primary_cluster_addr", "force"}
    assert _warnings(vault, "b", f"{PERF}/secondary/promote", promote)[-1:] == [IGNORED]
