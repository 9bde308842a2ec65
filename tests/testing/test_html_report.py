"""``pytest --fakevault-report=html``, as a downstream project runs it (pytester)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestAssertRewriteWarning")

SPLIT_BRAIN = """
    def test_split_brain(fakevault):
        a, b = fakevault["a"], fakevault["b"]
        a.dr.enable_primary()
        b.dr.enable_secondary(a.dr.secondary_token("b").token)
        fakevault.partition("a", "b")
        b.dr.promote(force=True)

    def test_passes(fakevault):
        fakevault["a"].dr.enable_primary()
"""

#: A seeded machine whose own rule promotes a secondary while its primary is up.
CARELESS_MACHINE = """
    from hypothesis import HealthCheck, Phase, settings
    from hypothesis.stateful import precondition, rule

    from fakevault.testing.machine import ReplicationMachine


    class CarelessFailover(ReplicationMachine):
        faults = frozenset({"time"})

        @precondition(lambda self: len(self.live_primaries()) == 1)
        @rule()
        def promote_a_secondary(self):
            self.sim["b"].dr.promote(force=True)


    TestCareless = CarelessFailover.TestCase
    TestCareless.settings = settings(max_examples=10, derandomize=True, database=None,
                                     phases=[Phase.generate, Phase.shrink],
                                     suppress_health_check=list(HealthCheck))
"""


def reports(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.html"))


def data_of(report: Path) -> Any:
    page = report.read_text(encoding="utf-8")
    found = re.search(r'id="fakevault-report-data">(.*?)</script>', page, re.S)
    assert found is not None
    return json.loads(found[1])


def test_a_failing_test_gets_one_report_and_its_path_is_printed(
        pytester: pytest.Pytester) -> None:
    pytester.makepyfile(SPLIT_BRAIN)
    result = pytester.runpytest("-p", "no:cacheprovider", "--fakevault-report=html")
    result.assert_outcomes(failed=1, passed=1)
    (report,) = reports(pytester.path / "fakevault-reports")
    assert report.name.startswith("test_a_failing_test_gets_one_report_and_its_path_is_printed"
                                  ".py_test_split_brain-")
    result.stdout.fnmatch_lines([f"*HTML report: {report}", "*fakevault: 1 HTML report(s)*",
                                 str(report)])
    data = data_of(report)
    assert data["title"].endswith("::test_split_brain")
    assert "split_brain" in data["failure"]
    (moment,) = data["moments"]
    assert moment["text"] == "#5 b.dr.promote(force=True)"
    assert moment["before"]["alarms"] == [] and moment["after"]["alarms"]


def test_a_failing_machine_reports_its_minimal_run(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(CARELESS_MACHINE)
    result = pytester.runpytest("-p", "no:cacheprovider", "--fakevault-report=html")
    result.assert_outcomes(failed=1)
    (report,) = reports(pytester.path / "fakevault-reports")
    data = data_of(report)
    assert "WorldViolationError" in data["failure"]
    (moment,) = data["moments"]
    assert moment["text"] == "#7 b.dr.promote(force=True)"
    assert moment["kinds"] == ["split_brain"]
    assert [a["primaries"] for a in moment["after"]["alarms"]] == [["a", "b"]]
    assert data["timeline"]["total"] == 7  # the shrunk run, not every example tried


def test_the_report_folder_can_be_chosen_and_text_mode_writes_none(
        pytester: pytest.Pytester) -> None:
    pytester.makepyfile(SPLIT_BRAIN)
    result = pytester.runpytest("-p", "no:cacheprovider", "--fakevault-report=html",
                                "--fakevault-report-dir", "out/reports")
    result.assert_outcomes(failed=1, passed=1)
    assert len(reports(pytester.path / "out" / "reports")) == 1
    result = pytester.runpytest("-p", "no:cacheprovider", "--fakevault-report")
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(["*fakevault history*"])
    assert not (pytester.path / "fakevault-reports").exists()
    assert "HTML report" not in result.stdout.str()


def test_the_live_server_fixture_gets_a_report_too(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import requests

        def test_over_http(fakevault_server):
            url = fakevault_server.url("a") + "/_fakevault/network/partition"
            requests.post(url, json={"clusters": ["a", "b"]}, headers={"X-Vault-Token": "root"})
            assert False, "something the test checked"
    """)
    result = pytester.runpytest("-p", "no:cacheprovider", "--fakevault-report=html")
    result.assert_outcomes(failed=1)
    (report,) = reports(pytester.path / "fakevault-reports")
    data = data_of(report)
    assert data["topology"]["partitions"] == [["a", "b"]]
    assert data["timeline"]["entries"][0]["kind"] == "fault"


def test_an_unknown_report_format_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("-p", "no:cacheprovider", "--fakevault-report=pdf")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--fakevault-report: invalid choice: 'pdf'*"])


def test_a_report_that_cannot_be_written_is_said_and_the_run_goes_on(
        pytester: pytest.Pytester) -> None:
    pytester.makepyfile(SPLIT_BRAIN)
    pytester.path.joinpath("taken").write_text("a file, not a folder")
    result = pytester.runpytest("-p", "no:cacheprovider", "--fakevault-report=html",
                                "--fakevault-report-dir", "taken")
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(["*could not write the HTML report: *taken*"])


def test_the_world_is_found_in_groups_and_causes() -> None:
    from fakevault import Simulator
    from fakevault.testing.failures import WorldViolationError, world_in

    world = Simulator(seed=1)
    carried = WorldViolationError("split brain", world)
    assert world_in(carried) is world
    assert world_in(ExceptionGroup("two", [ValueError("x"), carried])) is world
    try:
        try:
            raise carried
        except WorldViolationError as inner:
            raise RuntimeError("wrapped") from inner
    except RuntimeError as outer:
        assert world_in(outer) is world
    assert world_in(ValueError("no world")) is None and world_in(None) is None


def test_only_hypothesis_final_replay_counts_as_final() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from fakevault.testing.failures import in_final_replay

    seen: list[bool] = []

    @settings(max_examples=3, database=None)
    @given(st.integers())
    def passing(number: int) -> None:
        seen.append(in_final_replay())

    passing()
    assert not in_final_replay() and seen and not any(seen)
