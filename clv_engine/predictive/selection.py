"""Which purchase model to trust: thin-data checks, holdout scoring, model choice.

The user's own history is split into a calibration part and a holdout (the last quarter
of the history, at least four weeks, in whole weeks). Each candidate is fitted on the
calibration part and scored on what each customer really did in the holdout: churn AUC
(does its P(no order in the holdout) rank the customers who did not order above those
who did?), top-20% capture (share of the holdout's revenue bought by the 20% of
customers with the highest predicted value) and the error of the total number of repeat
orders. The best sum of AUC and capture wins; within 0.002 of it, the lowest
per-customer mean absolute error, then the total error. Candidates whose scores agree to
the printed precision are a tie, and the verdict says so.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..summary import customer_codes, period_index
from .churn import roc_auc, top_share_capture
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
    "holdout_money",
    "money_from_days",
    "dropout_measured",
    "tied_with",
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
    if history_days < MIN_HISTORY_DAYS:
        return (
            f"The order history covers only {history_days:.0f} day{'' if round(history_days) == 1 else 's'}: "
            "predictive models need at "
            f"least {MIN_HISTORY_DAYS} days, so CLV uses the formula/historical method instead."
        )
    if repeat_buyers < MIN_REPEAT_BUYERS:
        same_day = ""
        if "orders" in summary.columns and int((summary["orders"] > 1).sum()) > repeat_buyers:
            same_day = " (orders placed on the same day count as one purchase)"
        return (
            ("No customer has" if repeat_buyers == 0 else
             f"Only {repeat_buyers} customer{' has' if repeat_buyers == 1 else 's have'}") + " bought on more than "
            f"one day{same_day}: predictive models need at "
            f"least {MIN_REPEAT_BUYERS} repeat buyers, so CLV uses the formula/historical method instead."
        )
    return None


def holdout_split_date(first_order: pd.Timestamp, as_of: pd.Timestamp) -> pd.Timestamp:
    """Calibration end: the last quarter of the history (>= 4 weeks, whole weeks) is held out."""
    span_days = (as_of - first_order) / pd.Timedelta(days=1)
    holdout_days = max(MIN_HOLDOUT_DAYS, 7 * round(span_days * HOLDOUT_SHARE / 7))
    return (as_of - pd.Timedelta(days=holdout_days)).normalize()


MAX_CHECK_CUSTOMERS = 100_000  # model choice on a random sample of this many customers


def holdout_split(orders: pd.DataFrame, split_date: pd.Timestamp, as_of: pd.Timestamp, *,
                  max_customers: int | None = None, rng=None, with_money: bool = False):
    """Calibration BTYD summary (weeks of days) and holdout repeat orders per customer.

    The same numbers as ``calibration_holdout(orders, split_date, as_of, freq="D",
    freq_multiplier=7)`` (columns ``frequency_cal``, ``recency_cal``, ``T_cal``,
    ``frequency_holdout``, ``duration_holdout``; one row per customer who bought by the
    split date), computed on integer customer codes. With more than ``max_customers``
    customers, a random sample of that many (drawn with ``rng``) is used; returns
    ``(table, (customers sampled, customers in all))``, and with ``with_money`` a third
    item: :func:`money_from_days` of the table's customers.
    """
    obs_day = int(period_index(np.array([as_of.to_datetime64()]), "D")[0])
    days = customer_days(orders, last_day=obs_day, late_after=split_date if with_money else None)
    if not with_money:
        return holdout_table(days, split_date, as_of, max_customers=max_customers, rng=rng)
    table, sample, codes = holdout_table(days, split_date, as_of, max_customers=max_customers, rng=rng,
                                         with_codes=True)
    return table, sample, money_from_days(days, codes, split_date)


def money_from_days(days: CustomerDays, codes: np.ndarray, split_date: pd.Timestamp):
    """``(average order value before the split, revenue after it)`` of the customers at
    ``codes`` from the order values ``days`` carries; None when it carries none for this
    split (then :func:`holdout_money` reads the orders)."""
    if days.late_value is None or days.late_after != pd.Timestamp(split_date).normalize():
        return None
    late_value, late_orders = days.late_value[codes], days.late_orders[codes]
    spent = np.nan_to_num(days.value[codes]) - late_value
    count = days.orders[codes] - late_orders
    aov = np.nan_to_num(spent / np.maximum(count, 1))
    return np.maximum(aov, 0.0), np.maximum(late_value, 0.0)


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
    churn_auc: float = float("nan")  # AUC of P(no order in the holdout) for "no order"
    top20_capture: float = float("nan")  # share of holdout revenue of the predicted top 20%
    dropout_measured: bool = True  # False: the fit found no dropout (a no-dropout limit)

    @property
    def quality(self) -> float:
        """Churn AUC plus top-20% capture (each 0 when not measurable), rounded as printed."""
        return sum(round(v, 3) for v in (self.churn_auc, self.top20_capture) if np.isfinite(v))

    def as_dict(self) -> dict:
        def rounded(value, digits):
            return round(float(value), digits) if np.isfinite(value) else None

        return {
            "model": self.model,
            "predicted_orders": round(self.predicted_orders, 2),
            "actual_orders": round(self.actual_orders, 2),
            "total_error_pct": round(self.total_error_pct, 2),
            "mae": round(self.mae, 4),
            "churn_auc": rounded(self.churn_auc, 4),
            "top20_capture": rounded(self.top20_capture, 4),
            "dropout_measured": bool(self.dropout_measured),
            "holdout_weeks": round(self.holdout_weeks, 1),
            "log_likelihood": round(self.log_likelihood, 2),
        }


def dropout_measured(name: str, params: dict, weeks: float) -> bool:
    """False when a fit sits in its no-dropout limit: BG/NBD and MBG/NBD with a mean
    dropout chance per order a / (a + b) below 1e-4, Pareto/NBD with a mean dropout rate
    s / beta that would lose fewer than 1 in 10,000 customers over ``weeks``."""
    if name == "paretonbd":
        return params["s"] / params["beta"] * max(weeks, 1.0) >= 1e-4
    return params["a"] / (params["a"] + params["b"]) >= 1e-4


def holdout_money(orders: pd.DataFrame, index: pd.Index, split_date: pd.Timestamp, as_of: pd.Timestamp
                  ) -> tuple[np.ndarray, np.ndarray]:
    """``(average order value before the split, revenue after it)`` for the customers in
    ``index``, read from the orders (negative values count as 0)."""
    day = period_index(orders["date"].to_numpy(), "D")
    cal_day = int(period_index(np.array([split_date.to_datetime64()]), "D")[0])
    obs_day = int(period_index(np.array([as_of.to_datetime64()]), "D")[0])
    mine = orders["customer_id"].isin(index).to_numpy() & (day <= obs_day)
    rows = orders.loc[mine]
    day = day[mine]
    codes, ids = pd.factorize(rows["customer_id"], sort=False)
    pos = pd.Index(ids).get_indexer(index)
    n = len(ids) + 1  # the last slot: customers without any of these rows
    pos = np.where(pos >= 0, pos, n - 1)
    amount = np.nan_to_num(rows["amount"].to_numpy(dtype=np.float64))
    late = day > cal_day
    revenue = np.bincount(codes[late], weights=amount[late], minlength=n)[pos]
    spent = np.bincount(codes[~late], weights=amount[~late], minlength=n)[pos]
    count = np.bincount(codes[~late], minlength=n)[pos]
    aov = np.nan_to_num(spent / np.maximum(count, 1))
    return np.maximum(aov, 0.0), np.maximum(revenue, 0.0)


def calibration_patterns(split: pd.DataFrame):
    """``(fit_patterns, patterns)`` of a holdout split's calibration columns: the patterns
    the check fits on (recency and T rounded to whole weeks: parameters move by about
    0.1%, and there are several times fewer patterns) and the exact ones it predicts for;
    each as returned by :func:`compress_patterns`."""
    f, r, T = (split[c].to_numpy(dtype=np.float64) for c in ("frequency_cal", "recency_cal", "T_cal"))
    return compress_patterns(f, np.round(r), np.round(T)), compress_patterns(f, r, T)


def score_on_holdout(name: str, split: pd.DataFrame, patterns=None, money=None) -> HoldoutScore:
    """Fit ``name`` on the calibration columns of ``split`` and score its holdout forecast
    (``patterns``: :func:`calibration_patterns` of ``split``, when already computed;
    ``money``: :func:`holdout_money` of the split's customers, for the top-20% capture)."""
    ((fx, ftx, fT), _, counts), ((x, tx, tt), inverse, _) = patterns or calibration_patterns(split)
    model = fit_purchase_model(name, fx, ftx, fT, weights=counts, standard_errors=False)
    weeks = float(split["duration_holdout"].iloc[0])
    predicted = np.asarray(model.expected_purchases(weeks, x, tx, tt), dtype=np.float64)[inverse]
    predicted = np.nan_to_num(predicted, nan=0.0, posinf=0.0)
    silent = np.asarray(model.p_no_purchase(weeks, x, tx, tt), dtype=np.float64)[inverse]
    actual = split["frequency_holdout"].to_numpy(dtype=np.float64)
    total_pred, total_actual = float(predicted.sum()), float(actual.sum())
    error = 100.0 * abs(total_pred - total_actual) / max(total_actual, 1.0)
    capture = float("nan")
    if money is not None:
        aov, revenue = money
        capture = top_share_capture(predicted * aov, revenue)
    return HoldoutScore(
        model=name,
        predicted_orders=total_pred,
        actual_orders=total_actual,
        total_error_pct=error,
        mae=float(np.mean(np.abs(predicted - actual))),
        holdout_weeks=weeks,
        log_likelihood=float(getattr(model, "log_likelihood_", np.nan)),
        params=dict(model.params_),
        churn_auc=roc_auc(np.nan_to_num(silent, nan=1.0), actual == 0),
        top20_capture=capture,
        dropout_measured=dropout_measured(name, model.params_, weeks),
    )


def choose_model(orders: pd.DataFrame, as_of: pd.Timestamp, candidates, first_order: pd.Timestamp,
                 *, max_customers: int | None = MAX_CHECK_CUSTOMERS, rng=None,
                 days: CustomerDays | None = None, holdout: pd.DataFrame | None = None, progress=None):
    """Score each candidate on a calibration/holdout split of ``orders``.

    Above ``max_customers`` customers the check runs on a random sample of that many
    (``rng``; the final fit uses everyone). Returns ``(best_name or None, scores: dict
    name -> HoldoutScore, failures: dict name -> reason, split_date, sample)`` with
    ``sample = (customers checked, customers in all)``. Fit failures are recorded, not raised.
    ``days`` (the purchase days of ``orders``, when the caller has them) saves hashing the
    customer ids again; when it carries the order values for this split (see
    :func:`~clv_engine.predictive.history.customer_days`), the revenue check reads no orders.
    ``holdout`` (calibration columns per customer from a summary query, see
    :func:`~clv_engine.predictive.history.holdout_from_summary`) replaces the orders.
    ``progress(text, fraction)`` is told which candidate is being checked (fraction 0 to 1).
    """
    split_date = holdout_split_date(first_order, as_of)
    rng = np.random.default_rng(0) if rng is None else rng
    if holdout is not None:
        split, sample, money = holdout_from_summary(holdout, split_date, as_of, max_customers=max_customers,
                                                    rng=rng)
    elif days is None:
        split, sample, money = holdout_split(orders, split_date, as_of, max_customers=max_customers, rng=rng,
                                             with_money=True)
    else:
        split, sample, codes = holdout_table(days, split_date, as_of, max_customers=max_customers, rng=rng,
                                             with_codes=True)
        money = money_from_days(days, codes, split_date)
    scores: dict[str, HoldoutScore] = {}
    failures: dict[str, str] = {}
    if (split["frequency_cal"] > 0).sum() < MIN_REPEAT_BUYERS or split["frequency_holdout"].sum() == 0:
        for name in candidates:
            failures[name] = "too few repeat orders before or after the holdout split"
        return None, scores, failures, split_date, sample
    patterns = calibration_patterns(split)
    if money is None:
        try:
            money = holdout_money(orders, split.index, split_date, as_of)
        except Exception as exc:  # amounts missing or unusable: score without the capture
            logger.info("holdout revenue not available: %s", type(exc).__name__)
            money = None
    for i, name in enumerate(candidates):
        if progress is not None:
            progress(f"Checking model {i + 1} of {len(candidates)} on the last part of the history",
                     i / len(candidates))
        try:
            scores[name] = score_on_holdout(name, split, patterns, money)
        except Exception as exc:  # a candidate that cannot be fitted is simply not chosen
            logger.info("candidate %s failed on the calibration data: %s", name, type(exc).__name__)
            failures[name] = f"could not be fitted ({type(exc).__name__})"
    if not scores:
        return None, scores, failures, split_date, sample
    return best_score(scores).model, scores, failures, split_date, sample


QUALITY_TIE = 0.002  # AUC + capture closer than this: decided by the per-customer error


def best_score(scores: dict) -> HoldoutScore:
    """The candidate to use: the best churn AUC + top-20% capture; within
    :data:`QUALITY_TIE` of it the lowest per-customer error (within 1%), then the lowest
    total error; a full tie keeps the order of the candidates."""
    ordered = list(scores.values())
    best_quality = max(s.quality for s in ordered)
    close = [s for s in ordered if s.quality >= best_quality - QUALITY_TIE]
    best_mae = min(s.mae for s in close)
    close = [s for s in close if s.mae <= best_mae * 1.01 + 1e-12]
    return min(close, key=lambda s: round(s.total_error_pct, 1))


def tied_with(best: HoldoutScore, scores: dict) -> list[str]:
    """Names of the other candidates whose holdout scores equal ``best``'s as printed
    (AUC and capture to 3 decimals, per-customer error to 4, total within 0.5 points)."""
    def key(s):
        return (round(s.churn_auc, 3) if np.isfinite(s.churn_auc) else None,
                round(s.top20_capture, 3) if np.isfinite(s.top20_capture) else None,
                round(s.mae, 4))

    return [n for n, s in scores.items() if n != best.model and key(s) == key(best)
            and abs(s.total_error_pct - best.total_error_pct) < 0.5]


def join_words(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


TREND_PCT = 20.0  # a total this far off on the holdout is called a trend or season


def describe_choice(best: HoldoutScore, scores: dict, forced: bool) -> str:
    """Plain-language reason for the chosen model, with the measured numbers."""
    label = MODEL_LABELS[best.model]
    weeks = best.holdout_weeks
    direction = "over" if best.predicted_orders > best.actual_orders else "under"
    text = (
        f"{label} predicted the last {weeks:.0f} weeks' repeat orders within "
        f"{best.total_error_pct:.0f}% ({best.predicted_orders:,.0f} predicted vs "
        f"{best.actual_orders:,.0f} actual, {direction}estimate) when fitted on the earlier history"
    )
    per_customer = []
    if np.isfinite(best.churn_auc):
        per_customer.append(f"its churn risk ranked the customers who then ordered nothing above those who "
                            f"ordered with AUC {best.churn_auc:.3f} (0.5 = chance)")
    if np.isfinite(best.top20_capture):
        per_customer.append(f"the customers it valued highest (top 20%) bought {100 * best.top20_capture:.1f}% "
                            "of those weeks' revenue")
    if per_customer:
        text += "; " + "; ".join(per_customer)
    others = [n for n in scores if n != best.model]
    ties = tied_with(best, scores)
    if forced:
        text += "; the model was chosen in the settings."
    elif ties:
        names = join_words([label] + [MODEL_LABELS[n] for n in ties])
        text += (f". {names} scored the same on every measure, so the choice between them makes no "
                 f"difference here; {label} is used.")
    elif others:
        text += ". Also tried: " + "; ".join(
            f"{MODEL_LABELS[n]} (AUC {scores[n].churn_auc:.3f}"
            + (f", top 20% {100 * scores[n].top20_capture:.1f}%" if np.isfinite(scores[n].top20_capture) else "")
            + f", total {scores[n].total_error_pct:.0f}% off)" for n in others) + "."
    else:
        text += "."
    if best.total_error_pct >= TREND_PCT:
        more = "more" if best.actual_orders > best.predicted_orders else "fewer"
        # relative to what was expected: 36 placed against 88 expected is 59% fewer (not 144%)
        change = abs(best.actual_orders - best.predicted_orders) / max(best.predicted_orders, 1e-9) * 100
        text += (f" The held-back weeks had {change:.0f}% {more} repeat orders than the model "
                 "expected from the earlier history: a trend or season the model cannot follow (it assumes "
                 "each customer keeps buying at the same rate until they leave), so treat totals with care.")
    return text
