"""Which Vault a world answers as: one table of every behaviour that differs by version.

As fakeredis emulates a chosen Redis version, a world has a ``vault_version``. The default
follows modern Vault Enterprise (1.15-1.20: ``../shared/reference/modern-vault-facts.md`` in the
project's references, sourced from Vault's code and HashiCorp's own test harness); ``"0.7"`` is
the seed's document exactly (the generic ``/sys/replication`` API as Vault 0.7 documented it).
Only versions whose behaviour is sourced are accepted. The flags are read by the logical layer;
the model itself answers the same way in every version.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class Profile:
    """How one Vault version answers where versions differ."""

    #: The version string health and seal status report.
    version: str
    build_date: str
    #: 0.7: generic status ``data`` is the flat performance status (fact 1 says modern is
    #: ``{dr, performance}``), also copied to the top level.
    flat_generic_status: bool = False
    #: 0.7: the generic ``/sys/replication/*`` paths answer 204 (modern: as their performance
    #: twins, 200 with warnings; fact 6).
    empty_generic_answers: bool = False
    #: 0.7: every update answers 204 unless it warns (modern: DR promote and update-primary,
    #: performance update-primary and revoke-secondary answer 200 with warnings; fact 5).
    empty_updates: bool = False
    #: 0.7: ``GET primary/secondary-token`` and ``secondary/revoke-secondary`` exist (fact 7).
    seed_only_paths: bool = False
    #: 0.7: ``data`` is copied to the top level of every ``sys/`` answer (modern: only Vault's
    #: list of paths; fact 2).
    copy_every_sys_answer: bool = False
    #: Modern: ``sys/leader`` answers as a single active raft node (fact 15).
    raft_leader: bool = True
    #: Modern: ``last_wal`` is omitted from health and leader when it is 0 (fact 16).
    omit_zero_last_wal: bool = True
    #: Modern: health's refusals (a bad parameter, another method) carry an empty error list
    #: (fact 17).
    bare_health_errors: bool = True
    #: Modern: ``sys/internal/ui/mounts`` exists (fact 19; Vault 0.10 and later).
    ui_mounts: bool = True


_SEED = Profile("0.7.3", "2017-06-07T15:11:19Z", flat_generic_status=True,
                empty_generic_answers=True, empty_updates=True, seed_only_paths=True,
                copy_every_sys_answer=True, raft_leader=False, omit_zero_last_wal=False,
                bare_health_errors=False, ui_mounts=False)
#: Version name -> profile. The modern versions differ only in the version they report.
PROFILES: MappingProxyType[str, Profile] = MappingProxyType({
    "0.7": _SEED,
    "1.15": Profile("1.15.16+ent", "2024-10-28T17:37:03Z"),
    "1.16": Profile("1.16.11+ent", "2024-10-28T17:49:14Z"),
    "1.17": Profile("1.17.3+ent", "2024-08-06T14:28:45Z"),
    "1.18": Profile("1.18.5+ent", "2025-02-24T09:40:28Z"),
    "1.19": Profile("1.19.5+ent", "2025-05-29T09:17:06Z"),
    "1.20": Profile("1.20.0+ent", "2025-06-23T10:21:30Z"),
})
DEFAULT_VERSION = "1.19"


def profile(version: str) -> Profile:
    """The profile of ``version``, or a ValueError that lists the versions fakevault knows."""
    found = PROFILES.get(version) if isinstance(version, str) else None
    if found is None:
        raise ValueError(f"unknown vault_version {version!r}; fakevault simulates "
                         + ", ".join(PROFILES) + f" (default {DEFAULT_VERSION})")
    return found
