"""``python -m benchmarks [--quick] [--out FILE]``: every benchmark, a table, a JSON file."""

from __future__ import annotations

import argparse
import json
import platform
import sys
from collections.abc import Callable
from pathlib import Path

from benchmarks.durable import bench_durable_write, bench_durable_write_fsync
from benchmarks.harness import Result
from benchmarks.inprocess import bench_kv_read, bench_kv_write, bench_per_test_cost, bench_status
from benchmarks.live import bench_live_throughput, bench_memory
from benchmarks.model import bench_bootstrap, bench_merkle_scaling
from benchmarks.startup import bench_plugin_startup
from benchmarks.tokens import bench_token_create, bench_token_lookup
from benchmarks.web import bench_recorder_overhead, bench_view_windowed

BENCHMARKS: list[Callable[[], Result]] = [
    bench_status, bench_kv_read, bench_kv_write, bench_merkle_scaling, bench_bootstrap,
    bench_per_test_cost, bench_live_throughput, bench_memory,
    bench_plugin_startup, bench_view_windowed, bench_recorder_overhead,
    bench_durable_write, bench_durable_write_fsync,
    bench_token_create, bench_token_lookup,
]
SLOW = {bench_memory, bench_plugin_startup}


def table(results: list[Result]) -> str:
    """The results as an aligned text table."""
    rows = [["benchmark", "fakevault", "baseline", "ratio", "target", "met"]]
    for r in results:
        unit = "MB" if r.unit == "MB" else "us"
        target = "report" if r.target is None else (
            f">= {r.target}" if r.higher_is_better else f"<= {r.target}")
        ratio = "-" if r.unit == "MB" else f"{r.ratio:.2f}x"
        rows.append([r.name, f"{r.subject_us:.1f} {unit}", f"{r.baseline_us:.1f} {unit}", ratio,
                     target, "yes" if r.met else "NO"])
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
                     for row in rows)


def main() -> int:
    """Run, print, save; exit 1 if a target was missed."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--quick", action="store_true", help="skip the slow memory benchmark")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results.json"))
    args = parser.parse_args()
    results = []
    for bench in BENCHMARKS:
        if args.quick and bench in SLOW:
            continue
        result = bench()
        results.append(result)
        print(f"  {result.name}: {result.ratio:.2f}x {result.note}", file=sys.stderr, flush=True)
    print(table(results))
    args.out.write_text(json.dumps({"python": platform.python_version(),
                                    "machine": platform.machine(),
                                    "results": [r.to_json() for r in results]}, indent=2))
    print(f"\nwritten to {args.out}")
    return 0 if all(r.met for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
