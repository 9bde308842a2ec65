"""A Jepsen-style history of client operations, and checkers that judge it by Vault's model.

Each operation a client performs is recorded twice: when it is invoked and when it completes
(simulated time and the world's operation number), with the key, the cluster asked, the value
written or read, and the outcome (``ok`` or ``fail``). Every write carries a value no other write
carries, so a read says exactly which write it saw; the order in which primaries acknowledged
the writes of a key is that key's version order.

What counts as an anomaly follows Vault's documented consistency model:

- Replication is eventual: a read from a performance secondary may be stale, and a client that
  moves between clusters may see older data than it saw before. Neither is an anomaly.
- A client that asks for read-after-write consistency (``X-Vault-Index``: ``consistent=True``)
  must see its own acknowledged writes, or newer: ``stale_read`` otherwise.
- A read-modify-write must not overwrite a newer acknowledged value than the one it read
  (KV v2 ``cas`` exists to refuse that): ``lost_update`` otherwise.
- One client reading one cluster never goes back to an older version (a cluster applies its
  WAL in order, so going back means acknowledged data vanished): ``nonmonotonic_read``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Literal

Outcome = Literal["ok", "fail", "pending"]
Kind = Literal["read", "write"]
#: Where in a key's version order a read or write sits; -1 is "never written".
UNWRITTEN = -1


@dataclass(frozen=True)
class ClientOp:
    """One client operation: invoked, then completed with a value and an outcome."""

    index: int
    client: str
    kind: Kind
    key: str
    cluster: str
    invoke_time: float
    invoke_seq: int
    value: Any = None
    consistent: bool = False
    #: A read-modify-write: ``based_on`` is the write id of the value it read (None: nothing).
    rmw: bool = False
    based_on: str | None = None
    cas: bool = False
    outcome: Outcome = "pending"
    complete_time: float | None = None
    complete_seq: int | None = None
    error: str | None = None

    @property
    def write_id(self) -> str | None:
        """The unique id carried by the value written or read, if any."""
        if isinstance(self.value, dict):
            found = self.value.get("write_id")
            return found if isinstance(found, str) else None
        return None

    def describe(self) -> str:
        """``c1 read secret/data/k @b -> ok w3`` and so on."""
        extra = " consistent" if self.consistent else ""
        extra += f" based_on={self.based_on or 'nothing'}" if self.rmw else ""
        extra += " cas" if self.cas else ""
        seen = self.write_id or ("nothing" if self.kind == "read" else "?")
        result = self.outcome if self.outcome != "ok" else f"ok {seen}"
        if self.error:
            result += f" ({self.error})"
        return f"[{self.index}] {self.client} {self.kind} {self.key} @{self.cluster}{extra} " \
               f"-> {result}"


@dataclass(frozen=True)
class Anomaly:
    """A history the consistency model forbids: its kind, why, and the operations involved."""

    kind: str
    message: str
    operations: tuple[ClientOp, ...] = ()

    def __str__(self) -> str:
        lines = [f"{self.kind}: {self.message}"]
        lines += ["    " + op.describe() for op in self.operations]
        return "\n".join(lines)


@dataclass
class _Judge:
    """The three checkers, judging each operation as it completes (a sequential world's
    operations complete in order, so this finds what the whole-history checkers find)."""

    versions: dict[str, dict[str, int]] = field(default_factory=dict)
    latest: dict[str, ClientOp] = field(default_factory=dict)
    own: dict[tuple[str, str], ClientOp] = field(default_factory=dict)
    sessions: dict[tuple[str, str, str], ClientOp] = field(default_factory=dict)

    def position(self, key: str, write_id: str | None) -> int:
        return UNWRITTEN if write_id is None else self.versions.get(key, {}).get(write_id,
                                                                                   UNWRITTEN)

    def observe(self, op: ClientOp) -> list[Anomaly]:
        if op.outcome != "ok":
            return []
        return self._write(op) if op.kind == "write" else self._read(op)

    def _write(self, op: ClientOp) -> list[Anomaly]:
        found: list[Anomaly] = []
        prior = self.latest.get(op.key)
        if op.rmw and prior is not None and prior.write_id != op.based_on:
            found.append(_lost_update(prior, op))
        self.latest[op.key] = op
        self.own[(op.client, op.key)] = op
        if op.write_id is not None:
            versions = self.versions.setdefault(op.key, {})
            versions[op.write_id] = len(versions)
        return found

    def _read(self, op: ClientOp) -> list[Anomaly]:
        found: list[Anomaly] = []
        seen = self.position(op.key, op.write_id)
        mine = self.own.get((op.client, op.key))
        if op.consistent and mine is not None and seen < self.position(op.key, mine.write_id):
            found.append(_stale_read(mine, op))
        session = (op.client, op.cluster, op.key)
        before = self.sessions.get(session)
        if before is not None and seen < self.position(op.key, before.write_id):
            found.append(_nonmonotonic(before, op))
        self.sessions[session] = op
        return found


@dataclass
class ClientHistory:
    """Every client operation, in the order they were invoked; ``anomalies`` as they happen."""

    operations: list[ClientOp] = field(default_factory=list)
    anomalies: list[Anomaly] = field(default_factory=list)
    _next_write: int = 0
    _judge: _Judge = field(default_factory=_Judge)

    def __iter__(self) -> Iterator[ClientOp]:
        return iter(self.operations)

    def __len__(self) -> int:
        return len(self.operations)

    def new_value(self, client: str, payload: Any = None) -> dict[str, Any]:
        """A value no other write carries: ``{"write_id": "w7", "by": client, "data": ...}``."""
        self._next_write += 1
        return {"write_id": f"w{self._next_write}", "by": client, "data": payload}

    def invoke(self, client: str, kind: Kind, key: str, cluster: str, *, time: float,
               seq: int, value: Any = None, consistent: bool = False, rmw: bool = False,
               based_on: str | None = None, cas: bool = False) -> ClientOp:
        """Record the start of an operation; complete it with ``complete``."""
        op = ClientOp(len(self.operations), client, kind, key, cluster, time, seq, value,
                      consistent, rmw, based_on, cas)
        self.operations.append(op)
        return op

    def complete(self, op: ClientOp, outcome: Outcome, *, time: float, seq: int,
                 value: Any = None, error: str | None = None) -> ClientOp:
        """Record how ``op`` ended (for a read, the value it returned)."""
        done = replace(op, outcome=outcome, complete_time=time, complete_seq=seq,
                       value=value if op.kind == "read" else op.value, error=error)
        self.operations[op.index] = done
        self.anomalies.extend(self._judge.observe(done))
        return done

    def check(self) -> list[Anomaly]:
        """Every anomaly the three checkers find."""
        return [*stale_reads(self), *lost_updates(self), *nonmonotonic_reads(self)]

    def format(self, last: int = 30) -> str:
        """The last ``last`` operations, one a line."""
        return "\n".join(op.describe() for op in self.operations[-last:])


def _acknowledged(history: Iterable[ClientOp]) -> list[ClientOp]:
    done = [op for op in history if op.kind == "write" and op.outcome == "ok"]
    return sorted(done, key=lambda op: (op.complete_seq or 0, op.index))


def version_order(history: Iterable[ClientOp]) -> dict[str, dict[str, int]]:
    """key -> write id -> position in the order primaries acknowledged the key's writes."""
    order: dict[str, dict[str, int]] = {}
    for op in _acknowledged(history):
        if op.write_id is not None:
            versions = order.setdefault(op.key, {})
            versions[op.write_id] = len(versions)
    return order


def _position(order: dict[str, dict[str, int]], key: str, write_id: str | None) -> int:
    if write_id is None:
        return UNWRITTEN
    return order.get(key, {}).get(write_id, UNWRITTEN)


def stale_reads(history: Iterable[ClientOp]) -> list[Anomaly]:
    """Consistent reads that missed the reading client's own earlier acknowledged write."""
    ops = list(history)
    order = version_order(ops)
    acked = _acknowledged(ops)
    own: dict[tuple[str, str], ClientOp] = {}  # the client's latest acknowledged write, by key
    done = 0
    found: list[Anomaly] = []
    for op in sorted(ops, key=lambda o: (o.invoke_seq, o.index)):
        while done < len(acked) and (acked[done].complete_seq or 0) <= op.invoke_seq:
            own[(acked[done].client, acked[done].key)] = acked[done]
            done += 1
        mine = own.get((op.client, op.key))
        if op.kind != "read" or op.outcome != "ok" or not op.consistent or mine is None:
            continue
        if _position(order, op.key, op.write_id) < _position(order, op.key, mine.write_id):
            found.append(_stale_read(mine, op))
    return found


def lost_updates(history: Iterable[ClientOp]) -> list[Anomaly]:
    """Read-modify-writes that overwrote a newer acknowledged value than the one they read."""
    acked = _acknowledged(history)
    found: list[Anomaly] = []
    latest: dict[str, ClientOp] = {}
    for op in acked:
        prior = latest.get(op.key)
        latest[op.key] = op
        if not op.rmw:
            continue
        if prior is not None and prior.write_id != op.based_on:
            found.append(_lost_update(prior, op))
    return found


def nonmonotonic_reads(history: Iterable[ClientOp]) -> list[Anomaly]:
    """A client's reads of one key from one cluster that went back to an older version."""
    ops = list(history)
    order = version_order(ops)
    last: dict[tuple[str, str, str], ClientOp] = {}
    found: list[Anomaly] = []
    for op in ops:
        if op.kind != "read" or op.outcome != "ok":
            continue
        session = (op.client, op.cluster, op.key)
        before = last.get(session)
        if before is not None and _position(order, op.key, op.write_id) < \
                _position(order, op.key, before.write_id):
            found.append(_nonmonotonic(before, op))
        last[session] = op
    return found


def _stale_read(mine: ClientOp, op: ClientOp) -> Anomaly:
    return Anomaly("stale_read", f"{op.client} asked {op.cluster} for a consistent read of "
                   f"{op.key} and got {op.write_id or 'nothing'}, older than its own "
                   f"acknowledged {mine.write_id}", (mine, op))


def _lost_update(prior: ClientOp, op: ClientOp) -> Anomaly:
    return Anomaly("lost_update", f"{op.client}'s read-modify-write of {op.key} was based on "
                   f"{op.based_on or 'nothing'} but overwrote {prior.write_id}, acknowledged "
                   "before it", (prior, op))


def _nonmonotonic(before: ClientOp, op: ClientOp) -> Anomaly:
    return Anomaly("nonmonotonic_read", f"{op.client} read {op.key} from {op.cluster} as "
                   f"{before.write_id}, then as the older {op.write_id or 'nothing'}",
                   (before, op))
