"""Contacts for email tools: valid emails, consent, de-duplication, first/last names.

Order of the checks: (1) a row needs a valid email, (2) rows sharing an email (compared
case-insensitively) are merged into the highest-value row, (3) when the table carries
consent information, contacts without positive marketing consent are left out unless asked
otherwise. A merged contact counts as consenting only if no merged row says "no" and at
least one says "yes" (an opt-out anywhere wins).
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..intake.consent import BLANK, YES, consent_meaning

REASON_NO_EMAIL = "no valid email"
REASON_NO_CONSENT = "no marketing consent"
REASON_DUPLICATE = "duplicates merged"

_LOCAL_ASCII = r"[A-Za-z0-9_](?:[A-Za-z0-9_!#$%&'*+/=?^`{|}~-]|\.(?!\.))*"
_LOCAL_ANY = r"[\w](?:[\w!#$%&'*+/=?^`{|}~-]|\.(?!\.))*"
_DOMAIN = r"(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,63}"
_EMAIL_ASCII_LOCAL = re.compile(rf"^{_LOCAL_ASCII}(?<!\.)@{_DOMAIN}$")
_EMAIL_ANY_LOCAL = re.compile(rf"^{_LOCAL_ANY}(?<!\.)@{_DOMAIN}$")


def is_valid_email(text, ascii_local_part: bool = False) -> bool:
    """Reasonable syntax check: ``local@domain.tld``, local part ≤64 chars starting with a
    letter, digit or ``_``, no double dots, a domain with a dot and a letter TLD. With
    ``ascii_local_part`` non-ASCII is allowed only after the ``@`` (Mailchimp's rule)."""
    if not isinstance(text, str):
        return False
    email = text.strip()
    if not email or len(email) > 254 or email.count("@") != 1:
        return False
    if len(email.split("@")[0]) > 64:
        return False
    pattern = _EMAIL_ASCII_LOCAL if ascii_local_part else _EMAIL_ANY_LOCAL
    return pattern.match(email) is not None


def valid_emails(emails: pd.Series, ascii_local_part: bool = False) -> np.ndarray:
    """:func:`is_valid_email` of every cell (one regex pass per cell, no Python call)."""
    text = emails.astype("string").str.strip()
    pattern = _EMAIL_ASCII_LOCAL if ascii_local_part else _EMAIL_ANY_LOCAL
    ok = text.str.match(pattern) & (text.str.len() <= 254) & (text.str.count("@") == 1)
    ok &= text.str.split("@", n=1).str[0].str.len() <= 64
    return ok.fillna(False).to_numpy(dtype=bool)


def split_name(full_name) -> tuple[str, str]:
    """Split a full name into (first, last): ``"Last, First"`` is swapped; otherwise the
    first word is the first name and the rest the last name; one word is a first name."""
    if not isinstance(full_name, str):
        return "", ""
    name = " ".join(full_name.split())
    if not name:
        return "", ""
    if name.count(",") == 1:
        last, first = (part.strip() for part in name.split(","))
        if first and last:
            return first, last
        name = (first or last)
    first, _, last = name.partition(" ")
    return first, last


def has_consent_information(customers: pd.DataFrame) -> bool:
    """True when a ``consent`` column exists and says yes or no for at least one customer."""
    if "consent" not in customers.columns:
        return False
    return consent_flags(customers["consent"]).notna().any()


def consent_flags(values: pd.Series) -> pd.Series:
    """Consent as pandas boolean (NA = blank) from booleans or yes/no-like text; text that
    is not understood counts as no (fail-closed)."""
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.astype("boolean")
    codes, uniques = pd.factorize(values.astype(object))
    meanings = [consent_meaning("" if pd.isna(u) else str(u)) for u in uniques.tolist()]
    table = np.array([pd.NA if m == BLANK else m == YES for m in meanings] + [pd.NA], dtype=object)
    return pd.Series(pd.array(table[codes], dtype="boolean"), index=values.index)


def select_contacts(
    customers: pd.DataFrame,
    *,
    value_col: str,
    include_no_consent: bool = False,
    ascii_local_part: bool = False,
) -> tuple[pd.DataFrame, dict[str, int], bool]:
    """Return (contacts, left_out counts, consent_known) following the module rules.

    ``contacts`` keeps the input columns (``customer_id`` as a column) plus ``email``
    stripped, ``first_name``, ``last_name`` and ``consent`` (boolean, NA = unknown), sorted by
    value descending.
    """
    frame = customers.reset_index() if "customer_id" not in customers.columns else customers.copy()
    if "customer_id" not in frame.columns:
        frame = frame.rename(columns={frame.columns[0]: "customer_id"})
    left_out = {REASON_NO_EMAIL: 0, REASON_NO_CONSENT: 0, REASON_DUPLICATE: 0}
    emails = frame["email"].astype("string").str.strip() if "email" in frame.columns else pd.Series(pd.NA, index=frame.index, dtype="string")
    valid = valid_emails(emails, ascii_local_part)
    left_out[REASON_NO_EMAIL] = int((~valid).sum())
    frame = frame.loc[valid].copy()
    frame["email"] = emails[valid].astype(str)
    consent_known = has_consent_information(customers)
    frame["consent"] = consent_flags(frame["consent"]) if "consent" in frame.columns else pd.Series(pd.NA, index=frame.index, dtype="boolean")
    frame["_value"] = pd.to_numeric(frame[value_col], errors="coerce").fillna(-np.inf) if value_col in frame.columns else 0.0
    frame["_key"] = frame["email"].str.casefold()
    frame = frame.sort_values(["_value", "customer_id"], ascending=[False, True], kind="mergesort")
    # per email (one pass over integer codes, not a Python call per address): any "no" wins,
    # else any "yes"; else unknown
    key_code, keys = pd.factorize(frame["_key"])
    said = frame["consent"].array
    said_no = np.asarray(said.fillna(True), dtype=bool) == False  # noqa: E712
    said_yes = np.asarray(said.fillna(False), dtype=bool)
    any_no = np.bincount(key_code, weights=said_no, minlength=len(keys))[key_code] > 0
    any_yes = np.bincount(key_code, weights=said_yes, minlength=len(keys))[key_code] > 0
    merged = pd.arrays.BooleanArray(any_yes & ~any_no, ~(any_yes | any_no))
    frame["consent"] = pd.Series(merged, index=frame.index)
    duplicated = frame["_key"].duplicated(keep="first")
    left_out[REASON_DUPLICATE] = int(duplicated.sum())
    frame = frame.loc[~duplicated]
    if consent_known and not include_no_consent:
        ok = frame["consent"].fillna(False).astype(bool)
        left_out[REASON_NO_CONSENT] = int((~ok).sum())
        frame = frame.loc[ok]
    first, last = first_and_last_names(frame)
    frame["first_name"], frame["last_name"] = first, last
    return frame.drop(columns=["_value", "_key"]).reset_index(drop=True), left_out, consent_known


def first_and_last_names(frame: pd.DataFrame) -> tuple[list[str], list[str]]:
    """(first names, last names): the file's own first/last name columns where a row has
    them, else its full name split as :func:`split_name` does (column-wise)."""
    if not len(frame):
        return [], []
    def text(col):
        if col not in frame.columns:
            return pd.Series("", index=frame.index, dtype=object)
        return frame[col].astype(object).where(frame[col].notna(), "").astype(str).str.strip()

    given, family, full = text("first_name"), text("last_name"), text("name")
    full = full.str.split().str.join(" ").fillna("")
    one_comma = full.str.count(",") == 1
    before, after = full.str.partition(",")[0].str.strip(), full.str.partition(",")[2].str.strip()
    swapped = one_comma & (before != "") & (after != "")
    name = full.where(~one_comma | swapped, before.where(after == "", after))
    parts = name.str.partition(" ")
    first = parts[0].where(~swapped, after)
    last = parts[2].where(~swapped, before)
    own = (given != "") | (family != "")
    return given.where(own, first).tolist(), family.where(own, last).tolist()
