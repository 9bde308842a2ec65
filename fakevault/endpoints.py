"""The implementation coverage: every Vault path fakevault serves, as a Markdown table.

``supported_endpoints()`` reads the route declarations (the single truth for routing), so the
README's table (between ``<!-- endpoints:start -->`` and ``<!-- endpoints:end -->``) can be
checked by a test to be current. ``python -m fakevault.endpoints`` prints the table;
``python -m fakevault.endpoints --write README.md`` replaces it in place.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

START, END = "<!-- endpoints:start -->", "<!-- endpoints:end -->"

AUTH = {"none": "none", "token": "token", "sudo": "token + sudo", "dr_op": "DR operation token",
        "root": "root token"}
_PLACEHOLDER = re.compile(r"<(?:(\w+):)?(\w+)(?:\([^)]*\))?(?::(\w+))?>")
_ANY = re.compile(r"<any\(([^)]*)\):\w+>")


@dataclass(frozen=True)
class Endpoint:
    """One served path: its methods, who may call it, and whether a DR secondary answers it."""

    path: str
    methods: tuple[str, ...]
    auth: str
    dr_secondary: bool
    note: str = ""


def _expand(path: str) -> list[str]:
    """``sys/replication/<any(performance, dr):rtype>/status`` -> one path per choice."""
    choice = _ANY.search(path)
    if choice is None:
        return [path]
    options = [option.strip() for option in choice.group(1).split(",")]
    return [expanded for option in options
            for expanded in _expand(path[:choice.start()] + option + path[choice.end():])]


def _readable(path: str) -> str:
    """Werkzeug placeholders as Vault's docs write them: ``<name>`` -> ``:name``."""
    if path == "<logical:path>":
        return "/v1/:mount/*path"
    named = _PLACEHOLDER.sub(lambda m: ":" + (m.group(3) or m.group(2)), path)
    return named if named.startswith("/") else "/v1/" + named


def supported_endpoints() -> list[Endpoint]:
    """Every path of the route table, performance/dr alternatives spelled out, in its order."""
    from fakevault.http.routes import ROUTES

    endpoints: list[Endpoint] = []
    for route in ROUTES:
        note = ("control plane" if route.control else
                "seed API (performance)" if route.legacy else
                "kv v1 and v2 mounts" if route.path == "<logical:path>" else "")
        for path in _expand(route.path):
            endpoints.append(Endpoint(_readable(path), route.methods, AUTH[route.auth],
                                      route.dr_ok, note))
    return endpoints


def endpoints_markdown(endpoints: Iterable[Endpoint] | None = None) -> str:
    """The Markdown table of ``endpoints`` (default: every supported one)."""
    rows = ["| path | methods | auth | on a DR secondary | notes |", "|---|---|---|---|---|"]
    for e in supported_endpoints() if endpoints is None else endpoints:
        rows.append(f"| `{e.path}` | {' '.join(e.methods)} | {e.auth} | "
                    f"{'served' if e.dr_secondary else 'refused'} | {e.note} |")
    return "\n".join(rows) + "\n"


def replace_table(text: str, table: str) -> str:
    """``text`` with whatever is between the markers replaced by ``table``."""
    start, end = text.index(START) + len(START), text.index(END)
    return text[:start] + "\n" + table + text[end:]


def main(argv: Sequence[str] | None = None) -> int:
    """Print the table, or write it into a Markdown file between the markers."""
    parser = argparse.ArgumentParser(prog="python -m fakevault.endpoints",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, metavar="FILE",
                        help="replace the table between the markers in FILE")
    args = parser.parse_args(argv)
    table = endpoints_markdown()
    if args.write is None:
        print(table, end="")
        return 0
    text = args.write.read_text(encoding="utf-8")
    if START not in text or END not in text:
        parser.error(f"{args.write} has no {START} ... {END} markers")
    args.write.write_text(replace_table(text, table), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
