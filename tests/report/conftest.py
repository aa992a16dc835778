import types

import numpy as np
import pandas as pd
import pytest

from clv_engine.pipeline import _headline
from clv_engine.segments import Playbook, rfm_scores, segment_profiles


def make_customers(n: int = 240, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    orders = rng.geometric(0.45, n)
    total = np.round(orders * rng.gamma(2.0, 30.0, n), 2)
    days = rng.integers(1, 700, n)
    clv = np.round(total * rng.uniform(0.2, 1.5, n), 2)
    clv[:3] = 0.0
    table = pd.DataFrame(
        {
            "customer_id": [f"C{i:04d}" for i in range(n)],
            "email": [f"user{i}@example.com" for i in range(n)],
            "name": [f"Person {i}" for i in range(n)],
            "consent": pd.array([bool(i % 3) for i in range(n)], dtype="boolean"),
            "orders": orders.astype("int64"),
            "total_value": total,
            "last_order": pd.Timestamp("2024-06-30") - pd.to_timedelta(days, unit="D"),
            "days_since_last_order": days.astype("float64"),
            "clv": clv,
            "clv_low": clv * 0.7,
            "clv_high": clv * 1.4,
            "p_alive": rng.uniform(0, 1, n),
        }
    )
    table["churn_risk"] = 1 - table["p_alive"]
    table.loc[5, "name"] = '=HYPERLINK("http://evil.example","click")'
    table.loc[6, "clv_high"] = np.nan
    ranks = table["clv"].rank(ascending=False, method="min") / n
    tier = np.where(ranks <= 0.2, "High", np.where(ranks <= 0.7, "Medium", "Low"))
    table["tier"] = pd.Categorical(tier, categories=["High", "Medium", "Low"], ordered=True)
    rfm = rfm_scores(table)
    for column in rfm.columns:
        table[column] = rfm[column]
    book = Playbook.load()
    table["actions"] = ["; ".join(book.actions_for(t)) for t in table["tier"].astype(str)]
    return table


@pytest.fixture(scope="module")
def analysis():
    customers = make_customers()
    book = Playbook.load()
    skipped = pd.DataFrame({"row": [4, 17], "reason": ["no customer", "date not readable"],
                            "detail": ["row has no email or customer id", "'31/02/2024' in column 'Created at'"]})
    summary = {
        "source": "orders_export.csv", "layout_label": "Shopify orders export", "rows_read": 1002, "rows_used": 1000,
        "rows_skipped": {"no customer": 1, "date not readable": 1}, "customers": len(customers), "layout": "shopify_orders",
        "currency": "EUR", "version": "0.1.0", "clv_basis": "BG/NBD + Gamma-Gamma over 12 months",
        "method": "predictive",
        "settings": {"method": "auto", "horizon_months": 12, "tier_splits": [20, 50, 30], "mapping": None,
                     "margin": 1.0, "discount_rate": 0.1},
        "model": {"name": "bgnbd", "params": {"r": 0.24, "alpha": 4.4, "a": 0.79, "b": 2.4}},
        "intake_notes": ["2 refunds were netted against their orders."],
    }
    high = customers["tier"] == "High"
    summary["headline"] = _headline(int(high.sum()), len(customers),
                                    customers.loc[high, "clv"].sum() / customers["clv"].sum(), "High")
    return types.SimpleNamespace(
        customers=customers,
        settings=types.SimpleNamespace(horizon_months=12),
        segments=segment_profiles(customers, "tier", playbook=book),
        rfm_profiles=segment_profiles(customers, "rfm_segment", playbook=book),
        summary=summary,
        orders=types.SimpleNamespace(report=types.SimpleNamespace(skipped=skipped)),
    )
