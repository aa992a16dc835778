"""Profiles, cohorts, drivers and acquisition on small order tables checked by hand."""
import numpy as np
import pandas as pd
import pytest

from clv_engine.errors import InputError
from clv_engine.segments import (AcquisitionCosts, cohort_table, ltv_drivers, purchase_data, purchase_insights,
                                 purchase_profiles, read_ad_spend, repeat_summary)
from clv_engine.segments.acquisition import customer_cac, payback_curves, payback_month


@pytest.fixture
def shop():
    """Three customers over four months.

    a: 2024-01-05 100 (Binders 60, Paper 40, via ig), 2024-03-10 50 (Binders, web)
    b: 2024-01-20 30 (Paper, web)
    c: 2024-02-01 20 (Paper, ig), 2024-02-11 40 (Binders, ig)
    """
    orders = pd.DataFrame({
        "order_id": ["o1", "o2", "o3", "o4", "o5"], "customer_id": ["a", "a", "b", "c", "c"],
        "date": pd.to_datetime(["2024-01-05", "2024-03-10", "2024-01-20", "2024-02-01", "2024-02-11"]),
        "amount": [100.0, 50.0, 30.0, 20.0, 40.0], "channel": ["ig", "web", "web", "ig", "ig"]})
    lines = pd.DataFrame({"order_id": ["o1", "o1", "o2", "o3", "o4", "o5"],
                          "value": [60.0, 40.0, 50.0, 30.0, 20.0, 40.0],
                          "category": ["Binders", "Paper", "Binders", "Paper", "Paper", "Binders"]})
    return orders, lines


def test_lift_is_the_segments_share_over_everyones_share():
    # a bought Binders and Paper, c Binders and Paper, b and d only Paper
    orders = pd.DataFrame({"order_id": ["1", "2", "3", "4"], "customer_id": ["a", "b", "c", "d"],
                           "date": pd.to_datetime(["2024-01-01"] * 4), "amount": [100.0, 30.0, 20.0, 50.0]})
    lines = pd.DataFrame({"order_id": ["1", "1", "2", "3", "3", "4"], "value": [60.0, 40.0, 30.0, 10.0, 10.0, 50.0],
                          "category": ["Binders", "Paper", "Paper", "Binders", "Paper", "Paper"]})
    data = purchase_data(orders, lines)
    table = purchase_profiles(data, {"tier": np.array(["High", "Low", "Low", "Low"])})
    row = table[(table["segment"] == "High") & (table["dimension"] == "category")
                & (table["value"] == "Binders")].iloc[0]
    # buyers: 1 of 1 High customer, 2 of 4 customers -> 1.0 / 0.5
    assert row["customers"] == 1 and row["figure"] == 1.0 and row["all_figure"] == 0.5
    assert row["lift"] == pytest.approx(2.0)
    # spend: 60 of High's 100, 70 of everyone's 200 -> 0.6 / 0.35
    assert row["spend_share"] == pytest.approx(0.6)
    assert row["all_spend_share"] == pytest.approx(0.35)
    assert row["spend_lift"] == pytest.approx(0.6 / 0.35)
    low = table[(table["segment"] == "Low") & (table["dimension"] == "category") & (table["value"] == "Binders")].iloc[0]
    assert low["figure"] == pytest.approx(1 / 3) and low["lift"] == pytest.approx((1 / 3) / 0.5)
    assert table["too_small"].all()  # 1 and 3 customers: far below 30


def test_first_category_is_what_the_first_order_spent_most_on(shop):
    orders, lines = shop
    table = purchase_profiles(purchase_data(orders, lines), {"all": np.array(["x", "x", "x"])})
    first = table[table["dimension"] == "first_category"].set_index("value")
    assert first.loc["Binders", "customers"] == 1  # a: Binders 60 > Paper 40
    assert first.loc["Paper", "customers"] == 2  # b and c


def test_cohort_cells(shop):
    orders, lines = shop
    table = cohort_table(purchase_data(orders, lines, as_of="2024-04-30"))
    jan = table[table["cohort"] == "2024-01"].set_index("months_since_first")
    assert list(jan.index) == [0, 1, 2, 3]
    assert jan.loc[0, "cohort_customers"] == 2 and jan.loc[0, "active_customers"] == 2
    assert jan.loc[0, "revenue"] == 130.0 and jan.loc[1, "revenue"] == 0.0
    assert jan.loc[2, "active_customers"] == 1 and jan.loc[2, "revenue"] == 50.0
    assert jan.loc[2, "cumulative_revenue_per_customer"] == pytest.approx(90.0)
    assert jan.loc[1, "repeat_rate"] == 0.0 and jan.loc[2, "repeat_rate"] == 0.5
    feb = table[table["cohort"] == "2024-02"].set_index("months_since_first")
    assert feb.loc[0, "repeat_customers"] == 1  # c ordered twice in February
    assert feb.loc[0, "cumulative_revenue_per_customer"] == 60.0
    pooled = table[table["cohort"] == "all"].set_index("months_since_first")
    # month 2 pools both cohorts (Feb's month 2 is April, complete on 30 April); month 3 only January
    assert pooled.loc[2, "cohort_customers"] == 3
    assert pooled.loc[2, "cumulative_revenue_per_customer"] == pytest.approx(80.0)  # 190/3 + 0/3 + 50/3
    assert pooled.loc[3, "cohort_customers"] == 2
    # chain-linked: month 3 adds January's revenue in its month 3 (April: 0) per January customer
    assert pooled.loc[3, "cumulative_revenue_per_customer"] == pytest.approx(80.0)


def test_an_unfinished_month_is_not_complete(shop):
    orders, lines = shop
    table = cohort_table(purchase_data(orders, lines, as_of="2024-04-15"))
    jan = table[table["cohort"] == "2024-01"].set_index("months_since_first")
    assert bool(jan.loc[2, "complete"]) and not bool(jan.loc[3, "complete"])
    pooled = table[table["cohort"] == "all"]
    assert pooled["months_since_first"].max() == 2  # April is not over: no pooled month 3


def test_repeat_rate_and_days_to_second_order(shop):
    orders, lines = shop
    summary = repeat_summary(purchase_data(orders, lines))
    assert summary["repeat_rate"] == pytest.approx(2 / 3)
    # a: 5 Jan -> 10 Mar = 65 days; c: 1 Feb -> 11 Feb = 10 days
    assert summary["days_to_second_order"]["median"] == pytest.approx(37.5)
    assert summary["days_to_second_order"]["count"] == 2


def test_payback_month_from_the_pooled_margin_curve(shop):
    orders, lines = shop
    data = purchase_data(orders, lines, as_of="2024-04-30")
    curve = payback_curves(data, np.zeros(3, dtype=np.int64), 1, margin=0.5)[0]
    # revenue per acquired customer 63.33, +0, +50/3 (both cohorts), +0/2 (January only) -> margin at 50%
    np.testing.assert_allclose(curve, [190 / 6, 190 / 6, 40.0, 40.0])
    assert payback_month(curve, 30.0) == 0
    assert payback_month(curve, 40.0) == 2
    assert payback_month(curve, 50.0) is None  # not reached within the months observed


def test_cost_per_channel_and_from_monthly_ad_spend(shop):
    orders, lines = shop
    data = purchase_data(orders, lines)
    cac, known = customer_cac(data, AcquisitionCosts.parse(per_channel="ig=40, web=10"))
    assert list(cac) == [40.0, 10.0, 40.0] and known.all()  # a came via ig, b via web, c via ig
    spend = pd.DataFrame({"month": ["2024-01", "2024-02"], "spend": ["100", "30"]})
    cac, known = customer_cac(data, AcquisitionCosts.parse(ad_spend=spend))
    assert list(cac) == [50.0, 50.0, 30.0]  # January: 100 for a and b; February: 30 for c


def test_drivers_by_first_channel_with_payback(shop):
    orders, lines = shop
    data = purchase_data(orders, lines, as_of="2024-04-30")
    table = ltv_drivers(data, ltv=np.array([150.0, 30.0, 60.0]), costs=AcquisitionCosts.parse(single=40))
    channel = table[table["dimension"] == "channel"].set_index("value")
    assert channel.loc["ig", "customers"] == 2 and channel.loc["web", "customers"] == 1
    assert channel.loc["ig", "avg_ltv"] == pytest.approx(105.0)
    assert channel.loc["ig", "ltv_to_cac"] == pytest.approx(105.0 / 40)
    assert channel.loc["ig", "payback_month"] == 0  # (100 + 60) / 2 = 80 >= 40 in month 0
    assert pd.isna(channel.loc["web", "payback_month"])  # b: 30 < 40, never reached
    # window: 3 months (nobody has a year); a's first 3 months 150, c's 60 (observed: a and b)
    assert (table["window_months"] == 3).all()
    assert channel.loc["ig", "observed_customers"] == 1  # c started 1 Feb: 3 months end 1 May
    assert channel.loc["ig", "avg_window_value"] == 150.0
    assert channel.loc["ig", "window_repeat_rate"] == 1.0
    assert channel.loc["ig", "value_lift"] == pytest.approx(150.0 / 90.0)
    assert table["too_small"].all()


def test_lines_without_values_share_their_order(shop):
    orders, lines = shop
    data = purchase_data(orders, lines.drop(columns="value"))
    assert list(data.lines["value"]) == [50.0, 50.0, 50.0, 30.0, 20.0, 40.0]
    assert "shared equally" in data.value_basis


def test_ad_spend_file_errors_name_the_row(tmp_path):
    bad = tmp_path / "spend.csv"
    bad.write_text("month,spend\n2024-01,100\n2024-02,lots\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"row 3, column 'spend'"):
        read_ad_spend(bad)
    missing = tmp_path / "nomonth.csv"
    missing.write_text("when,spend\nx,1\n", encoding="utf-8")
    with pytest.raises(InputError, match="month column"):
        read_ad_spend(missing)
    good = tmp_path / "ok.csv"
    good.write_text("Month,Ad spend,Channel\nJan 2024,100,ig\n2024-01,50,web\n", encoding="utf-8")
    table = read_ad_spend(good)
    assert list(table["month"]) == ["2024-01", "2024-01"] and list(table["spend"]) == [100.0, 50.0]


def test_without_lines_the_outputs_say_what_could_not_be_profiled(shop):
    orders, _ = shop
    insights = purchase_insights(orders.drop(columns="channel"), missing={
        "products": "the file has no product, SKU or category column"})
    assert any("what each segment buys" in n and "no product" in n for n in insights.not_profiled)
    assert insights.repeat["repeat_rate"] == pytest.approx(2 / 3)
    assert len(insights.cohorts) and not insights.drivers["dimension"].isin(["first_category", "channel"]).any()


def test_findings_say_one_day_and_one_month_in_the_singular():
    from types import SimpleNamespace

    from clv_engine.segments.findings import findings

    drivers = pd.DataFrame({"dimension": ["channel", "channel"], "value": ["ig", "web"], "too_small": [False, False],
                            "observed_customers": [40, 40], "window_months": [1, 1], "value_lift": [1.5, 0.5],
                            "avg_window_value": [90.0, 30.0]})
    insights = SimpleNamespace(
        profiles=pd.DataFrame(), drivers=drivers,
        repeat={"customers": 80, "repeat_rate": 0.5, "days_to_second_order": {"median": 1.0, "p25": 1.0, "p75": 1.0}},
        acquisition={"average_cac": 50.0, "ltv_to_cac": 0.5, "payback_month": None, "months_observed": 1})
    out = findings(insights, "USD")
    assert "50% of customers ordered more than once; half of those placed their second order within 1 day." in out
    assert any("spend 1.5× the average in their first 1 month ($90); those who came through web" in f for f in out)
    assert any("the average customer has not paid back its cost within the 1 month observed;" in f for f in out)


def test_formula_lifetime_value_is_taken_before_the_acquisition_cost_not_from_the_floored_clv():
    """The simple formula's CLV is net of the acquisition cost and floored at 0; what a customer
    is worth acquiring is the formula's value before the cost. Adding the cost back to the
    floored CLV would make every customer worth less than the cost worth exactly the cost."""
    from clv_engine.pipeline import Settings, analyze

    rows = []
    for i in range(30):  # values 10, 20, ..., 300 (one order each); a cost of 100 floors a third at 0
        rows.append({"customer_id": f"c{i:02d}", "date": f"2024-{1 + i % 12:02d}-15", "amount": 10.0 * (i + 1)})
    settings = Settings(method="simple", lifespan_years=2, margin=0.5, acquisition_cost=100.0)
    result = analyze(pd.DataFrame(rows), settings)
    customers = result.customers.set_index("customer_id")
    before = customers["average_order_value"] * customers["orders_per_year"] * 2 * 0.5  # the formula, no cost
    assert (customers["clv"] == 0).sum() >= 5  # the case that matters: floored customers
    drivers = result.insights.drivers
    tiers = drivers[drivers["dimension"] == "tier"].set_index("value")
    for tier, group in customers.groupby("tier", observed=True):
        assert tiers.loc[str(tier), "avg_ltv"] == pytest.approx(before[group.index].mean(), rel=1e-4)
    assert result.insights.acquisition["ltv_to_cac"] == pytest.approx(before.mean() / 100.0, rel=1e-3)
