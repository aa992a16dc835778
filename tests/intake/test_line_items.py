"""Real-shaped order files read with no mapping, each checked per customer against a truth
computed another way (plain pandas on the raw file)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clv_engine import cli
from clv_engine.intake import read_orders

DATA = Path(__file__).resolve().parents[1] / "data" / "intake"


def per_customer(data) -> pd.DataFrame:
    """orders, value, first and last order date per customer from read_orders' result."""
    o = data.orders
    out = o.groupby(o["customer_id"].astype(str), observed=True).agg(
        orders=("amount", "size"), value=("amount", "sum"), first=("date", "min"), last=("date", "max"))
    out["first"] = out["first"].dt.normalize()
    out["last"] = out["last"].dt.normalize()
    return out.sort_index()


def same(actual: pd.DataFrame, truth: pd.DataFrame) -> None:
    truth = truth.sort_index()
    assert list(actual.index) == list(truth.index)
    assert actual["orders"].tolist() == truth["orders"].tolist()
    np.testing.assert_allclose(actual["value"].to_numpy(float), truth["value"].to_numpy(float), atol=0.005)
    assert (actual["first"].to_numpy() == pd.to_datetime(truth["first"]).dt.normalize().to_numpy()).all()
    assert (actual["last"].to_numpy() == pd.to_datetime(truth["last"]).dt.normalize().to_numpy()).all()
    assert (actual["value"] >= 0).all()


def accounts_for_every_row(data) -> None:
    r = data.report
    assert r.rows_read == r.rows_used + len(r.skipped)
    assert r.skipped["row"].is_unique


def uci_truth(raw: pd.DataFrame, invoice: str, price: str, customer: str, date_format: str | None) -> pd.DataFrame:
    """The analyst's way: drop exact duplicates and rows without a customer; a line is
    quantity × price; C invoices are cancellations (not orders) taken off the customer's
    value; a C invoice worth exactly what one of the customer's orders on or before it was
    worth cancels that order (the latest such one), which is then no order; a customer's
    value never goes below zero."""
    df = raw.drop_duplicates()
    df = df[df[customer].fillna("") != ""].copy()
    df["cust"] = df[customer].str.replace(r"\.0$", "", regex=True)
    df["value"] = df["Quantity"].astype(float) * df[price].astype(float)
    df["date"] = pd.to_datetime(df["InvoiceDate"], format=date_format)
    cancel = df[invoice].str.startswith("C")
    invoices = df.groupby(invoice).agg(cust=("cust", "first"), date=("date", "max"), value=("value", "sum"))
    invoices["cents"] = (invoices["value"] * 100).round().astype(int)
    cancelled = set()
    for number, c in invoices[invoices.index.str.startswith("C")].sort_values("date").iterrows():
        candidates = invoices[(invoices["cust"] == c["cust"]) & (invoices["cents"] == -c["cents"])
                              & (invoices["date"] <= c["date"]) & ~invoices.index.str.startswith("C")
                              & ~invoices.index.isin(cancelled)]
        if len(candidates):
            cancelled.add(candidates.sort_values("date").index[-1])
    orders = df[~cancel & ~df[invoice].isin(cancelled)]
    truth = orders.groupby("cust").agg(orders=(invoice, "nunique"), first=("date", "min"), last=("date", "max"))
    value = df.groupby("cust")["value"].sum().clip(lower=0)
    truth["value"] = value.reindex(truth.index)
    return truth


def test_online_retail_quantity_times_unit_price_with_c_cancellations():
    path = DATA / "online_retail.csv"
    data = read_orders(path)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    same(per_customer(data), uci_truth(raw, "InvoiceNo", "UnitPrice", "CustomerID", "%m/%d/%Y %H:%M"))
    accounts_for_every_row(data)
    r = data.report
    assert r.value_source == "quantity"
    assert r.mapping["quantity"] == "Quantity" and r.mapping["unit_price"] == "UnitPrice"
    assert "amount" not in r.mapping
    # ids as written: 17850, not 17850.0
    assert "17850" in set(data.orders["customer_id"].astype(str))
    assert not data.orders["customer_id"].astype(str).str.endswith(".0").any()
    # cancellation invoices are never orders
    assert not data.orders["order_id"].astype(str).str.startswith("C").any()
    # two orders cancelled in full by a C invoice of the same value (12346's 74,215 jars)
    assert r.rows_skipped == {"exact duplicate": 2, "no customer": 7, "refund without its order": 1,
                              "refunded or returned": 4}
    assert r.duplicates == {"rows": 2, "value": 4.2, "dropped": True, "kept_as_purchases": 0}
    # ten C invoices of customers with orders (eleven lines), one of a customer without;
    # two of the ten are worth a whole earlier order and cancel it
    # (a C invoice names no order: the two matched by their value are counted apart from the one
    # negative line inside its own order, and the note says "matched by their value")
    assert r.returns["named"] == 1 and r.returns["matched_by_value"] == 2
    assert r.returns["unnamed"] == 8 and r.returns["left_out"] == 1
    assert not any(n.startswith("Returns that name their order") for n in r.notes)
    assert any(n.startswith("Returns matched to an order by their value were netted against it: returns 2")
               for n in r.notes)
    note = next(n for n in r.notes if n.startswith("Cancellation invoices"))
    assert "invoices 8, file rows 9" in note
    assert r.date_order == "MDY" and "12/14/2010" in r.date_order_why
    assert (data.orders["amount"] >= 0).all()


def test_online_retail_non_product_lines_reported_and_left_out_on_request():
    path = DATA / "online_retail.csv"
    kept = read_orders(path)
    np_lines = kept.report.non_product
    # POST ×3 (one customer-less DOT line is skipped first), M ×3, BANK CHARGES, CRUK, D Discount
    assert np_lines["kinds"] == {"shipping": 5, "manual adjustment": 3, "fee": 2, "discount": 1}
    assert np_lines["excluded"] is False
    left_out = read_orders(path, exclude_non_product=True)
    assert left_out.report.rows_skipped["not a product"] == 11
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    products = raw[~raw["StockCode"].isin(["POST", "DOT", "M", "D", "BANK CHARGES", "AMAZONFEE", "CRUK"])]
    same(per_customer(left_out), uci_truth(products, "InvoiceNo", "UnitPrice", "CustomerID", "%m/%d/%Y %H:%M"))
    accounts_for_every_row(left_out)
    # the line table carries each kept line's value and kind
    lines = kept.lines
    assert set(lines["non_product"]) >= {"", "shipping", "fee"}
    assert lines["value"][lines["is_return"]].lt(0).all()


def test_online_retail_ii_headers_and_price():
    path = DATA / "online_retail_ii.csv"
    data = read_orders(path)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    same(per_customer(data), uci_truth(raw, "Invoice", "Price", "Customer ID", None))
    accounts_for_every_row(data)
    assert data.report.mapping["unit_price"] == "Price"


def test_duplicates_can_be_kept():
    path = DATA / "online_retail_ii.csv"
    data = read_orders(path, duplicates="keep")
    assert "exact duplicate" not in data.report.rows_skipped
    assert data.report.duplicates["rows"] == 1 and data.report.duplicates["dropped"] is False
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    with_dups = uci_truth(raw, "Invoice", "Price", "Customer ID", None)
    dropped = per_customer(read_orders(path))
    assert per_customer(data).loc["13078", "value"] == pytest.approx(dropped.loc["13078", "value"] + 3 * 5.95)
    assert with_dups.loc["13078", "value"] == pytest.approx(dropped.loc["13078", "value"])


def test_superstore_sales_are_line_totals_and_state_is_not_a_status():
    path = DATA / "superstore.csv"
    data = read_orders(path)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    raw["Sales"] = raw["Sales"].astype(float)
    raw["date"] = pd.to_datetime(raw["Order Date"], format="%m/%d/%Y")
    truth = raw.groupby("Customer ID").agg(orders=("Order ID", "nunique"), value=("Sales", "sum"),
                                           first=("date", "min"), last=("date", "max"))
    same(per_customer(data), truth)
    accounts_for_every_row(data)
    r = data.report
    assert r.mapping["amount"] == "Sales" and "status" not in r.mapping
    assert any("'State' was not used as the status" in n for n in r.notes)
    assert "date" in r.mapping and r.mapping["date"] == "Order Date"
    assert "CG-12520" in set(data.orders["customer_id"].astype(str))
    # the discount is a rate and the sales already hold it: no disagreement, nothing taken off
    assert not any("differs" in n for n in r.notes)
    assert data.customers.loc["CG-12520", "State"] == "Kentucky"


def test_order_total_wins_over_lines_and_the_gap_is_reported():
    path = DATA / "line_items_with_total.csv"
    data = read_orders(path)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    orders = raw.drop_duplicates("Order Number")
    orders = orders.assign(value=orders["Order Total"].astype(float), date=pd.to_datetime(orders["Order Date"]))
    truth = orders.groupby("Customer Email").agg(orders=("Order Number", "size"), value=("value", "sum"),
                                                 first=("date", "min"), last=("date", "max"))
    same(per_customer(data), truth)
    note = next(n for n in data.report.notes if "differs" in n)
    assert "On 1 of 6 orders" in note and "5.95" in note and "'Qty' × 'Unit Price'" in note


def test_a_gap_on_the_only_order_says_order():
    from clv_engine.intake.lines import compare_totals

    notes = []
    compare_totals(pd.DataFrame({"amount": [10.0]}, index=["o1"]), pd.Series([4.0, 5.0]), pd.Series(["o1", "o1"]),
                   {"amount": "Total", "line_total": "Line Total"}, None, notes)
    assert notes == ["On 1 of 1 order the total in 'Total' differs from the sum of the lines ('Line Total') by 1.00 "
                     "in all; the order totals were used."]


def test_returns_naming_their_order_are_netted_against_it():
    path = DATA / "returns_named.csv"
    data = read_orders(path)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    raw["Amount"] = raw["Amount"].astype(float)
    sales = raw[raw["Type"] == "Sale"].set_index("Order ID")
    value = sales["Amount"].copy()
    for _, ret in raw[raw["Type"] == "Return"].iterrows():
        if ret["Original Order"] in value.index:
            value[ret["Original Order"]] -= ret["Amount"]
        else:  # names an order not in the file: the customer's latest order before it
            mine = sales[(sales["Customer ID"] == ret["Customer ID"]) & (sales["Date"] <= ret["Date"])]
            value[mine["Date"].idxmax()] -= ret["Amount"]
    sales = sales.assign(value=value, date=pd.to_datetime(sales["Date"]))
    # an order its own return names and takes back in full is no purchase (S-101)
    named_back = raw[raw["Type"] == "Return"].groupby("Original Order")["Amount"].sum()
    sales = sales[~(named_back.reindex(sales.index).fillna(0) >= sales["Amount"])]
    truth = sales.groupby("Customer ID").agg(orders=("value", "size"), value=("value", "sum"),
                                             first=("date", "min"), last=("date", "max"))
    same(per_customer(data), truth)
    by_order = data.orders.set_index(data.orders["order_id"].astype(str))["amount"]
    assert by_order["S-100"] == pytest.approx(75.0) and by_order["S-102"] == pytest.approx(60.0)
    assert "S-101" not in by_order.index
    skipped = dict(zip(data.report.skipped["row"], data.report.skipped["reason"]))
    assert skipped == {3: "refunded or returned", 7: "refunded or returned"}  # S-101 and R-901
    assert data.report.returns["named"] == 2 and data.report.returns["unnamed"] == 1
    assert data.report.mapping["original_order"] == "Original Order"


def test_amount_and_refund_columns_with_day_first_dates():
    path = DATA / "amount_refund.csv"
    data = read_orders(path)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    raw["value"] = raw["Amount"].astype(float) - pd.to_numeric(raw["Refund"]).fillna(0)
    raw["date"] = pd.to_datetime(raw["Date"], format="%d/%m/%Y")
    raw = raw[(raw["value"] > 0) | (raw["Amount"].astype(float) <= 0)]  # refunded in full: no purchase
    truth = raw.groupby("Customer").agg(orders=("value", "size"), value=("value", "sum"),
                                        first=("date", "min"), last=("date", "max"))
    same(per_customer(data), truth)
    assert data.report.mapping["refund"] == "Refund"
    assert any(n.startswith("Refunds in 'Refund'") and "orders 2" in n for n in data.report.notes)


def test_cdnow_style_dollar_value_and_zero_padded_ids():
    path = DATA / "cdnow_style.csv"
    data = read_orders(path)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    raw["value"] = raw["dollar_value"].astype(float)
    raw["date"] = pd.to_datetime(raw["date"], format="%Y%m%d")
    truth = raw.groupby("customer_id").agg(orders=("value", "size"), value=("value", "sum"),
                                           first=("date", "min"), last=("date", "max"))
    same(per_customer(data), truth)
    assert data.report.mapping["amount"] == "dollar_value"
    assert "00001" in set(data.orders["customer_id"].astype(str))


def test_german_invoice_lines_with_discount_amounts():
    path = DATA / "rechnungen_de.csv"
    data = read_orders(path)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, sep=";")

    def num(col):
        return pd.to_numeric(col.str.replace(",", ".", regex=False).replace("", "0"))

    raw["value"] = num(raw["Menge"]) * num(raw["Einzelpreis"]) - num(raw["Rabatt"])
    raw["date"] = pd.to_datetime(raw["Datum"], format="%d.%m.%Y")
    truth = raw.groupby("Kundennummer").agg(orders=("Rechnungsnummer", "nunique"), value=("value", "sum"),
                                            first=("date", "min"), last=("date", "max"))
    same(per_customer(data), truth)
    assert data.report.mapping["discount"] == "Rabatt"
    assert data.report.non_product["kinds"] == {"shipping": 1}


@pytest.mark.parametrize("name", ["online_retail.csv", "online_retail_ii.csv", "superstore.csv",
                                  "line_items_with_total.csv", "returns_named.csv", "amount_refund.csv",
                                  "cdnow_style.csv", "rechnungen_de.csv", "cdnow_master_head.txt",
                                  "sales_data_sample.csv"])
def test_cli_with_no_map_gives_the_same_customers(tmp_path, name):
    out = tmp_path / "out"
    code = cli.main(["analyze", str(DATA / name), "--out", str(out), "--method", "historical", "--no-report", "-q"])
    assert code == 0
    customers = pd.read_csv(out / "customers.csv", dtype={"customer_id": str})
    data = per_customer(read_orders(DATA / name))
    customers = customers.set_index("customer_id").loc[data.index]
    assert customers["orders"].tolist() == data["orders"].tolist()
    np.testing.assert_allclose(customers["total_value"], data["value"], atol=0.01)
    assert customers["first_order"].tolist() == data["first"].dt.strftime("%Y-%m-%d").tolist()
    assert customers["last_order"].tolist() == data["last"].dt.strftime("%Y-%m-%d").tolist()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["rows_read"] == summary["rows_used"] + sum(summary["rows_skipped"].values())
    assert not customers.index.str.endswith(".0").any()


def test_cdnow_purchase_log_lined_up_with_spaces_keeps_same_day_repeats():
    path = DATA / "cdnow_master_head.txt"
    data = read_orders(path)
    raw = pd.read_csv(path, sep=r"\s+", dtype=str)
    raw["value"] = raw["dollar_value"].astype(float)
    raw["date"] = pd.to_datetime(raw["date"], format="%Y%m%d")
    truth = raw.groupby("customer_id").agg(orders=("value", "size"), value=("value", "sum"),
                                           first=("date", "min"), last=("date", "max"))
    same(per_customer(data), truth)
    assert data.report.duplicates["kept_as_purchases"] == 3 and not data.report.rows_skipped
    dropped = read_orders(path, duplicates="drop")
    assert dropped.report.rows_skipped == {"exact duplicate": 3}
    # 00499 bought 1 CD for 11.49 twice and 1 CD for 15.49 twice on 1997-10-01
    assert per_customer(dropped).loc["00499", "orders"] == per_customer(data).loc["00499", "orders"] - 2


def test_sales_data_sample_sales_per_line_with_quantity_and_price_each():
    path = DATA / "sales_data_sample.csv"
    data = read_orders(path)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    # the status vocabulary leaves out cancelled orders and disputed ones (charged back)
    raw = raw[~raw["STATUS"].isin(["Cancelled", "Disputed"])].copy()
    raw["value"] = raw["SALES"].astype(float)
    raw["date"] = pd.to_datetime(raw["ORDERDATE"], format="%m/%d/%Y %H:%M")
    raw["customer"] = raw["CUSTOMERNAME"].str.casefold()
    truth = raw.groupby("customer").agg(orders=("ORDERNUMBER", "nunique"), value=("value", "sum"),
                                        first=("date", "min"), last=("date", "max"))
    same(per_customer(data), truth)
    r = data.report
    assert r.mapping["quantity"] == "QUANTITYORDERED" and r.mapping["unit_price"] == "PRICEEACH"
    assert r.mapping["amount"] == "SALES" and r.mapping["status"] == "STATUS"
    lines = raw["QUANTITYORDERED"].astype(float) * raw["PRICEEACH"].astype(float)
    gap = (raw["value"] - lines).groupby(raw["ORDERNUMBER"]).sum().abs()
    expected = f"On {int((gap > 0.005).sum())} of {len(gap)} orders the total in 'SALES' differs"
    assert any(n.startswith(expected) for n in r.notes)


def test_orders_brought_to_zero_by_returns_of_other_orders_are_not_called_free(tmp_path):
    """A return naming no order is taken off the customer's latest orders; those orders are
    not 'worth 0 (free …)' in the file, and the note about free orders counts only b's."""
    path = tmp_path / "o.csv"
    path.write_text("Invoice,Customer,Date,Amount\n1,a,2024-01-05,10.00\n2,a,2024-02-05,5.00\n"
                    "C3,a,2024-03-05,-15.00\n4,b,2024-01-09,0.00\n5,b,2024-02-09,20.00\n", encoding="utf-8")
    notes = " ".join(read_orders(path).report.notes)
    assert "1 order is worth 0 (free" in notes and "2 orders are worth 0" not in notes
