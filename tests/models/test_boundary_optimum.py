"""Fits whose optimum is a limit at the edge of the parameter range reach it.

The truth is computed another way: the limit model's own likelihood, maximised directly
(one common purchase rate: BG/NBD with r, alpha -> infinity at r/alpha = lambda; no
dropout: the NBD, BG/NBD with a -> 0)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, special

from clv_engine.compat.lifetimes import BetaGeoFitter, ModifiedBetaGeoFitter, ParetoNBDFitter
from clv_engine.models import BetaGeoModel, ModifiedBetaGeoModel, ParetoNBDModel
from clv_engine.models.base import push_to_boundary


def simulate_bg(n, rng, rate=None, dropout=True):
    T = rng.integers(10, 78, n).astype(float)
    lam = np.full(n, rate) if rate is not None else rng.gamma(0.6, 1 / 4.0, n)
    p = rng.beta(1.0, 4.0, n) if dropout else np.zeros(n)
    x = np.zeros(n)
    tx = np.zeros(n)
    for i in range(n):
        t = 0.0
        while True:
            t += rng.exponential(1 / lam[i])
            if t > T[i]:
                break
            x[i] += 1
            tx[i] = t
            if rng.random() < p[i]:
                break
    return x, np.round(tx, 2), T


def common_rate_limit_ll(x, tx, T):
    """Max log-likelihood of BG/NBD's r -> infinity limit (Poisson rate lambda for all)."""
    def negative(theta):
        lam, a, b = np.exp(theta)
        first = x * np.log(lam) - lam * T + special.betaln(a, b + x) - special.betaln(a, b)
        second = np.where(x > 0, x * np.log(lam) - lam * tx + special.betaln(a + 1, np.maximum(b + x - 1, 1e-300))
                          - special.betaln(a, b), -np.inf)
        return -np.logaddexp(first, second).sum()

    best = optimize.minimize(negative, np.log([x.sum() / T.sum(), 1.0, 3.0]), method="Nelder-Mead",
                             options={"xatol": 1e-10, "fatol": 1e-10, "maxiter": 20000, "maxfev": 20000})
    return -best.fun


def nbd_ll(x, T):
    """Max log-likelihood of the NBD (no dropout): what BG/NBD tends to as a -> 0."""
    def negative(theta):
        r, alpha = np.exp(theta)
        return -(special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha) - (r + x) * np.log(alpha + T)).sum()

    best = optimize.minimize(negative, np.log([0.5, 5.0]), method="Nelder-Mead",
                             options={"xatol": 1e-12, "fatol": 1e-12, "maxiter": 20000})
    return -best.fun


@pytest.mark.filterwarnings("ignore::clv_engine.errors.ModelWarning")
def test_common_purchase_rate_reaches_the_limit():
    x, tx, T = simulate_bg(3000, np.random.default_rng(1), rate=0.15)
    fitted = BetaGeoModel().fit(x, tx, T)
    limit = common_rate_limit_ll(x, tx, T)
    assert fitted.params_["r"] > 1e4 and fitted.params_["alpha"] > 1e4
    assert fitted.params_["r"] / fitted.params_["alpha"] == pytest.approx(0.15, rel=0.05)
    assert fitted.log_likelihood_ >= limit - 2e-3


@pytest.mark.filterwarnings("ignore::clv_engine.errors.ModelWarning")
@pytest.mark.parametrize("cls", [BetaGeoModel, ModifiedBetaGeoModel, ParetoNBDModel])
def test_no_dropout_reaches_the_nbd_limit(cls):
    x, tx, T = simulate_bg(3000, np.random.default_rng(2), dropout=False)
    fitted = cls().fit(x, tx, T)
    assert fitted.log_likelihood_ >= nbd_ll(x, T) - 2e-3


def test_push_follows_a_flat_direction_and_never_makes_things_worse():
    # objective decreasing towards theta[0] -> -inf like exp(theta[0]) (a -> 0), bowl in theta[1]
    def objective(theta):
        return float(np.exp(theta[0]) + (theta[1] - 1.0) ** 2)

    def objective_and_gradient(theta):
        return objective(theta), np.array([np.exp(theta[0]), 2 * (theta[1] - 1.0)])

    start = np.array([-6.0, 1.0])
    theta, value, pushed = push_to_boundary(objective, objective_and_gradient, start, objective(start), -18.0, 18.0)
    assert pushed and theta[0] == -18.0 and value < objective(start)
    inner = np.array([0.5, 1.0])
    theta, value, pushed = push_to_boundary(objective, objective_and_gradient, inner, objective(inner), -18.0, 18.0)
    assert not pushed and np.array_equal(theta, inner)


SHOP = Path(__file__).resolve().parents[1] / "data" / "models" / "no_dropout_shop_patterns.csv"


@pytest.fixture(scope="module")
def shop():
    table = pd.read_csv(SHOP)
    return (table["frequency"].to_numpy(float), table["recency_days"].to_numpy(float) / 7,
            table["T_days"].to_numpy(float) / 7, table["customers"].to_numpy(float))


def weighted_nbd_ll(x, T, w):
    def negative(theta):
        r, alpha = np.exp(theta)
        return -(w * (special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
                      - (r + x) * np.log(alpha + T))).sum()

    best = optimize.minimize(negative, np.log([0.5, 5.0]), method="Nelder-Mead",
                             options={"xatol": 1e-12, "fatol": 1e-12, "maxiter": 20000})
    return -best.fun


@pytest.mark.filterwarnings("ignore::clv_engine.errors.ModelWarning")
@pytest.mark.parametrize("cls, start", [
    (ParetoNBDModel, {"r": 0.5, "alpha": 15.0, "s": 1e-5, "beta": 1e3}),
    (BetaGeoModel, {"r": 0.5, "alpha": 15.0, "a": 1e-5, "b": 50.0}),
    (ModifiedBetaGeoModel, {"r": 0.5, "alpha": 15.0, "a": 1e-5, "b": 50.0}),
    (ParetoNBDModel, None),
    (BetaGeoModel, None),
])
def test_a_start_on_the_flat_way_to_the_limit_still_reaches_it(shop, cls, start):
    # a refit started from a calibration fit that stopped on the way to the no-dropout corner
    x, tx, T, w = shop
    fitted = cls().fit(x, tx, T, weights=w, initial_params=start)
    assert fitted.log_likelihood_ >= weighted_nbd_ll(x, T, w) - 1e-5
    # the lifetimes-compatible layer finds the same optimum
    compat = {"ParetoNBDModel": ParetoNBDFitter, "BetaGeoModel": BetaGeoFitter,
              "ModifiedBetaGeoModel": ModifiedBetaGeoFitter}[cls.__name__]().fit(x, tx, T, weights=w)
    assert compat.log_likelihood_ == pytest.approx(fitted.log_likelihood_, abs=1e-5)
