"""The two worlds the route fuzzers send requests to, and copies of them (fresh per example).

A fresh Simulator, and one where a is a DR and performance primary, b its DR secondary, c its
performance secondary and d replicates nothing. Snapshots are taken once and restored per example,
so each request meets the same world.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from fakevault import Simulator
from fakevault.testing.clients import VaultTestClient

CLUSTERS = ("a", "b", "c", "d")
WORLDS = ("fresh", "replicating")


# -- the worlds --------------------------------------------------------------------------------


def _setup_requests(vault: VaultTestClient) -> None:
    """Mounts, secrets, a policy and a token on a, through the HTTP API."""
    for path, body in (
            ("sys/mounts/kv1", {"type": "kv"}),
            ("sys/mounts/kv2", {"type": "kv", "options": {"version": "2"}}),
            ("sys/mounts/localkv", {"type": "kv-v2", "local": True}),
            ("secret/data/app", {"data": {"password": "x", "n": 1}}),
            ("secret/data/deep/er/app", {"data": {"k": "v"}}),
            ("kv1/app", {"password": "y"}),
            ("kv2/data/app", {"data": {"password": "z"}}),
            ("sys/policies/acl/fuzz",
             {"policy": 'path "secret/*" { capabilities = ["read", "update"] }'}),
            ("auth/token/create", {"policies": ["fuzz"], "ttl": "1h"})):
        response = vault.post("a", path, json=body)
        assert response.status_code in (200, 204), (path, response.get_data(as_text=True))


@functools.cache
def _snapshot(world: str) -> dict[str, Any]:
    sim = Simulator(seed=11, clusters=CLUSTERS)
    if world == "replicating":
        _setup_requests(VaultTestClient(sim))
        a, b, c = sim["a"], sim["b"], sim["c"]
        a.dr.enable_primary()
        b.dr.enable_secondary(a.dr.secondary_token("b").token)
        a.performance.enable_primary()
        c.performance.enable_secondary(a.performance.secondary_token("c").token)
        assert (b.dr.mode, c.performance.mode) == ("secondary", "secondary")
        assert not sim.violations
    return sim.snapshot()


@functools.cache
def _snapshot_text(world: str) -> str:
    return json.dumps(_snapshot(world))


def fresh_copy(world: str) -> Simulator:
    """An independent copy of ``world`` (one per example: a 2xx may change it)."""
    return Simulator.restore(json.loads(_snapshot_text(world)))  # shares nothing with the cache


def _flat_paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    paths = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            paths += _flat_paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value[:3]):
            paths += _flat_paths(child, (*prefix, index))
    return paths


@functools.cache
def snapshot_paths() -> list[tuple[Any, ...]]:
    """Every place in the replicating world's snapshot (lists: their first items)."""
    return _flat_paths(_snapshot("replicating"))


def mutated_snapshot(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    """The replicating world's snapshot with the value at ``path`` replaced by ``value``."""
    data: dict[str, Any] = json.loads(_snapshot_text("replicating"))
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data
