"""Every declared path as an HTTP client meets it: URL template, methods, who may call.

Generated from the declarations, so the README's supported-endpoints table
(:mod:`fakevault.endpoints`), the OpenAPI document and the tests all read the one truth.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fakevault.model.versions import DEFAULT_VERSION, PROFILES
from fakevault.vault.framework import Auth, Backend, Path
from fakevault.vault.router import CONTROL, KV_V2, SYSTEM, TOKEN

_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<regex>[^)]*)\)")
_ALTERNATION = re.compile(r"[\w-]+(\|[\w-]+)+")
#: Logical operation -> the HTTP methods that reach it.
METHODS = {"read": ("GET",), "list": ("LIST",), "update": ("POST", "PUT"),
           "delete": ("DELETE",), "patch": ("PATCH",)}
#: (mount as a client writes it, backend): KV is described at the dev server's ``secret/``.
MOUNTED: tuple[tuple[str, Backend], ...] = (
    ("sys/", SYSTEM), ("auth/token/", TOKEN), ("secret/", KV_V2), ("/_fakevault/", CONTROL))


@dataclass(frozen=True)
class Endpoint:
    """One declared path: ``path`` is relative to ``/v1/`` (the control plane's is absolute),
    with ``{name}`` for each capture; ``choices`` lists a capture's values when the pattern
    names them (``rtype``: performance, dr)."""

    path: str
    methods: tuple[str, ...]
    auth: Auth
    dr_ok: bool
    legacy: bool
    declaration: Path
    choices: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def control(self) -> bool:
        """True for fakevault's own control plane (not a Vault path)."""
        return self.auth == "control"

    @property
    def operations(self) -> tuple[str, ...]:
        """The logical operations the path answers."""
        return tuple(self.declaration.operations)


def template(pattern: str) -> str:
    """``replication/(?P<rtype>performance|dr)/status`` -> ``replication/{rtype}/status``."""
    text = _GROUP.sub(lambda match: "{" + match["name"] + "}", pattern)
    return text.removesuffix("/?")


def _choices(pattern: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((match["name"], tuple(match["regex"].split("|")))
                 for match in _GROUP.finditer(pattern) if _ALTERNATION.fullmatch(match["regex"]))


def endpoint(mount: str, path: Path) -> Endpoint:
    """The endpoint of declaration ``path`` under ``mount``."""
    methods = tuple(method for operation in path.operations for method in METHODS[operation])
    return Endpoint(mount + template(path.pattern), methods, path.auth, path.dr_ok, path.legacy,
                    path, _choices(path.pattern))


def endpoints(version: str = DEFAULT_VERSION) -> list[Endpoint]:
    """Every endpoint a world of Vault ``version`` serves, in routing order."""
    profile = PROFILES[version]
    return [endpoint(mount, path) for mount, backend in MOUNTED for path in backend.paths
            if path.exists_in(profile)]
