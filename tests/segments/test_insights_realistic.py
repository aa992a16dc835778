"""Profiles, cohorts and drivers of a realistic line-item export, checked against pandas
computations straight from the CSV and against the patterns its generator built in."""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clv_engine.pipeline import Settings, analyze
from clv_engine.segments import purchase_data, purchase_profiles

DATA = Path(__file__).parents[1] / "data" / "line_items_shop.csv"


@pytest.fixture(scope="module")
def run():
    return analyze(DATA, Settings(method="historical"))


@pytest.fixture(scope="module")
def raw():
    table = pd.read_csv(DATA, dtype={"Customer ID": str, "Order ID": str}, keep_default_na=False)
    table["Order Date"] = pd.to_datetime(table["Order Date"])
    # an order whose negative lines take back all its positive lines was returned in full:
    # no purchase (intake skips its rows as "refunded or returned")
    sales = table["Sales"].where(table["Sales"] > 0, 0).groupby(table["Order ID"]).sum()
    back = (-table["Sales"]).where(table["Sales"] < 0, 0).groupby(table["Order ID"]).sum()
    returned = sales.index[(sales > 0) & (back >= sales - 0.005)]
    return table[~table["Order ID"].isin(returned)]


def test_share_of_orders_with_each_sub_category_matches_pandas(run, raw):
    sales = raw[raw["Sales"] > 0]
    share = sales.groupby("Sub-Category")["Order ID"].nunique() / sales["Order ID"].nunique()
    rows = run.insights.profiles
    rows = rows[(rows["group_by"] == "tier") & (rows["dimension"] == "subcategory")]
    for _, row in rows.iterrows():
        assert row["all_share_of_orders"] == pytest.approx(share[row["value"]], abs=1e-12)
        assert row["all_figure"] == row["all_share_of_orders"]


def test_high_tier_order_lift_matches_pandas(run, raw):
    tiers = run.customers.set_index("customer_id")["tier"].astype(str)
    sales = raw[raw["Sales"] > 0].assign(tier=lambda t: t["Customer ID"].map(tiers))
    high_sales = sales[sales["tier"] == "High"]
    share_high = high_sales.groupby("Sub-Category")["Order ID"].nunique() / high_sales["Order ID"].nunique()
    share_all = sales.groupby("Sub-Category")["Order ID"].nunique() / sales["Order ID"].nunique()
    buyers = high_sales.groupby("Sub-Category")["Customer ID"].nunique()
    spend = sales.groupby(["tier", "Sub-Category"])["Sales"].sum()
    spend_high = spend["High"] / spend["High"].sum()
    spend_all = sales.groupby("Sub-Category")["Sales"].sum() / sales["Sales"].sum()
    rows = run.insights.profiles
    rows = rows[(rows["group_by"] == "tier") & (rows["segment"] == "High") & (rows["dimension"] == "subcategory")]
    assert len(rows) == 10
    for _, row in rows.iterrows():
        v = row["value"]
        assert row["segment_orders"] == high_sales["Order ID"].nunique()
        assert row["orders"] == high_sales.loc[high_sales["Sub-Category"] == v, "Order ID"].nunique()
        assert row["customers"] == buyers[v]
        assert row["share_of_orders"] == pytest.approx(share_high[v], rel=1e-9)
        assert row["order_lift"] == pytest.approx(share_high[v] / share_all[v], rel=1e-9)
        assert row["lift"] == row["order_lift"]
        assert row["spend_lift"] == pytest.approx(spend_high[v] / spend_all[v], rel=1e-9)


def test_frequent_buyers_favour_binders_and_machines_as_generated(run):
    # the generator gives customers with more than 3 orders a year four times the taste for
    # Binders and five for Machines on every order line: a preference per order
    details = run.orders.details
    data = purchase_data(run.orders.orders, details.lines, order_details=details.orders)
    per_year = run.customers.set_index("customer_id")["orders_per_year"].reindex(data.customer_ids).to_numpy()
    table = purchase_profiles(data, {"frequency": np.where(per_year > 3, "frequent", "occasional")})
    rows = table[table["dimension"] == "subcategory"].set_index(["segment", "value"])
    assert rows.loc[("frequent", "Machines"), "order_lift"] > 1.5
    assert rows.loc[("frequent", "Binders"), "order_lift"] > 1.3
    assert rows.loc[("frequent", "Machines"), "preference"] and rows.loc[("frequent", "Binders"), "preference"]
    assert not rows.loc[("frequent", "Paper"), "preference"]
    assert not rows.xs("occasional")["preference"].loc[["Machines", "Binders"]].any()
    # the High tier (the most valuable) buys the expensive machines more often per order
    assert any("High tier buys Machines" in f for f in run.insights.findings)


def test_cohort_cells_match_pandas(run, raw):
    sales = raw[raw["Sales"] > 0]
    first = sales.groupby("Customer ID")["Order Date"].min().dt.to_period("M")
    month = sales["Order Date"].dt.to_period("M")
    since = (month - sales["Customer ID"].map(first)).map(lambda d: d.n)
    cohort = sales["Customer ID"].map(first).astype(str)
    active = sales.assign(cohort=cohort, m=since).groupby(["cohort", "m"])["Customer ID"].nunique()
    size = first.astype(str).value_counts()
    table = run.insights.cohorts
    table = table[table["cohort"] != "all"]
    for _, row in table.sample(60, random_state=1).iterrows():
        expected = active.get((row["cohort"], row["months_since_first"]), 0)
        assert row["active_customers"] == expected
        assert row["cohort_customers"] == size[row["cohort"]]


def test_email_customers_repeat_more_than_marketplace_customers(run):
    drivers = run.insights.drivers
    channel = drivers[drivers["dimension"] == "channel"].set_index("value")
    # repeat-rate factor 1.6 for Email, 0.5 for Marketplace in the generator
    assert channel.loc["Email", "window_repeat_rate"] > channel.loc["Marketplace", "window_repeat_rate"]
    assert not channel.loc["Email", "too_small"]
    assert (channel["window_months"] == 12).all()


def test_return_rate_matches_the_returned_lines(run, raw):
    returned = -raw.loc[raw["Sales"] < 0, "Sales"].sum()
    gross = raw.loc[raw["Sales"] > 0, "Sales"].sum()
    rows = run.insights.profiles
    rate = rows[(rows["dimension"] == "behaviour") & (rows["value"] == "return rate")]["all_figure"].iloc[0]
    assert rate == pytest.approx(returned / gross, rel=1e-9)
    assert np.isfinite(rows.select_dtypes("number").to_numpy()).all()
