"""Who is who: customer id, else email, else name; placeholders are not ids."""
from __future__ import annotations

import pandas as pd
import pytest

from clv_engine.intake import read_orders

HEADER = ["Customer ID", "Email", "Name", "Date", "Total"]


def test_rows_without_an_id_fall_back_to_email_then_name():
    rows = [
        HEADER,
        ["C1", "ann@x.test", "Ann", "2024-01-01", "10"],
        ["", "ANN@x.test ", "Ann", "2024-01-02", "11"],     # no id, C1's email: C1 (a guest checkout)
        ["n/a", "bob@x.test", "Bob", "2024-01-03", "12"],   # placeholder id: email
        ["", "", "Carla  Diaz", "2024-01-04", "13"],         # no id, no email: name
        ["", "", "carla diaz", "2024-01-05", "14"],          # same name, other spelling
        ["", "", "", "2024-01-06", "15"],                    # nobody
        ["C1", "", "", "2024-01-07", "16"],
        ["", "dora@x.test", "Dora", "2024-01-08", "17"],   # no id, an email no id has: the email
    ]
    data = read_orders(rows)
    ids = data.orders["customer_id"].astype(str).tolist()
    assert ids == ["C1", "C1", "bob@x.test", "carla diaz", "carla diaz", "C1", "dora@x.test"]
    assert dict(zip(data.report.skipped["row"], data.report.skipped["reason"])) == {7: "no customer"}
    assert list(data.customers.index) == ["C1", "bob@x.test", "carla diaz", "dora@x.test"]
    assert data.customers.loc["C1", "email"] == "ann@x.test"


def test_a_name_written_with_and_without_accents_is_one_customer():
    """Walk-in (POS) orders without email: "Zoë Walker" and "Zoe Walker" are one person."""
    rows = [HEADER, ["", "", "Zoë Walker", "2024-01-01", "10"], ["", "", "Zoe  Walker", "2024-02-01", "20"],
            ["", "", "Zoey Walker", "2024-03-01", "30"]]
    data = read_orders(rows)
    assert data.orders["customer_id"].astype(str).tolist() == ["zoë walker", "zoë walker", "zoey walker"]


def test_a_guest_order_joins_the_one_account_with_its_email():
    """Stripe/WooCommerce guest checkouts: no customer id, but the email of an account."""
    rows = [
        HEADER,
        ["", "Ann@X.com", "Ann", "2024-01-01", "40"],       # guest, before the account existed
        ["cus_A", "ann@x.com", "Ann", "2024-02-01", "50"],
        ["cus_A", "ann@x.com", "Ann", "2024-03-01", "60"],
        ["cus_H1", "home@x.com", "Hal", "2024-01-05", "10"],  # one inbox, two accounts
        ["cus_H2", "home@x.com", "Hil", "2024-01-06", "20"],
        ["", "home@x.com", "", "2024-01-07", "30"],           # which of them: neither
    ]
    data = read_orders(rows)
    by_customer = data.orders.groupby("customer_id", observed=True)["amount"].agg(["count", "sum"])
    assert by_customer.loc["cus_A"].tolist() == [3, 150.0]
    assert by_customer.loc["home@x.com"].tolist() == [1, 30.0]
    assert len(data.customers) == 4


def test_an_email_written_like_another_rows_customer_id_is_that_customer():
    rows = [
        HEADER,
        ["dan@x.test", "", "Dan", "2024-01-01", "10"],  # the shop used the email as the id
        ["", "dan@x.test", "Dan", "2024-02-01", "20"],
    ]
    data = read_orders(rows)
    assert data.orders["customer_id"].astype(str).tolist() == ["dan@x.test", "dan@x.test"]
    assert len(data.customers) == 1


@pytest.mark.parametrize("names", [
    ["Ann Lee", "Bo"], ["Ann  Lee", "Bo"], [" Ann", "Bo"], ["Ann ", "Bo"], ["Ann\tLee", "x"],
    ["Ann\u00a0Lee", "x"], ["", " "], ["a", "b\n"], ["Zoë Ça", "Ünal"],
])
def test_customer_names_are_single_spaced_as_a_cell_by_cell_clean_would(names):
    """The customer table's names: white space runs become one space, none at the ends; the
    whole-column check that skips the work must not miss a cell that needs it."""
    from clv_engine.intake.customers import _single_spaced

    column = pd.Series(names, dtype=str)
    expected = [" ".join(n.split()) for n in names]
    assert _single_spaced(column).tolist() == expected


def test_a_customer_column_of_first_names_is_names_when_one_name_has_several_emails():
    rows = [
        ["Order ID", "Order Date", "Customer", "Email", "Amount"],
        ["A1", "2024-01-05", "Bob", "bob@x.test", "100.50"],
        ["A2", "2024-02-05", "Bob", "bob.other@y.test", "50"],
        ["A3", "2024-02-06", "Eve", "eve@x.test", "20"],
        ["A4", "2024-03-01", "Eve", "eve2@y.test", "45"],
        ["A5", "2024-04-01", "Dana", "dana@x.test", "45"],
        ["A6", "2024-04-02", "Dana", "dana@x.test", "15"],
    ]
    data = read_orders(rows)
    assert data.report.mapping.get("name") == "Customer" and "customer_id" not in data.report.mapping
    assert sorted(data.customers.index) == ["bob.other@y.test", "bob@x.test", "dana@x.test", "eve2@y.test",
                                            "eve@x.test"]
    assert data.customers.loc["bob@x.test", "name"] == "Bob"


def test_one_word_customer_codes_that_keep_their_email_stay_ids():
    rows = [
        ["Order ID", "Order Date", "Customer", "Email", "Amount"],
        ["A1", "2024-01-05", "ACME", "buyer@acme.test", "100"],
        ["A2", "2024-02-05", "ACME", "buyer@acme.test", "50"],
        ["A3", "2024-02-06", "Globex", "ap@globex.test", "20"],
        ["A4", "2024-03-01", "Globex", "ap@globex.test", "45"],
    ]
    data = read_orders(rows)
    assert data.report.mapping.get("customer_id") == "Customer"
    assert sorted(data.customers.index) == ["ACME", "Globex"]
