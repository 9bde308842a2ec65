"""Imports point down only: model <- vault (logical layer) <- http <- testing, scenario, cli.

Read from every module's syntax tree, so an import inside a function (a lazy one) counts as
much as one at the top: the test is of the import graph, not of what happens to load.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import fakevault

PACKAGE = Path(fakevault.__file__).parent
#: layer -> what it must never import (packages of fakevault, or third-party modules).
FORBIDDEN = {
    "fakevault.model": ("fakevault.vault", "fakevault.http", "fakevault.testing",
                        "fakevault.scenario", "fakevault.cli", "fakevault.world", "werkzeug",
                        "requests", "hvac", "hypothesis", "pytest"),
    "fakevault.vault": ("fakevault.http", "fakevault.testing", "fakevault.scenario",
                        "fakevault.cli", "fakevault.world", "werkzeug", "requests"),
    "fakevault.http": ("fakevault.testing", "fakevault.scenario", "fakevault.cli"),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every module ``path`` imports, anywhere in the file (relative imports resolved)."""
    found: set[str] = set()
    package = module_name(path).rpartition(".")[0] if path.name != "__init__.py" \
        else module_name(path)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}".rstrip(".")
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_imports_point_down(path: Path) -> None:
    name = module_name(path)
    for layer, forbidden in FORBIDDEN.items():
        if within(name, layer):
            upward = sorted(i for i in imports(path) for f in forbidden if within(i, f))
            assert not upward, f"{name} imports {upward} (above {layer})"


def test_the_checker_sees_lazy_imports() -> None:
    # world.py imports the HTTP app inside a method: the graph must still show it.
    assert "fakevault.http.app" in imports(PACKAGE / "world.py")
    assert len(MODULES) > 50
