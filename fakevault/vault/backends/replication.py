"""The replication endpoints: the seed's generic paths and the modern performance and DR ones.

Each callback calls one model method and shapes the answer: the seed's generic paths answer
204 (empty), the modern ones 200 with Vault's warnings. ``PATHS`` declares every path, relative
to ``sys/``: the generic ``replication/...`` ones act on performance replication (``legacy``),
``replication/(performance|dr)/...`` on the type named.
"""

from __future__ import annotations

import base64
from typing import Any

from fakevault.model.clock import rfc3339_nano
from fakevault.model.errors import InvalidRequestError
from fakevault.model.messages import WARNINGS
from fakevault.vault.context import Context
from fakevault.vault.framework import Callback, Field, Path
from fakevault.vault.logical import Response as Reply


def _done(ctx: Context, warning: str) -> Reply:
    """200 with Vault's ``warning``; the seed's document answers 204 (unknown parameters still
    warn)."""
    profile = ctx.sim.profile
    silent = (ctx.legacy and profile.empty_generic_answers) or (
        profile.empty_updates and warning in _SEED_SILENT)
    return Reply(empty=True, warnings=[] if silent else [WARNINGS[warning][0]])


#: Answers the seed's document gives as 204 even on its modern paths.
_SEED_SILENT = frozenset({"update_primary", "revoke_secondary"})


# -- status (unauthenticated) ----------------------------------------------------------------
def status_all(ctx: Context) -> Reply:
    """``GET /sys/replication/status``: ``{dr, performance}`` (the seed's document: the flat
    performance status, also at the top level)."""
    if not ctx.sim.profile.flat_generic_status:
        return Reply(data=ctx.cluster.status())
    perf = ctx.cluster.performance
    flat: dict[str, Any] = {
        "mode": perf.mode,
        "cluster_id": perf.cluster_id,
        "known_secondaries": list(perf.known) if perf.mode == "primary" else [],
        "last_wal": ctx.cluster.storage.last_wal,
        "merkle_root": ctx.cluster.storage.merkle_root("performance"),
    }
    return Reply(data=flat)  # copied to the top level too: the seed profile copies every sys/


def status_type(ctx: Context) -> Reply:
    """``GET /sys/replication/<type>/status``."""
    return Reply(data=ctx.role().status())


# -- primary side --------------------------------------------------------------------------
def enable_primary(ctx: Context) -> Reply:
    """``primary/enable``."""
    ctx.role().enable_primary(ctx.data.get("primary_cluster_addr"))
    return _done(ctx, "enable_primary")


def demote(ctx: Context) -> Reply:
    """``primary/demote``."""
    ctx.role().demote()
    return _done(ctx, "demote")


def disable_primary(ctx: Context) -> Reply:
    """``primary/disable``."""
    ctx.role().disable_primary()
    return _done(ctx, "disable")


def disable_secondary(ctx: Context) -> Reply:
    """``secondary/disable``."""
    ctx.role().disable_secondary()
    return _done(ctx, "disable")


def secondary_token(ctx: Context) -> Reply:
    """``primary/secondary-token``: a wrapped activation JWT, or ``data.token`` with a key."""
    identifier = ctx.data.get("id")
    ttl = ctx.data.get("ttl")
    public_key = ctx.data.get("secondary_public_key")
    token = ctx.role().secondary_token(identifier, ttl=ttl, secondary_public_key=public_key)
    if public_key:
        return Reply(data={"token": token.token})
    return Reply(wrap_info={
        "token": token.token,
        "accessor": token.accessor,
        "ttl": token.ttl,
        "creation_time": rfc3339_nano(token.issued_at),
        "creation_path": ctx.path,
    })


def revoke_secondary(ctx: Context) -> Reply:
    """``primary/revoke-secondary`` (and the seed's ``secondary/revoke-secondary``)."""
    ctx.role().revoke_secondary(ctx.data.get("id"))
    return _done(ctx, "revoke_secondary")


# -- secondary side ------------------------------------------------------------------------
def generate_public_key(ctx: Context) -> Reply:
    """``secondary/generate-public-key``."""
    return Reply(data={"secondary_public_key": ctx.role().generate_public_key()})


def enable_secondary(ctx: Context) -> Reply:
    """``secondary/enable``: wipes this cluster and joins the token's primary."""
    data = ctx.data
    ctx.role().enable_secondary(data.get("token"), primary_api_addr=data.get("primary_api_addr"),
                                ca_file=data.get("ca_file"), ca_path=data.get("ca_path"))
    return _done(ctx, "enable_secondary")


def promote(ctx: Context) -> Reply:
    """``secondary/promote``."""
    ctx.role().promote(primary_cluster_addr=ctx.data.get("primary_cluster_addr"),
                       force=ctx.data.get("force"))
    return _done(ctx, "promote")


def update_primary(ctx: Context) -> Reply:
    """``secondary/update-primary``: a new primary of the set, or a blank token to forget it."""
    data = ctx.data
    addrs = data.get("update_primary_addrs")
    if "token" not in data and not addrs:
        raise InvalidRequestError('missing required field "token"')
    token = data.get("token")  # present but blank: forget the primary
    ctx.role().update_primary(token, primary_api_addr=data.get("primary_api_addr"),
                              update_primary_addrs=addrs or None,
                              ca_file=data.get("ca_file"), ca_path=data.get("ca_path"))
    return _done(ctx, "update_primary")


# -- both sides -----------------------------------------------------------------------------
def recover(ctx: Context) -> Reply:
    """``recover``: restart a replication that stopped syncing."""
    ctx.role().recover()
    return Reply(warnings=[WARNINGS["recover"][0]])


def reindex(ctx: Context) -> Reply:
    """``reindex``: rebuild the merkle trees."""
    ctx.role().reindex()  # diff, force and skip_flush change nothing the model keeps
    return Reply(warnings=[WARNINGS["reindex"][0]])


def merkle_check(ctx: Context) -> Reply:
    """``merkle-check``: report corrupted merkle pages, per subtree (fact 18's shape)."""
    report = ctx.role().merkle_check()
    storage = ctx.cluster.storage
    trees = {"1": ("replicated", storage.replicated), "2": ("local", storage.local)}
    subtrees = {key: _subtree(kind, tree.root, report[kind])
                for key, (kind, tree) in trees.items()}
    return Reply(data={"merkle_corruption_report": {
        "corrupted_root": any(s["corrupted_subtree_root"] for s in subtrees.values()),
        "corrupted_tree_map": subtrees,
        "last_corruption_check_epoch": rfc3339_nano(report["epoch"]),
    }})


def _subtree(kind: str, root: str, corrupted: list[str]) -> dict[str, Any]:
    pages = {name: {"corrupted": True, "subpages": None} for name in corrupted}
    return {"corrupted_index_tuples_map": pages or None,
            "corrupted_subtree_root": bool(pages),
            "root_hash": base64.b64encode(bytes.fromhex(root)).decode(),
            "tree_type": kind}


def delete_operation_token(ctx: Context) -> Reply:
    """``dr/secondary/operation-token/delete``: the DR operation token stops working."""
    ctx.cluster.ceremony.tokens.discard(ctx.data.get("dr_operation_token"))
    return Reply(empty=True)


# -- declarations ----------------------------------------------------------------------------

TYPES = "(?P<rtype>performance|dr)"
PERF = {"rtype": "performance"}
DR = {"rtype": "dr"}
_ADDR = Field("primary_cluster_addr", "string",
              "The cluster address secondaries should use to reach this primary (its "
              "configured cluster address when unset).")
_SECONDARY_ID = Field("id", "string", "The opaque identifier of the secondary.", required=True)
_API_ADDR = Field("primary_api_addr", "string",
                  "The primary's API address, when the activation token's one is not reachable.")
_CA = (Field("ca_file", "string", "The CA file used to check the primary's TLS certificate."),
       Field("ca_path", "string", "A directory of CA files for the primary's certificate."))
_REINDEX = (
    Field("diff", "bool", "Only compare the merkle trees and report the differences."),
    Field("force", "bool", "Reindex even if a reindex is already running."),
    Field("skip_flush", "bool", "Do not flush the reindexed pages to storage at once."),
)
_SECONDARY_TOKEN = (
    Field(_SECONDARY_ID.name, "string", _SECONDARY_ID.description, required=True,
          location="both"),
    Field("ttl", "duration", "How long the activation token is valid (default 30m).",
          location="both"),
    Field("secondary_public_key", "string",
          "The secondary's public key (from generate-public-key): the token is answered in "
          "data.token instead of response-wrapped.", location="both"),
)
_ENABLE_SECONDARY = (Field("token", "string", "The secondary activation token from the primary.",
                           required=True), _API_ADDR, *_CA)
_PROMOTE = (_ADDR, Field("force", "bool", "Promote even if the secondary has not caught up."))
_UPDATE_PRIMARY = (
    Field("token", "string", "A new activation token; blank forgets the primary. Required "
          "unless update_primary_addrs is given."),
    _API_ADDR,
    Field("update_primary_addrs", "strings",
          "New cluster addresses of the same primary (instead of a token)."),
    *_CA,
)
#: The DR operation token, on every path whose auth is ``dr_op``.
DR_OPERATION_TOKEN = Field(
    "dr_operation_token", "string",
    "A DR operation token (from the generate-operation-token ceremony) or a batch token "
    "allowed on the path.", required=True)

_PRIMARY = {"enable": (enable_primary, (_ADDR,)), "demote": (demote, ()),
            "disable": (disable_primary, ())}
_SECONDARY = {"enable": (enable_secondary, _ENABLE_SECONDARY), "promote": (promote, _PROMOTE),
              "disable": (disable_secondary, ()),
              "update-primary": (update_primary, _UPDATE_PRIMARY)}
_DR_SECONDARY = {"promote": (promote, _PROMOTE), "disable": (disable_secondary, ()),
                 "update-primary": (update_primary, _UPDATE_PRIMARY),
                 "operation-token/delete": (delete_operation_token, ()),
                 "reindex": (reindex, _REINDEX), "recover": (recover, ()),
                 "merkle-check": (merkle_check, ())}
_UPDATE = ("update",)


def _path(pattern: str, callback: Callback, fields: tuple[Field, ...] = (), *,
          operations: tuple[str, ...] = _UPDATE, **options: Any) -> Path:
    return Path(pattern, dict.fromkeys(operations, callback), fields,
                answers=f"replication:{callback.__name__}", **options)


PATHS: tuple[Path, ...] = (
    _path("replication/status", status_all, operations=("read",), auth="none", dr_ok=True),
    _path(f"replication/{TYPES}/status", status_type, operations=("read",), auth="none",
          dr_ok=True),
    _path("replication/recover", recover, captures=PERF, legacy=True),
    _path("replication/reindex", reindex, _REINDEX, auth="sudo", captures=PERF, legacy=True),
    _path(f"replication/{TYPES}/reindex", reindex, _REINDEX, auth="sudo"),
    _path("replication/merkle-check", merkle_check, captures=PERF),
    *(_path(f"replication/primary/{verb}", callback, fields, captures=PERF, legacy=True)
      for verb, (callback, fields) in _PRIMARY.items()),
    *(_path(f"replication/{TYPES}/primary/{verb}", callback, fields)
      for verb, (callback, fields) in _PRIMARY.items()),
    # The seed's document also reads it with GET; modern Vault: update only (fact 7).
    _path("replication/primary/secondary-token", secondary_token, _SECONDARY_TOKEN,
          operations=("read", "update"), auth="sudo", captures=PERF, legacy=True,
          requires="seed_only_paths"),
    _path("replication/primary/secondary-token", secondary_token, _SECONDARY_TOKEN,
          auth="sudo", captures=PERF, legacy=True, requires="!seed_only_paths"),
    _path(f"replication/{TYPES}/primary/secondary-token", secondary_token, _SECONDARY_TOKEN,
          auth="sudo"),
    _path("replication/primary/revoke-secondary", revoke_secondary, (_SECONDARY_ID,),
          captures=PERF, legacy=True),
    _path("replication/secondary/revoke-secondary", revoke_secondary, (_SECONDARY_ID,),
          captures=PERF, legacy=True, requires="seed_only_paths"),  # not in modern Vault
    _path(f"replication/{TYPES}/primary/revoke-secondary", revoke_secondary, (_SECONDARY_ID,)),
    *(_path(f"replication/secondary/{verb}", callback, fields, captures=PERF, legacy=True)
      for verb, (callback, fields) in _SECONDARY.items()),
    *(_path(f"replication/performance/secondary/{verb}", callback, fields, captures=PERF)
      for verb, (callback, fields) in _SECONDARY.items()),
    _path("replication/dr/secondary/enable", enable_secondary, _ENABLE_SECONDARY, captures=DR),
    *(_path(f"replication/dr/secondary/{verb}", callback, (*fields, DR_OPERATION_TOKEN),
            auth="dr_op", dr_ok=True, captures=DR)
      for verb, (callback, fields) in _DR_SECONDARY.items()),
    _path(f"replication/{TYPES}/secondary/generate-public-key", generate_public_key),
)
