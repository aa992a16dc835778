"""The customer table: one row per customer with the most recent non-empty email, name,
consent and descriptive attributes (country, city, channel …).

Text is cleaned only for each customer's latest candidate cell, not for every row; a
customer whose latest cell turns out empty after cleaning is looked at again in full.
"""
from __future__ import annotations

import functools
import re

import numpy as np
import pandas as pd

from ..arrays import stable_argsort
from .columns import is_attribute_column
from .text import JoinedColumn
from .values import clean_text, decorated_emails, dirty_positions, email_addresses, parse_consent

__all__ = ["customer_table"]

_MAX_ATTRIBUTES = 40
_ATTRIBUTE_SAMPLE = 2000


def _last_row_per_code(rows: np.ndarray, codes: np.ndarray, n: int) -> np.ndarray:
    """For each code, the largest of ``rows`` carrying it (-1 if none); ``rows`` ascending."""
    last = np.full(n, -1, dtype=np.int64)
    np.maximum.at(last, codes[rows], rows)
    return last


def _latest(values: pd.Series, codes: np.ndarray, n: int, transform, is_filled) -> tuple[np.ndarray, pd.Series]:
    """Each customer's latest ``transform``-ed value that ``is_filled`` (rows in date order).

    Returns (customer positions that have one, their values).
    """
    cells = values.to_numpy(dtype=object)
    last = _last_row_per_code(np.flatnonzero(cells != ""), codes, n)
    who = np.flatnonzero(last >= 0)
    # customers taken in row order: the cells are then read in the order they sit in
    # memory (three times faster on a million customers than in customer order)
    who = who[stable_argsort(last[who])]
    picked = transform(pd.Series(cells[last[who]], dtype=str))
    ok = np.asarray(is_filled(picked), dtype=bool)
    if ok.all():
        return who, picked
    # those customers' latest cell was empty after cleaning: look at all their rows
    retry = np.zeros(n, dtype=bool)
    retry[who[~ok]] = True
    rows = np.flatnonzero(retry[codes] & (cells != ""))
    redone = transform(pd.Series(cells[rows], dtype=str))
    filled = np.asarray(is_filled(redone), dtype=bool)
    again = _last_row_per_code(np.arange(len(rows))[filled], codes[rows], n)
    found = np.flatnonzero(again >= 0)
    who = np.concatenate([who[ok], found])
    picked = pd.concat([picked[ok], redone.iloc[again[found]]], ignore_index=True)
    return who, picked


_CELL_WITHOUT_AT = re.compile("\x00[^@\x00]+(?=\x00)")


def _email_or_blank(values: pd.Series, *, raw: bool = False) -> pd.Series:
    """Lower-cased email, or "" for a cell without an @ (``raw``: cells cleaned first)."""
    joined = JoinedColumn.of(values)
    if (joined is not None and not (raw and len(dirty_positions(joined)))
            and joined.text == joined.text.lower() and not _CELL_WITHOUT_AT.search(joined.text)
            and not len(decorated_emails(values))):
        return values  # clean lower-case emails (the usual case): no Python call per cell
    if raw:
        values = clean_text(values)
    values = email_addresses(values)  # "Ann Lee <ann@x.com>" is ann@x.com
    return pd.Series([v.lower() if "@" in v else "" for v in values.tolist()], index=values.index, dtype=str)


# a run of spaces, any other white space, or a space at either end of a cell
_UNEVEN_SPACE = re.compile("\\s{2}|[^\\S ]| \x00|\x00 ")


def _single_spaced(values: pd.Series) -> pd.Series:
    """Runs of white space as one space, none at the ends; one search over the whole
    column when nothing needs it (the usual case)."""
    joined = JoinedColumn.of(values)
    if joined is not None and not _UNEVEN_SPACE.search(joined.text):
        return values
    return values.str.replace(r"\s+", " ", regex=True).str.strip()


def _spread(who: np.ndarray, picked: pd.Series, n: int, index: pd.Index) -> pd.Series:
    out = np.full(n, "", dtype=object)
    out[who] = picked.to_numpy(dtype=object)
    return pd.Series(out, index=index, dtype=str)


def _attribute_sample(column: pd.Series) -> pd.Series:
    """``clean_text(column)``'s first non-empty cells (as many as the attribute check looks at)."""
    for size in (4 * _ATTRIBUTE_SAMPLE, len(column)):
        cleaned = clean_text(column.iloc[:size])
        sample = cleaned[cleaned != ""]
        if len(sample) >= _ATTRIBUTE_SAMPLE or size >= len(column):
            return sample.head(_ATTRIBUTE_SAMPLE)
    return sample


def customer_table(body: pd.DataFrame, used: pd.DataFrame, dates: pd.Series, roles: dict, codes: np.ndarray,
                   index: pd.Index, *, raw_email: bool = False, name_parts: tuple[str, str] | None = None
                   ) -> pd.DataFrame:
    """One row per customer (``index``, the customer ids) from the work rows ``used``
    (email, name, consent) of customers with orders; ``codes`` gives each row's position
    in ``index``.

    ``raw_email``: the email column still needs :func:`clean_text`. ``name_parts``: the
    headers of the file's first and last name columns, whose latest values become the
    ``first_name`` and ``last_name`` columns.
    """
    frame = used[["email", "name", "consent"]]
    if not dates.is_monotonic_increasing:
        by_date = np.argsort(dates.to_numpy(), kind="stable")
        frame, codes = frame.iloc[by_date], codes[by_date]
    n = len(index)
    out = pd.DataFrame(index=index)
    email_value = functools.partial(_email_or_blank, raw=raw_email)
    who, emails = _latest(frame["email"], codes, n, email_value, lambda t: t.to_numpy() != "")
    out["email"] = _spread(who, emails, n, index)
    who, names = _latest(frame["name"], codes, n, _single_spaced, lambda t: t.to_numpy() != "")
    out["name"] = _spread(who, names, n, index)
    who, consent = _latest(frame["consent"], codes, n, parse_consent, lambda t: t.notna().to_numpy())
    values = pd.arrays.BooleanArray(np.zeros(n, dtype=bool), np.ones(n, dtype=bool))
    values[who] = consent.to_numpy(dtype=object) if len(who) else []
    out["consent"] = values
    mapped = set(roles.values()) | set(name_parts or ())
    attrs = 0
    positions = body.index.get_indexer(frame.index)  # (arithmetic on the usual RangeIndex)
    for part, header in zip(("first_name", "last_name"), name_parts or ()):
        column = pd.Series(body[header].to_numpy(dtype=object)[positions], index=frame.index, dtype=str)
        who, latest = _latest(column, codes, n, _single_spaced, lambda t: t.to_numpy() != "")
        out[part] = _spread(who, latest, n, index)
    for header in body.columns:
        if header in mapped or header in out.columns or attrs >= _MAX_ATTRIBUTES:
            continue
        column = pd.Series(body[header].to_numpy(dtype=object)[positions], index=frame.index, dtype=str)
        if not is_attribute_column(header, _attribute_sample(column)):
            continue
        attrs += 1
        who, latest = _latest(column, codes, n, clean_text, lambda t: t.to_numpy() != "")
        out[header] = _spread(who, latest, n, index)
    # In the order of ``index`` (customers by first order), not sorted by id: sorting a
    # million ids cost 0.65 s and nothing needs it (the pipeline looks customers up by id).
    return out
