"""Every message the fake answers with, and where it comes from, in one table.

Real Vault Enterprise is closed source, so some texts are guesses. Each row says how sure we are
(``V`` verified in source or captured output, ``D`` documented, ``U`` our choice) so that a
guess can be corrected in one place. The README's differences table is generated from the ``U``
rows (see ``guessed_messages``).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from fakevault.model.errors import (
    ActivationTokenError,
    InvalidRequestError,
    PermissionDeniedError,
    ReplicationStateError,
    SplitBrainRefusedError,
    UnavailableError,
    UnsupportedOperationError,
    UnsupportedPathError,
    VaultError,
)

Confidence = Literal["V", "D", "U"]


@dataclass(frozen=True)
class Message:
    """One error message: its text template, the error class, and how sure we are of it."""

    text: str
    error: type[VaultError]
    confidence: Confidence
    source: str = ""


_UNWRAP = (
    'error response unwrapping secondary token; status code is 400, message is "400 Bad Request"'
)

MESSAGES: MappingProxyType[str, Message] = MappingProxyType(
    {
        # -- replication transitions -----------------------------------------------------
        "already_primary": Message(
            "{type} replication is already enabled as a primary on this cluster",
            ReplicationStateError, "U"),
        "secondary_cannot_enable_primary": Message(
            "this cluster is a {type} secondary; promote it to make it a primary, "
            "or disable replication first", ReplicationStateError, "U"),
        "already_secondary": Message(
            "this cluster is already a {type} secondary; use update-primary to change its "
            "primary, or disable replication first", ReplicationStateError, "U"),
        "primary_cannot_enable_secondary": Message(
            "this cluster is a {type} primary; demote or disable it before enabling it as a "
            "secondary", ReplicationStateError, "U"),
        "not_primary": Message(
            "this cluster is not a {type} primary (mode: {mode}); run this on the primary",
            ReplicationStateError, "U"),
        "not_secondary": Message(
            "this cluster is not a {type} secondary (mode: {mode})",
            ReplicationStateError, "U", "issue hashicorp/vault#19603 quotes 'Not a DR secondary.'"),
        "not_enabled": Message(
            "{type} replication is not enabled on this cluster", ReplicationStateError, "U"),
        "dr_secondary_with_performance": Message(
            "performance replication is enabled on this cluster ({mode}); disable it before "
            "enabling it as a DR secondary", ReplicationStateError, "U"),
        "catching_up": Message(
            'replication is still catching up, try again later or provide the "force" argument',
            UnavailableError, "U", "sdk/helper/testcluster/replication.go comment"),
        "split_brain_refused": Message(
            "refusing to {operation}: cluster {other} is still the {type} primary of replication "
            "set {cluster_id} (fakevault strict mode)", SplitBrainRefusedError, "U",
            "fakevault's own; real Vault allows two primaries"),
        "dr_secondary_path_disabled": Message(
            "path disabled in replication DR secondary mode", InvalidRequestError, "V",
            "DataDog/integrations-core#7819"),
        "forward_failed": Message(
            "error forwarding request to the performance primary: cluster {primary} is "
            "unreachable", UnavailableError, "U"),
        "no_primary_to_forward": Message(
            "this performance secondary has no primary to forward writes to",
            UnavailableError, "U"),
        # -- secondary ids and tokens ---------------------------------------------------
        "missing_field": Message(
            'missing required field "{field}"', InvalidRequestError, "U",
            "framework paths answer 400; exact wording unknown"),
        "duplicate_secondary_id": Message(
            'a {type} secondary with id "{id}" already exists; revoke it first or choose '
            "another id", InvalidRequestError, "U", "real behaviour on a duplicate id is "
            "undocumented"),
        "unknown_secondary_id": Message(
            'no {type} secondary with id "{id}" is known to this primary',
            InvalidRequestError, "U"),
        "token_unwrap_failed": Message(_UNWRAP, ActivationTokenError, "V",
                                       "hashicorp/vault#20421"),
        "token_malformed": Message(
            "error parsing activation token: {reason}", ActivationTokenError, "U"),
        "primary_unreachable": Message(
            'error unwrapping secondary token: Put "{addr}/v1/sys/wrapping/unwrap": dial tcp: '
            "connect: connection refused", ActivationTokenError, "U"),
        "token_other_set": Message(
            "the activation token belongs to a different {type} replication set "
            "({token_cluster_id}, this cluster has {cluster_id}); use secondary/enable, which "
            "wipes this cluster, to join another set", ActivationTokenError, "U"),
        "token_and_addrs": Message(
            "only one of token or update_primary_addrs may be set", InvalidRequestError, "U"),
        "bad_duration": Message(
            'invalid duration for "{field}": {value!r} ({reason})', InvalidRequestError, "U"),
        # -- cluster and storage ----------------------------------------------------------
        "cluster_down": Message(
            "cluster {name} is down (crashed); restart it first", UnavailableError, "U",
            "fakevault's own"),
        "unknown_cluster": Message(
            "no cluster named {name!r}; clusters are {names}", InvalidRequestError, "U",
            "fakevault's own"),
        "bad_key": Message("invalid storage key {key!r}: {reason}", InvalidRequestError, "U"),
        # -- HTTP-level messages (used by fakevault.http) -------------------------------------
        "permission_denied": Message("permission denied", PermissionDeniedError, "V",
                                     "vault/request_handling.go"),
        "unsupported_path": Message("unsupported path", UnsupportedPathError, "V",
                                    "sdk/logical/error.go"),
        "unsupported_operation": Message("unsupported operation", UnsupportedOperationError, "V",
                                         "sdk/logical/error.go"),
    }
)


def message_text(name: str, /, **fields: object) -> str:
    """The text of message ``name`` with ``fields`` filled in."""
    return MESSAGES[name].text.format(**fields)


def error(name: str, /, **fields: object) -> VaultError:
    """A ready-to-raise domain error for message ``name``."""
    row = MESSAGES[name]
    return row.error(row.text.format(**fields))


def guessed_messages() -> list[tuple[str, Message]]:
    """The rows whose text or status is our choice rather than Vault's verified behaviour."""
    return [(key, row) for key, row in MESSAGES.items() if row.confidence == "U"]
