"""Names for the columns of a table handed over without its header row (an Excel range
without [#All], a CSV with no header line such as CDNOW's published log): Date, Email,
Total and Customer by what the cells hold, else ``Column N``. Cells are Python values as
a spreadsheet gives them (numbers, dates, text) or text."""
from __future__ import annotations

import datetime as dt
import math
import numbers
import re

# Serial numbers Excel shows as dates between 1954 and 2119: anything else is not a date.
SERIAL_DATE_RANGE = (20_000.0, 80_000.0)
SAMPLE_ROWS = 200
NUMBER_TEXT = re.compile(r"^[\s$€£]*[-+]?\d[\d,. ]*%?\s*$")
DATE_TEXT = re.compile(r"^\s*(\d{1,4})[-/.](\d{1,2})[-/.](\d{1,4})([ T]\d{1,2}:\d{2}(:\d{2})?)?\s*$")
EMAIL_TEXT = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _is_number(cell) -> bool:
    return isinstance(cell, (int, float)) and not isinstance(cell, bool)


def _is_date(cell) -> bool:
    return isinstance(cell, (dt.date, dt.datetime)) or (isinstance(cell, str) and bool(DATE_TEXT.match(cell)))


def is_blank(value) -> bool:
    """True for an empty cell as xlwings delivers it (None or whitespace-only text)."""
    return value is None or (isinstance(value, str) and not value.strip())


_ONLINE_ERA = (34_700.0, None)  # 1995-01-01 as an Excel serial; the end is today


def _today_serial() -> float:
    return float((dt.date.today() - dt.date(1899, 12, 30)).days)


def looks_like_serial_date(value) -> bool:
    """True for a number Excel would show as a date in a date column."""
    return (
        isinstance(value, numbers.Real)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and SERIAL_DATE_RANGE[0] <= value <= SERIAL_DATE_RANGE[1]
    )


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
        # serials of the years shops have sold online (1995 to today): 5-digit customer ids
        # also fall in Excel's date range, but mostly in the 1950s-80s or the future
        recent = sum(1 for c in cells if looks_like_serial_date(c) and _ONLINE_ERA[0] <= c <= _today_serial()) / count
        kinds.append({"dates": dates, "real_dates": real_dates, "recent": recent, "numbers": len(numbers) / count,
                      "emails": emails, "texts": texts, "fractional": fractional, "filled": bool(cells)})
    names = [f"Column {i + 1}" for i in range(width)]

    def pick(score, taken=()):
        best = max((i for i in range(width) if i not in taken), key=score, default=None)
        return best if best is not None and score(best) > 0 else None

    taken: set[int] = set()
    date = pick(lambda i: kinds[i]["real_dates"] * 2 + kinds[i]["recent"] +
                (kinds[i]["dates"] if not kinds[i]["fractional"] else 0) if kinds[i]["dates"] >= 0.8 else 0)
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
