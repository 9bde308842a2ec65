"""Topology before and after each violating operation, kept while a world runs.

A violation is only known once its operation is done, and the world before it is gone by then.
So the recorder keeps the frame after the latest operation (which is the frame before the next
one) and, whenever an operation adds violations, pins that pair. It costs one frame per
operation, so it is attached only when a report is wanted (``--fakevault-report=html``, or the
final replay of a failing Hypothesis machine).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fakevault.web.topology import topology

if TYPE_CHECKING:
    from fakevault.model.history import Operation
    from fakevault.model.simulator import Simulator


class TopologyRecorder:
    """Watches ``sim`` (as one of its observers) and pins frames around violating operations."""

    def __init__(self, sim: Simulator) -> None:
        self.initial = topology(sim)
        self._before = self.initial
        self._after = self.initial
        self._last_seq: int | None = None
        self._violations = len(sim.invariants.violations)
        #: operation seq -> (frame before it, frame after it)
        self.pinned: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}

    def __repr__(self) -> str:
        return f"TopologyRecorder(pinned={sorted(self.pinned)!r})"

    def __call__(self, sim: Simulator, operation: Operation) -> None:
        """After ``operation``: its frame becomes the latest; pin both if it violated."""
        frame = topology(sim)
        self._before, self._after, self._last_seq = self._after, frame, operation.seq
        count = len(sim.invariants.violations)
        if count > self._violations:
            self.pinned[operation.seq] = (self._before, frame)
        self._violations = count

    def around(self, seq: int | None) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """The frames before and after operation ``seq``, if they were kept."""
        if seq is None:
            return None
        if seq in self.pinned:
            return self.pinned[seq]
        if seq == self._last_seq:  # a violation found by a later check() of the last state
            return self._before, self._after
        return None


def attach(sim: Simulator) -> TopologyRecorder:
    """The recorder watching ``sim``: the one already attached, or a new one."""
    existing = recorder_of(sim)
    if existing is not None:
        return existing
    recorder = TopologyRecorder(sim)
    sim.observers.append(recorder)
    return recorder


def recorder_of(sim: Simulator) -> TopologyRecorder | None:
    """The recorder attached to ``sim``, if any."""
    for observer in sim.observers:
        if isinstance(observer, TopologyRecorder):
            return observer
    return None
