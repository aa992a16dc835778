"""Pareto/NBD fit, CLV Toolkit vs lifetimes, on the same synthetic customers.

Both fits get the same BTYD summary (weeks, times on whole days) simulated from a
Pareto/NBD process with known parameters (r=0.55, alpha=10.6, s=0.61, beta=11.7, the
CDNOW values; customer ages uniform over two years); only the fit is timed. Both parameter sets are printed so a faster fit that lands somewhere else would
show.

    python bench/bench_pareto.py                      # 100,000 customers
    python bench/bench_pareto.py --customers 10000    # quick run
"""
from __future__ import annotations

import argparse
import time


TRUE_PARAMS = {"r": 0.55, "alpha": 10.6, "s": 0.61, "beta": 11.7}


def simulate_pareto_summary(n_customers: int, seed: int):
    """frequency, recency, T (weeks) of customers drawn from the Pareto/NBD process."""
    import numpy as np

    rng = np.random.default_rng(seed)
    p = TRUE_PARAMS
    rate = rng.gamma(p["r"], 1 / p["alpha"], n_customers)
    death = rng.gamma(p["s"], 1 / p["beta"], n_customers)
    age = rng.integers(28, 2 * 365, n_customers) / 7.0
    active = np.minimum(rng.exponential(1 / death), age)
    frequency = rng.poisson(rate * active).astype(float)
    last = active * rng.random(n_customers) ** (1 / np.maximum(frequency, 1))
    recency = np.where(frequency > 0, np.floor(last * 7) / 7, 0.0)
    return frequency, recency, age


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-lifetimes", action="store_true")
    args = parser.parse_args(argv)

    from clv_engine.models import ParetoNBDModel

    f, r, T = simulate_pareto_summary(args.customers, args.seed)
    print(f"{len(f):,} customers, {int(f.sum()):,} repeat purchases")

    t, cpu = time.perf_counter(), time.process_time()
    ours = ParetoNBDModel().fit(f, r, T)
    ours_s, ours_cpu = time.perf_counter() - t, time.process_time() - cpu
    print(f"true params {TRUE_PARAMS}")
    print(f"CLV Toolkit: {ours_s:.2f} s (CPU {ours_cpu:.2f} s)  params {ours.params_}  LL {ours.log_likelihood_:.1f}")
    if args.skip_lifetimes:
        return 0

    from lifetimes import ParetoNBDFitter

    t, cpu = time.perf_counter(), time.process_time()
    theirs = ParetoNBDFitter().fit(f, r, T)
    theirs_s, theirs_cpu = time.perf_counter() - t, time.process_time() - cpu
    params = {k: float(v) for k, v in theirs.params_.items()}
    print(f"lifetimes:   {theirs_s:.2f} s  params {params}")
    print(f"ratio: {theirs_s / ours_s:.1f}x faster wall clock, {theirs_cpu / ours_cpu:.1f}x less CPU "
          f"({ours_cpu:.1f} s vs {theirs_cpu:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
