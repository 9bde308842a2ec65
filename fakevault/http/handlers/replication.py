"""The replication endpoints: the seed's generic paths and the modern performance and DR ones.

Each handler parses, calls one model method, and shapes the answer: the seed's generic paths
answer 204 (empty), the modern ones 200 with Vault's warnings.
"""

from __future__ import annotations

from typing import Any

from fakevault.http.context import Context
from fakevault.http.params import ignored_warning
from fakevault.http.serialize import Reply
from fakevault.model.clock import rfc3339_nano
from fakevault.model.errors import InvalidRequestError
from fakevault.model.messages import WARNINGS

_CLIENT_ONLY = ("ca_file", "ca_path", "dr_operation_token")


def _done(ctx: Context, warning: str | None) -> Reply:
    """204 for the seed's paths, else 200 with ``warning``; unknown parameters warn as Vault."""
    warnings = [] if ctx.legacy or warning is None else [WARNINGS[warning][0]]
    ignored = ctx.params.ignored(_CLIENT_ONLY)
    if ignored:
        warnings.append(ignored_warning(ignored))
    return Reply(empty=not warnings, warnings=warnings)


# -- status (unauthenticated) ----------------------------------------------------------------
def status_all(ctx: Context) -> Reply:
    """``GET /sys/replication/status``: both roles, plus the seed's flat performance fields."""
    perf = ctx.cluster.performance
    flat: dict[str, Any] = {
        "mode": perf.mode,
        "cluster_id": perf.cluster_id,
        "known_secondaries": list(perf.known) if perf.mode == "primary" else [],
        "last_wal": ctx.cluster.storage.last_wal,
        "merkle_root": ctx.cluster.storage.merkle_root("performance"),
    }
    return Reply(data={**ctx.cluster.status(), **flat}, top_level=flat)


def status_type(ctx: Context) -> Reply:
    """``GET /sys/replication/<type>/status``."""
    return Reply(data=ctx.role().status())


# -- primary side --------------------------------------------------------------------------
def enable_primary(ctx: Context) -> Reply:
    """``primary/enable``."""
    ctx.role().enable_primary(ctx.params.string("primary_cluster_addr"))
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
    identifier = ctx.params.string("id", required=True)
    ttl = ctx.params.duration("ttl", "30m")
    public_key = ctx.params.string("secondary_public_key")
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
    ctx.role().revoke_secondary(ctx.params.string("id", required=True))
    return _done(ctx, None)


# -- secondary side ------------------------------------------------------------------------
def generate_public_key(ctx: Context) -> Reply:
    """``secondary/generate-public-key``."""
    return Reply(data={"secondary_public_key": ctx.role().generate_public_key()})


def enable_secondary(ctx: Context) -> Reply:
    """``secondary/enable``: wipes this cluster and joins the token's primary."""
    params = ctx.params
    ctx.role().enable_secondary(params.string("token", required=True),
                                primary_api_addr=params.string("primary_api_addr"),
                                ca_file=params.string("ca_file"),
                                ca_path=params.string("ca_path"))
    return _done(ctx, "enable_secondary")


def promote(ctx: Context) -> Reply:
    """``secondary/promote``."""
    ctx.role().promote(primary_cluster_addr=ctx.params.string("primary_cluster_addr"),
                       force=ctx.params.boolean("force"))
    return _done(ctx, "promote")


def update_primary(ctx: Context) -> Reply:
    """``secondary/update-primary``: a new primary of the set, or a blank token to forget it."""
    params = ctx.params
    addrs = params.strings("update_primary_addrs")
    if "token" not in params and not addrs:
        raise InvalidRequestError('missing required field "token"')
    token = params.string("token")  # present but blank: forget the primary
    ctx.role().update_primary(token, primary_api_addr=params.string("primary_api_addr"),
                              update_primary_addrs=addrs or None,
                              ca_file=params.string("ca_file"), ca_path=params.string("ca_path"))
    return _done(ctx, None)


# -- both sides -----------------------------------------------------------------------------
def recover(ctx: Context) -> Reply:
    """``recover``: restart a replication that stopped syncing."""
    ctx.role().recover()
    return Reply(warnings=[WARNINGS["recover"][0]])


def reindex(ctx: Context) -> Reply:
    """``reindex``: rebuild the merkle trees."""
    for flag in ("diff", "force", "skip_flush"):
        ctx.params.boolean(flag)
    ctx.role().reindex()
    return Reply(warnings=[WARNINGS["reindex"][0]])


def merkle_check(ctx: Context) -> Reply:
    """``merkle-check``: report corrupted merkle pages."""
    report = ctx.role().merkle_check()
    pages: dict[str, dict[str, Any]] = {
        f"{kind}:{page}": {"corrupted_subtree_root": True, "root_hash": "", "tree_type": kind,
                           "corrupted_index_tuples_map": {}}
        for kind in ("replicated", "local") for page in report[kind]}
    return Reply(data={"merkle_corruption_report": {
        "corrupted_root": bool(pages),
        "corrupted_tree_map": pages,
        "last_corruption_check_epoch": str(report["epoch"]),
    }})


def delete_operation_token(ctx: Context) -> Reply:
    """``dr/secondary/operation-token/delete``: the DR operation token stops working."""
    ctx.cluster.ceremony.tokens.discard(ctx.params.string("dr_operation_token"))
    return Reply(empty=True)
