"""Value tiers: shares, thresholds, ties, names."""
import numpy as np
import pandas as pd
import pytest

from clv_engine.errors import InputError
from clv_engine.tiers import assign_tiers, parse_splits


def test_default_split_is_top_20_middle_50_bottom_30():
    tiers = assign_tiers(pd.Series(np.arange(100, 0, -1, dtype=float)))
    counts = tiers.value_counts()
    assert (counts["High"], counts["Medium"], counts["Low"]) == (20, 50, 30)
    assert tiers.iloc[0] == "High" and tiers.iloc[-1] == "Low"
    assert list(tiers.cat.categories) == ["High", "Medium", "Low"]


def test_ties_stay_together_and_do_not_depend_on_row_order():
    values = pd.Series([9.0, 5, 5, 5, 5, 1, 1, 1, 1, 1], index=list("abcdefghij"))
    tiers = assign_tiers(values)
    assert set(tiers[values == 5]) == {"Medium"}  # the tie group straddling 20% stays together
    shuffled = values.sample(frac=1, random_state=3)
    assert assign_tiers(shuffled).reindex(values.index).equals(tiers)


def test_any_number_of_tiers_and_names():
    tiers = assign_tiers(np.arange(10.0), "10,20,30,40", ["A", "B", "C", "D"])
    assert tiers.value_counts().to_dict() == {"A": 1, "B": 2, "C": 3, "D": 4}
    assert assign_tiers(np.arange(4.0), [0.5, 0.5]).tolist() == ["Tier 2", "Tier 2", "Tier 1", "Tier 1"]


def test_thresholds():
    tiers = assign_tiers([1500.0, 1000, 999, 200, 10], thresholds=[1000, 200])
    assert tiers.tolist() == ["High", "High", "Medium", "Medium", "Low"]


def test_missing_values_rank_last():
    tiers = assign_tiers([np.nan, 10.0, 5.0, 1.0, 0.5], [40, 60], ["Top", "Rest"])
    assert tiers.tolist() == ["Rest", "Top", "Top", "Rest", "Rest"]


@pytest.mark.parametrize("splits, message", [("20,50", "adds up to 70"), ("a,b", "not a list of numbers"),
                                             ("0,100", "positive")])
def test_bad_splits_are_explained(splits, message):
    with pytest.raises(InputError, match=message):
        parse_splits(splits)


def test_names_must_match_tiers():
    with pytest.raises(InputError, match="3 tiers need 3"):
        assign_tiers([1.0, 2.0], names=["Gold", "Silver"])
    with pytest.raises(InputError, match="highest to lowest"):
        assign_tiers([1.0], thresholds=[10, 100])


def _tiers_by_average_rank(values, splits):
    """The rule in the module docstring, spelled out with pandas' average rank."""
    vals = np.asarray(values, dtype=float)
    vals = np.where(np.isfinite(vals), vals, -np.inf)
    mid_rank = pd.Series(-vals).rank(method="average").to_numpy()
    position = (mid_rank - 1) / len(vals) * 100.0
    shares = parse_splits(splits)
    codes = np.searchsorted(np.cumsum(shares)[:-1], position + 1e-9, side="right")
    return np.minimum(codes, len(shares) - 1)


def test_shares_follow_the_average_rank_of_each_tie_group():
    rng = np.random.default_rng(7)
    splits = [(20, 50, 30), (50, 50), (10, 20, 30, 40), (1, 98, 1), (100,), (33, 33, 34)]
    for trial in range(600):
        n = int(rng.integers(1, 80))
        values = [rng.integers(0, 4, n).astype(float), rng.normal(size=n),
                  np.round(rng.gamma(0.3, 10, n)), np.full(n, 2.5)][trial % 4]
        values[rng.random(n) < 0.2] = [np.nan, np.inf, -np.inf][trial % 3]
        split = splits[trial % len(splits)]
        got = assign_tiers(values, split).cat.codes.to_numpy()
        assert got.tolist() == _tiers_by_average_rank(values, split).tolist(), (values, split)


def test_a_split_given_as_numbers_is_quoted_as_a_person_wrote_it():
    from clv_engine.tiers import parse_splits

    with pytest.raises(InputError) as caught:
        parse_splits((50.0, 50.0, 50.0))
    assert str(caught.value).startswith("tier split '50, 50, 50' adds up to 150%, not 100%.")
