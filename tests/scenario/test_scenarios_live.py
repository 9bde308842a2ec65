"""Every scenario file also passes against a live fakevault through --target (real sockets)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fakevault import Simulator
from fakevault.scenario import load_scenario, run_scenario
from fakevault.scenario.bundled import bundled_scenarios
from fakevault.scenario.targets import remote
from fakevault.testing.server import FakeVaultServer

SCENARIOS = bundled_scenarios()


def test_there_are_scenarios_for_every_runbook_the_issue_names() -> None:
    assert len(SCENARIOS) >= 10


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario_passes_against_a_live_server(path: Path) -> None:
    scenario = load_scenario(path)
    world = Simulator(seed=scenario.seed, clusters=scenario.clusters,
                      sync="manual" if scenario.sync == "manual" else "eager",
                      strict=scenario.strict)
    with FakeVaultServer(world) as server:
        target = remote({name: server.url(name) for name in scenario.clusters}, "root")
        assert target.fake
        outcome = run_scenario(scenario, target)
        assert outcome.ok, outcome.report()
        assert not server.errors
