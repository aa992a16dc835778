"""Shared helpers for the Excel front door tests: ranges shaped like xlwings delivers
them, and the check that every return value is something Excel accepts."""
from __future__ import annotations

import datetime as dt
import math
from pathlib import Path


DATA = Path(__file__).resolve().parents[1] / "data"
EXCEL_EPOCH = dt.datetime(1899, 12, 30)
ALLOWED = (str, float, int, bool, dt.datetime, type(None))


def assert_excel_safe(value):
    """A scalar or a rectangular list of lists of str/float/int/bool/datetime/None, no NaN."""
    if not isinstance(value, list):
        rows = [[value]]
    else:
        assert value, "an empty list does not fit in a cell"
        assert all(isinstance(row, list) for row in value), "not a list of lists"
        rows = value
    widths = {len(row) for row in rows}
    assert len(widths) == 1, f"ragged rows: widths {sorted(widths)}"
    for row in rows:
        for cell in row:
            assert type(cell) in ALLOWED, f"{type(cell).__module__}.{type(cell).__name__} is not Excel-safe: {cell!r}"
            if isinstance(cell, float):
                assert math.isfinite(cell), f"non-finite number {cell!r}"
            if isinstance(cell, dt.datetime):
                assert cell.tzinfo is None
    return rows


def is_error_cell(value) -> bool:
    """An Excel error value as the functions return it (CellError) or as the xlwings
    wrappers hand it to Excel off Windows ("#VALUE!", "#N/A")."""
    from clv_excel.shaping import ERROR_CODES, CellError

    return isinstance(value, CellError) or (isinstance(value, str) and value in ERROR_CODES)


def last_error() -> str:
    """The reason CLV_LAST_ERROR() shows for the latest error value."""
    from clv_excel import functions

    return functions.clv_last_error()


def cdnow_orders(max_lines: int = 900) -> list[list]:
    """Orders from the CDNOW sample as classic xlwings delivers them: header row,
    customer ids as text, dates as datetime, amounts as float."""
    rows = [["Customer", "Date", "Total"]]
    with open(DATA / "CDNOW_sample.txt", encoding="ascii") as handle:
        for line in handle.readlines()[:max_lines]:
            customer, _, day, _, dollars = line.split()
            rows.append([f"C{customer}", dt.datetime.strptime(day, "%Y%m%d"), float(dollars)])
    return rows


def as_lite(rows):
    """The same range as xlwings Lite passes it: dates as Excel serial numbers."""
    out = [list(rows[0])]
    for row in rows[1:]:
        out.append([(cell - EXCEL_EPOCH).days * 1.0 if isinstance(cell, dt.datetime) else cell for cell in row])
    return out


