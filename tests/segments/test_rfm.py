import numpy as np
import pandas as pd
import pytest

from clv_engine.errors import InputError
from clv_engine.segments import RFM_SEGMENT_ORDER, quintile_score, rfm_scores, rfm_segment_name


def test_scores_follow_the_documented_rule():
    # 10 distinct values: p = worse / 9 -> 0, .11, .22, .33, .44, .56, .67, .78, .89, 1
    assert quintile_score(pd.Series(range(10))).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    # 6 one-time buyers, 2 with 2 orders (6 worse, 2 better -> p=.75), 3 orders (8/9), 4 orders (1)
    assert quintile_score(pd.Series([1, 1, 1, 1, 1, 1, 2, 2, 3, 4])).tolist() == [1] * 6 + [4, 4, 5, 5]


def test_recency_lower_days_is_better_and_missing_is_worst():
    assert quintile_score(pd.Series([5.0, 4, 3, 2, 1]), higher_is_better=False).tolist() == [1, 2, 3, 4, 5]
    assert quintile_score(pd.Series([np.nan, 1.0, 2.0])).tolist() == [1, 3, 5]


def test_equal_customers_get_equal_scores_regardless_of_row_order():
    table = pd.DataFrame(
        {"days_since_last_order": [10, 10, 200, 40, 10, 90], "orders": [3, 3, 1, 2, 1, 1],
         "total_value": [50.0, 50.0, 5.0, 20.0, 15.0, 5.0]},
        index=list("abcdef"),
    )
    first = rfm_scores(table)
    shuffled = rfm_scores(table.iloc[[5, 3, 1, 0, 4, 2]]).loc[first.index]
    pd.testing.assert_frame_equal(first, shuffled)
    assert first.loc["a"].tolist() == first.loc["b"].tolist()


def test_hand_checked_scores_and_segments():
    table = pd.DataFrame(
        {"days_since_last_order": [5, 5, 400, 60, 30], "orders": [8, 1, 1, 4, 8],
         "total_value": [800.0, 30.0, 20.0, 200.0, 500.0]},
        index=["champ", "newbie", "lost", "mid", "loyal"],
    )
    rfm = rfm_scores(table)
    # recency: 5,5 best (worse=3, better=0 -> 5); 30 -> worse 2 better 2 -> 3; 60 -> 1/3 -> 2; 400 -> 1
    assert rfm["rfm_r"].tolist() == [5, 5, 1, 2, 3]
    # orders: 8,8 -> 5; 4 -> worse 2 better 2 -> 3; 1,1 -> 1
    assert rfm["rfm_f"].tolist() == [5, 1, 1, 3, 5]
    assert rfm["rfm_m"].tolist() == [5, 2, 1, 3, 4]
    assert rfm["rfm_score"].tolist() == ["555", "512", "111", "233", "354"]
    assert rfm["rfm_segment"].tolist() == ["Champions", "New", "Lost", "At risk", "Loyal"]


def test_every_grid_cell_has_exactly_one_known_segment():
    names = {rfm_segment_name(r, f) for r in range(1, 6) for f in range(1, 6)}
    assert names == set(RFM_SEGMENT_ORDER)
    assert rfm_segment_name(1, 5) == "Can't lose them"
    assert rfm_segment_name(3, 1) == "About to sleep"
    assert rfm_segment_name(4, 1) == "Promising"
    assert rfm_segment_name(3, 3) == "Need attention"


def test_as_of_recomputes_recency_from_last_order():
    table = pd.DataFrame({"last_order": pd.to_datetime(["2024-01-01", "2024-06-01"]), "orders": [1, 1],
                          "total_value": [1.0, 1.0], "days_since_last_order": [0, 0]})
    assert rfm_scores(table, as_of="2024-07-01")["rfm_r"].tolist() == [1, 5]


def test_missing_columns_are_a_clear_error():
    with pytest.raises(InputError, match="orders"):
        rfm_scores(pd.DataFrame({"days_since_last_order": [1], "total_value": [1.0]}))


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=6), min_size=1, max_size=40), st.randoms(use_true_random=False))
def test_scores_are_in_range_tie_safe_and_order_free(values, rnd):
    series = pd.Series(values, dtype="float64")
    scores = quintile_score(series)
    assert scores.between(1, 5).all()
    for value in set(values):
        assert scores[series == value].nunique() == 1
    if series.nunique() > 1:
        assert scores[series == series.max()].iloc[0] == 5
    order = list(range(len(values)))
    rnd.shuffle(order)
    assert quintile_score(series.iloc[order]).sort_index().tolist() == scores.tolist()
    # a better value never gets a lower score
    ranked = scores.groupby(series).first().sort_index()
    assert ranked.is_monotonic_increasing


def test_recency_is_whole_days_so_the_time_of_day_never_splits_a_score():
    # audit: two customers whose last order was on 2026-09-12 (one at 08:05, one at 19:40)
    # got R 4 and R 5; recency counts calendar days
    last = pd.to_datetime(["2026-09-12 08:05", "2026-09-12 19:40", "2026-09-11 23:59", "2026-09-13 00:01",
                           "2026-06-01 12:00", "2026-03-01 09:00"])
    table = pd.DataFrame({"last_order": last, "orders": [5, 5, 5, 5, 5, 5], "total_value": [1.0] * 6,
                          "days_since_last_order": [0] * 6}, index=list("abcdef"))
    rfm = rfm_scores(table, as_of=pd.Timestamp("2026-10-31 14:30"))
    assert rfm.loc["a", "rfm_r"] == rfm.loc["b", "rfm_r"]
    assert rfm.loc["d", "rfm_r"] > rfm.loc["a", "rfm_r"] > rfm.loc["c", "rfm_r"]
    # days given as fractions of a day count whole days too
    days = pd.DataFrame({"days_since_last_order": [49.2, 49.9, 10.0, 100.0, 300.0], "orders": [1] * 5,
                         "total_value": [1.0] * 5})
    r = rfm_scores(days)["rfm_r"].tolist()
    assert r[0] == r[1]
