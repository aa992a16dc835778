"""Contacts for email tools: valid emails, consent, de-duplication, first/last names.

Order of the checks: (1) a row needs a valid email, (2) rows sharing an email (compared
case-insensitively) are merged into the highest-value row, (3) when the table carries
consent information, contacts without positive marketing consent are left out unless asked
otherwise. A merged contact counts as consenting only if no merged row says "no" and at
least one says "yes" (an opt-out anywhere wins).

First and last names come from the file's own name columns or from a full name split in
two; a cell that is not a person's name (:func:`is_person_name`: a formula, a link, an
address, a phone number, mostly punctuation) gives no name at all rather than two broken
halves; the email still identifies the contact.
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


# Not a person's name: characters of formulas, markup, links and code (ASCII and full-width),
# a link, a start that a spreadsheet reads as a formula (= + - @), or no letter at all.
_NOT_NAME = re.compile(
    r'[=()"<>\[\]{}\\|;@\uff1d\uff08\uff09\uff02\uff1c\uff1e\uff20]|://|\bwww\.|^[+\-\uff0b\uff0d]|^[\d_\W]*$'
)
# Noise for "mostly punctuation": ASCII punctuation and symbols, digits, general and
# full-width punctuation.
_NOISE = r"[!-/:-@\[-`{-~0-9\u2010-\u2027\u2030-\u205e\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]"
_NOISE_RE = re.compile(_NOISE)


def is_person_name(text) -> bool:
    """Can ``text`` be a person's name? No for a formula or anything with ``= ( ) " < > [ ] { }
    \\ | ; @``, a link, text starting with ``+``/``-``, text without a letter, and text that
    is mostly punctuation or digits (more such characters than others)."""
    if not isinstance(text, str):
        return False
    name = text.strip()
    if not name or _NOT_NAME.search(name):
        return False
    return 2 * len(_NOISE_RE.findall(name)) <= len(name) - sum(c.isspace() for c in name)


_NAME_PUNCTUATION = ".,'’-"
_ASCII_CLASSES = None


def _char_classes(codes: np.ndarray) -> np.ndarray:
    """Per character code: 0 letter, 1 white space, 2 punctuation of names (. , ' ’ -),
    3 anything else (digit, _, other punctuation or symbol), as Python's ``re`` sees them."""
    def kind(ch: str) -> int:
        if ch.isspace():
            return 1
        if ch in _NAME_PUNCTUATION:
            return 2
        return 0 if re.match(r"[^\W\d_]", ch) else 3

    global _ASCII_CLASSES
    if _ASCII_CLASSES is None:
        _ASCII_CLASSES = np.array([kind(chr(c)) for c in range(128)], dtype=np.uint8)
    classes = np.empty(len(codes), dtype=np.uint8)
    ascii_ = codes < 128
    classes[ascii_] = _ASCII_CLASSES[codes[ascii_]]
    if not ascii_.all():
        others, where = np.unique(codes[~ascii_], return_inverse=True)
        classes[~ascii_] = np.array([kind(chr(c)) for c in others.tolist()], dtype=np.uint8)[where]
    return classes


def person_names(texts: pd.Series) -> np.ndarray:
    """:func:`is_person_name` of every cell of a column of text (missing = not a name).

    Worked out on the characters of the whole column at once; only the cells that need a
    closer look are checked one by one: cells holding anything but letters, white space and
    the punctuation of names (. , ' ’ -), such punctuation twice in a row or starting a
    word, or "www.". In any other cell a letter comes before every punctuation mark, so it
    is a name when not blank.
    """
    values = texts.to_numpy(dtype=object)
    missing = pd.isna(values)
    if missing.any():
        values = values.copy()
        values[missing] = ""
    cells = values.tolist()
    if not cells:
        return np.zeros(0, dtype=bool)
    try:
        joined = "\n" + "\n".join(cells)
    except TypeError:  # not all text
        cells = [str(c) for c in cells]
        joined = "\n" + "\n".join(cells)
    if joined.count("\n") != len(cells):  # a cell with a line break: check each cell
        return np.fromiter((is_person_name(c) for c in cells), dtype=bool, count=len(cells))
    codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    classes = _char_classes(codes)
    punct = classes == 2
    suspect = classes == 3
    suspect[1:] |= punct[1:] & (punct[:-1] | (classes[:-1] == 1))  # ".." or a word starting with "."
    positions = np.flatnonzero(suspect).tolist()
    at = joined.find("www.")
    while at >= 0:
        positions.append(at)
        at = joined.find("www.", at + 1)
    # cell i starts right after the line break at starts[i]; a cell is blank without a non-space
    breaks = codes == 10
    starts = np.flatnonzero(breaks)
    cell_of = np.cumsum(breaks) - 1
    ok = np.bincount(cell_of[classes != 1], minlength=len(cells)) > 0
    for i in np.unique(np.searchsorted(starts, positions, side="right") - 1).tolist():
        ok[i] = is_person_name(cells[i])
    return ok


# Titles before a name (English, German, French, Spanish, Italian), with or without a dot;
# "M." (Monsieur) only with its dot, as a bare "M" is an initial.
_TITLE_WORDS = ("dr", "dra", "mr", "mrs", "ms", "mx", "miss", "mister", "prof", "herr", "frau", "mme", "mlle",
                "madame", "monsieur", "sr", "sra", "srta", "señor", "señora", "sir", "dame", "dott", "sig", "sig.ra")
_TITLE = r"(?:(?:" + "|".join(re.escape(t) for t in _TITLE_WORDS) + r")\.?|m\.)(?:\s+|$)"
_TITLES = re.compile(rf"^(?:{_TITLE})+", re.IGNORECASE)
# first word, then one or more single-letter initials ("P." or "P"), then the rest
_INITIALS = re.compile(r"^(\S+)((?:\s+[^\W\d_]\.?)+)\s+(\S.*)$")
# names that may hold a title (at the start or after the comma of "Last, First") or an
# initial between two words: only these get the closer look
_SPECIAL = re.compile(rf"(?:^|,\s*){_TITLE}|\s[^\W\d_]\.?\s", re.IGNORECASE)


def split_name(full_name) -> tuple[str, str]:
    """Split a full name into (first, last) as :func:`first_and_last_names` does:
    ``"Last, First"`` is swapped; a leading title is dropped (``"Dr. John Watson"`` →
    ``("John", "Watson")``; ``"Mr Smith"`` → ``("", "Smith")``); otherwise the first word
    and any upper-case initials after it are the first name and the rest the last name
    (``"Amélie P. Fischer"`` → ``("Amélie P.", "Fischer")``); one word is a first name.
    Text that is not a person's name (:func:`is_person_name`) gives ``("", "")``."""
    if not isinstance(full_name, str):
        return "", ""
    name = " ".join(_INVISIBLE.sub("", full_name).split())
    if not name or not is_person_name(name):
        return "", ""
    first, last = _split_full_names(pd.Series([name], dtype=object))
    return first[0], last[0]


def _without_titles(names: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(names without their leading titles, whether a title was dropped)."""
    titled = names.str.match(_TITLES).fillna(False).astype(bool)
    if not titled.any():
        return names, titled
    return names.where(~titled, names.str.replace(_TITLES, "", regex=True)), titled


def _split_full_names(full: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(first names, last names) of full names (single-spaced text, "" for none), column-wise.

    Every name is split at its comma or first space; names that may hold a title or an
    initial (one regex pass) are then looked at again, as a column of their own."""
    full = full.reset_index(drop=True)
    one_comma = full.str.count(",") == 1
    halves = full.str.partition(",")
    before, after = halves[0].str.strip(), halves[2].str.strip()
    swapped = one_comma & (before != "") & (after != "")
    name = full.where(~one_comma | swapped, before.where(after == "", after))
    parts = name.str.partition(" ")
    first, last = parts[0].where(~swapped, after), parts[2].where(~swapped, before)
    special = full.str.contains(_SPECIAL, regex=True).fillna(False).to_numpy(dtype=bool)
    if special.any():
        first, last = first.copy(), last.copy()
        better = _titles_and_initials(name[special], before[special], after[special], swapped[special])
        first[special], last[special] = better[0].to_numpy(), better[1].to_numpy()
    return first, last


def _titles_and_initials(name: pd.Series, before: pd.Series, after: pd.Series, swapped: pd.Series
                         ) -> tuple[pd.Series, pd.Series]:
    """First and last names of names that may hold a title or initials (see
    :func:`split_name`); ``before``/``after``: the parts around the comma, ``swapped``:
    "Last, First"."""
    name, titled = _without_titles(name.where(~swapped, ""))
    given, _ = _without_titles(after.where(swapped, ""))
    parts = name.str.partition(" ")
    first, last = parts[0], parts[2]
    # "Mr Smith": after a title a single word is the last name
    alone = titled & (last == "")
    first, last = first.where(~alone, ""), last.where(~alone, parts[0])
    # "Amélie P. Fischer": upper-case initials after the first word belong to the first name
    found = name.str.extract(_INITIALS)
    letters = found[1].fillna("").str.replace(r"[\s.]", "", regex=True)
    initials = (found[0].notna() & (letters != "") & letters.str.isupper()).astype(bool)
    first = first.where(~initials, found[0] + found[1])
    last = last.where(~initials, found[2])
    return first.where(~swapped, given), last.where(~swapped, before)


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


# Invisible characters that change how text around them shows (right-to-left overrides that
# make "Bob\u202eexe.evil" read as "Bobevil.exe", zero-width spaces, byte-order marks) and
# control characters: taken out of names before they reach an email tool (zero-width
# joiners, which some scripts need, stay; white space is made single spaces later).
_INVISIBLE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def first_and_last_names(frame: pd.DataFrame) -> tuple[list[str], list[str]]:
    """(first names, last names): the file's own first/last name columns where a row has
    them (a leading title dropped from the first name), else its full name split as
    :func:`split_name` describes, column-wise with pandas string methods (no Python call
    per name). A cell that is not a person's name (:func:`is_person_name`) counts as blank."""
    if not len(frame):
        return [], []
    def text(col):
        if col not in frame.columns:
            return pd.Series("", index=frame.index, dtype=object)
        cells = frame[col].astype(object).where(frame[col].notna(), "").astype(str)
        cells = cells.str.replace(_INVISIBLE, "", regex=True).str.strip()
        return cells.where(person_names(cells), "") if col != "name" else cells

    given, family, full = text("first_name"), text("last_name"), text("name")
    if "first_name" in frame.columns:
        given = _without_titles(given)[0].str.strip()
    full = full.str.split().str.join(" ").fillna("")
    if "name" in frame.columns:
        full = full.where(person_names(full), "")
    first, last = _split_full_names(full)
    own = ((given != "") | (family != "")).to_numpy()
    return np.where(own, given.to_numpy(), first.to_numpy()).tolist(), \
        np.where(own, family.to_numpy(), last.to_numpy()).tolist()
