"""The cost of ``--state``: the KV write benchmark through the journaling middleware."""

from __future__ import annotations

import tempfile
from pathlib import Path

from werkzeug.test import Client

from benchmarks.harness import Result, compare
from benchmarks.inprocess import ROOT, replicated_world
from fakevault import create_app
from fakevault.serving.durable import DurableApp
from fakevault.serving.journal import StateStore

PAYLOAD = {"data": {"password": "x" * 32}}


def _writes(fsync: bool, target: float | None, calls: int) -> Result:
    with tempfile.TemporaryDirectory() as folder:
        store = StateStore(Path(folder) / "state.json", fsync=fsync)
        durable_sim, plain_sim = replicated_world(), replicated_world()
        store.start(durable_sim)
        durable = Client(DurableApp(create_app(durable_sim), store))
        plain = Client(create_app(plain_sim))
        counter = iter(range(10**9))

        def write(client: Client) -> None:
            client.post(f"/v1/secret/data/k{next(counter) % 500}", headers=ROOT, json=PAYLOAD)

        try:
            return compare(f"KV v2 write with --state{' --fsync' if fsync else ''}",
                           lambda: write(durable), lambda: write(plain), target=target,
                           calls=calls, note="vs the same write without --state")
        finally:
            store.close()


def bench_durable_write() -> Result:
    """Journaled (flushed, not fsync-ed) writes against the same writes in memory only."""
    return _writes(fsync=False, target=1.5, calls=200)


def bench_durable_write_fsync() -> Result:
    """With ``--fsync``: reported, it is the disk's speed."""
    return _writes(fsync=True, target=None, calls=40)
