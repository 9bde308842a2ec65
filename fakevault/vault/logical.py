"""Logical requests and responses: what Vault's router and backends speak, with no HTTP in it.

A logical request is an operation on a path with some data and the caller's token (Vault's
``logical.Request``); a logical response is data, warnings, auth, wrap_info and secret (Vault's
``logical.Response``). ``raw`` and ``raw_status`` are Vault's ``http_raw_body`` and
``http_status_code``: the few endpoints (health, leader, the ceremonies, the control plane) that
answer their own JSON instead of the envelope.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Operation = Literal["read", "update", "delete", "list", "patch"]
OPERATIONS: tuple[Operation, ...] = ("read", "update", "delete", "list", "patch")

#: Vault renders most errors through hashicorp/go-multierror.
UNSUPPORTED_PATH = "1 error occurred:\n\t* unsupported path\n\n"
UNSUPPORTED_OPERATION = "1 error occurred:\n\t* unsupported operation\n\n"
PERMISSION_DENIED = "1 error occurred:\n\t* permission denied\n\n"
INVALID_TOKEN = "2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n"


@dataclass
class Request:
    """One logical request: ``operation`` on ``path`` (no leading slash) with ``data``.

    ``control`` marks fakevault's own control plane (``/_fakevault/`` over HTTP), which is not
    a Vault path and is routed apart from every mount.
    """

    operation: Operation
    path: str
    data: dict[str, Any] = field(default_factory=dict)
    token: str = ""
    control: bool = False
    #: ``X-Vault-Namespace``: only the root namespace is simulated.
    namespace: str = ""
    #: Vault's ``X-Vault-Wrap-TTL``: answer only ``wrap_info`` of a single-use token.
    wrap_ttl: str = ""

    def __post_init__(self) -> None:
        if self.operation not in OPERATIONS:
            raise ValueError(f"unknown operation {self.operation!r}; operations are "
                             + ", ".join(OPERATIONS))
        self.path = self.path.lstrip("/")
        if self.operation == "list" and not self.path.endswith("/"):
            self.path += "/"  # Vault checks LIST against the path with a trailing slash


@dataclass
class Response:
    """What a backend answers; the HTTP layer turns it into Vault's envelope (or a raw body)."""

    data: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)
    wrap_info: dict[str, Any] | None = None
    auth: dict[str, Any] | None = None
    secret: dict[str, Any] | None = None
    #: Fields the envelope carries beside ``data`` (the seed's flat status, KV v1's lease).
    top_level: dict[str, Any] = field(default_factory=dict)
    raw: Any = None
    raw_status: int | None = None
    #: Nothing to say: Vault's 204 (a response with warnings is never empty).
    empty: bool = False
    mount_type: str = "system"
    #: Old clients read these answers' ``data`` at the top level too (Vault's list of paths).
    copy_data_to_top: bool = False

    @property
    def is_empty(self) -> bool:
        """True when the answer has no body at all (Vault's 204)."""
        return self.empty and not self.warnings


def envelope(response: Response, request_id: str) -> dict[str, Any]:
    """Vault's JSON envelope of ``response`` (sdk/logical's LogicalResponseToHTTPResponse)."""
    wrapped = response.wrap_info is not None
    body: dict[str, Any] = {
        "request_id": "" if wrapped else request_id,
        "lease_id": "",
        "renewable": False,
        "lease_duration": 0,
        "data": None if wrapped else response.data,
        "wrap_info": response.wrap_info,
        "warnings": response.warnings or None,
        "auth": response.auth,
        "mount_type": "" if wrapped else response.mount_type,
    }
    body.update(response.top_level)
    return body
