"""Response shapes for the OpenAPI document: component schemas and each endpoint's answers.

Enveloped answers use Vault's logical response envelope (``data``, ``warnings``, ``wrap_info``,
``auth``); health, leader, seal status, init, the DR operation token ceremony and the
``/_fakevault`` control plane answer top-level JSON, as the handlers write them.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

Schema = dict[str, Any]
Responses = dict[str, Any]


def ref(name: str) -> Schema:
    """A reference to component schema ``name``."""
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(required: tuple[str, ...] = (), /, **properties: Schema) -> Schema:
    schema: Schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


def _all(**properties: Schema) -> Schema:
    """An object whose properties are all required."""
    return _obj(tuple(properties), **properties)


def _nullable(schema: Schema) -> Schema:
    return {**schema, "nullable": True}


STR: Schema = {"type": "string"}
INT: Schema = {"type": "integer"}
NUM: Schema = {"type": "number"}
BOOL: Schema = {"type": "boolean"}
STRS: Schema = {"type": "array", "items": STR}
OBJ: Schema = {"type": "object"}
STR_MAP: Schema = {"type": "object", "additionalProperties": STR}

_CLUSTER_INFO = _obj(
    ("api_address", "clock_skew_ms", "cluster_address", "connection_status", "last_heartbeat",
     "last_heartbeat_duration_ms", "replication_primary_canary_age_ms"),
    api_address=STR, clock_skew_ms=STR, cluster_address=STR,
    connection_status={"type": "string", "enum": ["connected", "disconnected"]},
    last_heartbeat=STR, last_heartbeat_duration_ms=STR, node_id=STR,
    replication_primary_canary_age_ms=STR)

_MOUNT_INFO = _obj(
    ("accessor", "config", "description", "external_entropy_access", "local", "options",
     "plugin_version", "running_plugin_version", "running_sha256", "seal_wrap", "type", "uuid"),
    accessor=STR, config=OBJ, description=STR, external_entropy_access=BOOL, local=BOOL,
    options=_nullable(STR_MAP), plugin_version=STR, running_plugin_version=STR,
    running_sha256=STR, seal_wrap=BOOL, type=STR, uuid=STR, deprecation_status=STR)

_VERSION_META = _all(created_time=STR, custom_metadata=_nullable(STR_MAP), deletion_time=STR,
                     destroyed=BOOL, version=INT)

_ROLE_STATUS = _obj(
    ("mode",),
    mode={"type": "string", "enum": ["disabled", "primary", "secondary", "bootstrapping"]},
    cluster_id=STR, corrupted_merkle_tree=BOOL, last_corruption_check_epoch=STR,
    last_reindex_epoch=STR, merkle_root=STR, primary_cluster_addr=STR,
    ssct_generation_counter=INT, state=STR,
    known_secondaries=STRS, last_wal=INT, last_performance_wal=INT, last_dr_wal=INT,
    secondaries={"type": "array", "items": ref("ClusterInfo")},
    connection_state=STR, known_primary_cluster_addrs=STRS, last_remote_wal=INT,
    last_start=STR, primaries={"type": "array", "items": ref("ClusterInfo")},
    secondary_id=STR,
    merkle_sync_progress=_all(sync_progress=INT, sync_total_keys=INT))

_CLUSTER_STATE = _all(api_addr=STR, cluster_addr=STR, crashed=BOOL, storage_keys=INT,
                      last_wal=INT, replication=_all(dr=ref("ReplicationRoleStatus"),
                                                     performance=ref("ReplicationRoleStatus")))


JSON = "application/json"


def content(schema: Schema, media_type: str = JSON) -> dict[str, Any]:
    """A response or request ``content`` object."""
    return {media_type: {"schema": schema}}


def envelope(data: Schema | None = None, *, wrap: bool = False, auth: bool = False,
             top: Schema | None = None) -> Schema:
    """Vault's envelope whose ``data`` is ``data`` (null when None); ``top``: more fields."""
    if data is None and not (wrap or auth or top):
        return ref("Envelope")
    return _envelope(data, wrap=wrap, auth=auth, top=top)


def _envelope(data: Schema | None = None, *, wrap: bool = False, auth: bool = False,
              top: Schema | None = None) -> Schema:
    schema = _all(
        request_id=STR, lease_id=STR, renewable=BOOL, lease_duration=INT,
        data=data if data is not None else _nullable(OBJ),
        wrap_info=_all(token=STR, accessor=STR, ttl=INT, creation_time=STR, creation_path=STR)
        if wrap else _nullable(OBJ),
        warnings=_nullable(STRS),
        auth=_AUTH if auth else _nullable(OBJ),
        mount_type=STR)
    schema["properties"].update((top or {}).get("properties", {}))
    return schema


_AUTH: Schema = _all(client_token=STR, accessor=STR, policies=STRS, token_policies=STRS,
             metadata=_nullable(STR_MAP), lease_duration=INT, renewable=BOOL, entity_id=STR,
             token_type=STR, orphan=BOOL, mfa_requirement=_nullable(OBJ), num_uses=INT)
_TOKEN = _obj(
    ("accessor", "creation_time", "creation_ttl", "display_name", "entity_id", "expire_time",
     "explicit_max_ttl", "id", "meta", "num_uses", "orphan", "path", "policies", "renewable",
     "ttl", "type"),
    accessor=STR, creation_time=INT, creation_ttl=INT, display_name=STR, entity_id=STR,
    expire_time=_nullable(STR), explicit_max_ttl=INT, id=STR, meta=_nullable(STR_MAP),
    num_uses=INT, orphan=BOOL, path=STR, policies=STRS, renewable=BOOL, ttl=INT, type=STR,
    issue_time=STR, period=INT, role=STR, last_renewal_time=INT, last_renewal=STR)
_TOKEN_ROLE = _all(allowed_policies=STRS, disallowed_policies=STRS, explicit_max_ttl=INT,
                   name=STR, orphan=BOOL, path_suffix=STR, period=INT, renewable=BOOL,
                   token_explicit_max_ttl=INT, token_num_uses=INT, token_period=INT,
                   token_type=STR)
_KEYS = _all(keys=STRS)
_STATUS_ALL = _all(dr=ref("ReplicationRoleStatus"), performance=ref("ReplicationRoleStatus"))
#: The seed's (Vault 0.7's) flat generic status, served under ``vault_version="0.7"``.
_STATUS_FLAT = _obj(("mode",), mode=STR, cluster_id=STR, known_secondaries=STRS, last_wal=INT,
                    merkle_root=STR)
_MERKLE = _all(merkle_corruption_report=_all(
    corrupted_root=BOOL, last_corruption_check_epoch=STR,
    corrupted_tree_map={"type": "object", "additionalProperties": _all(
        corrupted_subtree_root=BOOL, root_hash=STR, tree_type=STR,
        corrupted_index_tuples_map=_nullable(OBJ))}))
_KV_READ = _all(data=_nullable(OBJ), metadata=ref("KvVersionMetadata"))
_KV_METADATA = _all(
    cas_required=BOOL, created_time=STR, current_version=INT, custom_metadata=_nullable(STR_MAP),
    delete_version_after=STR, max_versions=INT, oldest_version=INT, updated_time=STR,
    versions={"type": "object", "additionalProperties": _all(
        created_time=STR, deletion_time=STR, destroyed=BOOL)})


#: Every component schema of the document.
COMPONENTS: MappingProxyType[str, Schema] = MappingProxyType({
    "Errors": _all(errors=STRS),
    "Envelope": _envelope(),
    "ClusterInfo": _CLUSTER_INFO,
    "ReplicationRoleStatus": _ROLE_STATUS,
    "MountInfo": _MOUNT_INFO,
    "KvVersionMetadata": _VERSION_META,
    "Health": _obj(
        ("initialized", "sealed", "standby", "performance_standby",
         "replication_performance_mode", "replication_dr_mode", "server_time_utc", "version"),
        initialized=BOOL, sealed=BOOL, standby=BOOL, performance_standby=BOOL,
        replication_performance_mode=STR, replication_dr_mode=STR, server_time_utc=INT,
        version=STR, enterprise=BOOL, cluster_name=STR, cluster_id=STR, last_wal=INT,
        license=_all(state=STR, expiry_time=STR, terminated=BOOL), echo_duration_ms=INT,
        clock_skew_ms=INT, replication_primary_canary_age_ms=INT),
    "CeremonyStatus": _all(nonce=STR, started=BOOL, progress=INT, required=INT, complete=BOOL,
                           encoded_token=STR, encoded_root_token=STR, pgp_fingerprint=STR,
                           otp=STR, otp_length=INT),
    "Network": _all(partitions={"type": "array", "items": STRS}, crashed=STRS),
    "ClusterState": _CLUSTER_STATE,
    "WorldState": _all(seed=INT, sync={"type": "string", "enum": ["eager", "manual"]},
                       strict=BOOL, vault_version=STR, clock=NUM,
                       clusters={"type": "object", "additionalProperties": ref("ClusterState")},
                       network=ref("Network"), violations=INT),
    "Snapshot": _obj(("format", "version", "config", "clock", "rng", "seq", "network",
                      "clusters", "history", "invariants"),
                     format={"type": "string", "enum": ["fakevault-snapshot"]}, version=INT,
                     config=OBJ, clock=OBJ, rng={"type": "array"}, seq=INT,
                     network=OBJ, clusters=OBJ, history={"type": "array", "items": OBJ},
                     invariants=OBJ),
})


def ok(schema: Schema, description: str = "OK") -> Responses:
    """200 with ``schema``."""
    return {"200": {"description": description, "content": content(schema)}}


def empty(description: str = "empty body") -> Responses:
    """204."""
    return {"204": {"description": description}}


def warned() -> Responses:
    """200 with warnings (Vault's success texts, ignored parameters), else 204."""
    return {**ok(envelope(), "OK, with warnings"), **empty("empty body (no warnings)")}


def not_found(*alternatives: Schema) -> Responses:
    """404: ``{"errors": []}`` (a read that found nothing), or one of ``alternatives``."""
    schema = {"anyOf": [ref("Errors"), *alternatives]} if alternatives else ref("Errors")
    return {"404": {"description": "not found", "content": content(schema)}}


def _raw(name: str) -> Responses:
    return ok(ref(name))


_WORLD = _raw("WorldState")
_SPEC = _obj(("openapi", "info", "paths"), openapi=STR, info=OBJ, paths=OBJ, components=OBJ)
_HEALTH: Responses = {
    **{code: {"description": why, "content": content(ref("Health"))}
       for code, why in (("200", "active"), ("472", "a DR secondary"))},
    "default": {"description": "the status code a *code parameter asked for (none for 1xx, "
                "204 and 304)", "content": content(ref("Health"))},
}

#: endpoint -> operation -> success responses (errors are added by the builder).
ANSWERS: MappingProxyType[str, dict[str, Responses]] = MappingProxyType({
    "replication:status_all": {"read": ok(envelope({"anyOf": [_STATUS_ALL, _STATUS_FLAT]},
                                                   top=_STATUS_FLAT))},
    "replication:status_type": {"read": ok(envelope(ref("ReplicationRoleStatus")))},
    "replication:recover": {"update": ok(envelope())},
    "replication:reindex": {"update": ok(envelope())},
    "replication:merkle_check": {"update": ok(envelope(_MERKLE))},
    **{f"replication:{name}": {"update": warned()} for name in (
        "enable_primary", "demote", "disable_primary", "disable_secondary", "revoke_secondary",
        "enable_secondary", "promote", "update_primary")},
    "replication:secondary_token": {op: {"200": {"description": "a response-wrapped "
                                                 "activation token, or data.token",
                                                 "content": content({"anyOf": [
                                                     envelope(wrap=True),
                                                     envelope(_all(token=STR))]})}}
                                    for op in ("read", "update")},
    "replication:generate_public_key": {"update": ok(envelope(_all(secondary_public_key=STR)))},
    "replication:delete_operation_token": {"update": empty()},
    "paths_filter:paths_filter": {
        "read": {**ok(envelope(_all(mode={"type": "string", "enum": ["allow", "deny"]},
                                    paths=STRS))), **not_found()},
        "update": warned(), "delete": empty()},
    **{f"paths_filter:{name}": {"read": ok(envelope(_all(
        dynamic_filtered_mounts=STRS, dynamic_filtered_namespaces=STRS)))}
       for name in ("dynamic_filter", "received_filter")},
    "ceremony:attempt": {"read": _raw("CeremonyStatus"), "update": _raw("CeremonyStatus"),
                         "delete": empty("cancelled")},
    "ceremony:update": {"update": _raw("CeremonyStatus")},
    "system:health": {"read": _HEALTH,
                      "head": {code: {"description": answer["description"]}
                               for code, answer in _HEALTH.items()}},
    "system:leader": {"read": ok(_obj(
        ("ha_enabled", "is_self", "active_time", "leader_address", "leader_cluster_address",
         "performance_standby", "performance_standby_last_remote_wal"),
        ha_enabled=BOOL, is_self=BOOL, active_time=STR, leader_address=STR,
        leader_cluster_address=STR, performance_standby=BOOL,
        performance_standby_last_remote_wal=INT, last_wal=INT, raft_committed_index=INT,
        raft_applied_index=INT))},
    "system:seal_status": {"read": ok(_all(
        type=STR, initialized=BOOL, sealed=BOOL, t=INT, n=INT, progress=INT, nonce=STR,
        version=STR, build_date=STR, migration=BOOL, cluster_name=STR, cluster_id=STR,
        recovery_seal=BOOL, storage_type=STR))},
    "system:init_status": {"read": ok(_all(initialized=BOOL))},
    "system:list_mounts": {"read": ok(envelope(
        {"type": "object", "additionalProperties": ref("MountInfo")}))},
    "system:mount": {"read": ok(envelope(ref("MountInfo"))), "update": warned(),
                     "delete": empty()},
    "policies:list_policies": {"read": ok(envelope(_KEYS))},
    "policies:policy": {"read": {**ok(envelope(_all(name=STR, policy=STR))), **not_found()},
                        "update": warned(), "delete": empty()},
    "policies:legacy_list": {"read": ok(envelope(_all(keys=STRS, policies=STRS)))},
    "policies:legacy_policy": {"read": {**ok(envelope(_all(name=STR, rules=STR))),
                                        **not_found()},
                               "update": warned(), "delete": empty()},
    "tokens:create": {"update": ok(envelope(auth=True))},
    "tokens:create_orphan": {"update": ok(envelope(auth=True))},
    "tokens:lookup_self": {"read": ok(envelope(_TOKEN))},
    "tokens:lookup": {"read": ok(envelope(_TOKEN)), "update": ok(envelope(_TOKEN))},
    "tokens:revoke_self": {"update": empty()},
    "ui:mounts": {"read": ok(envelope(_all(auth=OBJ, secret=OBJ)))},
    "ui:mount": {"read": {**ok(envelope(ref("MountInfo"))), "403": {
        "description": "no valid token, or no mount serves the path",
        "content": content(ref("Errors"))}}},
    # -- issue 12: token lifecycle and roles ----------------------------------------------
    "tokens:renew": {"update": ok(envelope(auth=True))},
    "tokens:revoke": {"update": empty()},
    "tokens:lookup_accessor": {"update": ok(envelope(_TOKEN))},
    "tokens:accessors": {"list": ok(envelope(_KEYS))},
    "tokens:roles": {"list": {**ok(envelope(_KEYS)), **not_found()}},
    "wrapping:wrap": {"update": ok(envelope(wrap=True))},
    "wrapping:unwrap": {"update": ok(envelope(_nullable(OBJ)))},
    "wrapping:lookup": {m: ok(envelope(_all(creation_ttl=INT, creation_time=STR,
                                               creation_path=STR))) for m in ("read", "update")},
    "wrapping:rewrap": {"update": ok(envelope(wrap=True))},
    "auth:list": {"read": ok(envelope(OBJ))},
    "auth:mount": {"update": empty(), "delete": empty()},
    "approle:login": {"update": ok(envelope(auth=True))},
    "approle:roles": {"list": {**ok(envelope(_KEYS)), **not_found()}},
    "approle:role": {"read": {**ok(envelope(OBJ)), **not_found()}, "update": empty(),
                     "delete": empty()},
    "approle:role_id": {"read": ok(envelope(_all(role_id=STR))), "update": empty()},
    "approle:secret_id": {"update": ok(envelope(_all(
        secret_id=STR, secret_id_accessor=STR, secret_id_ttl=INT, secret_id_num_uses=INT))),
        "list": {**ok(envelope(_KEYS)), **not_found()}},
    "approle:secret_id_info": {"update": {**ok(envelope(OBJ)), **not_found()}},
    "approle:destroy": {"update": empty(), "delete": empty()},
    "tokens:role": {"read": {**ok(envelope(_TOKEN_ROLE)), **not_found()}, "update": empty(),
                    "delete": empty()},
    "specs:openapi": {"read": ok(_SPEC, "the OpenAPI document (top-level JSON)")},
    # -- kv v2 (sub-paths of the catch-all route) --------------------------------------------
    "kv:data": {
        "read": {**ok(envelope(_KV_READ)), **not_found(envelope(_KV_READ))},
        "update": ok(envelope(ref("KvVersionMetadata"))),
        "patch": {**ok(envelope(ref("KvVersionMetadata"))),
                  # No content: an empty body for no such secret (Vault sends it with
                  # Content-Type application/json; fakevault with none), the envelope with the
                  # metadata when the current version is deleted.
                  "404": {"description": "no such secret (empty body), or its current version "
                          "is deleted (the envelope, data the version's metadata)"}},
        "delete": empty()},
    "kv:metadata": {"read": {**ok(envelope({"anyOf": [_KV_METADATA, _KEYS]})), **not_found()},
                    "update": empty(), "delete": empty()},
    "kv:config": {"read": ok(envelope(_all(cas_required=BOOL, delete_version_after=STR,
                                           max_versions=INT))),
                  "update": empty()},
    **{f"kv:{name}": {"update": empty()} for name in ("delete", "undelete", "destroy")},
    # -- control plane --------------------------------------------------------------------------
    "control:state": {"read": _WORLD},
    "control:reset": {"update": _WORLD},
    "control:seed": {"update": _WORLD},
    "control:restore": {"update": _WORLD},
    "control:advance": {"update": ok(_all(clock=NUM))},
    "control:sync": {"update": ok(_all(steps=INT))},
    "control:step": {"update": ok(_all(moved=BOOL))},
    "control:partition": {"update": _raw("Network")},
    "control:heal": {"update": _raw("Network")},
    "control:crash": {"update": _raw("ClusterState")},
    "control:restart": {"update": _raw("ClusterState")},
    "control:fault": {"update": ok({"anyOf": [
        _all(kind=STR, page=STR), _all(kind=STR, type=STR), ref("ClusterState")]})},
    "control:unseal_keys": {"read": ok(_all(keys=STRS, threshold=INT))},
    "control:root_token": {"update": ok(_all(cluster=STR, token=STR))},
    "control:invariants": {"read": ok(_all(ok=BOOL, violations={"type": "array",
                                                                 "items": OBJ}))},
    "control:history": {"read": ok(_all(operations={"type": "array", "items": OBJ}))},
    "control:view": {"read": ok(_all(world=OBJ, topology=OBJ, lanes=STRS, timeline=OBJ,
                                     violations=OBJ))},
    "control:snapshot": {"read": _raw("Snapshot"), "update": _raw("Snapshot")},
})
