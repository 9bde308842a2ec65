"""Durable ``--state``: the last snapshot plus a journal of every request answered since.

For ``--state FILE``:

- ``FILE`` is the world as ``Simulator.snapshot()`` writes it, with ``"journal":
  {"generation": G}`` added (a file without it, as older fakevaults wrote, is generation 0);
- ``FILE.journal.G`` has a header line, then one JSON line per request answered since that
  snapshot: the request as it arrived, the wall-clock instant it ran at, and its status.

The world is deterministic (one seeded random source, request ids from a counter) and each
request runs with its clock pinned to one instant (``pinned_wall_time``), so replaying the
journal through a fresh app rebuilds exactly the world that answered. A line is appended (and
flushed to the OS; ``fsync`` optional) before the answer is sent: a SIGKILL at any moment
loses no acknowledged change. A torn last line can only belong to an unanswered request.

Compaction writes a new snapshot (generation G + 1) once the journal outgrows the last
snapshot: the new journal is opened first, the snapshot replaces ``FILE`` atomically, then the
old journal is deleted, so a crash at any step leaves files that load to the same world.
"""

from __future__ import annotations

import base64
import io
import json
import os
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fakevault.model.clock import pinned_wall_time
from fakevault.model.simulator import Simulator
from fakevault.model.snapshot import SnapshotError
from fakevault.world import Simulator as World

JOURNAL_FORMAT = "fakevault-journal"
#: Compact once the journal is larger than this and than the last snapshot.
COMPACT_BYTES = 4 * 1024 * 1024
#: What every loaded world must answer without an internal error.
_SMOKE_PATHS = ("/v1/sys/health", "/v1/sys/replication/status", "/v1/sys/mounts",
                "/v1/auth/token/lookup-self")
#: Headers that describe the connection, not the request: not journaled.
_HOP_BY_HOP = frozenset({"HTTP_CONNECTION", "HTTP_KEEP_ALIVE", "HTTP_TRANSFER_ENCODING",
                         "HTTP_TE", "HTTP_UPGRADE", "HTTP_CONTENT_LENGTH"})


class StateError(Exception):
    """The state file or its journal cannot be used; the message says which and why."""


@dataclass
class Loaded:
    """What loading found: the world, how many requests were replayed, and how many of them
    answered differently than when they first ran (0 unless fakevault is not deterministic)."""

    sim: Simulator
    replayed: int = 0
    diverged: int = 0


def request_record(environ: dict[str, Any], body: bytes, wall: float, status: int) -> bytes:
    """One journal line for a request (``environ`` as it arrived, before the app saw it)."""
    headers = {key: value for key, value in environ.items()
               if key.startswith("HTTP_") and key not in _HOP_BY_HOP}
    if environ.get("CONTENT_TYPE"):
        headers["CONTENT_TYPE"] = environ["CONTENT_TYPE"]
    record = {"t": wall, "c": environ.get("fakevault.cluster"),
              "m": environ.get("REQUEST_METHOD", "GET"), "p": environ.get("PATH_INFO", ""),
              "q": environ.get("QUERY_STRING", ""), "h": headers,
              "b": base64.b64encode(body).decode("ascii"), "s": status}
    return json.dumps(record, separators=(",", ":")).encode() + b"\n"


def replay_environ(record: dict[str, Any]) -> dict[str, Any]:
    """A WSGI environ that asks the app what ``record`` asked."""
    body = base64.b64decode(record["b"])
    environ: dict[str, Any] = {
        "REQUEST_METHOD": record["m"], "SCRIPT_NAME": "", "PATH_INFO": record["p"],
        "QUERY_STRING": record["q"], "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1", "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr,
        "wsgi.multithread": False, "wsgi.multiprocess": False, "wsgi.run_once": False,
        "CONTENT_LENGTH": str(len(body)), **record["h"],
    }
    if record["c"] is not None:
        environ["fakevault.cluster"] = record["c"]
    return environ


def call_app(app: Callable[..., Iterable[bytes]], environ: dict[str, Any]) \
        -> tuple[str, list[tuple[str, str]], bytes]:
    """Run a WSGI app to the end: status line, headers and the whole body."""
    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]],
                       exc_info: Any = None) -> Callable[[bytes], Any]:
        answer["status"], answer["headers"] = status, headers
        return lambda data: None

    chunks = app(environ, start_response)
    try:
        body = b"".join(chunks)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
    return answer["status"], answer["headers"], body


class StateStore:
    """The files behind ``--state FILE``: load, append each request, compact, save."""

    def __init__(self, path: Path, *, fsync: bool = False,
                 compact_bytes: int = COMPACT_BYTES) -> None:
        self.path = Path(path)
        self.fsync = fsync
        self.compact_bytes = compact_bytes
        self.generation = 0
        self._fd: int | None = None
        self._journal_bytes = 0
        self._snapshot_bytes = 0
        self._compacting = threading.Lock()

    def __repr__(self) -> str:
        return f"StateStore({str(self.path)!r}, fsync={self.fsync!r})"

    def journal_path(self, generation: int) -> Path:
        """The journal of the requests after snapshot ``generation``."""
        return self.path.with_name(f"{self.path.name}.journal.{generation}")

    # -- start ---------------------------------------------------------------------------
    def check_writable(self) -> None:
        """Refuse a state file whose folder is missing or not writable, before serving."""
        folder = self.path.absolute().parent
        if not folder.is_dir():
            raise StateError(f"cannot use --state {self.path}: folder {folder} does not exist")
        if self.path.is_dir():
            raise StateError(f"cannot use --state {self.path}: it is a folder")
        if not os.access(folder, os.W_OK | os.X_OK):
            raise StateError(f"cannot use --state {self.path}: folder {folder} is not writable")
        if self.path.exists() and not os.access(self.path, os.R_OK):
            raise StateError(f"cannot use --state {self.path}: it is not readable")

    def remove_leftovers(self) -> list[Path]:
        """Delete temporary files of a save that was killed half-way; returns them."""
        leftovers = sorted(self.path.absolute().parent.glob(f".{self.path.name}.*.tmp"))
        for leftover in leftovers:
            leftover.unlink(missing_ok=True)
        return leftovers

    def exists(self) -> bool:
        """True if there is a state file to load."""
        return self.path.exists()

    def read_snapshot(self) -> dict[str, Any]:
        """The state file's JSON (a snapshot), with clear errors for anything else."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
            reason = "nested too deeply" if isinstance(exc, RecursionError) else exc
            raise StateError(f"cannot load state from {self.path}: {reason}") from None
        if not isinstance(data, dict):
            raise StateError(f"cannot load state from {self.path}: not a fakevault snapshot")
        return data

    def load(self) -> Loaded:
        """The world of the state file with its journals replayed (the file must exist)."""
        data = self.read_snapshot()
        generation = _generation(data, self.path)
        try:
            sim = World.restore(data)  # the public world: sim.vault(), sim.wsgi_app()
        except SnapshotError as exc:
            raise StateError(f"cannot load state from {self.path}: {exc}") from None
        loaded = Loaded(sim)
        while self.journal_path(generation).exists():
            self._replay(self.journal_path(generation), generation, loaded)
            generation += 1
        self.generation = max(generation - 1, _generation(data, self.path))
        self._check_serves(loaded.sim)
        return loaded

    def _check_serves(self, sim: Simulator) -> None:
        """Refuse a (hand-edited) world that loads but cannot answer or be saved again."""
        from fakevault.http.app import FakeVaultApp

        app = FakeVaultApp(sim)
        for name in sim.names:
            for path in _SMOKE_PATHS:
                environ = replay_environ({"m": "GET", "p": path, "q": "", "b": "", "c": name,
                                          "h": {"HTTP_X_VAULT_TOKEN": sim.root_token}})
                call_app(app, environ)
                if app.internal_errors:
                    failure = app.internal_errors[0]
                    raise StateError(f"cannot load state from {self.path}: cluster {name} "
                                     f"cannot answer {path} ({type(failure).__name__}: "
                                     f"{failure})")
        try:
            json.dumps(sim.snapshot(), allow_nan=False)
        except (TypeError, ValueError, RecursionError) as exc:
            raise StateError(f"cannot load state from {self.path}: the world cannot be saved "
                             f"again ({type(exc).__name__}: {exc})") from None

    def _replay(self, journal: Path, generation: int, loaded: Loaded) -> None:
        from fakevault.http.app import FakeVaultApp

        lines = journal.read_bytes().split(b"\n")
        if lines == [b""]:
            return  # killed between creating the journal and writing its header
        _check_header(lines[0], journal, generation)
        app = FakeVaultApp(loaded.sim)
        for number, line in enumerate(lines[1:], start=2):
            if not line:
                continue
            try:
                record = json.loads(line)
                environ = replay_environ(record)
            except (ValueError, KeyError, TypeError) as exc:
                if number == len(lines):  # a torn last line: that request was never answered
                    break
                raise StateError(f"corrupt journal {journal}, line {number}: {exc}") from None
            with pinned_wall_time(float(record["t"])):
                status, _, _ = call_app(app, environ)
            loaded.replayed += 1
            loaded.diverged += int(status.split()[0]) != record["s"]
        loaded.sim = app.sim

    def start(self, sim: Simulator) -> None:
        """Save ``sim`` as the next generation and journal from there (at every start)."""
        self.check_writable()
        with self._compacting:
            text, old = self._begin(sim)
            self._finish(text, old)
        for stale in self.path.absolute().parent.glob(f"{self.path.name}.journal.*"):
            if stale != self.journal_path(self.generation).absolute():
                stale.unlink(missing_ok=True)

    # -- journaling ----------------------------------------------------------------------
    def append(self, line: bytes) -> None:
        """Add one request's line; on disk (OS buffers, or fsync-ed) when this returns."""
        if self._fd is None:
            raise StateError("the state journal is closed")
        _write_all(self._fd, line)
        if self.fsync:
            os.fsync(self._fd)
        self._journal_bytes += len(line)

    def needs_compaction(self) -> bool:
        """True once the journal is larger than the threshold and the last snapshot."""
        return self._journal_bytes > max(self.compact_bytes, self._snapshot_bytes)

    def compact(self, lock: threading.RLock, world: Callable[[], Simulator], *,
                wait: bool = True) -> bool:
        """Snapshot ``world()`` under ``lock`` into a new generation; False if another
        compaction is running and ``wait`` is false."""
        if not self._compacting.acquire(blocking=wait):
            return False
        try:
            if self._fd is None:
                return False  # closed: the final save has been made
            with lock:
                text, old = self._begin(world())
            self._finish(text, old)
            return True
        finally:
            self._compacting.release()

    def close(self) -> None:
        """Stop journaling; a journal with no request in it is removed (the state file alone
        then holds the world, as after a clean shutdown)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
            if self._journal_bytes == 0:
                self.journal_path(self.generation).unlink(missing_ok=True)

    def _begin(self, sim: Simulator) -> tuple[str, int | None]:
        """Under the world's lock: the snapshot text, and a fresh journal for what follows."""
        data = sim.snapshot()
        data["journal"] = {"generation": self.generation + 1}
        text = json.dumps(data)
        old = self.generation if self._fd is not None else None
        self.generation += 1
        fd = os.open(self.journal_path(self.generation),
                     os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o600)
        header = {"format": JOURNAL_FORMAT, "generation": self.generation}
        _write_all(fd, json.dumps(header).encode() + b"\n")
        os.fsync(fd)
        if self._fd is not None:
            os.close(self._fd)
        self._fd, self._journal_bytes = fd, 0
        return text, old

    def _finish(self, text: str, old: int | None) -> None:
        """Outside the lock: the snapshot replaces the state file, then the old journal goes."""
        write_atomically(self.path, text)
        self._snapshot_bytes = len(text)
        if old is not None:
            self.journal_path(old).unlink(missing_ok=True)


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text``: a crash at any point leaves the old file or the new."""
    folder = path.absolute().parent
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself survives a power loss
    finally:
        os.close(directory)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _generation(data: dict[str, Any], path: Path) -> int:
    journal = data.get("journal", {"generation": 0})
    generation = journal.get("generation") if isinstance(journal, dict) else None
    if not isinstance(generation, int) or isinstance(generation, bool) or generation < 0:
        raise StateError(f"cannot load state from {path}: \"journal\" must be "
                         "{\"generation\": N}")
    return generation


def _check_header(line: bytes, journal: Path, generation: int) -> None:
    try:
        header = json.loads(line)
    except ValueError:
        header = None
    if not isinstance(header, dict) or header.get("format") != JOURNAL_FORMAT or \
            header.get("generation") != generation:
        raise StateError(f"corrupt journal {journal}: not generation {generation} of a "
                         "fakevault journal")
