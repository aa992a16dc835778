"""Formula and historical customer lifetime value.

The classic small-business formulas (seed material):

* simple CLV = average order value × purchase frequency (orders per year) × expected
  lifespan (years), times the gross margin, minus the acquisition cost (net CLV);
* retention CLV = m·r / (1 + d − r) for a yearly margin ``m``, yearly retention rate ``r``
  and discount rate ``d`` (Gupta & Lehmann 2003, "Customers as assets", eq. 2: the
  infinite-horizon sum of m·rᵗ/(1+d)ᵗ for t = 1, 2, …); its finite-horizon form sums the
  same terms for t = 1 … N years;
* historical CLV = value to date (net of refunds), times the margin.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .errors import InputError, agree

__all__ = [
    "simple_clv",
    "retention_clv",
    "retention_clv_per_customer",
    "measured_retention",
    "historical_clv",
    "business_clv",
    "estimate_lifespan_years",
    "simple_clv_per_customer",
    "DEFAULT_LIFESPAN_YEARS",
]

DEFAULT_LIFESPAN_YEARS = 3.0
_MAX_LIFESPAN_YEARS = 10.0


def _check_fraction(name: str, value: float, *, allow_one: bool = True) -> float:
    value = float(value)
    upper_ok = value <= 1 if allow_one else value < 1
    if not (math.isfinite(value) and value >= 0 and upper_ok):
        bound = "between 0 and 1" if allow_one else "at least 0 and below 1"
        raise InputError(
            f"{name} must be a fraction {bound}, got {value:g}",
            hint="Write 30% as 0.3.",
        )
    return value


def _check_non_negative(name: str, value) -> np.ndarray:
    arr = np.asarray(value, dtype=np.float64)
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise InputError(f"{name} must be a non-negative number", hint="Check the value given.")
    return arr


def simple_clv(
    avg_order_value,
    orders_per_year,
    lifespan_years,
    margin: float = 1.0,
    acquisition_cost=0.0,
):
    """Simple CLV = AOV × orders per year × lifespan × margin − acquisition cost.

    Works on scalars or arrays (broadcast). With ``margin=1`` and no acquisition cost it
    is the revenue CLV; with a gross margin it is the profit CLV; subtracting the cost of
    acquiring the customer gives the net CLV (which may be negative: a loss-making
    customer).
    """
    aov = _check_non_negative("average order value", avg_order_value)
    freq = _check_non_negative("orders per year", orders_per_year)
    years = _check_non_negative("lifespan (years)", lifespan_years)
    margin = _check_fraction("margin", margin)
    cac = _check_non_negative("acquisition cost", acquisition_cost)
    value = aov * freq * years * margin - cac
    return float(value) if np.ndim(value) == 0 else value


def retention_clv(
    margin_per_year,
    retention_rate: float,
    discount_rate: float = 0.10,
    years: float | None = None,
):
    """Retention-based CLV: m·r/(1+d−r), or the sum over ``years`` years when given.

    ``margin_per_year`` is the yearly profit from a customer (scalar or array),
    ``retention_rate`` the share of customers still buying a year later, ``discount_rate``
    the yearly discount rate. The finite form is m·x·(1−xᴺ)/(1−x) with x = r/(1+d) (the
    first N terms of the same series), so it approaches the infinite form as N grows.
    """
    m = np.asarray(margin_per_year, dtype=np.float64)
    if not np.all(np.isfinite(m)):
        raise InputError("margin per year must be a number", hint="Check the value given.")
    r = _check_fraction("retention rate", retention_rate, allow_one=years is not None)
    d = float(discount_rate)
    if not (math.isfinite(d) and d >= 0):
        raise InputError(f"discount rate must be 0 or more, got {d:g}", hint="Write 10% as 0.1.")
    x = r / (1.0 + d)
    if years is None:
        value = m * r / (1.0 + d - r)
    else:
        n = float(years)
        if not (math.isfinite(n) and n >= 0):
            raise InputError(f"years must be 0 or more, got {n:g}", hint="Give the horizon in years.")
        factor = n * x if x == 1.0 else x * (1.0 - x**n) / (1.0 - x)
        value = m * factor
    return float(value) if np.ndim(value) == 0 else value


def historical_clv(summary: pd.DataFrame, margin: float = 1.0) -> pd.Series:
    """Value to date per customer (net of refunds) times the margin; never negative."""
    margin = _check_fraction("margin", margin)
    return (summary["total_value"].clip(lower=0.0) * margin).rename("clv")


def measured_retention(summary: pd.DataFrame, orders: pd.DataFrame | None = None) -> tuple[float | None, str]:
    """The yearly retention rate measured from the history (None when it cannot be) and
    how: the share of customers who ordered in the year before last and ordered again in
    the last year. It needs at least 20 such customers, so a year of history and more:
    with less than two years "the year before last" is the part before the last year (a
    shop whose first-year customers never came back has a retention of 0, not an assumed
    one).

    ``orders`` (``customer_id`` and ``date`` of every order) gives the exact count. Without
    them (a customer summary computed elsewhere) only first and last order dates are known:
    a customer counts as active in the year before last when their first order is before it
    ends and their last order after it began, which also counts customers who skipped that
    year, and the description says it is an estimate."""
    end = summary.attrs.get("observation_end")
    if end is None or summary.empty:
        return None, "no history to measure it from"
    first = summary["first_order"]
    last = summary["last_order"]
    year = pd.Timedelta(days=365)
    if first.min() > end - year:
        return None, "the history is shorter than a year, too short to measure how long customers stay"
    if orders is not None:
        dates = pd.to_datetime(orders["date"])
        ids = orders["customer_id"].to_numpy()
        year_before = ((dates > end - 2 * year) & (dates <= end - year)).to_numpy()
        last_year = ((dates > end - year) & (dates <= end)).to_numpy()
        active = pd.unique(ids[year_before])
        n = len(active)
        returned = int(pd.Index(active).isin(pd.unique(ids[last_year])).sum())
        estimated = ""
    else:
        active_before = (first <= end - year) & (last > end - 2 * year)
        n = int(active_before.sum())
        returned = int((active_before & (last > end - year)).sum())
        estimated = ", estimated from first and last order dates"
    if n < 20:
        return None, "too few customers a year ago to measure retention"
    retention = returned / n
    return retention, (f"a yearly retention of {retention:.0%} ({returned:,} of {n:,} customers "
                       f"active a year ago bought again{estimated})")


def estimate_lifespan_years(summary: pd.DataFrame, orders: pd.DataFrame | None = None) -> tuple[float, str]:
    """Expected customer lifespan in years, estimated from the history, with a reason.

    With more than a year of history: the yearly retention rate r is the share of
    customers who ordered in the year before last and ordered again in the last year
    (:func:`measured_retention`); lifespan = 1 / (1 − r) (the mean of a geometric
    lifetime), kept between 1 and 10 years. With a shorter history (or too few customers
    a year ago) the lifespan cannot be measured and :data:`DEFAULT_LIFESPAN_YEARS` is used;
    the reason says so.
    """
    retention, why = measured_retention(summary, orders)
    if retention is None:
        return DEFAULT_LIFESPAN_YEARS, f"assumed {DEFAULT_LIFESPAN_YEARS:g} years" + \
            (f" ({why})" if why.startswith("no ") else f": {why}")
    lifespan = 1.0 / max(1.0 - retention, 1.0 / _MAX_LIFESPAN_YEARS)
    lifespan = float(min(max(lifespan, 1.0), _MAX_LIFESPAN_YEARS))
    return lifespan, f"{lifespan:.1f} years, from {why}"


def retention_clv_per_customer(
    summary: pd.DataFrame,
    *,
    retention_rate: float | None = None,
    discount_rate: float = 0.10,
    margin: float = 1.0,
    acquisition_cost: float = 0.0,
    orders: pd.DataFrame | None = None,
) -> tuple[pd.Series, str]:
    """Retention CLV for every customer of a :func:`customer_summary` table: the
    customer's yearly margin m (average order value × orders per year × margin) times
    r/(1+d−r) (:func:`retention_clv`: the discounted years to come while a share r stays
    each year), less the acquisition cost, floored at 0. ``retention_rate`` r is measured
    from the history unless given (:func:`measured_retention`); where it cannot be, the
    retention of the default lifespan (1 − 1/3 years) is assumed and the description says so.
    """
    if retention_rate is None:
        retention_rate, why = measured_retention(summary, orders)
        if retention_rate is None:
            retention_rate = 1.0 - 1.0 / DEFAULT_LIFESPAN_YEARS
            why = f"an assumed yearly retention of {retention_rate:.0%} ({why})"
    else:
        why = f"a yearly retention of {float(retention_rate):.0%} (as set)"
    retention = _check_fraction("retention rate", retention_rate, allow_one=False)
    yearly = simple_clv(summary["average_order_value"].clip(lower=0.0).to_numpy(),
                        summary["orders_per_year"].to_numpy(), 1.0, margin)
    value = np.asarray(retention_clv(yearly, retention, discount_rate), dtype=np.float64) - \
        float(_check_non_negative("acquisition cost", acquisition_cost))
    series = pd.Series(np.maximum(value, 0.0), index=summary.index, name="clv")
    return series, (f"yearly margin (average order value × orders per year × margin) × r/(1+d−r), with {why} "
                    f"and a {float(discount_rate):.0%} discount rate")


def simple_clv_per_customer(
    summary: pd.DataFrame,
    *,
    lifespan_years: float | None = None,
    margin: float = 1.0,
    acquisition_cost: float = 0.0,
    orders: pd.DataFrame | None = None,
) -> tuple[pd.Series, str]:
    """Simple formula CLV for every customer of a :func:`customer_summary` table.

    Uses each customer's average order value and orders per year and one business-wide
    lifespan (estimated with :func:`estimate_lifespan_years` unless given). Returns the
    CLV series (net of acquisition cost, floored at 0 so it ranks and sums sensibly) and a
    plain-words description of how it was computed.
    """
    if lifespan_years is None:
        lifespan_years, why = estimate_lifespan_years(summary, orders)
    else:
        why = f"{float(lifespan_years):g} {agree(float(lifespan_years), 'year')} (as set)"
    value = simple_clv(
        summary["average_order_value"].clip(lower=0.0).to_numpy(),
        summary["orders_per_year"].to_numpy(),
        lifespan_years,
        margin,
        acquisition_cost,
    )
    series = pd.Series(np.maximum(np.asarray(value, dtype=np.float64), 0.0), index=summary.index, name="clv")
    return series, f"average order value × orders per year × expected lifespan of {why}"


def business_clv(
    summary: pd.DataFrame,
    *,
    lifespan_years: float | None = None,
    margin: float = 1.0,
    acquisition_cost: float = 0.0,
    orders: pd.DataFrame | None = None,
) -> dict:
    """Whole-business simple CLV: average order value × purchase frequency × lifespan.

    Average order value = total value / total orders; purchase frequency = orders per
    customer per year over the observed window (at least one year).
    """
    if lifespan_years is None:
        lifespan_years, why = estimate_lifespan_years(summary, orders)
    else:
        why = f"{float(lifespan_years):g} {agree(float(lifespan_years), 'year')} (as set)"
    n_orders = float(summary["orders"].sum())
    total = float(summary["total_value"].sum())
    aov = total / n_orders if n_orders else 0.0
    end = summary.attrs.get("observation_end")
    if end is not None and len(summary):
        years = max((end - summary["first_order"].min()).days / 365.25, 1.0)
    else:
        years = 1.0
    frequency = n_orders / max(len(summary), 1) / years
    clv = simple_clv(max(aov, 0.0), frequency, lifespan_years, margin, acquisition_cost)
    return {
        "average_order_value": aov,
        "orders_per_customer_per_year": frequency,
        "lifespan_years": float(lifespan_years),
        "lifespan_basis": why,
        "margin": float(margin),
        "acquisition_cost": float(acquisition_cost),
        "clv": float(clv),
    }
