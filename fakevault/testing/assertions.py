"""Assertions about a world that downstream tests (and ours) need."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fakevault.model.simulator import Simulator

#: Parts of a snapshot that a refused request may legitimately change (its history line).
BOOKKEEPING = ("history", "seq", "invariants")


def world_state(sim: Simulator) -> dict[str, Any]:
    """The world's snapshot without history bookkeeping: what "unchanged" compares."""
    state = sim.snapshot()
    for key in BOOKKEEPING:
        state.pop(key)
    return state


@contextmanager
def unchanged(sim: Simulator) -> Iterator[None]:
    """Assert that the block leaves the world as it found it (history aside)."""
    before = world_state(sim)
    yield
    after = world_state(sim)
    if before != after:
        changed = sorted(k for k in before if before[k] != after.get(k))
        raise AssertionError(f"the world changed: {', '.join(changed)}")


PYTEST_HINT = "Allow this with @pytest.mark.fakevault(allow_violations=True) if intended."


def violation_report(sim: Simulator, hint: str = "") -> str:
    """Every violation, then the operations that led to each (and ``hint``, if any)."""
    lines = ["fakevault: the replication world ended with invariant violations:"]
    for violation in sim.violations:
        lines.append(f"  - {violation}")
    lines.append("")
    lines.append("operations (most recent last):")
    lines.extend("  " + op.describe() for op in sim.history.tail(40))
    if hint:
        lines += ["", hint]
    return "\n".join(lines)
