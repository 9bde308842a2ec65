"""Domain errors of the model.

Each error carries a *status hint* (the HTTP status a Vault server would answer with); only
``fakevault.http.errors`` turns hints into responses, as h11 does with ``error_status_hint``.
"""

from __future__ import annotations


class VaultError(Exception):
    """Base class of every error the model raises for something a client asked."""

    status_hint = 400

    def __init__(self, *messages: str, status_hint: int | None = None) -> None:
        super().__init__(messages[0] if messages else "")
        self.messages: list[str] = list(messages)
        if status_hint is not None:
            self.status_hint = status_hint

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(repr(m) for m in self.messages)})"


class InvalidRequestError(VaultError):
    """The request is malformed or names something that does not exist (400)."""

    status_hint = 400


class ReplicationStateError(InvalidRequestError):
    """The operation is illegal in the role's current replication mode or state (400)."""


class ActivationTokenError(InvalidRequestError):
    """An activation token was unknown, used, expired, revoked or unreachable (400)."""


class SplitBrainRefusedError(ReplicationStateError):
    """Strict mode refused an operation that would leave two primaries in one set (400)."""


class PermissionDeniedError(VaultError):
    """The caller's token may not do this (403)."""

    status_hint = 403


class UnsupportedPathError(VaultError):
    """No such path (404)."""

    status_hint = 404


class UnsupportedOperationError(VaultError):
    """The path exists but not for this operation (405)."""

    status_hint = 405


class UnavailableError(VaultError):
    """The cluster cannot answer now: crashed, or replication still catching up (503)."""

    status_hint = 503
