"""Fixtures shared by the model tests: building replication sets and comparing world state."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from fakevault.model.simulator import Simulator
from fakevault.model.tokens import ActivationToken

Connect = Callable[..., ActivationToken]
State = Callable[[Simulator], dict[str, Any]]


def _connect(sim: Simulator, rtype: str = "dr", primary: str = "a", secondary: str = "b",
             id: str | None = None) -> ActivationToken:
    """Make ``primary`` a ``rtype`` primary (if it is not one) and ``secondary`` its secondary."""
    role = sim[primary].role(rtype)
    if role.mode == "disabled":
        role.enable_primary()
    token = role.secondary_token(id or secondary)
    sim[secondary].role(rtype).enable_secondary(token.token)
    return token


def _state(sim: Simulator) -> dict[str, Any]:
    """The snapshot without the entries that record a failed attempt (history and seq)."""
    return {k: v for k, v in sim.snapshot().items() if k not in ("history", "seq")}


@pytest.fixture
def connect() -> Connect:
    """``connect(sim, rtype, primary, secondary, id=None)`` -> the activation token used."""
    return _connect


@pytest.fixture
def state() -> State:
    """``state(sim)``: the world's snapshot minus ``history`` and ``seq``."""
    return _state
