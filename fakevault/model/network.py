"""Links between clusters: partitions (both ways or one way) and crashed clusters.

Every connection in the model is opened by one side (a secondary streams from its primary,
unwraps its token there, forwards writes to it), so ``reachable(a, b)`` asks whether ``a`` can
open a connection to ``b``. A one-way partition is a firewall that refuses new connections from
``a`` to ``b`` while ``b`` still reaches ``a``.
"""

from __future__ import annotations

from typing import Any


class Network:
    """Which clusters can reach which: a pair is cut by a partition or by either one crashing."""

    def __init__(self) -> None:
        self.partitions: set[frozenset[str]] = set()
        self.one_way: set[tuple[str, str]] = set()  # (from, to): from cannot connect to to
        self.crashed: set[str] = set()

    def partition(self, a: str, b: str, one_way: bool = False) -> None:
        """Cut the link between ``a`` and ``b`` (both directions, or only ``a`` to ``b``)."""
        if a == b:
            raise ValueError("a cluster cannot be partitioned from itself")
        if one_way:
            self.one_way.add((a, b))
        else:
            self.partitions.add(frozenset((a, b)))

    def heal(self, a: str | None = None, b: str | None = None) -> None:
        """Restore the link between ``a`` and ``b``; with no names, every link; with one, its."""
        if a is None and b is None:
            self.partitions.clear()
            self.one_way.clear()
        elif b is None or a is None:
            name = a or b
            self.partitions = {pair for pair in self.partitions if name not in pair}
            self.one_way = {pair for pair in self.one_way if name not in pair}
        else:
            self.partitions.discard(frozenset((a, b)))
            self.one_way -= {(a, b), (b, a)}

    def crash(self, name: str) -> None:
        """Take ``name`` down: nothing reaches it until it restarts."""
        self.crashed.add(name)

    def restart(self, name: str) -> None:
        """Bring ``name`` back up with its storage as it was."""
        self.crashed.discard(name)

    def is_up(self, name: str) -> bool:
        """True unless ``name`` has crashed."""
        return name not in self.crashed

    def reachable(self, a: str, b: str) -> bool:
        """True if ``a`` can connect to ``b``: both up, no partition, no one-way cut a to b."""
        if a in self.crashed or b in self.crashed:
            return False
        return a == b or (frozenset((a, b)) not in self.partitions
                          and (a, b) not in self.one_way)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-able state."""
        return {
            "partitions": sorted(sorted(pair) for pair in self.partitions),
            "one_way": sorted(list(pair) for pair in self.one_way),
            "crashed": sorted(self.crashed),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Network:
        """Rebuild from ``to_json`` output."""
        network = cls()
        network.partitions = {frozenset(pair) for pair in data["partitions"]}
        network.one_way = {(str(a), str(b)) for a, b in data.get("one_way", [])}
        network.crashed = set(data["crashed"])
        return network

    def __repr__(self) -> str:
        return f"Network(partitions={len(self.partitions)}, crashed={sorted(self.crashed)!r})"
