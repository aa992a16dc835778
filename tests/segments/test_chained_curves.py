"""Cumulative curves of pooled cohorts never fall (audit: the demo's payback curve went from
96.47 at month 19 to 90.70 at month 20 because fewer, older cohorts were averaged)."""
import numpy as np
import pandas as pd
import pytest

from clv_engine.segments import AcquisitionCosts, cohort_table, purchase_data, purchase_insights
from clv_engine.segments.acquisition import payback_curves


@pytest.fixture
def young_cohort_worth_more():
    """January: 30 customers, one order of 10 and none again. February: 30 customers, 100 in
    February and 100 in March. Observed to the end of March: January has completed months
    0-2, February months 0-1."""
    rows = []
    for i in range(30):
        rows.append((f"jan{i}", "2024-01-10", 10.0))
        rows.append((f"feb{i}", "2024-02-10", 100.0))
        rows.append((f"feb{i}", "2024-03-10", 100.0))
    orders = pd.DataFrame(rows, columns=["customer_id", "date", "amount"])
    orders["date"] = pd.to_datetime(orders["date"])
    return orders


def test_pooled_cumulative_revenue_margin_and_repeat_rate_never_fall(young_cohort_worth_more):
    data = purchase_data(young_cohort_worth_more, as_of="2024-03-31")
    pooled = cohort_table(data, margin=0.5)
    pooled = pooled[pooled["cohort"] == "all"].set_index("months_since_first")
    assert list(pooled.index) == [0, 1, 2]
    # month 0: (300 + 3000) / 60; month 1: + 3000 / 60; month 2: January only, + 0 / 30
    assert pooled["cumulative_revenue_per_customer"].tolist() == pytest.approx([55.0, 105.0, 105.0])
    assert pooled["cumulative_margin_per_customer"].tolist() == pytest.approx([27.5, 52.5, 52.5])
    # half of the customers of both cohorts repeat in month 1; none of January's later
    assert pooled["repeat_rate"].tolist() == pytest.approx([0.0, 0.5, 0.5])
    assert pooled.loc[2, "cohort_customers"] == 30 and pooled.loc[2, "revenue_per_customer"] == 0.0


def test_payback_curve_is_chain_linked(young_cohort_worth_more):
    data = purchase_data(young_cohort_worth_more, as_of="2024-03-31")
    curve = payback_curves(data, np.zeros(data.n_customers, dtype=np.int64), 1, margin=0.5, min_customers=30)[0]
    np.testing.assert_allclose(curve, [27.5, 52.5, 52.5])  # the average of whoever completed month 2: 5.0
    insights = purchase_insights(young_cohort_worth_more, as_of="2024-03-31", margin=0.5,
                                 costs=AcquisitionCosts(single=50.0))
    margin = insights.payback["cumulative_margin_per_customer"].to_numpy()
    assert (np.diff(margin) >= 0).all()
    assert insights.acquisition["payback_month"] == 1
