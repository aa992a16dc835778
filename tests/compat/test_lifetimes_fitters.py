"""The lifetimes-compatible fitters: published values, lifetimes parity, finite where lifetimes is NaN."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import clv_engine.compat.lifetimes as compat

lifetimes = pytest.importorskip("lifetimes")

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    return pd.read_csv(DATA / "models" / "cdnow_customers_summary.csv")


@pytest.fixture(scope="module")
def cdnow_spend() -> pd.DataFrame:
    frame = pd.read_csv(DATA / "models" / "cdnow_customers_summary_with_transactions.csv")
    return frame.loc[frame["x"] > 0]


@pytest.fixture(scope="module")
def donations() -> pd.DataFrame:
    return pd.read_csv(DATA / "models" / "donations.csv")


@pytest.fixture(scope="module")
def bgf(cdnow):
    return compat.BetaGeoFitter().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])


@pytest.fixture(scope="module")
def lifetimes_bgf(cdnow):
    return lifetimes.BetaGeoFitter().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])


# -- published values through the compat API ----------------------------------------------------
def test_bgnbd_reproduces_fader_hardie_lee_2005(bgf):
    assert list(bgf.params_.index) == ["r", "alpha", "a", "b"]
    np.testing.assert_allclose(bgf.params_.to_numpy(), [0.243, 4.414, 0.793, 2.426], atol=6e-4)
    assert round(bgf.log_likelihood_, 1) == -9582.4


def test_pareto_nbd_reproduces_fader_hardie_lee_2005(cdnow):
    pnbd = compat.ParetoNBDFitter().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    assert list(pnbd.params_.index) == ["r", "alpha", "s", "beta"]
    np.testing.assert_allclose(pnbd.params_.to_numpy(), [0.553, 10.578, 0.606, 11.669], rtol=2e-3)
    assert round(pnbd.log_likelihood_, 1) == -9595.0
    assert np.all(np.isfinite(pnbd.summary.to_numpy()))


def test_mbgnbd_reproduces_btydplus_values(cdnow):
    mbgf = compat.ModifiedBetaGeoFitter().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    np.testing.assert_allclose(mbgf.params_.to_numpy(), [0.525, 6.183, 0.891, 1.614], rtol=3e-3)


def test_gamma_gamma_reproduces_fader_hardie_2013(cdnow_spend):
    ggf = compat.GammaGammaFitter().fit(cdnow_spend["x"], cdnow_spend["zbar"])
    assert list(ggf.params_.index) == ["p", "q", "v"]
    # printed to two decimals; the optimum is v = 15.448 in lifetimes too
    np.testing.assert_allclose(ggf.params_.to_numpy(), [6.25, 3.74, 15.44], atol=1e-2)


def test_bgbb_reproduces_fader_hardie_shang_2010(donations):
    bgbb = compat.BetaGeoBetaBinomFitter().fit(
        donations["frequency"], donations["recency"], donations["periods"], weights=donations["weights"]
    )
    assert list(bgbb.params_.index) == ["alpha", "beta", "gamma", "delta"]
    np.testing.assert_allclose(bgbb.params_.to_numpy(), [1.204, 0.750, 0.657, 2.783], atol=6e-4)
    assert round(bgbb.log_likelihood_, 1) == -33225.6
    theirs = lifetimes.BetaGeoBetaBinomFitter().fit(
        donations["frequency"], donations["recency"], donations["periods"], weights=donations["weights"]
    )
    args = (donations["frequency"], donations["recency"], donations["periods"])
    np.testing.assert_allclose(
        bgbb.conditional_expected_number_of_purchases_up_to_time(5, *args),
        theirs.conditional_expected_number_of_purchases_up_to_time(5, *args), rtol=2e-3,
    )
    np.testing.assert_allclose(
        bgbb.conditional_probability_alive(0, *args), theirs.conditional_probability_alive(0, *args), rtol=2e-3
    )
    np.testing.assert_allclose(
        bgbb.expected_number_of_transactions_in_first_n_periods(6)["model"],
        theirs.expected_number_of_transactions_in_first_n_periods(6)["model"], rtol=2e-3,
    )


# -- side by side with lifetimes ------------------------------------------------------------------
def test_bgnbd_summary_matches_lifetimes(bgf, lifetimes_bgf):
    assert list(bgf.summary.columns) == list(lifetimes_bgf.summary.columns)
    np.testing.assert_allclose(bgf.summary.to_numpy(), lifetimes_bgf.summary.to_numpy(), rtol=2e-3)


def test_bgnbd_predictions_match_lifetimes(bgf, lifetimes_bgf, cdnow):
    f, r, T = cdnow["frequency"], cdnow["recency"], cdnow["T"]
    ours = bgf.conditional_expected_number_of_purchases_up_to_time(39, f, r, T)
    theirs = lifetimes_bgf.conditional_expected_number_of_purchases_up_to_time(39, f, r, T)
    assert isinstance(ours, pd.Series) and ours.index.equals(theirs.index)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5)
    np.testing.assert_allclose(
        bgf.conditional_probability_alive(f, r, T), lifetimes_bgf.conditional_probability_alive(f, r, T), rtol=1e-5
    )
    t = np.array([1.0, 10.0, 39.0, 78.0])
    np.testing.assert_allclose(
        bgf.expected_number_of_purchases_up_to_time(t), lifetimes_bgf.expected_number_of_purchases_up_to_time(t),
        rtol=1e-5,
    )
    for n in range(4):
        assert bgf.probability_of_n_purchases_up_to_time(39, n) == pytest.approx(
            lifetimes_bgf.probability_of_n_purchases_up_to_time(39, n), rel=1e-5
        )
    np.testing.assert_allclose(
        bgf.conditional_probability_alive_matrix(10, 20),
        lifetimes_bgf.conditional_probability_alive_matrix(10, 20), rtol=1e-5,
    )


def test_params_set_by_hand_predict_like_lifetimes(lifetimes_bgf):
    known = pd.Series({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    ours = compat.BetaGeoFitter()
    ours.params_ = known
    theirs = lifetimes.BetaGeoFitter()
    theirs.params_ = known
    method = "conditional_expected_number_of_purchases_up_to_time"
    assert getattr(ours, method)(39, 2, 30.43, 38.86) == pytest.approx(
        getattr(theirs, method)(39, 2, 30.43, 38.86), rel=1e-6
    )


def test_one_parameter_set_by_key_changes_the_model_as_in_lifetimes(cdnow):
    known = pd.Series({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    ours, theirs = compat.BetaGeoFitter(), lifetimes.BetaGeoFitter()
    ours.params_, theirs.params_ = known.copy(), known.copy()
    ours.params_["r"] = 0.5
    theirs.params_["r"] = 0.5
    method = "conditional_expected_number_of_purchases_up_to_time"
    assert ours.params_["r"] == 0.5
    assert getattr(ours, method)(39, 2, 30.43, 38.86) == pytest.approx(getattr(theirs, method)(39, 2, 30.43, 38.86),
                                                                       rel=1e-6)
    # a later fit is the fit's own: a value written before it does not carry over
    ours.fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    assert ours.params_["r"] == pytest.approx(0.243, abs=1e-3)


def test_gamma_gamma_and_clv_match_lifetimes(cdnow_spend, bgf, lifetimes_bgf, cdnow):
    ours = compat.GammaGammaFitter().fit(cdnow_spend["x"], cdnow_spend["zbar"])
    theirs = lifetimes.GammaGammaFitter().fit(cdnow_spend["x"], cdnow_spend["zbar"])
    np.testing.assert_allclose(ours.params_, theirs.params_, rtol=2e-3)
    np.testing.assert_allclose(
        ours.conditional_expected_average_profit(cdnow_spend["x"], cdnow_spend["zbar"]),
        theirs.conditional_expected_average_profit(cdnow_spend["x"], cdnow_spend["zbar"]), rtol=1e-3,
    )
    sample = cdnow.loc[cdnow_spend.index]
    args = (sample["frequency"], sample["recency"], sample["T"], cdnow_spend["zbar"])
    our_clv = ours.customer_lifetime_value(bgf, *args, time=12, discount_rate=0.01, freq="W")
    their_clv = theirs.customer_lifetime_value(lifetimes_bgf, *args, time=12, discount_rate=0.01, freq="W")
    assert our_clv.name == their_clv.name == "clv"
    np.testing.assert_allclose(our_clv, their_clv, rtol=3e-3)


def test_utils_summary_feeds_the_fitter_like_lifetimes():
    transactions = pd.read_csv(DATA / "example_transactions.csv")
    summary = compat.utils.summary_data_from_transaction_data(transactions, "id", "date")
    theirs = lifetimes.BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
    ours = compat.BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
    np.testing.assert_allclose(ours.params_, theirs.params_, rtol=1e-3)
    cumulative = compat.utils.expected_cumulative_transactions(ours, transactions, "date", "id", 200)
    expected = lifetimes.utils.expected_cumulative_transactions(theirs, transactions, "date", "id", 200)
    assert list(cumulative.columns) == ["actual", "predicted"]
    np.testing.assert_array_equal(cumulative["actual"], expected["actual"])
    np.testing.assert_allclose(cumulative["predicted"], expected["predicted"], rtol=1e-3)


# -- where lifetimes is wrong -----------------------------------------------------------------------
def test_bgnbd_one_time_buyers_are_finite_when_a_plus_b_below_one():
    params = pd.Series({"r": 0.5, "alpha": 3.0, "a": 0.2, "b": 0.7})
    theirs = lifetimes.BetaGeoFitter()
    theirs.params_ = params
    ours = compat.BetaGeoFitter()
    ours.params_ = params
    with np.errstate(all="ignore"):
        lifetimes_value = theirs.conditional_expected_number_of_purchases_up_to_time(10, 0, 0, 20)
    assert not np.isfinite(lifetimes_value)
    value = ours.conditional_expected_number_of_purchases_up_to_time(10, 0, 0, 20)
    assert np.isfinite(value) and value > 0


def test_pareto_nbd_recency_equal_to_T_is_finite():
    params = pd.Series({"r": 0.55, "alpha": 10.6, "s": 0.61, "beta": 11.7})
    theirs = lifetimes.ParetoNBDFitter()
    theirs.params_ = params
    ours = compat.ParetoNBDFitter()
    ours.params_ = params
    with np.errstate(all="ignore"):
        lifetimes_value = theirs.conditional_probability_alive(200, 60.0, 60.0)
    assert not np.all(np.isfinite(lifetimes_value))
    p_alive = ours.conditional_probability_alive(200, 60.0, 60.0)
    assert np.all(np.isfinite(p_alive)) and np.all(p_alive > 0.99)
    assert np.isfinite(ours.predict(10, 200, 60.0, 60.0))


def test_gamma_gamma_with_infinite_mean_spend_values_only_whom_it_can():
    ours = compat.GammaGammaFitter()
    ours.params_ = pd.Series({"p": 2.0, "q": 0.8, "v": 10.0})
    # a repeat buyer (p x + q > 1) has a finite expectation; a new customer has none
    with pytest.warns(RuntimeWarning, match="q = 0.8"):
        values = ours.conditional_expected_average_profit([3, 0], [20.0, 0.0])
    assert values[0] == pytest.approx((2 * 10 + 2 * 3 * 20) / (2 * 3 + 0.8 - 1)) and np.isnan(values[1])


def test_importing_the_compat_layer_changes_no_pandas_option():
    before = {k: pd.get_option(k) for k in ("display.max_rows", "display.precision")}
    import importlib

    importlib.reload(compat.utils)
    assert {k: pd.get_option(k) for k in before} == before


def test_saved_model_loads_back_as_json(bgf, tmp_path):
    path = tmp_path / "bgf.json"
    bgf.save_model(path)
    assert json.loads(path.read_text())["params"]["r"] == pytest.approx(bgf.params_["r"])
    loaded = compat.BetaGeoFitter()
    loaded.load_model(path)
    pd.testing.assert_series_equal(loaded.params_, bgf.params_)


def test_predicting_before_fit_says_fit_first():
    with pytest.raises(ValueError, match="fit"):
        compat.BetaGeoFitter().conditional_probability_alive(1, 2, 3)
