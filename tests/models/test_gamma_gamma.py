"""Gamma-Gamma spend model: published CDNOW values (Fader & Hardie 2013) and robustness."""
import numpy as np
import pytest

from clv_engine.errors import InputError, ModelWarning
from clv_engine.models import GammaGammaModel


@pytest.fixture(scope="module")
def fitted(cdnow_spend):
    return GammaGammaModel().fit(cdnow_spend["x"], cdnow_spend["zbar"])


def test_reproduces_published_cdnow_parameters(fitted):
    assert round(fitted.params_["p"], 2) == 6.25
    assert round(fitted.params_["q"], 2) == 3.74
    # the likelihood is flat in gamma (s.e. 4.2): the MLE is 15.448, the note prints 15.44
    assert fitted.params_["gamma"] == pytest.approx(15.44, abs=0.01)


def test_one_time_buyers_are_left_out_of_the_fit(fitted):
    assert fitted.n_customers_ == 946
    assert fitted.n_ignored_ == 2357 - 946


def test_expected_order_value_shrinks_towards_population_mean(fitted):
    mean = fitted.mean_order_value
    values = fitted.expected_order_value([0, 1, 1, 20], [0.0, 100.0, 5.0, 100.0])
    assert values[0] == pytest.approx(mean)
    assert mean < values[1] < 100.0
    assert 5.0 < values[2] < mean
    assert values[1] < values[3] < 100.0  # more orders -> closer to the customer's own mean


def test_zero_or_negative_amounts_of_repeat_buyers_are_input_errors():
    with pytest.raises(InputError, match="monetary_value.*above zero"):
        GammaGammaModel().fit([1, 2, 3], [10.0, 0.0, 5.0])
    with pytest.raises(InputError, match="position 2"):
        GammaGammaModel().fit([1, 2, 3], [10.0, 4.0, -5.0])


def test_identical_amounts_warn_and_predict_that_amount():
    with pytest.warns(ModelWarning):
        model = GammaGammaModel().fit([1, 2, 3, 4] * 10, [20.0] * 40)
    values = model.expected_order_value([1, 5], [20.0, 20.0])
    assert np.allclose(values, 20.0, rtol=1e-3)


def test_heavy_tailed_spend_gives_verdict_instead_of_infinite_mean():
    rng = np.random.default_rng(3)
    x = np.full(500, 1)
    z = rng.pareto(0.7, 500) * 10 + 0.5  # infinite-mean spend
    with pytest.warns(ModelWarning, match="q = .* <= 1"):
        model = GammaGammaModel().fit(x, z)
    assert model.mean_exists_ is False
    with pytest.raises(InputError, match="infinite"):
        model.expected_order_value([1], [10.0])


def test_known_parameters_with_q_below_one_are_refused_for_prediction():
    model = GammaGammaModel().set_params(p=2.0, q=0.9, gamma=10.0)
    assert model.mean_exists_ is False
    with pytest.raises(InputError):
        _ = model.mean_order_value


def test_no_repeat_buyers_is_a_clear_input_error():
    with pytest.raises(InputError, match="repeat purchase"):
        GammaGammaModel().fit([0, 0], [0.0, 0.0])


def test_zero_average_spend_of_a_repeat_buyer_is_predicted(fitted):
    p, q, gamma = (fitted.params_[k] for k in ("p", "q", "gamma"))
    values = fitted.expected_order_value([2, 1, 0], [0.0, 0.0, 0.0])
    # the conditional expectation at zbar = 0 (note, eq. 5): p gamma / (p x + q - 1)
    np.testing.assert_allclose(values[:2], [p * gamma / (2 * p + q - 1), p * gamma / (p + q - 1)],
                               rtol=1e-12)
    assert 0 < values[0] < values[1] < values[2] == pytest.approx(fitted.mean_order_value)


def test_negative_or_missing_spend_are_still_refused_for_prediction(fitted):
    with pytest.raises(InputError, match="zero or more") as caught:
        fitted.expected_order_value([1, 2], [10.0, -3.0])
    assert caught.value.where.endswith("position 1")
    with pytest.raises(InputError, match="zero or more"):
        fitted.expected_order_value([2], [np.nan])
