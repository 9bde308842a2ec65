"""Tokens, kept in a cluster's storage where Vault keeps them (policies: ``policy_store``).

Tokens live in LOCAL storage (DR replicates them, performance does not), except orphan batch
tokens, which Vault makes valid across a performance replication set: those are kept in
replicated storage. A child token dies with its parent.

The root token of the Simulator is accepted by every cluster, as a dev server's root token
would be, until the cluster becomes a performance secondary: Vault wipes its token store then,
and only a root token generated there (``sys/generate-root``) works on it afterwards. A DR
secondary replicates its primary's token store, so the configured root token follows it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from fakevault.model.acl import allows
from fakevault.model.durations import go_duration
from fakevault.model.messages import error
from fakevault.model.policy_store import (
    DEFAULT_POLICY,
    ROOT_POLICY,
    policy_exists,
    policy_rules,
)
from fakevault.model.storage import LOCAL_PREFIX, canonical_json

if TYPE_CHECKING:
    from fakevault.model.cluster import Cluster
    from fakevault.model.token_roles import TokenRole

TOKEN_PREFIX = "token/"
SHARED_TOKEN_PREFIX = "sys/token/batch/"
#: A local key marking a token store without the configured root token (a performance
#: secondary's, wiped at enable). DR replication carries it like every local key.
ROOT_FENCE_KEY = "sys/token/configured-root-revoked"
UNASSIGNABLE_POLICIES = ("response-wrapping", "control-group")
#: The token store's default and maximum TTL: the system's 768h (32 days).
DEFAULT_TTL = MAX_TTL = 768 * 3600
SERVICE_PREFIX = "hvs."
BATCH_PREFIX = "hvb.AAAAAQ"
_DISPLAY_NAME = re.compile(r"[^a-zA-Z0-9-]")
CUSTOM_ID_WARNING = (
    "Supplying a custom ID for the token uses the weaker SHA1 hashing instead of the more secure "
    "SHA2-256 HMAC for token obfuscation. SHA1 hashed tokens on the wire leads to less secure "
    "lookups.")


@dataclass
class TokenEntry:
    """What Vault's token store keeps about one token."""

    id: str
    accessor: str
    policies: list[str]
    type: str = "service"
    ttl: int = 0
    creation_time: float = 0.0
    display_name: str = "token"
    orphan: bool = False
    renewable: bool = True
    meta: dict[str, str] = field(default_factory=dict)
    num_uses: int = 0
    path: str = "auth/token/create"
    parent: str = ""
    explicit_max_ttl: int = 0
    period: int = 0
    role: str = ""
    #: The TTL the last renewal granted, from ``last_renewal`` (0: never renewed).
    renewed_ttl: int = 0
    last_renewal: float = 0.0

    @property
    def expire_time(self) -> float:
        """When the token stops working (0.0 for a token without TTL)."""
        if self.ttl <= 0:
            return 0.0
        if self.last_renewal:
            return self.last_renewal + self.renewed_ttl
        return self.creation_time + self.ttl

    def expired_at(self, now: float) -> bool:
        """True if the token has a TTL and it has run out."""
        return self.ttl > 0 and now >= self.expire_time

    def remaining(self, now: float) -> int:
        """Whole seconds left (0 for a token without TTL)."""
        return max(0, int(self.expire_time - now)) if self.ttl > 0 else 0

    @property
    def is_root(self) -> bool:
        """True if the token carries the root policy."""
        return ROOT_POLICY in self.policies

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-able form (a shallow copy: cheaper than ``asdict`` on every write)."""
        data = dict(vars(self))
        data["policies"], data["meta"] = list(self.policies), dict(self.meta)
        return data


@dataclass(frozen=True)
class TokenRequest:
    """What a caller asked of ``auth/token/create``: parsed, not yet checked."""

    policies: tuple[str, ...] = ()
    ttl: int = 0
    explicit_max_ttl: int = 0
    period: int = 0
    type: str = "service"
    no_parent: bool = False
    no_default_policy: bool = False
    renewable: bool = True
    display_name: str = ""
    meta: tuple[tuple[str, str], ...] = ()
    num_uses: int = 0
    id: str = ""
    orphan: bool = False
    path: str = "auth/token/create"
    role: str = ""
    #: The period a role gives the token (no sudo needed, unlike ``period``).
    role_period: int = 0


# -- token storage ---------------------------------------------------------------------------
def _digest(token_id: str) -> str:
    # Vault stores tokens under a salted hash of the id, never the id itself.
    return hashlib.sha256(token_id.encode()).hexdigest()


def _token_path(token_id: str) -> str:
    return TOKEN_PREFIX + _digest(token_id)


def _shared(cluster: Cluster, entry: TokenEntry) -> bool:
    """Orphan batch tokens are valid across a performance set (kept local on a secondary)."""
    return (entry.type == "batch" and entry.orphan
            and cluster.performance.mode != "secondary")


def root_entry(cluster: Cluster) -> TokenEntry:
    """The always-valid root token of ``cluster``'s world."""
    return TokenEntry(id=cluster.world.root_token, accessor="root-accessor", policies=["root"],
                      display_name="root", orphan=True, renewable=False,
                      path="auth/token/root")


def store_token(cluster: Cluster, entry: TokenEntry) -> None:
    """Persist ``entry`` in ``cluster``'s storage (local, or replicated for shared ones)."""
    if _shared(cluster, entry):
        cluster.write(SHARED_TOKEN_PREFIX + _digest(entry.id), entry.to_json())
    else:
        cluster.write(_token_path(entry.id), entry.to_json(), local=True)


def _stored(cluster: Cluster, token_id: str) -> TokenEntry | None:
    raw = cluster.storage.get(LOCAL_PREFIX + _token_path(token_id))
    if raw is None:
        raw = cluster.storage.get(SHARED_TOKEN_PREFIX + _digest(token_id))
    return None if raw is None else TokenEntry(**raw)


def root_fenced(cluster: Cluster) -> bool:
    """True when ``cluster``'s token store no longer has the configured root token."""
    return cluster.storage.get(LOCAL_PREFIX + ROOT_FENCE_KEY) is not None


def fence_configured_root(cluster: Cluster) -> None:
    """Forget the configured root token on ``cluster`` (a performance secondary's wipe)."""
    cluster.storage.apply(LOCAL_PREFIX + ROOT_FENCE_KEY, canonical_json(True))


def lookup_token(cluster: Cluster, token_id: str) -> TokenEntry | None:
    """The live token ``token_id`` on ``cluster``: None if unknown, expired, or its parent is."""
    if not token_id:
        return None
    if token_id == cluster.world.root_token and not root_fenced(cluster):
        return root_entry(cluster)
    entry = _stored(cluster, token_id)
    if entry is None or entry.expired_at(cluster.world.clock.now()):
        return None
    if entry.parent and lookup_token(cluster, entry.parent) is None:
        return None
    return entry


def revoke_token(cluster: Cluster, token_id: str) -> None:
    """Delete ``token_id`` from ``cluster``'s token store (wherever it is kept)."""
    if cluster.storage.get(SHARED_TOKEN_PREFIX + _digest(token_id)) is not None:
        cluster.delete(SHARED_TOKEN_PREFIX + _digest(token_id))
    elif cluster.storage.get(LOCAL_PREFIX + _token_path(token_id)) is not None:
        cluster.delete(_token_path(token_id), local=True)


def revoke_tree(cluster: Cluster, entry: TokenEntry) -> None:
    """Revoke ``entry`` and every token created under it (``auth/token/revoke-self``).

    Batch tokens cannot be revoked. The Simulator's root token stays valid (its children go).
    """
    if entry.type == "batch":
        raise error("token_batch_revoke")
    children: dict[str, list[str]] = {}
    for token in _all_tokens(cluster):
        if token.parent:
            children.setdefault(token.parent, []).append(token.id)
    doomed, queue = [], [entry.id]
    while queue:
        current = queue.pop()
        doomed.append(current)
        queue.extend(children.get(current, []))
    for token_id in doomed:
        revoke_token(cluster, token_id)


def all_tokens(cluster: Cluster) -> list[TokenEntry]:
    """Every stored token entry of ``cluster`` (live or not), in storage order."""
    return _all_tokens(cluster)


def _all_tokens(cluster: Cluster) -> list[TokenEntry]:
    prefixes = (LOCAL_PREFIX + TOKEN_PREFIX, SHARED_TOKEN_PREFIX)
    records = (cluster.storage.get(key) for prefix in prefixes
               for key in sorted(cluster.storage.keys(prefix)))
    return [TokenEntry(**record) for record in records if record is not None]


# -- token creation --------------------------------------------------------------------------
def has_sudo(cluster: Cluster, entry: TokenEntry, path: str) -> bool:
    """True if ``entry`` is root or its policies grant ``sudo`` on ``path``."""
    return entry.is_root or allows(policy_rules(cluster, entry.policies), path, {"sudo"})


def create_token(cluster: Cluster, parent: TokenEntry, request: TokenRequest,
                 role: TokenRole | None = None) -> tuple[TokenEntry, list[str]]:
    """Create a child (or orphan) of ``parent`` on ``cluster``, as Vault's token store does,
    shaped by ``role`` when one is given (``auth/token/create/:role``).

    Every check runs before anything is drawn from the world's random source or written, so a
    refused request leaves the world unchanged. Returns the entry and Vault's warnings.
    """
    _check_parent(parent)
    sudo = has_sudo(cluster, parent, request.path)
    warnings: list[str] = []
    if role is not None:
        request, warnings = role.apply(request)
    renewable = _check_type(request)
    if request.id and not sudo:
        raise error("token_id_needs_sudo")
    if role is not None and (role.allowed_policies or role.disallowed_policies):
        policies = _role_policies(parent, request, role)
    else:
        policies = _child_policies(parent, request, sudo)
    _check_policies(parent, policies, request.type)
    if request.no_parent and not sudo:
        raise error("token_orphan_needs_sudo")
    if request.period and not sudo:
        raise error("token_period_needs_sudo")
    if role is not None:
        request = replace(request, period=request.role_period)
    ttl, capped = _token_ttl(request, policies)
    warnings += capped
    if ttl == 0:
        if parent.ttl != 0:
            raise error("token_expiring_root")
        renewable = False
    if request.id:
        warnings.append(CUSTOM_ID_WARNING)
    entry = _new_entry(cluster, parent, request, policies, ttl, renewable)
    store_token(cluster, entry)
    missing = [name for name in policies if not policy_exists(cluster, name)]
    return entry, warnings + [f'Policy "{name}" does not exist' for name in missing]


def _check_parent(parent: TokenEntry) -> None:
    if parent.type == "batch":
        raise error("token_batch_parent")
    if parent.num_uses > 0:
        raise error("token_restricted_parent")


def _check_type(request: TokenRequest) -> bool:
    """The token type (and use count) fit the request; returns whether it may be renewable."""
    renewable = request.renewable
    if request.type == "batch":
        for name, value in (("explicit_max_ttl", request.explicit_max_ttl),
                            ("num_uses", request.num_uses), ("period", request.period)):
            if value:
                raise error("token_batch_field", field=name)
        renewable = False
    elif request.type not in ("service", ""):
        raise error("token_bad_type")
    if request.num_uses < 0:
        raise error("token_negative_uses")
    return renewable


def sanitize_policies(names: Iterable[str], add_default: bool = False) -> list[str]:
    """Vault's SanitizePolicies: lower case, no blanks, sorted, unique; ``root`` alone."""
    cleaned = {name.strip().lower() for name in names} - {""}
    if ROOT_POLICY in cleaned:
        return [ROOT_POLICY]
    if add_default:
        cleaned.add(DEFAULT_POLICY)
    return sorted(cleaned)


def _child_policies(parent: TokenEntry, request: TokenRequest, sudo: bool) -> list[str]:
    add_default = False
    if not request.policies:
        policies = sanitize_policies(parent.policies)
    elif not sudo:
        wanted = sanitize_policies(request.policies)
        if not set(wanted) <= set(sanitize_policies(parent.policies)):
            raise error("token_child_policies")
        policies = wanted
        add_default = not request.no_default_policy and DEFAULT_POLICY in parent.policies
    else:
        policies = sanitize_policies(request.policies)
        add_default = not request.no_default_policy
    final = sanitize_policies(policies, add_default)
    if request.no_default_policy:
        final = [name for name in final if name != DEFAULT_POLICY]
    return final


def _role_policies(parent: TokenEntry, request: TokenRequest, role: TokenRole) -> list[str]:
    """Vault's policy rules for a role with allowed or disallowed policies."""
    disallowed = sanitize_policies(role.disallowed_policies)
    add_default = not request.no_default_policy and DEFAULT_POLICY not in disallowed
    final = sanitize_policies(request.policies, add_default) if request.policies else []
    if role.allowed_policies:
        allowed = sanitize_policies(role.allowed_policies, add_default)
        if not final:
            final = allowed
        elif not set(final) <= set(allowed):
            raise error("token_role_policies", policies=_go_list(final),
                        allowed=_go_list(allowed))
    elif not final:
        final = sanitize_policies(parent.policies, add_default)
    for name in final:
        if name in disallowed:
            raise error("token_role_disallowed", name=name)
    if request.no_default_policy:
        final = [name for name in final if name != DEFAULT_POLICY]
    return final


def _go_list(names: list[str]) -> str:
    """A list of strings as Go's %q prints it: ["a" "b"]."""
    return "[" + " ".join(f'"{name}"' for name in names) + "]"


def _check_policies(parent: TokenEntry, policies: list[str], token_type: str) -> None:
    for name in policies:
        if name in UNASSIGNABLE_POLICIES:
            raise error("token_unassignable_policy", name=name)
    if ROOT_POLICY in policies:
        if not parent.is_root:
            raise error("token_root_needs_root")
        if token_type == "batch":
            raise error("token_batch_root")


def _token_ttl(request: TokenRequest, policies: list[str]) -> tuple[int, list[str]]:
    ttl, warnings = request.ttl, list[str]()
    if request.period > 0 or ttl > 0 or ROOT_POLICY not in policies:
        ttl, warnings = calculate_ttl(ttl, request.period, request.explicit_max_ttl)
    if ttl == 0 and request.explicit_max_ttl > 0:
        ttl = request.explicit_max_ttl
    return ttl, warnings


def calculate_ttl(ttl: int, period: int, explicit_max_ttl: int) -> tuple[int, list[str]]:
    """Vault's framework.CalculateTTL for a new token: the TTL and any capping warnings."""
    max_ttl = min(MAX_TTL, explicit_max_ttl) if explicit_max_ttl > 0 else MAX_TTL
    warnings: list[str] = []
    limit: int | None = max_ttl
    if period > 0:
        if period > max_ttl:
            warnings.append(capped_warning("period", period, max_ttl))
            period = max_ttl
        ttl, limit = period, (explicit_max_ttl or None)
    else:
        ttl = ttl or DEFAULT_TTL
    if limit is not None and ttl > limit:
        warnings.append(capped_warning("TTL", ttl, limit))
        ttl = limit
    return ttl, warnings


def capped_warning(what: str, value: int, limit: int) -> str:
    return (f'{what} of "{go_duration(value)}" exceeded the effective max_ttl of '
            f'"{go_duration(limit)}"; {what} value is capped accordingly')


def display_name(requested: str) -> str:
    """Vault's display name for a created token: ``token`` or ``token-<sanitized name>``."""
    if not requested:
        return "token"
    return _DISPLAY_NAME.sub("-", "token-" + requested).removesuffix("-")


def _new_entry(cluster: Cluster, parent: TokenEntry, request: TokenRequest,
               policies: list[str], ttl: int, renewable: bool) -> TokenEntry:
    batch = request.type == "batch"
    token_id = "" if batch else _custom_id(cluster, request.id)
    ids = cluster.world.ids
    if not token_id:
        token_id = BATCH_PREFIX + ids.b64url(72) if batch else ids.vault_token(SERVICE_PREFIX)
    orphan = request.orphan or request.no_parent
    return TokenEntry(
        id=token_id, accessor="" if batch else ids.base62(24), policies=policies,
        type=request.type or "service", ttl=ttl,
        creation_time=float(int(cluster.world.clock.now())),
        display_name=display_name(request.display_name), orphan=orphan, renewable=renewable,
        meta=dict(request.meta), num_uses=request.num_uses, path=request.path,
        parent="" if orphan else parent.id, explicit_max_ttl=request.explicit_max_ttl,
        period=request.period, role=request.role)


def _custom_id(cluster: Cluster, token_id: str) -> str:
    for prefix in ("s.", SERVICE_PREFIX):
        if token_id.startswith(prefix):
            raise error("token_custom_id_prefix", prefix=prefix)
    if token_id and (token_id == cluster.world.root_token or _stored(cluster, token_id)):
        raise error("token_duplicate_id")
    return token_id
