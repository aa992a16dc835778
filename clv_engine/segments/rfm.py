"""RFM scores (recency, frequency, monetary; 1–5 each) and the named RFM segments.

Scoring rule (deterministic, tie-safe): for each customer count the customers with a
strictly worse value (``worse``) and with a strictly better value (``better``); the
percentile is ``p = worse / (worse + better)`` and the score is ``1 + floor(5 p)`` capped
at 5. Worse means more days since the last order (recency), fewer orders (frequency) and
less spend to date (monetary). Equal values always get equal scores and row order never
matters; the single best value always scores 5 and the worst 1 (so all one-time buyers
have F = 1). A measure on which every customer is equal gives everyone 1. Missing values
count as the worst value.

Segments follow the widely used R/F grid (Champions … Lost), see ``docs/segments.md``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError
from .grouping import RFM_SEGMENT_ORDER

RFM_SOURCE_COLUMNS = {"rfm_r": "days_since_last_order", "rfm_f": "orders", "rfm_m": "total_value"}

# Rows: R score 1..5; columns: F score 1..5.
RFM_GRID = {
    1: ("Lost", "Hibernating", "At risk", "At risk", "Can't lose them"),
    2: ("Hibernating", "Hibernating", "At risk", "At risk", "Can't lose them"),
    3: ("About to sleep", "About to sleep", "Need attention", "Loyal", "Loyal"),
    4: ("Promising", "Potential loyalist", "Potential loyalist", "Loyal", "Loyal"),
    5: ("New", "Potential loyalist", "Potential loyalist", "Champions", "Champions"),
}


def quintile_score(values: pd.Series, higher_is_better: bool = True) -> pd.Series:
    """Score 1–5: ``1 + floor(5 × worse / (worse + better))``; NaN counts as worst."""
    numbers = pd.to_numeric(values, errors="coerce").astype("float64").to_numpy()
    n = len(numbers)
    if n == 0:
        return pd.Series(np.zeros(0, dtype="int64"), index=values.index)
    oriented = numbers if higher_is_better else -numbers
    oriented = np.where(np.isfinite(oriented), oriented, -np.inf)
    # One sort: distinct values with their counts; customers below / above each value.
    _, group, counts = np.unique(oriented, return_inverse=True, return_counts=True)
    below = np.concatenate(([0], np.cumsum(counts)[:-1]))
    worse = below[group]
    better = n - (below + counts)[group]
    differing = worse + better
    share = np.divide(worse, differing, out=np.zeros(n, dtype="float64"), where=differing > 0)
    scores = 1 + np.floor(5.0 * share).astype("int64")
    return pd.Series(np.clip(scores, 1, 5), index=values.index, dtype="int64")


def rfm_segment_name(r: int, f: int) -> str:
    """The named segment for an R score and an F score (both 1–5)."""
    return RFM_GRID[int(r)][int(f) - 1]


def rfm_scores(customers: pd.DataFrame, as_of=None) -> pd.DataFrame:
    """RFM columns for every customer, indexed like ``customers``.

    Returns ``rfm_r``, ``rfm_f``, ``rfm_m`` (int 1–5), ``rfm_score`` (e.g. ``"545"``) and
    ``rfm_segment``. Recency is in whole days: ``days_since_last_order`` (rounded down);
    with ``as_of`` (a date) and a ``last_order`` column, the calendar days from the date of
    the last order to ``as_of`` instead (the time of day does not count).
    """
    if not isinstance(customers, pd.DataFrame):
        raise InputError("RFM scores need the customer table as a pandas DataFrame.")
    days = _recency_days(customers, as_of)
    missing = [c for c in ("orders", "total_value") if c not in customers.columns]
    if missing:
        raise InputError(
            f"The customer table has no {', '.join(repr(m) for m in missing)} column for RFM scores.",
            where="customer table",
            hint="Build the table with clv_engine.summary.customer_summary first.",
        )
    r = quintile_score(days, higher_is_better=False)
    f = quintile_score(customers["orders"])
    m = quintile_score(customers["total_value"])
    result = pd.DataFrame({"rfm_r": r, "rfm_f": f, "rfm_m": m}, index=customers.index)
    ri, fi, mi = r.to_numpy(), f.to_numpy(), m.to_numpy()
    result["rfm_score"] = pd.Series(_SCORE_TEXT[ri * 100 + fi * 10 + mi], index=customers.index, dtype=str)
    result["rfm_segment"] = pd.Series(_SEGMENT_GRID[ri - 1, fi - 1], index=customers.index, dtype=str)
    return result


# Lookup tables so a million customers need no Python loop.
_SCORE_TEXT = np.array([f"{code:03d}" for code in range(600)], dtype=object)
_SEGMENT_GRID = np.array([[rfm_segment_name(r, f) for f in range(1, 6)] for r in range(1, 6)], dtype=object)


def _recency_days(customers: pd.DataFrame, as_of) -> pd.Series:
    if as_of is not None and "last_order" in customers.columns:
        try:
            as_of_ts = pd.Timestamp(as_of)
        except (TypeError, ValueError):
            raise InputError(f"The date {as_of!r} for RFM recency is not a date.", hint="Use YYYY-MM-DD.") from None
        # calendar days between the dates: two orders on one day are equally recent,
        # whatever their time of day
        last = pd.to_datetime(customers["last_order"], errors="coerce")
        if getattr(last.dt, "tz", None) is not None:
            last = last.dt.tz_localize(None)
        if as_of_ts.tzinfo is not None:
            as_of_ts = as_of_ts.tz_localize(None)
        return (as_of_ts.normalize() - last.dt.normalize()).dt.days.astype("float64")
    if "days_since_last_order" not in customers.columns:
        raise InputError(
            "The customer table has no 'days_since_last_order' column for RFM recency.",
            where="customer table",
            hint="Build the table with clv_engine.summary.customer_summary first.",
        )
    # whole days: fractions of a day (a time of day) never split equally recent customers
    return np.floor(pd.to_numeric(customers["days_since_last_order"], errors="coerce").astype("float64"))


__all__ = ["RFM_GRID", "RFM_SEGMENT_ORDER", "quintile_score", "rfm_scores", "rfm_segment_name"]
