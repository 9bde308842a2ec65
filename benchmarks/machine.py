"""Bare-machine throughput: examples per second of ``ReplicationMachine``, 50 steps each.

``python -m benchmarks.machine [--examples N] [--rounds R] [--baseline DIR]`` runs the stock
machine (no automation of the user's) for N examples per round. With ``--baseline DIR`` (a
checkout of another fakevault, e.g. ``git archive <commit> fakevault | tar -x -C DIR``) the same
run is made against it in a subprocess, rounds interleaved, and the ratio of medians reported.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

STEPS = 50
_HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _site_packages() -> list[str]:
    import site

    return [p for p in site.getsitepackages() if os.path.isdir(p)]


def examples_per_second(examples: int) -> float:
    """Run the stock machine for ``examples`` examples of ``STEPS`` steps; examples/s."""
    from hypothesis import HealthCheck, Phase, settings
    from hypothesis.stateful import run_state_machine_as_test

    from fakevault.testing.machine import ReplicationMachine

    chosen = settings(max_examples=examples, stateful_step_count=STEPS, deadline=None,
                      phases=[Phase.generate], derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck))
    start = time.perf_counter()
    run_state_machine_as_test(ReplicationMachine, settings=chosen)
    return examples / (time.perf_counter() - start)


def _in_subprocess(path: str, examples: int) -> float:
    code = ("import fakevault; from benchmarks.machine import examples_per_second as e; "
            f"print(fakevault.__file__); print(e({examples}))")
    # -S: no site hooks, so an editable install of this checkout cannot shadow ``path``.
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([path, _HERE, *_site_packages()]))
    with tempfile.TemporaryDirectory() as elsewhere:  # not this checkout as the cwd either
        out = subprocess.run([sys.executable, "-S", "-c", code], env=env, check=True,
                             text=True, capture_output=True, cwd=elsewhere).stdout
    return float(out.strip().splitlines()[-1])


def main() -> int:
    """Print (and return 0) the throughput, and the ratio to a baseline checkout if given."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.machine")
    parser.add_argument("--examples", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", help="a directory holding another fakevault package")
    args = parser.parse_args()
    mine, theirs = [], []
    for _ in range(args.rounds):
        mine.append(_in_subprocess(_HERE, args.examples))
        if args.baseline:
            theirs.append(_in_subprocess(args.baseline, args.examples))
    result = {"steps": STEPS, "examples": args.examples, "examples_per_s": statistics.median(mine)}
    if theirs:
        result["baseline_examples_per_s"] = statistics.median(theirs)
        result["ratio"] = result["examples_per_s"] / result["baseline_examples_per_s"]
    print(json.dumps({k: round(v, 2) if isinstance(v, float) else v for k, v in result.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
