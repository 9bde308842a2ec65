"""A missing optional dependency is an error that names the extra to install."""

from __future__ import annotations

import subprocess
import sys

import pytest

from fakevault.optional import MissingDependencyError, missing, require

HIDE = "import sys\nfor name in {names!r}: sys.modules[name] = None\n"


def run_without(names: list[str], code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", HIDE.format(names=names) + code],
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(("hidden", "code"), [
    (["hypothesis"], "from fakevault.testing import ReplicationMachine"),
    (["hypothesis"], "import fakevault.testing.strategies"),
    (["hvac"], "from fakevault import Simulator\nfrom fakevault.testing import hvac_client\n"
               "hvac_client(Simulator(), 'a')"),
])
def test_the_error_names_the_pytest_extra(hidden: list[str], code: str) -> None:
    result = run_without(hidden, code)
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("fakevault.optional.MissingDependencyError: ")
    assert f"fakevault needs {hidden[0]!r}" in last
    assert "pip install 'fakevault[pytest]'" in last


def test_the_core_works_without_the_extras() -> None:
    result = run_without(["hypothesis", "hvac", "pytest"], """
from fakevault import Simulator, create_app
from fakevault.scenario import load_scenario, run_scenario
from fakevault.scenario.bundled import BUNDLED
from fakevault.scenario.targets import in_process
scenario = load_scenario(BUNDLED / "dr-setup-and-health.toml")
assert run_scenario(scenario, in_process(scenario)).ok
assert create_app(Simulator()) is not None
""")
    assert result.returncode == 0, result.stderr


def test_only_the_packages_of_the_extra_are_reported_as_a_missing_extra() -> None:
    inner = ModuleNotFoundError("No module named 'hypothesis._private'",
                                name="hypothesis._private")
    assert isinstance(missing(inner, "pytest"), MissingDependencyError)
    unrelated = ModuleNotFoundError("No module named 'attr'", name="attr")
    assert missing(unrelated, "pytest") is unrelated
    with pytest.raises(MissingDependencyError, match=r"fakevault\[server\]"):
        require("no_such_module_anywhere", "server")
    assert require("json", "pytest").dumps([]) == "[]"
