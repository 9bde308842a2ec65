"""The runbooks fakevault ships (package data), found by name or by path.

``fakevault scenario run dr-failover`` and ``fakevault scenario list`` work wherever fakevault is
installed, not only in a checkout: the TOML files live in ``fakevault/scenarios/``.
"""

from __future__ import annotations

from pathlib import Path

BUNDLED = Path(__file__).resolve().parent.parent / "scenarios"


def bundled_scenarios() -> list[Path]:
    """Every scenario file fakevault ships, sorted by name."""
    return sorted(BUNDLED.glob("*.toml"))


def find_scenario(name_or_path: str | Path) -> Path:
    """``name_or_path`` if that file exists, else the shipped scenario of that name.

    ``dr-failover`` and ``dr-failover.toml`` both name the shipped runbook; a path that exists
    always wins, so a user's own file of the same name is never shadowed.
    """
    given = Path(name_or_path)
    if given.exists() or given.parent != Path("."):
        return given
    shipped = BUNDLED / (given.name if given.suffix == ".toml" else f"{given.name}.toml")
    return shipped if shipped.exists() else given  # a missing one: its error says what to do
