"""``python -m benchmarks.catalogue``: how fast the machine finds each planted bug, and that it
never blames the fixed twin.

For every entry of ``benchmarks.automations.CATALOGUE`` and every seed: the buggy machine runs
(generation only, up to ``--max-examples``) until it fails, which gives the examples needed;
then the failure is shrunk and the steps of the shrunk story counted; the fixed twin runs
``--twin-examples`` examples and must not fail. Printed as a table (found at 50/300/1,000
examples = the share of seeds that needed at most that many), written to
``benchmarks/catalogue.json``.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, settings
from hypothesis import seed as hypothesis_seed
from hypothesis.stateful import run_state_machine_as_test

from benchmarks.automations import CATALOGUE, Entry
from fakevault.testing.machine import ReplicationMachine

STEPS = 50
BUDGETS = (50, 300, 1000)
_STEP = re.compile(r"^state\.(?!no_invariant_violations|no_client_anomalies|teardown)\w+\(")


@dataclass
class Outcome:
    """One entry over every seed."""

    name: str
    expect: str
    examples: list[int | None] = field(default_factory=list)  # None: not found
    shrunk: list[int] = field(default_factory=list)
    kinds_ok: list[bool] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    false_alarms: int = 0
    twin_runs: int = 0
    seconds: float = 0.0


_KIND = re.compile(r"^\s*(?:- )?([a-z_]+): ", re.M)


def _first_kind(report: str) -> str:
    for match in _KIND.finditer(report):
        if match.group(1) not in ("operations", "fakevault"):
            return match.group(1)
    return "?"


def _settings(examples: int, phases: list[Phase]) -> settings:
    return settings(max_examples=examples, stateful_step_count=STEPS, deadline=None,
                    phases=phases, database=None, suppress_health_check=list(HealthCheck),
                    report_multiple_bugs=False)


def _counting(machine: type[ReplicationMachine], counter: list[int]) -> type[Any]:
    class Counted(machine):  # type: ignore[valid-type, misc]
        def __init__(self) -> None:
            counter[0] += 1
            super().__init__()

    Counted.__name__ = machine.__name__
    return Counted


def _run(machine: type[Any], seed: int, examples: int, phases: list[Phase]
         ) -> AssertionError | None:
    try:
        run_state_machine_as_test(hypothesis_seed(seed)(machine),
                                  settings=_settings(examples, phases))
    except AssertionError as failure:
        return failure
    return None


def measure(entry: Entry, seeds: range, max_examples: int, twin_examples: int) -> Outcome:
    """Run ``entry``'s buggy machine and its twin over ``seeds``."""
    outcome = Outcome(entry.name, entry.expect)
    start = time.perf_counter()
    for seed in seeds:
        counter = [0]
        failure = _run(_counting(entry.buggy, counter), seed, max_examples, [Phase.generate])
        if failure is None:
            outcome.examples.append(None)
        else:
            outcome.examples.append(counter[0])
            shrunk = _run(entry.buggy, seed, max_examples, [Phase.generate, Phase.shrink])
            notes = getattr(shrunk, "__notes__", []) if shrunk else []
            outcome.shrunk.append(sum(bool(_STEP.match(line.strip())) for line in notes))
            found_text = str(shrunk or failure)
            outcome.kinds_ok.append(entry.expect in found_text)
            outcome.kinds.append(_first_kind(found_text))
        if twin_examples:
            outcome.twin_runs += 1
            twin = _run(entry.fixed, seed, twin_examples, [Phase.generate])
            if twin is not None:
                outcome.false_alarms += 1
                print(f"FALSE ALARM {entry.fixed.__name__} seed {seed}:\n{twin}",
                      file=sys.stderr)
    outcome.seconds = time.perf_counter() - start
    return outcome


def row(outcome: Outcome) -> dict[str, Any]:
    """The table row of one outcome."""
    found = [n for n in outcome.examples if n is not None]
    runs = len(outcome.examples)
    return {
        "bug": outcome.name, "expect": outcome.expect, "seeds": runs,
        **{f"found@{b}": f"{sum(n <= b for n in found)}/{runs}" for b in BUDGETS},
        "median examples": statistics.median(found) if found else None,
        "median shrunk steps": statistics.median(outcome.shrunk) if outcome.shrunk else None,
        "named right": f"{sum(outcome.kinds_ok)}/{len(outcome.kinds_ok)}",
        "first kinds": ",".join(sorted(set(outcome.kinds))),
        "false alarms": f"{outcome.false_alarms}/{outcome.twin_runs}",
        "seconds": round(outcome.seconds, 1),
    }


def main() -> int:
    """Run the catalogue; print a Markdown table; 1 if a fixed twin was blamed."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.catalogue")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--max-examples", type=int, default=1000)
    parser.add_argument("--twin-examples", type=int, default=100)
    parser.add_argument("--only", help="run the entries whose name contains this")
    parser.add_argument("--out", default=str(Path(__file__).with_name("catalogue.json")))
    args = parser.parse_args()
    rows = []
    for entry in CATALOGUE:
        if args.only and args.only not in entry.name:
            continue
        rows.append(row(measure(entry, range(args.seeds), args.max_examples,
                                args.twin_examples)))
        print(json.dumps(rows[-1]), flush=True)
    Path(args.out).write_text(json.dumps({"settings": vars(args), "rows": rows}, indent=2))
    header = list(rows[0]) if rows else []
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for r in rows:
        print("| " + " | ".join("-" if r[k] is None else str(r[k]) for k in header) + " |")
    return 1 if any(not r["false alarms"].startswith("0/") for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
