"""``/_fakevault/``: drive the world from outside (tests in other languages, scripts, people).

JSON in, JSON out (no Vault envelope), root token only. Every fault of the model is here.
"""

from __future__ import annotations

from typing import Any

from fakevault.http.context import Context
from fakevault.http.serialize import Reply
from fakevault.model.clock import ManualClock, SystemClock
from fakevault.model.errors import InvalidRequestError
from fakevault.model.simulator import Simulator

FAULTS = ("corrupt-merkle", "stall", "partition", "crash")


def fresh_world(sim: Simulator, seed: int | None = None) -> Simulator:
    """A new world with ``sim``'s configuration and addresses (and ``seed`` if given)."""
    clock = SystemClock() if isinstance(sim.clock, SystemClock) else ManualClock()
    addresses = {c.name: (c.api_addr, c.cluster_addr) for c in sim}
    return Simulator(seed=sim.seed if seed is None else seed, clusters=sim.names,
                     sync=sim.sync_mode, strict=sim.strict, root_token=sim.root_token,
                     wal_retention=sim.wal_retention, key_shares=sim.key_shares,
                     key_threshold=sim.key_threshold, clock=clock, addresses=addresses)


def world_state(sim: Simulator) -> dict[str, Any]:
    """Every cluster's roles, storage size and addresses, the links and the clock."""
    return {
        "seed": sim.seed,
        "sync": sim.sync_mode,
        "strict": sim.strict,
        "clock": sim.clock.now(),
        "clusters": {c.name: {
            "api_addr": c.api_addr,
            "cluster_addr": c.cluster_addr,
            "crashed": c.crashed,
            "storage_keys": len(c.storage),
            "last_wal": c.storage.last_wal,
            "replication": c.status(),
        } for c in sim},
        "network": sim.network.to_json(),
        "violations": len(sim.violations),
    }


def _replace(ctx: Context, sim: Simulator) -> Reply:
    assert ctx.replace_world is not None
    state = world_state(sim)  # first: a world that cannot show its state is not swapped in
    ctx.replace_world(sim)
    return Reply(raw=state)


def state(ctx: Context) -> Reply:
    """``GET state``."""
    return Reply(raw=world_state(ctx.sim))


def reset(ctx: Context) -> Reply:
    """``POST reset``: a new world, same seed and configuration."""
    return _replace(ctx, fresh_world(ctx.sim))


def seed(ctx: Context) -> Reply:
    """``POST seed {"seed": N}``: a new world with seed N."""
    if "seed" not in ctx.params:
        raise InvalidRequestError('missing required field "seed"')
    return _replace(ctx, fresh_world(ctx.sim, ctx.params.integer("seed")))


def advance(ctx: Context) -> Reply:
    """``POST clock/advance {"seconds": S}``."""
    seconds = ctx.params.raw("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise InvalidRequestError('invalid value for "seconds": expected a number of seconds')
    ctx.sim.advance(float(seconds))
    return Reply(raw={"clock": ctx.sim.clock.now()})


def sync(ctx: Context) -> Reply:
    """``POST sync``: replicate until nothing moves."""
    return Reply(raw={"steps": ctx.sim.sync()})


def step(ctx: Context) -> Reply:
    """``POST step``: one unit of replication work per secondary."""
    return Reply(raw={"moved": ctx.sim.step()})


def _pair(ctx: Context) -> tuple[str, str]:
    clusters = ctx.params.strings("clusters")
    if len(clusters) != 2:
        raise InvalidRequestError('"clusters" must name exactly two clusters, e.g. ["a", "b"]')
    return clusters[0], clusters[1]


def partition(ctx: Context) -> Reply:
    """``POST network/partition {"clusters": [A, B]}``."""
    ctx.sim.partition(*_pair(ctx))
    return Reply(raw=ctx.sim.network.to_json())


def heal(ctx: Context) -> Reply:
    """``POST network/heal {"clusters": [A, B]}``, or no body to heal every link."""
    if "clusters" in ctx.params:
        ctx.sim.heal(*_pair(ctx))
    else:
        ctx.sim.heal()
    return Reply(raw=ctx.sim.network.to_json())


def crash(ctx: Context) -> Reply:
    """``POST clusters/NAME/crash``: it answers 503 until restarted."""
    ctx.sim.crash(str(ctx.args["name"]))
    return Reply(raw=world_state(ctx.sim)["clusters"][ctx.args["name"]])


def restart(ctx: Context) -> Reply:
    """``POST clusters/NAME/restart {"demote_stale_primaries": false}``."""
    ctx.sim.restart(str(ctx.args["name"]),
                    demote_stale_primaries=ctx.params.boolean("demote_stale_primaries"))
    return Reply(raw=world_state(ctx.sim)["clusters"][ctx.args["name"]])


def fault(ctx: Context) -> Reply:
    """``POST clusters/NAME/faults {"kind": ...}``: corrupt-merkle (tree), stall (type)."""
    name = str(ctx.args["name"])
    kind = ctx.params.string("kind", required=True)
    if kind == "corrupt-merkle":
        tree = ctx.params.string("tree", "replicated")
        if tree not in ("replicated", "local"):
            raise InvalidRequestError('"tree" must be "replicated" or "local"')
        page = ctx.sim.corrupt_merkle(name, "local" if tree == "local" else "replicated")
        return Reply(raw={"kind": kind, "page": page})
    if kind == "stall":
        rtype = ctx.params.string("type", "performance")
        if rtype not in ("performance", "dr"):
            raise InvalidRequestError('"type" must be "performance" or "dr"')
        ctx.sim.stall(name, rtype)
        return Reply(raw={"kind": kind, "type": rtype})
    if kind == "crash":
        return crash(ctx)
    raise InvalidRequestError(f'unknown fault kind {kind!r}; kinds are "corrupt-merkle", '
                              '"stall", "crash" (partitions: POST /_fakevault/network/partition)')


def unseal_keys(ctx: Context) -> Reply:
    """``GET clusters/NAME/unseal-keys``: its key shares (a secondary's are its primary's)."""
    cluster = ctx.sim[str(ctx.args["name"])]
    return Reply(raw={"keys": list(cluster.unseal_keys), "threshold": cluster.unseal_threshold})


def invariants(ctx: Context) -> Reply:
    """``GET invariants``: ``{"ok": bool, "violations": [...]}``."""
    found = ctx.sim.check()
    return Reply(raw={"ok": not found, "violations": [v.to_json() for v in found]})


def history(ctx: Context) -> Reply:
    """``GET history``: every operation, oldest first."""
    return Reply(raw={"operations": ctx.sim.history.to_json()})


def view(ctx: Context) -> Reply:
    """``GET view?offset=0&limit=100``: what the web view at /ui/ shows (fakevault.web)."""
    from fakevault.web.view import DEFAULT_LIMIT, view_model

    return Reply(raw=view_model(ctx.sim, ctx.params.integer("offset"),
                                ctx.params.integer("limit", DEFAULT_LIMIT)))


def snapshot(ctx: Context) -> Reply:
    """``GET/POST snapshot``: the whole world as JSON (what ``restore`` takes)."""
    return Reply(raw=ctx.sim.snapshot())


def restore(ctx: Context) -> Reply:
    """``POST restore`` with a snapshot as the body; the clusters keep this server's addresses."""
    from fakevault.model.snapshot import SnapshotError

    current = {c.name: (c.api_addr, c.cluster_addr) for c in ctx.sim}
    try:
        restored = Simulator.restore(ctx.params.values)
    except SnapshotError as exc:
        raise InvalidRequestError(str(exc)) from None
    for name, (api_addr, cluster_addr) in current.items():
        if name in restored:
            restored.set_address(name, api_addr, cluster_addr)
    return _replace(ctx, restored)
