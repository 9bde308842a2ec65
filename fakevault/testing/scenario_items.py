"""Scenario files as pytest tests: each ``*.toml`` in a folder named by ``fakevault_scenarios``.

The plugin collects them (``fakevault_scenarios = ["runbooks"]`` in the ini file, paths relative
to it); each file is one test that runs the scenario in a fresh in-process world and, on failure,
shows the scenario's report: the step, what was expected and what came back.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest


def is_scenario_file(file_path: Path, folders: Sequence[Path]) -> bool:
    """True for a ``.toml`` file directly inside one of ``folders``."""
    if file_path.suffix != ".toml":
        return False
    parent = file_path.resolve().parent
    return any(parent == Path(folder).resolve() for folder in folders)


class ScenarioFile(pytest.File):
    """One scenario file: one test."""

    def collect(self) -> Iterator[pytest.Item]:
        """The file's single test, named after it."""
        yield ScenarioItem.from_parent(self, name=self.path.stem)


class ScenarioFailed(Exception):
    """The scenario's report, shown as the test failure."""


class ScenarioItem(pytest.Item):
    """Runs a scenario in a fresh in-process world."""

    def runtest(self) -> None:
        """Load, run, and fail with the report unless every step passed."""
        from fakevault.scenario import load_scenario, run_scenario
        from fakevault.scenario.targets import in_process

        scenario = load_scenario(self.path)
        outcome = run_scenario(scenario, in_process(scenario))
        if not outcome.ok:
            raise ScenarioFailed(outcome.report())

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> str:
        """The report (or the file's format error) without a Python traceback."""
        if isinstance(excinfo.value, ScenarioFailed | ValueError):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        """Where the test comes from, as pytest prints it."""
        return self.path, 0, f"scenario {self.name}"
