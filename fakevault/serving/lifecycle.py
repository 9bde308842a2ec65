"""The life of ``fakevault serve``: serve until a signal, then stop without losing anything.

SIGTERM and SIGINT: stop accepting connections, refuse new requests (503), give requests in
flight ``drain_timeout`` seconds to finish, refuse whatever is left, then save the world under
its lock (with ``--state``), print ``fakevault: stopped`` and exit 0. SIGHUP saves and goes on.
"""

from __future__ import annotations

import signal
import sys
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TextIO

from fakevault.serving.durable import DurableApp
from fakevault.serving.journal import StateStore

if TYPE_CHECKING:
    from fakevault.testing.server import FakeVaultServer

DRAIN_TIMEOUT = 5.0


@dataclass
class Lifecycle:
    """A started server, its durable wrapper and (with ``--state``) its store."""

    server: FakeVaultServer
    durable: DurableApp
    store: StateStore | None = None
    drain_timeout: float = DRAIN_TIMEOUT
    out: TextIO = field(default_factory=lambda: sys.stdout)
    _stop: threading.Event = field(default_factory=threading.Event)
    _save: threading.Event = field(default_factory=threading.Event)

    def install_signals(self) -> None:
        """SIGTERM/SIGINT stop, SIGHUP saves (main thread only)."""
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: self._stop.set())
        if hasattr(signal, "SIGHUP"):
            signal.signal(signal.SIGHUP, lambda *_: self._save.set())

    def run(self) -> int:
        """Serve until told to stop; returns the exit code."""
        try:
            while not self._stop.wait(0.2):
                if self._save.is_set():
                    self._save.clear()
                    self.save()
        finally:
            self.shutdown()
        return 0

    def save(self) -> None:
        """Snapshot the world under its lock (a compaction of the journal)."""
        if self.store is None:
            return
        self.store.compact(self.durable.app.lock, lambda: self.durable.app.sim)
        self._say(f"fakevault: saved the world to {self.store.path}")

    def shutdown(self) -> None:
        """Stop accepting, drain, refuse the rest, save, release the ports."""
        self.server.stop_accepting()
        drained = self.durable.drain(self.drain_timeout)
        if not drained:
            self._say(f"fakevault: {self.durable.in_flight} request(s) still in flight after "
                      f"{self.drain_timeout:g}s are refused", error=True)
        self.durable.close()
        try:
            self.save()
        finally:
            if self.store is not None:
                self.store.close()
            self.server.stop()
        self._say("fakevault: stopped")

    def _say(self, line: str, error: bool = False) -> None:
        stream = sys.stderr if error else self.out
        print(line, file=stream, flush=True)
