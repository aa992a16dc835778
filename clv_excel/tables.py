"""Excel Tables and ids: a range with or without its header row, ids in their own type.

``=CLV_PREDICT(Orders)`` hands over a Table's data rows only (no header);
``=CLV_PREDICT(Orders[#All])`` or ``A1:E500`` include the header. :func:`with_header`
tells the two apart by content and, for a headerless range, names the columns by what
they hold so intake can find customer, date and amount.

Intake reads customer ids as text; :func:`customer_id_restorer` turns them back into
numbers when every id cell of the range was a number, so ``XLOOKUP(12346, …)`` finds them.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from operator import itemgetter

from .shaping import is_blank, looks_like_serial_date

SAMPLE_ROWS = 200
NUMBER_TEXT = re.compile(r"^[\s$€£]*[-+]?\d[\d,. ]*%?\s*$")
DATE_TEXT = re.compile(r"^\s*(\d{1,4})[-/.](\d{1,2})[-/.](\d{1,4})([ T]\d{1,2}:\d{2}(:\d{2})?)?\s*$")
EMAIL_TEXT = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _is_number(cell) -> bool:
    return isinstance(cell, (int, float)) and not isinstance(cell, bool)


def _is_date(cell) -> bool:
    return isinstance(cell, (dt.date, dt.datetime)) or (isinstance(cell, str) and bool(DATE_TEXT.match(cell)))


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


def content_headers(table: list[list]) -> list[str]:
    """Header names for headerless rows: Date, Email, Total, Customer by content."""
    width = len(table[0])
    sample = table[: SAMPLE_ROWS]
    kinds = []
    for column in range(width):
        cells = [row[column] for row in sample if not is_blank(row[column])]
        count = len(cells) or 1
        dates = sum(1 for c in cells if _is_date(c) or looks_like_serial_date(c)) / count
        numbers = [c for c in cells if _is_number(c)]
        emails = sum(1 for c in cells if isinstance(c, str) and EMAIL_TEXT.match(c.strip())) / count
        texts = sum(1 for c in cells if isinstance(c, str)) / count
        fractional = any(not float(c).is_integer() for c in numbers if math.isfinite(c))
        real_dates = sum(1 for c in cells if isinstance(c, (dt.date, dt.datetime))) / count
        kinds.append({"dates": dates, "real_dates": real_dates, "numbers": len(numbers) / count,
                      "emails": emails, "texts": texts, "fractional": fractional, "filled": bool(cells)})
    names = [f"Column {i + 1}" for i in range(width)]

    def pick(score, taken=()):
        best = max((i for i in range(width) if i not in taken), key=score, default=None)
        return best if best is not None and score(best) > 0 else None

    taken: set[int] = set()
    date = pick(lambda i: kinds[i]["real_dates"] * 2 + (kinds[i]["dates"] if not kinds[i]["fractional"] else 0)
                if kinds[i]["dates"] >= 0.8 else 0)
    if date is not None:
        names[date] = "Date"
        taken.add(date)
    email = pick(lambda i: kinds[i]["emails"] if kinds[i]["emails"] >= 0.8 else 0, taken)
    if email is not None:
        names[email] = "Email"
        taken.add(email)
    # the amount: a number column with cents, else the last number column
    numeric = [i for i in range(width) if i not in taken and kinds[i]["numbers"] >= 0.8]
    with_cents = [i for i in numeric if kinds[i]["fractional"]]
    amount = (with_cents or numeric or [None])[-1]
    if amount is not None:
        names[amount] = "Total"
        taken.add(amount)
    # the customer: the first text column, else the first remaining whole-number column
    texts = [i for i in range(width) if i not in taken and kinds[i]["texts"] >= 0.8]
    rest = [i for i in range(width) if i not in taken and kinds[i]["filled"]]
    customer = (texts or rest or [None])[0]
    if customer is not None:
        names[customer] = "Customer"
    return names


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
