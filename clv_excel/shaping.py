"""Turn what Excel hands to Python into plain values, and results back into cells.

xlwings delivers a range as a list of lists (classic may deliver a 1-D list for a single
row or column, Lite passes empty cells as ``None`` and numbers as ``float``, dates as
``datetime`` or as Excel serial numbers). Everything returned to Excel must be a
rectangular list of lists (or a scalar) of ``str``/``float``/``int``/``bool``/
``datetime``/``None``: no NaN, NaT, numpy or pandas types.
"""
from __future__ import annotations

import datetime as dt
import math
import numbers
import re

import numpy as np

from clv_engine.errors import InputError
from clv_engine.intake.headerless import is_blank, looks_like_serial_date  # noqa: F401 (used here and re-exported)

EXCEL_EPOCH = dt.datetime(1899, 12, 30)
ERROR_PREFIX = "CLV: "
MAX_CELL_TEXT = 32_000


def as_table(values, what: str = "orders") -> list[list]:
    """Return ``values`` as a rectangular list of rows without trailing blank rows/columns.

    Accepts a list of lists, a 1-D list (one row, as classic xlwings passes a single-row
    range) or a scalar. Raises :class:`InputError` when nothing is left. A well-formed
    range (the usual case) is returned without copying its rows. A whole-column reference
    (``Orders!A:E``, a million mostly empty rows) is cut to its last filled row first, in
    blocks compared at C speed.
    """
    empty = InputError(f"the {what} range is empty.", hint="Select the range with its header row.")
    empty.excel_code = "#N/A"  # nothing to show, rather than a wrong value
    if values is None:
        raise empty
    if not isinstance(values, (list, tuple)):
        values = [[values]]
    elif values and not isinstance(values[0], (list, tuple)):
        values = [list(values)]
    rows = values if type(values) is list else list(values)
    end = used_rows(rows)
    if not end:
        raise empty
    if end < len(rows):
        rows = rows[:end]
    width = len(rows[0])
    if not (set(map(type, rows)) == {list} and set(map(len, rows)) == {width}):  # map: C-speed
        width = max(len(row) if isinstance(row, (list, tuple)) else 1 for row in rows)
        rows = [
            (list(row) if isinstance(row, (list, tuple)) else [row]) for row in rows
        ]
        rows = [row + [None] * (width - len(row)) for row in rows]
    used = width
    while used > 1 and all(is_blank(row[used - 1]) for row in rows):
        used -= 1
    if used < width:
        rows = [row[:used] for row in rows]
    return rows


TRIM_BLOCK = 4096


def used_rows(rows) -> int:
    """Number of rows up to the last one with content (blank: None or whitespace text)."""
    end = len(rows)
    if not end:
        return 0
    width = len(rows[0]) if isinstance(rows[0], (list, tuple)) else 1
    blank = [None] * width
    # whole blocks of empty rows (as Excel passes a whole-column reference) at C speed
    while end >= TRIM_BLOCK and rows[end - TRIM_BLOCK:end] == [blank] * TRIM_BLOCK:
        end -= TRIM_BLOCK
    while end and _blank_row(rows[end - 1]):
        end -= 1
    return end


def _blank_row(row) -> bool:
    if isinstance(row, (list, tuple)):
        return all(is_blank(v) for v in row)
    return is_blank(row)


def as_column(values, what: str = "values") -> list:
    """Flatten a single row, a single column or a scalar into one list of cells."""
    if not isinstance(values, (list, tuple)):
        return [values]
    flat: list = []
    for row in values:
        if isinstance(row, (list, tuple)):
            flat.extend(row)
        else:
            flat.append(row)
    return flat


def scalar(value):
    """Unwrap a 1x1 range (``[[x]]`` or ``[x]``) into ``x``; leave other values alone."""
    while isinstance(value, (list, tuple)) and len(value) == 1:
        value = value[0]
    return value


def serial_to_datetime(serial: float) -> dt.datetime:
    """Excel 1900-system serial number -> datetime (serial 1 is 1900-01-01)."""
    return EXCEL_EPOCH + dt.timedelta(days=float(serial))


def _decimal_point(text: str) -> str:
    """A number written with grouping marks and either decimal mark, as Python reads it:
    ``1.234,56`` and ``1,234.56`` -> ``1234.56``; ``49,90`` and ``0,125`` -> a decimal
    comma; ``1,200`` and ``1,234,567`` -> groups of thousands (as Excel in English)."""
    if "," in text and "." in text:  # the later mark is the decimal one
        grouping = "," if text.rfind(".") > text.rfind(",") else "."
        text = text.replace(grouping, "")
        return text.replace(",", ".")
    if text.count(",") == 1:
        whole, part = text.split(",")
        if len(part) != 3 or whole.lstrip("+-") in ("", "0"):
            return whole + "." + part
    return text.replace(",", "")


def optional_number(value, name: str, default, *, low=None, high=None, rate=False):
    """Read an optional numeric argument: blank -> ``default``; text such as ``"10%"``
    or ``"1,200"`` is accepted. ``rate=True`` means a fraction: 10 is refused with a hint
    to write 10% or 0.10 (it is ambiguous)."""
    value = scalar(value)
    if is_blank(value):
        return default
    if isinstance(value, bool):
        raise InputError(f"{name} must be a number, not TRUE/FALSE.")
    if isinstance(value, str):
        text = re.sub(r"[\s\u00a0\u202f']", "", value)
        percent = text.endswith("%")
        text = text.rstrip("%").strip("$€£")
        try:
            number = float(_decimal_point(text))
        except ValueError:
            raise InputError(f"{name} must be a number; got '{value}'.") from None
        if percent:
            number /= 100.0
    elif isinstance(value, numbers.Real):
        number = float(value)
    else:
        raise InputError(f"{name} must be a number; got {type(value).__name__}.")
    if not math.isfinite(number):
        raise InputError(f"{name} must be a finite number.")
    if rate and number > 1.0:
        raise InputError(
            f"{name} {number:g} looks like a percentage.",
            hint=f"Write it as {number:g}% or {number / 100:g}.",
        )
    if low is not None and number < low:
        raise InputError(f"{name} must be at least {low:g}; got {number:g}.")
    if high is not None and number > high:
        raise InputError(f"{name} must be at most {high:g}; got {number:g}.")
    return number


def optional_text(value, name: str, default, choices=None):
    """Read an optional text argument (case-insensitive choice when ``choices`` given)."""
    value = scalar(value)
    if is_blank(value):
        return default
    text = str(value).strip()
    if choices is not None:
        lowered = {c.lower(): c for c in choices}
        if text.lower() not in lowered:
            raise InputError(
                f"{name} '{text}' is not one of: {', '.join(choices)}.",
                hint=f"Leave it empty for '{default}'.",
            )
        return lowered[text.lower()]
    return text


def optional_date(value, name: str = "as_of"):
    """Read an optional date: datetime/date, Excel serial number or text. Blank -> None."""
    value = scalar(value)
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if looks_like_serial_date(value):
        return serial_to_datetime(value)
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2})?)?", text):
            try:
                return dt.datetime.fromisoformat(text.replace(" ", "T") if " " in text else text)
            except ValueError:
                pass
        raise InputError(
            f"{name} '{text}' is not a date I can read.",
            hint="Use a date cell or write it as YYYY-MM-DD.",
        )
    raise InputError(f"{name} must be a date; got {value!r}.", hint="Use a date cell or YYYY-MM-DD.")


def excel_value(value):
    """One Python/numpy/pandas value -> a value Excel accepts (NaN/NaT/NA -> None)."""
    if isinstance(value, np.generic):
        if isinstance(value, np.datetime64):
            return None if np.isnat(value) else excel_value(value.astype("datetime64[us]").item())
        value = value.item()
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, dt.datetime):
        # pandas Timestamp is a datetime subclass; NaT is not a valid datetime.
        if value != value:  # NaT
            return None
        if type(value) is not dt.datetime:
            value = value.to_pydatetime() if hasattr(value, "to_pydatetime") else dt.datetime(
                value.year, value.month, value.day, value.hour, value.minute, value.second, value.microsecond
            )
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, numbers.Integral):
        # numpy bool_ is not Integral; numpy integers are.
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        return number if math.isfinite(number) else None
    if type(value).__name__ in ("NaTType", "NAType"):
        return None
    if isinstance(value, dt.timedelta) or type(value).__name__ == "Timedelta":
        return value.total_seconds() / 86_400.0
    text = str(value)
    return text[:MAX_CELL_TEXT]


def frame_to_cells(frame, columns=None, *, index_label=None, headers=None) -> list[list]:
    """DataFrame -> header row + one row per record, all values Excel-safe.

    ``index_label`` puts the index first under that header; ``headers`` renames columns
    for the sheet (mapping column -> header text).
    """
    columns = list(frame.columns if columns is None else columns)
    headers = headers or {}
    header = ([index_label] if index_label else []) + [str(headers.get(c, c)) for c in columns]
    data_columns = [column_cells(frame[c]) for c in columns]
    if index_label:
        data_columns.insert(0, column_cells(frame.index.to_series()))
    return [header] + [list(record) for record in zip(*data_columns)]


def column_cells(series) -> list:
    """One column as Excel-safe Python values (vectorised for numbers and dates)."""
    kind = series.dtype.kind
    if kind == "f":
        values = series.to_numpy(dtype="float64")
        cells = values.tolist()
        if not np.isfinite(values).all():
            cells = [v if math.isfinite(v) else None for v in cells]
        return cells
    if kind in "iub":
        return series.to_numpy().tolist()
    if kind == "M":
        stamps = series.dt.tz_localize(None) if getattr(series.dt, "tz", None) is not None else series
        return stamps.to_numpy(dtype="datetime64[us]").tolist()  # NaT -> None
    cells = series.tolist()
    missing = series.isna().to_numpy()
    if missing.any():  # NaN / None / NA -> empty cell
        cells = [None if gone else v for v, gone in zip(cells, missing.tolist())]
    text = [v for v in cells if v is not None]
    if all(type(v) is str for v in text) and max(map(len, text), default=0) <= MAX_CELL_TEXT:
        return cells  # plain text (ids, names, tiers) and blanks: nothing to convert
    return [excel_value(v) for v in cells]


def error_cell(error: BaseException) -> str:
    """One readable line for a cell: ``CLV: <what is wrong> <what to do>``."""
    text = " ".join(str(error).split())
    if not text:
        text = type(error).__name__
    return (ERROR_PREFIX + text)[:MAX_CELL_TEXT]


MAX_MESSAGE = 255  # classic xlwings turns a longer error text into a bare #VALUE!
ERROR_CODES = ("#VALUE!", "#N/A", "#NUM!", "#REF!", "#NAME?", "#DIV/0!", "#NULL!")
# VT_ERROR codes as pywin32 passes them (CVErr(xlErrValue) etc. as a COM SCODE)
CLASSIC_ERROR_CODES = {
    "#NULL!": -2146826288,
    "#DIV/0!": -2146826281,
    "#VALUE!": -2146826273,
    "#REF!": -2146826265,
    "#NAME?": -2146826259,
    "#NUM!": -2146826252,
    "#N/A": -2146826246,
}


class CellError:
    """An Excel error value (``#VALUE!``, ``#N/A`` …) with the reason behind it.

    Worksheet functions return it instead of a result; :mod:`clv_excel.udfs` hands Excel
    the real error value (so IFERROR and ISERROR work) and ``CLV_LAST_ERROR()`` shows the
    reason, at most 255 characters.
    """

    __slots__ = ("code", "message", "function")

    def __init__(self, code: str, message: str, function: str = ""):
        if code not in ERROR_CODES:
            raise ValueError(f"not an Excel error value: {code!r}")
        self.code = code
        self.message = short_message(message)
        self.function = function

    def __eq__(self, other):
        return isinstance(other, CellError) and (self.code, self.message) == (other.code, other.message)

    def __repr__(self):
        return f"CellError({self.code!r}, {self.message!r})"

    def __str__(self):
        return f"{self.code} {self.message}"


# command-line advice in the engine's words, as a worksheet range is fixed instead
_EXCEL_RULES = [
    # "Name those columns 'Date', or tell the program which they are: --map date=COLUMN": the
    # header is the only way in a range
    (re.compile(r",?\s*or tell the program which (?:they are|one it is|it is)(?:, e\.g\.)?:?\s*"
                r"(?:--map\s+\w+=COLUMN(?:\s*\(mapping=\{[^}]*\}\))?\s*)+"), ""),
    (re.compile(r"\s*\(?--map role=COLUMN\)?|--map\s+\w+=COLUMN(?:\s*\(mapping=\{[^}]*\}\))?"),
     " rename that column's header"),
    (re.compile(r"set the date order to (DMY|MDY)\s*\(--date-order\)"),
     "enter the dates as date cells (or as YYYY-MM-DD text)"),
    (re.compile(r"\s*\(--date-order\)|\s*--date-order(?:\s+\w+)?"), " (enter the dates as date cells)"),
    (re.compile(r"count each once with --duplicates drop"), "delete the repeated rows to count each once"),
    (re.compile(r"with --duplicates \w+|--duplicates \w+"), "(delete the repeated rows to count each once)"),
    (re.compile(r"\(see intake\.csv\)|see intake\.csv|in intake\.csv"), "(see =CLV_INTAKE(range))"),
]


def in_excel_words(text: str) -> str:
    """``text`` with command-line advice (--map, --date-order, intake.csv …) replaced by
    what does the same in a workbook."""
    for pattern, replacement in _EXCEL_RULES:
        text = pattern.sub(replacement, text)
    return text


def short_message(error, limit: int = MAX_MESSAGE) -> str:
    """``<what is wrong> <what to do>`` on one line, in at most ``limit`` characters.

    A long description (e.g. a list of thirty column names) is cut in the middle with
    "…" so that the advice at the end (the hint) survives.
    """
    hint = in_excel_words(" ".join((getattr(error, "hint", None) or "").split()))
    text = in_excel_words(" ".join(str(error).split()) or type(error).__name__)
    if len(text) <= limit:
        return text
    if not (hint and text.endswith(hint) and len(hint) < limit - 40):
        cut = text.rstrip(". ").rfind(". ")  # else the last sentence is the advice
        hint = text[cut + 2:] if cut > 0 else ""
    if hint and len(hint) < limit - 40:
        head = text[: len(text) - len(hint)].rstrip()
        room = limit - len(hint) - 2
        return head[:room].rstrip() + "… " + hint
    return text[: limit - 1].rstrip() + "…"
