"""``read_orders``: from a file, range or DataFrame to one row per order, with a full report.

Steps: read text grid -> find header -> detect platform layout -> map roles -> fill
order-level cells onto line-item rows -> platform quirks -> mark skipped rows -> parse
dates/amounts -> pick currency -> merge line items into orders and net refunds ->
customer table. Every data row ends up used or in ``report.skipped`` with one reason.
"""
from __future__ import annotations

import itertools
import logging
import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..arrays import python_strings, renumber_by_first_appearance
from ..errors import InputError, agree
from .columns import ROLES, find_header_row, guess_roles, headerless_header, looks_like_person_names, normalise_header
from .columns import name_part_headers, unique_headers
from .columns import DESCRIPTIVE_ROLES, LINE_DESCRIPTIVE_ROLES, guess_descriptive_roles
from .consent import consent_columns, customer_consent
from .details import details_from_intake
from .customers import customer_table
from .files import read_raw_table
from .lines import (build_line_table, cancellation_invoices, categorical, compare_totals, money, net_returns,
                    non_product_lines, report_duplicates, return_rows, row_values, value_detail, whole_number_ids)
from .presets import LAYOUTS, PRESETS, Preset, detect_layout, refuse_if_unusable, refused
from .roles import content_checked_roles, customer_summary_error, customer_summary_headers, has_value_roles
from .roles import missing_role_error, price_is_the_amount
from .report import SKIP_REASONS, IntakeReport, OrderData
from .statuses import skip_by_status
from .text import JoinedColumn
from .values import DAY_ONE, DateColumn, clean_text, iso_dates, on_uniques, parse_amounts, parse_dates
from .values import cell_example, decorated_emails, email_addresses, read_day_numbers, settle_by_row_order

__all__ = ["read_orders"]

log = logging.getLogger(__name__)

# Excel error values: a formula's failure, never a customer, email or amount
_EXCEL_ERRORS = {"#ref!", "#value!", "#n/a", "#div/0!", "#name?", "#null!", "#num!", "#spill!", "#calc!",
                 "#getting_data", "#field!", "#blocked!", "#unknown!", "#connect!", "#busy!", "#external!", "#n/a!"}
_PLACEHOLDERS = {"", "-", "--", "n/a", "na", "none", "null", "unknown", "nan", "(blank)", "guest", "guests",
                 "guest checkout", "guest customer", "guest user", "no customer", "not registered", "anonymous",
                 "gast", "invité", "invitado", "ospite"} | _EXCEL_ERRORS
# ids only: shops write customer id 0 (or -1) for a guest checkout (BigCommerce, Magento, PrestaShop)
_ID_PLACEHOLDERS = {"0", "00", "000", "-1", "0.0"}
_TOTALS_LABEL = r"\s*(grand\s*total|total\b|totals\b|sub-?total\b|sum\b|summe\b|gesamt|insgesamt|totaal|totale\b)"
_TOTALS_RE = "(?i)^" + _TOTALS_LABEL
_ORDERED_ROLES = ("customer_id", "email", "name", "date", "currency", "status", "consent", "refund")


def _row_has_text(grid: pd.DataFrame) -> np.ndarray:
    """Per row: does any cell hold text."""
    out = np.zeros(len(grid), dtype=bool)
    todo = np.arange(len(grid))  # rows with no text found yet (most rows leave at the first column)
    for j in range(grid.shape[1]):
        filled = grid.iloc[:, j].to_numpy(dtype=object)[todo] != ""
        out[todo[filled]] = True
        todo = todo[~filled]
        if not len(todo):
            break
    return out


def _where(report: IntakeReport) -> str:
    return report.source + (f", sheet '{report.sheet}'" if report.sheet else "")


def _check_options(layout, date_order, mapping, duplicates="auto"):
    if duplicates not in ("auto", "drop", "keep"):
        raise InputError(f"unknown duplicates rule '{duplicates}'.", hint="Use 'auto', 'drop' or 'keep'.")
    if layout is not None and layout not in LAYOUTS:
        raise InputError(f"unknown layout '{layout}'.", hint="Use one of: " + ", ".join(LAYOUTS) + ".")
    if date_order is not None and date_order not in ("DMY", "MDY", "YMD"):
        raise InputError(f"unknown date order '{date_order}'.", hint="Use DMY, MDY or YMD.")
    for role in mapping or {}:
        if role not in ROLES and role not in DESCRIPTIVE_ROLES:
            raise InputError(f"unknown column role '{role}' in the mapping.",
                             hint="Roles are: " + ", ".join(ROLES + DESCRIPTIVE_ROLES) + ".")


def _resolve_user_mapping(mapping: dict | None, headers: list[str], where: str) -> tuple[dict, set]:
    fixed, disabled = {}, set()
    by_norm = {normalise_header(h): h for h in reversed(headers)}
    for role, header in (mapping or {}).items():
        if header is None or header == "":
            disabled.add(role)
            continue
        if header in headers:
            fixed[role] = header
        elif normalise_header(header) in by_norm:
            fixed[role] = by_norm[normalise_header(header)]
        else:
            raise InputError(f"there is no column '{header}' to use as {role}.", where=where,
                             hint="The columns are: " + ", ".join(f"'{h}'" for h in headers) + ".")
    return fixed, disabled


def _header_row_for_mapping(grid: pd.DataFrame, mapping: dict) -> int | None:
    wanted = {normalise_header(h) for h in mapping.values() if h}
    for row, cells in grid.head(40).iterrows():
        if wanted and wanted <= {normalise_header(c) for c in cells}:
            return int(row)
    return None


def _case_variants(word: str) -> list[str]:
    """Every spelling whose ``lower()`` is ``word`` (ASCII word; the Kelvin sign lowers to k)."""
    options = [{c, c.upper()} | ({"\u212a"} if c == "k" else set()) for c in word]
    return ["".join(p) for p in itertools.product(*options)]


_PLACEHOLDER_SPELLINGS = frozenset(v for p in _PLACEHOLDERS | _ID_PLACEHOLDERS
                                   if len(p) <= 10 for v in _case_variants(p))
_LONG_PLACEHOLDERS = {p for p in _PLACEHOLDERS if len(p) > 10}  # each holds a space or "#"


def _id_key(values: pd.Series) -> pd.Series:
    """Distinct ids with placeholders ("n/a", "Guest", 0, "#REF!" …) made blank."""
    blank = values.isin(_PLACEHOLDER_SPELLINGS).to_numpy().copy()
    joined = JoinedColumn.of(values)
    if joined is None:
        blank |= values.str.strip().str.lower().isin(_PLACEHOLDERS).to_numpy()
    else:
        maybe = np.union1d(joined.cells_containing(" "), joined.cells_containing("#"))
        if len(maybe):
            part = values.iloc[maybe]
            blank[maybe] |= part.str.strip().str.lower().isin(_PLACEHOLDERS).to_numpy()
    return values.where(~blank, "")


_SPACE_RE = re.compile(r"\s")


def _email_key(values: pd.Series) -> pd.Series:
    values = email_addresses(values)  # "Ann Lee <ann@x.com>" is ann@x.com
    joined = JoinedColumn.of(values)
    email = values
    if joined is None or joined.text != joined.text.lower():
        email = email.str.lower()
    if joined is None or _SPACE_RE.search(joined.text):  # (the usual column has no space: one scan)
        email = email.str.replace(r"\s+", "", regex=True)
    return email.where(~email.isin(_PLACEHOLDERS), "")


def _note_decorated_emails(cells: pd.Series, header: str, notes: list[str]) -> None:
    """Say so when email cells hold a name, a ``mailto:`` or several addresses (their first
    address is the customer's email)."""
    found = decorated_emails(cells)
    if len(found):
        example = cell_example(cells.iloc[int(found[0])])
        n = len(found)
        notes.append(f"{n:,} {'cell' if n == 1 else 'cells'} in '{header}' held more than an email address "
                     f"(e.g. '{example}'): the first address in the cell was used.")


def _zero_is_a_customer(work: pd.DataFrame, codes: np.ndarray, values: np.ndarray, zero: int) -> bool:
    """Is customer id 0 a customer's own id rather than every guest's? Yes when the file
    has no email or name to tell guests apart, its ids count up from 0 or 1 (0, 1, 2 … with
    few gaps: numbered by a program, as in lifetimes' example data) and 0 has no more rows
    than the busiest other customer (guests pooled under 0 would outnumber everyone)."""
    if any((work[c].to_numpy(dtype=object) != "").any() for c in ("email", "name", "phone_identity") if c in work):
        return False
    others = np.delete(values, zero)
    numbers = pd.to_numeric(pd.Series(others, dtype=object), errors="coerce").to_numpy(dtype=np.float64)
    if not len(numbers) or np.isnan(numbers).any() or (numbers != np.round(numbers)).any() or numbers.min() < 1:
        return False
    if len(numbers) < 0.9 * numbers.max():  # 1..max with at most a tenth missing
        return False
    rows = np.bincount(codes, minlength=len(values))
    return bool(rows[zero] <= np.delete(rows, zero).max())


def _guest_ids(ids: pd.Series) -> pd.Series:
    """Per row, why an id names no customer when it is a guest placeholder ("" otherwise)."""
    said = ids.isin(_ID_PLACEHOLDERS)
    out = pd.Series("", index=ids.index, dtype=object)
    if said.any():
        out[said] = "customer id " + ids[said].astype(str) + " stands for a guest checkout; the row has no email or name"
    return out


def _name_key(values: pd.Series) -> pd.Series:
    """A name as it tells customers apart: white space, case and accents of Latin letters
    ignored ("Zoë  Walker" and "zoe walker" are one person, keyed by the spelling that
    comes first; other scripts are kept)."""
    name = values.str.replace(r"\s+", " ", regex=True).str.strip().str.casefold()
    name = name.where(~name.isin(_PLACEHOLDERS), "")
    accented = name.str.contains(r"[\u00c0-\u024f]", regex=True)
    if accented.any():
        folded = name.copy()
        folded[accented] = folded[accented].map(_without_accents)
        spelling = pd.Series(name.to_numpy(), index=folded.to_numpy())
        spelling = spelling[~spelling.index.duplicated()]  # the first spelling of each folded name
        name = pd.Series(spelling.reindex(folded.to_numpy()).to_numpy(), index=name.index, dtype=name.dtype)
    return name


def _without_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _ids_by_email(emails: np.ndarray, codes: np.ndarray, rows: np.ndarray, email_key) -> None:
    """Rows without a customer id (``rows``; guest checkouts) whose email is, once
    normalised, the email of exactly one customer id elsewhere in the file take that id's
    code: the same person ordered once as a guest and once with an account. An email
    shared by several ids (a household, a company inbox) decides nothing."""
    with_id = np.flatnonzero((codes >= 0) & (emails != ""))
    guests = rows[emails[rows] != ""]
    if not len(with_id) or not len(guests):
        return
    cell_code, distinct = pd.factorize(np.concatenate([emails[with_id], emails[guests]]))
    key = email_key(pd.Series(np.asarray(distinct, dtype=object), dtype=str)).to_numpy(dtype=object)
    key_code, _ = pd.factorize(np.where(key == "", None, key), use_na_sentinel=True)  # "" -> -1
    row_key = key_code[cell_code]
    id_key, id_code = row_key[: len(with_id)], codes[with_id]
    known = id_key >= 0
    pairs = np.unique(np.stack([id_key[known], id_code[known]]), axis=1)
    ids_per_key = np.bincount(pairs[0], minlength=key_code.max() + 1)
    owner = np.full(len(ids_per_key), -1, dtype=codes.dtype)
    single = ids_per_key[pairs[0]] == 1
    owner[pairs[0][single]] = pairs[1][single]
    guest_key = row_key[len(with_id):]
    found = np.where(guest_key >= 0, owner[np.maximum(guest_key, 0)], -1)
    codes[guests[found >= 0]] = found[found >= 0]


def _customer_codes(work: pd.DataFrame, raw_email: bool) -> tuple[np.ndarray, np.ndarray]:
    """``(code of each row, identity of each code)``: a row's customer is its customer id,
    else its normalised email, else its normalised name (else phone); code -1 when it has
    none. Each column is hashed once and the text work (placeholders such as "n/a" or
    "guest", normalising emails and names) happens on its distinct values; emails and
    names are looked at only on rows without an id.

    Id 0 (or -1) stands for a guest checkout in many shops, whose rows are then told apart
    by email or name (see :func:`_zero_is_a_customer` for when 0 is a customer's own id).
    """
    codes, values = pd.factorize(work["customer_id"].to_numpy(dtype=object), size_hint=len(work))
    values = np.asarray(values, dtype=object)
    no_id = (_id_key(pd.Series(values, dtype=str)) == "").to_numpy().copy()
    zero = np.flatnonzero(no_id & pd.Index(values).isin(["0", "00", "000"]))
    if len(zero) == 1 and _zero_is_a_customer(work, codes, values, zero[0]):
        no_id[zero] = False
    blank = no_id[codes]
    codes = np.where(blank, -1, codes)
    if not blank.any():
        return codes, values
    email_key = (lambda v: _email_key(clean_text(v))) if raw_email else _email_key
    if (~blank).any():
        _ids_by_email(work["email"].to_numpy(dtype=object), codes, np.flatnonzero(blank), email_key)
    rows = np.flatnonzero(codes < 0)
    if not len(rows):
        return codes, values
    fallbacks = [("email", email_key), ("name", _name_key)]
    if "phone_identity" in work:
        fallbacks.append(("phone_identity", lambda v: v.str.replace(r"[^\d+]", "", regex=True)))
    row_key = np.full(len(rows), -1, dtype=np.int64)  # position among the keys found so far
    found: list[np.ndarray] = []
    size = 0
    for column, key in fallbacks:
        todo = np.flatnonzero(row_key < 0)
        cells = work[column].to_numpy(dtype=object)[rows[todo]]
        filled = cells != ""
        if not filled.any():
            continue
        cell_code, distinct = pd.factorize(cells[filled], size_hint=int(filled.sum()))
        text = key(pd.Series(np.asarray(distinct, dtype=object), dtype=str)).to_numpy(dtype=object)
        usable = (text != "")[cell_code]
        row_key[todo[filled][usable]] = size + cell_code[usable]
        found.append(text)
        size += len(text)
        if (row_key >= 0).all():
            break
    keyed = row_key >= 0
    if keyed.any():  # the same key may come from two columns (an email written as a name)
        same_text, texts = pd.factorize(np.concatenate(found))
        # keys numbered in the order of the rows they first appear on
        key_code, first = pd.factorize(same_text[row_key[keyed]])
        keys = np.asarray(texts, dtype=object)[first]
    else:
        key_code, keys = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object)
    # an email or name written exactly like another row's customer id is that customer
    same = pd.Index(values).get_indexer(keys) if len(values) > no_id.sum() else np.full(len(keys), -1)
    same[(same >= 0) & no_id[np.maximum(same, 0)]] = -1
    new = same < 0
    key_to_code = np.where(new, len(values) + np.cumsum(new) - 1, same)
    codes[rows[keyed]] = key_to_code[key_code]
    return codes, np.concatenate([values, keys[new]])


def _unskipped(work: pd.DataFrame) -> pd.Series:
    """Rows not (yet) skipped."""
    return pd.Series(work["skip"].cat.codes.to_numpy() == 0, index=work.index)


def _has_text(values: pd.Series) -> pd.Series:
    return pd.Series(values.to_numpy(dtype=object) != "", index=values.index)


@dataclass
class _BlankAs:
    """A skip detail: the cell's text, or ``text`` for a blank cell (built for skipped rows only)."""

    values: pd.Series
    text: str


def _generic_status(work: pd.DataFrame, body: pd.DataFrame, status_header: str | None, notes: list[str]) -> None:
    """In a file of no known platform, skip orders whose status (any status column, or a
    'Cancelled at' date) says cancelled, not paid, not a sale, or refunded/returned in full."""
    skip_by_status(work, body, status_header, lambda mask, reason, detail: _mark(work, mask, reason, detail),
                   notes, normalise_header)


def _mark(work: pd.DataFrame, mask: pd.Series, reason: str, detail="") -> None:
    mask = mask.fillna(False).astype(bool) & _unskipped(work)
    if mask.any():
        work.loc[mask, "skip"] = reason
        if isinstance(detail, _BlankAs):
            cells = detail.values[mask]
            work.loc[mask, "detail"] = cells.where(cells != "", detail.text)
        else:
            work.loc[mask, "detail"] = detail[mask] if isinstance(detail, pd.Series) else detail


_DAY_NS = 86_400_000_000_000
EARLIEST_DATE = pd.Timestamp("1970-01-01")  # before online shops; 1899/1900 are spreadsheet zero dates
_TYPO_YEARS = 5  # a date this many years (or 3 spans of the rest) beyond nearly all the others is a typo


def _mark_dates_out_of_range(work: pd.DataFrame, dates: pd.Series, notes: list[str]) -> None:
    """Skip orders dated after today, before 1970, or so far from all the other orders that
    the date must be mistyped (2042 for 2024, 1900 for a spreadsheet's empty date).

    One such date would otherwise move the end of the history (everyone would look lapsed
    for years) or its start. "Far" is measured against the file itself: more than
    max(5 years, 3 × the span of the middle 90% of its orders) beyond that middle."""
    moments = dates.to_numpy(dtype="datetime64[ns]")
    stamps = moments.view(np.int64)
    valid = ~np.isnat(moments) & _unskipped(work).to_numpy()
    if not valid.any():
        return
    today = pd.Timestamp.now().normalize().value
    future = valid & (stamps >= today + 2 * _DAY_NS)  # a day's slack for time zones
    early = valid & (stamps < EARLIEST_DATE.value)
    rest = valid & ~future & ~early
    if rest.sum() >= 20:  # enough orders to say where the history lies
        low, high = np.percentile(stamps[rest], [5, 95])
        margin = max(3 * (high - low), _TYPO_YEARS * 365.25 * _DAY_NS)
        for side, far in ((early, rest & (stamps < low - margin)), (future, rest & (stamps > high + margin))):
            if not _a_period_of_its_own(stamps[far]):
                side |= far
    if not (future.any() or early.any()):
        return
    text = dates.dt.strftime("%Y-%m-%d")
    for mask, why in ((future, "after today" if not (future & (stamps < today)).any() else "years after the other orders"),
                      (early, "before 1970" if not (early & (stamps >= EARLIEST_DATE.value)).any()
                       else "years before the other orders")):
        if mask.any():
            rows = pd.Series(mask, index=work.index)
            _mark(work, rows, "date out of range", text)
            n = int(mask.sum())
            shown = ", ".join(sorted(set(text[rows].tolist()))[:3])
            notes.append(f"{n:,} row{'s' if n != 1 else ''} dated {why} ({shown}) "
                         f"{'were' if n != 1 else 'was'} left out as mistyped; if "
                         f"{'they are real orders' if n != 1 else 'it is a real order'}, correct the date "
                         "in the shop system and export again.")


def _a_period_of_its_own(stamps: np.ndarray) -> bool:
    """Are these far-off dates real orders of an earlier (or later) period rather than typos?
    Yes when they fall on at least 3 different days spread over a month or more: a typo or a
    spreadsheet's empty date is one date, or a few scattered ones."""
    days = np.unique(stamps // _DAY_NS)
    return len(days) >= 3 and days[-1] - days[0] >= 30


def _repeated_header_rows(body: pd.DataFrame) -> pd.Series:
    """Rows that repeat the header (files joined one after the other, each with its header):
    at least half of the named columns hold their own name. One column is compared first,
    so a file without such rows costs a single comparison."""
    named = [c for c in body.columns if str(c).strip() and not str(c).startswith("Column ")]
    out = pd.Series(False, index=body.index)
    if len(named) < 2:
        return out
    first = named[0]
    candidates = np.flatnonzero((body[first].to_numpy(dtype=object) == first))
    if not len(candidates):
        return out
    part = body.iloc[candidates]
    same = sum((part[c].to_numpy(dtype=object) == c).astype(np.int64) for c in named)
    out.iloc[candidates[same * 2 >= len(named)]] = True
    return out


def _day_text(moment) -> str:
    stamp = pd.Timestamp(moment)
    return str(stamp.date()) if stamp == stamp.normalize() else str(stamp)


def _mark_after_as_of(work: pd.DataFrame, dates: pd.Series, customers: np.ndarray, as_of, notes: list[str]) -> None:
    """Skip rows dated after the as-of date (the whole day when it is a date), with a note
    that counts them and the customers who ordered only after it."""
    from ..summary import whole_day

    try:
        end = whole_day(pd.Timestamp(as_of))
    except (TypeError, ValueError):
        raise InputError(f"the as-of date {as_of!r} is not a date.", hint="Write it as YYYY-MM-DD.") from None
    if end.tzinfo is not None:  # order times are local times without a zone
        end = end.tz_localize(None)
    moments = dates.to_numpy(dtype="datetime64[ns]")
    live = _unskipped(work).to_numpy() & ~np.isnat(moments)
    after = live & (moments > end.to_datetime64())
    if not after.any():
        last = pd.Timestamp(moments[live].max()) if live.any() else None
        if last is not None and (end - last).days > 365:
            notes.append(f"The as-of date {_day_text(as_of)} is {(end - last).days / 365.25:.1f} years after the last "
                         f"order in the file ({last.date()}): every customer is taken to have been silent since, and "
                         "the last months of the history, on which the models are checked, hold no orders. Leave "
                         "the as-of date out to end the history at the last order.")
        return
    _mark(work, pd.Series(after, index=work.index), "after the as-of date")
    n = int(after.sum())
    known = np.unique(customers[live & ~after])
    later = np.unique(customers[after])
    only_after = int(np.count_nonzero(~np.isin(later[later >= 0], known)))
    text = f"{n:,} {agree(n, 'row')} dated after the as-of date {_day_text(as_of)} {agree(n, 'was', 'were')} left out"
    if only_after:
        text += (f"; {only_after:,} {agree(only_after, 'customer')} who first ordered after it "
                 f"{agree(only_after, 'is', 'are')} not in the results")
    notes.append(text + ".")


def _returned_in_full(orders: pd.DataFrame, refunds: pd.DataFrame, gross: pd.Series) -> np.ndarray:
    """Per order (a boolean array aligned with ``orders``): is it one whose own refunds (their refund column, and returns that name
    them) add up to all they were worth: returned or refunded in full, not purchases.
    Returns that name no order, taken off a customer's other orders, decide nothing here."""
    own = orders["refund"].astype("float64")
    if len(refunds):
        named = refunds["parent"].isin(orders.index).to_numpy()
        if named.any():
            back = refunds["amount"].abs()[named].groupby(refunds["parent"][named].to_numpy()).sum()
            own = own.add(back.reindex(own.index, fill_value=0.0), fill_value=0.0)
    return ((gross > 0) & (own >= gross - 0.005)).to_numpy()


def _match_whole_returns(orders: pd.DataFrame, refunds: pd.DataFrame, gross: pd.Series, notes: list) -> None:
    """A return that names no order (a cancellation invoice "C541433", a negative row) and is
    worth exactly what one of the same customer's orders on or before it was worth names
    that order, the latest such one: the order was returned in full (its ``parent`` is set).
    Each order is matched at most once."""
    if refunds.empty:
        return
    loose = ~refunds["parent"].isin(orders.index).to_numpy() & (refunds["identity"].to_numpy() >= 0) \
        & refunds["date"].notna().to_numpy()
    if not loose.any():
        return
    part = refunds[loose]
    returns = pd.DataFrame({"invoice": part["invoice"].to_numpy(), "customer": part["identity"].to_numpy(),
                            "date": part["date"].astype("datetime64[ns]").to_numpy(),
                            "value": part["amount"].abs().to_numpy()})
    returns = returns.groupby("invoice", sort=False).agg(customer=("customer", "first"), date=("date", "max"),
                                                          value=("value", "sum"))
    returns["cents"] = np.round(returns["value"].to_numpy() * 100).astype("int64")
    returns = returns[returns["cents"] > 0].reset_index().sort_values("date", kind="stable")
    book = pd.DataFrame({"key": orders.index.to_numpy(), "customer": orders["customer_id"].to_numpy(dtype="int64"),
                         "date": orders["date"].astype("datetime64[ns]").to_numpy(),
                         "cents": np.round(gross.reindex(orders.index).to_numpy() * 100).astype("int64")})
    book = book[book["cents"] > 0].sort_values("date", kind="stable")
    if returns.empty or book.empty:
        return
    matches = []
    for _ in range(8):  # two returns of one value by one customer: the second takes the next earlier order
        found = pd.merge_asof(returns, book, on="date", by=["customer", "cents"], direction="backward")
        found = found[found["key"].notna()].drop_duplicates("key")
        if found.empty:
            break
        matches.append(found[["invoice", "key"]])
        returns = returns[~returns["invoice"].isin(found["invoice"])]
        book = book[~book["key"].isin(found["key"])]
        if returns.empty or book.empty:
            break
    if not matches:
        return
    parent = pd.concat(matches).set_index("invoice")["key"].astype("int64")
    matched = refunds["invoice"].isin(parent.index).to_numpy() & loose
    refunds.loc[matched, "parent"] = refunds.loc[matched, "invoice"].map(parent).to_numpy()
    refunds["matched"] = matched  # named by their value, not by the file (net_returns says so)
    notes.append(f"Returns that name no order but are worth exactly what one of the same customer's earlier orders "
                 f"was worth were matched to that order (the latest such one), which counts as returned in full: "
                 f"{len(parent):,} {agree(len(parent), 'return')}.")


def _fill_order_level(work: pd.DataFrame, rows: np.ndarray, codes: np.ndarray, before=lambda: None,
                      copied: dict | None = None) -> bool:
    """Copy order-level cells (email, date, status …) to the rows of the same order that
    lack them: from the order's nearest earlier row that has them, else (a file sorted by
    product, so the row carrying them is not the order's first) from the nearest later one.

    ``rows``: the positions of the rows with an order number; ``codes``: each one's order
    code (codes number the orders in order of first appearance). ``before()`` runs first
    when there is something to copy; ``copied`` receives, per column, the positions of the
    rows filled and of the rows their cells came from.
    """
    if not len(rows) or codes.max() + 1 == len(rows):  # one row per order
        return False
    before()
    # the rows of each order together, in file order; a blank cell takes the value of the
    # nearest earlier row of its order that has one (a forward fill within each order), or
    # failing that of the nearest later one (a backward fill)
    grouped = np.argsort(codes, kind="stable")
    rows, codes = rows[grouped], codes[grouped]
    position = np.arange(len(rows))
    last_present, targets, sources = None, None, None
    for c in _ORDERED_ROLES:
        cells = work[c].to_numpy(dtype=object)
        present = (cells != "")[rows]
        if present.all() or not present.any():
            continue
        if last_present is None or not np.array_equal(present, last_present):  # (order-level
            source = np.where(present, position, -1)                         # columns share one)
            np.maximum.accumulate(source, out=source)
            fill = ~present & (source >= 0)
            fill[fill] = codes[source[fill]] == codes[fill]
            # rows still blank whose order has the cell on a later row (a sorted file; the
            # usual export writes it on the first row and needs no second pass)
            has_cell = np.zeros(int(codes.max()) + 1, dtype=bool)
            has_cell[codes[present]] = True
            back = ~present & ~fill & has_cell[codes]
            if back.any():
                later = np.where(present, position, len(rows))
                later = np.minimum.accumulate(later[::-1])[::-1]
                back[back] = codes[later[back]] == codes[back]
                source[back] = later[back]
                fill |= back
            last_present, targets, sources = present, rows[fill], rows[source[fill]]
        if len(targets):
            column = work[c].array.copy()  # (setting cells checks only the cells set)
            column[targets] = cells[sources]
            if copied is not None:
                copied[c] = (targets, sources)
            work[c] = pd.Series(column, index=work.index)
    return True


def _total_labels(values: pd.Series) -> np.ndarray:
    """Cells that start with a 'Total…' label (one scan of the column)."""
    joined = JoinedColumn.of(values)
    if joined is None:
        return values.str.match(_TOTALS_RE).fillna(False).to_numpy(dtype=bool)
    out = np.zeros(len(values), dtype=bool)
    out[joined.cells_matching(_TOTALS_LABEL, re.IGNORECASE)] = True
    return out


def _totals_rows(body: pd.DataFrame, work: pd.DataFrame, raw_email: bool) -> pd.Series:
    """Typed-in totals (rows without a date): a row whose first filled cell is a 'Total…'
    label, or that holds only numbers, and that names no customer or order other than by
    its label (a line item "Total Gym" of order #1001 is not a total)."""
    cand = ~_has_text(work["date"])  # a "Total" label in the date column is caught after date parsing
    out = pd.Series(False, index=work.index)
    if not cand.any():
        return out
    rows = np.flatnonzero(cand.to_numpy())  # (by position: no copy of the whole table's rows)
    first = np.full(len(rows), "", dtype=object)  # each row's first filled cell (of the first 12)
    empty = np.arange(len(rows))  # the rows whose first filled cell is still to be found
    for c in range(min(body.shape[1], 12)):
        cells = body.iloc[:, c].to_numpy(dtype=object)[rows[empty]]
        filled = cells != ""
        first[empty[filled]] = cells[filled]
        empty = empty[~filled]
        if not len(empty):
            break
    labelled = _total_labels(pd.Series(first, dtype=object))
    names = np.zeros(len(rows), dtype=bool)
    for c in ("customer_id", "email", "name", "order_id"):
        cells = work[c].to_numpy(dtype=object)[rows]
        if c == "email" and raw_email:
            cells = clean_text(pd.Series(cells, dtype=str)).to_numpy(dtype=object)
        names |= (cells != "") & ~(labelled & (cells == first))
    if names.all():
        return out
    rest = body.iloc[rows[~names]]
    if len(rest):
        filled = rest != ""
        numeric = rest.apply(lambda col: on_uniques(col, lambda s: s.str.fullmatch(_NUMBER_CELL)))
        only_numbers = (filled.any(axis=1) & (numeric | ~filled).all(axis=1)).to_numpy()
        out.loc[rest.index[only_numbers | labelled[~names]]] = True
    return out


_NUMBER_CELL = r"[\s$€£¥(+\-−]*[\d.,' ]*\d[\d.,' ]*\)?\s*[A-Z€$£]{0,3}\)?"


def _exact_duplicates(body: pd.DataFrame, blank: pd.Series, parsed: pd.DataFrame) -> pd.Series:
    """Rows whose every cell equals an earlier row.

    Equal rows have equal parsed dates. When the file is in date order (either way, the
    usual export), only rows next to a row with the same date can repeat one; otherwise
    every row is a candidate. Candidates sharing a hash of their parsed order key, date
    and amount are then compared cell by cell.
    """
    out = pd.Series(False, index=body.index)
    date = parsed["date"].to_numpy().view(np.int64)
    rows = np.arange(len(date))
    if len(date) > 1:
        step = np.diff(date)
        if (step >= 0).all() or (step <= 0).all():
            same = step == 0
            rows = np.flatnonzero(np.r_[same, False] | np.r_[False, same])
    if len(rows) < 2:
        return out
    mixed = np.zeros(len(rows), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for i, col in enumerate(parsed.columns):
            np.bitwise_xor(mixed, parsed[col].to_numpy()[rows].view(np.uint64), out=mixed)
            np.multiply(mixed, np.uint64(0x9E3779B97F4A7C15 + 2 * i), out=mixed)
    # hashes seen twice, found by sorting (cheaper than a hash table of millions of rows)
    by_hash = np.argsort(mixed)
    ordered = mixed[by_hash]
    same = ordered[1:] == ordered[:-1]
    if not same.any():
        return out
    candidates = np.zeros(len(date), dtype=bool)
    candidates[rows[by_hash[np.r_[same, False] | np.r_[False, same]]]] = True
    candidates &= ~blank.to_numpy()
    if candidates.any():
        sub = body.iloc[np.flatnonzero(candidates)]
        out.iloc[np.flatnonzero(candidates)] = sub.duplicated(keep="first").to_numpy()
    return out


def _amounts_are_line_values(amount: pd.Series, line_value: pd.Series | None) -> bool:
    """Does the amount column hold each line's own value (on the lines of orders with
    several lines, it equals quantity × price nine times in ten), rather than the order
    total repeated on each line?"""
    if line_value is None:
        return False
    line_value = line_value.reindex(amount.index)
    both = amount.notna() & line_value.notna()
    if not both.any():
        return False
    a, v = amount[both], line_value[both]
    return bool(((a - v).abs() <= 0.005 + 1e-6 * a.abs()).mean() >= 0.9)


def _amount_mode(work: pd.DataFrame, amount: pd.Series, key: pd.Series, preset: Preset | None,
                 notes) -> tuple[str, pd.Index]:
    """``(mode, orders whose lines differ)``: "first" when the lines of most orders repeat
    one amount (the order's total on each line), else "sum" (each line its own amount).
    Under "first", the orders whose lines differ are returned: such an order is usually
    one total spread over several payments (a table of lines joined with payments), and
    its distinct amounts add up to its total."""
    none = pd.Index([])
    if preset is not None and preset.amount_mode:
        return preset.amount_mode, none
    multi = key.notna() & key.duplicated(keep=False)
    if not multi.any():
        return "first", none
    later = multi & key.duplicated(keep="first")
    if amount[later].isna().mean() > 0.5:
        return "first", none
    spread = amount[multi].groupby(key[multi]).nunique(dropna=True)  # built in: 25,000 orders in 0.1 s, not 15 s
    if (spread <= 1).mean() >= 0.5:
        notes.append("Each line of an order repeats the order's total; it was counted once per order.")
        return "first", spread.index[spread > 1]
    notes.append("Orders spread over several lines: line amounts were added up per order.")
    return "sum", none


def _non_product(work: pd.DataFrame, body: pd.DataFrame, roles: dict, line_amount: pd.Series | None, mode: str,
                 exclude: bool, report: IntakeReport) -> tuple[pd.Series | None, pd.Series]:
    """Find lines that are not products (postage, fees, adjustments …), report them and,
    when asked, leave them out. Returns, for a file of order totals, the value to take off
    each row's order (None when nothing is to be taken off that way)."""
    kinds = non_product_lines(body, report.columns, roles)
    found = pd.Series((kinds.to_numpy(dtype=object) != "") & _unskipped(work).to_numpy(), index=work.index)
    if not found.any():
        return None, kinds
    counts = kinds[found].value_counts()
    value = round(float(np.nansum(line_amount[found].to_numpy())), 2) if line_amount is not None else None
    listing = ", ".join(f"{k} {n:,}" for k, n in counts.items())
    worth = f", value {money(value, report.currency)}" if value is not None else ""
    report.non_product = {"lines": int(found.sum()), "value": value, "kinds": {str(k): int(n) for k, n in counts.items()},
                          "excluded": False}
    what = f"lines {int(found.sum()):,} ({listing}){worth}"
    if not exclude:
        report.notes.append("Lines that are not products count as customer value (leave them out with "
                            f"--exclude-non-product): {what}.")
        return None, kinds
    if mode == "sum":
        _mark(work, found, "not a product", kinds)
        deduct = None
    elif line_amount is not None:
        _mark(work, found & work["is_refund"], "not a product", kinds)
        deduct = line_amount.where(found & ~work["is_refund"], 0.0).fillna(0.0)
    else:
        report.notes.append("Lines that are not products could not be left out, as the file gives only order "
                            f"totals, not the value of each line: {what}.")
        return None, kinds
    report.non_product["excluded"] = True
    report.notes.append(f"Lines that are not products were left out as you asked: {what}.")
    return deduct, kinds


_DOLLARS = ("USD", "CAD", "AUD", "NZD", "HKD", "SGD", "MXN", "TWD")


def _dollar_sign_as_code(cur: pd.Series, live: pd.Series, currency, notes: list) -> pd.Series:
    """A bare "$" is the dollar given with --currency (USD, CAD …). Without it "$" stays a
    currency of its own: beside "USD 45.95" it may be pesos (Mexico, Chile, Colombia also
    write $), so the file's mixed currencies are reported and --currency settles them."""
    dollar = (cur == "$").to_numpy()
    given = str(currency).upper() if currency else None
    if not dollar.any() or given not in _DOLLARS:
        return cur
    n = int(dollar.sum())
    notes.append(f"Amounts written with a bare $ ({n:,} {agree(n, 'row')}) are taken to be {given}, as given.")
    return cur.where(~dollar, given)


def _sorted_by_date_and_row(orders: pd.DataFrame) -> bool:
    date = orders["date"].to_numpy().view("int64")
    row = orders["row"].to_numpy()
    later = date[1:] > date[:-1]
    same = date[1:] == date[:-1]
    return bool(np.all(later | same & (row[1:] > row[:-1])))


def _order_table_finder(mapping: dict | None, layout: str | None):
    """``accept(grid)``: does a sheet's grid hold an order list (date, amount and customer columns found)?"""
    def accept(grid: pd.DataFrame) -> bool:
        top = grid.head(200)
        if top.empty or not _row_has_text(top).any():
            return False
        header_row = (_header_row_for_mapping(top, mapping) if mapping else None) or find_header_row(top)
        below = top.loc[header_row + 1:]
        if below.empty or not _row_has_text(below).any():
            return False
        headers = unique_headers(list(top.loc[header_row]))
        by_norm = {normalise_header(h): h for h in reversed(headers)}
        fixed = {r: by_norm[normalise_header(h)] for r, h in (mapping or {}).items()
                 if h and normalise_header(h) in by_norm}
        preset = PRESETS.get(layout) if layout else detect_layout(headers)
        if preset is not None and preset.refuse is not None:
            if refused(preset, fixed, below.set_axis(headers, axis=1)):
                return False
            preset = None  # (a customer list by its headers whose cells are orders)
        roles = guess_roles(headers, dict(preset.roles, _exclusive=True) if preset else None, fixed)
        roles = {r: h for r, h in roles.items() if r in ROLES and not (mapping and r in mapping and not mapping[r])}
        value = has_value_roles(roles) or "unit_price" in roles
        return "date" in roles and value and bool({"customer_id", "email", "name"} & set(roles))

    return accept


def _share_with_several_emails(ids: pd.Series, emails: pd.Series) -> float:
    """Of the ids seen on two or more rows with an email, the share that come with more
    than one distinct email (a customer number keeps its customer's email)."""
    pairs = pd.DataFrame({"id": ids.to_numpy(dtype=object), "email": emails.str.strip().str.lower().to_numpy(dtype=object)})
    pairs = pairs[(pairs["id"] != "") & (pairs["email"] != "")]
    rows = pairs.groupby("id")["email"].agg(["size", "nunique"])
    seen = rows[rows["size"] >= 2]
    return float((seen["nunique"] > 1).mean()) if len(seen) else 0.0


# a long number as a spreadsheet shows it: 4.00001E+17 (its last digits are gone)
_ROUNDED_ID = re.compile(r"-?(\d)(?:[.,](\d+))?[Ee]\+?(\d+)")
_ROUNDED_HINT = ("Export the file again and do not save it in a spreadsheet program first (or import that "
                 "column as Text): the full numbers are needed to tell them apart.")


def _rounded_example(cells: pd.Series) -> str:
    """A cell of ``cells`` written like ``4.00001E+17`` when most filled cells are: long
    numbers a spreadsheet rounded to a few digits; "" otherwise."""
    filled = cells[cells != ""]
    if filled.empty:
        return ""
    found = filled.str.fullmatch(_ROUNDED_ID.pattern)
    if found.mean() < 0.5:
        return ""
    parts = filled[found].str.extract(_ROUNDED_ID.pattern)
    digits = 1 + parts[1].fillna("").str.len()
    # fewer digits shown than the number has, in a number long enough for a spreadsheet to
    # show it this way (Excel's General format does from 12 digits on)
    exponent = parts[2].astype(int)
    lost = (digits <= exponent) & (exponent >= 11)
    return str(filled[found][lost.to_numpy()].iloc[0]) if lost.any() else ""


def _drop_rounded_ids(roles: dict, body: pd.DataFrame, notes: list, where: str) -> None:
    """Order numbers or customer ids a spreadsheet turned into ``4.00001E+17`` no longer tell
    orders or customers apart (every check of a day can become the same number): such a
    column is not used, with a note; customers are then told apart by email or name, and a
    file with nothing else to tell them apart is refused."""
    for role, what, things in (("order_id", "order numbers", "orders"),
                               ("original_order", "original order numbers", "orders"),
                               ("customer_id", "customer ids", "customers")):
        if role not in roles:
            continue
        example = _rounded_example(clean_text(body[roles[role]].head(5000)))
        if not example:
            continue
        column = roles.pop(role)
        if role == "customer_id" and not {"email", "name"} & set(roles):
            raise InputError(f"the customer ids in '{column}' were rounded by a spreadsheet (like {example}), so "
                             "they no longer tell customers apart.", where=where, hint=_ROUNDED_HINT)
        instead = "each row is an order" if role == "order_id" else \
            "customers are told apart by " + ("email" if "email" in roles else "name") if role == "customer_id" \
            else "returns are matched by customer instead"
        notes.append(f"The {what} in '{column}' were rounded by a spreadsheet (like {example}), so they no longer "
                     f"tell {things} apart and are not used: {instead}. {_ROUNDED_HINT}")


_ORDER_NUMBER_HEADERS = ("orderid", "ordernumber", "orderno", "ordernr", "order", "id")


def _names_are_not_order_numbers(roles: dict, headers: list, body: pd.DataFrame, notes: list) -> None:
    """A platform's order-number column that holds people's names (a spreadsheet with
    Shopify-like headers whose 'Name' is the customer's) numbers nothing: another order
    number column is used instead ('Order ID'), else none, and the names name the customer."""
    column = roles["order_id"]
    if not looks_like_person_names(clean_text(body[column].head(5000))):
        return
    taken = set(roles.values())
    other = next((h for key in _ORDER_NUMBER_HEADERS for h in headers
                  if h not in taken and normalise_header(h) == key), None)
    if other is not None:
        roles["order_id"] = other
    else:
        del roles["order_id"]
    roles.setdefault("name", column)
    numbered = f"orders are numbered by '{other}'" if other else "each row is an order"
    notes.append(f"The column '{column}' holds people's names, not order numbers: {numbered}.")


def _names_are_not_ids(roles: dict, body: pd.DataFrame, notes: list) -> None:
    """A detected customer-id column holding person names ("Jürgen Müller") becomes the name column."""
    column = roles["customer_id"]
    cells = clean_text(body[column].head(5000))
    if not looks_like_person_names(cells):
        # first names alone ("Bob", "Eve"): one word, but one "id" comes with several emails
        if "email" not in roles or not looks_like_person_names(cells, several_words=0.0):
            return
        if _share_with_several_emails(cells, clean_text(body[roles["email"]].head(5000))) < 0.1:
            return
    del roles["customer_id"]
    roles.setdefault("name", column)
    by = "email" if "email" in roles else "name"
    notes.append(f"The column '{column}' holds names, not customer numbers: customers are told apart by {by}.")


_ORDER_KEY_SAMPLE = 50_000  # rows looked at first: a customer number repeats within them


def _repeats_across_orders(keys: np.ndarray, orders: np.ndarray | None) -> np.ndarray:
    """Per row with a key (``keys != ""``): is its key seen on another order too? ``orders``
    (the rows' order numbers, "" for none) is None when every row is an order."""
    filled = keys != ""
    keys = keys[filled]
    if orders is None:
        return pd.Series(keys).duplicated(keep=False).to_numpy()
    orders = np.where(orders[filled] == "", np.arange(int(filled.sum())).astype(str), orders[filled])
    pairs = pd.DataFrame({"key": keys, "order": orders}).drop_duplicates()
    several = pairs["key"][pairs["key"].duplicated()].unique()
    return pd.Series(keys).isin(several).to_numpy()


def _ids_name_orders(roles: dict, body: pd.DataFrame, notes: list) -> None:
    """A detected customer-id column whose every value stands for one order (a per-order
    customer key as in Olist's ``customer_id``, or an order table's own ``id``) while the
    email column repeats across orders is not the customer: customers are told apart by
    email instead. A shop whose customers each bought once keeps its ids (its emails do
    not repeat either)."""
    if "email" not in roles or roles["email"] == roles["customer_id"]:
        return
    order_col = roles.get("order_id")

    def repeats(rows: slice) -> tuple[np.ndarray, np.ndarray]:
        ids = _id_key(clean_text(body[roles["customer_id"]].iloc[rows])).to_numpy(dtype=object)
        orders = None if order_col is None else clean_text(body[order_col].iloc[rows]).to_numpy(dtype=object)
        emails = _email_key(clean_text(body[roles["email"]].iloc[rows])).to_numpy(dtype=object)
        return _repeats_across_orders(ids, orders), _repeats_across_orders(emails, orders)

    id_repeats, _ = repeats(slice(0, _ORDER_KEY_SAMPLE))
    if id_repeats.any():  # a customer number comes back: the usual case, settled on a sample
        return
    id_repeats, email_repeats = repeats(slice(None))
    if id_repeats.any() or email_repeats.sum() < max(3, 0.05 * len(email_repeats)):
        return
    column = roles.pop("customer_id")
    notes.append(f"Each value in '{column}' belongs to a single order, while the same email comes back on "
                 f"several orders: '{column}' is an order key, not a customer number, so customers are told "
                 f"apart by email ('{roles['email']}'). To use '{column}' anyway, map it: "
                 f"--map customer_id={column}.")


@python_strings
def read_orders(source, *, sheet=None, mapping=None, layout=None, currency=None, date_order=None,
                progress=None, duplicates="auto", exclude_non_product=False, as_of=None) -> OrderData:
    """Read an order export (file path, DataFrame or list of rows) into one row per order.

    Parameters (all optional but ``source``):

    - ``sheet``: the sheet of a workbook (default: the first sheet holding orders).
    - ``mapping``: role -> column header, e.g. ``{"quantity": "Qty", "unit_price": "Price"}``;
      an empty header switches a role off. Roles: :data:`~clv_engine.intake.ROLES`.
      A file's value comes from its order ``amount`` (or ``line_total``) column; without
      one, from ``quantity`` × ``unit_price`` (less ``discount``, an amount or a rate).
    - ``layout``: force a platform layout (:data:`~clv_engine.intake.LAYOUTS`).
    - ``currency``: the currency to analyse when the file has several.
    - ``date_order``: ``"DMY"``, ``"MDY"`` or ``"YMD"`` for dates like 03/04/2025; by default
      the data settles it (``report.date_order`` and ``report.date_order_why`` say how).
    - ``duplicates``: what to do with a row whose every cell repeats an earlier row.
      ``"auto"`` (default): it is a copy, counted once, when it carries an order number or
      a time of day; a day-only row with no order number (a purchase log) is kept, as a
      customer can buy the same thing twice in a day. ``"drop"``: always counted once;
      ``"keep"``: always kept. ``report.duplicates`` counts them either way.
    - ``exclude_non_product``: leave out lines that are not products (postage, shipping,
      fees, manual adjustments, discounts as lines, tips, tax lines); by default they
      count and ``report.non_product`` reports them.
    - ``as_of``: the end of the history to read (a date means the whole day). Rows dated
      after it are skipped as ``after the as-of date`` before anything else uses them: their
      returns are not netted against earlier orders, and customers who first ordered after
      it are not in the result (a note counts them). Consent statements on those rows still
      count (an opt-out given later is respected).
    - ``progress(step, fraction)``: called as the work goes on.

    See docs/architecture.md ("OrderData") for the result. Raises
    :class:`~clv_engine.errors.InputError` with a message for a person when the source
    cannot be used.
    """
    _check_options(layout, date_order, mapping, duplicates)
    step = progress or (lambda name, fraction: None)
    step("Reading file", 0.0)
    raw = read_raw_table(source, sheet, progress, accept=_order_table_finder(mapping, layout))
    report = IntakeReport(source=raw.source, sheet=raw.sheet, sheets=list(raw.sheets),
                          sheets_read=[p[0] for p in raw.parts] or ([raw.sheet] if raw.sheet else []))
    report.notes.extend(raw.notes)
    where = _where(report)
    grid = raw.grid
    has_text = pd.Series(_row_has_text(grid), index=grid.index)
    nonblank_rows = grid.index[np.flatnonzero(has_text.to_numpy())[-1:]]  # the last one is all we need
    if len(nonblank_rows) == 0:
        raise InputError("the file has no rows with content.", where=where,
                         hint="Export the orders again and check that the export contains rows.")
    grid = grid.loc[: nonblank_rows[-1]]
    step("Finding columns", 0.3)

    mapped_row = _header_row_for_mapping(grid, mapping) if mapping else None
    header_row = mapped_row or find_header_row(grid)
    headers = unique_headers(list(grid.loc[header_row]))
    no_header = headerless_header(grid, header_row) if mapped_row is None else None
    if no_header is not None:  # the first row is an order: columns named by content
        header_row, headers, note = no_header
        report.notes.append(note)
    body = grid.loc[header_row + 1:]
    body.columns = headers
    raw.grid = None  # the body holds the rows from here on (see "Customers" below)
    body.index = pd.RangeIndex(header_row + 1, header_row + 1 + len(body))
    report.header_row, report.columns = header_row, headers
    if header_row > int(grid.index[0]):
        report.notes.append(f"The column headers are on row {header_row}; the rows above them were skipped.")
    del grid
    if body.empty:
        raise InputError(f"there are no rows under the column headers on row {header_row}.", where=where,
                         hint="Check that the export contains orders.")

    fixed, disabled = _resolve_user_mapping(mapping, headers, where)
    described_fixed = {r: fixed.pop(r) for r in list(fixed) if r in DESCRIPTIVE_ROLES}
    preset = PRESETS.get(layout) if layout not in (None, "generic") else None
    if layout is None:
        preset = detect_layout(headers)
        refuse_if_unusable(preset, where, fixed, body)
        if preset is not None and preset.refuse is not None:
            preset = None
        if preset is not None:
            article = "an" if preset.label[0] in "AEIOU" else "a"
            report.notes.insert(0, f"Looks like {article} {preset.label}.")
    elif preset is not None and preset.refuse is not None:
        refuse_if_unusable(preset, where, fixed, body)
        preset = None
    report.layout = preset.id if preset else "generic"
    report.layout_label = LAYOUTS[report.layout]
    rejected: dict = {}
    if preset is None:
        roles, rejected = content_checked_roles(headers, body, fixed, disabled, report.notes)
    else:
        roles = guess_roles(headers, dict(preset.roles, _exclusive=True), fixed)
        for role in disabled:
            roles.pop(role, None)
    roles.pop("_exclusive", None)
    if preset is not None and "order_id" in roles and "order_id" not in fixed:
        _names_are_not_order_numbers(roles, headers, body, report.notes)
    price_is_the_amount(roles, fixed)
    if preset is None and "customer_id" in roles and "customer_id" not in fixed:
        _names_are_not_ids(roles, body, report.notes)
    if preset is None and "customer_id" in roles and "customer_id" not in fixed:
        _ids_name_orders(roles, body, report.notes)
    _drop_rounded_ids(roles, body, report.notes, where)
    consent = consent_columns(body, roles, fixed=fixed, disabled=disabled)
    if consent and "consent" not in roles:
        roles["consent"] = consent.headers[0]
    report.notes.extend(consent.notes)
    report.mapping = {r: roles[r] for r in ROLES if r in roles}
    described = {r: h for r, h in guess_descriptive_roles(headers, body, set(roles.values()), described_fixed).items()
                 if r not in disabled or r in described_fixed}
    # a person's first and last names in columns of their own (with "Prénom", the "Nom" a
    # name guess took is the last name)
    name_parts = name_part_headers(headers, body, {h for r, h in roles.items() if r != "name"}
                                   | set(described.values()))
    if name_parts and roles.get("name") in name_parts:
        del roles["name"]
        report.mapping.pop("name", None)
    in_range = raw.source == "range"
    missing = [role for role, gone in (("date", "date" not in roles), ("amount", not has_value_roles(roles)),
                                       ("customer", not {"customer_id", "email", "name"} & set(roles)
                                        and not name_parts)) if gone]
    if missing:  # every missing column in one message, not one after the other
        raise missing_role_error(missing[0], headers, where, report.layout, in_range, roles, rejected,
                                 also=missing[1:])

    work = pd.DataFrame(index=body.index)
    raw_dates = body[roles["date"]]
    iso = iso_dates(raw_dates)  # when every cell is a plain ISO date the column needs no cleaning
    # emails are cleaned only where needed: most rows are identified by a customer id
    raw_email = "email" in roles and "customer_id" in roles
    no_column = pd.Series("", index=body.index, dtype=str)  # shared by unmapped roles (copy-on-write)
    for role in ROLES:
        if role not in roles:
            work[role] = no_column
        elif role == "date" and iso is not None or role == "email" and raw_email:
            work[role] = body[roles[role]]
        else:
            work[role] = clean_text(body[roles[role]])
    if name_parts and "name" not in roles:  # a person's name from its first and last name columns
        first, last = (clean_text(body[h]) for h in name_parts)
        work["name"] = (first + " " + last).str.strip()
    if "email" in roles:
        _note_decorated_emails(body[roles["email"]], roles["email"], report.notes)
    work["skip"] = pd.Categorical.from_codes(np.zeros(len(work), dtype="int8"), categories=["", *SKIP_REASONS])
    work["detail"] = pd.Series("", index=work.index, dtype=object)
    work["refund_row"] = False
    work["parent"] = work["original_order"] if "original_order" in roles else no_column
    for role in ("customer_id", "order_id", "original_order"):
        if role in roles:
            work[role], example = whole_number_ids(work[role])
            if example:
                report.notes.append(f"The ids in '{roles[role]}' are written as decimals (like {example}); "
                                    f"they are read as whole numbers ({example.split('.')[0]}).")
                if role == "original_order":
                    work["parent"] = work[role]
    report.rows_read = len(body)

    blank = ~pd.Series(has_text.loc[header_row + 1: nonblank_rows[-1]].to_numpy(), index=body.index)
    _mark(work, blank, "blank row")
    _mark(work, _totals_rows(body, work, raw_email) & ~blank, "totals row")
    _mark(work, _repeated_header_rows(body), "heading row")

    def clean_emails():
        nonlocal raw_email
        if raw_email:
            work["email"] = clean_text(work["email"])
            raw_email = False

    # one integer code per order number (-1: none), made once for every step below
    order_ids = work["order_id"].to_numpy(dtype=object)
    has_order_id = pd.Series(order_ids != "", index=work.index)
    oid_codes = np.full(len(work), -1, dtype=np.intp)
    numbered = np.flatnonzero(has_order_id.to_numpy())
    oid_codes[numbered], oid_values = pd.factorize(order_ids[numbered], size_hint=len(numbered))
    oid_values = pd.Index(oid_values, dtype=work["order_id"].dtype)
    del order_ids
    copied: dict = {}
    has_lines = _fill_order_level(work, numbered, oid_codes[numbered], before=clean_emails, copied=copied)
    if iso is not None and "date" in copied:  # line items took their order's date: so do the parsed dates
        targets, sources = copied["date"]
        stamps, cells = iso.to_numpy().copy(), raw_dates.to_numpy(dtype=object).copy()
        stamps[targets], cells[targets] = stamps[sources], cells[sources]
        iso, raw_dates = pd.Series(stamps, index=iso.index), pd.Series(cells, index=raw_dates.index, dtype=str)
    step("Reading values", 0.45)
    if preset is not None and preset.adjust is not None:
        clean_emails()
        preset.adjust(work, body, report.notes)
    elif preset is None:
        _generic_status(work, body, roles.get("status"), report.notes)
        returned = return_rows(work["status"]) & _unskipped(work)
        if returned.any():
            work.loc[returned, "refund_row"] = True

    # customers are told apart by integer codes from here on (-1: no customer)
    cust_code, cust_values = _customer_codes(work, raw_email)
    no_customer = pd.Series(cust_code < 0, index=work.index)
    _mark(work, no_customer, "no customer", _guest_ids(work["customer_id"]) if no_customer.any() else "")
    cust_code = pd.Series(cust_code, index=work.index)

    # dates
    order_hint = date_order or work.attrs.get("date_order") or (preset.date_order if preset else None)
    default_order = order_hint if order_hint in ("DMY", "MDY") else "MDY"
    day_numbers = read_day_numbers(roles["date"], work["date"]) if iso is None else None
    if iso is not None and work["date"].equals(raw_dates):
        dates, dinfo = iso, DateColumn(order="YMD")
    elif day_numbers is not None:
        dates, dinfo = day_numbers, DateColumn(order="YMD")
        first, last = int(pd.to_numeric(work["date"], errors="coerce").min()), \
            int(pd.to_numeric(work["date"], errors="coerce").max())
        report.notes.append(
            f"'{roles['date']}' holds day numbers ({first:,} to {last:,}), not dates: day {first:,} is shown as "
            f"{(DAY_ONE + pd.Timedelta(days=first - 1)).date()} and the others follow it. Only the days between "
            "orders matter to the analysis; the dates in the results are on that made-up calendar.")
    else:
        dates, dinfo = parse_dates(work["date"], date_order=date_order, default_order=default_order)
        if dinfo.ambiguous and not date_order:  # the data outweighs a platform's habit
            dates, dinfo = settle_by_row_order(work["date"], dates, dinfo,
                                               work["order_id"] if "order_id" in roles else None)
    report.date_order = dinfo.order
    report.notes.extend(f"Dates: {n}." for n in dinfo.notes)
    which = "day/month" if dinfo.order == "DMY" else "month/day"
    if dinfo.ambiguous:
        why = ("as you chose" if date_order else work.attrs.get("date_order_why")
               or (f"as files of this kind ({preset.label}) write them" if preset and preset.date_order
                   else "because nothing in the file settles it"))
        report.date_order_why = why
        report.date_order_ambiguous = not date_order
        report.notes.append(
            f"Every date could be read as day/month or month/day (e.g. 05/03); they were read as {which} "
            f"{why}. If that is wrong, set the date order to {'MDY' if dinfo.order == 'DMY' else 'DMY'} "
            "(--date-order).")
    elif dinfo.order in ("DMY", "MDY") and dinfo.why:
        report.date_order_why = dinfo.why
        report.notes.append(f"Dates were read as {which}: {dinfo.why}.")
    unparsed = work["date"][dates.isna() & _has_text(work["date"])]
    if len(unparsed):
        _mark(work, unparsed.str.match(_TOTALS_RE).reindex(work.index, fill_value=False), "totals row")
    _mark(work, dates.isna(), "unreadable date", _BlankAs(work["date"], "(blank)"))
    _mark_dates_out_of_range(work, dates, report.notes)
    if as_of is not None:
        _mark_after_as_of(work, dates, cust_code.to_numpy(), as_of, report.notes)

    # amounts
    values = row_values(work, roles, report.notes)
    amount, ainfo = values.amount, values.info
    report.value_source = values.source
    if ainfo.decimal == "," and ainfo.comma_example:
        report.notes.append(f"Amounts use a decimal comma (e.g. {ainfo.comma_example}).")
    report.notes.extend(f"Amounts: {n}." for n in ainfo.notes)
    if _has_text(work["refund"]).any():
        refund_cell, _ = parse_amounts(work["refund"])
        refund_cell = refund_cell.abs().fillna(0.0)
    else:
        refund_cell = pd.Series(0.0, index=work.index)
    # one integer key per order: the order id's code, or a unique code for rows without an id
    no_id = oid_codes < 0
    oid_codes[no_id] = len(oid_values) + np.arange(int(no_id.sum()))
    amount_row_key = pd.Series(oid_codes, index=work.index)
    id_code = np.where(no_id, -1, oid_codes)
    parsed = {"key": id_code, "date": dates.to_numpy().view("int64"), "amount": amount.to_numpy()}
    for name, column in (("quantity", values.quantity), ("line", values.line_value)):
        if column is not None:  # lines of one order differ in these more often than in the rest
            parsed[name] = column.to_numpy(dtype="float64")
    duplicate = _exact_duplicates(body, blank, pd.DataFrame(parsed, index=work.index)) & _unskipped(work)
    if duplicates == "auto":  # a copy when the row names its order or its time of day
        stamp = dates.to_numpy().view("int64")
        copy = duplicate & (has_order_id | pd.Series(stamp % 86_400_000_000_000 != 0, index=work.index))
        kept_apart = duplicate & ~copy
        duplicate = copy
    else:
        kept_apart = duplicate & False
    if duplicates != "keep":
        _mark(work, duplicate, "exact duplicate")
    negative = amount < 0
    if values.quantity is not None:
        negative |= values.quantity < 0
    cancelled = cancellation_invoices(id_code, oid_values, negative & _unskipped(work))
    work["is_refund"] = work["refund_row"] | negative | cancelled
    live = _unskipped(work)
    ordinary = live & ~work["is_refund"]
    multi_line = bool(has_order_id.any()) and bool(np.bincount(oid_codes).max() > 1)  # an order spans several rows
    if values.source != "amount":
        mode = "sum"  # line values (a line total, or quantity × unit price) add up to the order
    elif multi_line and preset is None and _amounts_are_line_values(
            amount[ordinary & amount_row_key.duplicated(keep=False)], values.line_value):
        mode = "sum"
        report.notes.append("Orders spread over several lines: each line's amount is its quantity × price; "
                            "line amounts were added up per order.")
    elif multi_line or preset is not None and preset.amount_mode:
        mode, differ = _amount_mode(work, amount.where(ordinary), amount_row_key.where(ordinary), preset,
                                    report.notes)
        if len(differ):  # each line of these orders carries the sum of the order's distinct amounts
            rows_of = ordinary & amount_row_key.isin(differ)
            part = pd.DataFrame({"key": amount_row_key[rows_of], "amount": amount[rows_of]}).drop_duplicates()
            amount = amount.copy()
            amount[rows_of] = amount_row_key[rows_of].map(part.groupby("key")["amount"].sum())
            example = oid_values[int(differ[0])] if int(differ[0]) < len(oid_values) else ""
            report.notes.append(
                f"On {len(differ):,} {agree(len(differ), 'order')} the lines carry different amounts (e.g. order "
                f"{example}), as when one order is paid in several parts: the distinct amounts of each such "
                "order were added up to its total.")
    else:
        mode = "first"
    group_has_amount = amount.notna() & ordinary
    if multi_line and values.source == "amount":
        group_has_amount = group_has_amount.groupby(amount_row_key).transform("any")
    bad_amount = amount.isna() & (values.written | ~group_has_amount.astype(bool)) & _unskipped(work)
    if values.source == "amount":
        _mark(work, bad_amount, "unreadable amount", _BlankAs(work["amount"], "(blank)"))
    elif bad_amount.any():
        detail = value_detail(work, values, bad_amount, roles).reindex(work.index, fill_value="")
        _mark(work, bad_amount, "unreadable amount", detail)

    # currency
    cur = work["currency"]
    if _has_text(cur).any():
        cur = on_uniques(cur, lambda v: v.str.upper().str.strip())
    if ainfo.currencies is not None and _has_text(ainfo.currencies).any():
        cur = cur.where(_has_text(cur), ainfo.currencies.astype(str))
    live = _unskipped(work)
    cur = _dollar_sign_as_code(cur, live, currency, report.notes)
    counts = cur[live & _has_text(cur)].value_counts()
    chosen = None
    if currency:
        chosen = str(currency).upper()
        if len(counts) and chosen not in counts.index:
            raise InputError(f"there are no orders in {chosen} in this file.", where=where,
                             hint="The currencies in the file are: " + ", ".join(counts.index) + ".")
        if not len(counts):
            report.notes.append(f"The file names no currency: its amounts are taken to be in {chosen}, as given.")
    elif len(counts):
        chosen = str(counts.index[0])
    if len(counts) > 1:
        listed = ", ".join(f"{c} ({n})" for c, n in counts.items())
        dollars = [c for c in counts.index if c in _DOLLARS]
        same = (f" If $ means {dollars[0]} here, add --currency {dollars[0]} to count both."
                if "$" in counts.index and len(dollars) == 1 and not currency else "")
        report.notes.append(f"The file mixes currencies: {listed}. Only {chosen} orders are analysed.{same}")
    if chosen:
        _mark(work, (cur != "") & (cur != chosen), "other currency", cur)
    report.currency = chosen
    report_duplicates(report, duplicate, kept_apart, amount if mode == "sum" or not multi_line else None,
                      duplicates)
    step("Building orders", 0.7)
    line_amount = amount if mode == "sum" else values.line_value
    deduct, kinds = _non_product(work, body, {**roles, **described}, line_amount, mode, exclude_non_product, report)
    preview = body.head(50).astype(str)
    # The text of the role columns has been read into dates, amounts and codes. Letting it
    # go before the order tables are built keeps a big file's peak memory down; what is
    # left is what the returns, the customer table, the order details and consent read.
    spent = set(roles.values()) - set(described.values()) - set(consent.headers)
    body = body.drop(columns=[h for h in body.columns if h in spent])
    work = work[["email", "name", "consent", "skip", "detail", "is_refund", "order_id", "parent"]]
    del raw_dates

    # orders: merge line items, then net refunds
    live = _unskipped(work)
    ordinary = live & ~work["is_refund"]
    lines = pd.DataFrame({"key": amount_row_key[ordinary], "identity": cust_code[ordinary],
                          "date": dates[ordinary], "amount": amount[ordinary],
                          "refund": refund_cell[ordinary], "row": work.index[ordinary]})
    if deduct is not None:  # order totals less the non-product lines the user left out
        lines["less"] = deduct[ordinary]
    later_line = lines["key"].duplicated(keep="first") if multi_line else pd.Series(False, index=lines.index)
    if later_line.any():
        grouped = lines.groupby("key", sort=False)
        agg = "sum" if mode == "sum" else "first"
        orders = pd.DataFrame({
            "customer_id": grouped["identity"].first(),
            "date": grouped["date"].first(),
            "amount": grouped["amount"].sum(min_count=1) if agg == "sum" else grouped["amount"].first(),
            "refund": grouped["refund"].sum() if agg == "sum" else grouped["refund"].first(),
            "row": grouped["row"].min(),
            **({"less": grouped["less"].sum()} if deduct is not None else {}),
        })
    else:  # one line per order: nothing to merge
        orders = lines.set_index("key").rename(columns={"identity": "customer_id"})
    orders["amount"] = orders["amount"].fillna(0.0)
    orders.index.name = "key"
    if values.source == "amount" and values.line_value is not None:
        compare_totals(orders, values.line_value[ordinary], lines["key"], roles, chosen, report.notes)
    netted_by_column = int((orders["refund"] > 0).sum())
    if netted_by_column:
        where_from = f"in '{roles['refund']}'" if "refund" in roles else "the file gives"
        report.notes.append(f"Refunds {where_from} were taken off their orders: orders "
                            f"{netted_by_column:,}, value {money(float(orders['refund'].sum()), chosen)}.")
    if deduct is not None:
        orders["amount"] = orders["amount"] - orders.pop("less")
    gross_amount = orders["amount"].copy()  # before returns (for return rates)
    orders["amount"] = orders["amount"] - orders["refund"]
    refund_rows = work[live & work["is_refund"]]
    returned = amount[refund_rows.index]
    if mode == "first":  # amounts repeat an order's total on each line: a return is worth its line, or once
        if values.line_value is not None:
            line_value = values.line_value[refund_rows.index]
            returned = line_value.where(line_value.notna(), returned)
        else:
            returned = returned.where(~amount_row_key[refund_rows.index].duplicated(), 0.0)
    # the order a return belongs to: its own order number's, unless it names another order
    parent_code = id_code[work.index.get_indexer(refund_rows.index)]
    named = refund_rows["parent"].to_numpy(dtype=object)
    other = (named != "") & (named != refund_rows["order_id"].to_numpy(dtype=object))
    if other.any():
        parent_code[other] = oid_values.get_indexer(named[other])
    refunds = pd.DataFrame({"invoice": amount_row_key[refund_rows.index], "parent": parent_code,
                            "identity": cust_code[refund_rows.index], "date": dates[refund_rows.index],
                            "amount": returned, "cancel": cancelled[refund_rows.index]},
                           index=refund_rows.index)
    _match_whole_returns(orders, refunds, gross_amount, report.notes)
    report.returns, orphan = net_returns(orders, refunds, report.notes, chosen)
    if len(orphan):
        _mark(work, pd.Series(work.index.isin(orphan), index=work.index), "refund without its order",
              work["order_id"])
    report.refunds_netted = netted_by_column + report.returns["invoices"]
    gone = _returned_in_full(orders, refunds, gross_amount)
    if gone.any():  # not purchases: their rows and the returns that named them are skipped
        full = orders.index[gone]
        order_rows = lines["key"].isin(full)
        named_rows = refunds["parent"].isin(full)
        rows_of = pd.Series(work.index.isin(lines.index[order_rows.to_numpy()]) |
                            work.index.isin(refunds.index[named_rows.to_numpy()]), index=work.index)
        _mark(work, rows_of, "refunded or returned", "returned in full")
        report.notes.append(f"Orders refunded or returned in full are not counted as purchases (see intake.csv): "
                            f"orders {len(full):,}, value {money(float(gross_amount[gone].sum()), chosen)}.")
        orders, gross_amount, lines = orders[~gone], gross_amount[~gone], lines[~order_rows]
    if has_lines and mode == "first" and (lines["key"].value_counts() > 1).any():
        report.notes.append("Orders spread over several lines (line items) were merged into one order each.")

    keys = orders.index.to_numpy()
    rows = orders["row"].astype("int64").to_numpy()
    # the order number, categorical like the customer: code len(oid_values) is "" (no number in the file)
    order_id = np.minimum(keys, len(oid_values))
    result = pd.DataFrame({
        "customer_id": orders["customer_id"].to_numpy(dtype=np.int64),  # codes until sorted
        "order_id": order_id,
        "date": orders["date"].astype("datetime64[ns]").to_numpy(),
        "amount": orders["amount"].astype("float64").to_numpy(),
        "row": rows,
    })
    if not _sorted_by_date_and_row(result):
        result = result.sort_values(["date", "row"], kind="stable").reset_index(drop=True)
    # customers numbered in order of their first order; the column is categorical
    customer_of_order, with_orders = renumber_by_first_appearance(result["customer_id"].to_numpy(), len(cust_values))
    customer_ids = pd.Index(np.asarray(cust_values, dtype=object)[with_orders], name="customer_id", dtype=str)
    result["customer_id"] = categorical(customer_of_order, customer_ids)
    # (its categories are every order number of the file, plus "")
    result["order_id"] = categorical(result["order_id"].to_numpy(),
                                      pd.Index(np.append(np.asarray(oid_values, dtype=object), ""), dtype=str))

    # report
    skipped = work.loc[(work["skip"] != "").to_numpy(), ["skip", "detail"]]
    detail_codes, details = pd.factorize(skipped["detail"].to_numpy(dtype=object))  # a few distinct texts
    short = np.array([str(d)[:80] for d in details] + [""], dtype=object)
    report.skipped = pd.DataFrame({"row": skipped.index.astype("int64"), "reason": skipped["skip"].astype(str).to_numpy(),
                                   "detail": short[detail_codes]})
    report.skipped = raw.locate(report.skipped)  # sheets read as one table: each row's sheet and its row there
    counts = skipped["skip"].value_counts()
    report.rows_skipped = {r: int(counts[r]) for r in SKIP_REASONS if counts.get(r, 0) > 0}
    report.rows_used = report.rows_read - len(skipped)
    totals = len(customer_summary_headers(headers))
    if preset is None and not fixed and len(result) >= 20 and \
            (totals >= 3 or totals == 2 and not result["customer_id"].duplicated().any()):
        # columns of per-customer totals (and one "order" per customer): a summary, not orders
        raise customer_summary_error(headers, where)
    if result.empty and report.rows_skipped.get("after the as-of date"):
        first = dates[(work["skip"] == "after the as-of date").to_numpy()].min()
        raise InputError(f"there are no orders on or before the as-of date {_day_text(as_of)}; the first order in "
                         f"the file is on {first.date()}.", where=where,
                         hint="Choose a later as-of date, or leave it out to analyse every order.")
    if result.empty:
        ranked = sorted(report.rows_skipped.items(), key=lambda kv: -kv[1])
        top = "; ".join(f"{r}: {n}" for r, n in ranked[:3])
        # the column behind the main reason, with a cell of it, when a column is to blame
        column = {"unreadable date": "date", "unreadable amount": "amount"}.get(ranked[0][0])
        said = ""
        if column and roles.get(column):
            cells = report.skipped.loc[report.skipped["reason"] == ranked[0][0], "detail"]
            example = next((c for c in cells if c and c != "(blank)"), "")
            said = f" The {column} column is '{roles[column]}'" + (f", with cells like '{example}'" if example else "") \
                + "."
        unsaved = next((n for n in report.notes if "result was never saved" in n), None)
        raise InputError(f"none of the {report.rows_read} {agree(report.rows_read, 'row')} could be used as an "
                         f"order ({top}).{said}" + (f" {unsaved.split(' Open the file')[0]}" if unsaved else ""),
                         where=where,
                         hint="Open the workbook in Excel or LibreOffice, save it, and read it again." if unsaved
                         else "Check the column mapping (--map role=COLUMN) and the date order, or export the "
                              "orders again.")
    # worth 0 in the file (an order that returns of other orders brought to 0 is no free order)
    free = int((gross_amount.to_numpy() == 0).sum())
    if free:  # a free order is a purchase, but a file of events at 0 (page views …) would show here
        report.notes.append(f"{free:,} {agree(free, 'order is', 'orders are')} worth 0 (free, or paid in full by a "
                            f"discount); {agree(free, 'it counts', 'they count')} as {agree(free, 'an order', 'orders')}. "
                            "If such rows are not purchases, leave them out of the export.")
    step("Customers", 0.85)
    work = work[["email", "name", "consent", "skip", "is_refund"]]
    customer_of_code = np.full(len(cust_values) + 1, -1, dtype=np.int64)  # the last for code -1
    customer_of_code[with_orders] = np.arange(len(with_orders))
    row_customer = customer_of_code[cust_code.to_numpy()]
    used = (_unskipped(work).to_numpy() & (row_customer >= 0))
    if mode == "sum" or not multi_line or values.line_value is None:
        details = details_from_intake(body, described, lines, orders["row"], gross_amount, result["row"].to_numpy(),
                                      line_values=mode == "sum" or not multi_line, non_product=kinds)
    else:  # order totals on each line, but the lines have their own values (quantity × price)
        details = details_from_intake(body, described, lines.assign(amount=values.line_value[lines.index]),
                                      orders["row"], gross_amount, result["row"].to_numpy(), line_values=True,
                                      non_product=kinds)
    # line-level columns (product, category …) describe lines, not the customer
    roles = {**roles, **{f"described {r}": h for r, h in described.items() if r in LINE_DESCRIPTIVE_ROLES}}
    customers = customer_table(body, work.loc[used, ["email", "name", "consent"]], dates[used], roles,
                               row_customer[used], customer_ids, raw_email=raw_email, name_parts=name_parts)
    said, consent_notes = customer_consent(consent, body, work["skip"], dates, row_customer, len(customer_ids))
    if said is not None:
        customers = customers.drop(columns=[h for h in consent.headers if h in customers.columns])
        customers["consent"] = said
        report.notes.extend(consent_notes)
    line_table = build_line_table(work, used, row_customer, customer_ids, result["order_id"].cat.categories,
                                   amount_row_key, len(oid_values), dates, values, line_amount, kinds,
                                   returned.reindex(work.index))
    step("Done", 1.0)
    log.info("intake: %d rows read, %d used, %d orders, %d customers", report.rows_read, report.rows_used,
             len(result), len(customers))
    return OrderData(orders=result, customers=customers, report=report, preview=preview, details=details,
                     lines=line_table)

