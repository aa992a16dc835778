"""Which purchase model to trust: thin-data checks, holdout scoring, model choice.

The user's own history is split into a calibration part and a holdout (the last quarter
of the history, at least four weeks, in whole weeks). Each candidate is fitted on the
calibration part and asked to predict every customer's orders in the holdout. The model
with the lowest per-customer mean absolute error wins; the verdict states how close its
total came to the actual holdout orders.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..summary import period_index
from .history import CustomerDays, customer_days, holdout_from_summary, holdout_table
from .value import compress_patterns

__all__ = [
    "MODEL_LABELS",
    "MIN_CUSTOMERS",
    "MIN_REPEAT_BUYERS",
    "MIN_HISTORY_DAYS",
    "thin_data_reason",
    "holdout_split_date",
    "fit_purchase_model",
    "HoldoutScore",
    "score_on_holdout",
    "choose_model",
    "holdout_split",
    "MAX_CHECK_CUSTOMERS",
]

logger = logging.getLogger(__name__)

MODEL_LABELS = {"bgnbd": "BG/NBD", "mbgnbd": "MBG/NBD", "paretonbd": "Pareto/NBD"}
MIN_CUSTOMERS = 100
MIN_REPEAT_BUYERS = 20
MIN_HISTORY_DAYS = 90
MIN_HOLDOUT_DAYS = 28
HOLDOUT_SHARE = 0.25


MODEL_CLASS_NAMES = {"bgnbd": "BetaGeoModel", "mbgnbd": "ModifiedBetaGeoModel", "paretonbd": "ParetoNBDModel"}


def model_class(name: str):
    """The native model class for a candidate name (AttributeError if not available)."""
    from .. import models

    return getattr(models, MODEL_CLASS_NAMES[name])


def thin_data_reason(summary: pd.DataFrame, history_days: float) -> str | None:
    """A plain sentence saying why the data is too thin for a model, or None."""
    n_customers = len(summary)
    repeat_buyers = int((summary["frequency"] > 0).sum())
    if n_customers < MIN_CUSTOMERS:
        return (
            f"Only {n_customers} customer{'' if n_customers == 1 else 's'}: predictive models need at least {MIN_CUSTOMERS}, "
            "so CLV uses the formula/historical method instead."
        )
    if repeat_buyers < MIN_REPEAT_BUYERS:
        return (
            f"Only {repeat_buyers} customer{' has' if repeat_buyers == 1 else 's'} bought more than once: "
            "predictive models need at "
            f"least {MIN_REPEAT_BUYERS} repeat buyers, so CLV uses the formula/historical method instead."
        )
    if history_days < MIN_HISTORY_DAYS:
        return (
            f"The order history covers only {history_days:.0f} day{'' if round(history_days) == 1 else 's'}: "
            "predictive models need at "
            f"least {MIN_HISTORY_DAYS} days, so CLV uses the formula/historical method instead."
        )
    return None


def holdout_split_date(first_order: pd.Timestamp, as_of: pd.Timestamp) -> pd.Timestamp:
    """Calibration end: the last quarter of the history (>= 4 weeks, whole weeks) is held out."""
    span_days = (as_of - first_order) / pd.Timedelta(days=1)
    holdout_days = max(MIN_HOLDOUT_DAYS, 7 * round(span_days * HOLDOUT_SHARE / 7))
    return (as_of - pd.Timedelta(days=holdout_days)).normalize()


MAX_CHECK_CUSTOMERS = 100_000  # model choice on a random sample of this many customers


def holdout_split(orders: pd.DataFrame, split_date: pd.Timestamp, as_of: pd.Timestamp, *,
                  max_customers: int | None = None, rng=None) -> tuple[pd.DataFrame, int]:
    """Calibration BTYD summary (weeks of days) and holdout repeat orders per customer.

    The same numbers as ``calibration_holdout(orders, split_date, as_of, freq="D",
    freq_multiplier=7)`` (columns ``frequency_cal``, ``recency_cal``, ``T_cal``,
    ``frequency_holdout``, ``duration_holdout``; one row per customer who bought by the
    split date), computed on integer customer codes. With more than ``max_customers``
    customers, a random sample of that many (drawn with ``rng``) is used; returns
    ``(table, (customers sampled, customers in all))``.
    """
    obs_day = int(period_index(np.array([as_of.to_datetime64()]), "D")[0])
    days = customer_days(orders, last_day=obs_day)
    return holdout_table(days, split_date, as_of, max_customers=max_customers, rng=rng)


def fit_purchase_model(name: str, frequency, recency, T, *, initial_params=None, weights=None,
                       standard_errors: bool = True):
    """Fit a purchase model on compressed patterns; returns the fitted model.

    ``weights``: the rows are already distinct patterns and these are their numbers of
    customers (otherwise the rows are compressed here). ``standard_errors=False`` skips
    the covariance (for the holdout check, which uses only point predictions).
    Raises whatever the model raises when it cannot be fitted.
    """
    recency = np.asarray(recency, dtype=np.float64)
    T = np.asarray(T, dtype=np.float64)
    if weights is None:
        (frequency, recency, T), _, weights = compress_patterns(np.asarray(frequency, dtype=np.float64), recency, T)
    return model_class(name)().fit(frequency, recency, T, weights=weights, initial_params=initial_params,
                                   standard_errors=standard_errors, distinct=True)


@dataclass
class HoldoutScore:
    """How well a model fitted on calibration data predicted the holdout."""

    model: str
    predicted_orders: float
    actual_orders: float
    total_error_pct: float
    mae: float
    holdout_weeks: float
    log_likelihood: float
    params: dict | None = None  # the calibration fit (a starting point for the refit)

    def as_dict(self) -> dict:
        return {
            "model": self.model,
            "predicted_orders": round(self.predicted_orders, 2),
            "actual_orders": round(self.actual_orders, 2),
            "total_error_pct": round(self.total_error_pct, 2),
            "mae": round(self.mae, 4),
            "holdout_weeks": round(self.holdout_weeks, 1),
            "log_likelihood": round(self.log_likelihood, 2),
        }


def calibration_patterns(split: pd.DataFrame):
    """``(fit_patterns, patterns)`` of a holdout split's calibration columns: the patterns
    the check fits on (recency and T rounded to whole weeks: parameters move by about
    0.1%, and there are several times fewer patterns) and the exact ones it predicts for;
    each as returned by :func:`compress_patterns`."""
    f, r, T = (split[c].to_numpy(dtype=np.float64) for c in ("frequency_cal", "recency_cal", "T_cal"))
    return compress_patterns(f, np.round(r), np.round(T)), compress_patterns(f, r, T)


def score_on_holdout(name: str, split: pd.DataFrame, patterns=None) -> HoldoutScore:
    """Fit ``name`` on the calibration columns of ``split`` and score its holdout forecast
    (``patterns``: :func:`calibration_patterns` of ``split``, when already computed)."""
    ((fx, ftx, fT), _, counts), ((x, tx, tt), inverse, _) = patterns or calibration_patterns(split)
    model = fit_purchase_model(name, fx, ftx, fT, weights=counts, standard_errors=False)
    weeks = float(split["duration_holdout"].iloc[0])
    predicted = np.asarray(model.expected_purchases(weeks, x, tx, tt), dtype=np.float64)[inverse]
    predicted = np.nan_to_num(predicted, nan=0.0, posinf=0.0)
    actual = split["frequency_holdout"].to_numpy(dtype=np.float64)
    total_pred, total_actual = float(predicted.sum()), float(actual.sum())
    error = 100.0 * abs(total_pred - total_actual) / max(total_actual, 1.0)
    return HoldoutScore(
        model=name,
        predicted_orders=total_pred,
        actual_orders=total_actual,
        total_error_pct=error,
        mae=float(np.mean(np.abs(predicted - actual))),
        holdout_weeks=weeks,
        log_likelihood=float(getattr(model, "log_likelihood_", np.nan)),
        params=dict(model.params_),
    )


def choose_model(orders: pd.DataFrame, as_of: pd.Timestamp, candidates, first_order: pd.Timestamp,
                 *, max_customers: int | None = MAX_CHECK_CUSTOMERS, rng=None,
                 days: CustomerDays | None = None, holdout: pd.DataFrame | None = None):
    """Score each candidate on a calibration/holdout split of ``orders``.

    Above ``max_customers`` customers the check runs on a random sample of that many
    (``rng``; the final fit uses everyone). Returns ``(best_name or None, scores: dict
    name -> HoldoutScore, failures: dict name -> reason, split_date, sample)`` with
    ``sample = (customers checked, customers in all)``. Fit failures are recorded, not raised.
    ``days`` (the purchase days of ``orders``, when the caller has them) saves hashing the
    customer ids again. ``holdout`` (calibration columns per customer from a summary
    query, see :func:`~clv_engine.predictive.history.holdout_from_summary`) replaces the
    orders.
    """
    split_date = holdout_split_date(first_order, as_of)
    rng = np.random.default_rng(0) if rng is None else rng
    if holdout is not None:
        split, sample = holdout_from_summary(holdout, split_date, as_of, max_customers=max_customers, rng=rng)
    elif days is None:
        split, sample = holdout_split(orders, split_date, as_of, max_customers=max_customers, rng=rng)
    else:
        split, sample = holdout_table(days, split_date, as_of, max_customers=max_customers, rng=rng)
    scores: dict[str, HoldoutScore] = {}
    failures: dict[str, str] = {}
    if (split["frequency_cal"] > 0).sum() < MIN_REPEAT_BUYERS or split["frequency_holdout"].sum() == 0:
        for name in candidates:
            failures[name] = "too few repeat orders before or after the holdout split"
        return None, scores, failures, split_date, sample
    patterns = calibration_patterns(split)
    for name in candidates:
        try:
            scores[name] = score_on_holdout(name, split, patterns)
        except Exception as exc:  # a candidate that cannot be fitted is simply not chosen
            logger.info("candidate %s failed on the calibration data: %s", name, type(exc).__name__)
            failures[name] = f"could not be fitted ({type(exc).__name__})"
    if not scores:
        return None, scores, failures, split_date, sample
    best_mae = min(s.mae for s in scores.values())
    # Per-customer error decides; models within 1% of the best MAE are split by total error.
    close = [s for s in scores.values() if s.mae <= best_mae * 1.01]
    best = min(close, key=lambda s: (s.total_error_pct, s.mae))
    return best.model, scores, failures, split_date, sample


def describe_choice(best: HoldoutScore, scores: dict, forced: bool) -> str:
    """Plain-language reason for the chosen model."""
    label = MODEL_LABELS[best.model]
    weeks = best.holdout_weeks
    direction = "over" if best.predicted_orders > best.actual_orders else "under"
    text = (
        f"{label} predicted the last {weeks:.0f} weeks' repeat orders within "
        f"{best.total_error_pct:.0f}% ({best.predicted_orders:,.0f} predicted vs "
        f"{best.actual_orders:,.0f} actual, {direction}estimate) when fitted on the earlier history"
    )
    if forced:
        return text + "; the model was chosen in the settings."
    others = [MODEL_LABELS[n] for n in scores if n != best.model]
    if others:
        return text + f", with the lowest per-customer error of the models tried (also tried: {', '.join(others)})."
    return text + "."
