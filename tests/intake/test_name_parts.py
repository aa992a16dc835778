"""First and last names in columns of their own reach the customer table (and so the
email lists) as they are written, not joined and split again at the first space."""
from __future__ import annotations

import pytest

from clv_engine.exports.contacts import first_and_last_names
from clv_engine.intake import read_orders
from clv_engine.intake.columns import name_part_headers
from clv_engine.intake.files import read_raw_table


@pytest.mark.parametrize("first,last", [
    ("First Name", "Last Name"), ("First Name (Billing)", "Last Name (Billing)"), ("billing_first_name", "billing_last_name"),
    ("Vorname", "Nachname"), ("Prénom", "Nom"), ("Given name", "Surname"),
])
def test_first_and_last_name_columns_become_the_customers_names(first, last):
    rows = [["Order ID", "Order Date", "Email", first, last, "Total"],
            ["1", "2024-01-05", "ana@x.test", "Ana Sofía", "Picard", "30.00"],
            ["2", "2024-02-05", "mary@x.test", "Mary Ann", "van der Berg", "40.00"],
            ["3", "2024-03-05", "ana@x.test", "Ana Sofía", "Picard", "35.00"],
            ["4", "2024-03-09", "nobody@x.test", "", "", "10.00"]]
    data = read_orders(rows)
    people = data.customers
    assert people.loc["ana@x.test", ["first_name", "last_name", "name"]].tolist() == ["Ana Sofía", "Picard", "Ana Sofía Picard"]
    assert people.loc["mary@x.test", ["first_name", "last_name"]].tolist() == ["Mary Ann", "van der Berg"]
    assert people.loc["nobody@x.test", ["first_name", "last_name", "name"]].tolist() == ["", "", ""]
    given, family = first_and_last_names(people.reset_index())
    assert given[:2] == ["Ana Sofía", "Mary Ann"] and family[:2] == ["Picard", "van der Berg"]


def test_without_emails_people_are_told_apart_by_their_first_and_last_names():
    rows = [["Date", "First Name", "Last Name", "Amount"],
            ["2024-01-05", "Ana", "Picard", "30"], ["2024-02-05", "Ana", "Lopez", "40"],
            ["2024-03-05", "ana", "picard", "35"]]
    data = read_orders(rows)
    assert sorted(data.orders["customer_id"].astype(str).value_counts().tolist()) == [1, 2]


def test_the_buyers_names_come_before_the_recipients_and_numbers_are_no_names():
    grid = read_raw_table([["Shipping First Name", "Shipping Last Name", "First Name (Billing)", "Last Name (Billing)",
                            "Surname"],
                           ["Gift", "Friend", "Ana", "Picard", "12"], ["Gift", "Friend", "Bo", "Lund", "13"]]).grid
    body = grid.iloc[1:].set_axis(list(grid.iloc[0]), axis=1)
    assert name_part_headers(list(body.columns), body, set()) == ("First Name (Billing)", "Last Name (Billing)")
    assert name_part_headers(["Shipping First Name", "Surname"], body, set()) is None
