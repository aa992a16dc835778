"""Big fits (a pilot on a sample, then BFGS on everything) land on the same optimum as
the plain L-BFGS-B fit on all patterns."""
import numpy as np
import pytest

from clv_engine.models import BetaGeoModel, ParetoNBDModel, base


def simulated_customers(n, seed=3):
    """Pareto/NBD-like customers with times on whole days (weeks), many distinct patterns."""
    rng = np.random.default_rng(seed)
    rate = rng.gamma(0.55, 1 / 10.6, n)
    death = rng.gamma(0.61, 1 / 11.7, n)
    age = rng.integers(28, 2 * 365, n) / 7.0
    active = np.minimum(rng.exponential(1 / death), age)
    frequency = rng.poisson(rate * active).astype(float)
    last = active * rng.random(n) ** (1 / np.maximum(frequency, 1))
    recency = np.where(frequency > 0, np.floor(last * 7) / 7, 0.0)
    return frequency, recency, age


@pytest.mark.parametrize("cls", [BetaGeoModel, ParetoNBDModel])
def test_pilot_fit_on_big_data_matches_the_plain_fit(cls, monkeypatch):
    f, r, T = simulated_customers(30_000)
    big = cls().fit(f, r, T)
    assert big.optimizer_ == "BFGS"  # the pilot path was taken
    monkeypatch.setattr(base, "PILOT_ABOVE_PATTERNS", 10**9)
    plain = cls().fit(f, r, T)
    assert plain.optimizer_ == "L-BFGS-B"
    for name in cls.parameter_names:
        assert big.params_[name] == pytest.approx(plain.params_[name], rel=1e-5)
        assert big.standard_errors_[name] == pytest.approx(plain.standard_errors_[name], rel=1e-3)
    assert big.log_likelihood_ == pytest.approx(plain.log_likelihood_, abs=1e-3)
    assert big.converged_ and plain.converged_


def test_pilot_sample_keeps_the_total_weight_and_big_patterns():
    weights = np.array([5000.0] + [1.0] * 20_000)
    index, sample_weights = base.pilot_sample(weights, 1000)
    assert sample_weights.sum() == pytest.approx(weights.sum())
    assert index[0] == 0 and sample_weights[0] == pytest.approx(5000.0, rel=0.01)
    assert len(index) < 1000
