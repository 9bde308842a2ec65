"""JSON paths like ``data.secondaries[0].node_id`` and ``${name}`` substitution."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:\[(\d+)\])?\}")
MISSING = object()


def parse_path(path: str) -> list[str | int]:
    """``a.b[0].c`` -> ``["a", "b", 0, "c"]``."""
    parts: list[str | int] = []
    for match in _PART.finditer(path):
        parts.append(match.group(1) if match.group(1) is not None else int(match.group(2)))
    return parts


def lookup(document: Any, path: str) -> Any:
    """The value at ``path`` in ``document``, or ``MISSING``."""
    current = document
    for part in parse_path(path):
        if isinstance(part, int):
            if not isinstance(current, list) or part >= len(current):
                return MISSING
            current = current[part]
        else:
            if not isinstance(current, dict) or part not in current:
                return MISSING
            current = current[part]
    return current


class UnknownVariableError(KeyError):
    """A ``${name}`` that no earlier step captured and no --var gave."""


def substitute(value: Any, variables: Mapping[str, Any]) -> Any:
    """``value`` with every ``${name}`` (or ``${name[i]}``) replaced, recursively.

    A string that is exactly one reference becomes the variable's value, whatever its type.
    """
    if isinstance(value, dict):
        return {k: substitute(v, variables) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, variables) for v in value]
    if not isinstance(value, str) or "${" not in value:
        return value
    whole = _VARIABLE.fullmatch(value)
    if whole:
        return _resolve(whole, variables)
    return _VARIABLE.sub(lambda match: str(_resolve(match, variables)), value)


def _resolve(match: re.Match[str], variables: Mapping[str, Any]) -> Any:
    name, index = match.group(1), match.group(2)
    if name not in variables:
        raise UnknownVariableError(name)
    value = variables[name]
    if index is not None:
        if not isinstance(value, list) or int(index) >= len(value):
            raise UnknownVariableError(f"{name}[{index}]")
        return value[int(index)]
    return value
