"""Marketing consent: which columns say it, what their cells mean, and each customer's
latest statement. Fail-closed: anything not clearly a "yes" is a "no".

* Columns are found by header (``Accepts Email Marketing``, ``Newsletter``, ``GDPR
  Marketing Consent``, ``Einwilligung`` …) and by content (a column of ``subscribed`` /
  ``unsubscribed``), in every layout, platform presets included. Opt-out headers (``Email
  Opt Out``, ``Unsubscribed``, ``Do not email``) invert the meaning of plain yes/no cells.
* Cells: plain words (``yes/no``, ``true/false``, ``1/0``, ``on/off``, ``checked``, ``✓/✗``,
  ``x``, several languages) follow the column's meaning; words that state the answer
  themselves (``subscribed``, ``opted-out``, ``never subscribed``, ``declined`` …) keep it
  whatever the header says. A filled cell that is neither is an *unknown* statement and
  counts as "no"; blank cells say nothing.
* A customer's consent is their latest statement by order date, on any of their rows
  (cancelled, unpaid or other-currency orders included); at the same moment (the same date
  when the file has no times) a "no" wins, and a
  "no" on a row without a readable date counts as the latest.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["ConsentColumns", "NO", "UNKNOWN", "YES", "BLANK", "consent_columns", "consent_meaning",
           "is_opt_out_header", "latest_consent", "row_statements"]

BLANK, NO, YES, UNKNOWN = -1, 0, 1, 2
UNTICKED = 3  # an empty box in a checkbox column: not consented, but no opt-out either

# words whose meaning depends on the column (an opt-out column flips them)
_PLAIN_YES = {
    "yes", "y", "true", "t", "1", "1.0", "on", "checked", "ticked", "selected", "x", "ok", "enabled",
    "\u2713", "\u2714", "\u2611", "\u2705", "\U0001f5f8", "\u2612",
    "ja", "j", "oui", "si", "sim", "da", "tak", "kylla", "wahr", "vrai", "verdadero", "vero", "waar", "sant",
    "aktiviert", "はい", "是", "是的", "예", "네", "да", "ναι", "نعم", "כן", "evet", "igen", "ano", "jah",
}
_PLAIN_NO = {
    "no", "n", "false", "f", "0", "0.0", "off", "unchecked", "unticked", "not checked", "unselected",
    "disabled", "\u2717", "\u2718", "\u2610", "\u274c", "\u2715", "\u00d7", "\u2716",
    "nein", "non", "nee", "nej", "nei", "ei", "nie", "nao", "falsch", "faux", "falso", "onwaar",
    "deaktiviert", "いいえ", "否", "不", "아니오", "아니요", "нет", "οχι", "όχι", "لا", "לא", "hayir", "hayır", "nem",
    "ne", "ei",
}
# words that state the answer themselves, whatever the header
_SAYS_YES = {
    "subscribed", "subscribe", "subscriber", "opted in", "opt in", "optin", "optedin", "accepted", "accepts",
    "agreed", "agree", "granted", "given", "consented", "consent given", "confirmed", "single opt in",
    "confirmed opt in", "double opt in", "allowed", "allow", "permitted", "email subscribed", "subscribed email",
    "angemeldet", "abonniert", "eingewilligt", "zugestimmt", "einverstanden", "abonne", "inscrit", "accepte",
    "suscrito", "suscrita", "aceptado", "iscritto", "iscritta", "accettato", "aangemeld", "ingeschreven",
    "geabonneerd", "akkoord", "toegestaan", "inscrito", "inscrita", "subscrito", "subscrita", "assinante",
    "aceito", "autorizado", "autorizada", "erlaubt",
}
# a word that negates the yes-word after it: "nicht abonniert", "non abonné", "not opted in"
_NEGATIONS = {"not", "non", "no", "never", "nicht", "kein", "keine", "nie", "niet", "geen", "nao", "nunca",
              "jamais", "pas", "ne", "ej", "ikke", "ei"}
_SAYS_NO = {
    "unsubscribed", "unsubscribe", "not subscribed", "never subscribed", "non subscribed", "nonsubscribed",
    "notsubscribed", "neversubscribed", "opted out", "opt out", "optout", "optedout", "declined", "denied",
    "rejected", "refused", "revoked", "withdrawn", "not given", "not consented", "no consent", "pending",
    "cleaned", "bounced", "invalid", "redacted", "suppressed", "blocked", "blocklisted", "blacklisted",
    "spam", "complained", "none", "do not email", "do not contact", "not allowed", "disallowed",
    "abgemeldet", "abgelehnt", "widerrufen", "nicht angemeldet", "desabonne", "desinscrit", "refuse",
    "no suscrito", "dado de baja", "baja", "rechazado", "disiscritto", "rifiutato", "afgemeld",
    "uitgeschreven", "geweigerd",
}
_BLANK_WORDS = {"", "-", "--", "n/a", "na", "null", "nan", "(blank)", "#n/a"}
# words that say a subscription by themselves: they make a column under any header a consent
# column ("none", "pending", "accepted" or "blocked" alone could be a promotion, a status …)
_SUBSCRIPTION_WORDS = {w.replace(" ", "") for w in (
    "subscribed", "unsubscribed", "not subscribed", "never subscribed", "non subscribed", "opted in", "opted out",
    "opt in", "opt out", "optin", "optout", "double opt in", "single opt in", "confirmed opt in",
    "email subscribed", "subscribed email", "angemeldet", "abgemeldet", "abonniert", "nicht angemeldet",
    "abonne", "desabonne", "inscrit", "desinscrit", "suscrito", "suscrita", "no suscrito", "dado de baja",
    "iscritto", "iscritta", "disiscritto", "ingeschreven", "uitgeschreven", "aangemeld", "afgemeld", "geabonneerd")}

# header words (normalised: letters and digits only)
_OPT_OUT_PARTS = ("optout", "optedout", "unsubscri", "donotemail", "donotmail", "donotcontact", "donotmarket",
                  "donotsolicit", "dontemail", "dontmail", "dontcontact", "nomarketing", "noemails", "abmeld",
                  "abgemeldet", "desabon", "desinscri", "werbewiderspruch", "blacklist", "blocklist", "suppress",
                  "hasoptedout", "bajanewsletter", "afgemeld", "uitgeschreven", "disiscri")
# words that make a header a consent column by themselves …
_CONSENT_PARTS = ("consent", "optin", "optedin", "newsletter", "permission", "einwilligung", "zustimmung",
                  "consentement", "consentimiento", "consenso", "toestemming", "nieuwsbrief", "infolettre", "boletin",
                  "nyhetsbrev", "nyhedsbrev", "uutiskirje", "samtycke", "samtykke", "suostumus", "zgoda", "gdpr",
                  "dsgvo", "rgpd", "mailinglist", "acceptsemail", "acceptemail", "emailok", "oktoemail", "oktomail",
                  "oktocontact", "okaytocontact", "contactok", "maycontact", "maywecontact", "cancontact",
                  "subscribed", "subscriber", "abonniert", "suscrito", "iscritto", "ingeschreven", "aangemeld",
                  "angemeldet")
# the same in scripts that have no Latin letters (matched in the header as written, lower case)
# (newsletter and mailing words only: "agree" or "consent" alone is as often about terms of
# use or data processing, 利用規約に同意, согласие на обработку данных)
_CONSENT_PARTS_OTHER_SCRIPTS = ("メールマガジン", "メルマガ", "ニュースレター", "配信希望", "订阅", "訂閱", "邮件营销",
                                "營銷郵件", "뉴스레터", "수신동의", "рассылк", "ενημερωτικ", "ניוזלטר", "النشرة")
# … and words that do only next to an email/consent word ("Subscription" alone is a product)
_WEAK_PARTS = ("marketing", "mailing", "werbung", "subscri", "abonn", "suscri", "inscri")
_WEAK_COMPANIONS = ("email", "mail", "accept", "consent", "opt", "permission", "allow", "agree", "newsletter")
_NOT_CONSENT_WORDS = {"sms", "text", "phone", "whatsapp", "date", "time", "timestamp", "at", "updated", "source",
                      "level", "method", "ip", "collected", "type", "channel", "campaign", "utm", "medium",
                      "id", "name", "reason", "version", "url", "datum", "fecha", "verified", "valid", "validated",
                      "sent", "opened", "clicked", "delivered", "bounced", "bounce", "receipt", "address", "domain",
                      # consent to something else than marketing email, and mail that is post
                      "cookie", "cookies", "terms", "agb", "terminos", "conditions", "privacy", "datenschutz",
                      "processing", "verarbeitung", "photo", "photograph", "photography", "form", "signed",
                      "order", "shipped", "rebate", "confirmed", "box", "tos"}
# … and words that name what consent is about: a header with one of them ("Werbung erlaubt",
# "Acepta marketing", "Promotional emails", "Can we email you?") is consent when its cells
# are plain yes/no words or subscription words (not "none", "pending" …: see _topic_share)
_TOPIC_PARTS = ("email", "mail", "marketing", "newsletter", "werbung", "werbe", "reclame", "publicidad",
                "publicite", "pubblicita")
# as the whole header only ("News", "Subscribe"; not "Subscribe & Save", a subscription program)
_TOPIC_HEADERS = {"news", "mailings", "subscribe"}
_EXACT_CONSENT = {
    "acceptsemailmarketing", "acceptsmarketing", "emailconsent", "consent", "marketingconsent", "optin",
    "newsletter", "subscribed", "emailmarketingconsent", "marketingoptin", "emailoptin", "emailsubscriptionstatus",
    "acceptsmarketingemails", "einwilligung", "subscribedtonewsletter", "newslettersubscription",
    "gdprmarketingconsent", "gdprconsent", "emailmarketing", "marketingemails",
    "emailsubscriberstatus", "newslettersubscriber", "receivemarketingemails", "receivereviewmarketingemails",
    "marketingpermission", "emailpermission", "mailinglist", "optinstatus", "emailoptinstatus",
    "consenttomarketing", "emailmarketingstatus", "marketingstatus", "newsletteroptin",
}


def _norm_header(name: str) -> str:
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _header_words(name: str) -> set[str]:
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", text)
    return {w for w in re.split(r"[^a-z0-9]+", text.lower()) if w}


def is_opt_out_header(name: str) -> bool:
    """Does a "yes" in this column mean the customer said no (``Email Opt Out``, ``Unsubscribed``)?"""
    norm = _norm_header(name)
    return any(part in norm for part in _OPT_OUT_PARTS)


def _header_kind(name: str) -> str | None:
    """'exact' (a known consent header), 'maybe' (consent words: needs consent-like cells),
    'topic' (names email or marketing: needs yes/no or subscription cells) or None."""
    norm = _norm_header(name)
    if not norm:
        written = unicodedata.normalize("NFKC", str(name)).lower()
        return "maybe" if any(part in written for part in _CONSENT_PARTS_OTHER_SCRIPTS) else None
    if norm in _EXACT_CONSENT:
        return "exact"
    words = _header_words(name)
    if words & _NOT_CONSENT_WORDS:
        return None
    if any(part in norm for part in _OPT_OUT_PARTS + _CONSENT_PARTS):
        return "maybe"
    weak = [part for part in _WEAK_PARTS if part in norm]
    if weak and (norm in weak or norm in ("marketing", "emailmarketing") or
                 any(c in norm.replace(w, "") for w in weak for c in _WEAK_COMPANIONS)):
        return "maybe"
    if norm in _TOPIC_HEADERS or any(part in norm for part in _TOPIC_PARTS):
        return "topic"
    return None


def _cell_key(text: str) -> str:
    """``" Opted-In "`` -> ``"opted in"``; accents folded (``Désabonné`` -> ``desabonne``)."""
    key = unicodedata.normalize("NFKC", str(text)).strip().lower()
    folded = "".join(c for c in unicodedata.normalize("NFKD", key) if not unicodedata.combining(c))
    key = folded if folded.isascii() else key
    key = re.sub(r"[\s_\-./:]+", " ", key).strip(" '\"")
    return key


def consent_meaning(text: str, inverted: bool = False) -> int:
    """One cell: ``YES``, ``NO``, ``BLANK`` (says nothing) or ``UNKNOWN`` (counts as no)."""
    if str(text).strip().lower() in _BLANK_WORDS:
        return BLANK
    key = _cell_key(text)
    if key in _BLANK_WORDS or key.strip("'\" ") == "":
        return BLANK
    if key in _SAYS_YES:
        return YES
    if key in _SAYS_NO:
        return NO
    if key in _PLAIN_YES or key.replace(" ", "") in _PLAIN_YES:
        return NO if inverted else YES
    if key in _PLAIN_NO or key.replace(" ", "") in _PLAIN_NO:
        return YES if inverted else NO
    compact = key.replace(" ", "")
    if compact in _COMPACT_YES:
        return YES
    if compact in _COMPACT_NO:
        return NO
    if _negated_yes(key):
        return NO
    return UNKNOWN


_COMPACT_YES = {k.replace(" ", "") for k in _SAYS_YES}
_COMPACT_NO = {k.replace(" ", "") for k in _SAYS_NO}


def _negated_yes(key: str) -> bool:
    """``"nicht abonniert"``, ``"non inscrit"``, ``"not opted in"``: a negation, then a word
    that says yes by itself."""
    first, _, rest = key.partition(" ")
    return first in _NEGATIONS and rest.replace(" ", "") in _COMPACT_YES


def _meanings(values: pd.Series, inverted: bool) -> np.ndarray:
    """``consent_meaning`` of every cell, computed once per distinct value."""
    codes, uniques = pd.factorize(values)  # missing -> code -1: the table's last entry
    table = np.array([consent_meaning(str(u), inverted) for u in uniques.tolist()] + [BLANK], dtype=np.int8)
    return table[codes]


def _consent_like_share(values: pd.Series) -> tuple[float, bool]:
    """(share of filled cells that read as consent words, do some state it themselves)."""
    filled = values[values.astype(str).str.strip() != ""].astype(str)
    if filled.empty:
        return 0.0, False
    uniques = filled.value_counts()
    if len(uniques) > 20:
        return 0.0, False
    meaning = np.array([consent_meaning(u) for u in uniques.index])
    known = uniques.to_numpy()[meaning != UNKNOWN].sum() / uniques.sum()
    explicit = any(_says_subscription(_cell_key(u)) for u in uniques.index)
    return float(known), explicit


def _says_subscription(key: str) -> bool:
    """``subscribed``, ``opted out``, ``nicht abonniert`` …: a subscription named by the cell itself."""
    if _negated_yes(key):
        key = key.partition(" ")[2]
    return key.replace(" ", "") in _SUBSCRIPTION_WORDS


def _topic_share(values: pd.Series) -> float:
    """Share of filled cells that are plain yes/no words or say a subscription ("none" or
    "accepted" under "Marketing source" say something else)."""
    filled = values[values.astype(str).str.strip() != ""].astype(str)
    uniques = filled.value_counts()
    if filled.empty or len(uniques) > 20:
        return 0.0
    keys = [_cell_key(u) for u in uniques.index]
    plain = np.array([k.replace(" ", "") in _PLAIN_YES | _PLAIN_NO or _says_subscription(k) for k in keys])
    return float(uniques.to_numpy()[plain].sum() / uniques.sum())


def _filled_head(values: pd.Series, n: int) -> pd.Series:
    """The first ``n`` filled cells of a column: a consent column added to the shop's checkout
    later is blank on every older order, which can be far more than ``n`` rows."""
    head = values.head(n)
    if len(values) <= n or int((head.astype(str).str.strip() != "").sum()) >= n // 10:
        return head  # enough filled cells to judge the column by
    filled = values.notna().to_numpy() & (values.astype(object).to_numpy() != "")
    return values[filled].head(n)


@dataclass
class ConsentColumns:
    """The consent columns of a file, each with whether it is an opt-out column."""

    columns: list[tuple[str, bool]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def headers(self) -> list[str]:
        return [h for h, _ in self.columns]

    def __bool__(self) -> bool:
        return bool(self.columns)


def consent_columns(body: pd.DataFrame, roles: dict, *, fixed: dict | None = None,
                    disabled: set | None = None, sample: int = 5000) -> ConsentColumns:
    """Find the consent columns of ``body`` (header -> text cells).

    A column mapped by the user (``fixed['consent']``) is the only one used; ``disabled``
    containing "consent" means none. Otherwise every column whose header is a known consent
    or opt-out name, or holds consent words under a consent-like header, or holds
    self-describing words (``subscribed``/``unsubscribed``) under any header not taken by
    another role.
    """
    fixed, disabled = fixed or {}, disabled or set()
    out = ConsentColumns()
    if "consent" in disabled:
        return out
    if "consent" in fixed:
        header = fixed["consent"]
        out.columns.append((header, is_opt_out_header(header)))
    else:
        taken = {h for r, h in roles.items() if r != "consent" and not r.startswith("_")}
        for header in body.columns:
            if header in taken:
                continue
            kind = _header_kind(header)
            if kind == "topic" and _topic_share(_filled_head(body[header], sample)) >= 0.8:
                out.columns.append((header, is_opt_out_header(header)))
                continue
            if kind in (None, "topic") and header != roles.get("consent"):
                if str(header).startswith("Column "):
                    continue
                share, explicit = _consent_like_share(_filled_head(body[header], sample))
                if share >= 0.9 and explicit:
                    out.columns.append((header, False))
                continue
            if kind == "exact" or header == roles.get("consent"):
                out.columns.append((header, is_opt_out_header(header)))
                continue
            share, _ = _consent_like_share(_filled_head(body[header], sample))
            if share >= 0.8:
                out.columns.append((header, is_opt_out_header(header)))
    for header, inverted in out.columns:
        if inverted:
            out.notes.append(f"Consent: the column '{header}' records opt-outs, so a 'yes' there means the "
                             "customer said no to marketing emails.")
    if len(out.columns) > 1:
        names = ", ".join(f"'{h}'" for h in out.headers)
        out.notes.append(f"Consent is read from {len(out.columns)} columns ({names}); a 'no' in any of them wins.")
    return out


def row_statements(columns: list[tuple[pd.Series, bool]], n: int) -> np.ndarray:
    """Per row: ``YES``, ``NO``, ``UNKNOWN`` or ``BLANK``, combining the consent columns
    (``(cells, inverted)``): a no beats everything, an unknown beats a yes (a "yes" beside
    a cell that was not understood is no clear yes)."""
    out = np.full(n, BLANK, dtype=np.int8)
    rank = np.array([0, 3, 1, 2], dtype=np.int8)  # BLANK(-1)->0, NO(0)->3, YES(1)->1, UNKNOWN(2)->2
    for values, inverted in columns:
        meaning = _meanings(values, inverted)
        stronger = rank[meaning + 1] > rank[out + 1]
        out[stronger] = meaning[stronger]
    return out


def latest_consent(statements: np.ndarray, dates: np.ndarray, codes: np.ndarray, n: int
                   ) -> tuple[pd.arrays.BooleanArray, np.ndarray]:
    """Each customer's latest statement: (True/False per customer, whether it was UNKNOWN).

    ``codes`` are customer positions (0..n-1). Customers without any statement, and those
    whose latest statement was not understood, get NA: not consent (a file with a consent
    column gives no one consent by silence), but no known opt-out either, so an export
    that marks consent lists them as not subscribed rather than unsubscribed.
    """
    stamps = np.asarray(dates, dtype="datetime64[ns]")
    nat = np.isnat(stamps)
    # a "yes" on a row without a readable date cannot be placed in time: it is ignored;
    # a "no" there counts as the latest word
    said = (statements != BLANK) & ~(nat & (statements == YES)) & (codes >= 0)
    rows = np.flatnonzero(said)
    seconds = stamps[rows].astype("datetime64[s]").view(np.int64)
    undated = nat[rows]
    if undated.any():  # a "no" without a date: after every dated statement
        seconds = np.where(undated, (seconds[~undated].max() + 1) if (~undated).any() else 0, seconds)
    # one sort key: time, then a yes before a no at the same time
    key = (seconds - (seconds.min() if len(seconds) else 0)) * 2 + (statements[rows] != YES)
    order = np.argsort(key, kind="stable")
    rank = np.empty(len(rows), dtype=np.int64)
    rank[order] = np.arange(len(rows))
    best = np.full(n, -1, dtype=np.int64)  # per customer: the rank of their latest statement
    np.maximum.at(best, codes[rows], rank)
    has = best >= 0
    latest = statements[rows[order][best[has]]]
    value = np.zeros(n, dtype=bool)
    unknown = np.zeros(n, dtype=bool)
    value[has] = latest == YES
    unknown[has] = latest == UNKNOWN
    unticked = np.zeros(n, dtype=bool)
    unticked[has] = latest == UNTICKED
    return pd.arrays.BooleanArray(value, ~has | unknown | unticked), unknown


def unknown_examples(columns: list[tuple[pd.Series, bool]], limit: int = 3) -> list[str]:
    """A few distinct cell texts that were not understood (for the report)."""
    seen: list[str] = []
    for values, inverted in columns:
        for u in pd.unique(values.astype(object).where(values.notna(), "")):
            if consent_meaning(u, inverted) == UNKNOWN and str(u)[:40] not in seen:
                seen.append(str(u)[:40])
                if len(seen) >= limit:
                    return seen
    return seen


_TICKS = {"\u2713", "\u2714", "\u2611", "\u2705", "\U0001f5f8", "x"}


def _unticked(values: pd.Series, inverted: bool, customer: np.ndarray, stamps: np.ndarray) -> np.ndarray | None:
    """In a checkbox column (ticks and empty cells only) an empty cell is an unticked box: the
    rows where it says no. None for any other column. A blank beside a tick of the same
    customer at the same moment (the other lines of a ticked order) says nothing."""
    if inverted:
        return None  # a blank "unsubscribe" box is no "yes"
    cells = values.to_numpy(dtype=object)
    uniques = [u for u in pd.unique(cells) if isinstance(u, str) and u != ""]
    if not uniques or len(uniques) > 10 or any(_cell_key(u) not in _TICKS for u in uniques):
        return None
    filled = values.notna().to_numpy() & (cells != "")
    moment = pd.DataFrame({"c": customer, "t": np.asarray(stamps, dtype="datetime64[ns]").view(np.int64)})
    ticked = pd.Series(filled).groupby([moment["c"], moment["t"]]).transform("any").to_numpy()
    return ~filled & ~ticked


_NO_STATEMENT_ROWS = ("blank row", "totals row", "heading row", "exact duplicate", "no customer")


def customer_consent(found: ConsentColumns, body: pd.DataFrame, skip: pd.Series, dates: pd.Series,
                     row_customer: np.ndarray, n: int) -> tuple[pd.arrays.BooleanArray | None, list[str]]:
    """Each customer's consent (None when the file has no consent column) and report notes.

    ``skip`` holds each row's skip reason ("" when used), ``row_customer`` each row's
    customer position (-1: none). Rows of cancelled, unpaid or other-currency orders count:
    a customer may say no on an order that was then cancelled.
    """
    if not found:
        return None, []
    eligible = (row_customer >= 0) & ~np.asarray(skip.isin(_NO_STATEMENT_ROWS), dtype=bool)
    rows = np.flatnonzero(eligible)
    columns = [(body[h].iloc[rows], inverted) for h, inverted in found.columns if h in body.columns]
    statements = row_statements(columns, len(rows))
    stamps = dates.to_numpy()[rows]
    # a mistyped date (2042 for 2024) cannot place a statement in time: as on a row with no
    # date, a "yes" there is ignored and a "no" counts as the latest word
    mistyped = np.asarray(skip.iloc[rows] == "date out of range", dtype=bool)
    if mistyped.any():
        stamps = stamps.copy()
        stamps[mistyped] = np.datetime64("NaT")
    notes = []
    for values, inverted in columns:
        unticked = _unticked(values, inverted, row_customer[rows], stamps)
        if unticked is not None:  # it outweighs a yes in another column on the row, as a no would
            statements[unticked & ((statements == BLANK) | (statements == YES))] = UNTICKED
            notes.append(f"Consent: the column '{values.name}' holds only ticks; an empty cell on an order counts as "
                         "an unticked box (not consented).")
    value, unknown = latest_consent(statements, stamps, row_customer[rows], n)
    if unknown.any():
        examples = ", ".join(f"'{e}'" for e in unknown_examples(columns))
        count = int(unknown.sum())
        who = "1 customer's latest consent value was" if count == 1 else \
            f"{count:,} customers' latest consent values were"
        notes.append(f"Consent: {who} not understood ({examples}); they count as not consented and are left "
                     "out of email lists.")
    return value, notes
