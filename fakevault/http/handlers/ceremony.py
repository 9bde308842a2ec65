"""``sys/replication/dr/secondary/generate-operation-token/{attempt,update}``.

Answers are top-level JSON (no ``data`` envelope), as Vault's generate-root handlers write them.
"""

from __future__ import annotations

from fakevault.http.context import Context
from fakevault.http.serialize import Reply


def attempt(ctx: Context) -> Reply:
    """GET: status; POST/PUT: start (``otp`` or a generated one); DELETE: cancel (204)."""
    ceremony = ctx.cluster.ceremony
    if ctx.operation == "read":
        return Reply(raw=ceremony.status(ctx.cluster))
    if ctx.operation == "delete":
        ceremony.cancel()
        return Reply(raw_status=204)
    started = ceremony.start(ctx.cluster, otp=ctx.params.string("otp"),
                             pgp_key=ctx.params.string("pgp_key"))
    return Reply(raw=started)


def update(ctx: Context) -> Reply:
    """Submit one key share with the attempt's nonce."""
    return Reply(raw=ctx.cluster.ceremony.update(ctx.cluster, ctx.params.string("key"),
                                                 ctx.params.string("nonce")))
