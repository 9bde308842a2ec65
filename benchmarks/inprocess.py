"""In-process request cost against a bare Werkzeug app answering the same JSON."""

from __future__ import annotations

import json
from typing import Any

from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

from benchmarks.harness import Result, compare
from fakevault import Simulator, create_app

HOST = {"Host": "127.0.0.1:8200"}
ROOT = {**HOST, "X-Vault-Token": "root"}


def bare_app(body: bytes) -> Any:
    """The baseline: parse the request (and any JSON body), answer the same JSON, encoded."""
    payload = json.loads(body)

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        if request.method == "POST":
            json.loads(request.get_data() or b"{}")
        text = json.dumps(payload, separators=(",", ":"))
        return Response(text, content_type="application/json")(environ, start_response)

    return app


def replicated_world() -> Simulator:
    """a: performance primary with b and c as eager secondaries."""
    sim = Simulator(seed=1)
    sim["a"].performance.enable_primary()
    for name in ("b", "c"):
        sim[name].performance.enable_secondary(sim["a"].performance.secondary_token(name).token)
    return sim


def _read(name: str, path: str, headers: dict[str, str], client: Client) -> Result:
    """GET ``path`` through the fake and through a bare app answering the same body."""
    bare = Client(bare_app(client.get(path, headers=headers).get_data()))
    return compare(name, lambda: client.get(path, headers=headers),
                   lambda: bare.get(path, headers=headers), target=1.5)


def bench_status() -> Result:
    """GET /v1/sys/replication/status (target: at most 1.5x the bare app)."""
    client = Client(create_app(replicated_world()))
    return _read("status GET, in-process", "/v1/sys/replication/status", HOST, client)


def bench_kv_read() -> Result:
    """GET /v1/secret/data/app (target: at most 1.5x the bare app)."""
    client = Client(create_app(replicated_world()))
    client.post("/v1/secret/data/app", headers=ROOT, json={"data": {"password": "x" * 32}})
    return _read("KV v2 read, in-process", "/v1/secret/data/app", ROOT, client)


def bench_kv_write() -> Result:
    """POST /v1/secret/data/kN on a primary with two eager secondaries (target: at most 3x)."""
    sim = replicated_world()
    client = Client(create_app(sim))
    counter = iter(range(10**9))
    payload = {"data": {"password": "x" * 32}}
    body = client.post("/v1/secret/data/first", headers=ROOT, json=payload).get_data()
    bare = Client(bare_app(body))
    return compare("KV v2 write, 2 eager secondaries", lambda: client.post(
        f"/v1/secret/data/k{next(counter) % 500}", headers=ROOT, json=payload),
        lambda: bare.post("/v1/secret/data/k", headers=ROOT, json=payload), target=3.0)


def bench_per_test_cost() -> Result:
    """A fresh world with a performance primary and two secondaries, plus the teardown
    invariant check, against 20 in-process status requests (target: at most 1x)."""
    client = Client(create_app(replicated_world()))

    def fresh_world() -> None:
        replicated_world().check()

    def twenty_status_requests() -> None:
        for _ in range(20):
            client.get("/v1/sys/replication/status", headers=HOST)

    return compare("per-test world vs 20 status requests", fresh_world, twenty_status_requests,
                   target=1.0, calls=20)
