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

__all__ = ["draw_parameter_sets", "simulate_orders", "simulate_spend_ratio", "coarse_patterns"]

logger = logging.getLogger(__name__)

PURCHASE_PARAM_NAMES = {
    "bgnbd": ("r", "alpha", "a", "b"),
    "mbgnbd": ("r", "alpha", "a", "b"),
    "paretonbd": ("r", "alpha", "s", "beta"),
}
SPEND_PARAM_NAMES = ("p", "q", "gamma")


def draw_parameter_sets(params: dict, covariance, names, n_draws: int, rng) -> tuple[dict, bool]:
    """Draw ``n_draws`` parameter sets from the asymptotic normal of the log-parameters.

    Returns ``({name: array of n_draws}, used_covariance)``. When the covariance is
    missing, not finite or not positive semi-definite, every draw is the point estimate
    and ``used_covariance`` is False (the interval then reflects only the randomness of
    future purchases).
    """
    theta = np.array([float(params[n]) for n in names])
    cov = as_matrix(covariance, names)
    if cov is None:
        return {n: np.full(n_draws, v) for n, v in zip(names, theta)}, False
    log_cov = cov / np.outer(theta, theta)
    log_cov = (log_cov + log_cov.T) / 2
    try:
        eigval, eigvec = np.linalg.eigh(log_cov)
    except np.linalg.LinAlgError:
        return {n: np.full(n_draws, v) for n, v in zip(names, theta)}, False
    if not np.all(np.isfinite(eigval)) or eigval.min() < -1e-8 * max(1.0, abs(eigval.max())):
        return {n: np.full(n_draws, v) for n, v in zip(names, theta)}, False
    # directions with a variance at rounding level are held fixed (a fixed-dropout-limit
    # fit has a rank-deficient covariance: its pair's scale does not vary at all)
    eigval = np.where(eigval > 1e-12 * max(eigval.max(), 0.0), eigval, 0.0)
    root = eigvec * np.sqrt(eigval)
    z = np.clip(rng.standard_normal((n_draws, len(names))), -4.0, 4.0)
    draws = np.exp(np.log(theta) + z @ root.T)
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
    """
    n_draws = len(next(iter(draws.values())))
    x = np.asarray(frequency, dtype=np.float64)[:, None]
    Tm = np.asarray(T, dtype=np.float64)[:, None]
    alive_by_draw = np.empty((len(x), n_draws))
    for k in range(n_draws):
        params = {n: float(v[k]) for n, v in draws.items()}
        value = np.asarray(model_factory(params).p_alive(frequency, recency, T), dtype=np.float64)
        alive_by_draw[:, k] = np.clip(np.nan_to_num(value, nan=0.0), 0.0, 1.0)
    p_alive = alive_by_draw[:, column_draw]
    draws = {n: v[column_draw] for n, v in draws.items()}
    alive = rng.random(p_alive.shape) < p_alive
    rate = rng.standard_gamma(draws["r"][None, :] + x) / (draws["alpha"][None, :] + Tm)
    if model_name == "paretonbd":
        death_rate = rng.standard_gamma(np.broadcast_to(draws["s"][None, :], rate.shape)) / (
            draws["beta"][None, :] + Tm
        )
        lifetime = rng.standard_exponential(rate.shape) / np.maximum(death_rate, 1e-300)
        active_weeks = np.minimum(lifetime, horizon_weeks)
        orders = rng.poisson(rate * active_weeks)
    else:
        extra = 1.0 if model_name == "mbgnbd" else 0.0
        a = np.broadcast_to(draws["a"][None, :], rate.shape)
        dropout = rng.beta(a, draws["b"][None, :] + x + extra)
        orders_until_dropout = rng.geometric(np.clip(dropout, 1e-12, 1.0))
        orders = np.minimum(rng.poisson(rate * horizon_weeks), orders_until_dropout)
    return np.where(alive, orders, 0)


def simulate_spend_ratio(orders, frequency, spend_draws, rng):
    """``G(N p) / G(p x + q)`` per cell: total spend divided by (gamma + x m).

    ``orders`` has shape (patterns, draws); ``spend_draws`` holds p and q per draw.
    """
    x = np.asarray(frequency, dtype=np.float64)[:, None]
    p = spend_draws["p"][None, :]
    q = spend_draws["q"][None, :]
    numerator = rng.standard_gamma(orders * p)
    denominator = rng.standard_gamma(np.broadcast_to(p * x + q, orders.shape))
    return numerator / np.maximum(denominator, 1e-300)
