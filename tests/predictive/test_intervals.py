"""The simulation behind the CLV interval agrees with the models' closed forms."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clv_engine.models import BetaGeoModel, GammaGammaModel, ModifiedBetaGeoModel, ParetoNBDModel
from clv_engine.predictive.intervals import draw_parameter_sets, simulate_orders, simulate_spend_ratio

BG_PARAMS = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}


def point_draws(params, n):
    return {k: np.full(n, v) for k, v in params.items()}


MODELS = {
    "bgnbd": (BetaGeoModel, BG_PARAMS),
    "mbgnbd": (ModifiedBetaGeoModel, {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}),
    "paretonbd": (ParetoNBDModel, {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}),
}


@pytest.mark.parametrize("name", sorted(MODELS))
@pytest.mark.parametrize("history", [(0, 0.0, 30.0), (2, 30.43, 38.86), (7, 10.0, 38.0), (12, 37.0, 38.0)])
def test_simulated_orders_follow_the_models_closed_forms(name, history):
    x, t_x, T = history
    cls, params = MODELS[name]
    model = cls().set_params(**params)
    n = 40_000
    orders = simulate_orders(
        name, lambda p: cls().set_params(**p), point_draws(params, 1), np.zeros(n, dtype=int),
        np.array([x]), np.array([t_x]), np.array([T]), 52.0, np.random.default_rng(1),
    )
    assert orders.shape == (1, n)
    expected = float(model.expected_purchases(52.0, [x], [t_x], [T])[0])
    assert orders.mean() == pytest.approx(expected, rel=0.04, abs=0.01)
    for k in (0, 1, 2, 3):
        p_k = float(model.p_n_purchases_conditional([k], [52.0], [x], [t_x], [T])[0])
        assert (orders == k).mean() == pytest.approx(p_k, abs=0.01), k


def test_simulated_spend_averages_to_the_gamma_gamma_expectation():
    spend = GammaGammaModel().set_params(p=6.25, q=3.74, gamma=15.44)
    n = 200_000
    orders = np.full((1, n), 3)
    ratio = simulate_spend_ratio(orders, np.array([2.0]), point_draws({"p": 6.25, "q": 3.74}, n),
                                 np.random.default_rng(2))
    total = (15.44 + 2 * 30.0) * ratio
    expected = 3 * float(spend.expected_order_value([2], [30.0])[0])
    assert total.mean() == pytest.approx(expected, rel=0.01)


def test_simulated_spend_is_zero_exactly_where_there_are_no_orders():
    orders = np.array([[0, 2, 0, 5], [1, 0, 0, 0]])
    ratio = simulate_spend_ratio(orders, np.array([2.0, 0.0]), point_draws({"p": 6.25, "q": 3.74}, 4),
                                 np.random.default_rng(4))
    assert ratio.shape == orders.shape
    assert np.array_equal(ratio > 0, orders > 0)
    assert np.all(np.isfinite(ratio))


def test_parameter_draws_follow_the_fitted_covariance():
    params = {"r": 0.25, "alpha": 4.4}
    cov = pd.DataFrame([[1e-4, 0.0], [0.0, 0.09]], index=["r", "alpha"], columns=["r", "alpha"])
    draws, used = draw_parameter_sets(params, cov, ("r", "alpha"), 20_000, np.random.default_rng(3))
    assert used
    assert np.all(draws["r"] > 0) and np.all(draws["alpha"] > 0)
    assert np.std(draws["alpha"]) == pytest.approx(0.3, rel=0.05)
    assert np.median(draws["r"]) == pytest.approx(0.25, rel=0.01)


def test_unusable_covariance_gives_point_draws():
    draws, used = draw_parameter_sets({"r": 0.25, "alpha": 4.4}, None, ("r", "alpha"), 5, np.random.default_rng(0))
    assert not used and np.all(draws["alpha"] == 4.4)


def test_a_parameter_the_data_do_not_pin_down_gives_point_draws_not_overflow():
    """MBG/NBD on a small messy shop (tests/data/desktop_messy_orders.xlsx) fitted a ~ 4e-7
    with var(b) ~ 7e12: the normal draws of log b overflowed and the whole analysis failed."""
    params = {"r": 7.05, "alpha": 165.7, "a": 3.73e-07, "b": 2157.0}
    cov = np.array([[1.29e01, 3.03e02, 9.66e-07, -1.68e02], [3.03e02, 7.26e03, 1.20e-05, -2.37e03],
                    [9.66e-07, 1.20e-05, 5.49e-05, -7.02e03], [-1.68e02, -2.37e03, -7.02e03, 6.77e12]])
    with np.errstate(over="raise"):
        draws, used = draw_parameter_sets(params, cov, ("r", "alpha", "a", "b"), 50, np.random.default_rng(0))
    assert not used
    assert all(np.all(draws[n] == v) for n, v in params.items())
