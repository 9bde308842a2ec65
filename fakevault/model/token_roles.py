"""Token roles (``auth/token/roles/:name``) and what a role changes about a created token.

Roles are replicated data (performance secondaries see the primary's roles), unlike the tokens
they make. ``token_type`` is ``service``, ``batch``, ``default-service`` or ``default-batch``
(the ``default-*`` kinds let the caller choose, falling back to the named one). A batch role
must make orphan, non-renewable, non-periodic tokens without an explicit max TTL, as Vault
checks when the role is written.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

from fakevault.model.messages import error

if TYPE_CHECKING:
    from fakevault.model.auth import TokenRequest
    from fakevault.model.cluster import Cluster

ROLE_PREFIX = "sys/token/roles/"
TOKEN_TYPES = ("service", "batch", "default-service", "default-batch", "default")
#: What a batch role may not be, and Vault's reason (tokenStoreRoleCreateUpdate).
_BATCH_LIMITS = (("orphan", False, "non-orphan tokens"), ("period", True, "periodic tokens"),
                 ("renewable", True, "renewable tokens"),
                 ("explicit_max_ttl", True, "tokens with an explicit max TTL"))


@dataclass
class TokenRole:
    """What Vault keeps about one token role."""

    name: str
    allowed_policies: list[str] = field(default_factory=list)
    disallowed_policies: list[str] = field(default_factory=list)
    orphan: bool = False
    renewable: bool = True
    token_type: str = "default-service"
    period: int = 0
    explicit_max_ttl: int = 0
    num_uses: int = 0
    path_suffix: str = ""

    def check(self) -> None:
        """Vault's checks of a role before it is stored (a 400 naming the problem)."""
        if self.token_type not in TOKEN_TYPES:
            raise error("role_bad_token_type", value=self.token_type)
        if self.token_type == "default":
            self.token_type = "default-service"
        if self.num_uses < 0:
            raise error("token_negative_uses")
        if self.token_type == "batch":
            for name, bad_when_set, reason in _BATCH_LIMITS:
                if bool(getattr(self, name)) == bad_when_set:
                    raise error("role_batch_conflict", reason=reason)

    def token_type_for(self, requested: str) -> str:
        """The type of a token made through this role when the caller asked for ``requested``."""
        if self.token_type in ("service", "batch"):
            return self.token_type
        fallback = "batch" if self.token_type == "default-batch" else "service"
        return requested or fallback

    def apply(self, request: TokenRequest) -> tuple[TokenRequest, list[str]]:
        """``request`` as the role shapes it (type, lifetimes, uses, path); Vault's warnings."""
        token_type = self.token_type_for(request.type)
        warnings: list[str] = []
        explicit, period = request.explicit_max_ttl, request.period
        if token_type != "batch":
            explicit = _lesser(explicit, self.explicit_max_ttl, "Explicit max TTL", warnings)
            period = _lesser(period, self.period, "Period", warnings)
        uses = request.num_uses
        if self.num_uses > 0 and (uses == 0 or uses > self.num_uses):
            uses = self.num_uses
        path = request.path + (f"/{self.path_suffix}" if self.path_suffix else "")
        shaped = replace(request, type=token_type, explicit_max_ttl=explicit, role=self.name,
                         role_period=period if token_type != "batch" else 0,
                         renewable=request.renewable and self.renewable, num_uses=uses,
                         orphan=self.orphan, no_parent=False, path=path)
        return shaped, warnings

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-able form."""
        return asdict(self)


def _lesser(asked: int, configured: int, what: str, warnings: list[str]) -> int:
    if not configured:
        return asked
    if not asked:
        return configured
    chosen = min(asked, configured)
    warnings.append(f"{what} specified both during creation call and in role; using the "
                    f"lesser value of {chosen} seconds")
    return chosen


def role_name(name: str) -> str:
    """Vault keeps role names as given, lower-cased."""
    return name.strip().lower()


def read_role(cluster: Cluster, name: str) -> TokenRole | None:
    """Role ``name`` on ``cluster``, or None."""
    raw = cluster.storage.get(ROLE_PREFIX + role_name(name))
    return None if raw is None else TokenRole(**raw)


def write_role(cluster: Cluster, role: TokenRole) -> None:
    """Check and store ``role`` (replicated data)."""
    role.check()
    cluster.write(ROLE_PREFIX + role.name, role.to_json())


def delete_role(cluster: Cluster, name: str) -> None:
    """Delete role ``name``; deleting nothing succeeds, as in Vault."""
    if cluster.storage.get(ROLE_PREFIX + role_name(name)) is not None:
        cluster.delete(ROLE_PREFIX + role_name(name))


def list_roles(cluster: Cluster) -> list[str]:
    """Every role name, sorted."""
    return sorted(cluster.storage.list(ROLE_PREFIX))
