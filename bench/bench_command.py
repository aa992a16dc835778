"""The command people run, `clv analyze`, next to lifetimes doing the same job, on the
same file, in the same run.

Each side is a separate process, measured from the outside (wall-clock time, CPU time of
the process and its peak resident memory, from ``wait4``); both include starting Python
and importing their libraries.

* CLV Toolkit: the real command, ``python -m clv_engine.cli analyze FILE --method
  predictive --no-report`` (read and check every row, summarise customers, choose and fit
  the purchase model on a holdout, Gamma-Gamma spend, 12-month CLV with an 80% range,
  tiers, RFM segments, actions, and write customers.csv, segments.csv, rfm_segments.csv,
  intake.csv and summary.json).
* lifetimes 0.11: what a data scientist writes for the same result: ``pandas.read_csv``,
  for the line-item export keep one row per order, drop voided orders and net refunds,
  ``summary_data_from_transaction_data``, BG/NBD and Gamma-Gamma fits, 12-month CLV and
  P(alive), tiers, ``to_csv``.

Two layouts of the same synthetic orders (``generate_orders.py``): a plain
``customer_id,email,date,amount`` CSV and a Shopify-like line-item export (emails as
customer keys, 1-3 rows per order, statuses, refunds, time-zone offsets). Each interpreter
given with ``--python`` runs both sides (e.g. one environment without pyarrow and one
with it: pandas then stores text differently). ``--report`` also times the command with
its Excel report; ``--big N`` runs the command alone on a plain file of N customers (e.g.
10,000,000, about 32 million orders) with ``--duckdb``: DuckDB summarises the orders,
streaming the file, and the analysis continues from the customer summary.

    python bench/bench_command.py                                   # 1M customers, this Python
    python bench/bench_command.py --python .venv/bin/python --python .venv-arrow/bin/python --report
    python bench/bench_command.py --customers 20000                 # quick run
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LAYOUTS = ("plain", "shopify")


def data_file(layout: str, customers: int, folder: Path, python: str) -> Path:
    path = folder / f"clv_bench_{layout}_{customers}.csv"
    if not path.exists():
        t = time.perf_counter()
        tmp = path.with_suffix(".tmp")
        subprocess.run([python, str(HERE / "generate_orders.py"), "--customers", str(customers), "--layout", layout,
                        "--out", str(tmp)], check=True, cwd=ROOT)
        os.replace(tmp, path)
        print(f"generated {path} ({path.stat().st_size / 1e6:,.0f} MB) in {time.perf_counter() - t:.0f} s")
    return path


def measured(cmd: list[str], timeout: float) -> dict:
    """Run ``cmd``; wall seconds, CPU seconds and peak memory (MB) of that process."""
    with open(os.devnull, "wb") as devnull:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=devnull, stderr=subprocess.PIPE)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                proc.wait()
                return {"error": f"timed out after {timeout:.0f} s"}
            time.sleep(0.05)
        wall = time.perf_counter() - start
        err = proc.stderr.read().decode("utf-8", "replace")
        proc.stderr.close()
        proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        return {"error": (err.strip().splitlines() or ["failed"])[-1]}
    peak_kb = usage.ru_maxrss
    return {"seconds": wall, "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "peak_mb": peak_kb / 1024 / (1024 if sys.platform == "darwin" else 1)}


def toolkit_cmd(python: str, path: Path, out: Path, report: bool = False) -> list[str]:
    return [python, "-m", "clv_engine.cli", "analyze", str(path), "--method", "predictive", "--out", str(out),
            "--quiet"] + ([] if report else ["--no-report"])


def lifetimes_cmd(python: str, path: Path, out: Path, layout: str) -> list[str]:
    return [python, str(Path(__file__).resolve()), "--side", "lifetimes", "--layout", layout, "--csv", str(path),
            "--out", str(out)]


def run_lifetimes(csv_path: str, out_path: str, layout: str) -> None:
    """lifetimes' version of the job (run in its own process by :func:`lifetimes_cmd`)."""
    import numpy as np
    import pandas as pd
    from lifetimes import BetaGeoFitter, GammaGammaFitter
    from lifetimes.utils import summary_data_from_transaction_data

    if layout == "plain":
        orders = pd.read_csv(csv_path, usecols=["customer_id", "date", "amount"], parse_dates=["date"],
                             dtype={"customer_id": str})
    else:
        rows = pd.read_csv(csv_path, usecols=["Email", "Financial Status", "Total", "Created at", "Refunded Amount"])
        rows = rows[rows["Total"].notna() & (rows["Financial Status"] != "voided")]  # first line of each order
        orders = pd.DataFrame({
            "customer_id": rows["Email"].str.strip().str.lower(),
            "date": pd.to_datetime(rows["Created at"], format="%Y-%m-%d %H:%M:%S %z", utc=True).dt.tz_localize(None),
            "amount": rows["Total"] - rows["Refunded Amount"].fillna(0.0),
        })
        del rows
    summary = summary_data_from_transaction_data(orders, "customer_id", "date", "amount")
    del orders
    weeks = summary.assign(recency=summary["recency"] / 7, T=summary["T"] / 7)
    bgf = BetaGeoFitter().fit(weeks["frequency"], weeks["recency"], weeks["T"])
    repeat = weeks.loc[(weeks["frequency"] > 0) & (weeks["monetary_value"] > 0)]
    ggf = GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])
    monthly_rate = 1.10 ** (1 / 12) - 1
    clv = ggf.customer_lifetime_value(bgf, weeks["frequency"], weeks["recency"], weeks["T"],
                                      weeks["monetary_value"], time=12, discount_rate=monthly_rate, freq="W")
    p_alive = bgf.conditional_probability_alive(weeks["frequency"], weeks["recency"], weeks["T"])
    table = pd.DataFrame({"clv": clv.fillna(0.0), "p_alive": p_alive}, index=weeks.index)
    table["tier"] = pd.qcut(table["clv"].rank(method="first", ascending=False), [0, 0.2, 0.7, 1.0],
                            labels=["High", "Medium", "Low"])
    table = table.join(summary)
    table.round({"clv": 2, "p_alive": 4}).to_csv(out_path)
    print(json.dumps({"customers": len(table), "total_clv": float(np.nansum(clv))}))


def environment(python: str) -> str:
    probe = ("import pandas, importlib.util as u; print('pandas', pandas.__version__, '+ pyarrow' if "
             "u.find_spec('pyarrow') else 'without pyarrow')")
    return subprocess.run([python, "-c", probe], capture_output=True, text=True, cwd=ROOT).stdout.strip()


def show(label: str, result: dict) -> str:
    if "error" in result:
        return f"{label}: {result['error']}"
    return f"{label}: {result['seconds']:6.1f} s wall, {result['cpu_seconds']:6.1f} s CPU, {result['peak_mb']:6.0f} MB peak"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--layout", choices=LAYOUTS, action="append", help="plain and/or shopify (default both)")
    parser.add_argument("--python", action="append", help="interpreter(s) to run both sides with (default: this one)")
    parser.add_argument("--folder", default=tempfile.gettempdir(), help="where the data files are kept")
    parser.add_argument("--report", action="store_true", help="also time the command with its Excel report")
    parser.add_argument("--big", type=int, default=0, metavar="N", help="also run the command alone on N customers")
    parser.add_argument("--skip-lifetimes", action="store_true")
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--side", choices=["lifetimes"], help=argparse.SUPPRESS)
    parser.add_argument("--csv", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.side:
        run_lifetimes(args.csv, args.out, args.layout[0])
        return 0

    pythons = args.python or [sys.executable]
    layouts = args.layout or list(LAYOUTS)
    folder = Path(args.folder)
    work = Path(tempfile.mkdtemp(prefix="clv_bench_command_"))
    files = {layout: data_file(layout, args.customers, folder, pythons[0]) for layout in layouts}
    rows = []
    first_run = {}
    for python in pythons:
        env = environment(python)
        for layout in layouts:
            path = files[layout]
            with open(path, "rb") as handle:  # both sides find the file in the system's cache
                while handle.read(1 << 24):
                    pass
            ours = measured(toolkit_cmd(python, path, work / "toolkit"), args.timeout)
            print(show(f"[{env}] {layout:<8} clv analyze", ours), flush=True)
            first_run.setdefault(layout, ours)
            if args.skip_lifetimes:
                continue
            theirs = measured(lifetimes_cmd(python, path, work / "lifetimes.csv", layout), args.timeout)
            print(show(f"[{env}] {layout:<8} lifetimes  ", theirs), flush=True)
            if "error" not in ours and "error" not in theirs:
                ratio = (theirs["seconds"] / ours["seconds"], theirs["cpu_seconds"] / ours["cpu_seconds"],
                         theirs["peak_mb"] / ours["peak_mb"])
                rows.append((env, layout, ratio))
                print(f"[{env}] {layout:<8} ratio: {ratio[0]:.1f}x faster, {ratio[1]:.1f}x less CPU, "
                      f"{ratio[2]:.2f}x less memory", flush=True)
    if args.report:
        layout = layouts[0]
        with_report = measured(toolkit_cmd(pythons[0], files[layout], work / "report", report=True), args.timeout)
        without = first_run[layout]  # the same command without the report, measured above
        print(show(f"{layout} clv analyze with report.xlsx", with_report))
        if "error" not in with_report and "error" not in without:
            size = (work / "report" / "report.xlsx").stat().st_size / 1e6
            print(f"the report's own time: {with_report['seconds'] - without['seconds']:.1f} s wall, "
                  f"{with_report['cpu_seconds'] - without['cpu_seconds']:.1f} s CPU ({size:.1f} MB workbook; "
                  f"the same command without it: {without['seconds']:.1f} s, {without['cpu_seconds']:.1f} s CPU)")
    if args.big:
        path = data_file("plain", args.big, folder, pythons[0])
        big = measured(toolkit_cmd(pythons[0], path, work / "big") + ["--duckdb"], args.timeout)
        size = path.stat().st_size / 1e9
        print(show(f"{args.big:,} customers ({size:.1f} GB CSV) clv analyze --duckdb", big))
    if rows:
        print("\nsummary (lifetimes / CLV Toolkit):")
        for env, layout, (wall, cpu, mem) in rows:
            print(f"  {env:<36} {layout:<8} {wall:5.1f}x faster  {cpu:5.1f}x less CPU  {mem:5.2f}x less memory")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
