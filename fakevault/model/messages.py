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
        # -- performance paths filters --------------------------------------------------
        "paths_filter_bad_mode": Message(
            'invalid mode "{mode}": a paths filter\'s mode is "allow" or "deny"',
            InvalidRequestError, "U", "Vault's text for a bad mode is not public"),
        "paths_filter_bad_paths": Message(
            '"paths" must be a list of mount paths, such as ["secret/"]', InvalidRequestError,
            "U"),
        "paths_filter_not_mount": Message(
            '"{path}" is not a replicated secrets engine mount of this primary; a paths filter '
            "names mounts such as \"secret/\" (fakevault does not simulate namespaces)",
            InvalidRequestError, "U", "Vault also accepts namespace paths"),
        "paths_filter_other_secondary": Message(
            'this performance secondary has id "{own}", not "{id}"; read the dynamic filter of '
            "another secondary on it or on the primary", InvalidRequestError, "U"),
        "paths_filter_performance_only": Message(
            "paths filters apply to performance replication only", InvalidRequestError, "U",
            "only the model API can ask; Vault has no DR paths-filter path"),
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
        "dr_operation_token_missing": Message(
            "DR operation token was not provided", InvalidRequestError, "V",
            "hashicorp/vault#4498 (the status code is our guess)"),
        "dr_operation_token_invalid": Message(
            "invalid DR operation token", InvalidRequestError, "U"),
        # -- DR operation token ceremony (vault/generate_root.go) ---------------------------
        "ceremony_in_progress": Message("root generation already in progress",
                                        InvalidRequestError, "V"),
        "ceremony_otp_length": Message("OTP string has incorrect length", InvalidRequestError,
                                       "V"),
        "ceremony_otp_characters": Message(
            "OTP string must be base64 or base62 characters (ASCII letters, digits, "
            "+ / _ - = .)", InvalidRequestError, "U", "Vault fails later on such an OTP"),
        "ceremony_pgp_unsupported": Message(
            "fakevault does not encrypt to PGP keys; start the attempt with an OTP instead",
            InvalidRequestError, "U", "fakevault's own"),
        "ceremony_key_missing": Message("'key' must be specified in request body as JSON",
                                        InvalidRequestError, "V"),
        "ceremony_not_started": Message("no root generation in progress", InvalidRequestError,
                                        "V"),
        "ceremony_bad_nonce": Message(
            'incorrect nonce supplied; nonce for this root generation operation is "{nonce}"',
            InvalidRequestError, "V"),
        "ceremony_bad_key": Message("'key' must be a valid hex or base64 string",
                                    InvalidRequestError, "V"),
        "ceremony_duplicate_key": Message(
            "given key has already been provided during this generation operation",
            InvalidRequestError, "V"),
        "ceremony_aborted": Message(
            "root generation aborted: the key shares do not reconstruct this cluster's root key",
            InvalidRequestError, "U", "prefix verified, reason ours"),
        # -- mounts (sys/mounts, vault/mount.go, vault/logical_system.go) ---------------------
        "no_route": Message(
            'no handler for route "{path}". route entry not found.', UnsupportedPathError, "V",
            "vault/router.go"),
        "namespace_not_simulated": Message(
            "fakevault does not simulate namespaces (namespace {namespace!r}); send requests "
            "to the root namespace", InvalidRequestError, "U", "fakevault's own"),
        "engine_not_simulated": Message(
            "fakevault does not simulate the {type} secrets engine mounted at {mount}; only kv "
            "mounts serve requests", UnsupportedPathError, "U", "fakevault's own"),
        "mount_in_use": Message("path is already in use at {path}", InvalidRequestError, "V",
                                "vault/mount.go (a 409 coded error that Vault renders as 400)"),
        "mount_protected": Message('cannot mount "{path}"', InvalidRequestError, "V",
                                   "vault/mount.go (a 403 coded error that Vault renders as 400)"),
        "unmount_protected": Message('cannot unmount "{path}"', InvalidRequestError, "V",
                                     "vault/mount.go"),
        "mount_singleton": Message('mount type of "{type}" is not mountable', InvalidRequestError,
                                   "V", "vault/mount.go (403 coded, rendered as 400)"),
        "mount_type_missing": Message("backend type must be specified as a string",
                                      InvalidRequestError, "V", "vault/logical_system.go"),
        "mount_unknown_type": Message("plugin not found in the catalog: {type}",
                                      InvalidRequestError, "V", "vault/logical_system_test.go"),
        "mount_type_not_simulated": Message(
            'fakevault only simulates kv mounts; "{type}" is a Vault secrets engine it does not '
            "implement", InvalidRequestError, "U", "fakevault's own"),
        "mount_bad_kv_version": Message(
            'invalid kv version "{version}": use "1" or "2"', InvalidRequestError, "U",
            "Vault fails later with an internal 'nil backend' error"),
        "mount_nonlocal_on_secondary": Message(
            "cannot add a non-local mount to a replication secondary", InvalidRequestError, "V",
            "vault/logical_system.go handleMount"),
        "unmount_nonlocal_on_secondary": Message(
            "cannot unmount a non-local mount on a replication secondary", InvalidRequestError,
            "V", "vault/logical_system.go handleUnmount"),
        "mount_not_found": Message("No secret engine mount at {path}", InvalidRequestError, "V",
                                   "vault/logical_system.go handleReadMount; observed as 400"),
        # -- kv secrets engine (hashicorp/vault-plugin-secrets-kv) ---------------------------
        "kv_missing_path": Message("missing path", InvalidRequestError, "V", "path_data.go"),
        "kv_no_data": Message("no data provided", InvalidRequestError, "V", "path_data.go"),
        "kv_missing_data_fields": Message("missing data fields", InvalidRequestError, "V",
                                          "passthrough.go (kv v1)"),
        "kv_cas_mismatch": Message("check-and-set parameter did not match the current version",
                                   InvalidRequestError, "V", "path_data.go"),
        "kv_cas_required": Message("check-and-set parameter required for this call",
                                   InvalidRequestError, "V", "path_data.go"),
        "kv_cas_parse": Message("error parsing check-and-set parameter", InvalidRequestError,
                                "V", "path_data.go"),
        "kv_no_versions": Message("No version number provided", InvalidRequestError, "V",
                                  "path_delete.go (delete and undelete)"),
        "kv_no_versions_destroy": Message("no version number provided", InvalidRequestError, "V",
                                          "path_destroy.go (lower case there)"),
        # -- sys/health query parameters ------------------------------------------------------
        "health_bad_code": Message(
            'invalid value for "{param}": {value!r} is not an HTTP status code',
            InvalidRequestError, "U",
            "http/sys_health.go answers 400 with an empty error list; the text is ours"),
        "health_bad_bool": Message(
            "bad value for {param} parameter: {value!r} is not a boolean", InvalidRequestError,
            "U", "http/sys_health.go builds this text but answers 400 with an empty error list"),
        # -- HTTP-level messages (used by fakevault.http) -------------------------------------
        "permission_denied": Message("permission denied", PermissionDeniedError, "V",
                                     "vault/request_handling.go"),
        "unsupported_path": Message("unsupported path", UnsupportedPathError, "V",
                                    "sdk/logical/error.go"),
        "unsupported_operation": Message("unsupported operation", UnsupportedOperationError, "V",
                                         "sdk/logical/error.go"),
        # -- ACL policies (vault/logical_system.go, policy_store.go, policy.go) ---------------
        "policy_missing": Message("'policy' parameter not supplied or empty",
                                  InvalidRequestError, "V", "vault/logical_system.go"),
        "policy_parse": Message(
            "failed to parse policy: {reason}", InvalidRequestError, "V",
            "vault/policy.go; the prefix is Vault's, the reason is pyhcl's or ours (Vault adds "
            "line numbers and go-multierror wrapping)"),
        "policy_immutable_update": Message('cannot update "{name}" policy', InvalidRequestError,
                                           "V", "vault/policy_store.go SetPolicy"),
        "policy_immutable_delete": Message('cannot delete "{name}" policy', InvalidRequestError,
                                           "V", "vault/policy_store.go DeletePolicy"),
        "policy_default_delete": Message("cannot delete default policy", InvalidRequestError,
                                         "V", "vault/policy_store.go DeletePolicy"),
        # -- token store (vault/token_store.go handleCreateCommon and friends) ---------------
        "token_batch_parent": Message("batch tokens cannot create more tokens",
                                      InvalidRequestError, "V", "vault/token_store.go"),
        "token_restricted_parent": Message("restricted use token cannot generate child tokens",
                                           InvalidRequestError, "V", "vault/token_store.go"),
        "token_batch_field": Message('batch tokens cannot have "{field}" set',
                                     InvalidRequestError, "V", "vault/token_store.go"),
        "token_bad_type": Message("invalid 'token_type' value", InvalidRequestError, "V",
                                  "vault/token_store.go"),
        "token_negative_uses": Message("number of uses cannot be negative", InvalidRequestError,
                                       "V", "vault/token_store.go"),
        "token_id_needs_sudo": Message("root or sudo privileges required to specify token id",
                                       InvalidRequestError, "V", "vault/token_store.go"),
        "token_orphan_needs_sudo": Message(
            "root or sudo privileges required to create orphan token", InvalidRequestError, "V",
            "vault/token_store.go"),
        "token_period_needs_sudo": Message(
            "root or sudo privileges required to create periodic token", InvalidRequestError,
            "V", "vault/token_store.go"),
        "token_child_policies": Message("child policies must be subset of parent",
                                        InvalidRequestError, "V", "vault/token_store.go"),
        "token_unassignable_policy": Message('cannot assign policy "{name}"',
                                             InvalidRequestError, "V", "vault/token_store.go"),
        "token_root_needs_root": Message(
            "root tokens may not be created without parent token being root",
            InvalidRequestError, "V", "vault/token_store.go"),
        "token_batch_root": Message("batch tokens cannot be root tokens", InvalidRequestError,
                                    "V", "vault/token_store.go"),
        "token_expiring_root": Message(
            "expiring root tokens cannot create non-expiring root tokens", InvalidRequestError,
            "V", "vault/token_store.go"),
        "token_custom_id_prefix": Message(
            "custom token ID cannot have the '{prefix}' prefix", InvalidRequestError, "V",
            "vault/token_store.go create (verified for 's.'; 'hvs.' is our extension)"),
        "token_duplicate_id": Message("cannot create a token with a duplicate ID",
                                      InvalidRequestError, "V", "vault/token_store.go create"),
        "token_bad_token": Message("bad token", PermissionDeniedError, "V",
                                   "vault/token_store.go handleLookup (403)"),
        "token_batch_revoke": Message("batch tokens cannot be revoked", InvalidRequestError,
                                      "V", "vault/token_store.go revokeCommon"),
        # -- token lifecycle and roles (issue 12; vault/token_store.go, vault/expiration.go) --
        "token_missing_id": Message("missing token ID", InvalidRequestError, "V",
                                    "vault/token_store.go handleRenew/handleRevokeTree"),
        "token_not_found": Message("token not found", InvalidRequestError, "V",
                                   "vault/token_store.go handleRenew"),
        "token_batch_renew": Message("batch tokens cannot be renewed", InvalidRequestError, "V",
                                     "vault/token_store.go handleRenew"),
        "lease_not_renewable": Message("lease is not renewable", InvalidRequestError, "V",
                                       "vault/expiration.go leaseEntry.renewable"),
        "token_past_max_ttl": Message(
            "past the max TTL, cannot renew", InvalidRequestError, "U",
            "sdk/framework/lease.go CalculateTTL text; Vault answers it as a 500, we as a 400"),
        "token_role_gone": Message(
            'original token role "{role}" could not be found, not renewing', InvalidRequestError,
            "U", "vault/token_store.go authRenew text; Vault answers it as a 500, we as a 400"),
        "token_missing_accessor": Message("missing accessor", InvalidRequestError, "V",
                                          "vault/token_store.go handleUpdateRevokeAccessor"),
        "token_invalid_accessor": Message("invalid accessor", InvalidRequestError, "V",
                                          "vault/token_store.go lookupByAccessor"),
        "token_revoke_not_found": Message("token to revoke not found", InvalidRequestError,
                                          "V", "vault/token_store.go handleRevokeOrphan"),
        "token_unknown_role": Message("unknown role {role}", InvalidRequestError, "V",
                                      "vault/token_store.go handleCreateAgainstRole"),
        "token_role_policies": Message(
            "token policies ({policies}) must be subset of the role's allowed policies "
            "({allowed})", InvalidRequestError, "V", "vault/token_store.go handleCreateCommon"),
        "token_role_disallowed": Message('token policy "{name}" is disallowed by this role',
                                         InvalidRequestError, "V",
                                         "vault/token_store.go handleCreateCommon"),
        "role_bad_token_type": Message("invalid 'token_type' value \"{value}\"",
                                       InvalidRequestError, "V",
                                       "vault/token_store.go tokenStoreRoleCreateUpdate"),
        "wrapping_token_invalid": Message("wrapping token is not valid or does not exist",
                                          InvalidRequestError, "V",
                                          "http/handler.go wrappingVerificationFunc"),
        "wrapping_required": Message("endpoint requires response wrapping to be used",
                                     InvalidRequestError, "V",
                                     "vault/logical_system.go handleWrappingWrap"),
        # -- auth mounts and AppRole (issue 12) --------------------------------------------------
        "auth_type_not_simulated": Message(
            "fakevault does not simulate the \"{type}\" auth method; "
            "only approle (and the built-in token) are", InvalidRequestError, "U",
                       "fakevault's own"),
        "auth_path_in_use": Message("path is already in use at {path}", InvalidRequestError, "U",
                       "vault/mount.go (recalled)"),
        "auth_token_protected": Message(
            "token credential backend cannot be "
            "disabled", InvalidRequestError, "U",
                       "vault/auth.go (recalled)"),
        "approle_unknown_role": Message("role \"{name}\" does not exist", InvalidRequestError, "U",
                       "builtin/credential/approle (recalled)"),
        "approle_bad_accessor": Message(
            "failed to find accessor entry for secret_id_accessor: "
            "\"{accessor}\"", InvalidRequestError, "U",
                       "builtin/credential/approle (recalled)"),
        "approle_missing_role_id": Message("missing role_id", InvalidRequestError, "U",
                       "builtin/credential/approle (recalled)"),
        "approle_invalid_login": Message("invalid role or secret ID", InvalidRequestError, "U",
                       "builtin/credential/approle (recalled)"),
        "approle_ttl_over_max": Message(
            "\"token_ttl\" value must be less than "
            "\"token_max_ttl\"", InvalidRequestError, "U",
                       "our wording"),
        "approle_no_constraint": Message(
            "at least one constraint should be enabled on the "
            "role", InvalidRequestError, "U",
                       "builtin/credential/approle (recalled)"),
        "approle_role_id_in_use": Message("role_id already in use", InvalidRequestError, "U",
                       "builtin/credential/approle (recalled)"),
        "role_batch_conflict": Message(
            "'token_type' cannot be 'batch' when role is set to generate {reason}",
            InvalidRequestError, "V", "vault/token_store.go tokenStoreRoleCreateUpdate"),
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


#: Warnings Vault returns (200, ``data: null``) on success; DR texts captured from real output.
WARNINGS: MappingProxyType[str, tuple[str, Confidence]] = MappingProxyType({
    "enable_primary": (
        "This cluster is being enabled as a primary for replication. Vault will be unavailable "
        "for a brief period and will resume service shortly.", "V"),
    "enable_secondary": (
        "Vault has successfully found secondary information; it may take a while to perform "
        "setup tasks. Vault will be unavailable until these tasks and initial sync complete.",
        "V"),
    "promote": (
        "This cluster is being promoted to a replication primary. Vault will be unavailable for "
        "a brief period and will resume service shortly.", "V"),
    "demote": (
        "This cluster is being demoted to a replication secondary. Vault will be unavailable "
        "for a brief period and will resume service shortly.", "V"),
    "disable": (
        "This cluster is having replication disabled. Vault will be unavailable for a brief "
        "period and will resume service shortly.", "V"),
    # Vault answers these two with a body (HashiCorp's harness fails on an empty DR
    # update-primary answer); the texts are fakevault's.
    "update_primary": (
        "This cluster is being updated to a new replication primary. Vault will be unavailable "
        "for a brief period and will resume service shortly.", "U"),
    "revoke_secondary": (
        "The secondary has been revoked: its activation token and identity can no longer be "
        "used to replicate from this primary.", "U"),
    "recover": ("Replication recovery has been started; check the replication status for "
                "progress.", "U"),
    "reindex": ("Reindexing has been started; this can take a long time on large data sets. "
                "Check the replication status for progress.", "U"),
    "kv2_invalid_path": (
        "Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate "
        "API endpoints to use. If using the Vault CLI, use 'vault kv {command}' for this "
        "operation.", "V"),
    "kv2_root": ("Non-listing operations on the root of a K/V v2 mount are not supported.", "V"),
})
