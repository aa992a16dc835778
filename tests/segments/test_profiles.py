import numpy as np
import pandas as pd
import pytest

from clv_engine.errors import InputError
from clv_engine.segments import Playbook, numeric_bands, segment_profiles


@pytest.fixture
def customers():
    return pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d", "e"],
            "tier": ["Low", "High", "Medium", "High", "Low"],
            "clv": [10.0, 100.0, 50.0, 200.0, 40.0],
            "orders": [1, 3, 2, 5, 1],
            "total_value": [10.0, 90.0, 40.0, 300.0, 20.0],
            "orders_per_year": [1.0, 3.0, 2.0, 5.0, 1.0],
            "days_since_last_order": [100, 10, 50, 6, 300],
            "country": ["DE", "US", "DE", "", "US"],
        }
    ).set_index("customer_id")


def test_tier_profile_numbers_match_hand_calculation(customers):
    profile = segment_profiles(customers, "tier")
    assert profile["tier"].tolist() == ["High", "Medium", "Low"]
    high = profile.iloc[0]
    assert high["customers"] == 2
    assert high["share_of_customers"] == pytest.approx(2 / 5)
    assert high["total_value"] == pytest.approx(300.0)
    assert high["average_value"] == pytest.approx(150.0)
    assert high["share_of_value"] == pytest.approx(300 / 400)
    assert high["orders"] == 8
    assert high["average_order_value"] == pytest.approx(390 / 8)
    assert high["orders_per_year"] == pytest.approx(4.0)
    assert high["days_since_last_order"] == pytest.approx(8.0)
    low = profile.iloc[2]
    assert low["average_order_value"] == pytest.approx(30 / 2)
    assert "churn_risk" not in profile.columns  # the table has no churn risk
    assert profile["share_of_value"].sum() == pytest.approx(1.0)


def test_categorical_tier_order_is_kept(customers):
    tiered = customers.assign(tier=pd.Categorical(customers["tier"], categories=["High", "Medium", "Low"], ordered=True))
    tiered = tiered.iloc[::-1]
    assert segment_profiles(tiered, "tier")["tier"].astype(str).tolist() == ["High", "Medium", "Low"]


def test_attribute_segments_sorted_by_value_and_blank_named(customers):
    profile = segment_profiles(customers, "country")
    # US: 100 + 40 = 140, DE: 10 + 50 = 60, blank: 200 but "(not set)" goes last
    assert profile["country"].tolist() == ["US", "DE", "(not set)"]
    assert profile.set_index("country").loc["US", "total_value"] == pytest.approx(140.0)


def test_attribute_crossed_with_tier(customers):
    profile = segment_profiles(customers, ["country", "tier"])
    assert list(profile.columns[:2]) == ["country", "tier"]
    assert profile[["country", "tier"]].apply(tuple, axis=1).tolist() == [
        ("US", "High"), ("US", "Low"), ("DE", "Medium"), ("DE", "Low"), ("(not set)", "High"),
    ]
    assert profile["customers"].sum() == 5


def test_churn_risk_mean_and_missing_values_never_nan(customers):
    with_risk = customers.assign(churn_risk=[0.5, np.nan, 0.1, np.nan, 0.3])
    profile = segment_profiles(with_risk, "tier").set_index("tier")
    assert profile.loc["Low", "churn_risk"] == pytest.approx(0.4)
    assert profile.loc["High", "churn_risk"] == 0.0  # documented: no data -> 0
    assert not profile.select_dtypes("number").isna().any().any()


def test_profiles_without_optional_columns_still_complete():
    table = pd.DataFrame({"tier": ["High", "Low"], "clv": [5.0, 1.0]})
    profile = segment_profiles(table, "tier")
    assert profile["orders"].tolist() == [0.0, 0.0]
    assert profile["average_order_value"].tolist() == [0.0, 0.0]
    assert not profile.select_dtypes("number").isna().any().any()


def test_all_zero_value_gives_zero_shares_not_nan():
    table = pd.DataFrame({"tier": ["High", "Low"], "clv": [0.0, 0.0]})
    assert segment_profiles(table, "tier")["share_of_value"].tolist() == [0.0, 0.0]


def test_playbook_actions_appear_in_profiles(customers):
    profile = segment_profiles(customers, ["country", "tier"], playbook=Playbook.load()).set_index(["country", "tier"])
    assert "Send exclusive offers" in profile.loc[("US", "High"), "actions"]
    assert "Ask for feedback" in profile.loc[("DE", "Low"), "actions"]


def test_missing_group_column_is_a_clear_error(customers):
    with pytest.raises(InputError, match="'segment'"):
        segment_profiles(customers, "segment")


def test_numeric_attribute_grouped_into_bands():
    ages = pd.Series([17, 19, 24, 25, 33, 40, 47, 52, 58, 61, 66, 70, 80, np.nan], name="age")
    bands = numeric_bands(ages)
    assert bands.astype(str).tolist()[:4] == ["under 18", "18–24", "18–24", "25–34"]
    assert bands.astype(str).iloc[-1] == "(not set)"
    table = pd.DataFrame({"age": ages, "clv": 1.0})
    profile = segment_profiles(table, "age")
    assert profile["age"].astype(str).tolist() == ["under 18", "18–24", "25–34", "35–44", "45–54", "55–64", "65+", "(not set)"]
    assert profile["customers"].tolist() == [1, 2, 2, 1, 2, 2, 3, 1]


def test_profiles_do_not_depend_on_row_order(customers):
    a = segment_profiles(customers, ["country", "tier"])
    b = segment_profiles(customers.iloc[[4, 2, 0, 3, 1]], ["country", "tier"])
    pd.testing.assert_frame_equal(a, b)
