"""Marketing consent read fail-closed: every wording, header and layout, per-customer truth."""
from __future__ import annotations

import pandas as pd
import pytest

from clv_engine.intake import read_orders
from clv_engine.intake.consent import BLANK, NO, UNKNOWN, YES, consent_meaning, is_opt_out_header


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def consent_of(path, **kw):
    data = read_orders(path, **kw)
    return {k: (None if pd.isna(v) else bool(v)) for k, v in data.customers["consent"].items()}, data.report


# (yes word, no word) pairs real tools and people write
WORD_PAIRS = [
    ("Opt-in", "Opt-out"), ("opted-in", "opted-out"), ("on", "off"), ("checked", "unchecked"),
    ("\u2713", "\u2717"), ("\u2714", "\u2718"), ("yes", "no"), ("TRUE", "FALSE"), ("1", "0"),
    ("subscribed", "unsubscribed"), ("Subscribed", "Never subscribed"), ("Y", "N"), ("Ja", "Nein"),
    ("Oui", "Non"), ("Sí", "No"), ("abonniert", "abgemeldet"), ("SUBSCRIBED", "NOT_SUBSCRIBED"),
    ("granted", "denied"), ("x", ""), ("confirmed_opt_in", "pending"),
]


@pytest.mark.parametrize("yes,no", WORD_PAIRS)
def test_each_consent_wording(tmp_path, yes, no):
    path = write(tmp_path, "o.csv", "Order ID,Email,Date,Total,Accepts Marketing\n"
                 f"1,a@x.com,2024-01-01,10,{yes}\n2,b@x.com,2024-01-02,20,{no}\n3,c@x.com,2024-01-03,30,{yes}\n")
    said, _ = consent_of(path)
    # a blank cell says nothing: no consent, but no known opt-out either (None)
    assert said == {"a@x.com": True, "b@x.com": False if no else None, "c@x.com": True}


@pytest.mark.parametrize("header,yes,no", [
    ("Email Opt Out", "false", "true"), ("Unsubscribed", "no", "yes"), ("Do Not Email", "0", "1"),
    ("HasOptedOutOfEmail", "unchecked", "checked"), ("Opt-out", "", "x"),
    # self-describing words keep their meaning under an opt-out header
    ("Email Opt Out", "opted in", "opted out"), ("Unsubscribed", "subscribed", "unsubscribed"),
])
def test_opt_out_headers_invert_plain_words(tmp_path, header, yes, no):
    path = write(tmp_path, "o.csv", f"Order ID,Email,Date,Total,{header}\n"
                 f"1,a@x.com,2024-01-01,10,{yes}\n2,b@x.com,2024-01-02,20,{no}\n3,c@x.com,2024-01-03,30,{no}\n")
    said, report = consent_of(path)
    assert said == {"a@x.com": True if yes else None, "b@x.com": False, "c@x.com": False}
    if yes in ("false", "no", "0", "unchecked", ""):
        assert any("records opt-outs" in n for n in report.notes)


@pytest.mark.parametrize("header", ["Subscribed to Newsletter", "GDPR Marketing Consent", "Newsletter",
                                    "Email Marketing Consent", "Marketing Opt-In", "Einwilligung Werbung",
                                    "Consentement marketing", "Nieuwsbrief", "Receive Review/Marketing Emails",
                                    "Email Subscriber Status"])
def test_consent_headers_are_recognised(tmp_path, header):
    path = write(tmp_path, "o.csv", f"Order ID,Email,Date,Total,{header}\n"
                 "1,a@x.com,2024-01-01,10,Yes\n2,b@x.com,2024-01-02,20,No\n")
    said, report = consent_of(path)
    assert said == {"a@x.com": True, "b@x.com": False}
    assert report.mapping.get("consent") == header


def test_consent_found_by_content_under_an_unknown_header(tmp_path):
    path = write(tmp_path, "o.csv", "Order ID,Email,Date,Total,Mailchimp\n"
                 "1,a@x.com,2024-01-01,10,subscribed\n2,b@x.com,2024-01-02,20,unsubscribed\n"
                 "3,c@x.com,2024-01-03,5,cleaned\n")
    said, _ = consent_of(path)
    assert said == {"a@x.com": True, "b@x.com": False, "c@x.com": False}


@pytest.mark.parametrize("header", ["Gift", "Subscription", "Subscription Status", "Do Not Ship", "Marketing Channel"])
def test_yes_no_column_without_consent_header_is_not_taken_as_consent(tmp_path, header):
    path = write(tmp_path, "o.csv", f"Order ID,Email,Date,Total,{header}\n1,a@x.com,2024-01-01,10,yes\n"
                 "2,b@x.com,2024-01-02,10,no\n")
    said, _ = consent_of(path)
    assert said == {"a@x.com": None, "b@x.com": None}  # no consent information at all


def test_unrecognised_value_is_not_consent_and_is_reported(tmp_path):
    path = write(tmp_path, "o.csv", "Order ID,Email,Date,Total,Accepts Marketing\n"
                 "1,a@x.com,2024-01-01,10,yes\n2,b@x.com,2024-01-02,20,maybe later\n"
                 "3,c@x.com,2024-01-03,30,\n4,a@x.com,2024-02-01,10,\n")
    said, report = consent_of(path)
    # a: yes, then a blank (says nothing); b: not understood; c: never said anything. Neither
    # b nor c consented, and neither is a known opt-out (an export lists them as not subscribed)
    assert said == {"a@x.com": True, "b@x.com": None, "c@x.com": None}
    note = next(n for n in report.notes if "not understood" in n)
    assert "1 customer's" in note and "'maybe later'" in note


@pytest.mark.parametrize("descending", [False, True])
def test_latest_statement_wins_whatever_the_row_order(tmp_path, descending):
    rows = ["1,a@x.com,2024-01-01,10,yes", "2,a@x.com,2024-03-01,10,no",  # a: yes then no
            "3,b@x.com,2024-01-01,10,no", "4,b@x.com,2024-03-01,10,yes",  # b: no then yes
            "5,c@x.com,2024-02-01,10,yes", "6,c@x.com,2024-02-01,10,no"]  # c: same day: no wins
    if descending:
        rows = rows[::-1]
    path = write(tmp_path, "o.csv", "Order ID,Email,Date,Total,Accepts Marketing\n" + "\n".join(rows) + "\n")
    said, _ = consent_of(path)
    assert said == {"a@x.com": False, "b@x.com": True, "c@x.com": False}


def test_no_on_a_cancelled_last_order_counts(tmp_path):
    path = write(tmp_path, "o.csv", "Order ID,Email,Date,Total,Status,Accepts Marketing\n"
                 "1,a@x.com,2024-01-01,10,paid,yes\n2,a@x.com,2024-03-01,10,cancelled,no\n"
                 "3,b@x.com,2024-01-01,10,paid,yes\n4,b@x.com,2024-03-01,10,paid,\n")
    data = read_orders(path)
    assert len(data.orders) == 3  # the cancelled order is not revenue …
    said = data.customers["consent"].to_dict()
    assert said == {"a@x.com": False, "b@x.com": True}  # … but its "no" is heard


def test_a_yes_on_a_row_with_a_mistyped_date_does_not_outrank_a_later_no(tmp_path):
    """2042 typed for 2024: the row is set aside as "date out of range"; its "yes" cannot be
    placed in time, so the customer's real latest word ("unsubscribed") stands."""
    rows = [f"{k},p{k % 20}@x.com,2024-{1 + k % 12:02d}-10,10,yes" for k in range(60)]
    rows += ["T1,t@x.com,2042-03-01,50,yes", "T2,t@x.com,2025-06-01,40,unsubscribed", "T3,t@x.com,2025-06-20,30,",
             "U1,u@x.com,2042-03-01,50,no", "U2,u@x.com,2025-06-01,40,yes"]
    path = write(tmp_path, "o.csv", "Order ID,Email,Date,Total,Newsletter\n" + "\n".join(rows) + "\n")
    said, report = consent_of(path)
    assert report.rows_skipped == {"date out of range": 2}
    assert said["t@x.com"] is False
    assert said["u@x.com"] is False  # a "no" without a usable date still counts as the latest word
    assert said["p1@x.com"] is True


def test_shopify_layout_with_other_consent_words(tmp_path):
    path = write(tmp_path, "orders_export.csv",
                 "Name,Email,Financial Status,Paid at,Fulfillment Status,Accepts Marketing,Currency,Subtotal,"
                 "Total,Created at,Lineitem quantity,Lineitem name\n"
                 "#1,a@x.com,paid,,,Opt-in,EUR,10,10,2024-01-01 10:00:00 +0100,1,A\n"
                 "#2,b@x.com,paid,,,\u2717,EUR,20,20,2024-01-02 10:00:00 +0100,1,B\n"
                 "#3,c@x.com,paid,,,checked,EUR,20,20,2024-01-02 10:00:00 +0100,1,B\n")
    data = read_orders(path)
    assert data.report.layout == "shopify_orders"
    assert data.customers["consent"].to_dict() == {"a@x.com": True, "b@x.com": False, "c@x.com": True}


def test_woocommerce_layout_reads_its_newsletter_column(tmp_path):
    path = write(tmp_path, "woo.csv",
                 "order_id,order_number,order_date,status,order_total,order_currency,billing_email,"
                 "billing_first_name,Newsletter\n"
                 "10,10,2024-01-05,wc-completed,30,EUR,a@x.com,Ann,yes\n"
                 "11,11,2024-01-06,wc-completed,40,EUR,b@x.com,Bob,no\n"
                 "12,12,2024-01-07,wc-completed,40,EUR,c@x.com,Cy,\n")
    data = read_orders(path)
    assert data.report.layout == "woocommerce_plugin"
    said = {k: None if pd.isna(v) else bool(v) for k, v in data.customers["consent"].items()}
    assert said == {"a@x.com": True, "b@x.com": False, "c@x.com": None}
    assert data.report.mapping["consent"] == "Newsletter"
    assert "Newsletter" not in data.customers.columns  # not also an attribute


def test_several_consent_columns_any_no_wins(tmp_path):
    path = write(tmp_path, "o.csv", "Order ID,Email,Date,Total,Accepts Marketing,Email Opt Out\n"
                 "1,a@x.com,2024-01-01,10,yes,no\n2,b@x.com,2024-01-02,20,yes,yes\n")
    said, _ = consent_of(path)
    assert said == {"a@x.com": True, "b@x.com": False}


def test_user_mapping_and_disabling(tmp_path):
    path = write(tmp_path, "o.csv", "Order ID,Email,Date,Total,Accepts Marketing,Flag\n"
                 "1,a@x.com,2024-01-01,10,no,yes\n")
    assert consent_of(path, mapping={"consent": "Flag"})[0] == {"a@x.com": True}
    assert consent_of(path, mapping={"consent": ""})[0] == {"a@x.com": None}


def test_cell_meanings():
    assert consent_meaning("  Opted-In ") == YES
    assert consent_meaning("Désabonné") == NO
    assert consent_meaning("yes", inverted=True) == NO
    assert consent_meaning("unsubscribed", inverted=True) == NO
    assert consent_meaning("n/a") == BLANK
    assert consent_meaning("perhaps") == UNKNOWN
    assert is_opt_out_header("Email Opt Out") and is_opt_out_header("Unsubscribed")
    assert not is_opt_out_header("Accepts Email Marketing")


@pytest.mark.parametrize("header", ["Email Opt Out", "Email Unsubscribed", "Do Not Email"])
def test_an_opt_out_column_is_not_taken_for_the_missing_email_column(tmp_path, header):
    path = write(tmp_path, "o.csv", f"Customer,Date,Amount,{header}\nAnn,2024-01-05,10,yes\nBob,2024-02-05,20,no\n"
                                    "Ann,2024-03-05,5,yes\n")
    data = read_orders(path)
    assert "email" not in data.report.mapping and data.report.mapping["consent"] == header
    assert data.customers["consent"].tolist() == [False, True]  # a yes in an opt-out column is a no
    assert any(f"'{header}' was not used as the email" in n for n in data.report.notes)


@pytest.mark.parametrize("cells, is_consent", [
    (["None", "None", "None", "None"], False),  # a promotion column: no promotion
    (["pending", "accepted", "pending", "accepted"], False),  # a review or payment state
    (["subscribed", "unsubscribed", "subscribed", "subscribed"], True),  # says a subscription itself
])
def test_only_subscription_words_make_a_column_under_any_header_a_consent_column(tmp_path, cells, is_consent):
    rows = "".join(f"{i},c{i % 3}@x.test,2024-0{1 + i}-05,10,{cell}\n" for i, cell in enumerate(cells))
    data = read_orders(write(tmp_path, "o.csv", "Order ID,Email,Date,Total,Promotion\n" + rows))
    assert ("consent" in data.report.mapping) is is_consent
    if not is_consent:
        assert data.customers["consent"].isna().all()


@pytest.mark.parametrize("header, yes, no", [
    ("Werbung erlaubt", "Ja", "Nein"), ("Acepta marketing", "Sí", "No"), ("Promotional emails", "yes", "no"),
    ("Can we email you?", "Yes", "No"), ("Angebote per Mail", "ja", "nein"),
])
def test_headers_that_name_what_consent_is_about_are_read_by_their_yes_no_cells(tmp_path, header, yes, no):
    path = write(tmp_path, "o.csv", f"Order ID,Email,Date,Total,{header}\n"
                 f"1,a@x.com,2024-01-01,10,{yes}\n2,b@x.com,2024-01-02,20,{no}\n3,a@x.com,2024-01-03,5,{yes}\n")
    said, report = consent_of(path)
    assert said == {"a@x.com": True, "b@x.com": False}
    assert report.mapping.get("consent") == header


@pytest.mark.parametrize("header", ["Email verified", "Email sent", "Mailing address", "Contact phone"])
def test_email_words_beside_other_facts_are_not_consent(tmp_path, header):
    path = write(tmp_path, "o.csv", f"Order ID,Email,Date,Total,{header}\n1,a@x.com,2024-01-01,10,yes\n"
                 "2,b@x.com,2024-01-02,10,no\n")
    said, _ = consent_of(path)
    assert said == {"a@x.com": None, "b@x.com": None}


@pytest.mark.parametrize("word", ["nicht abonniert", "Non abonné", "non inscrit", "no suscrita", "niet aangemeld",
                                  "não inscrito", "Not opted in", "nie angemeldet"])
def test_a_negated_yes_word_is_a_no_in_every_language(word):
    assert consent_meaning(word) == NO
    assert consent_meaning(word, inverted=True) == NO  # it says the answer itself


def test_with_several_consent_columns_a_no_beats_a_cell_that_was_not_understood(tmp_path):
    path = write(tmp_path, "o.csv", "Order ID,Email,Date,Total,Newsletter,GDPR Consent\n"
                 "1,a@x.com,2024-01-01,10,no,maybe\n2,b@x.com,2024-01-02,20,yes,maybe\n"
                 "3,c@x.com,2024-01-03,20,yes,yes\n")
    said, _ = consent_of(path)
    # a said no: a known opt-out; b's yes stands beside a word not understood: no clear yes
    assert said == {"a@x.com": False, "b@x.com": None, "c@x.com": True}


@pytest.mark.parametrize("later", ["Ann Lee <ann@example.com>", "mailto:ann@example.com",
                                   "ann@example.com; ann@work.example.com", '"Ann" <ANN@example.com>'])
def test_an_email_cell_with_a_name_or_several_addresses_is_its_first_address(tmp_path, later):
    path = tmp_path / "o.csv"
    pd.DataFrame({"Order ID": [1, 2, 3], "Email": ["ann@example.com", later, "bob@example.com"],
                  "Date": ["2024-01-10", "2024-06-10", "2024-02-01"], "Total": [10, 20, 30],
                  "Accepts Marketing": ["yes", "no", "yes"]}).to_csv(path, index=False)
    said, report = consent_of(path)
    # one customer, whose later "no" is their latest word
    assert said == {"ann@example.com": False, "bob@example.com": True}
    data = read_orders(path)
    assert data.customers["email"].tolist() == ["ann@example.com", "bob@example.com"]
    assert any("1 cell in 'Email' held more than an email address" in n for n in report.notes)


@pytest.mark.parametrize("header, yes, no", [
    ("Subscribe", "yes", "no"), ("Opted in?", "yes", "no"), ("OK to contact", "Yes", "No"), ("News", "yes", "no"),
    ("Infolettre", "oui", "non"), ("Boletín", "sí", "no"), ("メールマガジン", "はい", "いいえ"),
    ("Nyhetsbrev", "ja", "nej"), ("Рассылка", "да", "нет"),
])
def test_more_consent_headers_and_their_words_are_read(tmp_path, header, yes, no):
    path = write(tmp_path, "o.csv", f"Order ID,Email,Date,Total,{header}\n"
                 f"1,a@x.com,2024-01-01,10,{yes}\n2,b@x.com,2024-01-02,20,{no}\n3,a@x.com,2024-01-03,5,{yes}\n"
                 f"4,c@x.com,2024-01-04,5,{yes}\n5,c@x.com,2024-02-04,5,{no}\n")
    said, report = consent_of(path)
    assert said == {"a@x.com": True, "b@x.com": False, "c@x.com": False}
    assert report.mapping.get("consent") == header


@pytest.mark.parametrize("header", ["Contacted", "Promotion", "Info", "Subscribe & Save", "利用規約に同意",
                                    "Согласие с офертой", "согласие на обработку персональных данных",
                                    "同意服务条款", "Cookie consent", "GDPR data processing consent",
                                    "Zustimmung AGB", "Consentimiento términos", "Permission to photograph",
                                    "Consent form signed", "Mail order", "Shipped by mail", "Email confirmed"])
def test_yes_no_columns_about_other_things_are_still_not_consent(tmp_path, header):
    path = write(tmp_path, "o.csv", f"Order ID,Email,Date,Total,{header}\n1,a@x.com,2024-01-01,10,yes\n"
                 "2,b@x.com,2024-01-02,10,no\n")
    said, _ = consent_of(path)
    assert said == {"a@x.com": None, "b@x.com": None}


@pytest.mark.parametrize("header", ["Marketing", "Newsletter signup", "Promotional emails"])
def test_a_consent_column_blank_on_the_first_thousands_of_orders_is_found(tmp_path, header):
    """The consent question was added to the checkout later: every older order has a blank cell."""
    old = "".join(f"{i},f{i % 900}@x.com,2023-{1 + i % 12:02d}-{1 + i % 28:02d},10,\n" for i in range(6000))
    new = ("7001,s1@x.com,2024-03-01,10,yes\n7002,s1@x.com,2024-04-01,10,no\n7003,s2@x.com,2024-03-02,10,no\n"
           "7004,s3@x.com,2024-03-03,10,yes\n")
    said, report = consent_of(write(tmp_path, "o.csv", f"Order ID,Email,Date,Total,{header}\n{old}{new}"))
    assert report.mapping.get("consent") == header
    assert said["s1@x.com"] is False and said["s2@x.com"] is False and said["s3@x.com"] is True
    assert said["f1@x.com"] is None  # never asked: not consented, no known opt-out


def test_in_a_checkbox_column_an_empty_cell_is_an_unticked_box(tmp_path):
    """A column of ticks and blanks: ticking the box on one order and not on a later one is a no;
    the other lines of a ticked order (blank beside the tick, same moment) say nothing."""
    path = write(tmp_path, "o.csv", "Order ID,Email,Date,Total,Marketing consent (checkbox)\n"
                 "1,a@x.com,2024-01-01,10,\u2713\n2,a@x.com,2024-05-01,10,\n"   # ticked, then not
                 "3,b@x.com,2024-01-02,10,\n4,b@x.com,2024-06-02,10,\u2713\n"   # not, then ticked
                 "5,c@x.com,2024-01-03 10:00,10,\u2713\n5,c@x.com,2024-01-03 10:00,7,\n"  # one order, two lines
                 "6,d@x.com,2024-01-04,10,\n")
    said, report = consent_of(path)
    # not consented; never an opt-out (an empty box is no "unsubscribe"): None, as for no statement
    assert said == {"a@x.com": None, "b@x.com": True, "c@x.com": True, "d@x.com": None}
    assert any("holds only ticks" in note for note in report.notes)
    # a column of yes and blank cells keeps blank as "says nothing" (Shopify's later lines)
    path = write(tmp_path, "p.csv", "Order ID,Email,Date,Total,Newsletter\n1,a@x.com,2024-01-01,10,yes\n"
                 "2,a@x.com,2024-05-01,10,\n")
    assert consent_of(path)[0] == {"a@x.com": True}
