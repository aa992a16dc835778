"""Platform layouts: only money received counts (PayPal and WooCommerce statuses), orders
refunded in full are not purchases, customer lists are refused, QuickBooks voids and headings."""
import pandas as pd
import pytest

from clv_engine.errors import InputError
from clv_engine.intake import read_orders
from clv_engine.intake.presets import PRESETS, detect_layout, refuse_if_unusable


def amounts(data):
    return dict(zip(data.orders["order_id"].astype(str), data.orders["amount"].round(2)))


def check_accounting(data):
    r = data.report
    assert r.rows_read == r.rows_used + len(r.skipped)
    assert sum(r.rows_skipped.values()) == len(r.skipped)
    assert set(data.orders["customer_id"]) == set(data.customers.index)


# --- PayPal ---------------------------------------------------------------------------

PAYPAL_HEADER = ('"Date","Time","TimeZone","Name","Type","Status","Currency","Gross","Fee","Net",'
                 '"From Email Address","To Email Address","Transaction ID","Reference Txn ID","Balance Impact"\n')


def paypal_row(day, name, kind, status, gross, email, txn, ref="", impact="Credit"):
    sender, to = (email, "shop@me.de") if not gross.startswith("-") else ("shop@me.de", email)
    return (f'"{day:02d}/01/2024","10:00:00","CET","{name}","{kind}","{status}","EUR","{gross}","0,00","{gross}",'
            f'"{sender}","{to}","{txn}","{ref}","{impact}"\n')


def test_paypal_pending_payment_is_not_paid(write):
    path = write("paypal.csv", "\ufeff" + PAYPAL_HEADER
                 + paypal_row(5, "Anna", "Express Checkout Payment", "Completed", "35,82", "anna@x.de", "T1")
                 + paypal_row(16, "Ben", "Website Payment", "Pending", "40,00", "ben@x.de", "T5")
                 + paypal_row(17, "Ben", "Website Payment", "Completed", "60,00", "ben@x.de", "T6"))
    data = read_orders(path)
    assert data.report.layout == "paypal"
    assert amounts(data) == {"T1": 35.82, "T6": 60.0}
    assert data.report.rows_skipped == {"not paid": 1}
    assert data.report.skipped.iloc[0]["detail"] == "Pending"
    assert any("not completed" in n for n in data.report.notes)
    check_accounting(data)


@pytest.mark.parametrize("status, reason", [
    ("Completed", None), ("Cleared", None), ("Partially Refunded", None), ("Canceled Reversal", None),
    ("Pending", "not paid"), ("Uncleared", "not paid"), ("Held", "not paid"), ("Unclaimed", "not paid"),
    ("In-Progress", "not paid"),
    ("Denied", "cancelled or failed"), ("Failed", "cancelled or failed"), ("Canceled", "cancelled or failed"),
    ("Cancelled", "cancelled or failed"), ("Expired", "cancelled or failed"), ("Voided", "cancelled or failed"),
    ("Returned", "cancelled or failed"),
    # refunded or reversed, and no refund row in the download names it
    ("Refunded", "refunded or returned"), ("Reversed", "refunded or returned"),
])
def test_paypal_status_of_a_payment(write, status, reason):
    path = write("paypal.csv", PAYPAL_HEADER
                 + paypal_row(5, "Anna", "Express Checkout Payment", "Completed", "35,82", "anna@x.de", "T1")
                 + paypal_row(13, "Ben", "Website Payment", status, "40,00", "ben@x.de", "T2"))
    data = read_orders(path)
    if reason is None:
        assert amounts(data) == {"T1": 35.82, "T2": 40.0}
        assert data.report.rows_skipped == {}
    else:
        assert amounts(data) == {"T1": 35.82}
        assert data.report.rows_skipped == {reason: 1}
    check_accounting(data)


GERMAN_HEADER = ('"Datum","Uhrzeit","Zeitzone","Name","Typ","Status","Währung","Brutto","Gebühr","Netto",'
                 '"Absender E-Mail-Adresse","Transaktionscode","Zugehöriger Transaktionscode"\n')


@pytest.mark.parametrize("status, reason", [
    ("Abgeschlossen", None), ("Teilweise erstattet", None),
    ("Ausstehend", "not paid"), ("Einbehalten", "not paid"),
    ("Abgelehnt", "cancelled or failed"), ("Storniert", "cancelled or failed"),
    ("Fehlgeschlagen", "cancelled or failed"),
    ("Erstattet", "refunded or returned"), ("Rückerstattet", "refunded or returned"),
])
def test_paypal_german_status_words(write, status, reason):
    path = write("paypal.csv", GERMAN_HEADER
                 + '"05.03.2024","14:02:11","MEZ","Jonas","Website-Zahlung","Abgeschlossen","EUR","35,82","-1,03",'
                   '"34,79","jonas@web.test","A1",""\n'
                 + f'"06.03.2024","10:00:00","MEZ","Lea","Website-Zahlung","{status}","EUR","20,00","-1,00",'
                   '"19,00","lea@web.test","A2",""\n')
    data = read_orders(path)
    assert data.report.layout == "paypal"
    if reason is None:
        assert amounts(data) == {"A1": 35.82, "A2": 20.0}
    else:
        assert amounts(data) == {"A1": 35.82}
        assert data.report.rows_skipped == {reason: 1}


def test_paypal_refunded_payment_with_its_refund_rows_is_netted(write):
    path = write("paypal.csv", PAYPAL_HEADER
                 + paypal_row(5, "Anna", "Express Checkout Payment", "Refunded", "50,00", "anna@x.de", "T1")
                 + paypal_row(6, "Anna", "Payment Refund", "Completed", "-50,00", "anna@x.de", "T2", "T1", "Debit")
                 + paypal_row(7, "Ben", "Express Checkout Payment", "Partially Refunded", "80,00", "ben@x.de", "T3")
                 + paypal_row(8, "Ben", "Payment Refund", "Completed", "-30,00", "ben@x.de", "T4", "T3", "Debit")
                 # a refund PayPal denied gave nothing back
                 + paypal_row(9, "Ben", "Payment Refund", "Denied", "-10,00", "ben@x.de", "T5", "T3", "Debit"))
    data = read_orders(path)
    assert amounts(data) == {"T3": 50.0}  # T1 refunded in full: not a purchase
    assert data.report.rows_skipped == {"refunded or returned": 2, "cancelled or failed": 1}
    check_accounting(data)



def test_paypal_chargebacks_fees_reversals_and_echecks(write):
    """A dispute the shop won (Chargeback, then Chargeback Reversal of the same payment) leaves
    the payment whole; a Chargeback Fee is the shop's cost, not money back to the buyer; a
    German Rückbuchung is a chargeback; eCheck payments are payments."""
    path = write("paypal.csv", PAYPAL_HEADER
                 + paypal_row(1, "Pat", "Website Payment", "Completed", "500,00", "pat@x.de", "P1")
                 + paypal_row(5, "Pat", "Chargeback", "Completed", "-500,00", "pat@x.de", "P2", "P1", "Debit")
                 + paypal_row(9, "Pat", "Chargeback Reversal", "Completed", "500,00", "pat@x.de", "P3", "P1")
                 + paypal_row(2, "Bob", "Website Payment", "Completed", "80,00", "bob@x.de", "B1")
                 + paypal_row(6, "Bob", "Chargeback", "Completed", "-30,00", "bob@x.de", "B2", "B1", "Debit")
                 + paypal_row(6, "Bob", "Chargeback Fee", "Completed", "-20,00", "bob@x.de", "B3", "B1", "Debit")
                 + paypal_row(3, "Anna", "Website-Zahlung", "Abgeschlossen", "100,00", "anna@x.de", "A1")
                 + paypal_row(7, "Anna", "Rückbuchung", "Abgeschlossen", "-100,00", "anna@x.de", "A2", "A1", "Debit")
                 + paypal_row(4, "Gus", "eCheck Received", "Cleared", "70,00", "gus@x.de", "G1")
                 + paypal_row(8, "Ivy", "eCheck Received", "Completed", "250,00", "ivy@x.de", "I1"))
    data = read_orders(path)
    assert amounts(data) == {"P1": 500.0, "B1": 50.0, "G1": 70.0, "I1": 250.0}  # A1 charged back in full
    skipped = data.report.skipped.set_index("row")
    assert skipped.loc[3, "reason"] == "cancelled or failed" and "reversed" in skipped.loc[3, "detail"]
    assert skipped.loc[4, "reason"] == "not a payment" and skipped.loc[7, "reason"] == "not a payment"  # the fee
    assert any("dispute the shop won" in n for n in data.report.notes)
    check_accounting(data)


# --- WooCommerce (plugin export) ------------------------------------------------------

WOO_HEADER = ("order_id,order_number,order_date,paid_date,status,shipping_total,order_total,order_currency,"
              "payment_method,customer_id,customer_email,billing_first_name,billing_last_name,refund_items\n")


def woo_row(n, status, total, customer="7", refund_items=""):
    return (f"{n},{n},3/{n - 100}/2024 10:00:00,3/{n - 100}/2024 10:01:00,{status},0,{total},EUR,bacs,{customer},"
            f"w{customer}@x.com,Wanda,One,{refund_items}\n")


@pytest.mark.parametrize("status, reason", [
    ("completed", None), ("processing", None), ("wc-completed", None), ("Processing", None), ("shipped", None),
    ("on-hold", "not paid"), ("wc-on-hold", "not paid"), ("On hold", "not paid"), ("pending", "not paid"),
    ("wc-pending", "not paid"), ("Pending payment", "not paid"),
    ("failed", "cancelled or failed"), ("cancelled", "cancelled or failed"), ("wc-cancelled", "cancelled or failed"),
    ("checkout-draft", "cancelled or failed"), ("wc-checkout-draft", "cancelled or failed"),
    ("trash", "cancelled or failed"),
    ("refunded", "refunded or returned"), ("wc-refunded", "refunded or returned"), ("Refunded", "refunded or returned"),
])
def test_woocommerce_plugin_statuses(write, status, reason):
    path = write("woo.csv", WOO_HEADER + woo_row(101, "completed", "105.00") + woo_row(102, status, "80.00"))
    data = read_orders(path)
    assert data.report.layout == "woocommerce_plugin"
    if reason is None:
        assert amounts(data) == {"101": 105.0, "102": 80.0}
        assert data.report.rows_skipped == {}
    else:
        assert amounts(data) == {"101": 105.0}
        assert data.report.rows_skipped == {reason: 1}
    check_accounting(data)


def test_woocommerce_plugin_full_and_partial_refunds(write):
    path = write("woo.csv", WOO_HEADER
                 + woo_row(101, "completed", "105.00", refund_items="amount:12.50|reason:damaged|date:2024-03-10;"
                                                                   "amount:2.50|reason:x|date:2024-03-11")
                 + woo_row(103, "processing", "60.00", customer="8")
                 + woo_row(104, "refunded", "70.00", customer="8")
                 + woo_row(105, "on-hold", "80.00", customer="9"))
    data = read_orders(path)
    assert amounts(data) == {"101": 90.0, "103": 60.0}
    assert data.report.rows_skipped == {"refunded or returned": 1, "not paid": 1}
    assert set(data.customers.index) == {"7", "8"}
    assert data.report.skipped.set_index("row").loc[4, "reason"] == "refunded or returned"
    check_accounting(data)


# --- Shopify and Stripe: refunded in full -----------------------------------------------

SHOPIFY_HEADER = ("Name,Email,Financial Status,Paid at,Currency,Total,Created at,Lineitem quantity,Lineitem name,"
                  "Lineitem price,Billing Name,Cancelled at,Refunded Amount\n")


@pytest.mark.parametrize("refunded_amount", ["80.00", "", "0.00"])
def test_shopify_order_refunded_in_full_is_not_a_purchase(write, refunded_amount):
    path = write("orders_export.csv", SHOPIFY_HEADER
                 + "#1001,carol@example.com,paid,2024-01-05 10:00:00 +0100,EUR,55.00,2024-01-05 10:00:00 +0100,"
                   "1,Mug,55.00,Carol C,,0.00\n"
                 + "#1002,carol@example.com,partially_refunded,2024-02-05 10:00:00 +0100,EUR,100.00,"
                   "2024-02-05 10:00:00 +0100,1,Vase,100.00,Carol C,,30.00\n"
                 + f"#1005,carol@example.com,refunded,2024-02-15 12:00:00 +0000,EUR,80.00,2024-02-15 12:00:00 +0000,"
                   f"1,Lamp,50.00,Carol C,,{refunded_amount}\n"
                 + "#1005,carol@example.com,,,,,2024-02-15 12:00:00 +0000,1,Shade,30.00,,,\n")
    data = read_orders(path)
    assert data.report.layout == "shopify_orders"
    assert amounts(data) == {"#1001": 55.0, "#1002": 70.0}  # partial refund: its net value
    assert data.report.rows_skipped == {"refunded or returned": 2}  # both lines of #1005
    check_accounting(data)


STRIPE_HEADER = "id,Created date (UTC),Amount,Amount Refunded,Currency,Captured,Status,Customer ID,Customer Email\n"


@pytest.mark.parametrize("refunded", ["50.00", "0.00", ""])
def test_stripe_charge_refunded_in_full_is_not_a_purchase(write, refunded):
    path = write("unified_payments.csv", STRIPE_HEADER
                 + "ch_1,2024-01-05 10:00:00,\"1,000.00\",0.00,usd,true,Paid,cus_A,a@x.com\n"
                 + f"ch_2,2024-02-05 10:00,50.00,{refunded},usd,true,Refunded,cus_A,a@x.com\n"
                 + "ch_3,2024-02-06 10:00,80.00,20.00,usd,true,Paid,cus_B,b@x.com\n"
                 + "ch_4,2024-02-07 10:00,80.00,0.00,usd,true,Pending,cus_B,b@x.com\n")
    data = read_orders(path)
    assert data.report.layout == "stripe"
    assert amounts(data) == {"ch_1": 1000.0, "ch_3": 60.0}
    assert data.report.rows_skipped == {"refunded or returned": 1, "not paid": 1}
    check_accounting(data)


# --- customer lists (one row per customer, lifetime totals) -----------------------------

SQUARE_CUSTOMERS = (
    "Reference ID,First Name,Last Name,Email Address,Phone Number,Nickname,Company Name,Street Address 1,City,State,"
    "Postal Code,Birthday,Memo,Square Customer ID,Creation Source,First Visit,Last Visit,Transaction Count,"
    "Lifetime Spend,Email Subscription Status,Instant Profile\n"
    ',Ann,A,a@x.com,,,,,,,,,,SQC1,Directory,2023-01-05,2024-05-01,12,"$1,240.00",subscribed,No\n'
    ",Bob,B,b@x.com,,,,,,,,,,SQC2,Directory,2023-02-05,2023-02-05,1,$20.00,unsubscribed,No\n")
WOO_CUSTOMERS = (
    "Name,Username,Last Active,Sign Up,Email,Orders,Total Spend,AOV,Country / Region,City,Region,Postal Code\n"
    'Ann A,anna,2024-05-01,2023-01-01,a@x.com,5,"$500.00","$100.00",US,NYC,NY,10001\n'
    'Bob B,bobb,2024-04-01,2023-02-01,b@x.com,1,"$50.00","$50.00",US,LA,CA,90001\n')
KLAVIYO_PROFILES = (
    "Email,First Name,Last Name,Phone Number,Total Spent,Total Orders,Last Order Date,Email Marketing Consent\n"
    "a@x.com,Ann,A,,120.00,3,2024-02-01,subscribed\n"
    "b@x.com,Bob,B,,50.00,1,2024-03-01,never subscribed\n")


@pytest.mark.parametrize("text, layout, date_column", [
    (SQUARE_CUSTOMERS, "square_customers", "Last Visit"),
    (WOO_CUSTOMERS, "woocommerce_customers", "Last Active"),
    (KLAVIYO_PROFILES, "customer_summary", "Last Order Date"),
])
def test_customer_lists_are_refused_even_with_a_date_mapped(write, text, layout, date_column):
    path = write("customers.csv", text)
    for mapping in (None, {"date": date_column}, {"date": date_column, "amount": text.split(",")[0]}):
        with pytest.raises(InputError, match="one total per customer") as err:
            read_orders(path, mapping=mapping)
        assert "customers.csv" in str(err.value)
        assert "Export the " in str(err.value) and "instead" in str(err.value)
    assert detect_layout(text.splitlines()[0].split(",")).id == layout


@pytest.mark.parametrize("text", [
    # an order list that carries the customer's lifetime figures on each order
    "Order ID,Date,Email,Amount,Total Spent,Total Orders\n"
    "1,2024-01-02,a@x.test,10.00,30.00,2\n2,2024-01-05,b@x.test,20.00,20.00,1\n3,2024-02-05,a@x.test,20.00,30.00,2\n",
    "Date,Email,Total Spent\n2024-01-02,a@x.test,10.00\n2024-01-05,b@x.test,20.00\n2024-02-05,a@x.test,20.00\n",
])
def test_an_order_list_with_a_total_spent_column_is_not_refused(write, text):
    data = read_orders(write("orders.csv", text))
    assert data.report.layout == "generic"
    assert len(data.orders) == 3


def test_customer_list_headers_are_checked_against_the_cells():
    """Given the rows, a file is refused as a customer list only when they say so too."""
    preset = PRESETS["customer_summary"]
    headers = ["Email", "Total Spent", "Total Orders", "Last Order Date"]
    lifetime = pd.DataFrame([["a@x.com", "120.00", "3", "2024-02-01"], ["b@x.com", "50.00", "1", "2024-03-01"]],
                            columns=headers)
    with pytest.raises(InputError, match="one total per customer"):
        refuse_if_unusable(preset, "f.csv", {"date": "Last Order Date"}, lifetime)
    with pytest.raises(InputError):  # without the rows: the headers decide
        refuse_if_unusable(preset, "f.csv", None)
    # the same customer on two rows: rows are orders
    repeated = lifetime.assign(Email=["a@x.com", "a@x.com"])
    refuse_if_unusable(preset, "f.csv", None, repeated)
    # one order each: every row is that one order
    single = lifetime.assign(**{"Total Orders": ["1", "1"]})
    refuse_if_unusable(preset, "f.csv", None, single)


# --- QuickBooks -------------------------------------------------------------------------

QUICKBOOKS = """Acme Landscaping
Sales by Customer Detail
January - December 2024

,Date,Transaction Type,Num,Product/Service,Memo/Description,Qty,Sales Price,Amount,Balance
Bill's Windsurf Shop,,,,,,,,,
,02/13/2024,Invoice,1002,Pest Control,,1,35.00,35.00,35.00
,05/13/2024,Invoice,1020,Pest Control,,1,35.00,35.00,70.00
,05/14/2024,Invoice,1021,Pest Control,Voided,0,0,0.00,70.00
Total for Bill's Windsurf Shop,,,,,,,,$70.00,
Total Wine & More,
,06/01/2024,Invoice,1030,Wine,,3,10.00,30.00,30.00
Total for Total Wine & More,,,,,,,,$30.00,
TOTAL,,,,,,,,$100.00,
"""


def test_quickbooks_voided_invoice_and_a_customer_called_total(write):
    data = read_orders(write("sales.csv", QUICKBOOKS))
    assert data.report.layout == "quickbooks"
    assert amounts(data) == {"1002": 35.0, "1020": 35.0, "1030": 30.0}
    orders = data.orders.set_index("order_id")
    assert orders.loc["1030", "customer_id"] == "total wine & more"
    skipped = data.report.skipped.set_index("row")
    assert skipped.loc[9, "reason"] == "cancelled or failed"  # the $0.00 voided invoice
    assert skipped.loc[11, "reason"] == "heading row" and skipped.loc[11, "detail"] == "Total Wine & More"
    assert data.report.rows_skipped == {"heading row": 2, "cancelled or failed": 1, "totals row": 3}
    check_accounting(data)


# --- shared status words ----------------------------------------------------------------

@pytest.mark.parametrize("status, reason", [
    ("Held", "not paid"), ("Uncleared", "not paid"), ("Unclaimed", "not paid"), ("Nicht abgeholt", "not paid"),
    ("Einbehalten", "not paid"), ("No reclamado", "not paid"),
    ("Denied", "cancelled or failed"), ("Refusé", "cancelled or failed"), ("Denegado", "cancelled or failed"),
    ("Rifiutato", "cancelled or failed"), ("Geweigerd", "cancelled or failed"), ("Recusado", "cancelled or failed"),
    ("Completed", ""), ("Abgeschlossen", ""), ("Terminé", ""), ("Partially refunded", ""),
])
def test_payment_status_words_in_several_languages(status, reason):
    from clv_engine.intake.statuses import status_reasons
    assert status_reasons(pd.Series([status])).iloc[0] == reason


def test_paypal_status_in_another_language_uses_the_shared_words(write):
    path = write("paypal.csv", PAYPAL_HEADER
                 + paypal_row(5, "Anna", "Express Checkout Payment", "Terminé", "35,82", "anna@x.de", "T1")
                 + paypal_row(13, "Ben", "Website Payment", "En attente", "40,00", "ben@x.de", "T2")
                 + paypal_row(14, "Ben", "Website Payment", "Refusé", "40,00", "ben@x.de", "T3"))
    data = read_orders(path)
    assert amounts(data) == {"T1": 35.82}
    assert data.report.rows_skipped == {"not paid": 1, "cancelled or failed": 1}


def test_a_released_account_hold_does_not_cancel_a_refund(write):
    """"Reversal of General Account Hold" gives back a hold, not a refund: the refunded payment
    stays refunded (only a chargeback's reversal restores a payment)."""
    path = write("paypal.csv", PAYPAL_HEADER
                 + paypal_row(5, "Eve", "Website Payment", "Completed", "70,00", "eve@x.de", "P5")
                 + paypal_row(6, "Eve", "General Account Hold", "Completed", "-70,00", "eve@x.de", "H5", "P5", "Debit")
                 + paypal_row(7, "Eve", "Payment Refund", "Completed", "-70,00", "eve@x.de", "R5", "P5", "Debit")
                 + paypal_row(8, "Eve", "Reversal of General Account Hold", "Completed", "70,00", "eve@x.de", "L5",
                              "P5")
                 + paypal_row(9, "Zed", "Website Payment", "Completed", "10,00", "zed@x.de", "Z1"))
    data = read_orders(path)
    assert amounts(data) == {"Z1": 10.0}  # Eve refunded in full
    assert not any("dispute the shop won" in n for n in data.report.notes)


def test_a_bare_dollar_sign_is_the_dollar_given_with_currency(write):
    """"$120.00" beside "USD 45.95": $ may be pesos (Mexico, Chile, Colombia write $ too), so
    without --currency the two stay apart and the note says how to count both; with
    --currency USD they are one currency."""
    path = write("o.csv", "Order ID,Date,Email,Amount\nM1,2024-01-05,ann@x.test,$120.00\n"
                 "M2,2024-01-20,bob@x.test,$80.00\nM3,2024-02-03,ann@x.test,$30.00\n"
                 "M4,2024-03-01,cy@x.test,USD 45.95\nM5,2024-04-01,cy@x.test,USD 10.00\n")
    data = read_orders(path)
    assert data.report.currency == "$" and data.report.rows_skipped == {"other currency": 2}
    assert any(n.endswith("If $ means USD here, add --currency USD to count both.") for n in data.report.notes)
    data = read_orders(path, currency="USD")
    assert data.report.currency == "USD" and not data.report.rows_skipped
    assert data.orders["amount"].sum() == pytest.approx(285.95)
    assert any("bare $ (3 rows) are taken to be USD, as given" in n for n in data.report.notes)
    only_dollar_sign = write("p.csv", "Order ID,Date,Email,Amount\nM1,2024-01-05,ann@x.test,$120.00\n")
    assert read_orders(only_dollar_sign, currency="CAD").report.currency == "CAD"
