"""ACL policies: Vault's policy syntax, path-glob rules and capabilities, evaluated as Vault does.

Rules from every policy of a token are merged by path pattern (capabilities united, ``deny``
winning). An exact rule that matches decides; otherwise the highest-priority glob or ``+``
rule does, with the priority order of Vault's ``CheckAllowedFromNonExactPaths``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import hcl

from fakevault.model.messages import error

CAPABILITIES = frozenset({"create", "read", "update", "delete", "list", "sudo", "deny", "patch",
                          "subscribe"})

#: The old ``policy = "..."`` shorthand and the capabilities each stands for (vault/policy.go).
OLD_POLICIES: dict[str, tuple[str, ...]] = {
    "deny": ("deny",),
    "read": ("read", "list"),
    "write": ("create", "read", "update", "delete", "list"),
    "sudo": ("create", "read", "update", "delete", "list", "sudo"),
}

#: Keys a ``path`` block may hold (vault/policy.go parsePaths); only the capabilities matter here.
PATH_KEYS = frozenset({"comment", "policy", "capabilities", "allowed_parameters",
                       "denied_parameters", "required_parameters", "min_wrapping_ttl",
                       "max_wrapping_ttl", "mfa_methods", "control_group",
                       "subscribe_event_types"})
TOP_LEVEL_KEYS = frozenset({"name", "path"})

#: Vault's built-in ``default`` policy, as Vault 1.15 stores it (captured ``vault policy read``).
DEFAULT_POLICY_TEXT = '''
# Allow tokens to look up their own properties
path "auth/token/lookup-self" {
    capabilities = ["read"]
}

# Allow tokens to renew themselves
path "auth/token/renew-self" {
    capabilities = ["update"]
}

# Allow tokens to revoke themselves
path "auth/token/revoke-self" {
    capabilities = ["update"]
}

# Allow a token to look up its own capabilities on a path
path "sys/capabilities-self" {
    capabilities = ["update"]
}

# Allow a token to look up its own entity by id or name
path "identity/entity/id/{{identity.entity.id}}" {
  capabilities = ["read"]
}
path "identity/entity/name/{{identity.entity.name}}" {
  capabilities = ["read"]
}


# Allow a token to look up its resultant ACL from all policies. This is useful
# for UIs. It is an internal path because the format may change at any time
# based on how the internal ACL features and capabilities change.
path "sys/internal/ui/resultant-acl" {
    capabilities = ["read"]
}

# Allow a token to renew a lease via lease_id in the request body; old path for
# old clients, new path for newer
path "sys/renew" {
    capabilities = ["update"]
}
path "sys/leases/renew" {
    capabilities = ["update"]
}

# Allow looking up lease properties. This requires knowing the lease ID ahead
# of time and does not divulge any sensitive information.
path "sys/leases/lookup" {
    capabilities = ["update"]
}

# Allow a token to manage its own cubbyhole
path "cubbyhole/*" {
    capabilities = ["create", "read", "update", "delete", "list"]
}

# Allow a token to wrap arbitrary values in a response-wrapping token
path "sys/wrapping/wrap" {
    capabilities = ["update"]
}

# Allow a token to look up the creation time and TTL of a given
# response-wrapping token
path "sys/wrapping/lookup" {
    capabilities = ["update"]
}

# Allow a token to unwrap a response-wrapping token. This is a convenience to
# avoid client token swapping since this is also part of the response wrapping
# policy.
path "sys/wrapping/unwrap" {
    capabilities = ["update"]
}

# Allow general purpose tools
path "sys/tools/hash" {
    capabilities = ["update"]
}
path "sys/tools/hash/*" {
    capabilities = ["update"]
}

# Allow checking the status of a Control Group request if the user has the
# accessor
path "sys/control-group/request" {
    capabilities = ["update"]
}

# Allow a token to make requests to the Authorization Endpoint for OIDC providers.
path "identity/oidc/provider/+/authorize" {
    capabilities = ["read", "update"]
}
'''

#: ``DEFAULT_POLICY_TEXT`` parsed (kept literal so that no request pays for an HCL parse).
DEFAULT_POLICY_RULES: dict[str, list[str]] = {
    "auth/token/lookup-self": ["read"],
    "auth/token/renew-self": ["update"],
    "auth/token/revoke-self": ["update"],
    "sys/capabilities-self": ["update"],
    "identity/entity/id/{{identity.entity.id}}": ["read"],
    "identity/entity/name/{{identity.entity.name}}": ["read"],
    "sys/internal/ui/resultant-acl": ["read"],
    "sys/renew": ["update"],
    "sys/leases/renew": ["update"],
    "sys/leases/lookup": ["update"],
    "cubbyhole/*": ["create", "read", "update", "delete", "list"],
    "sys/wrapping/wrap": ["update"],
    "sys/wrapping/lookup": ["update"],
    "sys/wrapping/unwrap": ["update"],
    "sys/tools/hash": ["update"],
    "sys/tools/hash/*": ["update"],
    "sys/control-group/request": ["update"],
    "identity/oidc/provider/+/authorize": ["read", "update"],
}


@dataclass(frozen=True)
class Rule:
    """One ``path "..." { capabilities = [...] }`` rule (several policies' rules merged)."""

    pattern: str
    capabilities: frozenset[str]

    @property
    def is_prefix(self) -> bool:
        """True for a glob: the pattern ends in ``*``."""
        return self.pattern.endswith("*")

    @property
    def body(self) -> str:
        """The pattern without its trailing ``*``."""
        return self.pattern[:-1] if self.is_prefix else self.pattern

    @property
    def segment_wildcards(self) -> bool:
        """True if the pattern has ``+`` segments (Vault's HasSegmentWildcards test)."""
        path = self.pattern
        return path == "+" or "/+" in path or path.startswith("+/")

    @property
    def exact(self) -> bool:
        """True for a rule without wildcards: when it matches, it decides alone."""
        return not self.is_prefix and not self.segment_wildcards

    def matches(self, path: str) -> bool:
        """True if this rule covers ``path`` (``*`` suffix, ``+`` one segment)."""
        if not self.segment_wildcards:
            return path.startswith(self.body) if self.is_prefix else path == self.pattern
        parts, actual = self.body.split("/"), path.split("/")
        if len(actual) < len(parts) or (not self.is_prefix and len(actual) != len(parts)):
            return False
        last = len(parts) - 1
        return all(part in ("+", actual[i])
                   or (self.is_prefix and i == last and actual[i].startswith(part))
                   for i, part in enumerate(parts))

    @property
    def priority(self) -> tuple[bool, int, bool, int, int, str]:
        """Higher wins among matching rules: Vault's order for globs and ``+`` paths.

        Exact rules first; then the later first wildcard, not-a-prefix, fewer ``+`` segments,
        longer, and (arbitrarily, as Vault) lexicographically greater.
        """
        body = self.body
        first = body.index("+") if self.segment_wildcards else len(body)
        plus = sum(1 for part in body.split("/") if part == "+") if self.segment_wildcards else 0
        return (self.exact, first, not self.is_prefix, -plus, len(body), body)


def parse_rules(paths: Mapping[str, Iterable[str]]) -> list[Rule]:
    """Rules from ``{pattern: capabilities}``; raises ValueError for unknown capabilities.

    Templated patterns (``{{identity.entity.id}}``) are skipped: the fake has no entities, and
    Vault drops a templated path it cannot fill in.
    """
    rules = []
    for pattern, caps in paths.items():
        capabilities = frozenset(str(c) for c in caps)
        unknown = capabilities - CAPABILITIES
        if unknown:
            raise ValueError(f"path {pattern!r}: unknown capabilities {sorted(unknown)}")
        if "{{" not in pattern:
            rules.append(Rule(pattern.lstrip("/"), capabilities))
    return rules


def merged(rule_sets: Iterable[Iterable[Rule]]) -> list[Rule]:
    """Merge rules with the same pattern across policies (``deny`` wins over everything)."""
    by_pattern: dict[str, set[str]] = {}
    for rules in rule_sets:
        for rule in rules:
            by_pattern.setdefault(rule.pattern, set()).update(rule.capabilities)
    return [Rule(p, frozenset({"deny"}) if "deny" in caps else frozenset(caps))
            for p, caps in by_pattern.items()]


def capabilities(rules: Iterable[Rule], path: str, listing: bool = False) -> frozenset[str]:
    """The capabilities the deciding rule grants on ``path`` (``{"deny"}`` if none).

    For a LIST of ``dir/``, an exact rule for ``dir`` counts too, as in Vault's AllowOperation.
    """
    rules = list(rules)
    matching = [rule for rule in rules if rule.matches(path)]
    if listing and path.endswith("/") and not any(rule.exact for rule in matching):
        matching += [rule for rule in rules if rule.exact and rule.matches(path[:-1])]
    best = max(matching, key=lambda r: r.priority, default=None)
    if best is None or "deny" in best.capabilities or not best.capabilities:
        return frozenset({"deny"})
    return best.capabilities


def allows(rules: Iterable[Rule], path: str, needed: Iterable[str]) -> bool:
    """True if ``rules`` grant every capability in ``needed`` on ``path``."""
    needed = set(needed)
    granted = capabilities(rules, path, listing="list" in needed)
    return "deny" not in granted and needed <= granted


# -- policy text -----------------------------------------------------------------------------
def parse_policy(text: str) -> dict[str, list[str]]:
    """``{pattern: capabilities}`` of an HCL (or JSON) ACL policy, checked as Vault checks it.

    Raises the ``policy_parse`` error ("failed to parse policy: ...") for bad syntax, unknown
    keys, unknown capabilities or old-style policies, and ``+*`` wildcards.
    """
    return {pattern: list(caps) for pattern, caps in _parsed(text)}


@functools.lru_cache(maxsize=256)
def _parsed(text: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The parse of one policy text, kept: pyhcl takes ~45 ms a parse, and test suites write
    the same few policies again and again. A pure function of the text with an immutable
    result, so the cache shares nothing between worlds (errors are not cached)."""
    return tuple((pattern, tuple(caps)) for pattern, caps in _parse_policy(text).items())


def _parse_policy(text: str) -> dict[str, list[str]]:
    try:
        tree = hcl.loads(text)
    except (ValueError, ArithmeticError, TypeError, RecursionError) as exc:
        # pyhcl evaluates arithmetic ("1/0") and can fail in more ways than ValueError
        raise error("policy_parse", reason=str(exc) or type(exc).__name__) from None
    if not isinstance(tree, dict):
        raise error("policy_parse", reason="does not contain a root object")
    unknown = sorted(set(tree) - TOP_LEVEL_KEYS)
    if unknown:
        raise error("policy_parse", reason=f'invalid key "{unknown[0]}"')
    paths: dict[str, list[str]] = {}
    for pattern, block in _path_blocks(tree.get("path")):
        caps = _block_capabilities(pattern, block)
        key = pattern[1:] if pattern.startswith("/") else pattern
        paths[key] = _merge_caps(paths.get(key, []), caps)
    return paths


def _path_blocks(node: Any) -> list[tuple[str, Any]]:
    """The ``(pattern, block)`` pairs of the ``path`` key (an object, or a JSON list of them)."""
    if node is None:
        return []
    items = node if isinstance(node, list) else [node]
    pairs: list[tuple[str, Any]] = []
    for item in items:
        if not isinstance(item, dict):
            raise error("policy_parse", reason='"path" must be blocks: path "<pattern>" { ... }')
        pairs.extend((str(pattern), block) for pattern, block in item.items())
    return pairs


def _block_capabilities(pattern: str, block: Any) -> list[str]:
    if not isinstance(block, dict):
        raise error("policy_parse", reason=f'path "{pattern}": expected a block {{ ... }}')
    unknown = sorted(set(block) - PATH_KEYS)
    if unknown:
        raise error("policy_parse", reason=f'path "{pattern}": invalid key "{unknown[0]}"')
    if "+*" in pattern:
        raise error("policy_parse",
                    reason=f"path \"{pattern}\": invalid use of wildcards ('+*' is forbidden)")
    raw = block.get("capabilities", [])
    caps = [str(c) for c in (raw if isinstance(raw, list) else [raw])]
    old = block.get("policy")
    if old:
        if not isinstance(old, str) or old not in OLD_POLICIES:
            raise error("policy_parse", reason=f'path "{pattern}": invalid policy "{old}"')
        caps = list(OLD_POLICIES[old]) if old == "deny" else caps + list(OLD_POLICIES[old])
    for cap in caps:
        if cap == "deny":
            return ["deny"]
        if cap not in CAPABILITIES:
            raise error("policy_parse", reason=f'path "{pattern}": invalid capability "{cap}"')
    return list(dict.fromkeys(caps))


def _merge_caps(first: list[str], second: list[str]) -> list[str]:
    """Two blocks for one path in one policy: united, ``deny`` winning (Vault's NewACL)."""
    if "deny" in first or "deny" in second:
        return ["deny"]
    return list(dict.fromkeys(first + second))

