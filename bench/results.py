"""Measurements as JSON lines: every part of the harness appends here and
report.py turns the file into the table.

A record is one figure of one implementation:
    section  "kernel", "cpu", "mp"
    metric   what was measured, the row's name
    impl     "gomp" or the peer's name ("python3 ipykernel", ...)
    value    the figure (float), or None when it could not be measured
    unit     unit of value ("ms", "s", "items/s", ...)
    better   "lower", "higher" or "equal" (counts that should match)
    note     why value is None, or a remark shown in the table
"""

import argparse
import json
import math
import os
import statistics


def kernel_args(doc):
    """The command line that cpu_bench.py and mp_compare.py share: which
    kernels to drive, the compiled Go peer, and --quick."""
    ap = argparse.ArgumentParser(description=doc)
    ap.add_argument("--kernels", default="gomp,python3")
    ap.add_argument("--gobin", required=True, help="the compiled bench/cpu binary")
    ap.add_argument("--quick", action="store_true")
    return ap.parse_args()


def median(xs):
    """median of a non-empty list of numbers."""
    return statistics.median(xs)


def p95(xs):
    """p95 is the 95th percentile (nearest rank) of a non-empty list."""
    s = sorted(xs)
    return s[max(0, math.ceil(0.95 * len(s)) - 1)]


class Results:
    """Results appends records to the JSON-lines file at path (BENCH_RESULTS
    by default) and echoes each one to stdout so a run shows progress."""

    def __init__(self, path=None):
        self.path = path or os.environ.get("BENCH_RESULTS", "results.jsonl")

    def add(self, section, metric, impl, value, unit, better="lower", note=""):
        rec = dict(section=section, metric=metric, impl=impl, value=value,
                   unit=unit, better=better, note=note)
        with open(self.path, "a") as f:
            f.write(json.dumps(rec) + "\n")
        shown = "n/a" if value is None else f"{value:.4g} {unit}"
        print(f"  {section:6} {metric:48} {impl:24} {shown} {note}", flush=True)
