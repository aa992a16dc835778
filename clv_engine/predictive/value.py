"""Expected value of each customer over the horizon: purchases, spend, discounting.

All model times are in weeks (the CDNOW convention); dates and gaps shown to people are
in days.
"""
from __future__ import annotations

import numpy as np

from ..arrays import distinct_rows as compress_patterns  # (unique columns, inverse, counts)

__all__ = [
    "DAYS_PER_MONTH",
    "compress_patterns",
    "monthly_discount_factors",
    "discounted_purchases",
    "expected_order_values",
    "next_order_wait_weeks",
]

DAYS_PER_MONTH = 365.25 / 12
WEEKS_PER_MONTH = DAYS_PER_MONTH / 7


def monthly_discount_factors(horizon_months: int, discount_rate: float) -> np.ndarray:
    """Factor ``(1 + d) ** (-k / 12)`` for the end of each month ``k = 1..horizon``.

    ``discount_rate`` is per year; a month's purchases are discounted to today from the
    end of that month (the convention of lifetimes' ``customer_lifetime_value``, with a
    yearly rather than monthly rate).
    """
    months = np.arange(1, int(horizon_months) + 1, dtype=np.float64)
    return (1.0 + float(discount_rate)) ** (-months / 12.0)


def discounted_purchases(model, frequency, recency, T, horizon_months: int, discount_rate: float):
    """Expected purchases over the horizon, undiscounted and discounted.

    Sums the model's conditional expected purchases month by month, each month's
    increment times its discount factor. The expectation is P(alive) (per pattern) times
    the expectation of an active customer, which depends only on (frequency, T) and is
    computed once per distinct pair. Returns ``(expected, discounted)`` arrays, both
    finite and non-negative.
    """
    frequency = np.asarray(frequency, dtype=np.float64)
    T = np.asarray(T, dtype=np.float64)
    factors = monthly_discount_factors(horizon_months, discount_rate)
    (ux, uT), inverse, _ = compress_patterns(frequency, T)
    months = np.arange(1, len(factors) + 1, dtype=np.float64) * WEEKS_PER_MONTH
    # one call for all months: rows are (pair, month)
    cumulative = np.asarray(
        model.expected_purchases_if_alive(np.tile(months, len(ux)), np.repeat(ux, len(months)),
                                          np.repeat(uT, len(months))),
        dtype=np.float64,
    ).reshape(len(ux), len(months))
    cumulative = np.where(np.isfinite(cumulative), cumulative, 0.0)
    cumulative = np.maximum.accumulate(np.maximum(cumulative, 0.0), axis=1)
    increments = np.diff(cumulative, axis=1, prepend=0.0)
    expected_u = cumulative[:, -1]
    discounted_u = (increments * factors).sum(axis=1)
    alive = np.clip(np.nan_to_num(np.asarray(model.p_alive(frequency, recency, T), dtype=np.float64)), 0.0, 1.0)
    return alive * expected_u[inverse], alive * discounted_u[inverse]


def expected_order_values(spend_model, frequency, monetary_value, fallback_value):
    """Expected value of a future order per customer.

    With a usable Gamma-Gamma ``spend_model`` this is its conditional expectation (a
    weighted mean of the customer's own average and the population mean); otherwise
    ``fallback_value`` (the customer's historical average order value). A customer whose
    purchases were all worth nothing (free, fully refunded) gets the same conditional
    expectation with an average of 0, (p·γ)/(p·n + q − 1): shrunk towards 0 the more such
    purchases there are, but not 0 (on CDNOW some of them buy at full price later).
    Negative or non-finite values get the fallback (itself floored at 0).
    """
    fallback = np.nan_to_num(np.asarray(fallback_value, dtype=np.float64), nan=0.0, posinf=0.0)
    fallback = np.maximum(fallback, 0.0)
    if spend_model is None:
        return fallback
    frequency = np.asarray(frequency, dtype=np.float64)
    monetary_value = np.asarray(monetary_value, dtype=np.float64)
    has_spend = np.isfinite(monetary_value) & (monetary_value >= 0)
    value = np.asarray(
        spend_model.expected_order_value(np.where(has_spend, frequency, 0.0), np.where(has_spend, monetary_value, 0.0)),
        dtype=np.float64,
    )
    good = np.isfinite(value) & (value >= 0) & (has_spend | (frequency == 0))
    return np.where(good, value, fallback)


def next_order_wait_weeks(params: dict, frequency, T) -> np.ndarray:
    """Median waiting time (weeks) to the next order of a customer who is still active.

    In BG/NBD, MBG/NBD and Pareto/NBD an active customer's purchase rate is, given the
    history, Gamma(r + x, alpha + T); the wait to the next order is then Lomax and its
    median is ``(alpha + T) * (2 ** (1 / (r + x)) - 1)``.
    """
    shape = params["r"] + np.asarray(frequency, dtype=np.float64)
    rate = params["alpha"] + np.asarray(T, dtype=np.float64)
    return rate * np.expm1(np.log(2.0) / shape)


def mean_gap_weeks(params: dict, frequency, T) -> np.ndarray:
    """Expected time between orders (weeks) of an active customer: 1 / E[rate]."""
    shape = params["r"] + np.asarray(frequency, dtype=np.float64)
    rate = params["alpha"] + np.asarray(T, dtype=np.float64)
    return rate / shape
