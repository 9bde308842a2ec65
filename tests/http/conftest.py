"""Fixtures for the HTTP tests: a world, and a test client that addresses clusters by name."""

from __future__ import annotations

import pytest

from fakevault import Simulator
from fakevault.testing.clients import VaultTestClient


@pytest.fixture
def sim() -> Simulator:
    """A fresh world: clusters a, b, c; root token "root"; eager sync."""
    return Simulator(seed=1)


@pytest.fixture
def vault(sim: Simulator) -> VaultTestClient:
    """Requests into the WSGI app: ``vault.post("a", "sys/replication/...", json=...)``."""
    return VaultTestClient(sim)

