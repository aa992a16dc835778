"""``predict_clv``: model-based CLV per customer with an interval."""
from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd

from ..errors import Cancelled, InputError, agree
from ..models.base import PILOT_ABOVE_PATTERNS
from ..models.runoff import RUNOFF_SIZE
from .history import CustomerDays, weekly_summary_with_days
from .intervals import (
    PURCHASE_PARAM_NAMES,
    SPEND_PARAM_NAMES,
    coarse_patterns,
    draw_parameter_sets,
    simulate_orders,
    simulate_spend_ratio,
)
from .churn import churn_labels
from .result import PREDICTION_COLUMNS, Prediction
from .selection import (
    MAX_CHECK_CUSTOMERS,
    MODEL_LABELS,
    choose_model,
    describe_choice,
    dropout_measured,
    fit_purchase_model,
    holdout_split_date,
    model_class,
    thin_data_reason,
)
from .value import (
    WEEKS_PER_MONTH,
    compress_patterns,
    discounted_purchases,
    expected_order_values,
    mean_gap_weeks,
    next_order_wait_weeks,
)

__all__ = ["predict_clv", "fit_spend_model", "MIN_SPEND_CUSTOMERS"]

logger = logging.getLogger(__name__)

MODEL_CHOICES = ("auto", "bgnbd", "mbgnbd", "paretonbd")
MIN_SPEND_CUSTOMERS = 10
SIMULATION_BUDGET = 1_000_000  # simulated futures (patterns x draws)
MAX_SIMULATION_PATTERNS = 10_000
N_PARAMETER_DRAWS = 50


def weekly_summary(orders: pd.DataFrame, as_of, summary: pd.DataFrame | None
                   ) -> tuple[pd.DataFrame, CustomerDays | None]:
    """The customer summary with recency and T in weeks (of days), and the purchase days
    behind it when it was computed here (None when the caller's summary is reused).

    Reuses the caller's ``summary`` when it is a daily ``customer_summary`` for ``as_of``
    (or for the last order when ``as_of`` is None); otherwise computes it.
    """
    if summary is not None and summary.attrs.get("freq") == "D" and "observation_end" in summary.attrs:
        end = pd.Timestamp(summary.attrs["observation_end"])
        if as_of is not None:
            wanted = pd.Timestamp(as_of)
        else:
            wanted = end if orders is None else pd.Timestamp(orders["date"].max())
        if end == wanted:
            multiplier = float(summary.attrs.get("freq_multiplier", 1))
            if multiplier == 7.0:
                return summary, None
            weekly = summary.assign(recency=summary["recency"] * multiplier / 7.0,
                                    T=summary["T"] * multiplier / 7.0)
            weekly.attrs.update(summary.attrs, freq_multiplier=7)
            return weekly, None
        if orders is None:
            raise InputError(f"the customer summary is up to {end.date()}, not {wanted.date()}",
                             hint="Compute the summary again up to that date (clv summary-sql --as-of).")
        logger.info("the given summary is for another date; summarising again")
    return weekly_summary_with_days(orders, as_of, late_after=expected_split_date(orders, as_of))


def expected_split_date(orders: pd.DataFrame, as_of):
    """The holdout check's split date, known before summarising (so the same pass over the
    orders can total their values after it); None when the dates are not datetimes."""
    dates = orders["date"]
    if dates.dtype.kind != "M" or len(dates) == 0:
        return None
    end = pd.Timestamp(dates.max()) if as_of is None else pd.Timestamp(as_of)
    first = pd.Timestamp(dates.min())
    if end.tzinfo is not None or first.tzinfo is not None or first > end:
        return None
    return holdout_split_date(first, end)


def predict_clv(
    orders: pd.DataFrame,
    *,
    as_of=None,
    model: str = "auto",
    horizon_months: int = 12,
    discount_rate: float = 0.10,
    margin: float = 1.0,
    interval: float = 0.80,
    random_state: int | None = 0,
    progress=None,
    cancel=None,
    summary: pd.DataFrame | None = None,
    holdout: pd.DataFrame | None = None,
) -> Prediction:
    """Predict each customer's CLV over ``horizon_months`` with a BTYD model.

    ``orders`` has ``customer_id``, ``date`` and ``amount`` (one row per order).
    ``model`` is ``"auto"`` (choose on a holdout of the user's own data) or one of
    ``"bgnbd"``, ``"mbgnbd"``, ``"paretonbd"``. ``discount_rate`` is per year;
    ``margin`` the share of order value that is profit (1.0 = revenue CLV);
    ``interval`` the central probability of ``clv_low``..``clv_high``.
    ``churn_risk`` is P(no order in the next ``horizon_months``) and ``churn_label`` its
    Low / Medium / High label; ``Prediction.verdict`` and ``Prediction.notes`` say in plain
    words how the model was chosen and what was done about the data (docs/predictive.md).
    ``summary`` is an optional ``customer_summary`` of the same orders and ``as_of``
    (``freq="D"``, any ``freq_multiplier``) the caller already has; it is used instead of
    computing it again (otherwise, or if it does not match, it is computed here).
    ``orders`` may be None when ``summary`` and ``holdout`` come from a customer summary
    query (``clv_engine.summary_sql``): ``holdout`` then holds each customer's calibration
    columns for the model check (see ``choose_model``).
    Thin data never raises: it returns ``Prediction(ok=False, verdict=<why>)``.
    Bad settings raise :class:`~clv_engine.errors.InputError`.
    """
    check_settings(model, horizon_months, discount_rate, margin, interval)
    settings = {
        "as_of": None if as_of is None else str(pd.Timestamp(as_of).date()),
        "model": model,
        "horizon_months": int(horizon_months),
        "discount_rate": float(discount_rate),
        "margin": float(margin),
        "interval": float(interval),
        "random_state": random_state,
    }
    step = make_stepper(progress, cancel)

    step("Summarising customers", 0.0)
    summary, days = weekly_summary(orders, as_of, summary)
    as_of_ts = summary.attrs["observation_end"]
    settings["as_of"] = str(as_of_ts.date())
    first_order = summary["first_order"].min()
    history_days = (as_of_ts - first_order) / pd.Timedelta(days=1)
    reason = thin_data_reason(summary, history_days)
    if reason:
        return Prediction(ok=False, verdict=reason, settings=settings)

    candidates = list(MODEL_CHOICES[1:]) if model == "auto" else [model]
    notes: list[str] = []
    step("Checking models on the last part of the history", 0.1)
    if holdout is not None or orders is None:
        in_range = None
    elif days is None:
        in_time = (pd.to_datetime(orders["date"]) <= as_of_ts).to_numpy()
        in_range = orders if in_time.all() else orders.loc[in_time]  # no 3M-row copy when not needed
    else:
        in_range = orders  # the purchase days are already limited to as_of
    rng = np.random.default_rng(random_state)
    with warnings.catch_warnings(record=True) as caught:  # calibration fits: their warnings are not the result's
        warnings.simplefilter("always")
        best, scores, failures, split_date, sample = choose_model(
            in_range, as_of_ts, candidates, first_order, max_customers=MAX_CHECK_CUSTOMERS, rng=rng,
            days=days, holdout=holdout, progress=lambda text, done: step(text, 0.1 + 0.3 * done),
        )
    log_warnings(caught)
    del days
    if best is None and model == "auto":
        detail = "; ".join(f"{MODEL_LABELS[n]} {why}" for n, why in failures.items())
        return Prediction(
            ok=False,
            verdict=f"No purchase model could be checked on this data ({detail}), "
            "so CLV uses the formula/historical method instead.",
            settings=settings,
            model={"candidates": {n: {"failed": why} for n, why in failures.items()}},
        )
    chosen = best or model
    if best is None:
        notes.append(f"The holdout check was skipped: {failures.get(model, 'not enough data')}.")
    if cancel is not None and cancel.is_set():
        raise Cancelled("prediction cancelled")

    step(f"Fitting {MODEL_LABELS[chosen]} on all orders", 0.4)
    frequency = summary["frequency"].to_numpy(dtype=np.float64)
    recency = summary["recency"].to_numpy(dtype=np.float64)
    T = summary["T"].to_numpy(dtype=np.float64)
    order_of_preference = [chosen] + sorted(
        (n for n in scores if n != chosen), key=lambda n: scores[n].mae
    )
    fitted, fit_errors = None, {}
    patterns = compress_patterns(frequency, recency, T)  # shared by the fit, the values and the interval
    (px, ptx, pT), inverse, counts = patterns
    for name in order_of_preference:
        start = scores[name].params if name in scores else None
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                fitted = fit_purchase_model(name, px, ptx, pT, weights=counts, initial_params=start)
                if start is not None and len(px) <= PILOT_ABOVE_PATTERNS and _in_runoff(fitted):
                    fitted = _better_fit(fitted, name, px, ptx, pT, counts)
            log_warnings(caught)
            chosen = name
            break
        except Exception as exc:
            fit_errors[name] = type(exc).__name__
            logger.info("fitting %s on all data failed: %s", name, type(exc).__name__)
    if fitted is None:
        return Prediction(
            ok=False,
            verdict=f"{MODEL_LABELS[order_of_preference[0]]} could not be fitted to these orders, "
            "so CLV uses the formula/historical method instead.",
            settings=settings,
        )

    horizon_weeks = horizon_months * WEEKS_PER_MONTH
    no_dropout = not dropout_measured(chosen, fitted.params_, horizon_weeks)
    notes.extend(fit_notes(fitted, no_dropout))

    step("Fitting the spend model", 0.55)
    monetary = summary["monetary_value"].to_numpy(dtype=np.float64)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        spend_model, spend_note = fit_spend_model(frequency, monetary)
    log_warnings(caught)
    if spend_note:
        notes.append(spend_note)

    step("Computing expected value", 0.65)
    params = {k: float(v) for k, v in fitted.params_.items()}
    expected_p, discounted_p = discounted_purchases(fitted, px, ptx, pT, horizon_months, discount_rate)
    alive_p = np.clip(np.nan_to_num(np.asarray(fitted.p_alive(px, ptx, pT), dtype=np.float64)), 0, 1)
    silent_p = np.clip(np.nan_to_num(np.asarray(fitted.p_no_purchase(horizon_weeks, px, ptx, pT), dtype=np.float64),
                                     nan=1.0), 0, 1)
    expected = expected_p[inverse]
    discounted = discounted_p[inverse]
    p_alive = alive_p[inverse]
    churn_risk = silent_p[inverse]
    del expected_p, discounted_p, alive_p, silent_p
    # A future purchase's value: Gamma-Gamma's conditional mean given *all* the customer's
    # purchases (the first one included: it is the only spend known of a one-time buyer)
    purchases = frequency + 1.0
    purchase_value = np.maximum(np.nan_to_num(
        summary["total_value"].to_numpy(dtype=np.float64) / purchases, nan=0.0, posinf=0.0, neginf=0.0), 0.0)
    order_value = expected_order_values(spend_model, purchases, purchase_value, purchase_value)
    clv = margin * discounted * order_value

    step("Computing the interval", 0.75)
    low, high, used_cov = clv_interval(
        chosen, fitted, spend_model, frequency, recency, T, purchase_value, order_value,
        discounted, expected, horizon_months, margin, interval, rng, patterns,
    )
    del patterns, px, ptx, pT, inverse
    if not used_cov:
        notes.append("The orders do not pin down all of the model's parameters, so the low-high range "
                     "shows only the randomness of future orders (it may be too narrow).")
    low = np.minimum(np.nan_to_num(low, nan=0.0, posinf=0.0), clv)
    high = np.maximum(np.nan_to_num(high, nan=0.0, posinf=0.0), clv)

    step("Estimating next order dates", 0.95)
    wait_days = 7.0 * next_order_wait_weeks(params, frequency, T)
    horizon_days = horizon_weeks * 7
    likely = (p_alive >= 0.5) & (wait_days <= horizon_days) & np.isfinite(wait_days)
    start_day = np.datetime64(as_of_ts.normalize().to_datetime64(), "D")
    next_date = np.where(likely, start_day + np.round(np.where(likely, wait_days, 0.0)).astype("timedelta64[D]"),
                         np.datetime64("NaT", "D")).astype("datetime64[ns]")
    gap_days = 7.0 * mean_gap_weeks(params, frequency, T)

    customers = pd.DataFrame(
        {
            "clv_low": np.maximum(low, 0.0),
            "clv": np.maximum(clv, 0.0),
            "clv_high": np.maximum(high, 0.0),
            "p_alive": p_alive,
            "churn_risk": churn_risk,
            "churn_label": churn_labels(churn_risk),
            "expected_orders": np.maximum(expected, 0.0),
            "expected_order_value": order_value,
            "next_order_date": next_date,
            "expected_days_between_orders": np.nan_to_num(gap_days, nan=0.0, posinf=0.0),
        },
        index=summary.index,
        copy=False,  # fresh arrays: no consolidating copy
    )[PREDICTION_COLUMNS]

    chosen_score = scores.get(chosen)
    if chosen_score is not None:
        verdict = describe_choice(chosen_score, scores, forced=model != "auto")
    else:
        verdict = f"{MODEL_LABELS[chosen]} was used without a holdout check (not enough data to hold some back)."
    if chosen_score is not None and sample[0] < sample[1]:
        verdict += (
            f" The check used a random {sample[0]:,} of the {sample[1]:,} customers; "
            "the model was then fitted on all of them."
        )
    if no_dropout:
        verdict += " " + NO_DROPOUT_SENTENCE
    if fit_errors:
        verdict += " " + " ".join(
            f"{MODEL_LABELS[n]} scored better on the holdout but could not be fitted to all orders."
            for n in fit_errors
        )
    model_info = {
        "name": MODEL_LABELS[chosen],
        "key": chosen,
        "params": params,
        "spend_params": None if spend_model is None else {k: float(v) for k, v in spend_model.params_.items()},
        "holdout_score": None if chosen_score is None else chosen_score.as_dict(),
        "candidates": {
            **{n: s.as_dict() for n, s in scores.items()},
            **{n: {"failed": why} for n, why in failures.items()},
        },
        "holdout_start": str(split_date.date()),
        "verdict": verdict,
        "log_likelihood": None if fitted.log_likelihood_ is None else float(fitted.log_likelihood_),
        "dropout_measured": not no_dropout,
        "churn_horizon_months": int(horizon_months),
    }
    step("Done", 1.0)
    return Prediction(ok=True, verdict=verdict, customers=customers, model=model_info, settings=settings, notes=notes)


def log_warnings(caught) -> None:
    """Keep warnings raised inside a step out of the user's console (the result's notes
    say what matters in plain words); they go to the log."""
    for item in caught:
        logger.info("%s: %s", item.category.__name__, item.message)


NO_DROPOUT_SENTENCE = (
    "The orders show no measurable dropout (customers' silences fit slow buyers as well as lapsed ones), "
    "so P(alive) is 1 for everyone and churn risk comes from each customer's buying rate and time since "
    "their first order.")


def _in_runoff(fitted) -> bool:
    """Has the fit gone out to its fixed-dropout limit (the dropout pair both large)?"""
    pair = getattr(type(fitted), "runoff_pair", None)
    if pair is None:
        return False
    values = list(fitted.params_.values())
    return min(float(values[pair[0]]), float(values[pair[1]])) >= RUNOFF_SIZE


def _better_fit(fitted, name, px, ptx, pT, counts):
    """A fit started from the holdout check's parameters that settles in the fixed-dropout
    limit may only have stayed where it started (the check's fit ran off to that limit): the
    fit from the model's own starting point is tried too, and the higher likelihood kept.
    (Only for fits of up to PILOT_ABOVE_PATTERNS patterns, which take a second at most; a
    second fit of a million customers costs seconds, and their fits start from a pilot fit
    on a sample that compares the starting points first.)"""
    try:
        fresh = fit_purchase_model(name, px, ptx, pT, weights=counts)
    except Exception as exc:  # noqa: BLE001 - the first fit stands
        logger.info("refitting %s from its own start failed: %s", name, type(exc).__name__)
        return fitted
    old, new = getattr(fitted, "log_likelihood_", None), getattr(fresh, "log_likelihood_", None)
    if new is not None and old is not None and np.isfinite(new) and new > old + 1e-6:
        logger.info("%s: the fit from its own start is better (%.4f > %.4f)", name, new, old)
        return fresh
    return fitted


def fit_notes(fitted, no_dropout: bool) -> list[str]:
    """Plain-words notes on how the final fit went (what a ModelWarning would have said)."""
    notes = []
    label = MODEL_LABELS.get(MODEL_NAME_BY_CLASS.get(type(fitted).__name__, ""), type(fitted).__name__)
    if no_dropout:
        pass  # the verdict says so (NO_DROPOUT_SENTENCE)
    elif getattr(fitted, "fixed_dropout_limit_", False):
        notes.append(f"Customers seem to leave at one common rate rather than at rates that differ from person "
                     f"to person, so {label} was fitted in that limit.")
    elif not getattr(fitted, "converged_", True):
        notes.append(f"The orders do not pin down all of {label}'s parameters, so its predictions are rough.")
    return notes


MODEL_NAME_BY_CLASS = {"BetaGeoModel": "bgnbd", "ModifiedBetaGeoModel": "mbgnbd", "ParetoNBDModel": "paretonbd"}


def check_settings(model, horizon_months, discount_rate, margin, interval) -> None:
    """Raise InputError for settings a person typed wrong."""
    if model not in MODEL_CHOICES:
        raise InputError(
            f"unknown model {model!r}", where="setting 'model'",
            hint=f"Use one of: {', '.join(MODEL_CHOICES)}.",
        )
    if not (isinstance(horizon_months, (int, np.integer)) and 1 <= horizon_months <= 120):
        raise InputError(
            f"the horizon {horizon_months!r} is not a whole number of months from 1 to 120",
            where="setting 'horizon_months'", hint="Use e.g. 12 for one year.",
        )
    if not (np.isfinite(discount_rate) and 0 <= discount_rate < 1):
        raise InputError(
            f"the discount rate {discount_rate!r} is not from 0 to below 1",
            where="setting 'discount_rate'", hint="Give it per year as a fraction, e.g. 0.10 for 10%.",
        )
    if not (np.isfinite(margin) and 0 < margin <= 1):
        raise InputError(
            f"the margin {margin!r} is not above 0 and at most 1",
            where="setting 'margin'", hint="Give the profit share of an order, e.g. 0.3 for 30% (1 = revenue).",
        )
    if not (np.isfinite(interval) and 0 < interval < 1):
        raise InputError(
            f"the interval {interval!r} is not between 0 and 1",
            where="setting 'interval'", hint="Use e.g. 0.80 for an 80% interval.",
        )


def make_stepper(progress, cancel):
    """A function that reports progress and raises Cancelled when asked to stop."""

    def step(text: str, fraction: float) -> None:
        if cancel is not None and cancel.is_set():
            raise Cancelled("prediction cancelled")
        if progress is not None:
            progress(text, fraction)

    return step


def fit_spend_model(frequency, monetary):
    """Fit Gamma-Gamma on repeat buyers with positive spend; ``(model or None, note)``.

    The model is not used (note says why) when there are fewer than
    :data:`MIN_SPEND_CUSTOMERS` such customers, the fit fails, or q <= 1 (the population
    mean spend would be negative or infinite).
    """
    from ..models import GammaGammaModel

    usable = (frequency > 0) & (monetary > 0) & np.isfinite(monetary)
    if usable.sum() < MIN_SPEND_CUSTOMERS:
        return None, (
            f"Only {int(usable.sum())} {agree(int(usable.sum()), 'repeat buyer')} with positive spend: order "
            "values are each customer's historical average order value."
        )
    try:  # the model compresses the rows to distinct (frequency, monetary) patterns itself
        spend = GammaGammaModel().fit(frequency[usable], monetary[usable])
    except Exception as exc:
        logger.info("Gamma-Gamma fit failed: %s", type(exc).__name__)
        return None, "The spend model could not be fitted: order values are historical averages."
    if not spend.params_["q"] > 1:
        return None, (
            f"The spend model gave q = {spend.params_['q']:.2f} (<= 1, mean spend undefined): "
            "order values are historical averages."
        )
    return spend, None


def clv_interval(
    name, fitted, spend_model, frequency, recency, T, monetary, order_value,
    discounted, expected, horizon_months, margin, interval, rng, patterns=None,
):
    """``(low, high, used_covariance)`` per customer; see ``intervals`` for the method.
    ``patterns``: ``compress_patterns(frequency, recency, T)`` when already computed."""
    px, ptx, pT, inverse = coarse_patterns(frequency, recency, T, MAX_SIMULATION_PATTERNS, patterns)
    n_patterns = len(px)
    n_sims = int(np.clip(SIMULATION_BUDGET // max(n_patterns, 1), 100, 2000))
    names = PURCHASE_PARAM_NAMES[name]
    params = {k: float(v) for k, v in fitted.params_.items()}
    draws, used_cov = draw_parameter_sets(
        params, getattr(fitted, "covariance_", None), names, N_PARAMETER_DRAWS, rng
    )
    cls = type(fitted)

    def factory(values):
        return cls().set_params(**values)

    column_draw = np.arange(n_sims) % N_PARAMETER_DRAWS
    horizon_weeks = horizon_months * WEEKS_PER_MONTH
    orders = simulate_orders(name, factory, draws, column_draw, px, ptx, pT, horizon_weeks, rng)
    ratio = np.where(expected > 0, discounted / np.maximum(expected, 1e-300), 1.0)
    tail = (1.0 - interval) / 2.0
    if spend_model is None:
        q_low, q_high = np.quantile(orders, [tail, 1.0 - tail], axis=1)
        scale = margin * ratio * order_value
        return scale * q_low[inverse], scale * q_high[inverse], used_cov
    spend_params = {k: float(v) for k, v in spend_model.params_.items()}
    spend_draws, spend_cov = draw_parameter_sets(
        spend_params, getattr(spend_model, "covariance_", None), SPEND_PARAM_NAMES, n_sims, rng
    )
    # spend given all of each customer's purchases (x + 1 of them, ``monetary`` their mean)
    spend_ratio = simulate_spend_ratio(orders, px + 1.0, spend_draws, rng)
    c = (frequency + 1.0) * np.maximum(monetary, 0.0)
    c_mean = np.bincount(inverse, weights=c, minlength=n_patterns) / np.maximum(
        np.bincount(inverse, minlength=n_patterns), 1
    )
    v_hat = spend_params["gamma"]
    spend_ratio *= (spend_draws["gamma"][None, :] + c_mean[:, None]) / (v_hat + c_mean[:, None])
    q_low, q_high = np.quantile(spend_ratio, [tail, 1.0 - tail], axis=1)
    scale = margin * ratio * (v_hat + c)
    return scale * q_low[inverse], scale * q_high[inverse], used_cov and spend_cov
