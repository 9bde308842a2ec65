"""The web view's model: everything the page at ``/ui/`` shows, as one JSON object.

``GET /_fakevault/view?offset=0&limit=100`` answers ``view_model(sim, offset, limit)``: the world's
configuration, its topology frame, a window of the timeline (newest first) and the violations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fakevault.web.timeline import DEFAULT_LIMIT, check_bounds, lanes, window
from fakevault.web.topology import topology

if TYPE_CHECKING:
    from fakevault.model.invariants import Violation
    from fakevault.model.simulator import Simulator

#: Violations listed in full; the rest are counted (a runaway world can record thousands).
MAX_VIOLATIONS = 200


def view_model(sim: Simulator, offset: int = 0, limit: int = DEFAULT_LIMIT) -> dict[str, Any]:
    """The page's data for ``sim``, with ``limit`` timeline rows from ``offset`` back."""
    check_bounds(offset, limit)
    violations = sim.violations
    return {
        "world": world_summary(sim),
        "topology": topology(sim),
        "lanes": lanes(sim.names),
        "timeline": window(sim.history, violations, offset, limit),
        "violations": violation_list(violations),
    }


def world_summary(sim: Simulator) -> dict[str, Any]:
    """Seed, sync mode, strictness and cluster names."""
    return {"seed": sim.seed, "sync": sim.sync_mode, "strict": sim.strict,
            "clusters": sim.names}


def violation_list(violations: list[Violation]) -> dict[str, Any]:
    """The first ``MAX_VIOLATIONS`` violations in full, and how many there are."""
    return {"total": len(violations),
            "items": [v.to_json() for v in violations[:MAX_VIOLATIONS]]}


__all__ = ["DEFAULT_LIMIT", "MAX_VIOLATIONS", "view_model", "violation_list", "world_summary"]
