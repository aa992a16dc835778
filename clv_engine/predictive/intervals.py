"""Prediction intervals for CLV: parameter uncertainty plus the randomness of the future.

Method (details and a worked example in ``docs/predictive.md``):

1. Parameter sets are drawn from the asymptotic normal distribution of the
   log-parameters, using the fitted covariance (delta method: cov / (theta theta')).
2. For every purchase pattern (frequency, recency, T) and every draw, the customer's
   future is simulated from the individual-level process given the posterior: alive or
   not (P(alive) under that draw), a purchase rate from its Gamma posterior, the dropout
   process (BG/NBD, MBG/NBD: a Beta-posterior coin after each purchase; Pareto/NBD: an
   exponential lifetime), and the number of orders over the horizon.
3. Spend: given N future orders, Gamma-Gamma says the total is
   ``(gamma + x * m) * G(N p) / G(p x + q)`` with independent standard gammas ``G``; the ratio
   depends only on (N, x) and is simulated per pattern, so each customer's quantiles are
   a scaling of their pattern's quantiles.
4. The simulated values are discounted with the customer's own ratio of discounted to
   undiscounted expected purchases and the margin applied.
"""
from __future__ import annotations

import logging

import numpy as np

from ..models.base import LOG_PARAM_BOUND

__all__ = ["draw_parameter_sets", "simulate_orders", "simulate_spend_ratio", "coarse_patterns"]

logger = logging.getLogger(__name__)

PURCHASE_PARAM_NAMES = {
    "bgnbd": ("r", "alpha", "a", "b"),
    "mbgnbd": ("r", "alpha", "a", "b"),
    "paretonbd": ("r", "alpha", "s", "beta"),
}
SPEND_PARAM_NAMES = ("p", "q", "gamma")
# Largest variance of a log-parameter whose normal approximation is used for the draws: a
# standard deviation of 3 is a factor of 20 at one sigma; beyond it the fit does not
# determine that parameter and the draws would be noise (or overflow).
MAX_LOG_VARIANCE = 9.0


def draw_parameter_sets(params: dict, covariance, names, n_draws: int, rng) -> tuple[dict, bool]:
    """Draw ``n_draws`` parameter sets from the asymptotic normal of the log-parameters.

    Returns ``({name: array of n_draws}, used_covariance)``. When the covariance is
    missing, not finite, not positive semi-definite or gives a log-parameter a variance
    above :data:`MAX_LOG_VARIANCE`, every draw is the point estimate and
    ``used_covariance`` is False (the interval then reflects only the randomness of future
    purchases).
    """
    theta = np.array([float(params[n]) for n in names])
    point_draws = {n: np.full(n_draws, v) for n, v in zip(names, theta)}  # every draw the estimate
    cov = as_matrix(covariance, names)
    if cov is None:
        return point_draws, False
    log_cov = cov / np.outer(theta, theta)
    log_cov = (log_cov + log_cov.T) / 2
    try:
        eigval, eigvec = np.linalg.eigh(log_cov)
    except np.linalg.LinAlgError:
        return point_draws, False
    if not np.all(np.isfinite(eigval)) or eigval.min() < -1e-8 * max(1.0, abs(eigval.max())):
        return point_draws, False
    if eigval.max() > MAX_LOG_VARIANCE:
        # a direction the data do not pin down (e.g. a -> 0 in BG/NBD: nobody drops out,
        # and b no longer matters): the normal approximation means nothing there
        logger.info("parameter covariance not used: a log-parameter standard deviation of %.3g",
                    float(np.sqrt(eigval.max())))
        return point_draws, False
    # directions with a variance at rounding level are held fixed (a fixed-dropout-limit
    # fit has a rank-deficient covariance: its pair's scale does not vary at all)
    eigval = np.where(eigval > 1e-12 * max(eigval.max(), 0.0), eigval, 0.0)
    root = eigvec * np.sqrt(eigval)
    z = np.clip(rng.standard_normal((n_draws, len(names))), -4.0, 4.0)
    draws = np.exp(np.clip(np.log(theta) + z @ root.T, -LOG_PARAM_BOUND, LOG_PARAM_BOUND))
    return {n: draws[:, k] for k, n in enumerate(names)}, True


def as_matrix(covariance, names) -> np.ndarray | None:
    """The covariance as a square float array in ``names`` order, or None if unusable."""
    if covariance is None:
        return None
    if hasattr(covariance, "loc"):
        try:
            cov = covariance.loc[list(names), list(names)].to_numpy(dtype=np.float64)
        except KeyError:
            return None
    else:
        cov = np.asarray(covariance, dtype=np.float64)
    if cov.shape != (len(names), len(names)) or not np.all(np.isfinite(cov)):
        return None
    return cov


def coarse_patterns(frequency, recency, T, max_patterns: int, patterns=None):
    """Purchase patterns for simulation, coarsened until there are at most ``max_patterns``.

    Times are rounded to whole weeks, then to 2, 4, 8, ... weeks, as far as needed.
    Returns ``(x, t_x, T, inverse)`` of the patterns and each customer's pattern index.
    ``patterns`` is ``compress_patterns(frequency, recency, T)`` when the caller has it
    (the coarsening then works on the distinct patterns, not on every customer).
    """
    from .value import compress_patterns

    exact, exact_inverse, _ = patterns or compress_patterns(frequency, recency, T)
    cols, inverse = exact, np.arange(len(exact[0]))
    step = 1.0
    while len(cols[0]) > max_patterns and step <= 64:
        x, r, t = exact
        cols, inverse, _ = compress_patterns(x, np.round(r / step) * step, np.round(t / step) * step)
        step *= 2
    return cols[0], cols[1], cols[2], inverse[exact_inverse]


def simulate_orders(model_name, model_factory, draws, column_draw, frequency, recency, T, horizon_weeks, rng):
    """Simulated number of orders over the horizon, shape (patterns, len(column_draw)).

    ``draws`` holds the parameter draws (arrays); column ``j`` uses draw
    ``column_draw[j]``; each cell is one simulated future. ``model_factory(params)``
    returns a model with those parameters (for P(alive)).

    Only what can change a cell is drawn: a purchase rate and dropout only for the cells
    whose customer is alive, and the BG dropout count only where the Poisson count is 2 or
    more (it is at least 1, so min(count, dropout count) is the count below 2).
    """
    n_draws = len(next(iter(draws.values())))
    x = np.asarray(frequency, dtype=np.float64)
    big_t = np.asarray(T, dtype=np.float64)
    alive_by_draw = np.empty((len(x), n_draws))
    for k in range(n_draws):
        params = {n: float(v[k]) for n, v in draws.items()}
        value = np.asarray(model_factory(params).p_alive(frequency, recency, T), dtype=np.float64)
        alive_by_draw[:, k] = np.clip(np.nan_to_num(value, nan=0.0), 0.0, 1.0)
    shape = (len(x), len(column_draw))
    alive = rng.random(shape) < alive_by_draw[:, column_draw]
    row, col = np.nonzero(alive)
    draw = column_draw[col]
    x_cell, t_cell = x[row], big_t[row]
    rate = rng.standard_gamma(draws["r"][draw] + x_cell) / (draws["alpha"][draw] + t_cell)
    if model_name == "paretonbd":
        death_rate = rng.standard_gamma(draws["s"][draw]) / (draws["beta"][draw] + t_cell)
        lifetime = rng.standard_exponential(len(row)) / np.maximum(death_rate, 1e-300)
        counts = rng.poisson(rate * np.minimum(lifetime, horizon_weeks))
    else:
        counts = rng.poisson(rate * horizon_weeks)
        more = np.flatnonzero(counts >= 2)
        extra = 1.0 if model_name == "mbgnbd" else 0.0
        dropout = rng.beta(draws["a"][draw[more]], draws["b"][draw[more]] + x_cell[more] + extra)
        counts[more] = np.minimum(counts[more], rng.geometric(np.clip(dropout, 1e-12, 1.0)))
    orders = np.zeros(shape, dtype=counts.dtype)
    orders[row, col] = counts
    return orders


def simulate_spend_ratio(orders, frequency, spend_draws, rng):
    """``G(N p) / G(p x + q)`` per cell: total spend divided by (gamma + x m).

    ``orders`` has shape (patterns, draws); ``spend_draws`` holds p and q per draw (one per
    column). Cells with no orders have no spend (only the others are drawn).
    """
    x = np.asarray(frequency, dtype=np.float64)
    row, col = np.nonzero(orders)
    p = spend_draws["p"][col]
    numerator = rng.standard_gamma(orders[row, col] * p)
    denominator = rng.standard_gamma(p * x[row] + spend_draws["q"][col])
    ratio = np.zeros(orders.shape)
    ratio[row, col] = numerator / np.maximum(denominator, 1e-300)
    return ratio
