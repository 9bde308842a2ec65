"""Every path the fake serves, in one Werkzeug ``Map``, with Vault's paths verbatim.

``auth`` says who may call: ``none`` (unauthenticated, like status and health), ``token`` (a
token whose policies grant the operation's capability), ``sudo`` (that and ``sudo``), ``dr_op``
(a DR operation token in the body, the DR secondary's way). ``dr_ok`` marks the few paths a
DR secondary still answers; everything else there gets "path disabled in replication DR
secondary mode".
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal

from werkzeug.routing import Map, PathConverter, Rule

Auth = Literal["none", "token", "sudo", "dr_op", "root"]
TYPES = "<any(performance, dr):rtype>"
PERF = {"rtype": "performance"}
DR = {"rtype": "dr"}


@dataclass(frozen=True)
class Route:
    """One path: where it goes, which methods, who may call it."""

    path: str
    endpoint: str
    methods: tuple[str, ...]
    auth: Auth = "token"
    dr_ok: bool = False
    defaults: tuple[tuple[str, str], ...] = ()
    legacy: bool = False
    control: bool = False


def _r(path: str, endpoint: str, methods: str = "POST PUT", auth: Auth = "token",
       dr_ok: bool = False, defaults: dict[str, str] | None = None,
       legacy: bool = False) -> Route:
    return Route(path, endpoint, tuple(methods.split()), auth, dr_ok,
                 tuple(sorted((defaults or {}).items())), legacy)


_LEGACY_PRIMARY = ("enable", "demote", "disable")
_LEGACY_SECONDARY = ("enable", "promote", "disable", "update-primary")
_OPERATION = {"enable": "enable_primary", "demote": "demote", "disable": "disable_primary"}
_SECONDARY_OPERATION = {"enable": "enable_secondary", "promote": "promote",
                        "disable": "disable_secondary", "update-primary": "update_primary"}

REPLICATION_ROUTES: list[Route] = [
    _r("sys/replication/status", "replication:status_all", "GET", "none", dr_ok=True),
    _r(f"sys/replication/{TYPES}/status", "replication:status_type", "GET", "none", dr_ok=True),
    _r("sys/replication/recover", "replication:recover", defaults=PERF, legacy=True),
    _r("sys/replication/reindex", "replication:reindex", auth="sudo", defaults=PERF,
       legacy=True),
    _r(f"sys/replication/{TYPES}/reindex", "replication:reindex", auth="sudo"),
    _r("sys/replication/merkle-check", "replication:merkle_check", defaults=PERF),
    *[_r(f"sys/replication/primary/{verb}", f"replication:{_OPERATION[verb]}", defaults=PERF,
         legacy=True) for verb in _LEGACY_PRIMARY],
    *[_r(f"sys/replication/{TYPES}/primary/{verb}", f"replication:{_OPERATION[verb]}")
      for verb in _LEGACY_PRIMARY],
    _r("sys/replication/primary/secondary-token", "replication:secondary_token",
       "GET POST PUT", "sudo", defaults=PERF, legacy=True),
    _r(f"sys/replication/{TYPES}/primary/secondary-token", "replication:secondary_token",
       auth="sudo"),
    _r("sys/replication/primary/revoke-secondary", "replication:revoke_secondary",
       defaults=PERF, legacy=True),
    _r("sys/replication/secondary/revoke-secondary", "replication:revoke_secondary",
       defaults=PERF, legacy=True),
    _r(f"sys/replication/{TYPES}/primary/revoke-secondary", "replication:revoke_secondary"),
    *[_r(f"sys/replication/secondary/{verb}", f"replication:{_SECONDARY_OPERATION[verb]}",
         defaults=PERF, legacy=True) for verb in _LEGACY_SECONDARY],
    *[_r(f"sys/replication/performance/secondary/{verb}",
         f"replication:{_SECONDARY_OPERATION[verb]}", defaults=PERF)
      for verb in _LEGACY_SECONDARY],
    _r("sys/replication/dr/secondary/enable", "replication:enable_secondary", defaults=DR),
    *[_r(f"sys/replication/dr/secondary/{verb}", f"replication:{_SECONDARY_OPERATION[verb]}",
         auth="dr_op", dr_ok=True, defaults=DR) for verb in ("promote", "disable",
                                                             "update-primary")],
    _r("sys/replication/dr/secondary/operation-token/delete",
       "replication:delete_operation_token", auth="dr_op", dr_ok=True, defaults=DR),
    _r("sys/replication/dr/secondary/reindex", "replication:reindex", auth="dr_op", dr_ok=True,
       defaults=DR),
    _r("sys/replication/dr/secondary/recover", "replication:recover", auth="dr_op", dr_ok=True,
       defaults=DR),
    _r("sys/replication/dr/secondary/merkle-check", "replication:merkle_check", auth="dr_op",
       dr_ok=True, defaults=DR),
    _r(f"sys/replication/{TYPES}/secondary/generate-public-key",
       "replication:generate_public_key"),
    _r("sys/replication/dr/secondary/generate-operation-token/attempt", "ceremony:attempt",
       "GET POST PUT DELETE", "none", dr_ok=True),
    _r("sys/replication/dr/secondary/generate-operation-token/update", "ceremony:update",
       "POST PUT", "none", dr_ok=True),
]

SYSTEM_ROUTES: list[Route] = [
    _r("sys/health", "system:health", "GET HEAD", "none", dr_ok=True),
    _r("sys/leader", "system:leader", "GET", "none", dr_ok=True),
    _r("sys/seal-status", "system:seal_status", "GET", "none", dr_ok=True),
    _r("sys/mounts", "system:list_mounts", "GET"),
    _r("sys/mounts/<path:mount>", "system:mount", "GET POST PUT DELETE"),
    _r("sys/policies/acl", "policies:list_policies", "GET LIST"),
    _r("sys/policies/acl/<name>", "policies:policy", "GET POST PUT DELETE"),
    _r("sys/policy", "policies:legacy_list", "GET LIST"),
    _r("sys/policy/<name>", "policies:legacy_policy", "GET POST PUT DELETE"),
    _r("sys/init", "system:init_status", "GET", "none", dr_ok=True),
    _r("sys/internal/specs/openapi", "specs:openapi", "GET", "none", dr_ok=True),
    _r("auth/token/create", "tokens:create"),
    _r("auth/token/create-orphan", "tokens:create_orphan"),
    _r("auth/token/lookup-self", "tokens:lookup_self", "GET"),
    _r("auth/token/lookup", "tokens:lookup", "GET POST PUT"),
    _r("auth/token/revoke-self", "tokens:revoke_self"),
    _r("<logical:path>", "kv:logical", "GET POST PUT DELETE LIST PATCH"),
]

def _c(path: str, endpoint: str, methods: str = "POST") -> Route:
    return Route("/_fakevault/" + path, f"control:{endpoint}", tuple(methods.split()), "root",
                 dr_ok=True, control=True)


#: fakevault's own control plane, on every cluster's port, for the root token only.
CONTROL_ROUTES: list[Route] = [
    _c("state", "state", "GET"),
    _c("reset", "reset"),
    _c("seed", "seed"),
    _c("clock/advance", "advance"),
    _c("sync", "sync"),
    _c("step", "step"),
    _c("network/partition", "partition"),
    _c("network/heal", "heal"),
    _c("clusters/<name>/crash", "crash"),
    _c("clusters/<name>/restart", "restart"),
    _c("clusters/<name>/faults", "fault"),
    _c("clusters/<name>/unseal-keys", "unseal_keys", "GET"),
    _c("invariants", "invariants", "GET"),
    _c("history", "history", "GET"),
    _c("view", "view", "GET"),
    _c("snapshot", "snapshot", "GET POST"),
    _c("restore", "restore"),
]

ROUTES: list[Route] = REPLICATION_ROUTES + SYSTEM_ROUTES + CONTROL_ROUTES


class LogicalPathConverter(PathConverter):
    """A mount path: anything but the ``sys/`` and ``auth/`` trees, which have their own rules."""

    regex = r"(?!sys/|auth/|sys$|auth$)[^/].*?"


def build_map(routes: list[Route]) -> Map:
    """The one URL map: each route under ``/v1/``, its endpoint the route's index."""
    rules = [Rule(route.path if route.control else "/v1/" + route.path, endpoint=index,
                  methods=list(route.methods),
                  defaults=dict(route.defaults) or None)
             for index, route in enumerate(routes)]
    return Map(rules, strict_slashes=False, merge_slashes=False,
               converters={"logical": LogicalPathConverter})


@functools.cache
def default_map() -> Map:
    """The compiled map of ``ROUTES``, built once per process.

    Compiling costs ~25 ms; a Map is only read once built (each request binds its own
    adapter), so sharing it keeps no world state between apps.
    """
    return build_map(ROUTES)
