"""A Shopify order paid only in part (``partially_paid``) counts what was paid: the Total
less the Outstanding Balance (formats.md A3: CLV counts what the customer paid)."""
from __future__ import annotations

from clv_engine.intake import read_orders

HEADER = ("Name,Email,Financial Status,Accepts Marketing,Currency,Subtotal,Total,Created at,Lineitem quantity,"
          "Lineitem name,Lineitem price,Refunded Amount,Outstanding Balance\n")


def test_partly_paid_orders_count_what_was_paid(tmp_path):
    path = tmp_path / "orders_export.csv"
    path.write_text(HEADER +
                    "#1001,ann@x.com,paid,yes,USD,100.00,100.00,2025-01-05 10:00:00 -0500,1,Mug,100.00,0.00,0.00\n"
                    "#1002,ann@x.com,partially_paid,yes,USD,400.00,400.00,2025-02-05 10:00:00 -0500,2,Lamp,200.00,0.00,"
                    "150.00\n"
                    "#1002,ann@x.com,,,,,,,1,Shade,0.00,,\n"
                    "#1003,bob@x.com,partially_refunded,no,USD,80.00,80.00,2025-03-05 10:00:00 -0500,1,Cup,80.00,"
                    "30.00,0.00\n", encoding="utf-8")
    data = read_orders(path)
    value = data.orders.groupby("customer_id", observed=True)["amount"].sum().round(2).to_dict()
    assert value == {"ann@x.com": 350.0, "bob@x.com": 50.0}
    assert any("paid only in part" in n and "150.00 still owed" in n for n in data.report.notes)
