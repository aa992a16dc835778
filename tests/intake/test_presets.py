"""Each platform export, in its real column layout, gives the right orders, skips and refunds."""
import pandas as pd
import pytest

from clv_engine.errors import InputError
from clv_engine.intake import LAYOUTS, read_orders
from clv_engine.intake.columns import find_header_row, unique_headers
from clv_engine.intake.files import read_raw_table
from clv_engine.intake.presets import detect_layout


def amounts(data):
    return dict(zip(data.orders["order_id"], data.orders["amount"].round(2)))


def check_accounting(data):
    r = data.report
    assert r.rows_read == r.rows_used + len(r.skipped)
    assert sum(r.rows_skipped.values()) == len(r.skipped)
    assert not data.orders["amount"].isna().any()
    assert (data.orders["customer_id"] != "").all()
    assert str(data.orders["date"].dtype) == "datetime64[ns]"
    assert set(data.orders["customer_id"]) == set(data.customers.index)


def test_shopify_orders_merge_line_items_and_net_refunds(data_dir):
    data = read_orders(data_dir / "shopify_orders.csv")
    r = data.report
    assert r.layout == "shopify_orders" and r.layout_label == LAYOUTS["shopify_orders"]
    assert "Looks like a Shopify orders export." in r.notes
    # #1008 is pending: no money received yet, so not a purchase; #1007 was refunded in full
    assert amounts(data) == {"#1001": 59.8, "#1002": 75.0, "#1003": 20.0, "#1004": 15.5}
    assert r.rows_skipped == {"cancelled or failed": 3, "not paid": 1, "refunded or returned": 1}  # voided (2 line rows) + cancelled
    assert r.refunds_netted == 2
    assert r.currency == "EUR"
    first = data.orders.set_index("order_id").loc["#1002"]
    assert first["customer_id"] == "ben@example.com"  # trimmed and lower-cased
    assert first["date"] == pd.Timestamp("2024-03-06 09:00:00")  # local wall time, offset dropped
    assert first["row"] == 4
    assert "1 order is pending or only authorized (no money received yet); it was left out." in r.notes
    check_accounting(data)


def test_shopify_customers_keep_latest_attributes_and_consent(data_dir):
    customers = read_orders(data_dir / "shopify_orders.csv").customers
    ana = customers.loc["ana@example.com"]
    assert ana["name"] == "Ana Souza"
    assert ana["Billing City"] == "Hamburg"  # most recent order
    assert ana["Billing Zip"] == "20095"  # leading apostrophe stripped
    assert ana["Phone"] == "+4917612345"
    assert not ana["consent"]  # said yes first, then no
    assert "fay@example.com" not in customers.index  # her only order was refunded in full
    assert customers.loc["carla díaz", "name"] == "Carla Díaz"  # POS order without email: identity by name
    assert "Lineitem name" not in customers.columns and "Subtotal" not in customers.columns
    assert str(customers["consent"].dtype) == "boolean"


def test_shopify_customers_export_is_refused_with_advice(data_dir):
    with pytest.raises(InputError, match="Export the Orders instead") as err:
        read_orders(data_dir / "shopify_customers.csv")
    assert "shopify_customers.csv" in str(err.value)


def test_woocommerce_analytics_refund_rows_are_netted(data_dir):
    data = read_orders(data_dir / "woocommerce_core.csv")
    assert data.report.layout == "woocommerce_core"
    # 1204 failed: no money received
    assert amounts(data) == {"1201": 45.0, "1202": 40.0, "1203": 40.0, "1205": 1025.0}
    assert data.report.rows_skipped == {"cancelled or failed": 1}
    assert data.report.refunds_netted == 1
    assert data.orders.set_index("order_id").loc["1203", "customer_id"] == "jane miller"
    check_accounting(data)


def test_woocommerce_plugin_refund_items_statuses_and_currency(data_dir):
    data = read_orders(data_dir / "woocommerce_plugin.csv")
    r = data.report
    assert r.layout == "woocommerce_plugin"
    assert amounts(data) == {"501": 54.9, "502": 100.0}  # 505 refunded in full: not a purchase
    assert r.rows_skipped == {"cancelled or failed": 2, "not paid": 1, "other currency": 1, "refunded or returned": 1}
    assert r.refunds_netted == 2
    assert data.customers.loc["12", "name"] == "Ki Tan"
    check_accounting(data)


def test_square_uses_total_collected_and_nets_refund_events(data_dir):
    data = read_orders(data_dir / "square.csv")
    assert data.report.layout == "square"
    assert data.report.mapping["amount"] == "Total Collected"
    assert amounts(data) == {"TX1": 1339.2, "TX2": 3.0}
    assert data.orders.set_index("order_id").loc["TX1", "date"] == pd.Timestamp("2026-10-05 14:30:00")
    assert data.report.rows_skipped == {"no customer": 1}
    assert data.report.refunds_netted == 1
    check_accounting(data)


def test_stripe_drops_failed_and_uncaptured_and_subtracts_refunded(data_dir):
    data = read_orders(data_dir / "stripe.csv")
    r = data.report
    assert r.layout == "stripe"
    # ch_1D refunded in full: not a purchase; ch_1F (44 EUR) at Stripe's conversion, 48 USD
    assert amounts(data) == {"ch_1A": 1000.0, "ch_1B": 30.0, "ch_1F": 48.0}
    assert r.currency == "USD"  # lower-case usd in the file
    assert set(r.skipped["detail"]) >= {"not captured"}
    assert r.rows_skipped == {"cancelled or failed": 2, "refunded or returned": 1}
    check_accounting(data)


def test_paypal_keeps_incoming_payments_and_nets_refunds(data_dir):
    data = read_orders(data_dir / "paypal_us.csv")
    r = data.report
    assert r.layout == "paypal"
    assert amounts(data) == {"5AB1": 1000.0, "8GH4": 30.0}  # Gross, not Net; refunds netted
    assert r.rows_skipped == {"not a payment": 3, "cancelled or failed": 1}
    assert r.refunds_netted == 2
    assert "shop@seller.test" not in data.customers.index
    assert r.date_order == "MDY" and any("month/day" in n for n in r.notes)
    check_accounting(data)


def test_paypal_german_decimal_comma_and_day_month(data_dir):
    data = read_orders(data_dir / "paypal_de.csv")
    assert data.report.layout == "paypal"
    assert amounts(data) == {"A1": 35.82, "A2": 1234.5}
    assert data.orders.set_index("order_id").loc["A1", "date"] == pd.Timestamp("2024-03-05 14:02:11")
    assert data.report.rows_skipped == {"not a payment": 1}
    check_accounting(data)


def test_paypal_values_foreign_payments_at_its_own_conversion(data_dir):
    """A USD payment into a EUR account: PayPal's two conversion rows that name it (USD out,
    EUR in) give the rate; its refund is converted the other way round. A GBP payment
    without conversion rows stays in GBP (another currency)."""
    data = read_orders(data_dir / "paypal_fx.csv")
    # P2: 50.00 USD x 44.00/48.05 = 45.79 EUR, less its refund 10.00 USD x 9.20/10.00 = 9.20 EUR
    assert amounts(data) == {"P1": 100.0, "P2": 36.59, "P4": 30.0}
    assert data.report.currency == "EUR"
    assert data.report.rows_skipped == {"not a payment": 4, "other currency": 1}
    assert ("PayPal converted 2 transactions (2 in USD) into EUR: their Gross was valued at the rate of the "
            "'General Currency Conversion' rows that name them.") in data.report.notes
    check_accounting(data)


def test_stripe_values_payments_in_other_currencies_at_stripes_own_conversion(data_dir):
    data = read_orders(data_dir / "stripe_fx.csv")
    # ch_2: 50 EUR came to 54.10 USD, less its refund of 10.82 USD; ch_3: 40 GBP came to 50.60 USD
    assert amounts(data) == {"ch_1": 100.0, "ch_2": 43.28, "ch_3": 50.6, "ch_4": 30.0}
    assert data.report.currency == "USD" and data.report.rows_skipped == {}
    assert ("2 Stripe payments in other currencies (1 in EUR, 1 in GBP) were valued in USD from Stripe's own "
            "'Converted Amount' (and 'Converted Amount Refunded').") in data.report.notes
    check_accounting(data)


def test_etsy_uses_adjusted_total_and_two_digit_years(data_dir):
    data = read_orders(data_dir / "etsy.csv")
    assert data.report.layout == "etsy"
    assert amounts(data) == {"3001": 25.0, "3002": 30.0, "3004": 1000.0}
    assert data.orders["date"].min() == pd.Timestamp("2024-03-05")
    assert data.report.rows_skipped == {"cancelled or failed": 1}
    check_accounting(data)


def test_toast_adds_split_payments_and_skips_voids(data_dir):
    data = read_orders(data_dir / "toast.csv")
    assert data.report.layout == "toast"
    assert amounts(data) == {"C1": 30.0, "C2": 30.0}
    assert data.report.rows_skipped == {"cancelled or failed": 1}
    check_accounting(data)


def test_quickbooks_report_headings_totals_and_credit_memos(data_dir):
    data = read_orders(data_dir / "quickbooks.csv")
    r = data.report
    assert r.layout == "quickbooks" and r.header_row == 5
    assert amounts(data) == {"1001": 175.0, "1010": 1150.0, "1020": 90.0}
    assert r.rows_skipped == {"blank row": 1, "totals row": 3, "heading row": 2, "not a payment": 1}
    assert set(data.orders["customer_id"]) == {"amy's bird sanctuary", "bill's windsurf shop"}
    check_accounting(data)


def test_amazon_report_without_buyers_is_refused(data_dir):
    with pytest.raises(InputError, match="no email, name or customer id"):
        read_orders(data_dir / "amazon.txt")


def test_forcing_a_layout_overrides_detection(data_dir):
    data = read_orders(data_dir / "woocommerce_core.csv", layout="generic")
    assert data.report.layout == "generic"
    with pytest.raises(InputError, match="unknown layout"):
        read_orders(data_dir / "woocommerce_core.csv", layout="opencart")


@pytest.mark.parametrize("headers", [
    "Order ID,Customer Email,Order Date,Order Total,Status",
    "order_id,customer_email,order_date,order_total,status",
    "Date,Order #,Status,Customer,Net Sales",
    "Date,Time,Time Zone,Customer,Gross Sales,Net Sales",
    "Sale Date,Order ID,Buyer,Total",
    "Check ID,Order Date,Customer,Amount",
    "Date,Num,Type,Customer,Amount",
    "Name,Email,Financial Status,Total,Created at",
    "Date,Time,TimeZone,Type,Gross,Net,Status,Currency",
    "Datum,Uhrzeit,Typ,Brutto,Netto,Kunde",
    "Email,First Name,Last Name,Total Spent,Total Orders",
])
def test_plain_spreadsheet_headers_are_not_mistaken_for_a_platform_export(headers):
    assert detect_layout(headers.split(",")) is None


@pytest.mark.parametrize("name, layout", [
    ("shopify_orders.csv", "shopify_orders"), ("shopify_customers.csv", "shopify_customers"),
    ("woocommerce_core.csv", "woocommerce_core"), ("woocommerce_plugin.csv", "woocommerce_plugin"),
    ("square.csv", "square"), ("stripe.csv", "stripe"), ("paypal_us.csv", "paypal"), ("paypal_de.csv", "paypal"),
    ("etsy.csv", "etsy"), ("toast.csv", "toast"), ("quickbooks.csv", "quickbooks"), ("amazon.txt", "amazon"),
])
def test_every_platform_fixture_keeps_its_layout(data_dir, name, layout):
    raw = read_raw_table(data_dir / name)
    headers = unique_headers(list(raw.grid.loc[find_header_row(raw.grid)]))
    assert detect_layout(headers).id == layout


def test_a_generic_order_sheet_with_order_total_and_customer_email_reads_as_generic(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("Order ID,Customer Email,Order Date,Order Total,Status\n"
                    "1,a@x.test,2024-01-02,10.00,completed\n2,b@x.test,2024-01-05,20.00,completed\n"
                    "3,a@x.test,2024-02-01,5.50,completed\n", encoding="utf-8")
    data = read_orders(path)
    assert data.report.layout == "generic" and data.report.layout_label == LAYOUTS["generic"]
    assert not any("WooCommerce" in n for n in data.report.notes)
    assert data.report.mapping["email"] == "Customer Email" and data.report.mapping["amount"] == "Order Total"
    assert data.orders["customer_id"].tolist() == ["a@x.test", "b@x.test", "a@x.test"]


def test_shopify_cancelled_at_on_the_first_line_cancels_the_whole_order_only(tmp_path):
    """'Cancelled at' sits on an order's first line; every line of that order is left out,
    the other orders stay, and rows without an order number do not form one 'order'."""
    header = "Name,Email,Financial Status,Total,Created at,Lineitem quantity,Lineitem name,Cancelled at\n"
    rows = [
        "#1,a@x.test,paid,30.00,2024-01-02 10:00:00 +0100,1,Mug,2024-01-03 09:00:00 +0100",
        "#1,a@x.test,,,,2,Cup,",
        "#2,a@x.test,paid,12.00,2024-02-02 10:00:00 +0100,1,Mug,",
        "#2,a@x.test,,,,1,Cup,",
        "#3,b@x.test,paid,20.00,2024-02-05 10:00:00 +0100,1,Mug,",
    ]
    path = tmp_path / "orders_export.csv"
    path.write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    data = read_orders(path)
    assert data.report.layout == "shopify_orders"
    assert data.report.rows_skipped.get("cancelled or failed") == 2
    assert sorted(data.orders["amount"].tolist()) == [12.0, 20.0]


def test_rows_without_an_order_number_are_their_own_order_when_one_is_cancelled():
    from clv_engine.intake.presets import _any_in_order

    ids = pd.Series(["#1", "#1", "", "", "#2"], dtype=str)
    flag = pd.Series([False, True, True, False, False])
    assert _any_in_order(ids, flag).tolist() == [True, True, True, False, False]


def test_no_rows_means_no_order_is_cancelled():
    from clv_engine.intake.presets import _any_in_order

    assert _any_in_order(pd.Series([], dtype=str), pd.Series([], dtype=bool)).tolist() == []
