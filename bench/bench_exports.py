"""Email-list export speed against a plain CSV write of the same cells.

    python bench/bench_exports.py [--customers 200000] [--repeat 3]

Builds a customer table like the pipeline's (ids, emails, names, consent, tiers, RFM
segments, CLV, churn risk, orders, last order), then for each email tool times
``export_email_lists`` (consent and email checks, de-duplication, tags, formula
protection, capping, one file per tier) against the fastest plain alternative: pandas
``DataFrame.to_csv`` of a frame already holding the tool's columns (no checks at all).
Prints the best of ``--repeat`` runs per tool, microseconds per customer and the ratio.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from clv_engine.exports import EMAIL_TOOLS, LAYOUTS, export_email_lists  # noqa: E402


def customer_table(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    tiers = np.array(["High", "Medium", "Low"])[rng.integers(0, 3, n)]
    segments = np.array(["Champions", "Loyal", "At risk", "Hibernating", "New"])[rng.integers(0, 5, n)]
    return pd.DataFrame({
        "customer_id": [f"C{i}" for i in range(n)],
        "email": [f"user{i}@example.com" for i in range(n)],
        "name": [f"Zoë Person{i}" for i in range(n)],
        "consent": pd.array(rng.random(n) < 0.7, dtype="boolean"),
        "orders": rng.integers(1, 20, n),
        "total_value": np.round(rng.lognormal(4, 1, n), 2),
        "clv": np.round(rng.lognormal(4, 1, n), 2),
        "churn_risk": np.round(rng.random(n), 4),
        "last_order": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D"),
        "tier": pd.Categorical(tiers, categories=["High", "Medium", "Low"]),
        "rfm_segment": segments,
        "actions": "Send a thank-you note",
    })


def best_of(repeat: int, func) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    table = customer_table(args.customers)
    print(f"{args.customers:,} customers; best of {args.repeat}")
    with tempfile.TemporaryDirectory() as folder:
        for tool in EMAIL_TOOLS:
            columns = LAYOUTS[tool].columns
            plain = pd.DataFrame({c: table["email"] for c in columns})
            baseline = best_of(args.repeat, lambda: plain.to_csv(Path(folder) / "plain.csv", index=False))
            ours = best_of(args.repeat, lambda: export_email_lists(table, tool, Path(folder) / tool, overwrite=True))
            per = ours / args.customers * 1e6
            print(f"{tool:15s} export {ours:6.2f} s ({per:5.2f} us/customer); plain to_csv {baseline:6.2f} s; "
                  f"ratio {ours / baseline:4.2f}")


if __name__ == "__main__":
    main()
