"""Cohorts: customers grouped by the calendar month of their first order, followed month
by month; the repeat-purchase rate; the time to the second order and between orders.

Month ``m`` of a cohort is the calendar month ``m`` months after the first-order month
(``m = 0`` is the first-order month itself). A cell is *complete* when the observation
end falls after that calendar month's last day. The pooled rows (cohort ``all``) use, for
each ``m``, only the cohorts whose month ``m`` is complete, so a young cohort never pulls
the curve down. Their cumulative figures are chain-linked: month ``m`` adds the average
revenue (margin) in month ``m`` per customer of the cohorts that have completed it, and the
repeat rate multiplies, month by month, the share of those cohorts' not-yet-repeat
customers who stay without a second order (as a survival curve). Simply averaging the
cumulative values of the cohorts old enough would change the group of cohorts from one
month to the next, and a curve that can only grow would fall whenever the oldest cohorts
happen to be worth less.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .purchases import PurchaseData, order_margin

__all__ = ["COHORT_COLUMNS", "COHORT_MEASURES", "GAP_BANDS", "cohort_grid", "cohort_table", "gap_distribution",
           "repeat_summary"]

COHORT_COLUMNS = (
    "cohort", "months_since_first", "cohort_customers", "active_customers", "active_share", "revenue",
    "revenue_per_customer", "cumulative_revenue_per_customer", "cumulative_margin_per_customer",
    "repeat_customers", "repeat_rate", "complete",
)
# (label, first day, last day) of the bands of days to the second order and between orders
GAP_BANDS = (("same day", 0, 0), ("1–7 days", 1, 7), ("8–30 days", 8, 30), ("31–60 days", 31, 60),
             ("61–90 days", 61, 90), ("91–180 days", 91, 180), ("181–365 days", 181, 365),
             ("over a year", 366, None))


def _month_label(month: int) -> str:
    return str(np.datetime64(int(month), "M"))


def _complete_through(as_of: pd.Timestamp) -> int:
    """Last calendar month (number) that is fully observed at ``as_of``."""
    month = np.datetime64(as_of.to_datetime64(), "M").astype(np.int64)
    next_day = (as_of.normalize() + pd.Timedelta(days=1))
    return int(month) if next_day.month != as_of.month else int(month) - 1


def cohort_table(data: PurchaseData, margin: float = 1.0) -> pd.DataFrame:
    """One row per (first-order month, months since first order) and the pooled ``all`` rows.

    Columns (:data:`COHORT_COLUMNS`): ``cohort`` (``YYYY-MM`` or ``all``),
    ``months_since_first``, ``cohort_customers`` (customers whose first order is in that
    month), ``active_customers`` (of them, customers with an order in month m),
    ``active_share``, ``revenue`` (their order value in month m, net of returns),
    ``revenue_per_customer`` (revenue / cohort customers), ``cumulative_revenue_per_customer``
    and ``cumulative_margin_per_customer`` (months 0..m), ``repeat_customers`` (customers
    with a second order by the end of month m), ``repeat_rate`` and ``complete``.
    Margin is the file's profit when it has profit or cost columns, else revenue × ``margin``.
    The ``all`` rows pool the cohorts that have completed month m; their cumulative
    columns and repeat rate are chain-linked (see the module docstring), so they never fall
    unless returns exceed sales in a month.
    """
    orders = data.orders
    if not len(orders):
        return pd.DataFrame({c: [] for c in COHORT_COLUMNS})
    customer = orders["customer"]
    month = orders["month"]
    first_month = month[data.first]
    cohort_of_order = first_month[customer]
    first_cohort, last_month = int(first_month.min()), int(month.max())
    last_month = max(last_month, int(np.datetime64(data.as_of.to_datetime64(), "M").astype(np.int64)))
    n_cohorts = int(first_month.max()) - first_cohort + 1
    width = last_month - first_cohort + 1
    c_idx = cohort_of_order - first_cohort
    m_idx = month - cohort_of_order
    cell = c_idx * width + m_idx
    size = n_cohorts * width
    revenue = np.bincount(cell, weights=orders["amount"], minlength=size).reshape(n_cohorts, width)
    margins = np.bincount(cell, weights=order_margin(data, margin), minlength=size).reshape(n_cohorts, width)
    # active: distinct (customer, month) pairs
    new_pair = np.r_[True, (customer[1:] != customer[:-1]) | (month[1:] != month[:-1])]
    active = np.bincount(cell[new_pair], minlength=size).reshape(n_cohorts, width)
    sizes = np.bincount(first_month - first_cohort, minlength=n_cohorts)
    second = orders["nth"] == 1
    repeat_new = np.bincount(cell[second], minlength=size).reshape(n_cohorts, width)
    complete_through = _complete_through(data.as_of)
    as_of_month = int(np.datetime64(data.as_of.to_datetime64(), "M").astype(np.int64))

    frames = []
    cum_revenue = np.cumsum(revenue, axis=1)
    cum_margin = np.cumsum(margins, axis=1)
    cum_repeat = np.cumsum(repeat_new, axis=1)
    for c in np.flatnonzero(sizes):
        start = first_cohort + c
        months = np.arange(as_of_month - start + 1)
        n = int(sizes[c])
        frames.append(pd.DataFrame({
            "cohort": _month_label(start),
            "months_since_first": months,
            "cohort_customers": n,
            "active_customers": active[c, months],
            "active_share": active[c, months] / n,
            "revenue": revenue[c, months],
            "revenue_per_customer": revenue[c, months] / n,
            "cumulative_revenue_per_customer": cum_revenue[c, months] / n,
            "cumulative_margin_per_customer": cum_margin[c, months] / n,
            "repeat_customers": cum_repeat[c, months],
            "repeat_rate": cum_repeat[c, months] / n,
            "complete": start + months <= complete_through,
        }))
    # pooled: for month m, the cohorts whose month m is complete; cumulative figures chain-linked
    starts = first_cohort + np.arange(n_cohorts)
    pooled = []
    chained_revenue = chained_margin = 0.0
    without_repeat = 1.0  # share of customers still without a second order
    for m in range(width):
        use = (sizes > 0) & (starts + m <= complete_through)
        if not use.any():
            break
        n = int(sizes[use].sum())
        chained_revenue += float(revenue[use, m].sum()) / n
        chained_margin += float(margins[use, m].sum()) / n
        waiting = n - (int(cum_repeat[use, m - 1].sum()) if m else 0)  # no second order before month m
        if waiting > 0:
            without_repeat *= 1.0 - float(repeat_new[use, m].sum()) / waiting
        pooled.append({
            "cohort": "all", "months_since_first": m, "cohort_customers": n,
            "active_customers": int(active[use, m].sum()), "active_share": float(active[use, m].sum()) / n,
            "revenue": float(revenue[use, m].sum()), "revenue_per_customer": float(revenue[use, m].sum()) / n,
            "cumulative_revenue_per_customer": chained_revenue,
            "cumulative_margin_per_customer": chained_margin,
            "repeat_customers": int(cum_repeat[use, m].sum()), "repeat_rate": 1.0 - without_repeat,
            "complete": True,
        })
    if pooled:
        frames.append(pd.DataFrame(pooled))
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame({c: [] for c in COHORT_COLUMNS})
    for column in ("months_since_first", "cohort_customers", "active_customers", "repeat_customers"):
        table[column] = table[column].astype("int64")
    table["complete"] = table["complete"].astype(bool)
    return table[list(COHORT_COLUMNS)]


def _gaps(data: PurchaseData) -> tuple[np.ndarray, np.ndarray]:
    """(days from first to second order per repeat customer, days between consecutive orders)."""
    orders = data.orders
    dates = orders["date"].astype("datetime64[D]").view(np.int64)
    customer = orders["customer"]
    same = customer[1:] == customer[:-1]
    between = (dates[1:] - dates[:-1])[same]
    nth = orders["nth"]
    second = np.flatnonzero(nth == 1)
    to_second = dates[second] - dates[second - 1] if len(second) else np.zeros(0, dtype=np.int64)
    return to_second.astype(np.int64), between.astype(np.int64)


def repeat_summary(data: PurchaseData) -> dict:
    """Repeat-purchase rate and the typical wait for a second order and between orders.

    ``repeat_rate`` = customers with two or more orders / all customers. Days are calendar
    days between order dates (two orders on one day: 0). Medians and means are ``None``
    when there is no repeat customer.
    """
    counts = data.order_counts()
    customers = int(len(counts))
    repeaters = int((counts >= 2).sum())
    to_second, between = _gaps(data)

    def stats(days: np.ndarray) -> dict:
        if not len(days):
            return {"count": 0, "median": None, "mean": None, "p25": None, "p75": None}
        return {"count": int(len(days)), "median": float(np.median(days)), "mean": float(days.mean()),
                "p25": float(np.percentile(days, 25)), "p75": float(np.percentile(days, 75))}

    return {"customers": customers, "repeat_customers": repeaters,
            "repeat_rate": repeaters / customers if customers else 0.0,
            "days_to_second_order": stats(to_second), "days_between_orders": stats(between)}


def gap_distribution(data: PurchaseData) -> pd.DataFrame:
    """Customers by days to their second order, and repeat orders by days since the one before,
    in the bands of :data:`GAP_BANDS` (counts and shares)."""
    to_second, between = _gaps(data)
    rows = []
    for label, low, high in GAP_BANDS:
        def count(days):
            inside = days >= low
            if high is not None:
                inside &= days <= high
            return int(inside.sum())

        rows.append({"band": label, "days_from": low, "second_orders": count(to_second),
                     "repeat_orders": count(between)})
    table = pd.DataFrame(rows)
    table["share_of_second_orders"] = table["second_orders"] / max(len(to_second), 1)
    table["share_of_repeat_orders"] = table["repeat_orders"] / max(len(between), 1)
    return table


COHORT_MEASURES = {"active": "active_share", "revenue": "cumulative_revenue_per_customer",
                   "margin": "cumulative_margin_per_customer", "repeat": "repeat_rate",
                   "customers": "active_customers"}


def cohort_grid(cohorts: pd.DataFrame, measure: str = "active", *, max_cohorts: int | None = None,
                max_months: int | None = None) -> pd.DataFrame:
    """The heat map of a :func:`cohort_table`: one row per cohort (oldest first, then ``all``)
    and one column per month since the first order (``0``, ``1`` …), plus ``customers``.

    ``measure``: ``active`` (share still buying), ``revenue`` or ``margin`` (cumulative
    per customer), ``repeat`` (repeat rate) or ``customers`` (customers still buying).
    Months a cohort has not reached are NaN (blank cells). ``max_cohorts`` keeps the most
    recent cohorts, ``max_months`` the first months.
    """
    from ..errors import InputError

    key = str(measure or "active").strip().lower()
    if key not in COHORT_MEASURES:
        raise InputError(f"unknown cohort measure {measure!r}", hint="Use " + ", ".join(COHORT_MEASURES) + ".")
    column = COHORT_MEASURES[key]
    if not len(cohorts):
        return pd.DataFrame({"customers": pd.Series(dtype="int64")})
    grid = cohorts.pivot(index="cohort", columns="months_since_first", values=column)
    sizes = cohorts.groupby("cohort")["cohort_customers"].first()
    named = sorted(c for c in grid.index if c != "all")
    if max_cohorts is not None:
        named = named[-max_cohorts:]
    order = named + (["all"] if "all" in grid.index else [])
    grid = grid.reindex(order)
    if max_months is not None:
        grid = grid.loc[:, [m for m in grid.columns if m < max_months]]
    grid.columns = [int(m) for m in grid.columns]
    grid.insert(0, "customers", sizes.reindex(order).astype("int64").to_numpy())
    grid.index.name = "cohort"
    return grid
