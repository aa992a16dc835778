"""The bundled sample shop reads as a clean Shopify export and regenerates identically."""
import pandas as pd

from clv_engine.intake import read_orders
from clv_engine.sample import sample_path
from clv_engine.sample.generate_sample import generate_orders_csv


def test_bundled_sample_is_a_readable_shopify_export():
    data = read_orders(sample_path())
    r = data.report
    assert r.layout == "shopify_orders" and r.currency == "EUR"
    assert 7500 <= len(data.orders) <= 10000
    assert 2500 <= len(data.customers) <= 3000
    assert r.rows_read == r.rows_used + len(r.skipped)
    # one pending order: no money yet; orders refunded in full: no purchase
    assert set(r.rows_skipped) == {"cancelled or failed", "not paid", "refunded or returned"}
    assert r.refunds_netted > 100
    assert data.orders["date"].max() <= pd.Timestamp("2026-11-01")
    assert data.orders["date"].min() >= pd.Timestamp("2024-11-01")
    assert (data.customers["email"] == "").sum() > 0  # walk-in POS customers known by name only
    assert data.orders["customer_id"].value_counts().gt(1).mean() > 0.3  # plenty of repeat buyers
    assert sample_path().stat().st_size < 3.3e6


def test_generator_is_deterministic_for_a_seed(tmp_path):
    a, b, c = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    generate_orders_csv(a, seed=7, n_customers=60)
    generate_orders_csv(b, seed=7, n_customers=60)
    generate_orders_csv(c, seed=8, n_customers=60)
    assert a.read_bytes() == b.read_bytes() != c.read_bytes()
