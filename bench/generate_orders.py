"""Synthetic order logs for benchmarks, drawn from a buy-till-you-die process.

Each customer has a Poisson purchase rate (gamma heterogeneity), drops out after each
purchase with a beta-distributed probability (BG/NBD story) and spends gamma-gamma
amounts. Reproducible from ``seed``.

    python bench/generate_orders.py --customers 1000000 --out /tmp/orders_1m.csv
"""
from __future__ import annotations

import argparse
import sys
import time

import numpy as np
import pandas as pd

START = np.datetime64("2023-01-01")
HISTORY_DAYS = 2 * 365


def generate_orders(n_customers: int, seed: int = 0, *, history_days: int = HISTORY_DAYS) -> pd.DataFrame:
    """Return DataFrame[customer_id (str), email (str), date (datetime64), amount (float)].

    About three orders per customer on average (1 million customers ≈ 3 million orders).
    """
    rng = np.random.default_rng(seed)
    first_day = rng.integers(0, history_days - 30, n_customers)
    rate = rng.gamma(shape=0.9, scale=1 / 75.0, size=n_customers)  # purchases per day
    drop = rng.beta(0.8, 3.0, size=n_customers)
    # Number of repeat purchases until dropout (geometric) or end of history.
    max_repeats = rng.geometric(np.clip(drop, 1e-6, 1.0)) - 1
    window = history_days - first_day
    expected = rate * window
    n_repeat = np.minimum(rng.poisson(expected), max_repeats)
    n_orders = 1 + n_repeat
    cust = np.repeat(np.arange(n_customers), n_orders)
    offset = np.zeros(len(cust), dtype=np.int64)
    is_repeat = np.ones(len(cust), dtype=bool)
    starts = np.concatenate(([0], np.cumsum(n_orders)[:-1]))
    is_repeat[starts] = False
    # Repeat purchases uniformly inside the active part of the window (sorted per customer).
    active = np.maximum(window * np.minimum(1.0, (n_repeat + 1) / np.maximum(expected, 1e-9)), 1)
    offset[is_repeat] = (rng.random(is_repeat.sum()) * active[cust[is_repeat]]).astype(np.int64)
    day = first_day[cust] + np.minimum(offset, window[cust] - 1)
    spend_scale = rng.gamma(shape=6.0, scale=1 / 15.0, size=n_customers)  # gamma-gamma
    amount = np.round(rng.gamma(shape=4.0, scale=1.0, size=len(cust)) / spend_scale[cust], 2)
    seconds = rng.integers(8 * 3600, 22 * 3600, len(cust))
    dates = START + day.astype("timedelta64[D]") + seconds.astype("timedelta64[s]")
    ids = np.char.add("C", cust.astype(str))
    frame = pd.DataFrame(
        {
            "customer_id": ids,
            "email": np.char.add(np.char.lower(ids), "@example.com"),
            "date": dates.astype("datetime64[ns]"),
            "amount": amount,
        }
    )
    return frame.sort_values("date", kind="stable").reset_index(drop=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", required=True, help="CSV file to write")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    orders = generate_orders(args.customers, args.seed)
    orders.to_csv(args.out, index=False, date_format="%Y-%m-%d %H:%M:%S")
    print(f"wrote {len(orders):,} orders of {args.customers:,} customers to {args.out} "
          f"in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
