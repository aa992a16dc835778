"""Line-item files whose order-level cells are not on the order's first row (the sheet was
sorted by product in a spreadsheet): every line still belongs to its order and customer."""
from __future__ import annotations

from clv_engine.intake import read_orders


def test_order_level_cells_on_a_later_line_reach_the_earlier_lines():
    rows = [
        ["Order", "Email", "Date", "Product", "Qty", "Price"],
        ["1", "", "", "Apple", "1", "10"],             # the order's first line carries nothing
        ["1", "a@x.test", "2024-01-01", "Banana", "2", "10"],
        ["2", "b@x.test", "2024-01-05", "Cherry", "1", "35"],
        ["3", "", "", "Apple", "3", "10"],
        ["3", "a@x.test", "2024-02-01", "Cherry", "1", "10"],
    ]
    data = read_orders(rows)
    assert data.report.rows_skipped == {}
    totals = data.orders.groupby("customer_id", observed=True)["amount"].agg(["count", "sum"])
    assert totals.loc["a@x.test"].tolist() == [2, 70.0]
    assert totals.loc["b@x.test"].tolist() == [1, 35.0]


def test_a_shopify_export_sorted_by_product_gives_every_line_its_orders_reason(tmp_path):
    header = ("Name,Email,Financial Status,Paid at,Accepts Marketing,Currency,Total,Created at,"
              "Lineitem quantity,Lineitem name,Lineitem price,Billing Name,Cancelled at,Refunded Amount")
    lines = [
        "#1,,,,,,,,1,Apple,10,,,",
        "#1,a@x.com,paid,2024-01-01 10:00:00 +0000,yes,USD,30.00,2024-01-01 10:00:00 +0000,1,Banana,20,Ann,,0.00",
        "#2,,,,,,,,1,Apple,10,,,",
        "#2,b@x.com,voided,,no,USD,25.00,2024-01-02 10:00:00 +0000,1,Cherry,15,Ben,,",
        "#3,a@x.com,paid,2024-02-01 10:00:00 +0000,yes,USD,40.00,2024-02-01 10:00:00 +0000,1,Cherry,40,Ann,,0.00",
    ]
    path = tmp_path / "orders_export.csv"
    path.write_text("\n".join([header, *lines]) + "\n")
    data = read_orders(path)
    assert dict(zip(data.report.skipped["row"], data.report.skipped["reason"])) == {
        4: "cancelled or failed", 5: "cancelled or failed"}
    assert data.orders["amount"].tolist() == [30.0, 40.0]
