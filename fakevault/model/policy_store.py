"""ACL policies, kept in replicated storage where Vault keeps them (``sys/policy/``).

``root`` and ``default`` always exist (``default`` is Vault's built-in text until someone
writes it); ``response-wrapping`` is the built-in policy of wrapping tokens.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fakevault.model.acl import (
    DEFAULT_POLICY_RULES,
    DEFAULT_POLICY_TEXT,
    Rule,
    merged,
    parse_policy,
    parse_rules,
)
from fakevault.model.messages import error

if TYPE_CHECKING:
    from fakevault.model.cluster import Cluster

POLICY_PREFIX = "sys/policy/"
WRAPPING_POLICY = "response-wrapping"
#: Vault's built-in policy of a response-wrapping token.
WRAPPING_RULES: dict[str, list[str]] = {"cubbyhole/response": ["create", "read"],
                                        "sys/wrapping/unwrap": ["update"]}
ROOT_POLICY = "root"
DEFAULT_POLICY = "default"
#: Vault's fixed policies: never written through the API.
IMMUTABLE_POLICIES = ("root", "response-wrapping", "control-group")


def policy_name(name: str) -> str:
    """Vault's policy name normalization: trimmed and lower case."""
    return name.strip().lower()


def list_policies(cluster: Cluster) -> list[str]:
    """Vault's ``LIST sys/policies/acl``: stored names (``default`` always), then ``root``."""
    names = {name for name in cluster.storage.list(POLICY_PREFIX) if not name.endswith("/")}
    return [*sorted(names | {DEFAULT_POLICY}), ROOT_POLICY]


def read_policy(cluster: Cluster, name: str) -> dict[str, str] | None:
    """``{"name", "policy"}`` of policy ``name``, or None if there is none."""
    name = policy_name(name)
    if name == ROOT_POLICY:
        return {"name": ROOT_POLICY, "policy": ""}
    stored = cluster.storage.get(POLICY_PREFIX + name)
    if stored is not None:
        return {"name": name, "policy": stored["policy"]}
    if name == DEFAULT_POLICY:
        return {"name": DEFAULT_POLICY, "policy": DEFAULT_POLICY_TEXT}
    return None


def policy_exists(cluster: Cluster, name: str) -> bool:
    """True if policy ``name`` can be read on ``cluster``."""
    return read_policy(cluster, name) is not None


def write_policy(cluster: Cluster, name: str, text: str) -> None:
    """Parse ``text`` (HCL or JSON) and store it as policy ``name`` (replicated data)."""
    name = policy_name(name)
    paths = parse_policy(text)
    if name in IMMUTABLE_POLICIES:
        raise error("policy_immutable_update", name=name)
    cluster.write(POLICY_PREFIX + name, {"name": name, "policy": text, "paths": paths})


def delete_policy(cluster: Cluster, name: str) -> None:
    """Delete policy ``name``; ``root`` and ``default`` stay. Deleting nothing succeeds."""
    name = policy_name(name)
    if name in IMMUTABLE_POLICIES:
        raise error("policy_immutable_delete", name=name)
    if name == DEFAULT_POLICY:
        raise error("policy_default_delete")
    if cluster.storage.get(POLICY_PREFIX + name) is not None:
        cluster.delete(POLICY_PREFIX + name)


def policy_rules(cluster: Cluster, names: list[str]) -> list[Rule]:
    """The merged rules of policies ``names`` as stored on ``cluster``.

    ``default`` is Vault's built-in policy until someone writes it; a token without it (made
    with ``no_default_policy``) gets none of its rules. ``root`` is decided by the caller.
    """
    rule_sets = []
    for name in names:
        stored = cluster.storage.get(POLICY_PREFIX + name)
        if stored is not None:
            rule_sets.append(parse_rules(stored["paths"]))
        elif name == DEFAULT_POLICY:
            rule_sets.append(parse_rules(DEFAULT_POLICY_RULES))
        elif name == WRAPPING_POLICY:
            rule_sets.append(parse_rules(WRAPPING_RULES))
    return merged(rule_sets)
