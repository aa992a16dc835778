"""Excel Tables and ids: a range with or without its header row, ids in their own type.

``=CLV_PREDICT(Orders)`` hands over a Table's data rows only (no header);
``=CLV_PREDICT(Orders[#All])`` or ``A1:E500`` include the header. :func:`with_header`
tells the two apart by content and, for a headerless range, names the columns by what
they hold so intake can find customer, date and amount.

Intake reads customer ids as text; :func:`customer_id_restorer` turns them back into
numbers when every id cell of the range was a number, so ``XLOOKUP(12346, …)`` finds them.
"""
from __future__ import annotations

import math
from operator import itemgetter

from clv_engine.intake.headerless import DATE_TEXT, NUMBER_TEXT, content_headers  # noqa: F401 (re-exported)

from .shaping import is_blank

def looks_like_data_row(row) -> bool:
    """True when the first row of a range holds values, not column names.

    A header row holds text only, and none of it reads as a number or a date.
    """
    filled = [cell for cell in row if not is_blank(cell)]
    if not filled:
        return False
    for cell in filled:
        if not isinstance(cell, str):
            return True  # numbers, dates, TRUE/FALSE are values
        if NUMBER_TEXT.match(cell) or DATE_TEXT.match(cell):
            return True
    return False


def with_header(table: list[list]) -> tuple[list[list], str]:
    """``(table with a header row, note)``; the note is empty when the range had one."""
    if not looks_like_data_row(table[0]):
        return table, ""
    names = content_headers(table)
    note = ("The range has no header row (e.g. a Table without [#All]); columns were named by their "
            "content: " + ", ".join(n for n in names if not n.startswith("Column ")) + ".")
    return [names] + table, note


def customer_id_restorer(table: list[list], mapping: dict):
    """A function that gives the first column of result rows (customer ids, as text)
    back the type they had in the range: numbers when every id cell was a number."""
    header = [str(h).strip() if h is not None else "" for h in table[0]]
    column_name = mapping.get("customer_id") if mapping else None
    if column_name is None or str(column_name) not in header:
        return _unchanged
    index = header.index(str(column_name))
    cells = list(map(itemgetter(index), table[1:]))  # C-speed over 500,000 rows
    kinds = set(map(type, cells))
    if str in kinds and any(text.strip() for text in cells if type(text) is str):
        return _unchanged  # some ids are text
    kinds -= {str, type(None)}
    if not kinds or not kinds <= {int, float}:
        return _unchanged  # no numbers, or dates / TRUE/FALSE among the ids

    def restore(cells: list[list]) -> list[list]:
        if not isinstance(cells, list) or len(cells) < 2:
            return cells
        for row in cells[1:]:
            row[0] = as_number(row[0])
        return cells

    return restore


def as_number(text):
    """'12346' -> 12346, '12.5' -> 12.5; anything else unchanged."""
    if not isinstance(text, str):
        return text
    try:
        number = float(text)
    except ValueError:
        return text
    if not math.isfinite(number):
        return text
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _unchanged(cells):
    return cells
