"""Repeat buyers whose repeat orders were free or fully refunded must not stop the prediction."""
import numpy as np
import pandas as pd

from clv_engine.predictive import predict_clv


def test_free_repeat_orders_get_their_own_average_not_an_error():
    rng = np.random.default_rng(7)
    rows = []
    start = pd.Timestamp("2024-01-01")
    for c in range(400):
        n = 1 + rng.poisson(2)
        days = np.sort(rng.integers(0, 600, n))
        for d in days:
            rows.append((f"c{c}", start + pd.Timedelta(days=int(d)), float(rng.gamma(4, 10))))
    orders = pd.DataFrame(rows, columns=["customer_id", "date", "amount"])
    # Five repeat customers whose repeat orders were all refunded in full (worth 0).
    repeaters = orders.groupby("customer_id").size()
    zeroed = repeaters[repeaters >= 2].index[:5]
    first = orders.groupby("customer_id")["date"].transform("min")
    orders.loc[orders["customer_id"].isin(zeroed) & (orders["date"] > first), "amount"] = 0.0

    prediction = predict_clv(orders, model="bgnbd")
    assert prediction.ok, prediction.verdict
    table = prediction.customers
    assert np.isfinite(table[["clv", "clv_low", "clv_high", "expected_order_value"]].to_numpy()).all()
    assert (table.loc[zeroed, "expected_order_value"] >= 0).all()
    # their expected order value is Gamma-Gamma's conditional mean given all their purchases
    # (the paid first one and the free repeats): (p gamma + p n m) / (p n + q - 1)
    mine = orders[orders["customer_id"].isin(zeroed)]
    n = mine.groupby("customer_id")["date"].nunique()
    m = mine.groupby("customer_id")["amount"].sum() / n
    sp = prediction.model["spend_params"]
    expected = (sp["p"] * sp["gamma"] + sp["p"] * n * m) / (sp["p"] * n + sp["q"] - 1)
    np.testing.assert_allclose(table.loc[n.index, "expected_order_value"], expected, rtol=1e-9)
    assert (table.loc[n.index, "expected_order_value"] > 0).all()


def test_customers_whose_every_purchase_was_free_get_the_published_conditional_mean():
    """Gamma-Gamma's conditional mean with an average of 0 is p*gamma / (p*n + q - 1): shrunk
    towards 0, not 0 (CDNOW has such customers, and some of them buy at full price later)."""
    rng = np.random.default_rng(11)
    rows = []
    start = pd.Timestamp("2024-01-01")
    for c in range(400):
        n = 1 + rng.poisson(2)
        for d in np.sort(rng.integers(0, 600, n)):
            rows.append((f"c{c}", start + pd.Timedelta(days=int(d)), float(rng.gamma(4, 10))))
    orders = pd.DataFrame(rows, columns=["customer_id", "date", "amount"])
    free = ["c1", "c2", "c3"]
    orders.loc[orders["customer_id"].isin(free), "amount"] = 0.0

    prediction = predict_clv(orders, model="bgnbd")
    assert prediction.ok, prediction.verdict
    table = prediction.customers
    sp = prediction.model["spend_params"]
    n = orders[orders["customer_id"].isin(free)].groupby("customer_id")["date"].nunique()
    expected = sp["p"] * sp["gamma"] / (sp["p"] * n + sp["q"] - 1)
    np.testing.assert_allclose(table.loc[n.index, "expected_order_value"], expected, rtol=1e-9)
    assert (table.loc[n.index, "expected_order_value"] > 0).all()
    assert (table.loc[n.index, "clv"] > 0).all()
