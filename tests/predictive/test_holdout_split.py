"""The model check's calibration/holdout split: same numbers as calibration_holdout."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clv_engine.predictive.selection import holdout_split
from clv_engine.summary import calibration_holdout

DATA = Path(__file__).resolve().parents[1] / "data"
COLUMNS = ["frequency_cal", "recency_cal", "T_cal", "frequency_holdout", "duration_holdout"]
SPLIT, END = pd.Timestamp("1998-02-17"), pd.Timestamp("1998-06-30")


@pytest.fixture(scope="module")
def cdnow_orders() -> pd.DataFrame:
    raw = pd.read_csv(DATA / "CDNOW_sample.txt", sep=r"\s+", header=None,
                      names=["master", "cid", "date", "cds", "amount"])
    return pd.DataFrame({
        "customer_id": raw["cid"].astype(str),
        "date": pd.to_datetime(raw["date"].astype(str), format="%Y%m%d"),
        "amount": raw["amount"].astype(float),
    })


def test_split_matches_calibration_holdout_in_weeks(cdnow_orders):
    expected = calibration_holdout(cdnow_orders, SPLIT, END, freq="D", freq_multiplier=7)
    table, (checked, total) = holdout_split(cdnow_orders, SPLIT, END)
    assert checked == total == 2357
    pd.testing.assert_frame_equal(table[COLUMNS].sort_index(), expected[COLUMNS].sort_index(),
                                  check_index_type=False)


def test_big_data_check_uses_a_reproducible_random_sample(cdnow_orders):
    full = calibration_holdout(cdnow_orders, SPLIT, END, freq="D", freq_multiplier=7)
    first, sample = holdout_split(cdnow_orders, SPLIT, END, max_customers=500, rng=np.random.default_rng(4))
    again, _ = holdout_split(cdnow_orders, SPLIT, END, max_customers=500, rng=np.random.default_rng(4))
    assert sample == (500, 2357) and len(first) == 500
    pd.testing.assert_frame_equal(first, again)
    # each sampled customer keeps exactly their own numbers
    pd.testing.assert_frame_equal(first[COLUMNS], full.loc[first.index, COLUMNS], check_index_type=False)
