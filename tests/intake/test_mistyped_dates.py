"""A mistyped order date (2042 for 2024, a spreadsheet's 1900-01-01) is left out with a
reason and a note instead of moving the end or the start of the shop's history."""
from __future__ import annotations

import pandas as pd

from clv_engine.intake import read_orders
from clv_engine.pipeline import Settings, analyze


def orders(extra: list[list[str]]) -> list[list[str]]:
    rows = [["Customer", "Date", "Total"]]
    for i in range(40):
        rows.append([f"C{i % 12}", (pd.Timestamp("2024-01-03") + pd.Timedelta(days=9 * i)).strftime("%Y-%m-%d"),
                     str(20 + i)])
    return rows + extra


def test_a_date_after_today_is_left_out_and_said():
    future = (pd.Timestamp.now() + pd.Timedelta(days=400)).strftime("%Y-%m-%d")
    data = read_orders(orders([["C1", future, "35"]]))
    skipped = data.report.skipped
    assert skipped[["row", "reason", "detail"]].values.tolist() == [[42, "date out of range", future]]
    assert data.orders["date"].max() == pd.Timestamp("2024-01-03") + pd.Timedelta(days=9 * 39)
    assert any("after today" in n and future in n for n in data.report.notes)


def test_a_date_long_before_the_others_and_a_spreadsheet_zero_date_are_left_out():
    data = read_orders(orders([["C2", "2004-03-01", "35"], ["C3", "1900-01-01", "12"]]))
    reasons = dict(zip(data.report.skipped["row"], data.report.skipped["reason"]))
    assert reasons == {42: "date out of range", 43: "date out of range"}
    assert data.orders["date"].min() == pd.Timestamp("2024-01-03")
    assert data.report.rows_used == 40


def test_an_old_shop_keeps_its_old_orders():
    """Years of history, evenly spread: nothing is far from the rest."""
    rows = [["Customer", "Date", "Total"]]
    for i in range(60):
        rows.append([f"C{i % 7}", f"{1998 + i // 3}-0{1 + i % 3}-15", "10"])
    data = read_orders(rows)
    assert data.report.rows_skipped == {}
    assert data.orders["date"].min() == pd.Timestamp("1998-01-15")


def test_the_typo_no_longer_makes_everyone_look_lapsed():
    clean = analyze(orders([]), Settings(method="simple"))
    typo = analyze(orders([["C1", "2042-05-01", "35"]]), Settings(method="simple"))
    assert typo.as_of == clean.as_of
    assert typo.customers["days_since_last_order"].max() == clean.customers["days_since_last_order"].max()


def test_a_few_orders_years_before_the_rest_are_an_earlier_period_not_typos():
    """An Etsy shop's first sales in 2017-2019, then a busy 2024: the old sales are real."""
    old = [["C1", "2017-05-14", "50"], ["C2", "2018-02-03", "60"], ["C1", "2019-09-30", "70"]]
    data = read_orders(orders(old))
    assert data.report.rows_skipped == {}
    assert data.orders["date"].min() == pd.Timestamp("2017-05-14")
    # far-off orders on one or two days still read as typos
    typo = [["C1", "2004-05-14", "50"], ["C2", "2004-05-20", "60"]]
    assert read_orders(orders(typo)).report.rows_skipped == {"date out of range": 2}
