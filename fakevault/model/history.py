"""An append-only record of every operation and its outcome; what the invariants read."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "...'"


@dataclass(frozen=True)
class Operation:
    """One call on the world: who, what, with which arguments, and the error if it failed."""

    seq: int
    time: float
    cluster: str | None
    role: str | None
    name: str
    args: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    @property
    def ok(self) -> bool:
        """True if the operation succeeded."""
        return self.error is None

    def describe(self) -> str:
        """A one-line, Python-looking description: ``#7 b.dr.promote(force=True)``."""
        target = ".".join(part for part in (self.cluster, self.role) if part)
        args = ", ".join(f"{k}={_short(v)}" for k, v in self.args.items())
        call = f"{target}.{self.name}({args})" if target else f"sim.{self.name}({args})"
        outcome = f" -> error: {self.error}" if self.error else ""
        return f"#{self.seq} {call}{outcome}"

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-able form (arguments as given, which are JSON-able by construction)."""
        return asdict(self)


class History:
    """Every operation in order; never rewritten."""

    def __init__(self) -> None:
        self._operations: list[Operation] = []

    def append(self, operation: Operation) -> None:
        """Add the next operation (sequence numbers must increase)."""
        if self._operations and operation.seq <= self._operations[-1].seq:
            raise ValueError("history is append-only and ordered by sequence number")
        self._operations.append(operation)

    def __iter__(self) -> Iterator[Operation]:
        return iter(self._operations)

    def __len__(self) -> int:
        return len(self._operations)

    def __getitem__(self, index: int) -> Operation:
        return self._operations[index]

    def find(self, seq: int) -> Operation | None:
        """The operation with sequence number ``seq``."""
        for operation in reversed(self._operations):
            if operation.seq == seq:
                return operation
        return None

    def tail(self, count: int = 20) -> list[Operation]:
        """The last ``count`` operations."""
        return self._operations[-count:]

    def format(self, count: int | None = None) -> str:
        """One line per operation, the last ``count`` of them (all when None)."""
        chosen = self._operations if count is None else self.tail(count)
        return "\n".join(op.describe() for op in chosen)

    def to_json(self) -> list[dict[str, Any]]:
        """Plain JSON-able form."""
        return [op.to_json() for op in self._operations]

    @classmethod
    def from_json(cls, data: list[dict[str, Any]]) -> History:
        """Rebuild from ``to_json`` output."""
        history = cls()
        history._operations = [Operation(**item) for item in data]
        return history

    def __repr__(self) -> str:
        return f"History(operations={len(self._operations)})"
