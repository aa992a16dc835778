"""'Who buys what' claims a preference only when a segment's orders really contain a
product more often: not because the segment places more orders (audit: the demo's High
tier 'bought Teapot 2.1× as often' while its orders held the teapot 1.06× as often)."""
import numpy as np
import pandas as pd
import pytest

from clv_engine.segments import purchase_data, purchase_insights, purchase_profiles

PRODUCTS = [f"Product {i}" for i in range(10)]


def _shop(orders_per_customer, tiers, weights_of, seed=0):
    """One line per order, product drawn with ``weights_of(tier)``; returns (orders, lines, customers)."""
    rng = np.random.default_rng(seed)
    order_rows, line_rows = [], []
    for c, (n, tier) in enumerate(zip(orders_per_customer, tiers)):
        weights = np.asarray(weights_of(tier), dtype=float)
        for k in range(n):
            order_id = f"{c}-{k}"
            order_rows.append((order_id, f"c{c}", pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(7 * c % 300 + k)),
                               20.0))
            product = PRODUCTS[rng.choice(len(PRODUCTS), p=weights / weights.sum())]
            line_rows.append((order_id, 20.0, product))
    orders = pd.DataFrame(order_rows, columns=["order_id", "customer_id", "date", "amount"])
    lines = pd.DataFrame(line_rows, columns=["order_id", "value", "product"])
    customers = pd.DataFrame({"customer_id": [f"c{c}" for c in range(len(tiers))], "tier": tiers})
    return orders, lines, customers


def _uniform(tier):
    return np.ones(len(PRODUCTS))


def test_random_picks_give_no_preference_however_often_a_tier_orders():
    # High customers place 8 orders, the others 1 or 2, every order picks a product at random:
    # High customers have *ever* bought each product about three times as often, but their
    # orders contain each product as often as anyone's
    rng = np.random.default_rng(1)
    tiers = ["High"] * 150 + ["Medium"] * 250 + ["Low"] * 300
    counts = [8] * 150 + list(rng.integers(1, 3, 550))
    orders, lines, customers = _shop(counts, tiers, _uniform, seed=2)
    insights = purchase_insights(orders, lines, customers=customers)
    assert not any(" buys " in f or " buy " in f for f in insights.findings), insights.findings
    rows = insights.profiles
    high = rows[(rows["segment"] == "High") & (rows["dimension"] == "product")]
    assert len(high) == len(PRODUCTS)
    reach = high["customers"] / high["segment_customers"]
    assert (reach > 0.4).all()  # most High customers bought each product at least once ...
    assert high["order_lift"].between(0.75, 1.3).all()  # ... but no product is bought more often per order
    assert not rows.loc[rows["dimension"] != "behaviour", "preference"].any()
    assert (high["lift"] == high["order_lift"]).all()


def test_a_real_preference_per_order_is_found_and_stated():
    # every tier orders alike (1-5 orders); the High tier picks Product 3 three times as often per order
    rng = np.random.default_rng(3)
    tiers = ["High"] * 200 + ["Medium"] * 200 + ["Low"] * 200
    counts = list(rng.integers(1, 6, 600))

    def weights(tier):
        w = np.ones(len(PRODUCTS))
        if tier == "High":
            w[3] = 3.0
        return w

    orders, lines, customers = _shop(counts, tiers, weights, seed=4)
    insights = purchase_insights(orders, lines, customers=customers)
    rows = insights.profiles
    products = rows[(rows["group_by"] == "tier") & (rows["dimension"] == "product")]
    found = products[products["preference"]]
    assert list(zip(found["segment"], found["value"])) == [("High", "Product 3")]
    row = found.iloc[0]
    assert row["share_of_orders"] == pytest.approx(3 / 12, abs=0.04)
    assert row["order_lift"] > 1.4 and row["p_chance"] < 1e-6
    assert row["share_of_orders"] == pytest.approx(row["orders"] / row["segment_orders"])
    text = next(f for f in insights.findings if f.startswith("Your High tier"))
    assert "buys Product 3" in text and "per order" in text and "of their orders include it" in text
    assert not any("Medium tier buys" in f or "Low tier buys" in f for f in insights.findings)


def test_share_of_orders_counts_an_order_once_and_first_products_per_customer():
    # a: one order with two lines of Binders and a second order with Paper; b: one order of Paper
    orders = pd.DataFrame({"order_id": ["1", "2", "3"], "customer_id": ["a", "a", "b"],
                           "date": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-01-05"]),
                           "amount": [30.0, 10.0, 10.0]})
    lines = pd.DataFrame({"order_id": ["1", "1", "2", "3"], "value": [20.0, 10.0, 10.0, 10.0],
                          "category": ["Binders", "Binders", "Paper", "Paper"]})
    table = purchase_profiles(purchase_data(orders, lines), {"tier": np.array(["High", "Low"])})
    high = table[(table["segment"] == "High") & (table["dimension"] == "category")].set_index("value")
    assert high.loc["Binders", "orders"] == 1 and high.loc["Binders", "segment_orders"] == 2
    assert high.loc["Binders", "share_of_orders"] == 0.5
    assert high.loc["Binders", "all_share_of_orders"] == pytest.approx(1 / 3)
    assert high.loc["Binders", "order_lift"] == pytest.approx(1.5)
    first = table[(table["segment"] == "High") & (table["dimension"] == "first_category")].set_index("value")
    assert first.loc["Binders", "segment_orders"] == 1 and first.loc["Binders", "share_of_orders"] == 1.0
    assert first.loc["Binders", "all_share_of_orders"] == 0.5
    assert not table["preference"].any()  # far too few customers and orders
    assert np.isfinite(table.select_dtypes("number").to_numpy()).all()
