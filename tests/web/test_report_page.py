"""The HTML report of a seeded failing machine, opened in a real browser from its file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import precondition, rule, run_state_machine_as_test

from fakevault.testing.failures import WorldViolationError
from fakevault.testing.machine import ReplicationMachine
from fakevault.web import write_report


class CarelessFailover(ReplicationMachine):
    """Promotes a DR secondary while its primary is still up: a split brain."""

    faults = frozenset({"time"})

    @precondition(lambda self: len(self.live_primaries()) == 1)
    @rule()
    def promote_a_secondary(self) -> None:
        self.sim["b"].dr.promote(force=True)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    seeded = settings(max_examples=10, derandomize=True, database=None,
                      phases=[Phase.generate, Phase.shrink],
                      suppress_health_check=list(HealthCheck))
    with pytest.raises(WorldViolationError) as failure:
        run_state_machine_as_test(CarelessFailover, settings=seeded)
    path = tmp_path_factory.mktemp("report") / "careless.html"
    return write_report(failure.value.world, path, "CarelessFailover", str(failure.value))


def test_the_report_shows_the_topology_before_and_after_the_violation(
        report: Path, page: Any, screenshot: Any) -> None:
    page.goto(report.as_uri())
    moment = page.wait_for_selector('#moments .moment[data-seq="7"]')
    assert "split_brain \u2014 caused by #7 b.dr.promote(force=True)" in moment.text_content()
    before, after = page.query_selector_all("#moments .topology")
    assert before.query_selector(".alarm-banner") is None
    assert before.query_selector('g.link[data-link="dr:b->a"][data-state="connected"]')
    assert "SPLIT BRAIN: a and b are all dr primaries" in after.text_content()
    assert after.query_selector('g.node.alarm[data-cluster="b"]')
    screenshot("report")


def test_the_report_timeline_names_the_violating_operation(report: Path, page: Any) -> None:
    page.goto(report.as_uri())
    row = page.wait_for_selector('#timeline tr.violating[data-seq="7"]')
    assert "b.dr.promote(force=True)" in row.text_content()
    assert "VIOLATION split_brain" in page.text_content("#timeline tr.violation-detail")
    assert "split_brain" in page.text_content("#failure pre")
    assert page.text_content("#timeline-range") == "operations 1\u20137 of 7, newest first"
