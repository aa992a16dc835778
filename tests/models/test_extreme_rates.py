"""Very large r (nearly Poisson purchase rates) must not turn predictions into NaN."""
import numpy as np
import pytest
from scipy import special

from clv_engine.models import BetaGeoModel, ModifiedBetaGeoModel

X = np.array([0.0, 1, 5, 100])
TX = np.array([0.0, 10, 20, 30])
T = np.array([40.0, 40, 40, 40])


@pytest.mark.parametrize("cls", [BetaGeoModel, ModifiedBetaGeoModel])
def test_huge_r_gives_finite_predictions_that_continue_the_trend(cls):
    huge = cls().set_params(r=6e4, alpha=6e5, a=0.5, b=3.0)
    large = cls().set_params(r=3e3, alpha=3e4, a=0.5, b=3.0)
    for model in (huge, large):
        assert np.isfinite(model.expected_purchases(10, X, TX, T)).all()
        assert np.isfinite(model.expected_purchases_new(10)).all()
    np.testing.assert_allclose(huge.expected_purchases(10, X[:3], TX[:3], T[:3]),
                               large.expected_purchases(10, X[:3], TX[:3], T[:3]), rtol=0.01)


def test_huge_r_new_customer_matches_the_fixed_rate_limit():
    # r -> infinity with r/alpha = 0.1 fixed: E[X(t)] = c/(a-1) (1 - 1F1(a-1; c; -0.1 t)), c = a+b-1
    a, b, t = 0.5, 3.0, 10.0
    c = a + b - 1
    limit = c / (a - 1) * (1 - special.hyp1f1(a - 1, c, -0.1 * t))
    model = BetaGeoModel().set_params(r=1e7, alpha=1e8, a=a, b=b)
    assert model.expected_purchases_new(t)[0] == pytest.approx(limit, rel=1e-4)
