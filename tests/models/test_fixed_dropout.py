"""BG/NBD and MBG/NBD when every customer has nearly the same dropout probability
(large a and b): expectations stay exact and tend to the fixed-dropout limit."""
import numpy as np
import pytest
from scipy import integrate, stats

from clv_engine.models import BetaGeoModel, ModifiedBetaGeoModel


def expected_by_integrating_over_dropout(t, r, alpha, a, b):
    """E[X(t)] = E_p[(1 - (alpha / (alpha + p t))**r) / p], p ~ Beta(a, b), by adaptive quadrature."""
    beta = stats.beta(a, b)
    low, high = beta.ppf(1e-14), beta.isf(1e-14)

    def integrand(p):
        return -np.expm1(-r * np.log1p(p * t / alpha)) / p * beta.pdf(p)

    return integrate.quad(integrand, low, high, epsabs=0, epsrel=1e-12, limit=300)[0]


@pytest.mark.parametrize("a, b", [(60.0, 200.0), (300.0, 1000.0), (3e4, 1e5)])
@pytest.mark.parametrize("r, alpha", [(0.65, 1.79), (5.0, 30.0)])
def test_narrow_dropout_expectation_matches_direct_integration(a, b, r, alpha):
    model = BetaGeoModel().set_params(r=r, alpha=alpha, a=a, b=b)
    expected = expected_by_integrating_over_dropout(52.0, r, alpha, a, b)
    assert model.expected_purchases_new(52.0)[0] == pytest.approx(expected, rel=1e-9)


def test_huge_a_and_b_tend_to_the_fixed_dropout_limit():
    # a, b -> infinity with p = a / (a + b): E[X(t)] -> (1 - (alpha / (alpha + p t))**r) / p
    r, alpha, p, t = 0.65, 1.79, 0.23, 52.0
    limit = -np.expm1(-r * np.log1p(p * t / alpha)) / p
    model = BetaGeoModel().set_params(r=r, alpha=alpha, a=p * 1e7, b=(1 - p) * 1e7)
    assert model.expected_purchases_new(t)[0] == pytest.approx(limit, rel=1e-6)


@pytest.mark.parametrize("cls", [BetaGeoModel, ModifiedBetaGeoModel])
def test_conditional_expectation_is_continuous_across_the_quadrature_switch(cls):
    x, tx, big_t = np.array([0.0, 2, 7]), np.array([0.0, 20, 30]), np.array([40.0, 40, 40])
    below = cls().set_params(r=0.7, alpha=2.0, a=49.9, b=150.0).expected_purchases(26, x, tx, big_t)
    above = cls().set_params(r=0.7, alpha=2.0, a=50.1, b=150.0).expected_purchases(26, x, tx, big_t)
    np.testing.assert_allclose(above, below, rtol=5e-3)
