"""Scores CLV Toolkit, lifetimes and naive baselines on the months after a cut.

How well do predictions hold up on the months after a cut? Each contender is scored on
what customers really did.

    python bench/bench_holdout.py ORDERS.csv --cut 1997-09-30 --months 9
    python bench/bench_holdout.py CDNOW_master.txt --cut 1997-09-30 --months 9

The file is read with CLV Toolkit's intake (any layout it understands; CDNOW's
whitespace-separated master log is recognised by its ``.txt`` layout: id, date YYYYMMDD,
CDs, dollars). Orders up to ``--cut`` are the history; the next ``--months`` calendar
months are the holdout. Scored on the customers who bought by the cut:

* **churn AUC**: event = no order in the holdout; the chance that a random customer who
  did not order is scored riskier than one who did (0.5 = coin, ties count half).
* **top-20% capture**: share of the holdout's revenue bought by the 20% of customers
  ranked highest by the predicted value (ties shared pro rata).
* **total error**: predicted total repeat orders (purchase days) in the holdout vs actual.

Contenders, each given only the history:

* CLV Toolkit: ``predict_clv(as_of=cut, horizon_months=months)``, model chosen
  automatically; churn = ``churn_risk`` (P(no order in the horizon)), value = ``clv``
  (discount rate 0), orders = ``expected_orders``.
* lifetimes 0.11.3: BG/NBD + Gamma-Gamma, as its documentation shows them; churn =
  1 - P(alive), value = expected purchases in the holdout x expected order value.
* own past rate: repeat orders per week since the first order; churn = minus the rate,
  value = rate x average order value, orders = rate x holdout weeks.
* days since last order: churn = days since the last order (no value or count forecast).
"""
from __future__ import annotations

import argparse
import contextlib
import io
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from clv_engine.predictive.churn import roc_auc, top_share_capture  # noqa: E402


def read_orders(path: str) -> pd.DataFrame:
    """``customer_id``, ``date``, ``amount`` of every order in the file."""
    path = str(path)
    if path.endswith((".txt", ".txt.gz")):  # CDNOW master/sample logs: whitespace-separated, optional header
        raw = pd.read_csv(path, sep=r"\s+", header=None, dtype=str, comment=None)
        if not raw.iloc[0, -1].replace(".", "", 1).isdigit():
            raw = raw.iloc[1:]
        ids, dates, amounts = raw.iloc[:, 0], raw.iloc[:, -3], raw.iloc[:, -1]
        return pd.DataFrame({"customer_id": ids.to_numpy(), "date": pd.to_datetime(dates, format="%Y%m%d").to_numpy(),
                             "amount": pd.to_numeric(amounts).to_numpy()})
    from clv_engine.intake import read_orders as intake

    return intake(path).orders[["customer_id", "date", "amount"]]


def split(orders: pd.DataFrame, cut: pd.Timestamp, end: pd.Timestamp):
    """History orders, and per customer of the history: holdout purchase days and revenue."""
    day = orders["date"].dt.normalize()
    history = orders[day <= cut]
    holdout = orders[(day > cut) & (day <= end)]
    ids = pd.Index(history["customer_id"].unique())
    hold = holdout[holdout["customer_id"].isin(ids)]
    days = hold.assign(day=hold["date"].dt.normalize()).drop_duplicates(["customer_id", "day"])
    n_days = days.groupby("customer_id").size().reindex(ids, fill_value=0).to_numpy(dtype=float)
    revenue = hold.groupby("customer_id")["amount"].sum().reindex(ids, fill_value=0.0).to_numpy(dtype=float)
    return history, ids, n_days, revenue


def score(name, churn, value, orders, actual_days, actual_revenue, seconds=None) -> dict:
    event = actual_days == 0
    return {
        "contender": name,
        "churn_auc": roc_auc(churn, event) if churn is not None else np.nan,
        "top20_capture": top_share_capture(value, actual_revenue) if value is not None else np.nan,
        "predicted_orders": float(np.sum(orders)) if orders is not None else np.nan,
        "actual_orders": float(actual_days.sum()),
        "total_error_pct": 100 * abs(float(np.sum(orders)) - actual_days.sum()) / max(actual_days.sum(), 1)
        if orders is not None else np.nan,
        "seconds": seconds,
    }


def run(path: str, cut: str, months: int) -> tuple[list[dict], dict]:
    from clv_engine.predictive import predict_clv
    from clv_engine.summary import customer_summary

    orders = read_orders(path)
    cut_ts = pd.Timestamp(cut).normalize()
    end = cut_ts + pd.DateOffset(months=months)
    history, ids, actual_days, actual_revenue = split(orders, cut_ts, end)
    weeks = (end - cut_ts) / pd.Timedelta(days=7)
    summary = customer_summary(history, observation_end=cut_ts, freq="D", freq_multiplier=7).reindex(ids)
    x = summary["frequency"].to_numpy(float)
    tx = summary["recency"].to_numpy(float)
    T = summary["T"].to_numpy(float)
    aov = summary["average_order_value"].to_numpy(float)
    rows = []

    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prediction = predict_clv(history, as_of=cut_ts, horizon_months=months, discount_rate=0.0)
    seconds = time.perf_counter() - start
    info = {"customers": len(ids), "holdout_weeks": weeks, "no_order_share": float(np.mean(actual_days == 0)),
            "verdict": prediction.verdict, "notes": list(prediction.notes),
            "model": prediction.model.get("name"), "params": prediction.model.get("params")}
    if prediction.ok:
        table = prediction.customers.reindex(ids)
        rows.append(score("CLV Toolkit", table["churn_risk"].to_numpy(), table["clv"].to_numpy(),
                          table["expected_orders"].to_numpy(), actual_days, actual_revenue, seconds))
        info["p_alive_range"] = (float(table["p_alive"].min()), float(table["p_alive"].max()))
        info["churn_risk_range"] = (float(table["churn_risk"].min()), float(table["churn_risk"].max()))
        info["churn_labels"] = table["churn_label"].value_counts().to_dict() if "churn_label" in table else {}
    else:
        rows.append({"contender": "CLV Toolkit", "note": prediction.verdict})

    try:
        import lifetimes
    except ImportError:
        lifetimes = None
    if lifetimes is not None:
        start = time.perf_counter()
        try:
            with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):  # lifetimes prints
                warnings.simplefilter("ignore")
                bg = lifetimes.BetaGeoFitter().fit(x, tx, T)
                expected = np.asarray(bg.conditional_expected_number_of_purchases_up_to_time(weeks, x, tx, T))
                p_alive = np.asarray(bg.conditional_probability_alive(x, tx, T))
                repeat = (x > 0) & (summary["monetary_value"].to_numpy(float) > 0)
                gg = lifetimes.GammaGammaFitter().fit(x[repeat], summary["monetary_value"].to_numpy(float)[repeat])
                spend = np.asarray(gg.conditional_expected_average_profit(
                    x, np.where(repeat, summary["monetary_value"].to_numpy(float), 1.0)))
                spend = np.where(repeat, spend, gg.params_["p"] * gg.params_["v"] / (gg.params_["q"] - 1))
            rows.append(score("lifetimes BG/NBD", 1 - p_alive, expected * spend, expected,
                              actual_days, actual_revenue, time.perf_counter() - start))
        except Exception as exc:  # lifetimes fails to converge on some data
            rows.append({"contender": "lifetimes BG/NBD", "note": f"failed: {type(exc).__name__}"})

    rate = x / np.maximum(T, 1 / 7)
    rows.append(score("own past rate", -rate, rate * aov, rate * weeks, actual_days, actual_revenue))
    rows.append(score("days since last order", T - tx, None, None, actual_days, actual_revenue))
    return rows, info


def print_table(rows: list[dict], info: dict, stream=sys.stdout) -> None:
    stream.write(f"{info['customers']:,} customers, holdout {info['holdout_weeks']:.1f} weeks, "
                 f"{100 * info['no_order_share']:.1f}% placed no order in it\n")
    stream.write(f"{'contender':<24}{'churn AUC':>10}{'top-20% capture':>17}{'orders pred/actual':>22}{'total error':>13}\n")
    for row in rows:
        if "note" in row:
            stream.write(f"{row['contender']:<24}  {row['note']}\n")
            continue
        auc = f"{row['churn_auc']:.3f}" if np.isfinite(row["churn_auc"]) else "-"
        cap = f"{100 * row['top20_capture']:.2f}%" if np.isfinite(row["top20_capture"]) else "-"
        orders = (f"{row['predicted_orders']:,.0f}/{row['actual_orders']:,.0f}"
                  if np.isfinite(row["predicted_orders"]) else "-")
        err = f"{row['total_error_pct']:.1f}%" if np.isfinite(row["total_error_pct"]) else "-"
        stream.write(f"{row['contender']:<24}{auc:>10}{cap:>17}{orders:>22}{err:>13}\n")
    stream.write(f"CLV Toolkit model: {info.get('model')}; verdict: {info['verdict']}\n")
    for note in info.get("notes", []):
        stream.write(f"  note: {note}\n")
    if "churn_risk_range" in info:
        stream.write(f"  P(alive) {info['p_alive_range'][0]:.3f}..{info['p_alive_range'][1]:.3f}, "
                     f"churn risk {info['churn_risk_range'][0]:.3f}..{info['churn_risk_range'][1]:.3f}, "
                     f"labels {info['churn_labels']}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--cut", required=True, help="last day of the history (YYYY-MM-DD)")
    parser.add_argument("--months", type=int, required=True, help="calendar months of holdout after the cut")
    args = parser.parse_args(argv)
    rows, info = run(args.file, args.cut, args.months)
    print_table(rows, info)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
