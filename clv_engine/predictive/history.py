"""Purchase days per customer on integer codes: the weekly BTYD summary and the holdout
table of the model check (customer ids coded once).

The numbers are those of ``customer_summary(orders, observation_end=as_of, freq="D",
freq_multiplier=7)`` and ``calibration_holdout(..., freq="D", freq_multiplier=7)``:
orders on the same day are one purchase, times are in weeks of days.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InputError
from ..summary import customer_codes, period_index, summary_with_periods

__all__ = ["CustomerDays", "customer_days", "weekly_summary_with_days", "holdout_table", "holdout_from_summary"]

NO_DAY = np.iinfo(np.int64).min


@dataclass
class CustomerDays:
    """Distinct purchase days: ``customer`` (code) and ``day`` (days since 1970-01-01) of
    each; ``first_day`` per customer code; ``ids`` the customer id of each code."""

    customer: np.ndarray
    day: np.ndarray
    first_day: np.ndarray
    ids: pd.Index
    # optional, per code: value and number of all orders, and of those after ``late_after``
    value: np.ndarray | None = None
    orders: np.ndarray | None = None
    late_after: pd.Timestamp | None = None
    late_value: np.ndarray | None = None
    late_orders: np.ndarray | None = None


def distinct_days(codes: np.ndarray, day: np.ndarray, n_customers: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct (customer code, day) pairs (hash-based, unsorted)."""
    first = int(day.min()) if len(day) else 0
    span = (int(day.max()) if len(day) else 0) - first + 1
    key = codes.astype(np.int64) * span
    key += day - first
    unique = pd.unique(key)
    return unique // span, unique % span + first


def customer_days(orders: pd.DataFrame, last_day: int | None = None, late_after=None) -> CustomerDays:
    """Purchase days of ``orders`` up to day number ``last_day`` (customer ids as given);
    with ``late_after`` (a date) also each customer's order value and count, in all and
    on the days after that date."""
    codes, ids = customer_codes(orders["customer_id"])
    day = period_index(orders["date"].to_numpy(), "D")
    amount = orders["amount"].to_numpy(dtype=np.float64) if late_after is not None else None
    if last_day is not None:
        keep = day <= last_day
        if not keep.all():
            codes, day = codes[keep], day[keep]
            amount = None if amount is None else amount[keep]
    first_day = np.full(len(ids), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_day, codes, day)
    money = {}
    if late_after is not None:
        n = len(ids)
        amount = np.nan_to_num(amount)
        after = day > int(period_index(np.array([pd.Timestamp(late_after).to_datetime64()]), "D")[0])
        money = {
            "value": np.bincount(codes, weights=amount, minlength=n),
            "orders": np.bincount(codes, minlength=n).astype(np.float64),
            "late_after": pd.Timestamp(late_after).normalize(),
            "late_value": np.bincount(codes[after], weights=amount[after], minlength=n),
            "late_orders": np.bincount(codes[after], minlength=n).astype(np.float64),
        }
    customer, days = distinct_days(codes, day, len(ids))
    return CustomerDays(customer, days, first_day, ids, **money)


def weekly_summary_with_days(orders: pd.DataFrame, as_of, late_after=None) -> tuple[pd.DataFrame, CustomerDays]:
    """``(summary, days)``: the daily customer summary with recency and T in weeks
    (``customer_summary(orders, observation_end=as_of, freq="D", freq_multiplier=7)``)
    and the purchase days behind it, from the same pass over the orders (with
    ``late_after``, also the order values after that date: see :func:`customer_days`)."""
    result = summary_with_periods(orders, observation_end=as_of, freq="D", freq_multiplier=7,
                                  late_after=late_after)
    summary, customer, day = result[:3]
    first_day = day[np.r_[0, np.cumsum(summary["frequency"].to_numpy(dtype=np.int64) + 1)[:-1]]]
    money = {}
    if late_after is not None:
        money = {"value": summary["total_value"].to_numpy(dtype=np.float64),
                 "orders": summary["orders"].to_numpy(dtype=np.float64),
                 "late_after": pd.Timestamp(late_after).normalize(),
                 "late_value": result[3][0], "late_orders": result[3][1]}
    return summary, CustomerDays(customer, day, first_day, summary.index, **money)


def holdout_table(days: CustomerDays, split_date: pd.Timestamp, as_of: pd.Timestamp, *,
                  max_customers: int | None = None, rng=None, with_codes: bool = False):
    """Calibration summary (weeks) and holdout repeat orders per customer who bought by
    ``split_date``; see :func:`clv_engine.predictive.selection.holdout_split`. With
    ``with_codes`` a third item: each row's position in ``days.ids``."""
    cal_day = int(np.datetime64(split_date.to_datetime64(), "D").astype(np.int64))
    obs_day = int(np.datetime64(as_of.to_datetime64(), "D").astype(np.int64))
    n_customers = len(days.ids)
    bought, n_sampled = _sampled(days.first_day <= cal_day, max_customers, rng)
    in_cal = days.day <= cal_day
    cal_customer = days.customer[in_cal]
    cal_days = np.bincount(cal_customer, minlength=n_customers)
    last_cal = np.full(n_customers, NO_DAY, dtype=np.int64)
    np.maximum.at(last_cal, cal_customer, days.day[in_cal])
    in_holdout = ~in_cal & (days.day <= obs_day)
    holdout_days = np.bincount(days.customer[in_holdout], minlength=n_customers)
    first = days.first_day[bought]
    table = pd.DataFrame(
        {
            "frequency_cal": cal_days[bought] - 1.0,
            "recency_cal": (last_cal[bought] - first) / 7.0,
            "T_cal": (cal_day - first) / 7.0,
            "frequency_holdout": holdout_days[bought].astype(np.float64),
            "duration_holdout": float(obs_day - cal_day) / 7.0,
        },
        index=days.ids[bought],
    )
    if with_codes:  # the rows' positions in days.ids
        return table, (n_sampled, n_customers), np.flatnonzero(bought)
    return table, (n_sampled, n_customers)


def _sampled(bought: np.ndarray, max_customers: int | None, rng) -> tuple[np.ndarray, int]:
    """``bought`` limited to a random sample of ``max_customers`` of all customers (drawn
    over customer positions), and the number of customers sampled."""
    n_customers = len(bought)
    if max_customers is None or n_customers <= max_customers:
        return bought, n_customers
    chosen = np.zeros(n_customers, dtype=bool)
    chosen[rng.choice(n_customers, size=max_customers, replace=False)] = True
    return bought & chosen, max_customers


def holdout_from_summary(table: pd.DataFrame, split_date: pd.Timestamp, as_of: pd.Timestamp, *,
                         max_customers: int | None = None, rng=None):
    """:func:`holdout_table` from per-customer calibration columns computed elsewhere (a
    customer summary query): ``frequency_cal``, ``recency_cal``, ``T_cal`` and
    ``frequency_holdout`` in days, empty for customers who had not bought by the split
    date, in the order of the summary's rows (the sample is drawn the same way)."""
    given = table.attrs.get("calibration_end")
    if given is not None and pd.Timestamp(given).normalize() != split_date.normalize():
        raise InputError(f"the summary's calibration_end is {pd.Timestamp(given).date()}, but this history "
                         f"is checked from {split_date.date()}",
                         hint="Compute the summary with the query of this version (clv summary-sql).")
    cal_day = int(np.datetime64(split_date.to_datetime64(), "D").astype(np.int64))
    obs_day = int(np.datetime64(as_of.to_datetime64(), "D").astype(np.int64))
    T_cal = table["T_cal"].to_numpy(dtype=np.float64)
    bought, n_sampled = _sampled(~np.isnan(T_cal), max_customers, rng)
    out = pd.DataFrame(
        {
            "frequency_cal": table["frequency_cal"].to_numpy(dtype=np.float64)[bought],
            "recency_cal": table["recency_cal"].to_numpy(dtype=np.float64)[bought] / 7.0,
            "T_cal": T_cal[bought] / 7.0,
            "frequency_holdout": table["frequency_holdout"].to_numpy(dtype=np.float64)[bought],
            "duration_holdout": float(obs_day - cal_day) / 7.0,
        },
        index=table.index[bought],
    )
    money = None
    if {"value_holdout", "orders_holdout", "value", "orders"} <= set(table.columns):
        # as money_from_days: average order value before the split, revenue after it
        late_value = table["value_holdout"].to_numpy(dtype=np.float64)[bought]
        spent = table["value"].to_numpy(dtype=np.float64)[bought] - late_value
        count = table["orders"].to_numpy(dtype=np.float64)[bought] - table["orders_holdout"].to_numpy(
            dtype=np.float64)[bought]
        aov = np.nan_to_num(spent / np.maximum(count, 1))
        money = (np.maximum(aov, 0.0), np.maximum(late_value, 0.0))
    return out, (n_sampled, len(table)), money
