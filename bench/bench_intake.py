"""Intake + customer summary on a large synthetic log, next to pandas merely reading it.

    python bench/bench_intake.py --customers 1000000

Prints the time pandas needs to read the CSV (``pd.read_csv`` with defaults), the time
CLV Toolkit needs to read it (sniffing, role detection, value parsing, row accounting) and
build the customer summary, and the ratio. Target: ratio below 3. Wall-clock and CPU
time are both shown (the CPU figure is steadier on a shared machine), plus the peak
memory of intake + summary measured in a separate child process (``--memory``).
"""
from __future__ import annotations

import argparse
import gc
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from generate_orders import generate_orders  # noqa: E402
from measure import peak_rss_mb  # noqa: E402

from clv_engine import tune_memory_allocator  # noqa: E402
from clv_engine.intake import read_orders  # noqa: E402
from clv_engine.summary import customer_summary  # noqa: E402


def best_of(repeats: int, func):
    """(best wall-clock seconds, best CPU seconds, last result) over ``repeats`` runs."""
    best = best_cpu = float("inf")
    result = None
    for _ in range(repeats):
        result = None
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        result = func()
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - start_cpu)
    return best, best_cpu, result


def peak_memory_mb(path: Path, what: str) -> float:
    """Peak resident memory of a fresh process doing only ``what`` ("pandas" or "ours")."""
    out = subprocess.run([sys.executable, __file__, "--csv", str(path), "--memory", what],
                         capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--csv", default=None, help="reuse this CSV instead of generating one")
    parser.add_argument("--memory", choices=["pandas", "ours"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    # as the `clv` command does at start-up; it applies to the pandas timing in this
    # process as well (both run in one process, as before)
    tune_memory_allocator()
    if args.memory:
        if args.memory == "pandas":
            pd.read_csv(args.csv)
        else:
            customer_summary(read_orders(args.csv).orders)
        print(peak_rss_mb())
        return 0

    path = Path(args.csv) if args.csv else Path(tempfile.gettempdir()) / f"clv_bench_{args.customers}.csv"
    if not path.exists():
        generate_orders(args.customers, seed=0).to_csv(path, index=False, date_format="%Y-%m-%d %H:%M:%S")
    size_mb = os.path.getsize(path) / 1e6

    t_pandas, cpu_pandas, frame = best_of(args.repeats, lambda: pd.read_csv(path))
    n_rows = len(frame)
    del frame

    def ours():
        data = read_orders(path)
        return data, customer_summary(data.orders)

    t_ours, cpu_ours, (data, summary) = best_of(args.repeats, ours)
    assert data.report.rows_read == n_rows == data.report.rows_used + len(data.report.skipped)
    n_customers = len(summary)
    del data, summary
    mem_pandas, mem_ours = peak_memory_mb(path, "pandas"), peak_memory_mb(path, "ours")
    print(f"file: {path} ({size_mb:.0f} MB, {n_rows:,} orders, {n_customers:,} customers)")
    print("                                  wall s    CPU s   peak MB")
    print(f"pandas.read_csv                 {t_pandas:8.2f} {cpu_pandas:8.2f} {mem_pandas:9.0f}")
    print(f"CLV Toolkit intake + summary    {t_ours:8.2f} {cpu_ours:8.2f} {mem_ours:9.0f}")
    print(f"ratio (target < 3)              {t_ours / t_pandas:8.2f} {cpu_ours / cpu_pandas:8.2f} "
          f"{mem_ours / mem_pandas:9.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
