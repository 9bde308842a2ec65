"""``GET /v1/sys/internal/specs/openapi``: a valid OpenAPI 3.0 document of every declaration.

The document must name every declared path with each of its methods and exactly its declared
fields; the server must decode what the declarations say (a wrongly typed field is a 400, an
undeclared one a warning), and the replication paths must warn about unknown parameters but
never about documented ones.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from openapi_spec_validator import validate

from fakevault import Simulator
from fakevault.model.versions import DEFAULT_VERSION, PROFILES
from fakevault.testing.clients import VaultTestClient
from fakevault.vault.backends.control import world_state
from fakevault.vault.endpoints import endpoint, template
from fakevault.vault.framework import Field, Path, kind_of
from fakevault.vault.openapi import DOCUMENTED, build_document, document

DEFAULT_PROFILE = PROFILES[DEFAULT_VERSION]

DECLARED = [(mount or "secret/", path) for mount, backend, _ in DOCUMENTED
            for path in backend.paths if path.exists_in(DEFAULT_PROFILE)]

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


def test_every_declaration_appears_with_each_of_its_methods() -> None:
    by_declaration = {item["x-fakevault-declaration"]: item for item in DOC["paths"].values()}
    for mount, backend, _ in DOCUMENTED:
        for path in (p for p in backend.paths if p.exists_in(DEFAULT_PROFILE)):
            item = by_declaration.pop(f"{backend.name}:{path.pattern}")
            described = {method.upper() for method in METHODS if method in item} - {"HEAD"}
            if _list_parameter(item):
                described.add("LIST")  # Vault's convention: LIST is GET with ?list=true
            if "read" not in path.operations:
                described.discard("GET")
            assert described == set(endpoint(mount or "", path).methods), path.pattern
    assert not by_declaration, "the document describes paths nobody declared"


@pytest.mark.parametrize(("mount", "path"), DECLARED, ids=[p.pattern for _, p in DECLARED])
def test_the_document_lists_exactly_the_declared_fields(mount: str, path: Path) -> None:
    item = next(item for item in DOC["paths"].values()
                if item["x-fakevault-declaration"].endswith(":" + path.pattern))
    url = next(url for url, value in DOC["paths"].items() if value is item)
    if "read" in path.operations:
        assert set(_documented("get", url)) == {
            f.name for f in path.fields if f.location in ("query", "both")}
    if "update" in path.operations and not path.raw_data:
        documented = _documented("post", url)
        body = {f.name: f for f in path.fields if f.location in ("body", "both")}
        assert set(documented) == set(body)
        assert {name for name, (_, required) in documented.items() if required} == {
            name for name, f in body.items() if f.required}


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


def test_security_and_vaults_extensions_follow_each_declarations_auth() -> None:
    by_declaration = {f"{backend.name}:{path.pattern}": path
                      for _, backend, _ in DOCUMENTED for path in backend.paths
                      if path.exists_in(DEFAULT_PROFILE)}
    for item in DOC["paths"].values():
        route = by_declaration[item["x-fakevault-declaration"]]
        assert item.get("x-vault-unauthenticated", False) is (route.auth in ("none", "dr_op"))
        assert item.get("x-vault-sudo", False) is (route.auth == "sudo")
        for method in METHODS:
            if method in item:
                needs_token = route.auth in ("token", "sudo", "control")
                assert bool(item[method]["security"]) is needs_token
                # sys/internal/ui/mounts/<path>: unauthenticated, but its handler wants a token.
                answers_403 = item["x-fakevault-endpoint"] == "ui:mount"
                assert ("403" in item[method]["responses"]) is (needs_token or answers_403)
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
    # Unknown parameters turn any 204 into a 200 with warnings, as in Vault.
    assert revoke["204"] == {"description": "empty body (no warnings)"}
    assert revoke["200"]["description"] == "OK, with warnings"
    assert revoke["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Errors"}


# -- the server decodes what the declarations say --------------------------------------------

_PATH_VALUES = {"name": "a", "mount": "kv2", "path": "x", "rtype": "performance", "id": "b"}


def _url(mount: str, path: Path) -> str:
    url = re.sub(r"{(\w+)}", lambda m: _PATH_VALUES[m[1]], mount + template(path.pattern))
    return url if url.startswith("/_fakevault/") else "/v1/" + url.lstrip("/")


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


_WRONG = {"bool": "maybe", "int": "seven", "duration": ["1h"], "strings": 7, "map": "text",
          "string": {"an": "object"}}
TYPED = [(mount, path, f) for mount, path in DECLARED for f in path.fields
         if f.type in _WRONG and "update" in path.operations and path.auth != "dr_op"
         and f.location in ("body", "both")]


@pytest.mark.parametrize(("mount", "path", "field"), TYPED,
                         ids=[f"{p.pattern}:{f.name}" for _, p, f in TYPED])
def test_a_wrongly_typed_declared_field_is_a_400_that_changes_nothing(
        mount: str, path: Path, field: Field) -> None:
    sim = Simulator(seed=3)
    vault = VaultTestClient(sim)
    before = world_state(sim), sim.snapshot()["clusters"]
    response = vault.client.post(_url(mount, path), json={field.name: _WRONG[field.type]},
                                 headers={"Host": sim["a"].api_addr.split("//")[1],
                                          "X-Vault-Token": "root"})
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.json == {"errors": [
        f'invalid value for "{field.name}": expected {EXPECTED[field.type]}, got '
        f"{kind_of(_WRONG[field.type])}"]}
    assert (world_state(sim), sim.snapshot()["clusters"]) == before


EXPECTED = {"bool": "a boolean", "int": "an integer", "duration": "a duration",
            "strings": "a list of strings", "map": "an object", "string": "a string"}


@pytest.mark.parametrize(("mount", "path"), [d for d in DECLARED if d[1].auth != "dr_op"
                                             and not d[1].raw_data and "update" in
                                             d[1].operations],
                         ids=lambda value: getattr(value, "pattern", value))
def test_an_undeclared_field_is_a_warning_not_an_error(mount: str, path: Path) -> None:
    sim = Simulator(seed=3)
    vault = VaultTestClient(sim)
    response = vault.client.post(_url(mount, path), json={"bogus_field": 1},
                                 headers={"Host": sim["a"].api_addr.split("//")[1],
                                          "X-Vault-Token": "root"})
    if response.status_code == 200 and path.auth != "control" and \
            "request_id" in response.json:  # a raw body (generate-root) carries no warnings
        assert IGNORED.replace("bogus", "bogus_field") in response.json["warnings"]
    else:  # refused for what it lacks (a required field, the cluster's state), never for it
        assert "bogus_field" not in response.get_data(as_text=True)
        assert response.status_code in (200, 400, 404), response.get_data(as_text=True)


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
    sim.mint_root_token("b", sim.root_token)  # b's token store was wiped at enable
    again = a.performance.secondary_token("b2").token
    update = _body(f"{PERF}/secondary/update-primary", token=again, primary_api_addr=a.api_addr,
                   update_primary_addrs=[])
    assert _warnings(vault, "b", f"{PERF}/secondary/update-primary", update)[-1:] == [IGNORED]
    revoke = _body("sys/replication/{rtype}/primary/revoke-secondary", id="b")
    assert _warnings(vault, "a", f"{PERF}/primary/revoke-secondary", revoke)[-1:] == [IGNORED]
    promote = _body(f"{PERF}/secondary/promote", primary_cluster_addr="", force=True)
    assert set(promote) == {"primary_cluster_addr", "force"}
    assert _warnings(vault, "b", f"{PERF}/secondary/promote", promote)[-1:] == [IGNORED]
