"""The "Analyze orders" script never writes a customer's text as a live formula."""
from __future__ import annotations

import datetime as dt

from test_scripts import FakeBook

from clv_excel import scripts

HOSTILE = ['=HYPERLINK("http://evil","x")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3", "\uff1dSUM(1)", "Plain"]


def test_names_that_look_like_formulas_are_written_as_text():
    rows = [["Customer", "Date", "Total"]]
    for i, name in enumerate(HOSTILE):
        rows.append([name, dt.datetime(2024, 1, 1 + i), 10.0 + i])
        rows.append([name, dt.datetime(2024, 3, 1 + i), 20.0 + i])
    book = FakeBook(rows)
    assert scripts.analyze_orders_into(book) is True
    for sheet_name in ("CLV results", "CLV segments"):
        sheet = scripts.find_sheet(book, sheet_name)
        for block in sheet.cells.values():
            for row in block if isinstance(block, list) else [[block]]:
                for cell in row:
                    assert not (isinstance(cell, str) and cell.startswith(scripts.FORMULA_STARTS)), cell
    table = scripts.find_sheet(book, "CLV results").cells["A1"]
    ids = {row[0] for row in table[1:]}
    assert ids == {"'" + n if n != "Plain" else n for n in HOSTILE}  # Excel shows them without the '
