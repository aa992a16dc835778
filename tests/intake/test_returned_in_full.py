"""An order refunded or returned in full is not a purchase: it leaves the order count,
repeat rate and RFM frequency, and its rows say why. A partial refund keeps the order at
its net value."""
from __future__ import annotations

from clv_engine.intake import read_orders


def counts(data) -> dict:
    table = data.orders.groupby("customer_id", observed=True)["amount"].agg(["count", "sum"])
    return {c: (int(n), round(float(v), 2)) for c, (n, v) in table.iterrows()}


def test_an_order_whose_return_line_names_it_in_full_is_not_a_purchase():
    rows = [
        ["Order Number", "Order Date", "Customer Email", "Qty", "Item Price"],
        ["5001", "2024-01-10", "x@y.test", "2", "15.00"],
        ["5002", "2024-02-10", "x@y.test", "1", "25.00"],
        ["5002", "2024-02-15", "x@y.test", "-1", "25.00"],   # the hat came back
        ["5003", "2024-03-10", "x@y.test", "2", "10.00"],
        ["5003", "2024-03-12", "x@y.test", "-1", "10.00"],   # one of two came back
    ]
    data = read_orders(rows)
    assert counts(data) == {"x@y.test": (2, 40.0)}
    assert dict(zip(data.report.skipped["row"], data.report.skipped["reason"])) == {
        3: "refunded or returned", 4: "refunded or returned"}
    assert data.report.rows_used + sum(data.report.rows_skipped.values()) == data.report.rows_read
    assert any("returned in full" in n for n in data.report.notes)


def test_a_refund_column_equal_to_the_total_takes_the_order_out():
    rows = [
        ["Order", "Email", "Date", "Total", "Refunded Amount"],
        ["#1", "ann@x.test", "2024-01-01", "80.00", "80.00"],
        ["#2", "ann@x.test", "2024-02-01", "60.00", "20.00"],
        ["#3", "bob@x.test", "2024-02-03", "30.00", ""],
    ]
    data = read_orders(rows)
    assert counts(data) == {"ann@x.test": (1, 40.0), "bob@x.test": (1, 30.0)}
    assert data.report.skipped[["row", "reason", "detail"]].values.tolist() == [[2, "refunded or returned",
                                                                                  "returned in full"]]


def test_a_return_naming_no_order_does_not_remove_a_purchase():
    """Taken off the customer's value, but the customer did buy twice: the return is worth
    no order's full value."""
    rows = [
        ["Customer", "Date", "Amount"],
        ["C1", "2024-01-01", "50"],
        ["C1", "2024-02-01", "20"],
        ["C1", "2024-02-05", "-15"],
    ]
    data = read_orders(rows)
    assert counts(data) == {"C1": (2, 55.0)}
    assert data.report.rows_skipped == {}


def test_a_return_naming_no_order_worth_a_whole_earlier_order_returns_that_order():
    """UCI Online Retail's customer 12346: invoice 541431 for 74,215 jars, cancelled in full
    by C541433 minutes later. The cancellation names no order, but it is worth exactly
    what that order was: the order is returned in full and is not a purchase."""
    rows = [
        ["InvoiceNo", "StockCode", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID"],
        ["541400", "85123A", "6", "1/10/2011 09:00", "2.55", "12347"],
        ["541431", "23166", "74215", "1/18/2011 10:01", "1.04", "12346"],
        ["C541433", "23166", "-74215", "1/18/2011 10:17", "1.04", "12346"],
        ["541500", "85123A", "2", "1/20/2011 09:00", "2.55", "12347"],
        ["C541501", "85123A", "-2", "1/21/2011 09:00", "2.55", "12347"],   # returns the 20th's order
        ["C541502", "85123A", "-1", "1/22/2011 09:00", "2.55", "12347"],   # part of an order: value only
    ]
    data = read_orders(rows)
    assert counts(data) == {"12347": (1, 12.75)}
    assert data.report.rows_skipped == {"refunded or returned": 4}
    assert any("worth exactly what one of the same customer's earlier orders" in n for n in data.report.notes)


def test_two_returns_of_one_value_take_out_two_orders_not_one_twice():
    rows = [["Customer", "Date", "Amount"]]
    rows += [["C1", f"2024-0{m}-01", "20"] for m in (1, 2, 3)]
    rows += [["C1", "2024-03-05", "-20"], ["C1", "2024-03-06", "-20"]]
    data = read_orders(rows)
    assert counts(data) == {"C1": (1, 20.0)}
