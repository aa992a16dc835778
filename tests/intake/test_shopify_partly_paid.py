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


def test_a_name_column_of_people_in_a_shopify_like_file_is_not_the_order_number(tmp_path):
    """A spreadsheet with Shopify's headers plus 'Order ID', whose 'Name' is the customer's name:
    the orders are numbered by 'Order ID' (Shopify's own Name is '#1001')."""
    people = ["Ann Lee", "Bob Stone", "Cara Diaz", "Dan Evans"]
    rows = "".join(f"{5001 + i},{people[i % 4].split()[0].lower()}@x.com,{people[i % 4]},2024-0{1 + i // 4}-1{i % 4},"
                   f"paid,{10 + i}.00,\n" for i in range(12))
    path = tmp_path / "orders.csv"
    path.write_text("Order ID,Email,Name,Created at,Financial Status,Total,Refunded Amount\n" + rows, encoding="utf-8")
    data = read_orders(path)
    assert data.report.layout == "shopify_orders"
    assert data.report.mapping["order_id"] == "Order ID" and data.report.mapping["name"] == "Name"
    assert len(data.orders) == 12  # one order per row, not one per person
    assert any("'Name' holds people's names, not order numbers" in n for n in data.report.notes)
