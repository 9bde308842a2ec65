"""The downstream project .ci/run runs from the built wheel also passes here, in-process."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

DOWNSTREAM = Path(__file__).resolve().parents[2] / ".ci" / "downstream"


def test_the_downstream_project_passes(pytester: pytest.Pytester) -> None:
    shutil.copytree(DOWNSTREAM, pytester.path, dirs_exist_ok=True)
    result = pytester.runpytest("-p", "no:cacheprovider", "-v")
    result.assert_outcomes(passed=5)
    result.stdout.fnmatch_lines(["*promote-after-loss*PASSED*"])
