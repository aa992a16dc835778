"""The rules behind line values, returns, content checks, ids and date order, one at a time."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clv_engine.errors import InputError
from clv_engine.intake import read_orders


def amounts(data) -> dict[str, float]:
    o = data.orders
    return o.groupby(o["customer_id"].astype(str), observed=True)["amount"].sum().round(2).to_dict()


def test_discount_rate_between_zero_and_one_is_a_share_of_the_line():
    data = read_orders([["Order", "Customer", "Date", "Qty", "Unit Price", "Discount"],
                        ["1", "A", "2024-01-02", "2", "50.00", "0.2"],
                        ["1", "A", "2024-01-02", "1", "10.00", "0"],
                        ["2", "B", "2024-01-03", "3", "10.00", "0.5"]])
    assert amounts(data) == {"A": 2 * 50 * 0.8 + 10, "B": 15.0}
    assert any("holds rates" in n for n in data.report.notes)


def test_discount_written_with_percent_signs():
    data = read_orders([["Order", "Customer", "Date", "Qty", "Unit Price", "Discount"],
                        ["1", "A", "2024-01-02", "2", "50.00", "10%"],
                        ["2", "B", "2024-01-03", "1", "40.00", ""]])
    assert amounts(data) == {"A": 90.0, "B": 40.0}


def test_discount_amounts_are_taken_off_the_line():
    data = read_orders([["Order", "Customer", "Date", "Qty", "Unit Price", "Discount"],
                        ["1", "A", "2024-01-02", "2", "50.00", "5.00"],
                        ["2", "B", "2024-01-03", "1", "40.00", "1.50"]])
    assert amounts(data) == {"A": 95.0, "B": 38.5}


def test_a_lone_price_column_is_the_order_amount():
    data = read_orders([["Customer", "Date", "Price"], ["A", "2024-01-02", "12.00"], ["A", "2024-02-02", "8.00"]])
    assert data.report.mapping["amount"] == "Price"
    assert amounts(data) == {"A": 20.0}


def test_quantity_without_price_names_what_is_missing(tmp_path):
    path = tmp_path / "lines.csv"
    path.write_text("Customer,Date,Quantity\nA,2024-01-02,2\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_orders(path)
    text = str(err.value)
    assert "no order amount column" in text and "'Quantity' is the quantity" in text
    assert "--map unit_price=COLUMN" in text


def test_blank_or_unreadable_line_values_are_skipped_with_their_cells():
    data = read_orders([["Invoice", "Customer", "Date", "Quantity", "UnitPrice"],
                        ["1", "A", "2024-01-02", "2", "3.00"],
                        ["1", "A", "2024-01-02", "", ""],
                        ["2", "B", "2024-01-03", "x", "3.00"],
                        ["3", "B", "2024-01-04", "1", "4.00"],
                        ["4", "B", "2024-01-05", "1", "5.00"]])
    skipped = data.report.skipped.set_index("row")
    assert skipped.loc[3, "reason"] == "unreadable amount"
    assert skipped.loc[3, "detail"] == "Quantity (blank), UnitPrice (blank)"
    assert skipped.loc[4, "detail"] == "Quantity x, UnitPrice 3.00"
    assert amounts(data) == {"A": 6.0, "B": 9.0}


def test_negative_quantity_with_a_positive_amount_is_a_return():
    data = read_orders([["Order", "Customer", "Date", "Quantity", "Amount"],
                        ["1", "A", "2024-01-02", "2", "30.00"],
                        ["2", "A", "2024-01-05", "-1", "15.00"]])
    assert amounts(data) == {"A": 15.0}
    assert len(data.orders) == 1


def test_credit_notes_by_type_are_returns_never_orders():
    data = read_orders([["Invoice", "Type", "Customer", "Date", "Amount"],
                        ["I-1", "Invoice", "A", "2024-01-02", "100.00"],
                        ["I-2", "Invoice", "A", "2024-02-02", "40.00"],
                        ["CN-1", "Credit Note", "A", "2024-03-01", "30.00"]])
    assert amounts(data) == {"A": 110.0}
    assert sorted(data.orders["order_id"].astype(str)) == ["I-1", "I-2"]
    by_order = data.orders.set_index(data.orders["order_id"].astype(str))["amount"]
    assert by_order["I-2"] == 10.0  # the latest order before the credit note
    assert data.orders["date"].max() == pd.Timestamp("2024-02-02")


def test_a_return_larger_than_its_latest_order_never_makes_an_order_negative():
    data = read_orders([["InvoiceNo", "CustomerID", "InvoiceDate", "Quantity", "UnitPrice"],
                        ["100", "7", "2024-01-02", "10", "5.00"],
                        ["101", "7", "2024-01-09", "1", "5.00"],
                        ["C102", "7", "2024-01-10", "-4", "5.00"]])
    by_order = data.orders.set_index(data.orders["order_id"].astype(str))["amount"]
    # 101 (5.00) takes 5.00 of the 20.00 return, its earlier order 100 (50.00) the other 15.00
    assert by_order.to_dict() == {"100": 35.0, "101": 0.0}
    assert data.report.returns["unnamed"] == 1


def test_state_and_type_columns_without_status_words_are_not_statuses():
    data = read_orders([["Customer", "Order Date", "Sales", "State", "Type"],
                        ["A", "2024-01-02", "10.00", "Texas", "Consumer"],
                        ["B", "2024-01-03", "12.00", "Ohio", "Corporate"],
                        ["C", "2024-01-04", "9.00", "Cancelled Creek", "Consumer"]])
    assert "status" not in data.report.mapping
    assert len(data.orders) == 3


def test_a_date_column_of_words_gives_way_to_one_of_dates():
    data = read_orders([["Customer", "Date", "Order Date", "Total"],
                        ["A", "Monday", "2024-01-02", "10.00"],
                        ["B", "Tuesday", "2024-01-03", "12.00"]])
    assert data.report.mapping["date"] == "Order Date"
    assert any("'Date' was not used as the date" in n for n in data.report.notes)


def test_a_value_column_of_words_gives_way_to_one_of_money():
    data = read_orders([["Customer", "Date", "Value", "Revenue"],
                        ["A", "2024-01-02", "high", "10.00"],
                        ["B", "2024-01-03", "low", "12.00"]])
    assert data.report.mapping["amount"] == "Revenue"


@pytest.mark.parametrize("header", ["Sales", "Revenue", "Net sales", "Gross sales", "Value", "dollar_value",
                                    "Umsatz", "Montant", "Importe", "Bedrag", "Valor", "Line total", "Item total"])
def test_money_headers_real_exports_use(header):
    data = read_orders([["Customer", "Date", header], ["A", "2024-01-02", "10.00"], ["A", "2024-02-02", "5.00"]])
    assert amounts(data) == {"A": 15.0}


@pytest.mark.parametrize("header", ["Refund", "Refunded", "Returned", "Erstattung", "Remboursement", "Reembolso"])
def test_refund_headers(header):
    data = read_orders([["Customer", "Date", "Amount", header], ["A", "2024-01-02", "10.00", "4.00"],
                        ["A", "2024-02-02", "5.00", ""]])
    assert data.report.mapping["refund"] == header
    assert amounts(data) == {"A": 11.0}


def test_ids_keep_their_text_and_lose_only_a_float_tail():
    data = read_orders([["Customer ID", "Order ID", "Date", "Total"],
                        ["00123", "A-1", "2024-01-02", "10.00"],
                        ["CG-12520", "A-2", "2024-01-03", "12.00"]])
    assert set(data.orders["customer_id"].astype(str)) == {"00123", "CG-12520"}
    floats = read_orders([["Customer ID", "Order ID", "Date", "Total"],
                          ["17850.0", "536365.0", "2024-01-02", "10.00"],
                          ["13047", "536366.0", "2024-01-03", "12.00"]])
    assert set(floats.orders["customer_id"].astype(str)) == {"17850", "13047"}
    assert set(floats.orders["order_id"].astype(str)) == {"536365", "536366"}
    mixed = read_orders([["Customer ID", "Date", "Total"], ["1.5", "2024-01-02", "10.00"],
                         ["2.0", "2024-01-03", "12.00"]])
    assert set(mixed.orders["customer_id"].astype(str)) == {"1.5", "2.0"}


def test_dates_settled_by_row_order_when_no_day_is_above_twelve():
    rows = [["Customer", "Date", "Total"]] + [[c, d, "10"] for c, d in
                                              [("A", "01/02/2024"), ("B", "03/02/2024"), ("A", "07/02/2024"),
                                               ("C", "02/03/2024"), ("B", "09/03/2024")]]
    data = read_orders(rows)
    # read month/day the rows would jump Jan 2 -> Mar 2 -> Jul 2 -> Feb 3: only day/month is in order
    assert data.report.date_order == "DMY" and not data.report.date_order_ambiguous
    assert "date order" in data.report.date_order_why
    assert data.orders["date"].min() == pd.Timestamp("2024-02-01")
    flat = read_orders([["Customer", "Date", "Total"], ["A", "01/02/2024", "1"], ["B", "01/02/2024", "1"]])
    assert flat.report.date_order_ambiguous


def test_dates_settled_by_the_order_numbers_when_neither_a_day_nor_the_row_order_does():
    # orders 1001..1020 placed a week apart from 1 Jan 2024 (days 1-12 only), rows shuffled
    placed = [(1001 + i, pd.Timestamp("2024-01-01") + pd.Timedelta(days=7 * i)) for i in range(48)]
    placed = [p for p in placed if p[1].day <= 12]
    shuffled = [placed[i] for i in np.random.default_rng(3).permutation(len(placed))]
    rows = [["Order", "Customer", "Date", "Total"]] + [[str(n), f"C{n % 4}", d.strftime("%d/%m/%Y"), "10"]
                                                      for n, d in shuffled]
    data = read_orders(rows)
    assert data.report.date_order == "DMY" and not data.report.date_order_ambiguous
    assert "order numbers" in data.report.date_order_why
    assert data.orders["date"].min() == pd.Timestamp("2024-01-01")
    # without order numbers the file stays ambiguous
    assert read_orders([r[1:] for r in rows]).report.date_order_ambiguous


def test_dates_written_with_dots_are_day_month_when_no_day_settles_it():
    rows = [["Kunde", "Datum", "Betrag"], ["A", "05.03.2024", "1,50"], ["B", "01.02.2024", "2,00"],
            ["A", "12.11.2024", "3"]]
    data = read_orders(rows)
    assert data.report.date_order == "DMY" and not data.report.date_order_ambiguous
    assert "dots" in data.report.date_order_why
    assert data.orders["date"].min() == pd.Timestamp("2024-02-01")
    # the user's choice still decides
    assert read_orders(rows, date_order="MDY").orders["date"].min() == pd.Timestamp("2024-01-02")


def test_non_product_lines_in_a_file_of_order_totals_come_off_the_order():
    rows = [["Order", "Customer", "Date", "Description", "Qty", "Unit Price", "Order Total"],
            ["1", "A", "2024-01-02", "Teapot", "1", "30.00", "34.95"],
            ["1", "A", "2024-01-02", "Shipping", "1", "4.95", "34.95"],
            ["2", "B", "2024-01-03", "Postage stamp album", "1", "12.00", "12.00"]]
    kept = read_orders(rows)
    assert kept.report.non_product["kinds"] == {"shipping": 1}
    assert amounts(kept) == {"A": 34.95, "B": 12.0}
    left_out = read_orders(rows, exclude_non_product=True)
    assert amounts(left_out) == {"A": 30.0, "B": 12.0}


def test_unknown_duplicates_rule_is_refused():
    with pytest.raises(InputError):
        read_orders([["Customer", "Date", "Total"], ["A", "2024-01-02", "1"]], duplicates="maybe")


def test_a_price_column_that_grows_with_the_quantity_is_the_line_total():
    # the shape of a public "customer shopping" data set: price = unit price × quantity
    unit = {"Clothing": 300.08, "Shoes": 600.17, "Books": 15.15, "Toys": 35.84}
    rows = [["invoice_no", "customer_id", "category", "quantity", "price", "invoice_date"]]
    truth: dict[str, float] = {}
    for i in range(40):
        category = list(unit)[i % 4]
        quantity = 1 + i % 5
        customer = f"C{i % 7}"
        rows.append([f"I{i}", customer, category, str(quantity), f"{unit[category] * quantity:.2f}",
                     f"{1 + i % 28}/{1 + i % 12}/2022"])
        truth[customer] = round(truth.get(customer, 0.0) + round(unit[category] * quantity, 2), 2)
    data = read_orders(rows)
    assert amounts(data) == truth
    assert any("holds each line's total" in n for n in data.report.notes)


def test_a_real_unit_price_is_multiplied_by_the_quantity():
    rows = [["Invoice", "Customer ID", "Quantity", "Price", "InvoiceDate"]]
    truth: dict[str, float] = {}
    for i in range(40):
        quantity, price = 1 + (i * 7) % 11, round(0.85 + (i * 13) % 17 * 0.4, 2)
        customer = f"{12000 + i % 5}"
        rows.append([str(500000 + i), customer, str(quantity), f"{price:.2f}", f"2010-12-{1 + i % 28:02d} 10:00:00"])
        truth[customer] = round(truth.get(customer, 0.0) + quantity * price, 2)
    assert amounts(read_orders(rows)) == truth


def test_a_return_line_in_a_file_of_repeated_order_totals_is_worth_its_line():
    data = read_orders([["Order", "Customer", "Date", "Product", "Qty", "Price", "Order Total"],
                        ["1", "A", "2024-01-02", "Teapot", "1", "30.00", "42.00"],
                        ["1", "A", "2024-01-02", "Cup", "2", "6.00", "42.00"],
                        ["1", "A", "2024-01-02", "Cup", "-1", "6.00", "42.00"],
                        ["2", "B", "2024-01-03", "Cup", "1", "6.00", "6.00"]])
    assert amounts(data) == {"A": 36.0, "B": 6.0}


def test_a_credit_note_repeating_its_total_on_each_line_counts_once():
    data = read_orders([["Invoice", "Type", "Customer", "Date", "Item", "Total"],
                        ["I-1", "Invoice", "A", "2024-01-02", "Teapot", "100.00"],
                        ["I-1", "Invoice", "A", "2024-01-02", "Cups", "100.00"],
                        ["CN-1", "Credit Note", "A", "2024-01-09", "Cups", "30.00"],
                        ["CN-1", "Credit Note", "A", "2024-01-09", "Saucers", "30.00"],
                        ["I-2", "Invoice", "B", "2024-01-03", "Cups", "50.00"]])
    assert amounts(data) == {"A": 70.0, "B": 50.0}
    assert not data.report.rows_skipped


def test_a_state_column_of_new_york_and_new_jersey_is_still_not_a_status():
    data = read_orders([["Customer", "Order Date", "Sales", "State"],
                        ["A", "2024-01-02", "10.00", "New York"],
                        ["B", "2024-01-03", "12.00", "New Jersey"],
                        ["C", "2024-01-04", "9.00", "New York"]])
    assert "status" not in data.report.mapping


def test_line_amounts_that_happen_to_be_equal_are_still_added_up():
    # every order has two lines of the same value: without quantity × price this would look
    # like an order total repeated on each line
    data = read_orders([["Order", "Customer", "Date", "Qty", "Price", "Amount"],
                        ["1", "A", "2024-01-02", "2", "6.00", "12.00"],
                        ["1", "A", "2024-01-02", "1", "12.00", "12.00"],
                        ["2", "B", "2024-01-03", "1", "5.00", "5.00"],
                        ["2", "B", "2024-01-03", "5", "1.00", "5.00"]])
    assert amounts(data) == {"A": 24.0, "B": 10.0}


def test_order_totals_repeated_on_lines_stay_totals_when_most_orders_have_one_line():
    rows = [["Order", "Customer", "Date", "Qty", "Price", "Order Total"]]
    rows += [[str(i), f"C{i}", "2024-01-02", "1", "10.00", "10.00"] for i in range(20)]
    rows += [["99", "Z", "2024-01-03", "1", "10.00", "25.00"], ["99", "Z", "2024-01-03", "1", "15.00", "25.00"]]
    assert amounts(read_orders(rows))["Z"] == 25.0


def test_a_returned_line_with_negative_quantity_is_netted_not_dropped_as_a_refunded_order():
    data = read_orders([["Invoice", "Status", "Customer", "Date", "Quantity", "Unit Price"],
                        ["1", "Shipped", "A", "2024-01-02", "3", "10.00"],
                        ["2", "Returned", "A", "2024-01-05", "-1", "10.00"],
                        ["3", "Returned", "B", "2024-01-06", "2", "10.00"],
                        ["4", "Shipped", "B", "2024-01-07", "1", "10.00"]])
    # A's return comes off A's order; B's order 3 was returned in full and is left out
    assert amounts(data) == {"A": 20.0, "B": 10.0}
    assert data.report.rows_skipped == {"refunded or returned": 1}
