"""Pareto/NBD fit, CLV Toolkit vs lifetimes, on the same synthetic customers.

Both fits get the same BTYD summary (weeks) of a synthetic order log; only the fit is
timed. Both parameter sets are printed so a faster fit that lands somewhere else would
show.

    python bench/bench_pareto.py                      # 100,000 customers
    python bench/bench_pareto.py --customers 10000    # quick run
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-lifetimes", action="store_true")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(HERE))
    from generate_orders import generate_orders

    from clv_engine.models import ParetoNBDModel
    from clv_engine.summary import customer_summary

    orders = generate_orders(args.customers, args.seed)
    summary = customer_summary(orders, freq="D", freq_multiplier=7)
    f, r, T = (summary[c].to_numpy() for c in ("frequency", "recency", "T"))
    print(f"{len(summary):,} customers, {len(orders):,} orders")

    t = time.perf_counter()
    ours = ParetoNBDModel().fit(f, r, T)
    ours_s = time.perf_counter() - t
    print(f"CLV Toolkit: {ours_s:.2f} s  params {ours.params_}  LL {ours.log_likelihood_:.1f}")
    if args.skip_lifetimes:
        return 0

    from lifetimes import ParetoNBDFitter

    t = time.perf_counter()
    theirs = ParetoNBDFitter().fit(f, r, T)
    theirs_s = time.perf_counter() - t
    params = {k: float(v) for k, v in theirs.params_.items()}
    print(f"lifetimes:   {theirs_s:.2f} s  params {params}")
    print(f"ratio: {theirs_s / ours_s:.1f}x faster")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
