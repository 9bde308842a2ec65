"""Failures that carry their world, so a report can show it after the test has ended."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fakevault.model.simulator import Simulator


class WorldViolationError(AssertionError):
    """An invariant violation, with the world it happened in (for reports)."""

    def __init__(self, message: str, world: Simulator) -> None:
        super().__init__(message)
        self.world = world


def in_final_replay() -> bool:
    """True while Hypothesis replays the minimal failing example (its last, reported run)."""
    from hypothesis.errors import InvalidArgument

    try:
        from hypothesis.control import current_build_context

        return bool(current_build_context().is_final)
    except InvalidArgument:  # not inside a Hypothesis test at all
        return False
    except (ImportError, AttributeError):  # a Hypothesis without it: no pictures, no failure
        return False


def world_in(error: BaseException | None) -> Simulator | None:
    """The world carried by ``error``, one it groups, or one it was raised from."""
    seen: set[int] = set()
    pending = [error]
    while pending:
        current = pending.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, WorldViolationError):
            return current.world
        if isinstance(current, BaseExceptionGroup):
            pending.extend(current.exceptions)
        pending.extend([current.__cause__, current.__context__])
    return None
