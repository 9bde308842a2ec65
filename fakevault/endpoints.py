"""The implementation coverage: every Vault path fakevault serves, as a Markdown table.

``supported_endpoints()`` reads the path declarations (the single truth for routing), so the
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

from fakevault.vault import endpoints as declared
from fakevault.vault.router import KV_V1

START, END = "<!-- endpoints:start -->", "<!-- endpoints:end -->"

AUTH = {"none": "none", "token": "token", "sudo": "token + sudo", "dr_op": "DR operation token",
        "control": "root token"}
_CAPTURE = re.compile(r"{(\w+)}")


@dataclass(frozen=True)
class Endpoint:
    """One served path: its methods, who may call it, and whether a DR secondary answers it."""

    path: str
    methods: tuple[str, ...]
    auth: str
    dr_secondary: bool
    note: str = ""


def _expand(path: str, choices: dict[str, tuple[str, ...]]) -> list[str]:
    """``sys/replication/{rtype}/status`` -> one path per choice of ``rtype``."""
    for name, options in choices.items():
        if "{" + name + "}" in path:
            return [expanded for option in options
                    for expanded in _expand(path.replace("{" + name + "}", option), choices)]
    return [path]


def _readable(path: str) -> str:
    """Captures as Vault's docs write them (``{name}`` -> ``:name``), under ``/v1/``."""
    named = _CAPTURE.sub(lambda m: ":" + m.group(1), path)
    return named if named.startswith("/") else "/v1/" + named


def _note(item: declared.Endpoint) -> str:
    if item.declaration.answers == "ui:mount":  # unauthenticated route, token-checking handler
        return "needs a valid token: no simulated mount is listing-visible"
    if item.control:
        return "control plane"
    if item.legacy:
        return "seed API (performance)"
    return "kv v2 (any kv v2 mount)" if item.path.startswith("secret/") else ""


def supported_endpoints() -> list[Endpoint]:
    """Every declared path (modern profile), alternatives spelled out, in routing order."""
    endpoints = [Endpoint(_readable(path), item.methods, AUTH[item.auth], item.dr_ok,
                          _note(item))
                 for item in declared.endpoints()
                 for path in _expand(item.path, dict(item.choices))]
    v1 = declared.endpoint("", KV_V1.paths[0])
    endpoints.append(Endpoint("/v1/:mount/*path", v1.methods, AUTH[v1.auth], v1.dr_ok,
                              "kv v1 mounts"))
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
