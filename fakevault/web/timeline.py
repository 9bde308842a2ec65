"""The history as a timeline: operations in lanes (one per cluster, one for the whole world),
faults marked, and each violation attached to the operation that caused it.

Newest first. Only a window of it is built at a time, so a page over 10,000 operations stays
as quick as one over ten.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fakevault.model.clock import rfc3339
from fakevault.model.errors import InvalidRequestError

if TYPE_CHECKING:
    from fakevault.model.history import History, Operation
    from fakevault.model.invariants import Violation

#: The lane of operations on the world rather than on one cluster (sync, step, advance, ...).
WORLD_LANE = "world"
#: Operations that are injected faults (or their repair), and the arguments naming clusters.
FAULTS = {"partition": ("a", "b"), "heal": ("a", "b"), "crash": ("name",),
          "restart": ("name",), "corrupt_merkle": ("name",), "stall": ("name",)}
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


def lanes(names: list[str]) -> list[str]:
    """The timeline's lanes, left to right: each cluster, then the world."""
    return [*names, WORLD_LANE]


def entry(operation: Operation, violations: list[Violation]) -> dict[str, Any]:
    """One timeline row: the operation, its lanes, its kind, and the violations it caused."""
    faulted = FAULTS.get(operation.name)
    if operation.cluster is not None:
        on = [operation.cluster]
    elif faulted is not None:
        on = [str(operation.args[key]) for key in faulted if operation.args.get(key)]
    else:
        on = []
    kind = "fault" if faulted is not None else "operation"
    if operation.error is not None:
        kind = "refused"
    call = operation.describe().split(" ", 1)[1].split(" -> error:", 1)[0]
    return {
        "seq": operation.seq,
        "time": rfc3339(operation.time),
        "lanes": on or [WORLD_LANE],
        "kind": kind,
        "call": call,
        "text": operation.describe(),
        "error": operation.error,
        "violations": [_violation(v) for v in violations],
    }


def _violation(violation: Violation) -> dict[str, Any]:
    return {"kind": violation.kind, "message": violation.message,
            "operation": violation.operation, "caused_by": violation.caused_by}


def by_operation(violations: list[Violation]) -> dict[int | None, list[Violation]]:
    """Violations grouped by the sequence number of the operation that caused them."""
    grouped: dict[int | None, list[Violation]] = {}
    for violation in violations:
        grouped.setdefault(violation.operation, []).append(violation)
    return grouped


def window(history: History, violations: list[Violation], offset: int = 0,
           limit: int = DEFAULT_LIMIT) -> dict[str, Any]:
    """``limit`` rows, newest first, starting ``offset`` rows back from the newest."""
    total = len(history)
    newest = total - 1 - offset
    oldest = max(-1, newest - limit)
    grouped = by_operation(violations)
    entries = [entry(op, grouped.get(op.seq, []))
               for op in (history[index] for index in range(newest, oldest, -1))]
    return {"total": total, "offset": offset, "limit": limit, "entries": entries}


def check_bounds(offset: int, limit: int) -> None:
    """Refuse a window the timeline cannot answer, with an error that says what fits."""
    if offset < 0:
        raise InvalidRequestError('invalid value for "offset": use 0 (the newest) or more')
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidRequestError(f'invalid value for "limit": use 1 to {MAX_LIMIT} operations '
                                  "per page")
