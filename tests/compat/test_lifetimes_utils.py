"""The lifetimes-compatible utils give lifetimes' tables (names, index, dtypes, values)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clv_engine.compat.lifetimes import utils as compat_utils

lifetimes_utils = pytest.importorskip("lifetimes.utils")

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def transactions() -> pd.DataFrame:
    frame = pd.read_csv(DATA / "example_transactions.csv")
    frame["amount"] = np.random.default_rng(0).gamma(2.0, 10.0, len(frame)).round(2)
    return frame


@pytest.mark.parametrize(
    "options",
    [{}, {"freq": "W"}, {"observation_period_end": "2014-10-01"}, {"freq_multiplier": 7}],
)
def test_summary_matches_lifetimes_without_money(transactions, options):
    expected = lifetimes_utils.summary_data_from_transaction_data(transactions, "id", "date", **options)
    got = compat_utils.summary_data_from_transaction_data(transactions, "id", "date", **options)
    pd.testing.assert_frame_equal(got, expected)


@pytest.mark.parametrize("options", [{}, {"include_first_transaction": True}, {"freq": "W"}])
def test_summary_matches_lifetimes_with_money(transactions, options):
    expected = lifetimes_utils.summary_data_from_transaction_data(
        transactions, "id", "date", "amount", **options
    )
    got = compat_utils.summary_data_from_transaction_data(transactions, "id", "date", "amount", **options)
    pd.testing.assert_frame_equal(got, expected)


@pytest.mark.parametrize("options", [{}, {"freq": "W"}, {"freq": "W", "include_first_transaction": True},
                                     {"freq": "D", "freq_multiplier": 7}])
def test_calibration_holdout_matches_lifetimes(transactions, options):
    # 2014-09-03 is a Wednesday: with freq="W" that week's later orders are holdout orders
    args = (transactions, "id", "date", "2014-09-03", "2014-12-31")
    expected = lifetimes_utils.calibration_and_holdout_data(*args, monetary_value_col="amount", **options)
    got = compat_utils.calibration_and_holdout_data(*args, monetary_value_col="amount", **options)
    pd.testing.assert_frame_equal(got, expected)


def test_calibration_holdout_works_without_a_money_column(transactions):
    got = compat_utils.calibration_and_holdout_data(transactions, "id", "date", "2014-09-01", "2014-12-31")
    assert list(got.columns) == ["frequency_cal", "recency_cal", "T_cal", "frequency_holdout", "duration_holdout"]
    with_money = lifetimes_utils.calibration_and_holdout_data(
        transactions, "id", "date", "2014-09-01", "2014-12-31", monetary_value_col="amount"
    )
    pd.testing.assert_frame_equal(got, with_money[got.columns])


def test_calibration_holdout_without_holdout_orders_says_so(transactions):
    with pytest.raises(ValueError, match="no data available"):
        compat_utils.calibration_and_holdout_data(transactions, "id", "date", "2015-06-01", "2015-07-01")


@pytest.mark.parametrize("money", [None, "amount"])
def test_first_transactions_match_lifetimes(transactions, money):
    expected = lifetimes_utils._find_first_transactions(transactions, "id", "date", money)
    got = compat_utils.find_first_transactions(transactions, "id", "date", money)
    pd.testing.assert_frame_equal(got, expected.reset_index(drop=True))


def test_string_customer_ids_keep_their_sorted_order(transactions):
    named = transactions.assign(id="cust-" + transactions["id"].astype(str))
    expected = lifetimes_utils.summary_data_from_transaction_data(named, "id", "date")
    got = compat_utils.summary_data_from_transaction_data(named, "id", "date")
    assert list(got.index) == list(expected.index)
    np.testing.assert_array_equal(got.to_numpy(), expected.to_numpy())
