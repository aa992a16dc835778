"""What a notebook moving from lifetimes meets first: the example data sets, a missing value
in one row of a prediction, and a Gamma-Gamma fit with q <= 1."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import clv_engine.compat.lifetimes as lifetimes
from clv_engine.compat.lifetimes.datasets import (
    load_cdnow_summary,
    load_cdnow_summary_data_with_monetary_value,
    load_dataset,
    load_donations,
    load_transaction_data,
)


def test_the_quickstart_data_sets_load_as_in_lifetimes():
    summary = load_cdnow_summary(index_col=[0])
    assert summary.shape == (2357, 3) and list(summary.columns) == ["frequency", "recency", "T"]
    fitted = lifetimes.BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
    # Fader, Hardie & Lee (2005): r 0.243, alpha 4.414, a 0.793, b 2.426
    np.testing.assert_allclose(fitted.params_[["r", "alpha", "a", "b"]], [0.2426, 4.4135, 0.7929, 2.4258], atol=1e-4)
    money = load_cdnow_summary_data_with_monetary_value()
    assert money.index.name == "customer_id" and list(money.columns) == ["frequency", "recency", "T", "monetary_value"]
    assert list(load_transaction_data().columns) == ["date", "id"]
    assert load_donations()["weights"].sum() == 11104
    assert len(load_dataset("CDNOW_sample.txt", header=None, sep=r"\s+")) == 6919
    with pytest.raises(FileNotFoundError, match="the data sets are"):
        load_dataset("CDNOW_master.txt")


def test_a_missing_value_in_one_row_gives_nan_for_that_row_only():
    summary = load_cdnow_summary(index_col=[0]).astype(float)
    fitted = lifetimes.BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
    full = fitted.predict(30, summary["frequency"], summary["recency"], summary["T"])
    summary.iloc[3, 0] = np.nan
    gap = fitted.predict(30, summary["frequency"], summary["recency"], summary["T"])
    assert np.isnan(gap.iloc[3]) and np.allclose(gap.drop(gap.index[3]), full.drop(full.index[3]))
    alive = fitted.conditional_probability_alive(summary["frequency"], summary["recency"], summary["T"])
    assert np.isnan(alive[3]) and np.isfinite(np.delete(alive, 3)).all()


def test_gamma_gamma_with_q_at_most_one_still_values_repeat_buyers():
    money = load_cdnow_summary_data_with_monetary_value()
    repeat = money[money["frequency"] > 0]
    with pytest.warns(Warning):
        spend = lifetimes.GammaGammaFitter(penalizer_coef=0.01).fit(repeat["frequency"], repeat["monetary_value"])
    p, q, v = (spend.params_[k] for k in ("p", "q", "v"))
    assert q <= 1
    with pytest.warns(RuntimeWarning, match="NaN for them"):
        value = spend.conditional_expected_average_profit(money["frequency"], money["monetary_value"])
    x, z = money["frequency"], money["monetary_value"]
    expected = (p * v + p * x * z) / (p * x + q - 1)
    defined = p * x + q > 1
    np.testing.assert_allclose(value[defined], expected[defined], rtol=1e-9)
    assert value[~defined].isna().all() and (value[defined] > 0).all()
    assert isinstance(value, pd.Series)


def test_the_gamma_gamma_repr_counts_the_repeat_buyers_it_was_fitted_on():
    money = load_cdnow_summary_data_with_monetary_value()
    spend = lifetimes.GammaGammaFitter().fit(money["frequency"], money["monetary_value"])
    assert "fitted with 946 subjects" in repr(spend)  # of 2,357 rows, 946 bought again
    summary = load_cdnow_summary(index_col=[0])
    fitted = lifetimes.BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
    assert "fitted with 2357 subjects" in repr(fitted)
