"""What downstream test suites use: in-process clients, the pytest plugin, Hypothesis tools.

``from fakevault.testing import ReplicationMachine, dr_operation_token, hvac_client, ...``
works, yet importing this package is cheap: each name loads its module on first use, so the
pytest plugin (which lives here) adds next to nothing to pytest's start-up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fakevault.testing.assertions import unchanged, violation_report, world_state
    from fakevault.testing.ceremonies import (
        CeremonyError,
        dr_operation_token,
        generate_dr_operation_token,
        generate_root,
    )
    from fakevault.testing.clients import (
        UnknownAddressError,
        VaultTestClient,
        WSGIAdapter,
        hvac_client,
        session,
    )
    from fakevault.testing.machine import ReplicationMachine
    from fakevault.testing.server import FakeVaultServer, PortInUseError

_EXPORTS = {
    "ReplicationMachine": "fakevault.testing.machine",
    "dr_operation_token": "fakevault.testing.ceremonies",
    "generate_dr_operation_token": "fakevault.testing.ceremonies",
    "generate_root": "fakevault.testing.ceremonies",
    "CeremonyError": "fakevault.testing.ceremonies",
    "hvac_client": "fakevault.testing.clients",
    "session": "fakevault.testing.clients",
    "UnknownAddressError": "fakevault.testing.clients",
    "VaultTestClient": "fakevault.testing.clients",
    "WSGIAdapter": "fakevault.testing.clients",
    "FakeVaultServer": "fakevault.testing.server",
    "PortInUseError": "fakevault.testing.server",
    "unchanged": "fakevault.testing.assertions",
    "violation_report": "fakevault.testing.assertions",
    "world_state": "fakevault.testing.assertions",
}

__all__ = [  # noqa: RUF022 -- grouped as _EXPORTS is
    "ReplicationMachine", "dr_operation_token", "generate_dr_operation_token", "generate_root",
    "CeremonyError", "hvac_client", "session",
    "UnknownAddressError", "VaultTestClient", "WSGIAdapter", "FakeVaultServer", "PortInUseError",
    "unchanged", "violation_report", "world_state",
]


def __getattr__(name: str) -> Any:
    """Load the module that defines ``name`` on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'fakevault.testing' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
