"""Side-by-side timing: subject and baseline alternate in rounds; the ratio of medians counts.

Absolute times on a shared, noisy machine mean little; a ratio measured in the same run, with
both sides interleaved, cancels most of the noise.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    """One benchmark: the ratio subject/baseline (or a plain measure) against its target."""

    name: str
    subject_us: float
    baseline_us: float
    target: float | None
    higher_is_better: bool = False
    unit: str = "x"
    note: str = ""

    @property
    def ratio(self) -> float:
        """subject / baseline (or baseline / subject for throughput, where higher is better)."""
        if self.higher_is_better:
            return self.baseline_us / self.subject_us
        return self.subject_us / self.baseline_us

    @property
    def met(self) -> bool:
        """True if the ratio is within its target (always, for a measure that is only reported)."""
        if self.target is None:
            return True
        return self.ratio >= self.target if self.higher_is_better else self.ratio <= self.target

    def to_json(self) -> dict[str, object]:
        """For the results file."""
        return {"name": self.name, "subject_us": round(self.subject_us, 3),
                "baseline_us": round(self.baseline_us, 3), "ratio": round(self.ratio, 3),
                "target": self.target, "higher_is_better": self.higher_is_better,
                "met": self.met, "note": self.note}


def per_call_us(func: Callable[[], object], calls: int) -> float:
    """Microseconds per call of ``func`` over ``calls`` calls."""
    start = time.perf_counter_ns()
    for _ in range(calls):
        func()
    return (time.perf_counter_ns() - start) / calls / 1000


def compare(name: str, subject: Callable[[], object], baseline: Callable[[], object], *,
            target: float | None, calls: int = 200, rounds: int = 9, note: str = "") -> Result:
    """Median per-call time of ``subject`` and ``baseline``, alternating round by round."""
    subject(), baseline()  # warm up both
    subject_times, baseline_times = [], []
    for _ in range(rounds):
        subject_times.append(per_call_us(subject, calls))
        baseline_times.append(per_call_us(baseline, calls))
    return Result(name, statistics.median(subject_times), statistics.median(baseline_times),
                  target, note=note)
