"""Pareto/NBD: published CDNOW values (Fader, Hardie & Lee 2005) and robustness."""
import numpy as np
import pytest
from scipy import integrate

from clv_engine.models import ParetoNBDModel
from clv_engine.models.pareto_nbd import pareto_log_integral


@pytest.fixture(scope="module")
def fitted(cdnow):
    return ParetoNBDModel().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])


def test_reproduces_published_cdnow_parameters_and_log_likelihood(fitted):
    p = fitted.params_
    assert round(p["r"], 3) == 0.553
    assert round(p["alpha"], 3) == 10.578
    assert round(p["s"], 3) == 0.606
    # beta is nearly flat (s.e. 6.2; LL differs by 2e-8 between 11.668 and 11.669): MLE 11.6679
    assert p["beta"] == pytest.approx(11.669, abs=0.002)
    assert round(fitted.log_likelihood_, 1) == -9595.0


@pytest.mark.parametrize("params", [(0.553, 10.578, 0.606, 11.669), (2.0, 0.05, 1.5, 50.0),
                                    (0.3, 50.0, 0.3, 0.01), (0.5, 0.1, 0.6, 20.0)])
def test_likelihood_integral_matches_adaptive_quadrature(params):
    r, alpha, s, beta = params
    x = np.array([0.0, 1.0, 7.0, 40.0])
    t_x = np.array([0.0, 2.0, 30.0, 35.0])
    T = np.array([39.0, 39.0, 38.0, 39.0])
    ours = pareto_log_integral(r, alpha, s, beta, x, t_x, T)
    for i in range(len(x)):
        f = lambda tau: (alpha + tau) ** -(r + x[i]) * (beta + tau) ** -(s + 1)
        reference = integrate.quad(f, t_x[i], T[i], epsabs=0, epsrel=1e-12, limit=500)[0]
        assert ours[i] == pytest.approx(np.log(reference), abs=1e-5)


def test_recency_equal_to_T_with_many_orders_is_finite(fitted):
    x, t_x, T = [1000, 10_000, 3], [38.86, 38.86, 38.86], [38.86, 38.86, 38.86]
    assert np.all(fitted.p_alive(x, t_x, T) == 1.0)
    expected = fitted.expected_purchases(39, x, t_x, T)
    assert np.all(np.isfinite(expected)) and expected[1] > expected[0] > expected[2] > 0


def test_long_silence_after_many_orders_means_probably_gone(fitted):
    assert 0 < fitted.p_alive([1000], [20.0], [38.86])[0] < 1e-6


def test_new_customer_distribution_sums_to_one_and_matches_expectation(fitted):
    n = np.arange(0, 120)
    probabilities = fitted.p_n_purchases(n, np.full(n.shape, 39.0))
    assert probabilities.sum() == pytest.approx(1.0, abs=1e-6)
    assert (n * probabilities).sum() == pytest.approx(float(fitted.expected_purchases_new(39)[0]),
                                                      rel=1e-5)


def test_conditional_distribution_matches_conditional_expectation(fitted):
    n = np.arange(0, 120)
    probabilities = fitted.p_n_purchases_conditional(n, 39.0, 2, 30.43, 38.86)
    assert probabilities.sum() == pytest.approx(1.0, abs=1e-6)
    expected = fitted.expected_purchases(39, [2], [30.43], [38.86])[0]
    assert (n * probabilities).sum() == pytest.approx(expected, rel=1e-5)


def test_s_equal_to_one_gives_the_logarithmic_limit():
    model = ParetoNBDModel().set_params(r=0.5, alpha=10.0, s=1.0, beta=12.0)
    assert model.expected_purchases_new(39)[0] == pytest.approx(0.5 / 10 * 12 * np.log1p(39 / 12))
