"""The lifetimes layer next to lifetimes 0.11.3 on what existing notebooks do; expected
values are lifetimes' own (pandas 3.1.2), written out so these tests run without it."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import clv_engine.compat.lifetimes as compat
from clv_engine.compat.lifetimes import utils as compat_utils
from clv_engine.errors import InputError

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    return pd.read_csv(DATA / "models" / "cdnow_customers_summary.csv")


def test_pareto_nbd_penalizer_weighs_as_in_lifetimes(cdnow):
    """lifetimes' Pareto/NBD adds the penalty to the total negative log-likelihood (its other
    fitters to the mean): with penalizer_coef 0.1 lifetimes gives r 0.5536, alpha 10.578,
    s 0.6008, beta 11.495 and P(alive) 0.8697 for customer 1."""
    fitter = compat.ParetoNBDFitter(penalizer_coef=0.1).fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    expected = {"r": 0.5536, "alpha": 10.578, "s": 0.6008, "beta": 11.495}
    for name, value in expected.items():
        assert fitter.params_[name] == pytest.approx(value, rel=2e-3)
    first = cdnow.iloc[0]
    assert fitter.conditional_probability_alive(first["frequency"], first["recency"], first["T"]) == \
        pytest.approx(0.8697, abs=2e-4)


def test_orders_without_a_customer_and_missing_amounts_and_time_zones_as_in_lifetimes():
    orders = pd.DataFrame({
        "cid": ["a", "a", None, "a", "b", "b"],
        "when": pd.to_datetime(["2020-01-01 20:00", "2020-01-01 23:30", "2020-01-02 10:00", "2020-01-05 22:00",
                                "2020-01-02 21:00", "2020-01-09 23:00"]).tz_localize("America/New_York"),
        "amount": [10.0, np.nan, 5.0, 30.0, 3.0, 7.0],
    })
    summary = compat_utils.summary_data_from_transaction_data(orders, "cid", "when", "amount",
                                                              observation_period_end="2020-01-09")
    # local dates (23:30 in New York is still January 1st); the NaN adds 0 to its day's sum
    assert summary.loc["a"].tolist() == [1.0, 4.0, 8.0, 30.0]
    assert summary.loc["b"].tolist() == [1.0, 7.0, 7.0, 7.0]
    assert list(summary.index) == ["a", "b"]


def test_p_alive_types_follow_each_lifetimes_fitter(cdnow):
    head = cdnow.head(200)
    f, r, t = head["frequency"], head["recency"], head["T"]
    bg = compat.BetaGeoFitter().fit(f, r, t)
    assert type(bg.conditional_probability_alive(f, r, t)) is np.ndarray  # positional, as lifetimes
    assert np.shape(bg.conditional_probability_alive(2, 30.0, 38.0)) == (1,)
    pareto = compat.ParetoNBDFitter().fit(f, r, t)
    assert isinstance(pareto.conditional_probability_alive(f, r, t), pd.Series)
    alive = pareto.conditional_probability_alive(2, 30.0, 38.0)
    assert np.ndim(alive) == 0 and f"{alive:.1%}".endswith("%")


def test_an_average_customer_with_a_fractional_frequency_can_be_predicted(cdnow):
    """lifetimes' quickstart-style "average customer" from summary.mean(): values are lifetimes'."""
    f, r, t = cdnow["frequency"], cdnow["recency"], cdnow["T"]
    mean = cdnow[["frequency", "recency", "T"]].mean()
    bg = compat.BetaGeoFitter().fit(f, r, t)
    assert bg.conditional_expected_number_of_purchases_up_to_time(52, *mean) == pytest.approx(0.5771, abs=1e-4)
    spend = pd.read_csv(DATA / "models" / "cdnow_customers_summary_with_transactions.csv")
    buyers = spend[spend["x"] > 0]
    gg = compat.GammaGammaFitter().fit(buyers["x"], buyers["zbar"])
    assert np.isfinite(gg.conditional_expected_average_profit(buyers["x"].mean(), buyers["zbar"].mean()))


def test_clv_over_a_fractional_time_sums_months_as_lifetimes_does(cdnow):
    spend = pd.read_csv(DATA / "models" / "cdnow_customers_summary_with_transactions.csv")
    buyers = spend[spend["x"] > 0].head(300)
    bg = compat.BetaGeoFitter().fit(spend["x"], spend["t_x"], spend["T"])
    gg = compat.GammaGammaFitter().fit(buyers["x"], buyers["zbar"])
    args = (bg, buyers["x"], buyers["t_x"], buyers["T"], buyers["zbar"])
    half = gg.customer_lifetime_value(*args, time=6.5, freq="W").sum()
    assert half == pytest.approx(gg.customer_lifetime_value(*args, time=7, freq="W").sum())
    assert half > gg.customer_lifetime_value(*args, time=6, freq="W").sum()


def test_bgbb_p_alive_takes_a_horizon_per_row():
    donations = pd.read_csv(DATA / "models" / "donations.csv")
    fitter = compat.BetaGeoBetaBinomFitter().fit(donations["frequency"], donations["recency"],
                                                  donations["periods"], weights=donations["weights"])
    rows = donations.head(4)
    per_row = fitter.conditional_probability_alive(np.array([0, 1, 2, 3]), rows["frequency"], rows["recency"],
                                                   rows["periods"])
    one_by_one = [fitter.conditional_probability_alive(m, rows["frequency"].iloc[i], rows["recency"].iloc[i],
                                                       rows["periods"].iloc[i]) for i, m in enumerate(range(4))]
    np.testing.assert_allclose(np.asarray(per_row, dtype=float), np.asarray(one_by_one, dtype=float).ravel())


def test_a_saved_model_keeps_its_data_and_a_lifetimes_pickle_is_refused_with_advice(tmp_path, cdnow):
    head = cdnow.head(100)
    fitter = compat.BetaGeoFitter().fit(head["frequency"], head["recency"], head["T"])
    fitter.save_model(tmp_path / "bg.json")
    loaded = compat.BetaGeoFitter()
    loaded.load_model(tmp_path / "bg.json")
    assert loaded.data.shape == fitter.data.shape
    spend = compat.GammaGammaFitter().fit(head["frequency"].clip(lower=1).rename_axis("ID"),
                                          head["frequency"].clip(lower=1) * 10.0 + 1)
    spend.save_model(tmp_path / "gg.json")
    spend_back = compat.GammaGammaFitter()
    spend_back.load_model(tmp_path / "gg.json")
    pd.testing.assert_frame_equal(spend_back.data, spend.data)  # index name and number types kept
    assert "fitted with 100 subjects" in repr(loaded)
    assert loaded.conditional_probability_alive_matrix().shape == fitter.conditional_probability_alive_matrix().shape
    (tmp_path / "old.pkl").write_bytes(b"\x80\x04\x95\x00\x00dill")
    with pytest.raises(InputError, match="lifetimes saved.*params_"):
        compat.BetaGeoFitter().load_model(tmp_path / "old.pkl")
    from clv_engine.errors import ConvergenceError  # what the engine's fits raise when they fail
    assert compat_utils.ConvergenceError is ConvergenceError


def test_categorical_customer_ids_keep_their_dtype_in_the_summary():
    orders = pd.DataFrame({"cid": pd.Categorical(["b", "a", "b", "c"]),
                           "when": pd.to_datetime(["2020-01-01", "2020-01-02", "2020-01-05", "2020-01-03"])})
    summary = compat_utils.summary_data_from_transaction_data(orders, "cid", "when")
    assert isinstance(summary.index.dtype, pd.CategoricalDtype)
    assert list(summary.index) == ["a", "b", "c"]
    assert summary.loc["b", "frequency"] == 1.0
