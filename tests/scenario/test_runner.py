"""The scenario runner: reports, failures with their step and difference, malformed files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fakevault import Simulator
from fakevault.cli import main
from fakevault.scenario import ScenarioError, load_scenario, run_scenario
from fakevault.scenario.bundled import BUNDLED
from fakevault.scenario.targets import in_process, remote
from fakevault.testing.server import FakeVaultServer

SCENARIOS = BUNDLED
GOOD = """
title = "enable and check"
narrative = "a small story"
clusters = ["a", "b"]

[[step]]
name = "enable"
cluster = "a"
method = "POST"
path = "sys/replication/performance/primary/enable"
expect.status = 200

[[step]]
name = "check"
cluster = "a"
path = "sys/replication/performance/status"
expect.json = { "data.mode" = "primary" }
expect.types = { "data.cluster_id" = "uuid" }
capture.id = "data.cluster_id"

[[step]]
name = "same id"
cluster = "a"
path = "sys/replication/status"
expect.json = { "data.performance.cluster_id" = "${id}" }
"""


def write(tmp_path: Path, text: str, name: str = "story.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_passing_scenario_reports_every_step(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, GOOD))
    outcome = run_scenario(scenario, in_process(scenario))
    assert outcome.ok
    report = outcome.report()
    assert "ok     1 enable: POST a /v1/sys/replication/performance/primary/enable -> 200" in report
    assert report.endswith("passed: 3 of 3 steps passed")


def test_a_failing_expectation_names_the_step_and_the_difference(tmp_path: Path) -> None:
    text = GOOD.replace('"data.mode" = "primary"', '"data.mode" = "secondary"')
    scenario = load_scenario(write(tmp_path, text))
    outcome = run_scenario(scenario, in_process(scenario))
    assert not outcome.ok
    report = outcome.report()
    assert "FAIL   2 check: GET a /v1/sys/replication/performance/status -> 200" in report
    assert 'data.mode: expected "secondary", got "primary"' in report
    assert len(outcome.results) == 2  # stops at the first failure
    assert report.endswith("FAILED: 1 of 3 steps passed")


def test_a_wrong_status_shows_the_errors(tmp_path: Path) -> None:
    text = GOOD.replace('path = "sys/replication/performance/primary/enable"',
                        'path = "sys/replication/performance/primary/demote"')
    scenario = load_scenario(write(tmp_path, text))
    report = run_scenario(scenario, in_process(scenario)).report()
    assert "status: expected 200, got 400 (this cluster is not a performance primary" in report


def test_changes_and_unchanged_compare_with_the_last_answer(tmp_path: Path) -> None:
    text = """
title = "roots move"
clusters = ["a"]
[[step]]
cluster = "a"
method = "POST"
path = "sys/replication/performance/primary/enable"
[[step]]
cluster = "a"
path = "sys/replication/performance/status"
[[step]]
cluster = "a"
path = "sys/replication/performance/status"
expect.unchanged = ["data.merkle_root"]
[[step]]
cluster = "a"
method = "POST"
path = "secret/data/x"
body = { data = { v = 1 } }
[[step]]
cluster = "a"
path = "sys/replication/performance/status"
expect.changes = ["data.merkle_root", "data.last_wal"]
[[step]]
cluster = "a"
path = "sys/replication/performance/status"
expect.changes = ["data.merkle_root"]
"""
    scenario = load_scenario(write(tmp_path, text))
    outcome = run_scenario(scenario, in_process(scenario))
    assert [r.ok for r in outcome.results] == [True] * 5 + [False]
    assert "data.merkle_root: expected a change from" in outcome.report()


@pytest.mark.parametrize(("text", "message"), [
    ("title = 'x'\nclusters = ['a']\n", "field 'step': a scenario needs at least one [[step]]"),
    ("title = 'x'\nclusters = []\n[[step]]\ncontrol='sync'\n", "field 'clusters'"),
    ("clusters = ['a']\n[[step]]\ncontrol='sync'\n", "field 'title'"),
    ("title = 'x'\nclusters = ['a']\n[[step]]\nname='s'\ncluster='z'\npath='p'\n",
     "step 1 (s): field 'cluster': 'z' is not one of the scenario's clusters"),
    ("title = 'x'\nclusters = ['a']\n[[step]]\ncluster='a'\npath='p'\nexpect.status='ok'\n",
     "step 1: field 'expect.status'"),
    ("title = 'x'\nclusters = ['a']\n[[step]]\ncluster='a'\npath='p'\nexpect.types={x='float'}\n",
     "field 'expect.types.x'"),
    ("title = 'x'\nclusters = ['a']\n[[step]]\ncontrol='meteor'\n", "field 'control'"),
    ("title = 'x'\nclusters = ['a']\n[[step]]\ncluster='a'\npath='p'\ncontrol='sync'\n",
     "exactly one of"),
    ("title = 'x'\nclusters = ['a']\n[[step]]\ncluster='a'\npath='p'\nbogus=1\n",
     "field 'bogus': unknown field"),
    ("title = 'x'\nclusters = ['a']\n[[step]]\nwait={cluster='a', path='p'}\n",
     "field 'wait.until'"),
    ("title = 'x'\nclusters = ['a']\nsync='often'\n[[step]]\ncontrol='sync'\n", "field 'sync'"),
    ("title = = 'x'", "not valid TOML"),
    ("title = 'x'\nclusters = ['a']\n[[step]]\nceremony={cluster='a', keys='k', "
     "generate='everything'}\n", "field 'ceremony.generate'"),
])
def test_a_malformed_file_names_the_file_step_and_field(tmp_path: Path, text: str,
                                                        message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as error:
        load_scenario(path)
    assert str(path) in str(error.value) and message in str(error.value)


def test_an_unknown_variable_is_reported(tmp_path: Path) -> None:
    text = GOOD.replace('"${id}"', '"${nobody}"')
    scenario = load_scenario(write(tmp_path, text))
    report = run_scenario(scenario, in_process(scenario)).report()
    assert "unknown variable ${nobody}" in report


@pytest.fixture
def live() -> Iterator[FakeVaultServer]:
    with FakeVaultServer(Simulator(seed=0, clusters=("a", "b", "c"))) as server:
        yield server


def test_against_a_live_fake_with_targets(tmp_path: Path, live: FakeVaultServer) -> None:
    scenario = load_scenario(write(tmp_path, GOOD))
    target = remote({"a": live.url("a"), "b": live.url("b")}, "root")
    assert target.fake
    outcome = run_scenario(scenario, target)
    assert outcome.ok, outcome.report()


def test_control_steps_become_instructions_on_real_vault(tmp_path: Path,
                                                         live: FakeVaultServer) -> None:
    text = GOOD + """
[[step]]
name = "lose a"
control = "crash"
args = { name = "a" }
manual = "Stop the Vault service on cluster a."
"""
    scenario = load_scenario(write(tmp_path, text))
    target = remote({"a": live.url("a"), "b": live.url("b")}, "root")
    target.fake = False  # as against real Vault, which has no control plane
    outcome = run_scenario(scenario, target)
    assert outcome.ok
    assert "MANUAL 4 lose a: Stop the Vault service on cluster a." in outcome.report()
    assert not live.sim["a"].crashed


def test_the_cli_runs_and_lists_scenarios(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenario", "list", str(SCENARIOS)]) == 0
    assert "dr-setup-and-health" in capsys.readouterr().out
    assert main(["scenario", "run", str(SCENARIOS / "dr-setup-and-health.toml")]) == 0
    assert "passed: 11 of 11" in capsys.readouterr().out


def test_the_cli_exits_1_when_a_scenario_fails(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, GOOD.replace('"data.mode" = "primary"', '"data.mode" = "x"'))
    with pytest.raises(SystemExit) as exit_info:
        main(["scenario", "run", str(path)])
    assert exit_info.value.code == 1
    captured = capsys.readouterr()
    assert "FAILED" in captured.out and "1 of 1 scenario(s) failed" in captured.err


def test_the_cli_exits_2_for_a_malformed_file(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "title = 'x'\nclusters = ['a']\n")
    with pytest.raises(SystemExit) as exit_info:
        main(["scenario", "run", str(path)])
    assert exit_info.value.code == 2
    assert str(path) in capsys.readouterr().err


def test_a_live_fake_is_reset_and_its_sync_mode_checked(tmp_path: Path,
                                                         live: FakeVaultServer) -> None:
    live.sim["a"].performance.enable_primary()  # left over from someone else's work
    scenario = load_scenario(write(tmp_path, GOOD))
    target = remote({"a": live.url("a"), "b": live.url("b")}, "root")
    assert run_scenario(scenario, target).ok  # reset first, so enabling works again
    manual = load_scenario(write(tmp_path, GOOD.replace('clusters = ["a", "b"]',
                                                        'clusters = ["a", "b"]\nsync = "manual"')))
    outcome = run_scenario(manual, remote({"a": live.url("a"), "b": live.url("b")}, "root"))
    assert not outcome.ok
    assert "this scenario needs `fakevault serve --sync manual`" in outcome.report()


ROOT_ON_SECONDARY = """
title = "a new performance secondary needs its own root token"
narrative = "the runbook step that is easy to skip"
clusters = ["a", "b"]

[[step]]
name = "enable"
cluster = "a"
method = "POST"
path = "sys/replication/performance/primary/enable"

[[step]]
name = "token"
cluster = "a"
method = "POST"
path = "sys/replication/performance/primary/secondary-token"
body = { id = "b" }
capture.activation = "wrap_info.token"

[[step]]
name = "join"
cluster = "b"
method = "POST"
path = "sys/replication/performance/secondary/enable"
body = { token = "${activation}" }

[[step]]
name = "the configured root token is refused on b"
cluster = "b"
path = "auth/token/lookup-self"
expect.status = 403

[[step]]
name = "keys"
control = "unseal-keys"
args = { name = "b" }
capture.keys = "keys"

[[step]]
name = "generate root on b"
ceremony = { cluster = "b", keys = "${keys}", generate = "root" }
capture.root_b = "token"

[[step]]
name = "later steps on b use it"
cluster = "b"
path = "auth/token/lookup-self"
expect.json = { "data.policies" = ["root"] }
"""


def test_a_root_ceremony_step_gives_later_steps_on_that_cluster_its_token(
        tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, ROOT_ON_SECONDARY))
    outcome = run_scenario(scenario, in_process(scenario))
    assert outcome.ok, outcome.report()
