"""Long ids a spreadsheet rounded (Toast's 18-digit Check Id saved by Excel as 4.00001E+17)
no longer tell orders or customers apart: they must not merge different people's orders."""
from __future__ import annotations

import pandas as pd
import pytest

from clv_engine.errors import InputError
from clv_engine.intake import read_orders


def test_rounded_order_numbers_are_not_used_to_merge_orders(tmp_path):
    path = tmp_path / "orders.csv"
    pd.DataFrame({
        "Order Id": ["4.00001E+17", "4.00001E+17", "4.00000E+17", "4.00001E+17"],
        "Email": ["ann@x.com", "bob@x.com", "cy@x.com", "ann@x.com"],
        "Date": ["2025-02-06", "2025-02-07", "2025-03-01", "2025-04-01"],
        "Total": [10.0, 20.0, 30.0, 40.0],
    }).to_csv(path, index=False)
    data = read_orders(path)
    per_customer = data.orders.groupby("customer_id", observed=True)["amount"].agg(["size", "sum"])
    assert per_customer.to_dict("index") == {"ann@x.com": {"size": 2, "sum": 50.0},
                                             "bob@x.com": {"size": 1, "sum": 20.0},
                                             "cy@x.com": {"size": 1, "sum": 30.0}}
    note = next(n for n in data.report.notes if "rounded by a spreadsheet" in n)
    assert "'Order Id'" in note and "4.00001E+17" in note and "each row is an order" in note
    assert "order_id" not in data.report.mapping


def test_rounded_customer_ids_fall_back_to_the_email_or_are_refused(tmp_path):
    frame = pd.DataFrame({"Customer ID": ["1.23457E+15", "1.23457E+15", "1.23458E+15"],
                          "Email": ["ann@x.com", "bob@x.com", "ann@x.com"],
                          "Date": ["2025-01-01", "2025-01-02", "2025-01-03"], "Total": [1.0, 2.0, 3.0]})
    frame.to_csv(tmp_path / "a.csv", index=False)
    data = read_orders(tmp_path / "a.csv")
    assert sorted(data.orders["customer_id"].astype(str).unique()) == ["ann@x.com", "bob@x.com"]
    frame.drop(columns="Email").to_csv(tmp_path / "b.csv", index=False)
    with pytest.raises(InputError) as err:
        read_orders(tmp_path / "b.csv")
    assert "rounded by a spreadsheet" in str(err.value) and "1.23457E+15" in str(err.value)


def test_short_numbers_in_scientific_notation_stay_ids(tmp_path):
    # a spreadsheet shows numbers in full up to 11 digits: 1.5E+3 is an id written this way
    path = tmp_path / "orders.csv"
    pd.DataFrame({"Order Id": ["1.5E+3", "1.5E+3", "2.25E+3"], "Email": ["a@x.com", "a@x.com", "b@x.com"],
                  "Date": ["2025-01-01", "2025-01-01", "2025-01-02"], "Total": [5.0, 5.0, 7.0]}).to_csv(path, index=False)
    assert read_orders(path).report.mapping.get("order_id") == "Order Id"
