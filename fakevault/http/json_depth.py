"""A bound on how deeply a request body's JSON may nest, checked before anything recursive.

Python's recursion limit (about 1,000 frames) is far below Go's nesting limit (10,000), and
everything that walks a stored value (surrogate scrubbing, rendering, snapshots) recurses. A
body nested deeper than ``MAX_JSON_DEPTH`` is refused as unparsable, so a value the fake
accepts can always be answered back and saved.
"""

from __future__ import annotations

from typing import Any

#: Deeper than any Vault request body a client sends; far from Python's recursion limit.
MAX_JSON_DEPTH = 256


def too_deep(raw: bytes, value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """True if ``value`` (parsed from ``raw``) nests containers more than ``limit`` deep."""
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False  # cannot nest deeper than it has brackets: skip the walk
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children
                     if isinstance(child, dict | list))
    return False
