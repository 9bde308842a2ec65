"""Executable replication runbooks: TOML scenario files, checked against fakevault or real Vault."""

from fakevault.scenario.format import Scenario, ScenarioError, load_scenario
from fakevault.scenario.runner import Outcome, run_scenario

__all__ = ["Outcome", "Scenario", "ScenarioError", "load_scenario", "run_scenario"]
