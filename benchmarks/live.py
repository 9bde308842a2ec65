"""The live server: throughput against a bare threaded Werkzeug server; memory for 100k keys."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import threading
import time
from typing import Any

import requests
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from benchmarks.harness import Result
from benchmarks.inprocess import replicated_world
from fakevault.testing.server import FakeVaultServer

CLIENTS = 4
REQUESTS_PER_CLIENT = 150
ROUNDS = 5


class _Quiet(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def _bare_server(payload: Any) -> Any:
    def app(environ: dict[str, Any], start_response: Any) -> Any:
        Request(environ)
        text = json.dumps(payload, separators=(",", ":"))
        return Response(text, content_type="application/json")(environ, start_response)

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Quiet)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                     daemon=True).start()
    return server


def _seconds_for(url: str) -> float:
    """Wall time for CLIENTS keep-alive clients to make REQUESTS_PER_CLIENT requests each."""
    def client() -> None:
        with requests.Session() as http:
            for _ in range(REQUESTS_PER_CLIENT):
                http.get(url, timeout=30).raise_for_status()

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start


def bench_live_throughput() -> Result:
    """Requests per second from 4 keep-alive clients (target: at least 0.8x the bare server)."""
    with FakeVaultServer(replicated_world()) as fake:
        url = fake.url("a") + "/v1/sys/replication/status"
        payload = requests.get(url, timeout=30).json()
        bare = _bare_server(payload)
        bare_url = f"http://127.0.0.1:{bare.server_port}/v1/sys/replication/status"
        try:
            fake_times, bare_times = [], []
            for _ in range(ROUNDS):
                fake_times.append(_seconds_for(url))
                bare_times.append(_seconds_for(bare_url))
        finally:
            bare.shutdown()
            bare.server_close()
    total = CLIENTS * REQUESTS_PER_CLIENT
    return Result("live requests/s, 4 keep-alive clients", statistics.median(fake_times) / total
                  * 1e6, statistics.median(bare_times) / total * 1e6, target=0.8,
                  higher_is_better=True,
                  note=f"{total / statistics.median(fake_times):.0f} req/s vs "
                       f"{total / statistics.median(bare_times):.0f} req/s")


_MEMORY_SCRIPT = """
import os, resource
from fakevault import Simulator
sim = Simulator(seed=1, wal_retention=1024)
a = sim["a"]
a.performance.enable_primary()
for name in ("b", "c"):
    sim[name].performance.enable_secondary(a.performance.secondary_token(name).token)
for n in range(100_000):
    a.write(f"secret/data/k{n}", os.urandom(50).hex())
assert sim["c"].storage.last_wal and len(sim["c"].storage) == 100_000
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""
_BASELINE_SCRIPT = """
import os, resource
values = [{f"secret/data/k{n}": os.urandom(50).hex() for n in range(100_000)} for _ in range(3)]
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _peak_rss_mb(script: str) -> float:
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, timeout=900).stdout
    return int(out.strip().splitlines()[-1]) / 1024


def bench_memory() -> Result:
    """Peak RSS for 100,000 keys of 100 bytes replicated to two secondaries (reported), against
    three plain dicts holding the same values."""
    subject, baseline = _peak_rss_mb(_MEMORY_SCRIPT), _peak_rss_mb(_BASELINE_SCRIPT)
    return Result("peak RSS, 100k keys x 3 clusters (MB)", subject, baseline, target=None,
                  unit="MB", note=f"{subject:.0f} MB vs {baseline:.0f} MB in three plain dicts; "
                  "reported, no target")
