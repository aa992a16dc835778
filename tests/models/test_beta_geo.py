"""BG/NBD: published CDNOW values (Fader, Hardie & Lee 2005) and robustness."""
import numpy as np
import pytest

from clv_engine.errors import InputError, ModelWarning
from clv_engine.models import BetaGeoModel


@pytest.fixture(scope="module")
def fitted(cdnow):
    return BetaGeoModel().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])


def test_reproduces_published_cdnow_parameters_and_log_likelihood(fitted):
    p = fitted.params_
    assert round(p["r"], 3) == 0.243
    assert round(p["alpha"], 3) == 4.414
    assert round(p["a"], 3) == 0.793
    assert round(p["b"], 3) == 2.426
    assert round(fitted.log_likelihood_, 1) == -9582.4
    assert fitted.converged_
    assert fitted.n_customers_ == 2357


def test_conditional_expectation_matches_paper_example(fitted):
    # FHL (2005) section 5: customer with x=2, t_x=30.43, T=38.86, next 39 weeks -> 1.226
    value = fitted.expected_purchases(39, [2], [30.43], [38.86])
    assert round(float(value[0]), 3) == 1.226


def test_new_customer_expectation_agrees_with_p_n_purchases(fitted):
    n = np.arange(0, 400)
    probabilities = fitted.p_n_purchases(n, np.full(n.shape, 39.0))
    assert probabilities.sum() == pytest.approx(1.0, abs=1e-6)
    assert (n * probabilities).sum() == pytest.approx(float(fitted.expected_purchases_new(39)[0]),
                                                      rel=1e-6)


def test_conditional_distribution_sums_to_one_and_matches_expectation(fitted):
    n = np.arange(0, 300)
    probabilities = fitted.p_n_purchases_conditional(n, 39.0, 2, 30.43, 38.86)
    assert probabilities.sum() == pytest.approx(1.0, abs=1e-6)
    assert (n * probabilities).sum() == pytest.approx(1.226, abs=5e-4)


def test_p_alive_is_one_without_repeat_purchase_and_drops_with_long_silence(fitted):
    alive = fitted.p_alive([0, 5, 5], [0, 38, 5], [38.86, 38.86, 38.86])
    assert alive[0] == 1.0
    assert alive[1] > 0.8 > 0.2 > alive[2] > 0


def test_standard_errors_are_positive_and_intervals_contain_estimates(fitted):
    table = fitted.summary
    assert list(table.columns) == ["estimate", "standard_error", "lower_95", "upper_95"]
    assert (table["standard_error"] > 0).all()
    assert ((table["lower_95"] < table["estimate"]) & (table["estimate"] < table["upper_95"])).all()


def test_one_time_buyers_get_finite_predictions_when_a_plus_b_below_one():
    model = BetaGeoModel().set_params(r=0.3, alpha=2.0, a=0.3, b=0.4)
    x, t_x, T = np.array([0, 0, 3]), np.array([0.0, 0.0, 10.0]), np.array([20.0, 0.5, 30.0])
    expected = model.expected_purchases(52, x, t_x, T)
    assert np.all(np.isfinite(expected)) and np.all(expected > 0)
    assert np.all(np.isfinite(model.expected_purchases_new([1, 52, 520])))
    # eq. 7 by brute-force integration over p, E[X(t)] = E_p[(1 - (a/(a+pt))^r)/p]
    from scipy import integrate, stats

    def brute(t, r, alpha, a, b):
        f = lambda p: (1 - (alpha / (alpha + p * t)) ** r) / p * stats.beta.pdf(p, a, b)
        return integrate.quad(f, 0, 1, limit=200)[0]

    assert expected[0] == pytest.approx(brute(52, 0.3, 22.0, 0.3, 0.4), rel=1e-6)


def test_a_equal_to_one_gives_continuous_predictions():
    values = [BetaGeoModel().set_params(r=0.5, alpha=3.0, a=a, b=2.0).expected_purchases_new(30)[0]
              for a in (1 - 1e-4, 1.0, 1 + 1e-4)]
    assert np.all(np.isfinite(values))
    assert values[1] == pytest.approx((values[0] + values[2]) / 2, rel=1e-6)


def test_customer_with_ten_thousand_orders_gets_finite_values(fitted):
    x, t_x, T = [10_000, 10_000], [38.0, 38.86], [38.86, 38.86]
    assert np.all(np.isfinite(fitted.expected_purchases(39, x, t_x, T)))
    assert np.all(np.isfinite(fitted.p_alive(x, t_x, T)))
    expected = fitted.expected_purchases(39, x, t_x, T)
    assert expected[1] > 5_000  # buys ~257 a week while alive


def test_fit_survives_one_customer_with_ten_thousand_orders(cdnow):
    freq = np.append(cdnow["frequency"].to_numpy(), 10_000)
    rec = np.append(cdnow["recency"].to_numpy(), 38.0)
    T = np.append(cdnow["T"].to_numpy(), 38.86)
    model = BetaGeoModel().fit(freq, rec, T)
    assert np.isfinite(model.log_likelihood_)


def test_all_one_time_buyers_warn_and_still_predict_finite_values():
    with pytest.warns(ModelWarning, match="do not pin down"):
        model = BetaGeoModel().fit([0, 0, 0, 0], [0, 0, 0, 0], [10.0, 20.0, 5.0, 30.0])
    prediction = model.expected_purchases(10, [0], [0], [10.0])
    assert np.isfinite(prediction).all() and (prediction >= 0).all()
    assert not model.converged_


def test_single_customer_fit_gives_finite_non_negative_predictions():
    with pytest.warns(ModelWarning):
        model = BetaGeoModel().fit([3], [20.0], [30.0])
    prediction = model.expected_purchases(10, [3], [20.0], [30.0])
    assert np.isfinite(prediction).all() and (prediction >= 0).all()


def test_very_short_history_fits_with_penalizer():
    rng = np.random.default_rng(1)
    x = rng.integers(0, 2, 200)
    T = rng.uniform(0.5, 1.0, 200)
    rec = np.where(x > 0, T * rng.uniform(0.1, 1, 200), 0.0)
    model = BetaGeoModel(penalizer=0.01).fit(x, rec, T)
    assert np.isfinite(model.expected_purchases(4, x, rec, T)).all()


def test_recency_after_T_is_a_clear_input_error():
    with pytest.raises(InputError, match="recency .* larger than T"):
        BetaGeoModel().fit([1, 2], [5.0, 40.0], [30.0, 30.0])


def test_negative_frequency_is_a_clear_input_error():
    with pytest.raises(InputError, match="frequency.*negative"):
        BetaGeoModel().fit([1, -2], [5.0, 4.0], [30.0, 30.0])
