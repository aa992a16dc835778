"""A column detected as the customer id that holds one value per order is an order key:
customers are then told apart by email (Olist's per-order ``customer_id``, an order
table's own ``id``)."""
from __future__ import annotations

from clv_engine.intake import read_orders


def _orders(per_order_ids: bool, header=("id", "Email", "Date", "Total")) -> list[list]:
    rows = [list(header)]
    n = 0
    for person in range(30):
        for visit in range(1 + person % 3):  # 20 of the 30 people order two or three times
            n += 1
            key = f"ord{n:04d}" if per_order_ids else f"cust{person:03d}"
            rows.append([key, f"p{person}@shop.test", f"2024-{1 + visit * 3:02d}-{1 + person % 28:02d}", "20"])
    return rows


def test_an_id_that_never_comes_back_while_emails_do_is_an_order_key():
    data = read_orders(_orders(per_order_ids=True))
    assert len(data.customers) == 30
    assert len(data.orders) == 60
    assert "customer_id" not in data.report.mapping
    assert any("'id' is an order key" in n and "--map customer_id=id" in n for n in data.report.notes)
    counts = data.orders["customer_id"].astype(str).value_counts()
    assert counts["p2@shop.test"] == 3


def test_customer_numbers_that_come_back_stay_the_customer():
    data = read_orders(_orders(per_order_ids=False))
    assert len(data.customers) == 30
    assert data.report.mapping["customer_id"] == "id"
    assert not any("order key" in n for n in data.report.notes)


def test_one_order_per_customer_keeps_the_ids():
    """Every customer bought once: neither ids nor emails come back, the ids stay."""
    rows = [["Customer ID", "Email", "Date", "Total"]]
    rows += [[f"C{k}", f"c{k}@x.test", f"2024-03-{1 + k % 28:02d}", "10"] for k in range(40)]
    data = read_orders(rows)
    assert data.report.mapping["customer_id"] == "Customer ID"
    assert sorted(data.customers.index) == sorted(f"C{k}" for k in range(40))


def test_a_mapped_customer_id_is_used_as_told():
    data = read_orders(_orders(per_order_ids=True), mapping={"customer_id": "id"})
    assert len(data.customers) == 60
    assert data.report.mapping["customer_id"] == "id"


def test_line_items_of_one_order_repeat_its_key_but_it_is_still_an_order_key():
    rows = [["Order", "Customer ID", "Email", "Date", "Line total"]]
    for order in range(40):
        person = order % 15
        for line in range(2):
            rows.append([f"#{1000 + order}", f"k{order:04d}", f"p{person}@x.test",
                         f"2024-{1 + order // 15:02d}-{1 + person:02d}", "5"])
    data = read_orders(rows)
    assert "customer_id" not in data.report.mapping
    assert len(data.customers) == 15
    assert len(data.orders) == 40
