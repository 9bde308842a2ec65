"""``/_fakevault/``: drive the world from outside (tests in other languages, scripts, people).

JSON in, JSON out (no Vault envelope), root token only. Every fault of the model is here.
"""

from __future__ import annotations

from typing import Any

from fakevault.model.clock import ManualClock, SystemClock
from fakevault.model.errors import InvalidRequestError
from fakevault.model.simulator import Simulator
from fakevault.model.versions import PROFILES
from fakevault.vault.context import Context
from fakevault.vault.framework import Field, Path
from fakevault.vault.logical import Response as Reply

FAULTS = ("corrupt-merkle", "stall", "partition", "crash")


def fresh_world(sim: Simulator, seed: int | None = None,
                vault_version: str | None = None) -> Simulator:
    """A new world with ``sim``'s configuration and addresses (and ``seed`` or
    ``vault_version`` if given)."""
    clock = SystemClock() if isinstance(sim.clock, SystemClock) else ManualClock()
    addresses = {c.name: (c.api_addr, c.cluster_addr) for c in sim}
    return type(sim)(seed=sim.seed if seed is None else seed, clusters=sim.names,
                     vault_version=vault_version or sim.vault_version,
                     sync=sim.sync_mode, strict=sim.strict, root_token=sim.root_token,
                     wal_retention=sim.wal_retention, key_shares=sim.key_shares,
                     key_threshold=sim.key_threshold, clock=clock, addresses=addresses)


def world_state(sim: Simulator) -> dict[str, Any]:
    """Every cluster's roles, storage size and addresses, the links and the clock."""
    return {
        "seed": sim.seed,
        "sync": sim.sync_mode,
        "strict": sim.strict,
        "vault_version": sim.vault_version,
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
    if ctx.replace_world is None:
        raise InvalidRequestError("reset, seed and restore replace the world: send them over "
                                  "HTTP, or make a new Simulator in Python")
    state = world_state(sim)  # first: a world that cannot show its state is not swapped in
    ctx.replace_world(sim)
    return Reply(raw=state)


def state(ctx: Context) -> Reply:
    """``GET state``."""
    return Reply(raw=world_state(ctx.sim))


def reset(ctx: Context) -> Reply:
    """``POST reset``: a new world, same seed and configuration (``vault_version`` if given)."""
    version = ctx.data.get("vault_version") or None
    try:
        world = fresh_world(ctx.sim, vault_version=version)
    except ValueError as exc:
        raise InvalidRequestError(str(exc)) from None
    return _replace(ctx, world)


def seed(ctx: Context) -> Reply:
    """``POST seed {"seed": N}``: a new world with seed N."""
    return _replace(ctx, fresh_world(ctx.sim, ctx.data.get("seed")))


def advance(ctx: Context) -> Reply:
    """``POST clock/advance {"seconds": S}``."""
    seconds = ctx.data.raw("seconds")
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
    clusters: list[str] = ctx.data.get("clusters")
    if len(clusters) != 2:
        raise InvalidRequestError('"clusters" must name exactly two clusters, e.g. ["a", "b"]')
    return clusters[0], clusters[1]


def partition(ctx: Context) -> Reply:
    """``POST network/partition {"clusters": [A, B]}``."""
    ctx.sim.partition(*_pair(ctx))
    return Reply(raw=ctx.sim.network.to_json())


def heal(ctx: Context) -> Reply:
    """``POST network/heal {"clusters": [A, B]}``, or no body to heal every link."""
    if "clusters" in ctx.data:
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
                    demote_stale_primaries=ctx.data.get("demote_stale_primaries"))
    return Reply(raw=world_state(ctx.sim)["clusters"][ctx.args["name"]])


def fault(ctx: Context) -> Reply:
    """``POST clusters/NAME/faults {"kind": ...}``: corrupt-merkle (tree), stall (type)."""
    name = str(ctx.args["name"])
    kind: str = ctx.data.get("kind")
    if kind == "corrupt-merkle":
        tree: str = ctx.data.get("tree")
        if tree not in ("replicated", "local"):
            raise InvalidRequestError('"tree" must be "replicated" or "local"')
        page = ctx.sim.corrupt_merkle(name, "local" if tree == "local" else "replicated")
        return Reply(raw={"kind": kind, "page": page})
    if kind == "stall":
        rtype: str = ctx.data.get("type")
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

    limit = ctx.data.get("limit") if "limit" in ctx.data else DEFAULT_LIMIT
    return Reply(raw=view_model(ctx.sim, ctx.data.get("offset"), limit))


def snapshot(ctx: Context) -> Reply:
    """``GET/POST snapshot``: the whole world as JSON (what ``restore`` takes)."""
    return Reply(raw=ctx.sim.snapshot())


def restore(ctx: Context) -> Reply:
    """``POST restore`` with a snapshot as the body; the clusters keep this server's addresses."""
    from fakevault.model.snapshot import SnapshotError

    current = {c.name: (c.api_addr, c.cluster_addr) for c in ctx.sim}
    try:
        restored = type(ctx.sim).restore(ctx.data.values)
    except SnapshotError as exc:
        raise InvalidRequestError(str(exc)) from None
    for name, (api_addr, cluster_addr) in current.items():
        if name in restored:
            restored.set_address(name, api_addr, cluster_addr)
    return _replace(ctx, restored)


# -- declarations (relative to /_fakevault/) -------------------------------------------------

_NAME = "clusters/(?P<name>[^/]+)/"
_CLUSTERS = Field("clusters", "strings", 'Exactly two cluster names, e.g. ["a", "b"].',
                  required=True)


def _c(pattern: str, callback: Any, operations: tuple[str, ...] = ("update",),
       fields: tuple[Field, ...] = (), **options: Any) -> Path:
    return Path(pattern, dict.fromkeys(operations, callback), fields, auth="control",
                dr_ok=True, answers=f"control:{callback.__name__}", **options)


PATHS: tuple[Path, ...] = (
    _c("state", state, ("read",)),
    _c("reset", reset, fields=(
        Field("vault_version", "string", "Answer as this Vault from now on (default: as "
              "before).", enum=tuple(PROFILES)),)),
    _c("seed", seed, fields=(Field("seed", "int", "The new world's seed.", required=True),)),
    _c("clock/advance", advance, fields=(
        Field("seconds", "raw", "Seconds of virtual time (the clock stops at the year 9707).",
              required=True, json="number", minimum=0, maximum=10**9),)),
    _c("sync", sync),
    _c("step", step),
    _c("network/partition", partition, fields=(_CLUSTERS,)),
    _c("network/heal", heal, fields=(
        Field("clusters", "strings", "Two cluster names; every link heals when unset."),)),
    _c(_NAME + "crash", crash),
    _c(_NAME + "restart", restart, fields=(
        Field("demote_stale_primaries", "bool", "Come back demoted if another primary of the "
              "set was promoted meanwhile."),)),
    _c(_NAME + "faults", fault, fields=(
        Field("kind", "string", "The fault.", required=True,
              enum=("corrupt-merkle", "stall", "crash")),
        Field("tree", "string", "corrupt-merkle: which tree.", default="replicated",
              enum=("replicated", "local")),
        Field("type", "string", "stall: which replication.", default="performance",
              enum=("performance", "dr")))),
    _c(_NAME + "unseal-keys", unseal_keys, ("read",)),
    _c("invariants", invariants, ("read",)),
    _c("history", history, ("read",)),
    _c("view", view, ("read",), fields=(
        Field("offset", "int", "Timeline rows to skip, from the newest.", location="query",
              minimum=0),
        Field("limit", "int", "Timeline rows to answer (default 100).", location="query",
              minimum=1, maximum=1000))),
    _c("snapshot", snapshot, ("read", "update")),
    _c("restore", restore, raw_data=True),
)
