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


def generate_orders(n_customers: int, seed: int = 0, *, history_days: int = HISTORY_DAYS,
                    first_id: int = 0) -> pd.DataFrame:
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
    ids = np.char.add("C", (cust + first_id).astype(str))
    frame = pd.DataFrame(
        {
            "customer_id": ids,
            "email": np.char.add(np.char.lower(ids), "@example.com"),
            "date": dates.astype("datetime64[ns]"),
            "amount": amount,
        }
    )
    return frame.sort_values("date", kind="stable").reset_index(drop=True)


STATUSES = np.array(["paid", "refunded", "partially_refunded", "pending", "voided"], dtype=object)
STATUS_SHARES = [0.93, 0.02, 0.01, 0.02, 0.02]
PRODUCTS = np.array(["Ceramic Mug - Sand", "Linen Apron", "Gift Card €25", "Tea Towel, Blue", "Oak Board",
                     "Candle \"Amber\"", "Bread Knife", "Espresso Cups (2)"], dtype=object)
COUNTRIES = np.array(["US", "DE", "FR", "NL", "GB", "PL", "SE", "ES"], dtype=object)
FIRST = np.array(["Ana", "Ben", "Chloé", "Dmitri", "Eva", "Farid", "Grace", "Hugo", "Ines", "Jonas"], dtype=object)
LAST = np.array(["Smith", "Müller", "O'Brien", "Rossi", "Dubois", "Kowalski", "Larsen", "García"], dtype=object)


def shopify_export(orders: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """The orders as a Shopify-like line-item export: one row per line item (1-3 per
    order), order-level cells (status, totals, dates, billing) on the order's first row
    only, emails as the customer key, a time-zone offset on every date, and 7% of orders
    refunded, pending or voided (with "Cancelled at" and "Refunded Amount" filled in)."""
    rng = np.random.default_rng(seed + 1)
    n = len(orders)
    items = rng.choice([1, 2, 3], size=n, p=[0.7, 0.2, 0.1])
    status = rng.choice(len(STATUSES), size=n, p=STATUS_SHARES)
    total = orders["amount"].to_numpy()
    refunded = np.where(status == 1, total, np.where(status == 2, np.round(total * 0.3, 2), 0.0))
    stamps = np.datetime_as_string(orders["date"].to_numpy().astype("datetime64[s]"))
    created = pd.Series(stamps).str.replace("T", " ", regex=False).to_numpy(dtype=object) + " +0100"
    cust = orders["customer_id"].str.slice(1).astype(np.int64).to_numpy()
    first_row = np.r_[0, np.cumsum(items)[:-1]]
    rows = int(items.sum())
    order_of_row = np.repeat(np.arange(n), items)
    is_first = np.zeros(rows, dtype=bool)
    is_first[first_row] = True

    def order_level(values, blank=""):
        out = np.full(rows, blank, dtype=object)
        out[first_row] = values
        return out

    money = pd.Series(total).map("{:.2f}".format).to_numpy(dtype=object)
    names = FIRST[cust % len(FIRST)] + " " + LAST[(cust // len(FIRST)) % len(LAST)]
    price = np.round(rng.gamma(3.0, 8.0, rows), 2)
    return pd.DataFrame({
        "Name": ("#" + pd.Series(np.arange(1001, 1001 + n)).astype(str)).to_numpy(dtype=object)[order_of_row],
        "Email": orders["email"].to_numpy(dtype=object)[order_of_row],
        "Financial Status": order_level(STATUSES[status]),
        "Accepts Marketing": order_level(np.where(cust % 3 == 0, "yes", "no").astype(object)),
        "Currency": order_level("EUR"),
        "Subtotal": order_level(money),
        "Shipping": order_level("4.90"),
        "Total": order_level(money),
        "Created at": order_level(created),
        "Lineitem quantity": rng.integers(1, 4, rows),
        "Lineitem name": PRODUCTS[rng.integers(0, len(PRODUCTS), rows)],
        "Lineitem price": price,
        "Billing Name": order_level(names),
        "Billing Country": order_level(COUNTRIES[cust % len(COUNTRIES)]),
        "Cancelled at": order_level(np.where(status == 4, created, "").astype(object)),
        "Refunded Amount": order_level(pd.Series(refunded).map("{:.2f}".format).to_numpy(dtype=object)),
    })


CHUNK = 1_000_000  # customers generated at a time for big plain files


def write_plain_in_chunks(n_customers: int, seed: int, out: str) -> None:
    """A plain order CSV of many customers, a million at a time (memory stays that of one
    million): chunk k has its own seed and customer numbers; each chunk is in date order."""
    from clv_engine.csv_writer import csv_chunks

    with open(out, "w", encoding="utf-8", newline="") as handle:
        for k, start in enumerate(range(0, n_customers, CHUNK)):
            orders = generate_orders(min(CHUNK, n_customers - start), seed + k, first_id=start)
            stamps = np.datetime_as_string(orders["date"].to_numpy().astype("datetime64[s]"))
            orders["date"] = pd.Series(stamps).str.replace("T", " ", regex=False).to_numpy(dtype=object)
            pieces = csv_chunks(orders)
            if k:
                next(pieces)  # the header once
            handle.writelines(pieces)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", required=True, help="CSV file to write")
    parser.add_argument("--layout", choices=["plain", "shopify"], default="plain",
                        help="plain: customer_id,email,date,amount; shopify: a line-item order export")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    if args.layout == "plain" and args.customers > CHUNK:
        write_plain_in_chunks(args.customers, args.seed, args.out)
        print(f"wrote {args.customers:,} customers to {args.out} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        return 0
    orders = generate_orders(args.customers, args.seed)
    if args.layout == "shopify":
        from clv_engine.csv_writer import csv_chunks

        with open(args.out, "w", encoding="utf-8", newline="") as handle:
            handle.writelines(csv_chunks(shopify_export(orders, args.seed)))
    else:
        orders.to_csv(args.out, index=False, date_format="%Y-%m-%d %H:%M:%S")
    print(f"wrote {len(orders):,} orders of {args.customers:,} customers to {args.out} "
          f"in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
