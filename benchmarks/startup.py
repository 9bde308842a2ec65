"""pytest start-up with fakevault's plugin loaded, against the same run with it blocked.

The plugin (``pytest11`` entry point ``fakevault``) is loaded by every pytest run in an
environment where fakevault is installed, so its import must stay cheap: the fixtures load
fakevault's model, HTTP layer, hvac and Hypothesis only when a test uses them. Subject: pytest
collecting and running one trivial test in a fresh process; baseline: the same with
``-p no:fakevault``. Rounds alternate and the measure is the process's CPU time, so a busy
machine slows both alike. Run it in an environment with only ``fakevault[pytest]`` to see
what a downstream project pays (a ``[test]`` environment adds schemathesis' own plugin).
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.harness import Result

ROUNDS = 11
TRIVIAL_TEST = "def test_nothing():\n    pass\n"


def _pytest_seconds(folder: Path, *flags: str) -> float:
    """CPU seconds (user + system) of one pytest process: less at the mercy of other load on
    the machine than wall time, which waits for a core."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *flags,
                    str(folder)], cwd=folder, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def bench_plugin_startup(rounds: int = ROUNDS) -> Result:
    """Median pytest start-up with the plugin over the same with ``-p no:fakevault``."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        (folder / "pytest.ini").write_text("[pytest]\n")
        (folder / "test_trivial.py").write_text(TRIVIAL_TEST)
        _pytest_seconds(folder), _pytest_seconds(folder, "-p", "no:fakevault")  # warm caches
        with_plugin, without = [], []
        for _ in range(rounds):
            with_plugin.append(_pytest_seconds(folder))
            without.append(_pytest_seconds(folder, "-p", "no:fakevault"))
    return Result("pytest start-up, plugin loaded vs blocked", statistics.median(with_plugin) * 1e6,
                  statistics.median(without) * 1e6, target=1.2,
                  note="CPU time of a fresh process, one trivial test")


if __name__ == "__main__":
    result = bench_plugin_startup()
    print(f"{result.name}: {result.subject_us / 1e3:.0f} ms vs {result.baseline_us / 1e3:.0f} ms "
          f"CPU "
          f"= {result.ratio:.2f}x (target <= {result.target}x)")
