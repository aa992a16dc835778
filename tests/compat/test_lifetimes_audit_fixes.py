"""lifetimes-compat fixes from the model audit; expected values are lifetimes 0.11.3's
(pandas 1.5), written out so these tests run without lifetimes installed."""
from __future__ import annotations

import importlib
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import clv_engine.compat.lifetimes as compat
from clv_engine.compat.lifetimes import utils as compat_utils

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"


@pytest.fixture(scope="module")
def cdnow_sample() -> pd.DataFrame:
    raw = pd.read_csv(DATA / "CDNOW_sample.txt", sep=r"\s+", header=None,
                      names=["cust", "sid", "date", "cds", "amount"])
    raw["date"] = pd.to_datetime(raw["date"].astype(str), format="%Y%m%d")
    return raw


# -- calibration_and_holdout_data: holdout by date, not by period ---------------------------------
def test_weekly_holdout_counts_orders_in_the_calibration_end_week(cdnow_sample):
    table = compat_utils.calibration_and_holdout_data(
        cdnow_sample, "cust", "date", calibration_period_end="1997-09-30",
        observation_period_end="1998-06-30", freq="W", monetary_value_col="amount")
    assert table["frequency_holdout"].sum() == 1788  # lifetimes 0.11.3
    # 1997-09-30 is a Tuesday: customer 3970's order on Wednesday 1997-10-01 is in the holdout
    row = table.loc[3970]
    assert row.to_dict() == pytest.approx({
        "frequency_cal": 4.0, "recency_cal": 29.0, "T_cal": 37.0, "monetary_value_cal": 41.8125,
        "frequency_holdout": 1.0, "monetary_value_holdout": 38.97, "duration_holdout": 39.0})
    no_orders_but_money = (table["monetary_value_holdout"] > 0) & (table["frequency_holdout"] == 0)
    assert not no_orders_but_money.any()


def test_holdout_counts_periods_and_averages_orders():
    orders = pd.DataFrame({
        "id": [1, 1, 1, 1, 2],
        # Tue 2024-01-02 (calibration end day, later that day), Thu same week, Mon next week twice
        "date": pd.to_datetime(["2024-01-01", "2024-01-02 15:00", "2024-01-04", "2024-01-08",
                                "2024-01-01"], format="ISO8601"),
        "amount": [10.0, 20.0, 30.0, 40.0, 5.0],
    })
    table = compat_utils.calibration_and_holdout_data(
        orders, "id", "date", "2024-01-02", "2024-01-14", freq="W", monetary_value_col="amount")
    # holdout orders of customer 1: 01-02 15:00 and 01-04 (week 1), 01-08 (week 2)
    assert table.loc[1, "frequency_holdout"] == 2
    assert table.loc[1, "monetary_value_holdout"] == pytest.approx(30.0)  # mean of 20, 30, 40
    assert table.loc[1, "frequency_cal"] == 0
    assert table.loc[2, "frequency_holdout"] == 0 and table.loc[2, "monetary_value_holdout"] == 0
    assert table["duration_holdout"].tolist() == [1.0, 1.0]


# -- summary with freq="M": whole months --------------------------------------------------------
def test_monthly_summary_counts_whole_months():
    orders = pd.DataFrame({"id": [7, 7, 8],
                           "date": pd.to_datetime(["1997-01-15", "1997-03-02", "1997-02-20"])})
    table = compat_utils.summary_data_from_transaction_data(
        orders, "id", "date", observation_period_end="1997-06-30", freq="M")
    # lifetimes 0.11.3 on pandas < 2: recency 59 / 30.436875 = 1.94; on pandas >= 2: ValueError
    assert table.loc[7].tolist() == [1.0, 2.0, 5.0]
    assert table.loc[8].tolist() == [0.0, 0.0, 4.0]


def test_private_find_first_transactions_name_is_available(cdnow_sample):
    assert compat_utils._find_first_transactions is compat_utils.find_first_transactions
    first = compat_utils._find_first_transactions(cdnow_sample.head(50), "cust", "date", "amount")
    assert list(first.columns) == ["cust", "date", "amount", "first"]


# -- fitters --------------------------------------------------------------------------------------
def test_missing_frequency_is_reported_as_missing_not_negative():
    with pytest.raises(ValueError, match="'frequency' is missing") as caught:
        compat.BetaGeoFitter().fit([1, np.nan, 2], [1.0, 2.0, 3.0], [5.0, 5.0, 5.0])
    assert "negative" not in str(caught.value) and "e+18" not in str(caught.value)
    with pytest.raises(ValueError, match="'recency' is missing"):
        compat.BetaGeoBetaBinomFitter().fit([1, 2], [2, np.nan], [6, 6])


def test_fractional_frequency_is_truncated_like_lifetimes():
    fitter = compat.BetaGeoFitter().fit([0, 2.5, 1, 3, 0, 4], [0, 20, 5, 30, 0, 35],
                                        [40, 40, 40, 40, 40, 40])
    assert fitter.data["frequency"].tolist() == [0, 2, 1, 3, 0, 4]


def test_gamma_gamma_predicts_repeat_buyers_with_zero_average_spend():
    fitter = compat.GammaGammaFitter()
    fitter.params_ = pd.Series({"p": 5.086, "q": 3.9951, "v": 21.2522})  # CDNOW master fit
    frequency = pd.Series([1, 2, 0], index=["zero", "paid", "new"])
    spend = pd.Series([0.0, 30.0, 0.0], index=frequency.index)
    values = fitter.conditional_expected_average_profit(frequency, spend)
    assert values["zero"] == pytest.approx(13.3755, abs=1e-4)  # lifetimes, CDNOW customer 10244
    assert values["zero"] < values["new"]
    bgf = compat.BetaGeoFitter()
    bgf.params_ = pd.Series({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    clv = fitter.customer_lifetime_value(bgf, frequency, pd.Series([5.0, 20.0, 0.0], index=frequency.index),
                                         pd.Series([30.0] * 3, index=frequency.index), spend, freq="W")
    assert np.isfinite(clv).all() and clv["zero"] > 0
    with pytest.raises(ValueError, match="zero or more"):
        fitter.conditional_expected_average_profit(2, -5.0)
    # a missing average (after a join) is a missing answer for that row, as in lifetimes
    assert np.isnan(fitter.conditional_expected_average_profit([2, 2], [np.nan, 30.0])).tolist() == [True, False]
    with pytest.raises(ValueError, match="non-positive"):  # fitting still needs spend > 0
        compat.GammaGammaFitter().fit([1, 2, 3], [10.0, 0.0, 5.0])


# -- what is not provided is said so ------------------------------------------------------------
def test_docs_list_the_lifetimes_modules_that_are_not_provided():
    text = (ROOT / "docs" / "predictive.md").read_text(encoding="utf-8")
    not_provided = text[text.index("Not provided:"):].split("\n\n")[0]
    for module in ("plotting", "generate_new_data"):
        assert module in not_provided
        with pytest.raises(ImportError):
            importlib.import_module(f"clv_engine.compat.lifetimes.{module}")
    assert "`datasets` is provided" in not_provided  # with lifetimes' own files
    importlib.import_module("clv_engine.compat.lifetimes.datasets").load_cdnow_summary()


def test_bench_holdout_help_shows_a_whole_sentence():
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_holdout.py"), "--help"],
                            capture_output=True, text=True, check=True, cwd=ROOT)
    description = result.stdout.split("\n\n")[1]
    assert re.fullmatch(r"[A-Z][^\n]*(\n[^\n]+)*\.", description.strip()), description


MIXED_IDS = pd.DataFrame({
    "id": [1034, 1034, "A12", "A12", 977, 1, "1", 977],  # read from a spreadsheet: numbers and text
    "date": ["2020-01-01", "2020-02-01", "2020-01-05", "2020-03-01", "2020-01-09", "2020-01-02", "2020-01-03",
             "2020-03-09"],
    "value": [1.0, 2, 3, 4, 5, 6, 7, 8],
})


def test_ids_mixing_numbers_and_text_are_summarised_as_lifetimes_groups_them():
    out = compat_utils.summary_data_from_transaction_data(MIXED_IDS, "id", "date", observation_period_end="2020-04-01")
    # numbers first, then text; 1 and "1" are two customers
    assert list(out.index) == [1, 977, 1034, "1", "A12"]
    assert out.loc[1034, "frequency"] == 1 and out.loc["A12", "recency"] == 56 and len(out) == 5
    cal = compat_utils.calibration_and_holdout_data(MIXED_IDS, "id", "date", calibration_period_end="2020-02-15",
                                                    observation_period_end="2020-04-01", monetary_value_col="value")
    assert list(cal.index) == [1, 977, 1034, "1", "A12"]
    assert cal.loc[977, "frequency_holdout"] == 1 and cal.loc[977, "monetary_value_holdout"] == 8.0


def test_mixed_ids_match_lifetimes_itself():
    lifetimes_utils = pytest.importorskip("lifetimes.utils")
    theirs = lifetimes_utils.summary_data_from_transaction_data(MIXED_IDS, "id", "date", "value",
                                                                observation_period_end="2020-04-01")
    ours = compat_utils.summary_data_from_transaction_data(MIXED_IDS, "id", "date", "value",
                                                          observation_period_end="2020-04-01")
    assert list(ours.index) == list(theirs.index)
    np.testing.assert_allclose(ours.to_numpy(dtype=float), theirs.to_numpy(dtype=float))


def test_an_observation_end_before_every_transaction_gives_an_empty_summary_as_lifetimes():
    out = compat_utils.summary_data_from_transaction_data(MIXED_IDS, "id", "date", "value",
                                                         observation_period_end="2019-12-31")
    assert out.empty and list(out.columns) == ["frequency", "recency", "T", "monetary_value"]
    assert out.index.name == "id"


# -- Series inputs are matched by customer, as lifetimes' pandas arithmetic matches them -----------

def test_series_from_differently_ordered_frames_pair_each_customers_own_values():
    """lifetimes matched Series by index; pairing them by position gave customer 1 the
    frequency of another customer (0.0155 expected purchases instead of 0.3569)."""
    summary = pd.read_csv(DATA / "models" / "cdnow_customers_summary.csv").set_index("ID")
    bgf = compat.BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
    by_frequency = summary.sort_values("frequency")
    mixed = bgf.predict(10, by_frequency["frequency"], summary["recency"], summary["T"])
    aligned = bgf.predict(10, summary["frequency"], summary["recency"], summary["T"])
    assert mixed.loc[1] == pytest.approx(aligned.loc[1]) and mixed.loc[1] == pytest.approx(0.356931, abs=1e-5)
    pd.testing.assert_series_equal(mixed.sort_index(), aligned.sort_index(), check_names=False)
    p_alive = compat.ParetoNBDFitter().fit(summary["frequency"], summary["recency"], summary["T"])
    assert p_alive.conditional_probability_alive(by_frequency["frequency"], summary["recency"],
                                                 summary["T"]).loc[1] == pytest.approx(0.8691, abs=1e-3)
    # a customer missing from one input: NaN for them, as lifetimes' union of the indexes gives
    short = bgf.predict(10, summary["frequency"].iloc[1:], summary["recency"], summary["T"])
    assert len(short) == len(summary) and np.isnan(short.loc[summary.index[0]])


def test_a_failed_fit_is_a_value_error_as_in_lifetimes():
    assert issubclass(compat_utils.ConvergenceError, ValueError)
