"""Customer summary: BTYD conventions of the literature and of lifetimes."""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clv_engine.errors import InputError
from clv_engine.summary import calibration_holdout, customer_summary, period_index

DATA = Path(__file__).parents[1] / "data"


@pytest.fixture(scope="module")
def cdnow_orders():
    raw = pd.read_csv(DATA / "CDNOW_sample.txt", sep=r"\s+", header=None,
                      names=["master_id", "id", "date", "cds", "amount"], dtype={"date": str})
    return pd.DataFrame({"customer_id": raw["id"].astype(str),
                         "date": pd.to_datetime(raw["date"], format="%Y%m%d"),
                         "amount": raw["amount"].astype(float)})


@pytest.fixture(scope="module")
def example_transactions():
    tx = pd.read_csv(DATA / "example_transactions.csv", parse_dates=["date"])
    return pd.DataFrame({"customer_id": tx["id"].astype(str), "date": tx["date"], "amount": 1.0})


def test_cdnow_calibration_summary_matches_hardie(cdnow_orders):
    """Daily periods, weeks = days / 7, calibration end 1997-09-30 (models.md)."""
    ref = pd.read_csv(DATA / "models" / "cdnow_customers_summary_with_transactions.csv")
    ref.index = ref["ID"].astype(str)
    ours = customer_summary(cdnow_orders, observation_end="1997-09-30", freq="D", freq_multiplier=7)
    assert len(ours) == 2357
    ours = ours.loc[ref.index]
    np.testing.assert_array_equal(ours["frequency"].to_numpy(), ref["x"].to_numpy())
    np.testing.assert_allclose(ours["recency"].round(2), ref["t_x"], atol=1e-9)
    np.testing.assert_allclose(ours["T"].round(2), ref["T"], atol=1e-9)
    # zbar is printed to 2 decimals; half-cent rounding differences only.
    np.testing.assert_allclose(ours["monetary_value"], ref["zbar"], atol=0.0051)
    assert (ref["x"] > 0).sum() == 946


def test_cdnow_holdout_counts_days_after_calibration(cdnow_orders):
    split = calibration_holdout(cdnow_orders, "1997-09-30", "1998-06-30", freq="D", freq_multiplier=7)
    assert split["duration_holdout"].iloc[0] == pytest.approx(273 / 7)
    # Every customer made the first purchase in the first 12 weeks: all are in calibration.
    assert len(split) == 2357
    # 1,959 orders after the calibration end fall on 1,882 distinct customer-days.
    assert split["frequency_holdout"].sum() == 1882


# Expected values computed by hand from lifetimes' summary_data_from_transaction_data
# (version 0.11.3) on example_transactions.csv: per-customer frequency, recency, T.
@pytest.mark.parametrize("freq, multiplier", [("D", 1), ("W", 1), ("D", 7)])
def test_example_transactions_match_lifetimes(example_transactions, freq, multiplier):
    lifetimes_utils = pytest.importorskip("lifetimes.utils")
    tx = example_transactions.rename(columns={"customer_id": "id"})
    ref = lifetimes_utils.summary_data_from_transaction_data(tx, "id", "date", freq=freq, freq_multiplier=multiplier)
    ref.index = ref.index.astype(str)
    ours = customer_summary(example_transactions, freq=freq, freq_multiplier=multiplier).loc[ref.index]
    for column in ("frequency", "recency", "T"):
        np.testing.assert_allclose(ours[column].to_numpy(), ref[column].to_numpy(), atol=1e-12)


def test_example_transactions_known_customers(example_transactions):
    """Values read once from lifetimes 0.11.3, pinned so the check holds without lifetimes."""
    daily = customer_summary(example_transactions)
    weekly = customer_summary(example_transactions, freq="W")
    assert len(daily) == 5000
    assert daily["frequency"].sum() == 9270 and daily["T"].sum() == 1211978
    assert weekly["recency"].sum() == 17363
    assert daily.loc[["0", "2", "4"], ["frequency", "recency", "T"]].to_numpy().tolist() == [
        [0, 0, 298], [6, 142, 292], [2, 9, 183]]
    assert weekly.loc[["2", "3"], ["frequency", "recency", "T"]].to_numpy().tolist() == [[5, 20, 42], [0, 0, 21]]


def test_same_day_orders_merge_and_values_sum():
    orders = pd.DataFrame({
        "customer_id": ["a", "a", "a", "b"],
        "date": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 17:00", "2024-01-11 00:00", "2024-01-05 00:00"]),
        "amount": [10.0, 5.0, 30.0, 7.0],
    })
    s = customer_summary(orders, observation_end="2024-01-31")
    a, b = s.loc["a"], s.loc["b"]
    assert a["orders"] == 3 and a["frequency"] == 1
    assert a["recency"] == 10 and a["T"] == 30
    assert a["monetary_value"] == 30.0  # the repeat day only; the first day (15) is left out
    assert a["total_value"] == 45.0 and a["average_order_value"] == 15.0
    assert a["days_since_last_order"] == 20
    assert a["avg_days_between_orders"] == pytest.approx((10 - 9 / 24) / 2)  # 09:00 on day 1 to midnight on day 11
    assert b["frequency"] == 0 and b["monetary_value"] == 0 and b["recency"] == 0 and b["T"] == 26
    assert np.isnan(b["avg_days_between_orders"])  # one order: no gap to average


def test_orders_after_observation_end_are_ignored():
    orders = pd.DataFrame({"customer_id": ["a", "a", "b"],
                           "date": pd.to_datetime(["2024-01-01", "2024-03-01", "2024-03-02"]),
                           "amount": [1.0, 2.0, 3.0]})
    s = customer_summary(orders, observation_end="2024-02-01")
    assert list(s.index) == ["a"]
    assert s.loc["a", "orders"] == 1 and s.loc["a", "T"] == 31


def test_weeks_start_on_monday_like_pandas():
    dates = pd.date_range("2023-12-20", "2024-01-20", freq="D")
    ours = period_index(dates, "W")
    theirs = pd.PeriodIndex(dates, freq="W").asi8
    assert np.array_equal(np.diff(ours), np.diff(theirs))
    months = period_index(dates, "M")
    assert np.array_equal(np.diff(months), np.diff(pd.PeriodIndex(dates, freq="M").asi8))


def test_monthly_periods():
    orders = pd.DataFrame({"customer_id": ["a"] * 3, "date": pd.to_datetime(["2024-01-05", "2024-01-25", "2024-04-01"]),
                           "amount": [1.0, 1.0, 1.0]})
    s = customer_summary(orders, observation_end="2024-06-30", freq="M")
    assert s.loc["a", "frequency"] == 1 and s.loc["a", "recency"] == 3 and s.loc["a", "T"] == 5


def test_missing_columns_and_bad_end_are_clear_errors():
    with pytest.raises(InputError, match="no amount column"):
        customer_summary(pd.DataFrame({"customer_id": ["a"], "date": [pd.Timestamp("2024-01-01")]}))
    orders = pd.DataFrame({"customer_id": ["a"], "date": [pd.Timestamp("2024-01-01")], "amount": [1.0]})
    with pytest.raises(InputError, match="not a date"):
        customer_summary(orders, observation_end="soon")
    with pytest.raises(InputError, match="no orders on or before"):
        customer_summary(orders, observation_end="2023-01-01")


def _summary_by_groupby(orders: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    """The BTYD conventions spelled out with a plain pandas groupby (days, weeks of days)."""
    day = orders["date"].dt.floor("D")
    per_day = orders.assign(day=day).groupby(["customer_id", "day"])["amount"].sum().reset_index()
    rows = {}
    for customer, g in per_day.groupby("customer_id"):
        first, last = g["day"].min(), g["day"].max()
        repeat = g.loc[g["day"] != first, "amount"]
        rows[customer] = {"frequency": len(g) - 1.0, "recency": (last - first).days / 7,
                          "T": (end.floor("D") - first).days / 7,
                          "monetary_value": repeat.mean() if len(repeat) else 0.0,
                          "total_value": orders.loc[orders["customer_id"] == customer, "amount"].sum()}
    return pd.DataFrame.from_dict(rows, orient="index")


def test_shuffled_orders_give_the_groupby_summary():
    rng = np.random.default_rng(11)
    n = 3000
    orders = pd.DataFrame({
        "customer_id": rng.integers(0, 300, n).astype(str),
        "date": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 400 * 24, n), unit="h"),
        "amount": np.round(rng.gamma(2.0, 30.0, n), 2),
    })
    orders.loc[::50, "amount"] = 10_000.0  # a large order next to small ones on other days
    end = pd.Timestamp("2024-03-01")
    summary = customer_summary(orders, observation_end=end, freq="D", freq_multiplier=7)
    expected = _summary_by_groupby(orders, end).loc[summary.index]
    for column in expected.columns:
        assert np.allclose(summary[column], expected[column], rtol=1e-12, atol=1e-9), column
    assert list(summary.index) == list(pd.unique(orders["customer_id"]))  # order of first appearance


@pytest.mark.parametrize("unit", ["s", "ms", "us"])
def test_dates_in_any_unit_give_the_same_summary(unit):
    """pandas reads CSV dates as microseconds; they are summarised as stored, not converted."""
    rng = np.random.default_rng(1)
    n = 4000
    orders = pd.DataFrame({
        "customer_id": rng.integers(0, 400, n).astype(str),
        "date": pd.Timestamp("2021-03-01") + pd.to_timedelta(rng.integers(0, 10**8, n), unit="s"),
        "amount": rng.random(n),
    })
    coarse = orders.assign(date=orders["date"].astype(f"datetime64[{unit}]"))
    for freq in ("D", "W", "M", "Q"):
        pd.testing.assert_frame_equal(customer_summary(coarse, freq=freq), customer_summary(orders, freq=freq),
                                      check_exact=True)


def test_an_observation_end_given_as_a_date_takes_in_the_whole_day():
    """--as-of 2025-06-30 keeps the order placed at 14:14 that day (as lifetimes keeps the
    whole period); a time of day given with it is kept as given."""
    orders = pd.DataFrame({"customer_id": ["a", "a", "b", "b"],
                           "date": pd.to_datetime(["2025-06-01 09:00", "2025-06-30 14:14",
                                                   "2025-06-10 10:00", "2025-07-01 08:00"]),
                           "amount": [10.0, 20.0, 5.0, 7.0]})
    whole = customer_summary(orders, observation_end="2025-06-30")
    assert whole.loc["a", "orders"] == 2 and whole.loc["b", "orders"] == 1
    assert whole.loc["a", "days_since_last_order"] == 0
    assert whole.loc["a", "T"] == 29 and whole.loc["a", "recency"] == 29
    assert whole.attrs["observation_end"].date().isoformat() == "2025-06-30"
    noon = customer_summary(orders, observation_end="2025-06-30 12:00")
    assert noon.loc["a", "orders"] == 1
