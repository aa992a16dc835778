"""Excel front door timing: CLV_PREDICT over a 100,000-order range, then ten functions
over the same range (cached intake and fit).

Targets: CLV_PREDICT < 1 s of Python time; ten functions together < 1.5 s.
Run: python bench/bench_excel.py [--orders 100000] [--profile]
The range is a list of lists as xlwings passes it (header row, text ids, datetimes, floats).
"""
from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import pstats
import random
import time

_load_start = time.perf_counter()
from clv_excel import functions, udfs  # noqa: E402  (what Excel does when it loads the add-in)

ADDIN_LOAD_SECONDS = time.perf_counter() - _load_start


def synthetic_orders(n_orders: int, seed: int = 1) -> list[list]:
    """Repeat buyers with individual rhythms over two years; header row first."""
    rng = random.Random(seed)
    start = dt.datetime(2023, 1, 1)
    rows = [["Customer", "Email", "Date", "Total"]]
    customer = 0
    while len(rows) <= n_orders:
        customer += 1
        first = rng.uniform(0, 600)
        gap = rng.expovariate(1 / 60)
        basket = rng.lognormvariate(3.5, 0.5)
        day = first
        while day < 730 and len(rows) <= n_orders:
            rows.append([f"C{customer:06d}", f"c{customer}@example.com", start + dt.timedelta(days=int(day)),
                         round(basket * rng.uniform(0.7, 1.3), 2)])
            if rng.random() < 0.25:
                break
            day += max(1.0, rng.expovariate(1 / gap) if gap > 0 else 30)
    return rows


def fresh(rows):
    """A new copy per call, as Excel hands each formula its own values."""
    return [list(r) for r in rows]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    rows = synthetic_orders(args.orders)
    print(f"range: {len(rows) - 1} orders, {len({r[0] for r in rows[1:]})} customers")
    print(f"add-in load (imports, once per Excel session): {ADDIN_LOAD_SECONDS:.2f} s")

    functions.RESULTS.clear()
    profiler = cProfile.Profile() if args.profile else None
    argument = fresh(rows)  # Excel's copy of the range is not Python time of the formula
    t0 = time.perf_counter()
    if profiler:
        profiler.enable()
    result = udfs.clv_predict(argument)
    if profiler:
        profiler.disable()
    first = time.perf_counter() - t0
    assert isinstance(result, list), result
    print(f"CLV_PREDICT (cold: intake + fit): {first:.2f} s  [target < 1 s]")

    calls = [
        ("CLV_PREDICT", lambda r: udfs.clv_predict(r)),
        ("CLV_SEGMENTS", lambda r: udfs.clv_segments(r)),
        ("CLV_MODEL", lambda r: udfs.clv_model(r)),
        ("CLV_CUSTOMERS", lambda r: udfs.clv_customers(r)),
        ("CLV_INTAKE", lambda r: udfs.clv_intake(r)),
        ("CLV_SUMMARY", lambda r: udfs.clv_summary(r)),
        ("CLV_RFM", lambda r: udfs.clv_rfm(r)),
        ("CLV_TIER", lambda r: udfs.clv_tier([[row[2]] for row in result[1:]])),
        ("CLV_SIMPLE", lambda r: udfs.clv_simple(50.0, 4.0, 3.0, 0.3, 20.0)),
        ("CLV_RETENTION", lambda r: udfs.clv_retention(100.0, 0.8, 0.1)),
    ]
    functions.RESULTS.clear()
    total = 0.0
    for name, call in calls:
        argument = fresh(rows)
        t0 = time.perf_counter()
        out = call(argument)
        elapsed = time.perf_counter() - t0
        total += elapsed
        assert not (isinstance(out, str) and out.startswith("CLV: ")), out
        print(f"  {name:<14} {elapsed:6.3f} s")
    print(f"ten functions over the same range (cold cache): {total:.2f} s  [target < 1.5 s]")
    print(f"cache: {functions.RESULTS.misses} computed, {functions.RESULTS.hits} reused")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
