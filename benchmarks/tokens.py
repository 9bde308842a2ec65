"""Token store speed: creating and looking up a token in-process, against a KV read.

Both sides run through the same in-process HTTP client on the same world, rounds interleaved,
so the ratio is what a token costs over the cheapest authenticated read (target: 2x).
"""

from __future__ import annotations

from werkzeug.test import Client

from benchmarks.harness import Result, compare
from benchmarks.inprocess import ROOT, replicated_world
from fakevault.http.app import create_app


def _client() -> tuple[Client, dict[str, str]]:
    client = Client(create_app(replicated_world()))
    client.post("/v1/secret/data/app", headers=ROOT, json={"data": {"password": "x" * 32}})
    made = client.post("/v1/auth/token/create", headers=ROOT,
                       json={"policies": ["default"], "ttl": "1h"}).json
    assert made is not None
    return client, {**ROOT, "X-Vault-Token": made["auth"]["client_token"]}


def bench_token_create() -> Result:
    """POST auth/token/create (target: at most 2x a KV v2 read)."""
    client, _ = _client()
    body = {"policies": ["default"], "ttl": "1h"}
    return compare("token create, in-process",
                   lambda: client.post("/v1/auth/token/create", headers=ROOT, json=body),
                   lambda: client.get("/v1/secret/data/app", headers=ROOT), target=2.0,
                   note="baseline: a KV v2 read on the same app")


def bench_token_lookup() -> Result:
    """GET auth/token/lookup-self with a service token (target: at most 2x a KV v2 read)."""
    client, user = _client()
    return compare("token lookup-self, in-process",
                   lambda: client.get("/v1/auth/token/lookup-self", headers=user),
                   lambda: client.get("/v1/secret/data/app", headers=ROOT), target=2.0,
                   note="baseline: a KV v2 read on the same app")
