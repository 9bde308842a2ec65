"""``@pytest.mark.fakevault(...)`` options, checked: a typo or a wrong value is an error.

A silent default would run the test in a world other than the one it asked for (``sync="Manual"``
quietly eager), so every option and value is checked and an error names what is allowed.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from typing import Any

SYNC_MODES = ("eager", "manual")


def _clusters(value: Any) -> tuple[str, ...]:
    if isinstance(value, int) and not isinstance(value, bool):
        if not 1 <= value <= 26:
            raise ValueError(f"clusters={value!r}: a count must be between 1 and 26")
        return tuple(string.ascii_lowercase[:value])
    if isinstance(value, str):
        names = tuple(n.strip() for n in value.split(",") if n.strip())
    elif isinstance(value, list | tuple) and all(isinstance(n, str) for n in value):
        names = tuple(value)
    else:
        raise ValueError(f"clusters={value!r}: use a count (3), a comma-separated string "
                         "(\"a,b\") or a tuple of names ((\"east\", \"west\"))")
    if not names:
        raise ValueError("clusters: name at least one cluster")
    return names


def _seed(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"seed={value!r}: use an integer")
    return value


def _sync(value: Any) -> str:
    if value not in SYNC_MODES:
        raise ValueError(f"sync={value!r}: use one of {', '.join(map(repr, SYNC_MODES))}")
    return str(value)


def _vault_version(value: Any) -> str:
    from fakevault.model.versions import profile

    profile(value)  # a ValueError listing the versions fakevault simulates
    return str(value)


def _flag(name: str) -> Callable[[Any], bool]:
    def check(value: Any) -> bool:
        if not isinstance(value, bool):
            raise ValueError(f"{name}={value!r}: use True or False")
        return value

    return check


CHECKS: dict[str, Callable[[Any], Any]] = {
    "clusters": _clusters,
    "seed": _seed,
    "sync": _sync,
    "vault_version": _vault_version,
    "strict": _flag("strict"),
    "allow_violations": _flag("allow_violations"),
}


def checked_marker_options(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """The marker's keyword arguments, validated and normalised; ``ValueError`` names the fix."""
    unknown = sorted(set(kwargs) - set(CHECKS))
    if unknown:
        raise ValueError(f"unknown options {unknown}; use {sorted(CHECKS)}")
    return {key: CHECKS[key](value) for key, value in kwargs.items()}
