"""Predictive CLV job, CLV Toolkit vs lifetimes, on the same synthetic order log.

Each side runs in its own subprocess of this script (so peak memory is measured fairly,
as the process's maximum resident set size; CPU time is reported next to wall-clock time
because a shared machine inflates wall-clock time) on the same CSV, in the same run:

    read CSV -> customer summary -> fit BG/NBD and Gamma-Gamma -> 12-month CLV ->
    P(alive) -> value tiers -> write CSV

CLV Toolkit does more work in its step (``predict_clv``: a holdout check of the model,
the 80% interval by simulation, next-order dates); lifetimes computes point CLV only.
Both write the same file, byte for byte the same layout: customer id, CLV, P(alive) and
tier (the interval is computed but not written, so the write step compares like with
like). lifetimes' side writes with pandas' ``to_csv``; CLV Toolkit's with its own CSV
writer (``clv_engine.csv_writer``, what ``clv analyze`` uses), which produces the same
text faster. Library imports happen before each side's clock starts: lifetimes loads
scipy.optimize when imported, CLV Toolkit only when it first fits, so that import is done
up front on its side too.

Both sides run with the same glibc allocator setting: by default the one the ``clv``
command and the desktop app use (``clv_engine.tune_memory_allocator``: freed blocks are
kept for reuse instead of being handed back and faulted in again; a script using the
engine as a library calls the same function); ``--allocator plain`` runs both with
glibc's defaults.

    python bench/bench_predictive.py                       # 1 million customers
    python bench/bench_predictive.py --customers 20000     # quick run
    python bench/bench_predictive.py --rounds 2            # each side twice (A B B A)
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from measure import peak_rss_mb  # noqa: E402
# Both sides write money to the cent and P(alive) to 4 decimals (round, then plain to_csv:
# a float_format string costs seconds on a million rows).
ROUNDING = {"clv": 2, "p_alive": 4}


def warm_file_cache(path: str) -> None:
    """Read the file once so both sides find it in the operating system's cache (the side
    that runs first would otherwise pay for a freshly written file)."""
    with open(path, "rb") as handle:
        while handle.read(1 << 24):
            pass


def run_toolkit(csv_path: str, out_path: str) -> dict:
    import pandas as pd

    import scipy.optimize  # noqa: F401  (imported before the clock, as `import lifetimes` does)

    from clv_engine.csv_writer import to_csv_text
    from clv_engine.predictive import predict_clv
    from clv_engine.tiers import assign_tiers

    steps = {}
    t0 = time.perf_counter()
    orders = pd.read_csv(csv_path, usecols=["customer_id", "date", "amount"], parse_dates=["date"],
                         dtype={"customer_id": str})
    steps["read"] = time.perf_counter() - t0
    t = time.perf_counter()
    prediction = predict_clv(orders, model="bgnbd", horizon_months=12, discount_rate=0.10)
    steps["predict"] = time.perf_counter() - t
    t = time.perf_counter()
    table = prediction.customers[["clv", "p_alive"]].copy()
    table["tier"] = assign_tiers(table["clv"])
    Path(out_path).write_text(to_csv_text(table.round(ROUNDING), index=True), encoding="utf-8")
    steps["tiers+write"] = time.perf_counter() - t
    return {"seconds": time.perf_counter() - t0, "steps": steps, "customers": len(table),
            "total_clv": float(table["clv"].sum()), "params": prediction.model.get("params")}


def run_lifetimes(csv_path: str, out_path: str) -> dict:
    import numpy as np
    import pandas as pd
    from lifetimes import BetaGeoFitter, GammaGammaFitter
    from lifetimes.utils import summary_data_from_transaction_data

    steps = {}
    t0 = time.perf_counter()
    orders = pd.read_csv(csv_path, usecols=["customer_id", "date", "amount"], parse_dates=["date"],
                         dtype={"customer_id": str})
    steps["read"] = time.perf_counter() - t0
    t = time.perf_counter()
    summary = summary_data_from_transaction_data(orders, "customer_id", "date", "amount")
    steps["summary"] = time.perf_counter() - t
    t = time.perf_counter()
    weeks = summary.assign(recency=summary["recency"] / 7, T=summary["T"] / 7)
    bgf = BetaGeoFitter().fit(weeks["frequency"], weeks["recency"], weeks["T"])
    repeat = weeks.loc[(weeks["frequency"] > 0) & (weeks["monetary_value"] > 0)]
    ggf = GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])
    steps["fit"] = time.perf_counter() - t
    t = time.perf_counter()
    monthly_rate = 1.10 ** (1 / 12) - 1
    clv = ggf.customer_lifetime_value(bgf, weeks["frequency"], weeks["recency"], weeks["T"],
                                      weeks["monetary_value"], time=12, discount_rate=monthly_rate, freq="W")
    p_alive = bgf.conditional_probability_alive(weeks["frequency"], weeks["recency"], weeks["T"])
    steps["clv"] = time.perf_counter() - t
    t = time.perf_counter()
    table = pd.DataFrame({"clv": clv.fillna(0.0), "p_alive": p_alive}, index=weeks.index)
    table["tier"] = pd.qcut(table["clv"].rank(method="first", ascending=False), [0, 0.2, 0.7, 1.0],
                            labels=["High", "Medium", "Low"])
    table.round(ROUNDING).to_csv(out_path)
    steps["tiers+write"] = time.perf_counter() - t
    return {"seconds": time.perf_counter() - t0, "steps": steps, "customers": len(table),
            "total_clv": float(np.nansum(clv)), "nan_clv": int(clv.isna().sum()),
            "params": {k: float(v) for k, v in bgf.params_.items()}}


LABELS = {"toolkit": "CLV Toolkit:", "lifetimes": "lifetimes:"}


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_side(side: str, csv_path: str, out_path: str, allocator: str) -> None:
    if allocator == "tuned":
        from clv_engine import tune_memory_allocator

        tune_memory_allocator()
    cpu = cpu_seconds()
    result = (run_toolkit if side == "toolkit" else run_lifetimes)(csv_path, out_path)
    result["cpu_seconds"] = cpu_seconds() - cpu
    result["peak_mb"] = peak_rss_mb()
    print(json.dumps(result))


def spawn(side: str, csv_path: str, out_path: str, timeout: float, allocator: str) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--side", side, "--csv", csv_path, "--out", out_path,
           "--allocator", allocator]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--csv", help="order CSV to use (generated when missing)")
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--side", choices=["toolkit", "lifetimes"], help=argparse.SUPPRESS)
    parser.add_argument("--allocator", choices=["tuned", "plain"], default="tuned",
                        help="glibc allocator setting for both sides: 'tuned' is what the clv command "
                             "and the desktop app use (clv_engine.tune_memory_allocator), 'plain' the default")
    parser.add_argument("--skip-lifetimes", action="store_true", help="time CLV Toolkit only")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds allowed per side")
    parser.add_argument("--rounds", type=int, default=1,
                        help="runs per side, in alternating order; the best of each side is also shown")
    args = parser.parse_args(argv)
    if args.side:
        run_side(args.side, args.csv, args.out, args.allocator)
        return 0

    workdir = Path(tempfile.mkdtemp(prefix="clv_bench_"))
    csv_path = args.csv or str(workdir / f"orders_{args.customers}.csv")
    if not os.path.exists(csv_path):
        from generate_orders import generate_orders

        t = time.perf_counter()
        orders = generate_orders(args.customers, args.seed)
        orders.to_csv(csv_path, index=False, date_format="%Y-%m-%d %H:%M:%S")
        print(f"generated {len(orders):,} orders of {args.customers:,} customers in "
              f"{time.perf_counter() - t:.1f} s -> {csv_path}")
    warm_file_cache(csv_path)
    sides = ["toolkit"] + ([] if args.skip_lifetimes else ["lifetimes"])
    # rounds alternate the order (A B, B A, ...) so drift on a shared machine hits both sides
    order = [side for k in range(args.rounds) for side in (sides if k % 2 == 0 else sides[::-1])]
    runs: dict[str, list[dict]] = {side: [] for side in sides}
    for side in order:
        result = spawn(side, csv_path, str(workdir / f"{side}.csv"), args.timeout, args.allocator)
        runs[side].append(result)
        print(f"{LABELS[side]:<13}", json.dumps(result))
    if args.skip_lifetimes:
        return 0
    pairs = list(zip(runs["toolkit"], runs["lifetimes"]))
    for k, (ours, theirs) in enumerate(pairs, 1):
        if "error" in ours or "error" in theirs:
            continue
        print(f"round {k}: time {ours['seconds']:.1f} s vs {theirs['seconds']:.1f} s -> "
              f"{theirs['seconds'] / ours['seconds']:.1f}x faster (wall clock); "
              f"CPU {ours['cpu_seconds']:.1f} s vs {theirs['cpu_seconds']:.1f} s -> "
              f"{theirs['cpu_seconds'] / ours['cpu_seconds']:.1f}x; "
              f"memory {ours['peak_mb']:.0f} MB vs {theirs['peak_mb']:.0f} MB -> "
              f"{theirs['peak_mb'] / ours['peak_mb']:.1f}x less")
    good = [(o, t) for o, t in pairs if "error" not in o and "error" not in t]
    if len(good) > 2:
        ratios = sorted(t["seconds"] / o["seconds"] for o, t in good)
        print(f"median of {len(good)} rounds: {statistics.median(ratios):.1f}x faster "
              f"(rounds: {', '.join(f'{r:.1f}x' for r in ratios)})")
    if len(good) > 1:
        best = {key: (min(o[key] for o, _ in good), min(t[key] for _, t in good))
                for key in ("seconds", "cpu_seconds", "peak_mb")}
        print(f"best of {len(good)} per side: time {best['seconds'][0]:.1f} s vs {best['seconds'][1]:.1f} s -> "
              f"{best['seconds'][1] / best['seconds'][0]:.1f}x faster; CPU "
              f"{best['cpu_seconds'][1] / best['cpu_seconds'][0]:.1f}x less; memory "
              f"{best['peak_mb'][0]:.0f} MB vs {best['peak_mb'][1]:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
