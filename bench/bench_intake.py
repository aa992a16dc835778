"""Intake + customer summary on a large synthetic log, next to pandas merely reading it.

    python bench/bench_intake.py --customers 1000000

Prints the time pandas needs to read the CSV (``pd.read_csv`` with defaults), the time
CLV Toolkit needs to read it (sniffing, role detection, value parsing, row accounting) and
build the customer summary, and the ratio. Target: ratio below 3.
"""
from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from generate_orders import generate_orders  # noqa: E402

from clv_engine.intake import read_orders  # noqa: E402
from clv_engine.summary import customer_summary  # noqa: E402


def best_of(repeats: int, func):
    best = float("inf")
    result = None
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    return best, result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--csv", default=None, help="reuse this CSV instead of generating one")
    args = parser.parse_args(argv)

    path = Path(args.csv) if args.csv else Path(tempfile.gettempdir()) / f"clv_bench_{args.customers}.csv"
    if not path.exists():
        generate_orders(args.customers, seed=0).to_csv(path, index=False, date_format="%Y-%m-%d %H:%M:%S")
    size_mb = os.path.getsize(path) / 1e6

    t_pandas, frame = best_of(args.repeats, lambda: pd.read_csv(path))
    n_rows = len(frame)
    del frame

    def ours():
        data = read_orders(path)
        return data, customer_summary(data.orders)

    t_ours, (data, summary) = best_of(args.repeats, ours)
    assert data.report.rows_read == n_rows == data.report.rows_used + len(data.report.skipped)
    print(f"file: {path} ({size_mb:.0f} MB, {n_rows:,} orders, {len(summary):,} customers)")
    print(f"pandas.read_csv                 {t_pandas:7.2f} s")
    print(f"CLV Toolkit intake + summary    {t_ours:7.2f} s")
    print(f"ratio (target < 3)              {t_ours / t_pandas:7.2f} x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
