"""Turning text cells into numbers, dates and yes/no flags, one whole column at a time.

Every function takes a pandas Series of strings ("" for blank) and returns a parsed
Series plus what it decided for the column (decimal mark, day/month order), so the
decision is made once from the whole column and reported, never guessed per cell.
"""
from __future__ import annotations

import operator
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .text import JoinedColumn, whitespace_chars

__all__ = [
    "cell_example",
    "on_uniques",
    "AmountColumn",
    "DateColumn",
    "clean_text",
    "dirty_positions",
    "email_addresses",
    "iso_dates",
    "parse_amounts",
    "parse_consent",
    "parse_dates",
    "settle_by_row_order",
]

_SPACES = "\u00a0\u202f\u2007\u2009\u200b\ufeff"
_SPACE_TABLE = str.maketrans({c: " " for c in _SPACES})

# symbol / short code written next to an amount -> ISO code (None = ambiguous "$")
_CURRENCY_SYMBOLS = {
    "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₩": "KRW", "₽": "RUB", "₺": "TRY",
    "₪": "ILS", "₱": "PHP", "฿": "THB", "₫": "VND", "zł": "PLN", "kr": "SEK", "rm": "MYR",
    "r$": "BRL", "us$": "USD", "a$": "AUD", "c$": "CAD", "ca$": "CAD", "au$": "AUD",
    "nz$": "NZD", "hk$": "HKD", "s$": "SGD", "chf": "CHF", "fr": "CHF", "$": "$",
}

_AMOUNT_RE = re.compile(
    r"^(?P<open>\()?\s*(?P<sign1>[-+−])?\s*(?P<cur1>[^\d\s().,+\-−']{1,4})?\s*"
    r"(?P<sign2>[-+−])?\s*(?P<num>\d[\d.,' ]*|[.,]\d+)\s*(?P<cur2>[^\d\s().,+\-−']{1,4})?\s*"
    r"(?P<sign3>[-−])?\s*(?P<close>\))?$"
)


def cell_example(text, limit: int = 40) -> str:
    """A cell quoted in a message: whole when it is short ("09/13/2022 8:43:00 AM"), else cut
    at the last space (or punctuation) before ``limit`` characters, with "…"."""
    text = str(text).strip()
    if len(text) <= limit:
        return text
    head = text[:limit]
    cut = max(head.rfind(" "), head.rfind(","), head.rfind(";"))
    return (head[:cut] if cut >= limit // 2 else head).rstrip(" ,;") + "…"


def on_uniques(values: pd.Series, func):
    """Apply ``func`` (Series -> Series) to the distinct values only and spread the result back.

    Order exports repeat the same customer, status or amount many times; text work per
    distinct value keeps intake fast on millions of rows.
    """
    if len(values) < 2000:
        return func(values)
    # hashing costs far less than a regular expression per cell; a column whose first rows
    # are all distinct (emails, order numbers in a date-sorted export) still repeats later
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), size_hint=len(values), use_na_sentinel=False)
    if len(uniques) == len(values):
        return func(values)
    result = func(pd.Series(np.asarray(uniques, dtype=object), dtype=str))
    return pd.Series(result.to_numpy()[codes], index=values.index).astype(result.dtype)


_NEEDS_CLEANING = "^[\\s']|\\s$|[\u00a0\u202f\u2007\u2009\u200b\ufeff]"


def _dirty_cells(s: pd.Series) -> pd.Series:
    """Cells that need cleaning: leading/trailing space, a leading apostrophe, odd spaces."""
    joined = JoinedColumn.of(s)
    if joined is None:
        return s.str.contains(_NEEDS_CLEANING, regex=True)
    dirty = np.zeros(len(s), dtype=bool)
    dirty[dirty_positions(joined)] = True
    return pd.Series(dirty, index=s.index)


def dirty_positions(joined: JoinedColumn) -> np.ndarray:
    """Positions of the cells of ``joined`` that :func:`clean_text` would change."""
    found = [joined.cells_starting_with("'")]
    for space in joined.present(whitespace_chars()):
        found += [joined.cells_starting_with(space), joined.cells_ending_with(space)]
    found += [joined.cells_containing(c) for c in joined.present(_SPACES)]
    return np.concatenate(found)


def _clean_cells(s: pd.Series) -> pd.Series:
    s = s.str.translate(_SPACE_TABLE).str.strip()
    return s.str.replace(r"^'", "", regex=True).str.strip()


def _clean_text_plain(values: pd.Series) -> pd.Series:
    s = values.astype(str)
    dirty = _dirty_cells(s)
    if not dirty.any():
        return s
    part = on_uniques(s[dirty], _clean_cells)
    s = s.copy()
    s[dirty] = part
    return s


def clean_text(values: pd.Series) -> pd.Series:
    """Strip spaces (incl. non-breaking) and a leading Excel apostrophe."""
    return _clean_text_plain(values)


# an email cell holding more than its address: a display name ("Ann Lee <ann@x.com>"), a
# "mailto:", several addresses ("ann@x.com; ann@work.com") — a bare address has none of these
_DECORATED_EMAIL = re.compile(r"<|mailto:|[;,]|@[^\x00@]*@", re.IGNORECASE)
_ADDRESS = re.compile(r"[^\s<>;,:()\[\]\"'@]+@[^\s<>;,()\[\]\"'@]+")


def decorated_emails(values: pd.Series) -> np.ndarray:
    """Positions of the cells that hold an address with more around it (see
    :func:`email_addresses`); one search over the whole column."""
    joined = JoinedColumn.of(values)
    if joined is None:
        cells = [v if isinstance(v, str) else "" for v in values.tolist()]
        return np.flatnonzero([bool(_DECORATED_EMAIL.search(c)) and "@" in c for c in cells])
    if not joined.present("<;,:") and joined.text.count("@") <= len(joined.cells):
        return np.zeros(0, dtype=np.int64)
    starts = [m.start() for m in _DECORATED_EMAIL.finditer(joined.text)]
    if not starts:
        return np.zeros(0, dtype=np.int64)
    found = np.unique(np.searchsorted(joined.bounds, np.asarray(starts, dtype=np.int64), side="right") - 1)
    return found[["@" in joined.cells[i] for i in found.tolist()]] if len(found) else found


def email_addresses(values: pd.Series) -> pd.Series:
    """Each email cell as its address alone: the first address of a cell that holds a
    display name (``Ann Lee <ann@example.com>``), a ``mailto:`` or several addresses
    (``ann@example.com; ann@work.com``). Other cells are returned as they are."""
    found = decorated_emails(values)
    if not len(found):
        return values
    cells = values.to_numpy(dtype=object).copy()
    for i in found.tolist():
        match = _ADDRESS.search(cells[i])
        if match:
            cells[i] = match.group(0)
    return pd.Series(cells, index=values.index, dtype=values.dtype)


@dataclass
class AmountColumn:
    """How an amount column was read."""

    decimal: str = "."  # "." or ","
    # a cell written with a decimal comma ("35,82", "1.234,50"), for the note that says so;
    # "" when none was: a column of whole amounts with thousands dots ("1.200") also reads
    # with decimal "," but has no decimal comma to speak of
    comma_example: str = ""
    currencies: pd.Series | None = None  # per-row code found inside the cell ("" if none)
    notes: list[str] = field(default_factory=list)


def _decimal_proofs(num: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Per cell: does its own text prove a decimal point, or a decimal comma?

    ``1,234.50`` and ``12.5`` prove a point (so does ``1,234,567``); ``1.234,50``,
    ``35,82`` and ``1.234.567`` prove a comma; ``1.234``, ``1,234`` and ``42`` prove
    nothing.
    """
    has_dot = num.str.contains(".", regex=False)
    has_comma = num.str.contains(",", regex=False)
    both = has_dot & has_comma
    dot_last = num.str.rfind(".") > num.str.rfind(",")
    only_comma = has_comma & ~has_dot
    only_dot = has_dot & ~has_comma
    # "35,82" or "12,5" (not exactly three digits after one comma) -> decimal comma
    comma_dec = only_comma & num.str.fullmatch(r"\d*,(\d{1,2}|\d{4,})").fillna(False).astype(bool)
    # "1,234,567" -> thousands commas -> dot decimal
    comma_thou = only_comma & (num.str.count(",") > 1)
    dot_dec = only_dot & num.str.fullmatch(r"\d*\.(\d{1,2}|\d{4,})").fillna(False).astype(bool)
    dot_thou = only_dot & (num.str.count(r"\.") > 1)
    return (both & dot_last) | comma_thou | dot_dec, (both & ~dot_last) | comma_dec | dot_thou


def parse_amounts(values: pd.Series, *, decimal: str | None = None) -> tuple[pd.Series, AmountColumn]:
    """Parse money cells (see :func:`parse_amounts_distinct`), working on distinct cells only."""
    infos = []

    def parse(distinct):
        number, info = parse_amounts_distinct(distinct, decimal=decimal)
        infos.append(info)
        return pd.DataFrame({"number": number, "currency": info.currencies.astype(str)}, index=distinct.index)

    values = values.astype(str)
    if len(values) < 2000:
        frame = parse(values)
    else:
        codes, uniques = pd.factorize(values)
        distinct = parse(pd.Series(np.asarray(uniques, dtype=object), dtype=str))
        currency = distinct["currency"].to_numpy(dtype=object)
        frame = pd.DataFrame({"number": distinct["number"].to_numpy()[codes],
                              # no symbol or code in any cell (the usual case): one shared blank
                              "currency": currency[codes] if (currency != "").any() else ""},
                             index=values.index)
    info = infos[0]
    info.currencies = frame["currency"]
    number = frame["number"].astype("float64")
    # "Infinity", "1e999", "NaN" are not amounts: unreadable, so the row is named in the report
    return number.where(np.isfinite(number.to_numpy())), info


def parse_amounts_distinct(values: pd.Series, *, decimal: str | None = None) -> tuple[pd.Series, AmountColumn]:
    """Parse money cells like ``$1,240.00``, ``-$0.95``, ``(50.00)``, ``50.00-``, ``12,00 €``.

    The decimal mark is decided from the whole column (``1.234,50`` vs ``1,234.50``;
    ``35,82`` proves a decimal comma). Unreadable non-blank cells become NaN; blank cells
    become NaN too (callers tell them apart with ``values == ""``).
    """
    s = _clean_text_plain(values)
    info = AmountColumn()
    nonblank = s != ""
    plain = pd.to_numeric(s.where(nonblank, None), errors="coerce")
    need = nonblank & plain.isna()
    if not need.any() and (decimal == "." or decimal is None and not _thousands_dots(s[nonblank])) \
            and not s.str.contains(",", regex=False).any():
        info.currencies = pd.Series("", index=s.index, dtype=object)
        return plain.astype("float64"), info

    parts = s.str.extract(_AMOUNT_RE)
    matched = parts["num"].notna()
    if not matched.all():  # text that is no amount at all (names, notes) stays unreadable: NaN
        if not matched.any():
            info.decimal = decimal or "."
            info.currencies = pd.Series("", index=s.index, dtype=object)
            return pd.Series(np.nan, index=s.index, dtype="float64"), info
        number, info = _parse_matched(parts[matched], decimal)
        info.currencies = info.currencies.reindex(s.index, fill_value="")
        return number.reindex(s.index), info
    return _parse_matched(parts, decimal)


_THREE_DECIMAL_CURRENCIES = {"KWD", "BHD", "OMR", "JOD", "TND", "LYD", "IQD"}


def _thousands_dots(num: pd.Series, parts: pd.DataFrame | None = None) -> bool:
    """Do the dots of a column in which no cell proves its decimal mark group thousands?

    ``1.200``, ``12.450`` and ``3.990`` prove nothing one by one; a column where every
    dotted amount is like that and none is written with cents (``3.99``) is a column of
    whole amounts with thousands dots (a German or Dutch export), unless its currency is
    one written with three decimals (Kuwaiti dinar …) or an amount starts with 0 (``0.125``)."""
    dotted = num[num.str.contains(".", regex=False)]
    grouped = r"[1-9]\d{0,2}(?:\.\d{3})+"
    if dotted.empty or not dotted.head(100).str.fullmatch(grouped).all() or not dotted.str.fullmatch(grouped).all():
        return False
    if parts is None:
        return True
    codes = parts["cur1"].fillna(parts["cur2"]).dropna().astype(str).str.upper()
    return not codes.isin(_THREE_DECIMAL_CURRENCIES).any()


_GROUPS = r"(?:\d{1,3}(?:T\d{3})+|\d{1,2}(?:T\d{2})+T\d{3}|\d+)"  # 1,234,567 / 12,34,567 / 1234567
_GROUPED_POINT = "(?:" + _GROUPS.replace("T", ",") + r")?(?:\.\d*)?"  # "1,234." too
_GROUPED_COMMA = "(?:" + _GROUPS.replace("T", r"\.") + r")?(?:,\d*)?"


def _parse_matched(parts: pd.DataFrame, decimal: str | None) -> tuple[pd.Series, AmountColumn]:
    """Numbers of cells that match ``_AMOUNT_RE`` (``parts``: its groups per cell)."""
    info = AmountColumn()
    num = parts["num"].astype(str).str.replace(r"[' ]", "", regex=True)
    point, comma = _decimal_proofs(num)
    dots, commas = int(point.sum()), int(comma.sum())
    if decimal is None:
        decimal = "," if commas > dots else "."
        if not dots and not commas and _thousands_dots(num, parts):
            decimal = ","
            info.notes.append("amounts like 1.200 were read as thousands (1200): every amount written with a "
                              "dot has groups of three digits after it and none has cents")
    if commas and dots:
        # a cell whose own text proves its mark (a number cell of a spreadsheet next to
        # "€ 1.234,50" text cells) is read as written; only cells that could be either
        # (1.234) follow the column's majority
        info.notes.append(
            f"{commas} cell{'s' if commas != 1 else ''} used a decimal comma and {dots} a decimal point; each was read as "
            f"written, cells that could be either (like 1.234) as decimal {'comma' if decimal == ',' else 'point'}"
        )
    info.decimal = decimal
    written = comma & num.str.contains(",", regex=False)
    if decimal == "," and written.any():
        info.comma_example = cell_example(num[written].iloc[0])
    as_comma = (comma | ~point) if decimal == "," else comma
    # thousands marks group three digits (or India's lakh grouping) and there is one decimal
    # mark at most: "12.5.3" or "1.234.00" is a typo, not 1,253 or 123,400
    well_formed = num.str.fullmatch(_GROUPED_POINT) | num.str.fullmatch(r"\d*")
    well_formed = well_formed.where(~as_comma, num.str.fullmatch(_GROUPED_COMMA) | num.str.fullmatch(r"\d*"))
    num = num.where(~as_comma, num.str.replace(".", "", regex=False).str.replace(",", ".", regex=False))
    num = num.where(as_comma, num.str.replace(",", "", regex=False))
    number = pd.to_numeric(num.where(num != "", None), errors="coerce").astype("float64")
    number = number.where(well_formed.fillna(False).astype(bool))
    negative = (
        parts["sign1"].isin(["-", "−"]) | parts["sign2"].isin(["-", "−"])
        | parts["sign3"].notna() | (parts["open"].notna() & parts["close"].notna())
    )
    # an unmatched bracket is not a negative sign; treat as unreadable
    broken = parts["open"].notna() != parts["close"].notna()
    number = number.where(~broken)
    number = number.where(~negative, -number)

    cur = parts["cur1"].fillna(parts["cur2"]).fillna("").astype(str)
    known = cur.str.lower().map(_CURRENCY_SYMBOLS)
    is_code = cur.str.fullmatch(r"[A-Za-z]{3}")
    code = known.where(known.notna(), cur.str.upper().where(is_code, None))
    unreadable_cur = (cur != "") & code.isna()
    number = number.where(~unreadable_cur)
    info.currencies = code.fillna("").astype(object)
    return number, info


@dataclass
class DateColumn:
    """How a date column was read: the format family and the day/month order used."""

    order: str | None = None  # "DMY", "MDY", "YMD" or None (no numeric d/m dates)
    ambiguous: bool = False
    notes: list[str] = field(default_factory=list)
    why: str = ""  # what in the data settled the day/month order, for a person


_ISO_RE = r"\d{4}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?"
# a UTC offset or zone name after a time of day: "14:22:10 +0100", "10:15Z", "09:00 PST"
_OFFSET_RE = r"(\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s*[AaPp]\.?[Mm]\.?)?)\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2}|[+-]\d{2}|[A-Z]{2,5})$"
_NUMERIC_RE = re.compile(
    r"^(?P<a>\d{1,2})[./-](?P<b>\d{1,2})[./-](?P<y>\d{4}|\d{2})(?P<time>[ T,]+.*)?$"
)
_YMD_SLASH_RE = re.compile(r"^(?P<y>\d{4})[./](?P<m>\d{1,2})[./](?P<d>\d{1,2})(?P<time>[ T,]+.*)?$")
_TIME_FORMATS = ["", " %H:%M:%S", " %H:%M", " %I:%M:%S %p", " %I:%M %p", " %H:%M:%S.%f"]
_MONTH_FORMATS = [
    "%d %b %Y", "%d %B %Y", "%b %d %Y", "%B %d %Y", "%d %b %y", "%b %d %y", "%d %B %y",
    "%B %d %y", "%Y %b %d",
]


def _try_formats(s: pd.Series, formats: list[str]) -> pd.Series:
    """Parse with each explicit format in turn on the cells still unparsed (vectorised)."""
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    todo = s != ""
    for fmt in formats:
        if not todo.any():
            break
        parsed = pd.to_datetime(s[todo], format=fmt, errors="coerce")
        ok = parsed.notna()
        if ok.any():
            out.loc[ok[ok].index] = parsed[ok].astype("datetime64[ns]")
            todo.loc[ok[ok].index] = False
    return out


_LAST_SERIAL = 109_575  # 2200-01-01 as an Excel serial day number


def _excel_serials(s: pd.Series) -> pd.Series:
    """Excel serial day numbers (1900 system) -> datetimes; others NaT."""
    num = pd.to_numeric(s.where(s.str.fullmatch(r"\d{4,6}(\.\d+)?"), None), errors="coerce")
    # up to 2200-01-01: a larger day number is no order date (and past 2262 no pandas date either)
    num = num.where((num >= 2) & (num < _LAST_SERIAL))
    days = pd.to_timedelta((num * 86400).round(), unit="s")
    return (pd.Timestamp("1899-12-30") + days).astype("datetime64[ns]")


# month names of other languages -> English ("5. März 2024", "3 de marzo de 2024", "12 févr. 2024")
_FOREIGN_MONTHS = {
    "Jan": "januar jänner jän janvier janv enero ene gennaio gen januari janeiro",
    "Feb": "februar feber février févr fevrier fevr febrero febbraio februari fevereiro fev",
    "Mar": "märz maerz marz mrz mars marzo maart mrt março marco",
    "Apr": "avril avr abril abr aprile",
    "May": "mai mayo maggio mag mei maio",
    "Jun": "juni juin junio giugno giu junho",
    "Jul": "juli juillet juil julio luglio lug julho",
    "Aug": "august août aout agosto ago augustus",
    "Sep": "sept septembre septiembre setiembre settembre set setembro",
    "Oct": "oktober okt octobre octubre ottobre ott outubro out",
    "Nov": "novembre noviembre novembro",
    "Dec": "dezember dez décembre déc decembre dec diciembre dic dicembre december dezembro",
}
_MONTH_WORD = {w: english for english, words in _FOREIGN_MONTHS.items() for w in words.split()}
_MONTH_WORD_RE = re.compile(r"(?i)(?<![^\W\d_])(" + "|".join(sorted(map(re.escape, _MONTH_WORD), key=len, reverse=True))
                            + r")\.?(?![^\W\d_])")


def _english_months(s: pd.Series) -> pd.Series:
    """Dates with month names in German, French, Spanish, Italian, Dutch or Portuguese, in
    the English words the formats read: "5. März 2024" -> "5 Mar 2024"."""
    s = s.str.replace(_MONTH_WORD_RE, lambda m: _MONTH_WORD[m.group(1).lower()], regex=True)
    s = s.str.replace(r"(?i)\b(\d{1,2})\.(?=\s)", r"\1", regex=True)  # "5. Mar" (German day)
    return s.str.replace(r"(?i)\s(?:de|del)\s", " ", regex=True)  # "3 de Mar de 2024"


def _normalise_date_text(s: pd.Series) -> pd.Series:
    s = s.str.replace(r"\s+", " ", regex=True)
    s = s.str.replace(r"(?i)\b(\d{1,2})(st|nd|rd|th)\b", r"\1", regex=True)
    s = s.str.replace(r"(?<=[A-Za-z])\.", "", regex=True)  # "Mar." -> "Mar"
    s = s.str.replace(",", " ", regex=False).str.replace(r"\s+", " ", regex=True).str.strip()
    s = s.str.replace(r"(?i)\s*([ap])\.?m\.?$", lambda m: " " + m.group(1).upper() + "M", regex=True)
    return s


_FAST_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


def iso_dates(values: pd.Series) -> pd.Series | None:
    """Large columns of plain ISO dates parsed in one go; None unless every non-blank cell fits.

    A column this accepts needs no text cleaning (a stray space or apostrophe fails it).
    """
    if len(values) < 2000:
        return None
    cells = values.to_numpy(dtype=object)
    filled = cells != ""
    n_filled = int(filled.sum())
    if not n_filled:
        return None
    probe = pd.Series(cells[filled][:200], dtype=object)
    # the formats the first cells are written in, most used first (a spreadsheet writes a
    # date-time at midnight as the date alone, so a column may mix two of them)
    fits = {fmt: pd.to_datetime(probe, format=fmt, errors="coerce").notna().to_numpy() for fmt in _FAST_FORMATS}
    used = sorted((f for f in fits if fits[f].any()), key=lambda f: -int(fits[f].sum()))
    if used and np.logical_or.reduce([fits[f] for f in used]).all():
        parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
        # the probe's formats first; a midnight written as the date alone may come later
        for fmt in used + [f for f in _FAST_FORMATS if f not in used]:
            left = filled & parsed.isna().to_numpy()
            if not left.any():
                break
            parsed[left] = pd.to_datetime(values[left], format=fmt, errors="coerce").astype("datetime64[ns]")
        return parsed if int(parsed.notna().sum()) == n_filled else None
    if probe.str.fullmatch(_ISO_STAMP + _STAMP_TAIL).all():
        stamps = _iso_stamps_with_tail(cells, filled)
        return None if stamps is None else pd.Series(stamps, index=values.index)
    return None


# a date and time of day (seconds), then what exports add to it: fractions of a second and a
# UTC offset or zone ("2024-03-01 14:22:10 +0100", "2024-03-01T14:22:10.123Z")
_ISO_STAMP = r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}"
_STAMP_TAIL = r"(?:[.,]\d{1,9})?\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2}|[+-]\d{2})?"


def _iso_stamps_with_tail(cells: np.ndarray, filled: np.ndarray) -> np.ndarray | None:
    """Date-times with an offset or fractions parsed as their wall-clock time to the second
    (the offset dropped, as :func:`parse_dates_distinct` does), in one go: the distinct tails
    are checked, the first 19 characters parsed. None unless every non-blank cell fits."""
    tails = set(map(operator.itemgetter(slice(19, None)), cells[filled].tolist()))
    if len(tails) > 10_000 or not all(re.fullmatch(_STAMP_TAIL, t) for t in tails):
        return None
    try:
        heads = cells.astype("S19")  # each cell cut to its first 19 characters, as ASCII bytes
    except UnicodeEncodeError:
        return None
    chars = np.frombuffer(heads.tobytes(), dtype=np.uint8).reshape(len(heads), 19).T.copy()
    return _stamps_from_digits(chars, filled)


def _stamps_from_digits(chars: np.ndarray, filled: np.ndarray) -> np.ndarray | None:
    """``YYYY-MM-DD HH:MM:SS`` (or with ``T``) from a (19 x rows) matrix of ASCII bytes, as
    datetime64[ns] with NaT for blank rows; None when a filled row is not such a date-time."""
    chars[:, ~filled] = np.frombuffer(b"1970-01-01 00:00:00", dtype=np.uint8)[:, None]  # blanks: NaT below
    bad = (chars[4] != ord("-")) | (chars[7] != ord("-")) | (chars[13] != ord(":")) | (chars[16] != ord(":"))
    bad |= (chars[10] != ord(" ")) & (chars[10] != ord("T"))
    digits = chars - np.uint8(ord("0"))  # a non-digit wraps past 9
    for k in (0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18):
        bad |= digits[k] > 9
    if bad.any():
        return None

    def number(*positions: int) -> np.ndarray:
        out = np.zeros(chars.shape[1], dtype=np.int32)
        for k in positions:
            out = out * 10 + digits[k]
        return out

    year, month, day = number(0, 1, 2, 3), number(5, 6), number(8, 9)
    hour, minute, second = number(11, 12), number(14, 15), number(17, 18)
    if ((month < 1) | (month > 12) | (day < 1) | (hour > 23) | (minute > 59) | (second > 59)).any():
        return None
    months = ((year - 1970) * 12 + month - 1).astype("datetime64[M]")
    days = months.astype("datetime64[D]") + (day - 1)
    if (days.astype("datetime64[M]") != months).any():  # a day past the month's end (Feb 30)
        return None
    out = days.astype("datetime64[ns]") + ((hour * 60 + minute) * 60 + second) * np.timedelta64(1, "s")
    out[~filled] = np.datetime64("NaT")
    return out


def parse_dates(
    values: pd.Series, *, date_order: str | None = None, default_order: str = "MDY"
) -> tuple[pd.Series, DateColumn]:
    """Parse a date column (see :func:`parse_dates_distinct`); plain ISO columns take a fast path."""
    values = values.astype(str)
    fast = iso_dates(values)
    if fast is not None:
        return fast, DateColumn(order="YMD")
    infos = []

    def parse(distinct):
        out, info = parse_dates_distinct(distinct, date_order=date_order, default_order=default_order)
        infos.append(info)
        return out

    out = on_uniques(values, parse)
    return out.astype("datetime64[ns]"), infos[0]


_MONTH_DAYS = np.array([0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def _is_day_of(day: pd.Series, month: pd.Series, year: pd.Series) -> pd.Series:
    """Is ``day`` a day of ``month`` in ``year`` (two-digit years taken as 20xx for leap years)?"""
    full = year.where(year >= 100, year + 2000)
    leap = (full % 4 == 0) & ((full % 100 != 0) | (full % 400 == 0))
    known = (month >= 1) & (month <= 12)
    longest = pd.Series(_MONTH_DAYS[np.where(known, month, 0).astype(int)], index=month.index)
    longest = longest.where(~((month == 2) & ~leap), 28)
    return known & (day >= 1) & (day <= longest)


def _orders_by_separator(cells: pd.Series, needs_dmy: pd.Series, needs_mdy: pd.Series
                         ) -> list[tuple[str, str, np.ndarray]] | None:
    """``(separator, order, rows)`` per way of writing a date (``-``, ``/``, ``.``) when
    each way is consistent in itself and they disagree (the Retail case study's
    ``28-02-2014`` beside ``2/20/2014``); None otherwise. ``order`` is "" for a way whose
    dates fit both orders."""
    separator = cells.str.extract(r"^\d{1,2}([./-])", expand=False).to_numpy(dtype=object)
    dmy, mdy = needs_dmy.to_numpy(), needs_mdy.to_numpy()
    groups = []
    for mark in dict.fromkeys(separator):
        rows = separator == mark
        day_first, month_first = bool(dmy[rows].any()), bool(mdy[rows].any())
        if day_first and month_first:
            return None  # mixed within one way of writing: no rule to follow
        groups.append((mark, "DMY" if day_first else "MDY" if month_first else "", rows))
    return groups if len({order for _, order, _ in groups if order}) > 1 else None


def _numeric_dates(cells: pd.Series, parts: pd.DataFrame, order: str) -> pd.Series:
    """Dates like 03/04/2025 (any of / . - between the parts), read in ``order``."""
    text = cells.str.replace(r"^(\d{1,2})[./-](\d{1,2})[./-]", r"\1/\2/", regex=True)
    text = _normalise_date_text(text)
    first, second = ("%d", "%m") if order == "DMY" else ("%m", "%d")
    years = "%Y" if parts["y"].str.len().max() == 4 else "%y"
    other = "%y" if years == "%Y" else "%Y"
    return _try_formats(text, [f"{first}/{second}/{y}{t}" for y in (years, other) for t in _TIME_FORMATS])


def parse_dates_distinct(
    values: pd.Series, *, date_order: str | None = None, default_order: str = "MDY"
) -> tuple[pd.Series, DateColumn]:
    """Parse a date (or date-time) column into naive local wall-clock datetimes.

    ISO dates keep their wall time and drop the offset; ``dd/mm`` vs ``mm/dd`` is decided
    from the whole column (a first part > 12 means day first); when nothing decides it,
    ``date_order`` or ``default_order`` is used and the column is flagged ambiguous.
    """
    s = _clean_text_plain(values)
    info = DateColumn()
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    todo = s != ""
    if not todo.any():
        return out, info
    s = s.where(todo, "")

    iso = todo & s.str.match(_ISO_RE)
    if iso.any():
        text = s[iso].str.replace(_OFFSET_RE, r"\1", regex=True).str.replace(",", ".", regex=False)
        parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
        if getattr(parsed.dt, "tz", None) is not None:
            parsed = parsed.dt.tz_localize(None)
        out.loc[iso] = parsed.astype("datetime64[ns]")
        info.order = "YMD"
        todo &= out.isna() & ~iso

    ymd = todo & s.str.match(_YMD_SLASH_RE)
    if ymd.any():
        text = _normalise_date_text(s[ymd].str.replace(r"^(\d{4})[./](\d{1,2})[./]", r"\1-\2-", regex=True))
        out.loc[ymd] = _try_formats(text.str.replace("-", "/"), [f"%Y/%m/%d{t}" for t in _TIME_FORMATS])
        info.order = info.order or "YMD"
        todo &= out.isna() & ~ymd

    numeric = todo & s.str.match(_NUMERIC_RE)
    if numeric.any():
        parts = s[numeric].str.extract(_NUMERIC_RE)
        a = pd.to_numeric(parts["a"])
        b = pd.to_numeric(parts["b"])
        # only dates valid in one reading decide it ("32.13.2024" and "31/02/2024" fit
        # neither and stay unread)
        year = pd.to_numeric(parts["y"])
        needs_dmy = (a > 12) & _is_day_of(a, b, year)
        needs_mdy = (b > 12) & _is_day_of(b, a, year)
        day_first, month_first = bool(needs_dmy.any()), bool(needs_mdy.any())
        by_separator = _orders_by_separator(s[numeric], needs_dmy, needs_mdy) \
            if day_first and month_first and date_order not in ("DMY", "MDY") else None
        if by_separator is not None:  # "28-02-2014" beside "2/20/2014": each way settles its own order
            order = "DMY" if needs_dmy.sum() >= needs_mdy.sum() else "MDY"
            for _, own, rows in by_separator:
                group = numeric.copy()
                group[numeric] = rows
                out.loc[group] = _numeric_dates(s[group], parts[rows], own or order)
            said = " and ".join(f"those written with '{mark}' as {'day/month' if own == 'DMY' else 'month/day'}"
                                for mark, own, _ in by_separator if own)
            info.notes.append(f"the date column writes dates in two ways, each settled by its own dates: {said}")
        elif day_first and not month_first:
            order = "DMY"
            info.why = f"a date like {cell_example(s[numeric][needs_dmy].iloc[0])} fits only that way"
            if date_order == "MDY":
                info.notes.append(f"month/day was asked for, but a date like "
                                  f"{cell_example(s[numeric][needs_dmy].iloc[0])} fits only day/month: read as "
                                  "day/month (month/day would leave such dates unread)")
        elif month_first and not day_first:
            order = "MDY"
            info.why = f"a date like {cell_example(s[numeric][needs_mdy].iloc[0])} fits only that way"
            if date_order == "DMY":
                info.notes.append(f"day/month was asked for, but a date like "
                                  f"{cell_example(s[numeric][needs_mdy].iloc[0])} fits only month/day: read as "
                                  "month/day (day/month would leave such dates unread)")
        elif day_first and month_first:
            order = date_order if date_order in ("DMY", "MDY") else ("DMY" if needs_dmy.sum() >= needs_mdy.sum() else "MDY")
            info.notes.append("the date column mixes day/month and month/day dates; "
                              f"read as {'day/month' if order == 'DMY' else 'month/day'}, "
                              "dates that do not fit were not read")
        elif date_order not in ("DMY", "MDY") and s[numeric].str.match(r"\s*\d{1,2}\.\d{1,2}\.").all():
            # 05.03.2024: dates written with dots are day.month.year wherever they are written
            # so (Germany, Austria, Switzerland, Scandinavia, Eastern Europe); month/day
            # order never uses dots
            order = "DMY"
            info.why = f"dates written with dots (like {cell_example(s[numeric].iloc[0])}) are day.month.year"
        else:
            order = date_order if date_order in ("DMY", "MDY") else default_order
            # ambiguous only when some date reads both ways (not when none is a date at all)
            info.ambiguous = bool((_is_day_of(a, b, year) & _is_day_of(b, a, year)).any())
        info.order = order
        if by_separator is None:
            out.loc[numeric] = _numeric_dates(s[numeric], parts, order)
        todo &= out.isna() & ~numeric

    six = todo & s.str.fullmatch(r"\d{6}")
    if six.any() and (pd.to_numeric(s[six]) > 73_050).all():  # past 2099 as spreadsheet serials: YYMMDD
        short = pd.to_datetime(s[six], format="%y%m%d", errors="coerce")
        if short.notna().mean() > 0.95:
            out.loc[six] = short.astype("datetime64[ns]")
            info.order = info.order or "YMD"
            todo &= out.isna() & ~six
    serial = todo & s.str.fullmatch(r"\d{4,6}(\.\d+)?")
    if serial.any():
        # an 8-digit YYYYMMDD never reaches here (regex allows 4-6 digits)
        out.loc[serial] = _excel_serials(s[serial])
        todo &= out.isna() & ~serial

    compact = todo & s.str.fullmatch(r"(19|20)\d{6}")
    if compact.any():
        out.loc[compact] = _try_formats(s[compact], ["%Y%m%d"])
        todo &= out.isna() & ~compact

    if todo.any():
        text = _normalise_date_text(_english_months(s[todo]).str.replace(r"(?<=[A-Za-z])-|-(?=[A-Za-z])", " ",
                                                                         regex=True))
        text = text.str.replace(r"^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\s", "", case=False, regex=True)
        text = text.str.replace(_OFFSET_RE, r"\1", regex=True)
        formats = [f + t for f in _MONTH_FORMATS for t in _TIME_FORMATS]
        out.loc[todo] = _try_formats(text, formats)
    return out, info


def settle_by_row_order(values: pd.Series, dates: pd.Series, info: DateColumn,
                        order_numbers: pd.Series | None = None) -> tuple[pd.Series, DateColumn]:
    """Dates no single cell settles (every day 12 or less): when the rows are in date order
    under one reading and not under the other, that reading is taken; else, when the
    order numbers (``order_numbers``: shops number orders as they come) rise with the dates
    under one reading and not under the other, that one."""
    other = "DMY" if info.order == "MDY" else "MDY"
    alt, alt_info = parse_dates(values, date_order=other, default_order=other)

    def in_order(parsed: pd.Series) -> bool:
        stamps = parsed.dropna().to_numpy().view("int64")
        if len(np.unique(stamps)) < 3:
            return False
        step = np.diff(stamps)
        return bool((step >= 0).all() or (step <= 0).all())

    mine, theirs = in_order(dates), in_order(alt)
    why = "no single date settles it, but the rows are in date order only when read that way"
    if mine == theirs:
        numbers = _order_numbers(order_numbers) if order_numbers is not None else None
        if numbers is None:
            return dates, info
        mine, theirs = (_rises_with(numbers, parsed) for parsed in (dates, alt))
        if mine == theirs:
            return dates, info
        why = "no single date settles it, but the order numbers rise with the dates only when read that way"
    chosen, chosen_info = (dates, info) if mine else (alt, alt_info)
    chosen_info.ambiguous = False
    chosen_info.why = why
    return chosen, chosen_info


def _order_numbers(cells: pd.Series) -> pd.Series | None:
    """Order numbers as numbers (``#1001`` -> 1001) when nearly all are, and enough differ."""
    numbers = pd.to_numeric(cells.astype(str).str.strip().str.lstrip("#"), errors="coerce")
    filled = cells.astype(str).str.strip() != ""
    if filled.sum() < 10 or numbers[filled].isna().mean() > 0.05 or numbers.nunique() < 10:
        return None
    return numbers


def _rises_with(numbers: pd.Series, dates: pd.Series) -> bool:
    """Do the dates rise with the order numbers (rank correlation 0.9 or more)?"""
    both = numbers.notna() & dates.notna()
    if both.sum() < 10:
        return False
    rank = numbers[both].rank()
    return bool(rank.corr(dates[both].rank()) >= 0.9)


_CONSENT_YES = {
    "yes", "y", "true", "1", "subscribed", "optedin", "optin", "opted in", "ja", "oui", "si", "sí",
    "x", "accepted", "confirmed", "single_opt_in", "confirmed_opt_in",
}
_CONSENT_NO = {
    "no", "n", "false", "0", "unsubscribed", "optedout", "optout", "opted out", "nein", "non",
    "never subscribed", "not subscribed", "notsubscribed", "never_subscribed", "not_subscribed",
    "pending", "declined", "rejected", "invalid", "redacted",
}


def parse_consent(values: pd.Series) -> pd.Series:
    """Yes/no-like text -> pandas boolean with NA for blank or unknown."""
    s = clean_text(values).str.lower()
    out = pd.Series(pd.NA, index=s.index, dtype="boolean")
    out[s.isin(_CONSENT_YES)] = True
    out[s.isin(_CONSENT_NO)] = False
    return out


def looks_numeric(values: pd.Series) -> float:
    """Share of non-blank cells that read as amounts/numbers (for attribute filtering)."""
    s = clean_text(values)
    s = s[s != ""]
    if s.empty:
        return 0.0
    parsed, _ = parse_amounts(s)
    return float(parsed.notna().mean())


def as_float_array(series: pd.Series) -> np.ndarray:
    """Float array with NaN for missing (helper for callers doing arithmetic)."""
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


DAY_ONE = pd.Timestamp("2000-01-01")  # where a file's day numbers start (dunnhumby's DAY 1)
_DAY_WORDS = {"day", "days", "daynumber", "dayno", "daynum", "dayindex"}


def read_day_numbers(header: str, cells: pd.Series) -> pd.Series | None:
    """A date column of day numbers (dunnhumby's DAY: 1 … 711, days since the data begins)
    as dates from :data:`DAY_ONE`; None when the column is not one. Its header must say day
    and nearly every cell be a whole number up to 100 years of days (Excel serial dates of
    this century are above 36,500 and read as such elsewhere)."""
    words = set(re.split(r"[^a-z0-9]+", str(header).lower())) | {re.sub(r"[^a-z0-9]", "", str(header).lower())}
    if not words & _DAY_WORDS:
        return None
    numbers = pd.to_numeric(cells.where(cells != ""), errors="coerce")
    filled = cells != ""
    known = numbers.notna()
    if not filled.any() or known[filled].mean() < 0.95:
        return None
    values = numbers[known]
    if (values % 1 != 0).any() or values.min() < 0 or values.max() > 36_500:
        return None
    dates = pd.Series(pd.NaT, index=cells.index, dtype="datetime64[ns]")
    dates[known] = DAY_ONE + pd.to_timedelta(values - 1, unit="D")
    return dates
