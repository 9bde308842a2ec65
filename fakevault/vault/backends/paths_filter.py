"""Performance paths filters: ``sys/replication/performance/primary/paths-filter/:id``, and
``dynamic-filter/:id`` on the primary and the secondary (api-docs replication-performance).

Each callback is one call of the primary's performance role; the model refuses a cluster that
is not a performance primary, an unknown secondary id, a bad mode or a path that is not a mount,
and changes nothing then.
"""

from __future__ import annotations

from fakevault.vault.context import Context
from fakevault.vault.framework import Field, Path
from fakevault.vault.logical import Response as Reply

_PRIMARY = "replication/performance/primary/"
_ID = "(?P<id>[^/]+)"


def paths_filter(ctx: Context) -> Reply:
    """Read (``{"mode", "paths"}``), write or delete one secondary's paths filter."""
    role, identifier = ctx.cluster.performance, str(ctx.args["id"])
    if ctx.operation == "read":
        found = role.paths_filter(identifier)
        if found is None:
            return Reply(raw={"errors": []}, raw_status=404)  # Vault: a read that found nothing
        return Reply(data=found)
    if ctx.operation == "delete":
        role.delete_paths_filter(identifier)
        return Reply(empty=True)
    role.set_paths_filter(identifier, mode=ctx.data.get("mode"), paths=ctx.data.get("paths"))
    return Reply(empty=True)


def dynamic_filter(ctx: Context) -> Reply:
    """The mounts the secondary does not receive right now (namespaces: none, not simulated)."""
    return Reply(data=ctx.cluster.performance.dynamic_filter(str(ctx.args["id"])))


def received_filter(ctx: Context) -> Reply:
    """The same, read on the secondary itself (``id`` is its own secondary id)."""
    return Reply(data=ctx.cluster.performance.received_filter(str(ctx.args["id"])))


PATHS: tuple[Path, ...] = (
    Path(f"{_PRIMARY}paths-filter/{_ID}",
         dict.fromkeys(("read", "update", "delete"), paths_filter),
         (Field("mode", "string", 'The filtering mode: "allow" sends only the listed mounts, '
                '"deny" all but them.', default="allow", enum=("allow", "deny")),
          Field("paths", "strings", 'The mount paths filtered, such as "secret/".')),
         summary="Read, set or delete a performance secondary's paths filter.",
         answers="paths_filter:paths_filter"),
    Path(f"{_PRIMARY}dynamic-filter/{_ID}", {"read": dynamic_filter},
         summary="The mounts a performance secondary does not receive.",
         answers="paths_filter:dynamic_filter"),
    Path(f"replication/performance/secondary/dynamic-filter/{_ID}", {"read": received_filter},
         summary="The mounts this performance secondary does not receive.",
         answers="paths_filter:received_filter"),
)
