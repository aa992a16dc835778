"""Realistic synthetic shop order logs, with or without customers who really leave.

Unlike ``generate_orders.py`` (the BG/NBD story itself, for speed benchmarks), these
files are shaped like a small online shop, not like any one model:

* customers arrive over three years at a growing pace, with more first orders around
  Christmas;
* each buys at their own Poisson rate (gamma heterogeneity, most people buy rarely);
* the whole shop is seasonal: the buying rate swings +-35% over the year (peak in
  December), which no BTYD model follows;
* ``--dropout``: each customer's lifetime is exponential with a gamma-distributed rate
  (mean lifetime about 1.5 years), so silence really means gone; ``--no-dropout``: nobody
  leaves, silence only means a slow buyer;
* order values: a customer's typical basket (log-normal across customers) times gamma noise.

Reproducible from ``--seed``.

    python bench/generate_shop.py --customers 8000 --dropout --out /tmp/shop_dropout.csv
    python bench/generate_shop.py --customers 8000 --no-dropout --out /tmp/shop_stay.csv
"""
from __future__ import annotations

import argparse
import sys

import numpy as np
import pandas as pd

END = np.datetime64("2025-12-31")
HISTORY_DAYS = 3 * 365
SEASON_AMPLITUDE = 0.35
PEAK_DAY_OF_YEAR = 350


def season(day_number: np.ndarray) -> np.ndarray:
    """Relative buying rate on each day (days since 1970-01-01), 1 on average."""
    day_of_year = (day_number.astype(np.int64) + 4) % 365  # 1970-01-01 is day 0 of the year
    return 1.0 + SEASON_AMPLITUDE * np.cos(2 * np.pi * (day_of_year - PEAK_DAY_OF_YEAR) / 365.0)


def generate_shop(n_customers: int, *, dropout: bool, seed: int = 0) -> pd.DataFrame:
    """DataFrame[order_id, customer_id, date, amount], one row per order, sorted by date."""
    rng = np.random.default_rng(seed)
    end = int(END.astype("datetime64[D]").astype(np.int64))
    start = end - HISTORY_DAYS
    # arrivals: density growing linearly from 1 to 3 over the history, thinned by season
    arrival = np.empty(0, dtype=np.int64)
    while len(arrival) < n_customers:
        u = rng.random(4 * n_customers)
        day = start + np.floor(HISTORY_DAYS * (np.sqrt(1 + 8 * u) - 1) / 2).astype(np.int64)
        keep = rng.random(len(day)) < season(day) / (1 + SEASON_AMPLITUDE)
        arrival = np.concatenate((arrival, day[keep]))
    arrival = np.sort(arrival[:n_customers])
    rate = rng.gamma(shape=0.55, scale=1 / 120.0, size=n_customers)  # orders per day
    if dropout:
        death_rate = rng.gamma(shape=1.2, scale=1 / (1.2 * 1.5 * 365), size=n_customers)
        lifetime = rng.exponential(1.0 / death_rate)
    else:
        lifetime = np.full(n_customers, np.inf)
    last_alive = np.minimum(arrival + lifetime, end)
    span = np.maximum(last_alive - arrival, 0.0)
    top = rate * (1 + SEASON_AMPLITUDE)
    n_candidates = rng.poisson(top * span)
    who = np.repeat(np.arange(n_customers), n_candidates)
    when = arrival[who] + rng.random(len(who)) * span[who]
    keep = rng.random(len(who)) < season(np.floor(when)) / (1 + SEASON_AMPLITUDE)
    who, when = who[keep], np.floor(when[keep]).astype(np.int64)
    customer = np.concatenate((np.arange(n_customers), who))
    day = np.concatenate((arrival, np.minimum(when, end)))
    basket = rng.lognormal(mean=3.7, sigma=0.55, size=n_customers)
    amount = np.round(basket[customer] * rng.gamma(6.0, 1 / 6.0, size=len(customer)), 2)
    amount = np.maximum(amount, 1.0)
    order = np.argsort(day, kind="stable")
    return pd.DataFrame({
        "order_id": np.arange(1, len(order) + 1),
        "customer_id": np.char.add("C", (customer[order] + 1).astype(str)),
        "date": day[order].astype("datetime64[D]"),
        "amount": amount[order],
    })


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=8000)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--dropout", dest="dropout", action="store_true", help="customers really leave")
    group.add_argument("--no-dropout", dest="dropout", action="store_false", help="nobody leaves")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    frame = generate_shop(args.customers, dropout=args.dropout, seed=args.seed)
    frame.to_csv(args.out, index=False, date_format="%Y-%m-%d")
    sys.stdout.write(f"{len(frame):,} orders of {args.customers:,} customers written to {args.out}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
