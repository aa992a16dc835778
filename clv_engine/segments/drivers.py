"""LTV drivers: what a customer's start says about their value.

Customers are grouped by what their first order was (first product, first category, sales
channel, discount code, country …) and, for acquisition figures, by value tier. Per group:

* ``avg_window_value``: average value of the orders in a customer's first
  ``window_months`` months (12 when enough customers have been around that long, else 6, 3
  or 1), over the customers observed that long (``observed_customers``);
* ``window_repeat_rate``: of them, the share with a second order within the window;
* ``value_lift`` and ``repeat_lift``: the group's figure / all observed customers' figure;
* ``avg_ltv``: average lifetime value net of margin; with an acquisition cost also ``cac``,
  ``ltv_to_cac``, ``payback_month``, ``break_even_cac`` and ``target_cac`` (see
  :mod:`~clv_engine.segments.acquisition`);
* ``too_small``: fewer than 30 customers behind the group's figures.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .acquisition import TARGET_LTV_TO_CAC, AcquisitionCosts, customer_cac, payback_curves, payback_month
from .profiles import first_line_values
from .purchases import MIN_TRUSTED_CUSTOMERS, PurchaseData

__all__ = ["DRIVER_COLUMNS", "MAX_DRIVER_VALUES", "driver_window_months", "ltv_drivers"]

DRIVER_COLUMNS = (
    "dimension", "value", "customers", "window_months", "observed_customers", "avg_window_value",
    "window_repeat_rate", "value_lift", "repeat_lift", "avg_ltv", "cac", "ltv_to_cac", "payback_month",
    "break_even_cac", "target_cac", "too_small",
)
MAX_DRIVER_VALUES = 200  # per dimension, the values with the most customers
DRIVER_DIMENSIONS = ("first_product", "first_category", "first_subcategory", "channel", "discount_code",
                     "country", "region", "state", "customer_type", "first_vendor")


def driver_window_months(data: PurchaseData) -> int:
    """12, or the longest of 6, 3, 1 months that at least 30 customers (or half of them) have
    been customers for."""
    first = data.orders["date"][data.first]
    need = min(MIN_TRUSTED_CUSTOMERS, max(1, data.n_customers // 2))
    for months in (12, 6, 3, 1):
        cutoff = (data.as_of - pd.DateOffset(months=months)).to_datetime64()
        if int((first <= cutoff).sum()) >= need:
            return months
    return 1


def _window_figures(data: PurchaseData, months: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per customer: observed for ``months``?, value within the window, repeat within it."""
    orders = data.orders
    dates = orders["date"]
    first = dates[data.first]
    customer = orders["customer"]
    # window end: the same day ``months`` calendar months after the first order
    window_end = (pd.DatetimeIndex(first) + pd.DateOffset(months=months)).to_numpy()
    observed = window_end <= np.datetime64(data.as_of.to_datetime64(), "ns")
    inside = dates < window_end[customer]
    value = np.bincount(customer[inside], weights=orders["amount"][inside], minlength=data.n_customers)
    repeat = np.bincount(customer[inside], minlength=data.n_customers) >= 2
    return observed, value, repeat


def _customer_dimension(data: PurchaseData, name: str) -> np.ndarray | None:
    if name.startswith("first_"):
        column = name[6:]
        return first_line_values(data, column) if column in data.line_dimensions else None
    if name in data.order_dimensions:
        return data.customer_first(name)
    return None


def ltv_drivers(data: PurchaseData, *, ltv: np.ndarray | None = None, tiers=None, costs: AcquisitionCosts | None = None,
                margin: float = 1.0) -> pd.DataFrame:
    """The drivers table (:data:`DRIVER_COLUMNS`), one row per dimension and value.

    ``ltv``: lifetime value net of margin per customer (order of ``data.customer_ids``);
    ``tiers``: a tier per customer (adds the ``tier`` dimension); ``costs``: the acquisition
    cost. Values of a dimension are ordered by customers, most first.
    """
    n = data.n_customers
    months = driver_window_months(data)
    observed, value, repeat = _window_figures(data, months)
    all_value = float(value[observed].mean()) if observed.any() else 0.0
    all_repeat = float(repeat[observed].mean()) if observed.any() else 0.0
    ltv = np.zeros(n) if ltv is None else np.nan_to_num(np.asarray(ltv, dtype="float64"))
    costs = costs or AcquisitionCosts()
    cac, has_cac = customer_cac(data, costs)
    dims: list[tuple[str, np.ndarray]] = []
    if tiers is not None:
        dims.append(("tier", tiers if isinstance(tiers, pd.Categorical)
                     else pd.Categorical(pd.Series(tiers).astype(str).to_numpy(dtype=object))))
    for name in DRIVER_DIMENSIONS:
        values = _customer_dimension(data, name)
        if values is not None and (values != "").any():
            dims.append((name, values))
    rows = []
    for name, values in dims:
        if isinstance(values, pd.Categorical):  # tiers: in their own order
            codes, uniques = values.codes.astype(np.int64), np.asarray(values.categories, dtype=object)
            ordered = [v for v in range(len(uniques)) if (codes == v).any()]
        else:
            codes, uniques = pd.factorize(values, sort=False)
            blank = np.asarray(uniques, dtype=object) == ""
            if blank.any():
                codes = np.where(blank[np.maximum(codes, 0)], -1, codes)
            counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
            ordered = [v for v in np.lexsort((np.arange(len(uniques)), -counts)) if counts[v] > 0][:MAX_DRIVER_VALUES]
        keep = np.full(len(uniques), -1, dtype=np.int64)
        keep[np.asarray(ordered, dtype=np.int64)] = np.arange(len(ordered))
        group = np.where(codes >= 0, keep[np.maximum(codes, 0)], -1)
        curves = payback_curves(data, group, len(ordered), margin) if costs.given else None
        for g, v in enumerate(ordered):
            members = group == g
            k = int(members.sum())
            seen = members & observed
            n_seen = int(seen.sum())
            window_value = float(value[seen].mean()) if n_seen else 0.0
            window_repeat = float(repeat[seen].mean()) if n_seen else 0.0
            avg_ltv = float(ltv[members].mean()) if k else 0.0
            paying = members & has_cac
            group_cac = float(cac[paying].mean()) if paying.any() else None
            row = {
                "dimension": name, "value": str(uniques[v]), "customers": k, "window_months": months,
                "observed_customers": n_seen, "avg_window_value": window_value, "window_repeat_rate": window_repeat,
                "value_lift": window_value / all_value if all_value > 0 else 0.0,
                "repeat_lift": window_repeat / all_repeat if all_repeat > 0 else 0.0,
                "avg_ltv": avg_ltv, "cac": group_cac,
                "ltv_to_cac": avg_ltv / group_cac if group_cac else None,
                "payback_month": payback_month(curves[g], group_cac) if curves is not None and group_cac else None,
                "break_even_cac": max(avg_ltv, 0.0), "target_cac": max(avg_ltv, 0.0) / TARGET_LTV_TO_CAC,
                "too_small": (n_seen if name != "tier" else k) < MIN_TRUSTED_CUSTOMERS,
            }
            rows.append(row)
    table = pd.DataFrame(rows, columns=list(DRIVER_COLUMNS))
    for column in ("cac", "ltv_to_cac"):
        table[column] = pd.array(table[column].tolist(), dtype="Float64")
    table["payback_month"] = pd.array(table["payback_month"].tolist(), dtype="Int64")
    for column in ("customers", "window_months", "observed_customers"):
        table[column] = table[column].astype("int64")
    table["too_small"] = table["too_small"].astype(bool)
    return table
