"""The request parameters of every endpoint, in one table, for the OpenAPI document.

Each row names only what the handler really reads (``ctx.params``), with the JSON type Vault
documents for it, whether it is required, and Vault's description. Vault decodes parameters
weakly ("true" is a bool, "a,b" a list); the table gives the canonical type. ``read`` rows are
query parameters of GET/HEAD, ``update`` rows the JSON body of POST/PUT, ``patch`` rows the
merge-patch body of PATCH. ``dr_operation_token`` is added by the builder to every route whose
auth is ``dr_op``, and ``list`` to every route that answers LIST.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

JsonType = Literal["string", "boolean", "integer", "number", "array", "object"]
#: What fakevault.model.durations.parse_seconds accepts: seconds, "2d", or Go units ("1h30m").
DURATION = r"^([0-9]{1,9}|[0-9]{1,5}d|([0-9]{1,6}(ns|us|ms|s|m|h)){1,4})$"


@dataclass(frozen=True)
class Param:
    """One request parameter."""

    name: str
    type: JsonType
    description: str
    required: bool = False
    items: JsonType | None = None
    values: JsonType | None = None
    enum: tuple[str, ...] = ()
    pattern: str | None = None
    minimum: int | None = None
    maximum: int | None = None

    def schema(self) -> dict[str, Any]:
        """The parameter's JSON schema (OpenAPI 3.0 flavour)."""
        schema: dict[str, Any] = {"type": self.type, "description": self.description}
        if self.required and self.type == "string":
            schema["minLength"] = 1  # an empty required string is a missing one
        if self.items is not None:
            schema["items"] = {"type": self.items}
        if self.values is not None:
            schema["additionalProperties"] = {"type": self.values}
        if self.enum:
            schema["enum"] = list(self.enum)
        if self.pattern is not None:
            schema["pattern"] = self.pattern
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        if self.maximum is not None:
            schema["maximum"] = self.maximum
        return schema


def _duration(name: str, description: str) -> Param:
    return Param(name, "string", description + ' A duration: seconds, or "30m", "1h30m", "2d".',
                 pattern=DURATION)


_ADDR = Param("primary_cluster_addr", "string",
              "The cluster address secondaries should use to reach this primary (its "
              "configured cluster address when unset).")
_SECONDARY_ID = Param("id", "string", "The opaque identifier of the secondary.", required=True)
_API_ADDR = Param("primary_api_addr", "string",
                  "The primary's API address, when the activation token's one is not reachable.")
_CA_FILE = Param("ca_file", "string", "The CA file used to check the primary's TLS certificate.")
_CA_PATH = Param("ca_path", "string", "A directory of CA files for the primary's certificate.")
_REINDEX = (
    Param("diff", "boolean", "Only compare the merkle trees and report the differences."),
    Param("force", "boolean", "Reindex even if a reindex is already running."),
    Param("skip_flush", "boolean", "Do not flush the reindexed pages to storage at once."),
)
_SECONDARY_TOKEN = (
    _SECONDARY_ID,
    _duration("ttl", "How long the activation token is valid (default 30m)."),
    Param("secondary_public_key", "string",
          "The secondary's public key (from generate-public-key): the token is answered in "
          "data.token instead of response-wrapped."),
)
_KV_CONFIG = (
    Param("max_versions", "integer", "The number of versions to keep (0: the default, 10).",
          minimum=0, maximum=1000),
    Param("cas_required", "boolean", "Every write must send options.cas."),
    _duration("delete_version_after",
              "Delete a version this long after it was written (0: never)."),
)
_KV_DATA = (
    Param("data", "object", "The secret: a JSON object.", required=True),
    Param("options", "object",
          'Write options; "cas" is the version the write expects to be current (0: only '
          "create)."),
)
_KV_VERSIONS = (Param("versions", "array", "The versions to change.", required=True,
                      items="integer"),)
_TOKEN_CREATE = (
    Param("policies", "array", "The policies of the new token (a subset of the caller's).",
          items="string"),
    _duration("ttl", "The token's TTL."),
    _duration("lease", "Deprecated: the TTL (when ttl is unset)."),
    _duration("explicit_max_ttl", "A hard cap on the token's lifetime."),
    _duration("period", "Make the token periodic with this period."),
    Param("type", "string", "The token type.", enum=("service", "batch")),
    Param("no_parent", "boolean", "Create an orphan token (root or sudo callers only)."),
    Param("no_default_policy", "boolean", 'Do not attach the "default" policy.'),
    Param("renewable", "boolean", "Whether the token may be renewed (default true)."),
    Param("display_name", "string", "The token's display name."),
    Param("meta", "object", "Metadata as string pairs.", values="string"),
    Param("num_uses", "integer", "The number of uses (0: unlimited).", minimum=0),
    Param("id", "string", "A custom token ID (root callers only)."),
)
_CLUSTERS = Param("clusters", "array", 'Exactly two cluster names, e.g. ["a", "b"].',
                  required=True, items="string")

_TABLE: dict[str, dict[str, tuple[Param, ...]]] = {
    # -- replication --------------------------------------------------------------------
    "replication:reindex": {"update": _REINDEX},
    "replication:enable_primary": {"update": (_ADDR,)},
    "replication:secondary_token": {"read": _SECONDARY_TOKEN, "update": _SECONDARY_TOKEN},
    "replication:revoke_secondary": {"update": (_SECONDARY_ID,)},
    "replication:enable_secondary": {"update": (
        Param("token", "string", "The secondary activation token from the primary.",
              required=True),
        _API_ADDR, _CA_FILE, _CA_PATH)},
    "replication:promote": {"update": (
        _ADDR, Param("force", "boolean", "Promote even if the secondary has not caught up."))},
    "replication:update_primary": {"update": (
        Param("token", "string",
              "A new activation token; blank forgets the primary. Required unless "
              "update_primary_addrs is given."),
        _API_ADDR,
        Param("update_primary_addrs", "array",
              "New cluster addresses of the same primary (instead of a token).",
              items="string"),
        _CA_FILE, _CA_PATH)},
    "ceremony:attempt": {"update": (
        Param("otp", "string", "A one-time pad of otp_length characters; generated (and "
              "answered once) when unset."),
        Param("pgp_key", "string", "A PGP key to encrypt the token with (not simulated)."))},
    "ceremony:update": {"update": (
        Param("key", "string", "One unseal key share of the primary, hex or base64.",
              required=True),
        Param("nonce", "string", "The nonce of the attempt.", required=True))},
    # -- system --------------------------------------------------------------------------
    "system:health": {"read": (
        *(Param(name, "integer", f"The status code to answer when {when} (default "
                f"{code}).", minimum=200, maximum=599)
          for name, when, code in (
              ("activecode", "active", 200), ("standbycode", "a standby", 429),
              ("drsecondarycode", "a DR secondary", 472),
              ("performancestandbycode", "a performance standby", 473),
              ("sealedcode", "sealed", 503), ("uninitcode", "not initialized", 501),
              ("haunhealthycode", "HA is unhealthy", 474),
              ("removedcode", "removed from the cluster", 530))),
        Param("standbyok", "boolean", "A standby answers activecode."),
        Param("perfstandbyok", "boolean", "A performance standby answers activecode."))},
    "system:mount": {"update": (
        Param("type", "string", 'The engine type ("kv", "kv-v1", "kv-v2"; others are '
              "refused as not simulated).", required=True),
        Param("description", "string", "A description of the mount."),
        Param("config", "object", "default_lease_ttl, max_lease_ttl, force_no_cache."),
        Param("local", "boolean", "A local mount: not replicated by performance "
              "replication."),
        Param("seal_wrap", "boolean", "Seal-wrap the mount's data."),
        Param("options", "object", 'Engine options, e.g. {"version": "2"}.',
              values="string"))},
    "policies:policy": {"update": (
        Param("policy", "string", "The policy document, HCL or JSON (base64 accepted).",
              required=True),)},
    "policies:legacy_policy": {"update": (
        Param("rules", "string", "The policy document, HCL or JSON (this API's name; "
              "one of rules and policy is required)."),
        Param("policy", "string", "The policy document (the new name; wins over rules)."))},
    "tokens:create": {"update": _TOKEN_CREATE},
    "tokens:create_orphan": {"update": _TOKEN_CREATE},
    "tokens:lookup": {
        "read": (Param("token", "string", "The token to look up (the caller's if unset)."),),
        "update": (Param("token", "string",
                         "The token to look up (the caller's if unset)."),)},
    "specs:openapi": {"read": (
        Param("generic_mount_paths", "boolean",
              "Describe KV paths with a {secret_mount_path} parameter instead of secret/."),)},
    # -- kv v2 (sub-paths of the catch-all route) -----------------------------------------
    "kv:data": {"read": (Param("version", "integer", "The version to read (0: current).",
                               minimum=0),),
                "update": _KV_DATA, "patch": _KV_DATA},
    "kv:metadata": {"update": (
        *_KV_CONFIG,
        Param("custom_metadata", "object", "User metadata as string pairs.",
              values="string"))},
    "kv:config": {"update": _KV_CONFIG},
    "kv:delete": {"update": _KV_VERSIONS},
    "kv:undelete": {"update": _KV_VERSIONS},
    "kv:destroy": {"update": _KV_VERSIONS},
    # -- control plane --------------------------------------------------------------------
    "control:seed": {"update": (Param("seed", "integer", "The new world's seed.",
                                      required=True),)},
    "control:advance": {"update": (Param("seconds", "number", "Seconds of virtual time "
                                         "(the clock stops at the year 9707).",
                                         required=True, minimum=0, maximum=10**9),)},
    "control:partition": {"update": (_CLUSTERS,)},
    "control:heal": {"update": (
        Param("clusters", "array", "Two cluster names; every link heals when unset.",
              items="string"),)},
    "control:view": {"read": (
        Param("offset", "integer", "Timeline rows to skip, from the newest.", minimum=0),
        Param("limit", "integer", "Timeline rows to answer.", minimum=1, maximum=1000))},
    "control:fault": {"update": (
        Param("kind", "string", "The fault.", required=True,
              enum=("corrupt-merkle", "stall", "crash")),
        Param("tree", "string", "corrupt-merkle: which tree.",
              enum=("replicated", "local")),
        Param("type", "string", "stall: which replication.", enum=("performance", "dr")))},
}

#: endpoint -> operation ("read", "update", "patch") -> parameters, as the handlers read them.
PARAMETERS: MappingProxyType[str, MappingProxyType[str, tuple[Param, ...]]] = MappingProxyType(
    {endpoint: MappingProxyType(operations) for endpoint, operations in _TABLE.items()})

#: The DR operation token, for every route whose auth is ``dr_op``.
DR_OPERATION_TOKEN = Param(
    "dr_operation_token", "string",
    "A DR operation token (from the generate-operation-token ceremony) or a batch token "
    "allowed on the path.", required=True)
