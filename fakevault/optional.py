"""Optional dependencies: a missing one is an error that names the extra to install.

The core (``pip install fakevault``) serves, runs scenarios and is the Python API; the pytest
fixtures' hvac client and the Hypothesis machine and strategies need ``fakevault[pytest]``.
"""

from __future__ import annotations

import importlib
from types import ModuleType

EXTRAS = {"pytest": ("pytest", "hypothesis", "hvac")}


class MissingDependencyError(ImportError):
    """An optional dependency is not installed; the message says which extra brings it."""


def install_hint(module: str, extra: str) -> str:
    """The one-line message for a missing ``module`` that ``fakevault[extra]`` provides."""
    return (f"fakevault needs {module!r} for this, which is not installed: "
            f"pip install 'fakevault[{extra}]'")


def missing(exc: ModuleNotFoundError, extra: str) -> ImportError:
    """For ``except ModuleNotFoundError``: the error naming ``fakevault[extra]`` (or ``exc``
    itself when what is missing is not the optional package but something inside it)."""
    name = exc.name or "?"
    if name.split(".")[0] not in EXTRAS.get(extra, ()):
        return exc
    return MissingDependencyError(install_hint(name.split(".")[0], extra), name=name)


def require(module: str, extra: str) -> ModuleType:
    """Import ``module``, or raise ``MissingDependencyError`` naming ``fakevault[extra]``."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name is not None and exc.name.split(".")[0] != module.split(".")[0]:
            raise  # the module is there but something it imports is broken: show that
        raise MissingDependencyError(install_hint(module, extra), name=module) from None
