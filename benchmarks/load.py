"""Load: 8 threads of mixed operations against a live server, then the world is audited.

Writers write KV on one performance set, token makers create tokens on another cluster, a
status poller reads every status endpoint, and one thread fails a DR set over and back, over and
over. Afterwards: no 5xx, every acknowledged write readable with its value, the writers'
primary's WAL grown by exactly the acknowledged writes, and no invariant violation.
"""

from __future__ import annotations

import argparse
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from fakevault import Simulator
from fakevault.testing.server import FakeVaultServer

ROOT = {"X-Vault-Token": "root"}
PERF = "sys/replication/performance"
DR = "sys/replication/dr"


@dataclass
class LoadReport:
    """What the load run saw."""

    statuses: list[int] = field(default_factory=list)
    acknowledged: dict[str, int] = field(default_factory=dict)
    failovers: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def server_errors(self) -> int:
        """Responses with a 5xx status."""
        return sum(status >= 500 for status in self.statuses)


class _Load:
    def __init__(self, server: FakeVaultServer, ops: int) -> None:
        self.server, self.ops = server, ops
        self.report = LoadReport()
        self.lock = threading.Lock()

    def url(self, cluster: str, path: str) -> str:
        return f"{self.server.url(cluster)}/v1/{path}"

    def call(self, http: requests.Session, method: str, cluster: str, path: str,
             body: Any = None) -> requests.Response:
        response = http.request(method, self.url(cluster, path), json=body, headers=ROOT,
                                timeout=60)
        with self.lock:
            self.report.statuses.append(response.status_code)
        return response

    def writer(self, worker: int, http: requests.Session) -> None:
        for n in range(self.ops):
            key = f"load/w{worker}/k{n}"
            if self.call(http, "POST", "a", f"secret/data/{key}",
                         {"data": {"n": n}}).status_code == 200:
                with self.lock:
                    self.report.acknowledged[key] = n

    def token_maker(self, worker: int, http: requests.Session) -> None:
        for n in range(self.ops):
            if n % 2:
                self.call(http, "POST", "c", "auth/token/create", {"policies": ["default"]})
            else:
                self.call(http, "POST", "c", f"{PERF}/primary/secondary-token",
                          {"id": f"t{worker}-{n}"})

    def poller(self, worker: int, http: requests.Session) -> None:
        paths = ["sys/replication/status", f"{PERF}/status", f"{DR}/status", "sys/health"]
        for n in range(self.ops):
            self.call(http, "GET", "abcdef"[n % 6], paths[n % len(paths)])

    def failover(self, worker: int, http: requests.Session) -> None:
        primary, secondary = "e", "f"
        for n in range(max(1, self.ops // 10)):
            self.call(http, "POST", primary, f"{PERF}/primary/demote")
            self.call(http, "POST", secondary, f"{PERF}/secondary/promote")
            token = self.call(http, "POST", secondary, f"{PERF}/primary/secondary-token",
                              {"id": f"{primary}-{n}"}).json()["wrap_info"]["token"]
            self.call(http, "POST", primary, f"{PERF}/secondary/update-primary",
                      {"token": token})
            primary, secondary = secondary, primary
            with self.lock:
                self.report.failovers += 1


def prepared_world() -> Simulator:
    """a->b performance set (the writers'), c a performance primary (tokens), e->f a set that
    fails over, all eager."""
    sim = Simulator(seed=5, clusters=("a", "b", "c", "d", "e", "f"))
    for primary, secondary in (("a", "b"), ("e", "f")):
        sim[primary].performance.enable_primary()
        token = sim[primary].performance.secondary_token(secondary)
        sim[secondary].performance.enable_secondary(token.token)
        sim.mint_root_token(secondary, sim.root_token)  # its token store was wiped at enable
    sim["c"].performance.enable_primary()
    return sim


def run_load(threads: int = 8, ops: int = 500) -> LoadReport:
    """Run the load against a fresh live server and audit the world afterwards."""
    with FakeVaultServer(prepared_world()) as server:
        load = _Load(server, ops)
        roles: list[Callable[[int, requests.Session], None]] = [
            load.writer, load.writer, load.writer, load.writer, load.token_maker,
            load.token_maker, load.poller, load.failover]
        wal_before = server.sim["a"].storage.last_wal
        workers = [threading.Thread(target=_session_run, args=(roles[i % len(roles)], i))
                   for i in range(threads)]
        start = time.perf_counter()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        load.report.seconds = time.perf_counter() - start
        _audit(load, server, wal_before)
        if server.errors:
            load.report.problems.append(f"server-side errors: {server.errors[:3]}")
        return load.report


def _session_run(role: Callable[[int, requests.Session], None], worker: int) -> None:
    with requests.Session() as http:
        role(worker, http)


def _audit(load: _Load, server: FakeVaultServer, wal_before: int) -> None:
    report, sim = load.report, server.sim
    with requests.Session() as http:
        for key, n in report.acknowledged.items():
            for cluster in ("a", "b"):
                read = http.get(load.url(cluster, f"secret/data/{key}"), headers=ROOT,
                                timeout=60)
                if read.status_code != 200 or read.json()["data"]["data"] != {"n": n}:
                    report.problems.append(f"{cluster} lost acknowledged write {key}")
    grown = sim["a"].storage.last_wal - wal_before
    if grown != len(report.acknowledged):
        report.problems.append(f"a's WAL grew by {grown}, but {len(report.acknowledged)} writes "
                               "were acknowledged")
    report.problems += [str(v) for v in sim.check()]


def main(argv: list[str] | None = None) -> int:
    """``python -m benchmarks.load [--threads N] [--ops N]``: run, print, exit 1 on a problem."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=8, help="client threads (default 8)")
    parser.add_argument("--ops", type=int, default=500, help="operations per thread (default 500)")
    args = parser.parse_args(argv)
    if args.threads < 1 or args.ops < 1:
        parser.error("--threads and --ops must be at least 1")
    outcome = run_load(args.threads, args.ops)
    rate = len(outcome.statuses) / outcome.seconds
    print(f"{len(outcome.statuses)} requests in {outcome.seconds:.1f}s ({rate:.0f}/s), "
          f"{len(outcome.acknowledged)} writes acknowledged, {outcome.failovers} failovers, "
          f"{outcome.server_errors} server errors, problems: {outcome.problems or 'none'}")
    return 1 if outcome.problems or outcome.server_errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
