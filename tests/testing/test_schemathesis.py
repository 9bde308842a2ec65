"""Schemathesis against the live server, from the OpenAPI document the server itself serves.

Every route is exercised (each method, except PUT where POST is the same operation) with a few
derandomized examples: positive ones must conform to the document (status code, content type,
body schema) and never be a server error; negative ones (invalid requests) must never be a
server error. Each example runs in a fresh world of its own, picked from a few shapes (no
replication; a replication set seen from its primary, its performance secondary or its DR
secondary; a cluster with activation tokens waiting), so the success paths of the replication
endpoints are reached too, not only their refusals.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation import GenerationMode

from fakevault import Simulator
from fakevault.testing.server import FakeVaultServer
from fakevault.vault.backends.control import fresh_world
from fakevault.vault.openapi import build_document

ROOT = {"X-Vault-Token": "root"}
SPEC = "/v1/sys/internal/specs/openapi"
CONFORMANCE = [status_code_conformance, content_type_conformance, response_schema_conformance]
POSITIVE_EXAMPLES = 5
NEGATIVE_EXAMPLES = 2
DR_OP_TOKEN = "hvs.fuzzDrOperationToken000000"


# -- worlds ------------------------------------------------------------------------------------


def _replication_set(sim: Simulator) -> None:
    """a: performance and DR primary; b: its performance secondary; c: its DR secondary."""
    a, b, c = sim["a"], sim["b"], sim["c"]
    a.performance.enable_primary()
    b.performance.enable_secondary(a.performance.secondary_token("b").token)
    a.dr.enable_primary()
    c.dr.enable_secondary(a.dr.secondary_token("c").token)
    a.write("secret/data/app", {"data": {"password": "x"}})
    c.ceremony.tokens.add(DR_OP_TOKEN)


def _waiting_tokens(sim: Simulator) -> dict[str, str]:
    """a: primary of both types, with activation tokens for b waiting to be used."""
    a = sim["a"]
    a.performance.enable_primary()
    a.dr.enable_primary()
    return {"performance": a.performance.secondary_token("b").token,
            "dr": a.dr.secondary_token("b").token}


@dataclass(frozen=True)
class World:
    """A world to build before one example, and the cluster the example's request goes to."""

    name: str
    target: str
    build: Callable[[Simulator], dict[str, str] | None]

    def __repr__(self) -> str:
        return f"World({self.name})"


WORLDS = (
    World("fresh", "a", lambda sim: None),
    World("primary", "a", _replication_set),
    World("performance-secondary", "b", _replication_set),
    World("dr-secondary", "c", _replication_set),
    World("tokens-waiting", "b", _waiting_tokens),
)


# -- the live server ---------------------------------------------------------------------------


@dataclass
class Live:
    """The running server, the document it served, and a way to give each example a world."""

    server: FakeVaultServer
    template: Simulator
    schema: Any
    session: requests.Session

    def reset(self, world: World) -> dict[str, str] | None:
        """A new world (same seed and addresses) shaped as ``world``; its body overrides."""
        sim = fresh_world(self.template)
        overrides = world.build(sim)
        self.server.app.replace_world(sim)
        return overrides

    def base_url(self, world: World, path: str) -> str:
        """Where ``path`` is served on ``world``'s target (the document's servers say)."""
        raw = self.schema.raw_schema
        servers = raw["paths"][path].get("servers", raw["servers"])
        prefix: str = servers[0]["url"]
        return self.server.url(world.target) + prefix.rstrip("/")


@pytest.fixture(scope="module")
def live() -> Iterator[Live]:
    with FakeVaultServer(Simulator(seed=0)) as server, requests.Session() as session:
        schema = schemathesis.openapi.from_url(server.url("a") + SPEC, timeout=10)
        yield Live(server, server.sim, schema, session)


# -- which operations --------------------------------------------------------------------------


def _operations() -> list[tuple[str, str]]:
    """Every (method, path) of the document, PUT only where there is no POST."""
    methods = ("get", "head", "post", "put", "patch", "delete")
    chosen = []
    for path, item in build_document()["paths"].items():
        for method in methods:
            if method in item and not (method == "put" and "post" in item):
                chosen.append((method.upper(), path))
    return chosen


OPERATIONS = _operations()


def test_every_route_is_exercised() -> None:
    """The subset still reaches every declaration of the document."""
    document = build_document()
    exercised = {document["paths"][path]["x-fakevault-declaration"] for _, path in OPERATIONS}
    assert exercised == {item["x-fakevault-declaration"] for item in document["paths"].values()}


# -- the checks --------------------------------------------------------------------------------


def _asked_for(case: Any, response: Any) -> bool:
    """``sys/health`` answers whatever status its *code parameters ask for, 5xx included."""
    return case.path == "/sys/health" and str(response.status_code) in {
        str(value) for value in (case.query or {}).values()}


def _prepare(case: Any, world: World, overrides: dict[str, str] | None, name: str | None) -> None:
    """Point the case at what the world holds: its DR operation token, tokens, a cluster."""
    body = case.body if isinstance(case.body, dict) else {}
    if world.name == "dr-secondary" and "dr_operation_token" in body:
        body["dr_operation_token"] = DR_OP_TOKEN
    if overrides and case.path.endswith("/secondary/enable") and "token" in body:
        body["token"] = overrides["dr" if "/dr/" in case.path else "performance"]
    if name is not None and "name" in (case.path_parameters or {}):
        case.path_parameters["name"] = name
    if name is not None and case.path.startswith("/_fakevault/network/") and "clusters" in body:
        body["clusters"] = sorted({name, "a" if name != "a" else "b"})


def _has_inputs(live: Live, method: str, path: str) -> bool:
    """Whether the operation takes anything a negative example could get wrong."""
    item = live.schema.raw_schema["paths"][path]
    operation = item[method.lower()]
    parameters = [*item.get("parameters", []), *operation.get("parameters", [])]
    # An unauthenticated path whose only input is a free string (sys/internal/ui/mounts/{path})
    # has no invalid input to generate.
    free = all(p["in"] == "path" and p["schema"] == {"type": "string"} for p in parameters)
    if free and not operation.get("security") and not operation.get("requestBody"):
        return False
    return bool(parameters or operation.get("requestBody"))


def _exercise(live: Live, method: str, path: str, mode: GenerationMode, examples: int) -> None:
    operation = live.schema[path][method]
    checks = [not_a_server_error, *CONFORMANCE] if mode == GenerationMode.POSITIVE \
        else [not_a_server_error]

    @given(case=operation.as_strategy(generation_mode=mode), world=st.sampled_from(WORLDS),
           name=st.sampled_from([None, "a", "b", "c"]))
    @settings(max_examples=examples, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck), print_blob=False)
    def run(case: Any, world: World, name: str | None) -> None:
        overrides = live.reset(world)
        _prepare(case, world, overrides, name)
        response = case.call(base_url=live.base_url(world, path), session=live.session,
                             headers=ROOT, timeout=10)
        expected = [check for check in checks
                    if not (check is not_a_server_error and _asked_for(case, response))]
        case.validate_response(response, checks=expected)

    run()


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_operation(live: Live, method: str, path: str) -> None:
    try:
        _exercise(live, method, path, GenerationMode.POSITIVE, POSITIVE_EXAMPLES)
        if _has_inputs(live, method, path):
            _exercise(live, method, path, GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES)
    finally:
        errors = list(live.server.errors)
        live.server.errors.clear()
    assert not errors, errors  # exceptions inside the server (each also answered 500)
