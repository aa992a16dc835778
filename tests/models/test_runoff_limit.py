"""When every customer has the same dropout chance, BG/NBD (a, b) and Pareto/NBD (s, beta)
run off to infinity together; the fit notices, stops near the fixed-dropout limit with a
ModelWarning, and its predictions match the limit formulas."""
import warnings

import numpy as np
import pytest
from scipy import integrate

from clv_engine.errors import ModelWarning
from clv_engine.models import BetaGeoModel, ParetoNBDModel
from clv_engine.models.pareto_nbd import pareto_log_integral

R, ALPHA, MU, P = 0.9, 15.0, 0.012, 0.15


def simulated_fixed_dropout(n, kind, seed=11):
    """Customers with gamma purchase rates and the *same* dropout rate / probability."""
    rng = np.random.default_rng(seed)
    big_t = rng.uniform(20.0, 104.0, n)
    rate = rng.gamma(R, 1 / ALPHA, n)
    x, t_x = np.zeros(n), np.zeros(n)
    for i in range(n):
        life = rng.exponential(1 / MU) if kind == "pareto" else np.inf
        t = 0.0
        while True:
            t += rng.exponential(1 / rate[i])
            if t > min(life, big_t[i]):
                break
            x[i] += 1
            t_x[i] = t
            if kind == "bg" and rng.random() < P:
                break
    return x, t_x, big_t


def fit_recording_warnings(model, data):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(*data)
    return [str(w.message) for w in caught if issubclass(w.category, ModelWarning)]


@pytest.fixture(scope="module")
def pareto_fit():
    data = simulated_fixed_dropout(3000, "pareto")
    model = ParetoNBDModel()
    messages = fit_recording_warnings(model, data)
    return model, data, messages


def pareto_limit_predictions(r, alpha, mu, x, t_x, big_t, t):
    """P(alive) and E[Y(t)] with an exponential lifetime of fixed rate mu (adaptive quad)."""
    alive = (alpha + big_t) ** -(r + x) * np.exp(-mu * big_t)
    dead = mu * integrate.quad(lambda tau: (alpha + tau) ** -(r + x) * np.exp(-mu * tau),
                               t_x, big_t, epsabs=0, epsrel=1e-12)[0]
    p_alive = alive / (alive + dead)
    return p_alive, p_alive * (r + x) / (alpha + big_t) * -np.expm1(-mu * t) / mu


def test_pareto_fit_on_fixed_dropout_data_warns_that_it_used_the_limit(pareto_fit):
    model, _, messages = pareto_fit
    assert model.fixed_dropout_limit_
    assert any("dropout looks like a fixed rate" in m and "fixed-dropout limit" in m
               for m in messages)
    params = model.params_
    assert params["s"] > 100 and params["beta"] > 100
    assert params["s"] / params["beta"] == pytest.approx(MU, rel=0.25)


def test_pareto_predictions_near_the_limit_match_the_fixed_rate_formulas(pareto_fit):
    model, _, _ = pareto_fit
    r, alpha, s, beta = (model.params_[n] for n in ("r", "alpha", "s", "beta"))
    x, t_x = np.array([0.0, 2, 7, 1]), np.array([0.0, 30, 80, 2])
    big_t = np.array([90.0, 90, 90, 100])
    p_alive = model.p_alive(x, t_x, big_t)
    expected = model.expected_purchases(52.0, x, t_x, big_t)
    assert np.all(np.isfinite(p_alive)) and np.all(np.isfinite(expected))
    for i in range(len(x)):
        limit_alive, limit_expected = pareto_limit_predictions(r, alpha, s / beta, x[i], t_x[i],
                                                               big_t[i], 52.0)
        # the remaining spread of dropout rates (coefficient of variation 1/sqrt(s)) is tiny
        assert p_alive[i] == pytest.approx(limit_alive, rel=5.0 / s)
        assert expected[i] == pytest.approx(limit_expected, rel=5.0 / s)


def test_bg_fit_on_fixed_dropout_data_warns_and_predicts_like_the_limit():
    data = simulated_fixed_dropout(3000, "bg", seed=3)
    model = BetaGeoModel()
    messages = fit_recording_warnings(model, data)
    assert model.fixed_dropout_limit_
    assert any("dropout looks like a fixed rate" in m for m in messages)
    r, alpha, a, b = (model.params_[n] for n in ("r", "alpha", "a", "b"))
    p = a / (a + b)
    assert p == pytest.approx(P, rel=0.25)
    limit_new = -np.expm1(-r * np.log1p(p * 52.0 / alpha)) / p
    assert model.expected_purchases_new(52.0)[0] == pytest.approx(limit_new, rel=5.0 / min(a, b))
    x, t_x, big_t = np.array([2.0, 5.0]), np.array([30.0, 20.0]), np.array([90.0, 90.0])
    limit_alive = 1 / (1 + p / (1 - p) * ((alpha + big_t) / (alpha + t_x)) ** (r + x))
    np.testing.assert_allclose(model.p_alive(x, t_x, big_t), limit_alive, rtol=5.0 / min(a, b))


def test_ordinary_data_does_not_trigger_the_limit(cdnow):
    model = BetaGeoModel().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    assert not model.fixed_dropout_limit_


@pytest.mark.parametrize("s, beta", [(122.9, 10411.0), (1000.0, 84700.0)])
@pytest.mark.parametrize("x, t_x, big_t", [(0, 0.0, 40.0), (3, 10.0, 60.0), (1, 2.0, 100.0)])
def test_pareto_integral_stays_accurate_for_nearly_fixed_dropout_rates(s, beta, x, t_x, big_t):
    r, alpha = 0.9, 15.5
    # scaled by beta^(s+1) so the reference does not underflow
    reference = integrate.quad(lambda u: np.exp(-(r + x) * np.log(alpha + u)
                                                - (s + 1) * np.log1p(u / beta)),
                               t_x, big_t, epsabs=0, epsrel=1e-12, limit=300)[0]
    expected = np.log(reference) - (s + 1) * np.log(beta)
    value = pareto_log_integral(r, alpha, s, beta, np.array([float(x)]), np.array([t_x]),
                                np.array([big_t]))[0]
    assert value == pytest.approx(expected, abs=1e-6)


def test_limit_fit_has_a_rank_three_covariance_usable_for_parameter_draws(pareto_fit):
    from clv_engine.predictive.intervals import draw_parameter_sets

    model, _, _ = pareto_fit
    names = list(model.parameter_names)
    values = np.array([model.params_[n] for n in names])
    log_cov = model.covariance_.loc[names, names].to_numpy() / np.outer(values, values)
    assert np.linalg.matrix_rank(log_cov, tol=1e-8 * np.abs(log_cov).max()) == 3
    draws, used = draw_parameter_sets(model.params_, model.covariance_, names, 200,
                                      np.random.default_rng(0))
    assert used
    # the pair's scale is held fixed: every draw keeps s * beta, while s / beta varies
    np.testing.assert_allclose(draws["s"] * draws["beta"],
                               model.params_["s"] * model.params_["beta"], rtol=1e-9)
    assert np.std(draws["s"] / draws["beta"]) > 0


def test_saved_limit_fit_says_it_is_one(pareto_fit):
    import json

    from clv_engine.models.base import BaseModel

    model, _, _ = pareto_fit
    assert model.fixed_dropout_limit_
    loaded = BaseModel.from_dict(json.loads(json.dumps(model.to_dict())))
    assert loaded.fixed_dropout_limit_ and not loaded.converged_
    assert not ParetoNBDModel().set_params(**model.params_).fixed_dropout_limit_  # hand-set: not a fit


def test_a_start_at_the_limit_goes_straight_to_the_limit_fit(pareto_fit):
    """The final fit starts from the model check's fit on part of the history; when that
    ran off to the fixed-dropout limit and all the data still do, the limit is fitted
    directly (the same predictions as a fit from the model's own starting points)."""
    model, data, _ = pareto_fit
    x, t_x, big_t = data
    part = ParetoNBDModel()
    fit_recording_warnings(part, (x[:2000], t_x[:2000], big_t[:2000]))
    assert part.fixed_dropout_limit_
    started = ParetoNBDModel()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        started.fit(x, t_x, big_t, initial_params=part.params_)
    assert started.fixed_dropout_limit_ and started.optimizer_ == "BFGS (fixed-dropout limit)"
    assert any("dropout looks like a fixed rate" in str(w.message) for w in caught)
    assert started.log_likelihood_ == pytest.approx(model.log_likelihood_, abs=1e-3)
    np.testing.assert_allclose(started.expected_purchases(52.0, x[:50], t_x[:50], big_t[:50]),
                               model.expected_purchases(52.0, x[:50], t_x[:50], big_t[:50]), rtol=1e-3)
