"""A short load run in CI (the long one is `python -m benchmarks.load`)."""

from __future__ import annotations

from benchmarks.load import run_load


def test_mixed_load_loses_nothing_and_never_errors() -> None:
    report = run_load(threads=8, ops=40)
    assert report.server_errors == 0
    assert len(report.acknowledged) == 4 * 40
    assert report.failovers >= 4
    assert report.problems == []
