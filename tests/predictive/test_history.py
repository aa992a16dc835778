"""predict_clv's own one-pass summary gives the same numbers as customer_summary."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clv_engine.errors import InputError
from clv_engine.predictive.history import weekly_summary_with_days
from clv_engine.summary import customer_summary

DATA = Path(__file__).resolve().parents[1] / "data"
COLUMNS = ["frequency", "recency", "T", "monetary_value", "average_order_value"]


@pytest.fixture(scope="module")
def cdnow_orders() -> pd.DataFrame:
    raw = pd.read_csv(DATA / "CDNOW_sample.txt", sep=r"\s+", header=None,
                      names=["master", "cid", "date", "cds", "amount"])
    hours = pd.to_timedelta(np.arange(len(raw)) % 5, unit="h")  # same-day orders at other times
    return pd.DataFrame({
        "customer_id": raw["cid"],
        "date": pd.to_datetime(raw["date"].astype(str), format="%Y%m%d") + hours,
        "amount": raw["amount"].astype(float),
    })


@pytest.mark.parametrize("as_of", [None, "1997-09-30", "1998-06-30"])
def test_one_pass_summary_matches_customer_summary_in_weeks(cdnow_orders, as_of):
    expected = customer_summary(cdnow_orders, observation_end=as_of, freq="D", freq_multiplier=7)
    ours, days = weekly_summary_with_days(cdnow_orders, as_of)
    pd.testing.assert_frame_equal(ours[COLUMNS], expected[COLUMNS])
    assert ours.attrs["observation_end"] == expected.attrs["observation_end"]
    assert ours["first_order"].min() == expected["first_order"].min()
    assert len(days.customer) == int((expected["frequency"] + 1).sum())  # one per purchase day


def test_one_pass_summary_says_when_no_order_is_before_the_date(cdnow_orders):
    with pytest.raises(InputError, match="no orders on or before"):
        weekly_summary_with_days(cdnow_orders, "1990-01-01")
