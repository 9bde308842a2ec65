"""Comparing a response with a step's expectations; every problem is one readable line."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from fakevault.scenario.format import Expect
from fakevault.scenario.paths import MISSING, lookup, substitute

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_SHA1 = re.compile(r"^[0-9a-f]{40}$")


def _show(value: Any) -> str:
    if value is MISSING:
        return "nothing (absent)"
    text = json.dumps(value)
    return text if len(text) <= 120 else text[:117] + "..."


def is_type(value: Any, name: str) -> bool:
    """True if ``value`` is of the scenario type ``name``."""
    checks = {
        "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "str": lambda v: isinstance(v, str),
        "bool": lambda v: isinstance(v, bool),
        "list": lambda v: isinstance(v, list),
        "dict": lambda v: isinstance(v, dict),
        "null": lambda v: v is None,
        "uuid": lambda v: isinstance(v, str) and bool(_UUID.match(v)),
        "sha1": lambda v: isinstance(v, str) and bool(_SHA1.match(v)),
    }
    return bool(checks[name](value))


def check(expect: Expect, status: int, body: Any, variables: Mapping[str, Any],
          previous: Any) -> list[str]:
    """Every way the response (``status``, ``body``) misses ``expect``; [] when it matches."""
    problems = _status(expect, status, body)
    for path, wanted in substitute(expect.json, variables).items():
        got = lookup(body, path)
        if got != wanted:
            problems.append(f"{path}: expected {_show(wanted)}, got {_show(got)}")
    for path, type_name in expect.types.items():
        got = lookup(body, path)
        if got is MISSING or not is_type(got, type_name):
            problems.append(f"{path}: expected a {type_name}, got {_show(got)}")
    problems += [f"{p}: expected to be present" for p in expect.present
                 if lookup(body, p) is MISSING]
    problems += [f"{p}: expected to be absent, got {_show(lookup(body, p))}"
                 for p in expect.absent if lookup(body, p) is not MISSING]
    for path, fragment in substitute(expect.contains, variables).items():
        got = lookup(body, path)
        if got is MISSING or str(fragment) not in (got if isinstance(got, str) else
                                                   json.dumps(got)):
            problems.append(f"{path}: expected to contain {fragment!r}, got {_show(got)}")
    problems += _changes(expect, body, previous)
    return problems


def _status(expect: Expect, status: int, body: Any) -> list[str]:
    if expect.status and status in expect.status:
        return []
    if not expect.status and status < 400:
        return []
    wanted = " or ".join(map(str, expect.status)) if expect.status else "a success (< 400)"
    errors = lookup(body, "errors")
    detail = f" ({'; '.join(map(str, errors))})" if isinstance(errors, list) and errors else ""
    return [f"status: expected {wanted}, got {status}{detail}"]


def _changes(expect: Expect, body: Any, previous: Any) -> list[str]:
    problems = []
    for path in expect.changes:
        before = MISSING if previous is None else lookup(previous, path)
        if before is MISSING:
            problems.append(f"{path}: no earlier answer of this request to compare with")
        elif lookup(body, path) == before:
            problems.append(f"{path}: expected a change from {_show(before)}")
    for path in expect.unchanged:
        before = MISSING if previous is None else lookup(previous, path)
        if lookup(body, path) != before:
            problems.append(f"{path}: expected {_show(before)} as before, "
                            f"got {_show(lookup(body, path))}")
    return problems
