"""Time for the model: a protocol and two clocks.

The model never reads the wall clock itself; a Simulator owns one clock and everything that
expires or heartbeats asks it.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Protocol

#: 2026-01-01T00:00:00Z, where a ManualClock starts unless told otherwise.
DEFAULT_EPOCH = 1767225600.0

# The wall time SystemClocks read in this thread (context) while pinned. A context variable, not
# shared state: each request thread pins its own time, and nothing outside ``pinned_wall_time``
# ever sees a pin. The durable journal pins each request to one recorded instant, so replaying
# the request later reproduces every time-dependent value exactly.
_PINNED_WALL: ContextVar[float | None] = ContextVar("fakevault_pinned_wall", default=None)


@contextmanager
def pinned_wall_time(wall: float) -> Iterator[None]:
    """Within the block, every SystemClock reads the wall clock as ``wall``."""
    reset = _PINNED_WALL.set(wall)
    try:
        yield
    finally:
        _PINNED_WALL.reset(reset)


class Clock(Protocol):
    """Anything that says what time it is, in seconds since the Unix epoch."""

    def now(self) -> float:
        """Seconds since the Unix epoch."""
        ...

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds`` (virtual clocks) or by an offset (wall clocks)."""
        ...


class ManualClock:
    """Virtual time that moves only when told to: deterministic tests."""

    def __init__(self, start: float = DEFAULT_EPOCH) -> None:
        self._now = float(start)

    def now(self) -> float:
        """The current virtual time."""
        return self._now

    def advance(self, seconds: float) -> None:
        """Move virtual time forward; going backwards is refused."""
        if seconds < 0:
            raise ValueError(f"cannot move a clock backwards ({seconds} seconds)")
        self._now += seconds

    def __repr__(self) -> str:
        return f"ManualClock(start={self._now!r})"


class SystemClock:
    """Wall-clock time plus an offset, so a live server can still be moved forward."""

    def __init__(self, offset: float = 0.0) -> None:
        self.offset = float(offset)

    def now(self) -> float:
        """Wall-clock time (or the pinned instant, see ``pinned_wall_time``) plus the offset."""
        wall = _PINNED_WALL.get()
        return (time.time() if wall is None else wall) + self.offset

    def advance(self, seconds: float) -> None:
        """Add ``seconds`` to the offset."""
        if seconds < 0:
            raise ValueError(f"cannot move a clock backwards ({seconds} seconds)")
        self.offset += seconds

    def __repr__(self) -> str:
        return f"SystemClock(offset={self.offset!r})"


def rfc3339(timestamp: float) -> str:
    """Format a timestamp as Vault does in status (RFC 3339, seconds, UTC)."""
    return _rfc3339_seconds(int(timestamp))


@functools.lru_cache(maxsize=256)
def _rfc3339_seconds(seconds: int) -> str:
    # Status pages format the same few heartbeat times over and over: remember them.
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


@functools.lru_cache(maxsize=1024)
def rfc3339_nano(timestamp: float) -> str:
    """Format a timestamp with nanoseconds, as Vault's wrap_info.creation_time."""
    moment = datetime.fromtimestamp(timestamp, UTC)
    nanos = round((timestamp - int(timestamp)) * 1e9) % 1_000_000_000
    fraction = f".{nanos:09d}".rstrip("0").rstrip(".")  # Go's RFC3339Nano trims zeros
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z"
