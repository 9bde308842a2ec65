"""The web view's costs: a page of the view as the history grows, and the report's recorder."""

from __future__ import annotations

from werkzeug.test import Client

from benchmarks.harness import Result, compare
from fakevault import Simulator, create_app
from fakevault.web import attach

CLUSTERS = tuple("abcdefghij")


def _world(operations: int) -> Simulator:
    """Ten clusters (a performance primary, nine secondaries) after ``operations`` operations."""
    sim = Simulator(seed=1, clusters=CLUSTERS)
    sim["a"].performance.enable_primary()
    for name in CLUSTERS[1:]:
        sim[name].performance.enable_secondary(sim["a"].performance.secondary_token(name).token)
    while len(sim.history) < operations:
        sim.advance(1)
    return sim


def _view(sim: Simulator) -> Client:
    return Client(create_app(sim, cluster="a"))


def bench_view_windowed() -> Result:
    """``GET /_fakevault/view`` at 10,000 operations against at 100, ten clusters each
    (target: at most 1.5x: the page costs the same however long the history)."""
    big, small = _view(_world(10_000)), _view(_world(100))
    headers = {"X-Vault-Token": "root"}

    def fetch(client: Client) -> None:
        assert client.get("/_fakevault/view", headers=headers).status_code == 200

    return compare("view, 10 clusters: 10,000 vs 100 operations", lambda: fetch(big),
                   lambda: fetch(small), target=1.5, calls=50)


def bench_recorder_overhead() -> Result:
    """An operation with the HTML report's recorder attached against without (reported: it is
    paid only with --fakevault-report=html and in a machine's final replay)."""
    watched, plain = _world(0), _world(0)
    attach(watched)
    return compare("operation with the report's recorder vs without",
                   lambda: watched.advance(1), lambda: plain.advance(1), target=None, calls=300)
