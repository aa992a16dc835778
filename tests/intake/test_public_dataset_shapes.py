"""Files shaped like real public datasets: Olist's status words and headers, the WooCommerce
Advanced Order Export plugin's refund columns, German order numbers, CDNOW without a header
row, and the notes a person reads about them."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from clv_engine.intake import read_orders
from clv_engine.intake.columns import find_header_row, guess_roles, headerless_header, is_refund_header
from clv_engine.intake.files import read_raw_table
from clv_engine.intake.statuses import status_reasons
from clv_engine.intake.values import cell_example, parse_amounts, parse_dates

CDNOW = Path(__file__).resolve().parents[1] / "data" / "CDNOW_sample.txt"  # as published: no header row


def amounts(data) -> dict[str, float]:
    o = data.orders
    return o.groupby(o["customer_id"].astype(str), observed=True)["amount"].sum().round(2).to_dict()


# --- 1. Olist status words --------------------------------------------------------------------

def test_olist_unavailable_is_cancelled_and_created_is_not_paid():
    words = pd.Series(["unavailable", "created", "delivered", "shipped", "canceled", "invoiced", "processing",
                       "approved", "Unavailable"])
    assert status_reasons(words).tolist() == ["cancelled or failed", "not paid", "", "", "cancelled or failed",
                                              "", "", "", "cancelled or failed"]
    # in a shipping status "created" is no word about payment (only cancelled/refunded count there)
    assert status_reasons(pd.Series(["created"]), payment_only=True).tolist() == [""]


OLIST_HEADER = ["order_id", "customer_id", "customer_unique_id", "order_status", "order_purchase_timestamp",
                "order_approved_at", "order_delivered_customer_date", "customer_city", "freight_value",
                "payment_value"]


def olist_rows():
    return [OLIST_HEADER,
            ["o1", "c1", "U1", "delivered", "2017-01-05 10:00:00", "2017-01-05 11:00:00", "2017-01-12 10:00:00",
             "sao paulo", "8.50", "100.00"],
            ["o2", "c2", "U1", "delivered", "2017-03-05 10:00:00", "2017-03-05 11:00:00", "2017-03-12 10:00:00",
             "sao paulo", "7.00", "50.00"],
            ["o3", "c3", "U2", "unavailable", "2017-04-01 09:00:00", "2017-04-01 09:30:00", "",
             "rio de janeiro", "5.00", "30.00"],
            ["o4", "c4", "U2", "created", "2017-04-02 09:00:00", "", "", "rio de janeiro", "5.00", "20.00"],
            ["o5", "c5", "U2", "canceled", "2017-04-03 09:00:00", "", "", "rio de janeiro", "5.00", "10.00"],
            ["o6", "c6", "U3", "shipped", "2017-05-01 09:00:00", "2017-05-01 10:00:00", "", "curitiba", "9.00",
             "40.00"]]


def test_an_olist_order_table_is_read_by_its_own_headers_and_statuses():
    data = read_orders(olist_rows())
    r = data.report
    assert r.mapping["customer_id"] == "customer_unique_id"
    assert r.mapping["date"] == "order_purchase_timestamp"
    assert r.mapping["amount"] == "payment_value"  # not freight_value, which comes first
    assert r.mapping["order_id"] == "order_id"
    assert r.rows_skipped == {"cancelled or failed": 2, "not paid": 1}
    assert amounts(data) == {"U1": 150.0, "U3": 40.0}


# --- 2. headers real exports use --------------------------------------------------------------

@pytest.mark.parametrize("header", ["customer_unique_id", "Unique Customer ID", "unique_client_id",
                                    "Customer Unique Key"])
def test_a_unique_customer_id_wins_over_a_plain_customer_id(header):
    for headers in (["Customer ID", header, "Date", "Total"], [header, "Customer ID", "Date", "Total"]):
        assert guess_roles(headers)["customer_id"] == header


def test_a_plain_customer_id_still_is_the_customer():
    assert guess_roles(["order_id", "customer_id", "order_purchase_timestamp", "payment_value"]) == {
        "order_id": "order_id", "customer_id": "customer_id", "date": "order_purchase_timestamp",
        "amount": "payment_value"}


@pytest.mark.parametrize("header", ["Bestellnr.", "Bestellnummer", "Auftragsnr.", "Belegnummer"])
def test_german_order_number_headers(header):
    data = read_orders([["Kunde", header, "Datum", "Betrag"],
                        ["K1", "4711", "03.01.2024", "10,00"],
                        ["K1", "4711", "03.01.2024", "5,50"],
                        ["K2", "4712", "13.01.2024", "7,25"]])
    assert data.report.mapping["order_id"] == header
    assert len(data.orders) == 2
    assert amounts(data) == {"K1": 15.5, "K2": 7.25}


@pytest.mark.parametrize("header", ["Order Refund Amount", "Order Refunded", "Refunded (EUR)", "RefundAmount",
                                    "refunded_total", "Betrag erstattet"])
def test_headers_naming_a_refund_are_refunds(header):
    assert is_refund_header(header)


@pytest.mark.parametrize("header", ["Refund Date", "Refunded At", "Refund Reason", "Refund ID", "Qty Refunded",
                                    "Refunded Items", "Refund Tax", "refund_status", "RefundDate",
                                    "Number of refunds", "Refund Method", "Order Total Amount", "Status"])
def test_headers_naming_something_else_about_a_refund_are_not(header):
    assert not is_refund_header(header)


@pytest.mark.parametrize("header", ["Order Refund Amount", "Order Refunded"])
def test_woocommerce_export_plugin_partial_refunds_are_netted(header):
    # Advanced Order Export for WooCommerce (algolplus): one row per line, the order's total
    # and refund repeated on each line
    head = ["Order Number", "Order Status", "Order Date", "Email (Billing)", "Cart Discount Amount",
            "Order Shipping Amount", header, "Order Total Amount", "Order Total Tax Amount", "SKU", "Quantity",
            "Item Cost"]
    rows = [head,
            ["10000", "Completed", "2022-09-03 07:18", "a@x.com", "0", "4.90", "0", "270.15", "43.22", "SKU7", "2",
             "111.02"],
            ["10001", "Completed", "2022-09-16 05:54", "a@x.com", "0", "4.90", "20.00", "100.00", "16.00", "SKU2",
             "1", "50.00"],
            ["10001", "Completed", "2022-09-16 05:54", "a@x.com", "0", "4.90", "20.00", "100.00", "16.00", "SKU3",
             "1", "50.00"],
            ["10002", "Processing", "2022-10-01 12:00", "b@x.com", "0", "0", "5.50", "40.00", "6.40", "SKU1", "1",
             "40.00"]]
    data = read_orders(rows)
    assert data.report.mapping["refund"] == header
    assert data.report.mapping["amount"] == "Order Total Amount"
    assert amounts(data) == {"a@x.com": 350.15, "b@x.com": 34.5}


def test_a_refund_header_over_yes_and_no_is_not_taken_as_money():
    data = read_orders([["Customer", "Date", "Total", "Order Refunded"],
                        ["A", "2024-01-02", "10.00", "no"],
                        ["A", "2024-02-02", "5.00", "no"],
                        ["B", "2024-02-03", "8.00", "yes"]])
    assert "refund" not in data.report.mapping
    assert any("'Order Refunded' was not used as the refund" in n for n in data.report.notes)


def test_a_woocommerce_order_export_nets_its_partial_refunds():
    """WooCommerce "Advanced Order Export" (AlgolPlus) with its default "Order Refund Amount";
    the first 300 rows of the audit's export (tests/data/intake/woo_order_export_refunds.csv)."""
    path = Path(__file__).resolve().parents[1] / "data" / "intake" / "woo_order_export_refunds.csv"
    data = read_orders(path)
    assert data.report.mapping["refund"] == "Order Refund Amount"
    raw = pd.read_csv(path, encoding="utf-8-sig").drop_duplicates("Order Number")
    paid = raw[raw["Order Status"].isin(["Completed", "Processing"])]
    assert (paid["Order Refund Amount"] > 0).sum() == 7
    assert round(float(data.orders["amount"].sum()), 2) == round(float(
        (paid["Order Total Amount"] - paid["Order Refund Amount"]).sum()), 2)
    assert len(data.orders) == len(paid)


# --- 3. no header row -------------------------------------------------------------------------

def grid(rows):
    return read_raw_table(rows).grid


def test_cdnow_as_published_has_no_header_row():
    g = read_raw_table(CDNOW).grid
    found = headerless_header(g, find_header_row(g))
    assert found is not None
    header_row, names, note = found
    assert header_row == 0  # the first line is data
    assert names == ["Customer", "Column 2", "Date", "Column 4", "Total"]
    assert "no header row" in note and "Date (column 3)" in note


@pytest.mark.parametrize("rows, names", [
    ([["a@x.com", "Ann Lee", "2024-01-05", "35.00"], ["b@x.com", "Bo Chan", "2024-01-06", "12.50"],
      ["a@x.com", "Ann Lee", "2024-02-05", "20.00"]], ["Email", "Customer", "Date", "Total"]),
    ([["K01276", "100000", "19.09.2022", "74 €"], ["K01330", "100001", "23.02.2022", "428 €"],
      ["K01114", "100002", "15.04.2022", "1.058 €"]], ["Customer", "Column 2", "Date", "Total"]),
    ([["C1", "9/13/2022 8:43:00 AM", "10.00"], ["C2", "9/14/2022 9:00:00 PM", "11.00"],
      ["C1", "10/02/2022 1:15:00 PM", "12.00"]], ["Customer", "Date", "Total"]),
])
def test_rows_of_values_with_no_header_get_names_by_content(rows, names):
    g = grid(rows)
    found = headerless_header(g, find_header_row(g))
    assert found is not None and found[0] == 0 and found[1] == names


@pytest.mark.parametrize("rows", [
    # ordinary headers, with and without digits in them
    [["Customer", "Date", "Total"], ["A", "2024-01-02", "10.00"], ["B", "2024-01-03", "12.00"]],
    [["customer_id", "date", "quantity", "dollar_value"], ["00001", "19970101", "1", "11.77"],
     ["00002", "19970112", "1", "12.00"]],
    [["Email", "Address 1", "Created at", "Lineitem 1 price"], ["a@x.com", "1 Main St", "2024-01-02", "10.00"],
     ["b@x.com", "2 High St", "2024-01-03", "12.00"]],
    # years as column names over amounts (a pivot), and a table saved with its column numbers
    [["Region", "2023", "2024"], ["North", "100.50", "120.00"], ["South", "80.00", "95.25"]],
    [["0", "1", "2", "3"], ["A", "2024-01-02", "1", "10.00"], ["B", "2024-01-03", "2", "12.00"]],
    [["1", "2", "3"], ["A", "2024-01-02", "10.00"], ["B", "2024-01-03", "12.00"]],
    # a title above the header
    [["Orders 2024", "", ""], ["Customer", "Date", "Total"], ["A", "2024-01-02", "10.00"],
     ["B", "2024-01-03", "12.00"]],
])
def test_a_header_row_is_still_a_header(rows):
    g = grid(rows)
    assert headerless_header(g, find_header_row(g)) is None


def test_cdnow_without_a_header_reads_every_purchase():
    data = read_orders(CDNOW)
    r = data.report
    assert r.rows_read == 6919
    assert data.orders["customer_id"].nunique() == 2357
    assert round(float(data.orders["amount"].sum()), 2) == 244_091.94
    assert r.mapping["date"] == "Date" and r.mapping["amount"] == "Total"
    assert any("no header row" in n for n in r.notes)


def test_a_headerless_list_of_rows_keeps_its_first_row():
    data = read_orders([["a@x.com", "2024-01-05", "35.00"], ["b@x.com", "2024-01-06", "12.50"],
                        ["a@x.com", "2024-02-05", "20.00"]])
    assert data.report.rows_read == 3
    assert amounts(data) == {"a@x.com": 55.0, "b@x.com": 12.5}


# --- 4. messages ------------------------------------------------------------------------------

def test_a_cell_quoted_in_a_message_is_kept_whole_when_short():
    assert cell_example("09/13/2022 8:43:00 AM") == "09/13/2022 8:43:00 AM"
    long = "Thursday, 13 September 2022 08:43:00 Central European Summer Time"
    short = cell_example(long)
    assert short.endswith("…") and len(short) <= 41 and long.startswith(short[:-1])
    assert not short[:-1].endswith(" ")
    assert cell_example("x" * 60) == "x" * 40 + "…"


def test_the_date_that_settles_day_month_order_is_quoted_whole():
    _, info = parse_dates(pd.Series(["09/13/2022 8:43:00 AM", "10/01/2022 9:00:00 PM"]))
    assert info.order == "MDY"
    assert "09/13/2022 8:43:00 AM" in info.why


def test_a_decimal_comma_is_named_only_when_a_cell_has_one():
    _, whole = parse_amounts(pd.Series(["74 €", "1.200 €", "3.990 €", "58 €"]))
    assert whole.decimal == "," and whole.comma_example == ""  # thousands dots, no comma anywhere
    _, comma = parse_amounts(pd.Series(["€580,64", "EUR 2.241,55"]))
    assert comma.decimal == "," and comma.comma_example == "580,64"
    _, point = parse_amounts(pd.Series(["10.50", "3"]))
    assert point.decimal == "." and point.comma_example == ""


def test_whole_euro_amounts_with_thousands_dots_get_no_decimal_comma_note():
    data = read_orders([["Kundennummer", "Bestellnummer", "Datum", "Betrag"],
                        ["K01276", "100000", "19.09.2022", "74 €"],
                        ["K01330", "100001", "23.02.2022", "1.428 €"],
                        ["K01114", "100002", "15.04.2022", "58 €"]])
    assert amounts(data) == {"K01276": 74.0, "K01330": 1428.0, "K01114": 58.0}
    assert not any("decimal comma" in n for n in data.report.notes)
    assert any("read as thousands" in n for n in data.report.notes)


def test_a_six_digit_number_in_a_date_column_is_an_unreadable_date_not_a_crash():
    # (read as an Excel day number it would be a date past what pandas can hold)
    data = read_orders([["Customer", "Date", "Total"], ["A", "500000", "10"], ["B", "2024-01-02", "5"]])
    assert data.report.rows_skipped == {"unreadable date": 1}
    assert amounts(data) == {"B": 5.0}


def test_an_amount_header_with_sales_or_umsatz_in_it_is_the_amount_and_a_sales_channel_is_not():
    rows = [["Customer", "Date", "Sales Channel", "Q1 2024 Sales"]]
    rows += [[f"C{i % 5}", f"2024-0{1 + i % 3}-1{i % 9}", "web", "12.50"] for i in range(30)]
    assert read_orders(rows).report.mapping["amount"] == "Q1 2024 Sales"
    rows = [["Kundennummer", "Datum", "Umsatz 2024 (EUR)"]] + [[f"K{i % 5}", f"2024-0{1 + i % 3}-1{i % 9}", "12,50"]
                                                                for i in range(30)]
    assert read_orders(rows).report.mapping["amount"] == "Umsatz 2024 (EUR)"


def test_ta_feng_grocery_lines_count_items_in_amount_and_sales_in_sales_price(tmp_path):
    """The Ta Feng grocery data (a public data set used in repeat-purchase studies):
    TRANSACTION_DT dates, AMOUNT = number of items, SALES_PRICE = the line's sales."""
    import random

    random.seed(3)
    unit = {f"47{k:011d}": random.choice([29, 45, 68, 99, 120]) for k in range(8)}
    rows, expected = [], {}
    for _ in range(400):
        customer = f"{random.randint(1104900, 1104960):08d}"
        product = random.choice(list(unit))
        items = random.choice([1, 1, 1, 2, 3])
        rows.append(f"{random.randint(11, 12)}/{random.randint(1, 28)}/2000,{customer},45-49,115,110411,{product},"
                    f"{items},{int(unit[product] * 0.8) * items},{unit[product] * items}")
        expected[customer] = expected.get(customer, 0) + unit[product] * items
    path = tmp_path / "ta_feng.csv"
    path.write_text("TRANSACTION_DT,CUSTOMER_ID,AGE_GROUP,PIN_CODE,PRODUCT_SUBCLASS,PRODUCT_ID,AMOUNT,ASSET,SALES_PRICE\n"
                    + "\n".join(rows) + "\n", encoding="utf-8")
    data = read_orders(path)
    assert data.report.mapping["date"] == "TRANSACTION_DT"
    assert data.report.mapping["quantity"] == "AMOUNT" and data.report.mapping["unit_price"] == "SALES_PRICE"
    totals = data.orders.groupby("customer_id", observed=True)["amount"].sum().round(2).to_dict()
    assert totals == {c: float(v) for c, v in expected.items()}
    assert any("'AMOUNT' holds small whole numbers" in n for n in data.report.notes)


def test_an_amount_of_whole_money_is_still_the_amount(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("customer_id,date,amount,list_price\n" + "".join(
        f"c{i % 30},2024-0{1 + i % 9}-1{i % 9},{10 + i % 50},{12 + i % 50}\n" for i in range(120)), encoding="utf-8")
    data = read_orders(path)
    assert data.report.mapping["amount"] == "amount" and "quantity" not in data.report.mapping


def test_dunnhumby_complete_journey_day_numbers_households_and_baskets(tmp_path):
    """dunnhumby's "The Complete Journey" transaction_data.csv: household_key, BASKET_ID,
    DAY as a day number (1 … 711), SALES_VALUE per line."""
    rows = [(1, 100, 1, 2.5), (1, 100, 1, 1.0), (1, 101, 30, 4.0), (2, 102, 5, 3.0), (2, 103, 711, 6.25),
            (3, 104, 12, 1.5)]
    path = tmp_path / "transaction_data.csv"
    path.write_text("household_key,BASKET_ID,DAY,PRODUCT_ID,QUANTITY,SALES_VALUE,STORE_ID,RETAIL_DISC,TRANS_TIME,"
                    "WEEK_NO,COUPON_DISC,COUPON_MATCH_DISC\n" + "".join(
                        f"{h},{b},{d},1004906,1,{v},364,-0.39,1631,{(d - 1) // 7 + 1},0,0\n" for h, b, d, v in rows),
                    encoding="utf-8")
    data = read_orders(path)
    mapping = data.report.mapping
    assert (mapping["customer_id"], mapping["order_id"], mapping["date"]) == ("household_key", "BASKET_ID", "DAY")
    orders = data.orders.set_index("order_id")
    assert len(orders) == 5 and orders.loc["100", "amount"] == 3.5  # a basket's lines add up
    assert orders.loc["100", "date"] == pd.Timestamp("2000-01-01")  # day 1
    assert orders.loc["103", "date"] - orders.loc["102", "date"] == pd.Timedelta(days=706)
    assert any("'DAY' holds day numbers (1 to 711)" in n for n in data.report.notes)


def test_a_day_column_of_excel_serial_dates_is_still_read_as_dates(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("customer,day,amount\na,45292,10\nb,45293,12\na,45300,5\n", encoding="utf-8")
    data = read_orders(path)
    assert data.orders["date"].min() == pd.Timestamp("2024-01-01")
    assert not any("day numbers" in n for n in data.report.notes)


def test_a_clickstream_counts_only_purchases_and_reads_its_utc_event_times(tmp_path):
    """The REES46 multi-category store events (event_time "… UTC", event_type view / cart /
    remove_from_cart / purchase, price, user_id): only purchases are orders."""
    rows = [("2019-10-01 10:00:00 UTC", "view", 10.0, 1), ("2019-10-01 10:05:00 UTC", "cart", 10.0, 1),
            ("2019-10-01 10:06:00 UTC", "purchase", 10.0, 1), ("2019-10-03 08:00:00 UTC", "view", 99.0, 2),
            ("2019-10-04 09:00:00 UTC", "remove_from_cart", 99.0, 2), ("2019-10-09 12:00:00 UTC", "purchase", 45.5, 2),
            ("2019-10-20 12:00:00 UTC", "purchase", 5.0, 1)]
    path = tmp_path / "2019-Oct.csv"
    path.write_text("event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session\n"
                    + "".join(f"{t},{e},1005115,2053013555631882655,electronics.smartphone,apple,{p},{u},abc\n"
                              for t, e, p, u in rows), encoding="utf-8")
    data = read_orders(path)
    assert data.report.mapping["date"] == "event_time" and data.report.mapping["status"] == "event_type"
    assert data.report.rows_skipped == {"not a payment": 4}
    assert sorted(data.orders["amount"]) == [5.0, 10.0, 45.5]
    assert data.orders["date"].min() == pd.Timestamp("2019-10-01 10:06:00")


def test_h_and_m_transactions_read_t_dat_as_the_date(tmp_path):
    path = tmp_path / "transactions_train.csv"
    path.write_text("t_dat,customer_id,article_id,price,sales_channel_id\n"
                    "2018-09-20,000058a12d5b43e67d225668fa1f8d618c13dc232df0cad8ffe7ad4a1091e318,0663713001,"
                    "0.0508474576271186,2\n"
                    "2018-09-27,000058a12d5b43e67d225668fa1f8d618c13dc232df0cad8ffe7ad4a1091e318,0541518023,"
                    "0.0304915254237288,2\n", encoding="utf-8")
    data = read_orders(path)
    assert data.report.mapping["date"] == "t_dat" and data.report.mapping["amount"] == "price"
    assert data.orders["amount"].sum() == pytest.approx(0.0813389830508474)


def test_an_average_price_column_is_the_unit_price(tmp_path):
    path = tmp_path / "file_online_shopping.csv"
    path.write_text("CustomerID,Transaction_ID,Transaction_Date,Product_SKU,Quantity,Avg_Price,Delivery_Charges\n"
                    "17850,16679,1/1/2019,GGOENEBJ079499,1,153.71,6.5\n17850,16679,1/1/2019,GGOENEBJ079499,2,10.00,6.5\n"
                    "12047,16680,1/2/2019,GGOENEBJ079499,3,2.05,6.5\n", encoding="utf-8")
    data = read_orders(path)
    assert data.report.mapping["unit_price"] == "Avg_Price"
    assert data.orders.set_index("order_id")["amount"].round(2).to_dict() == {"16679": 173.71, "16680": 6.15}


@pytest.mark.parametrize("header", ["Nº Pedido", "N° de commande", "Número do pedido", "Nota Fiscal", "Numero ordine",
                                    "Nº Factura", "Número de factura", "Numéro de facture"])
def test_order_numbers_under_spanish_portuguese_french_and_italian_headers_merge_their_lines(tmp_path, header):
    path = tmp_path / "pedidos.csv"
    path.write_text(f"{header},Cliente,Fecha,Importe\nA1,c1,2024-01-05,10.00\nA1,c1,2024-01-05,5.00\n"
                    "A2,c2,2024-02-01,7.50\n", encoding="utf-8")
    data = read_orders(path)
    assert data.report.mapping["order_id"] == header
    assert data.orders.set_index("order_id")["amount"].to_dict() == {"A1": 15.0, "A2": 7.5}


@pytest.mark.parametrize("header", ["Data do pedido", "Data da compra", "DataNotaFiscal", "DataEmissao", "Data ordine"])
def test_portuguese_and_italian_order_date_headers(tmp_path, header):
    path = tmp_path / "vendas.csv"
    path.write_text(f"Cliente,{header},Valor\nc1,05/01/2024,10\nc2,20/01/2024,12\n", encoding="utf-8")
    assert read_orders(path).report.mapping["date"] == header


def test_a_card_expiry_date_is_not_the_order_date(tmp_path):
    path = tmp_path / "Ecommerce Purchases.csv"
    path.write_text("Email,CC Exp Date,Purchase Price\na@x.test,02/20,98.14\nb@x.test,11/18,70.73\n", encoding="utf-8")
    with pytest.raises(Exception, match="no order date column was recognised") as caught:
        read_orders(path)
    assert "'CC Exp Date'" in str(caught.value)  # listed among the columns, not taken as the date


def test_ga4_events_count_only_purchases(tmp_path):
    """A flattened GA4 BigQuery export (Google Merchandise Store): every event is a row,
    non-purchase events carry a revenue of 0."""
    rows = [("page_view", "u1", "", 0.0), ("view_item", "u1", "", 0.0), ("add_to_cart", "u1", "", 0.0),
            ("begin_checkout", "u1", "(not set)", 0.0), ("purchase", "u1", "T1", 55.0), ("session_start", "u2", "", 0.0),
            ("purchase", "u2", "T2", 20.5), ("purchase", "u1", "T3", 12.0)]
    path = tmp_path / "ga4.csv"
    path.write_text("event_date,event_name,user_pseudo_id,ecommerce.transaction_id,ecommerce.purchase_revenue_in_usd\n"
                    + "".join(f"2021010{i % 9 + 1},{e},{u},{t},{v}\n" for i, (e, u, t, v) in enumerate(rows)),
                    encoding="utf-8")
    data = read_orders(path)
    assert data.report.mapping["customer_id"] == "user_pseudo_id" and data.report.mapping["status"] == "event_name"
    assert data.report.rows_skipped == {"not a payment": 5}
    assert sorted(data.orders["amount"]) == [12.0, 20.5, 55.0] and len(data.customers) == 2


def test_a_customer_summary_such_as_the_marketing_campaign_data_is_refused_as_one(tmp_path):
    """Kaggle's marketing_campaign.csv: one row per customer with a sign-up date (Dt_Customer),
    Recency, Mnt* spend and Num*Purchases counts, and a constant Z_Revenue."""
    rows = "".join(f"{1000 + i}\t1967\tMaster\t24503.0\t09-06-2014\t{i % 90}\t{i * 3}\t{i % 7}\t{i % 5}\t3\t11\n"
                   for i in range(60))
    path = tmp_path / "marketing_campaign.csv"
    path.write_text("ID\tYear_Birth\tEducation\tIncome\tDt_Customer\tRecency\tMntWines\tNumWebPurchases\t"
                    "NumStorePurchases\tZ_CostContact\tZ_Revenue\n" + rows, encoding="utf-8")
    with pytest.raises(Exception) as caught:
        read_orders(path)
    message = str(caught.value)
    assert "this looks like a list of customers with one total per customer ('Recency', 'MntWines'" in message
    assert "Export the orders from the shop instead" in message


def test_an_order_list_with_one_lifetime_column_is_still_orders(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("customer,date,amount,Recency\n" + "".join(
        f"c{i % 25},2024-0{1 + i % 9}-1{i % 9},{10 + i},{i % 30}\n" for i in range(60)), encoding="utf-8")
    assert read_orders(path).report.rows_used == 60


def test_header_rows_repeated_inside_a_file_are_heading_rows(tmp_path):
    """Kaggle's monthly Sales_2019 files joined one after the other: each month's header comes back."""
    head = "Order ID,Product,Quantity Ordered,Price Each,Order Date,Customer\n"
    path = tmp_path / "all_data.csv"
    path.write_text(head + "176558,USB-C Charging Cable,2,11.95,04/19/19 08:46,a\n" + head
                    + "176559,Bose SoundSport Headphones,1,99.99,04/07/19 22:30,b\n", encoding="utf-8")
    data = read_orders(path)
    assert data.report.rows_skipped == {"heading row": 1} and data.report.rows_used == 2


def test_six_digit_yymmdd_dates_are_read_when_they_cannot_be_spreadsheet_serials(tmp_path):
    """The Czech bank (Berka) data writes dates as YYMMDD: 980301."""
    path = tmp_path / "trans.csv"
    path.write_text("account_id;date;amount\n" + "".join(f"{1 + i % 5};9{7 + i % 2}0{1 + i % 9}1{i % 9};{100 + i}\n"
                                                          for i in range(30)), encoding="utf-8")
    data = read_orders(path)
    assert data.report.rows_used == 30
    assert data.orders["date"].min() == pd.Timestamp("1997-01-10")


def test_when_no_row_has_a_date_the_message_names_the_column_and_a_cell(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("customer,date,amount\n" + "".join(f"c{i},someday {i},10\n" for i in range(5)), encoding="utf-8")
    with pytest.raises(Exception) as caught:
        read_orders(path)
    assert "The date column is 'date', with cells like 'someday 0'." in str(caught.value)


@pytest.mark.parametrize("header", ["amt", "tran_amt", "Txn Amt"])
def test_amt_is_an_amount(tmp_path, header):
    path = tmp_path / "t.csv"
    path.write_text(f"customer_id,date,{header}\nc1,2024-01-05,4.97\nc2,2024-01-06,7.50\n", encoding="utf-8")
    assert read_orders(path).report.mapping["amount"] == header


def test_orders_worth_nothing_count_and_are_said(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("customer,date,amount\na,2024-01-01,0\na,2024-02-01,10\nb,2024-01-03,0.00\n", encoding="utf-8")
    data = read_orders(path)
    assert len(data.orders) == 3
    assert "2 orders are worth 0 (free, or paid in full by a discount); they count as orders." in " ".join(
        data.report.notes)
