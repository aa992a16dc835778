"""Order and payment status words that mean no money was received (or it went back).

A status cell is matched as a whole phrase (after folding case, accents, ``_`` and ``-``),
so ``partially refunded`` or ``refund requested`` never read as ``refunded``. Each phrase
maps to the skip reason a person reads in the report:

* ``cancelled or failed`` — cancelled, voided, declined or denied, payment error, unavailable
  (Olist: an order that could not be fulfilled) …
* ``not paid`` — unpaid, pending, awaiting payment, on hold or held, uncleared, unclaimed, authorized
  only, created (Olist: an order placed but never paid) …
* ``not a payment`` — draft, quote, estimate, pro forma; a clickstream's view, cart, wishlist …
* ``refunded or returned`` — refunded in full, returned, charged back …

English, German, French, Spanish, Italian, Dutch and Portuguese words, plus the status names
of Shopify, WooCommerce, Magento, BigCommerce, PrestaShop, Wix, Squarespace, Lightspeed, Olist.
"""
from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

__all__ = ["STATUS_REASONS", "status_reasons", "fold_status"]

_CANCELLED = r"""
(order\s)?(cancel+ed|cancel+ation|void|voided|declined|denied|failed|failure|expired|
abandoned|abandoned\scheckout|rejected|fraud|suspected\sfraud|blocked|trash|deleted|unavailable|
payment\s(error|failed|failure|declined|cancel+ed)|failed\spayment|checkout\sdraft|incomplete|
storniert|abgebrochen|fehlgeschlagen|abgelehnt|zahlung\sfehlgeschlagen|
annulee?s?|annule|echouee?|erreur\sde\spaiement|paiement\srefuse|
cancelad[oa]|anulad[oa]|fallid[oa]|rechazad[oa]|error\sen\s(el\s)?pago|
refusee?|denegad[oa]|rifiutat[oa]|negat[oa]|
annullat[oa]|fallit[oa]|errore\s(di|nel)\spagamento|
geannuleerd|mislukt|betaling\smislukt|afgewezen|geweigerd|
cancelad[oa]|falhou|erro\sde\spagamento|recusad[oa]|negad[oa])
"""
_NOT_PAID = r"""
(unpaid|not\spaid|non\spaid|nonpaid|payment\spending|pending|pending\spayment|awaiting\spayment|
awaiting\s(check|cheque|bank\swire|bank\stransfer|wire|cash\son\sdelivery|cod)\s(payment|validation)|
awaiting\scash\son\sdelivery\svalidation|on\sbackorder\s\(not\spaid\)|on\shold|hold|holded|held|
uncleared|unclaimed|not\sclaimed|
authorized|authorised|payment\sreview|outstanding|open\sinvoice|overdue|due|unbezahlt|nicht\sbezahlt|
zahlung\sausstehend|ausstehend|offen|wartet\sauf\szahlung|nicht\sabgeholt|einbehalten|
impaye|impayee|non\spaye|non\spayee|en\sattente(\sde\spaiement|\sdu\spaiement(\spar\scheque)?|
\sde\svirement\sbancaire|\sde\svalidation\sdu\spaiement\sa\sla\slivraison)?|
en\sattente\sde\sreapprovisionnement\s\(non\spaye\)|
pendiente(\sde\spago)?|no\spagad[oa]|impagad[oa]|no\sreclamad[oa]|retenid[oa]|
non\spagat[oa]|in\sattesa(\sdi\spagamento)?|
onbetaald|niet\sbetaald|in\safwachting(\svan\sbetaling)?|
nao\spago|pendente|aguardando\spagamento|
layby|layaway|on\saccount|onaccount|saved|parked|created)
"""
_NOT_A_PAYMENT = r"""
(draft|quote|quotation|estimate|proforma|pro\sforma|pro\sforma\sinvoice|sales\squote|
view|viewed|page\sview|product\sview|cart|add\sto\scart|added\sto\scart|remove\sfrom\scart|
removed\sfrom\scart|wishlist|add\sto\swishlist|click|impression|
view\sitem|view\sitem\slist|select\sitem|view\scart|begin\scheckout|add\sshipping\sinfo|add\spayment\sinfo|
view\spromotion|select\spromotion|session\sstart|first\svisit|user\sengagement|scroll|search|view\ssearch\sresults|
login|sign\sup|generate\slead|
angebot|kostenvoranschlag|entwurf|devis|brouillon|presupuesto|cotizacion|borrador|
preventivo|bozza|offerte|concept|orcamento|rascunho)
"""
_REFUNDED = r"""
(refunded|fully\srefunded|full\srefund|returned|charged\sback|chargeback|disputed|dispute\slost|
reversed|paypal\sreversed|money\sreturned|
erstattet|ruckerstattet|zuruckerstattet|retourniert|zuruckgegeben|
rembourse|rembourses|remboursee|retourne|retournee|
reembolsad[oa]|devuelt[oa]|
rimborsat[oa]|restituit[oa]|
terugbetaald|geretourneerd|
reembolsad[oa]|devolvid[oa])
"""


# Statuses of orders that brought money (or will, once shipped): kept without comment. Any
# other word a status column holds is kept too, but named in a note, so a status this
# vocabulary does not know ("unavailable" before it was added) never counts unseen.
_KEPT = r"""
(paid|fully\spaid|purchase|purchased|completed?|complete\sorder|success|successful|succeeded|settled|captured|approved|confirmed|
accepted|delivered|shipped|partially\sshipped|fulfill?ed|partially\sfulfill?ed|unfulfill?ed|dispatched|sent|
in\stransit|out\sfor\sdelivery|awaiting\s(fulfill?ment|shipment|shipping|dispatch|pickup|collection)|ready(\sfor\s(pickup|collection|shipping|dispatch))?|picked\sup|collected|
processing|processed|in\sprocess|in\sprogress|invoiced|billed|closed|open|active|archived|sale|sales|order|
partially\srefunded|partial\srefund|partially\sreturned|exchanged|
bezahlt|abgeschlossen|versandt|versendet|geliefert|zugestellt|in\sbearbeitung|erledigt|
paye|payee|termine|terminee|livre|livree|expedie|expediee|en\scours|
pagad[oa]|completad[oa]|enviad[oa]|entregad[oa]|
pagat[oa]|completat[oa]|spedit[oa]|consegnat[oa]|
betaald|voltooid|verzonden|geleverd|afgerond|
pago|concluid[oa]|entregue)
"""


def _compile(body: str) -> re.Pattern:
    return re.compile(r"^" + re.sub(r"\s*\n\s*", "", body.strip()) + r"$")


STATUS_REASONS: dict[str, re.Pattern] = {
    "cancelled or failed": _compile(_CANCELLED),
    "not a payment": _compile(_NOT_A_PAYMENT),
    "refunded or returned": _compile(_REFUNDED),
    "not paid": _compile(_NOT_PAID),
}


_KEPT_RE = _compile(_KEPT)


def unknown_status_words(values: pd.Series, reasons: pd.Series) -> dict[str, int]:
    """Status cells kept as purchases whose word is not a known word for a paid or
    shipped order: word -> rows."""
    from .lines import return_rows  # (a "Return" type: netted as a return, not a purchase)

    kept = values[(reasons == "") & (values.astype(str).str.strip() != "")].astype(str)
    counts = kept.value_counts()
    words = pd.Series(counts.index.astype(str), dtype=str)
    known = words.map(lambda w: bool(_KEPT_RE.match(fold_status(w)))).to_numpy(dtype=bool) | \
        return_rows(words).to_numpy(dtype=bool)
    return {str(w): int(n) for w, n, k in zip(words, counts.to_numpy(), known) if not k}


def fold_status(text: str) -> str:
    """``"Wc-Pending_Payment "`` -> ``"pending payment"`` (accents folded, platform prefixes off)."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    text = re.sub(r"[\s_\-./:]+", " ", text).strip()
    return re.sub(r"^(wc|status|order|payment|state)\s(?=\S)", lambda m: "" if m.group(1) in ("wc", "status", "state")
                  else m.group(0), text)


def status_reasons(values: pd.Series, *, payment_only: bool = False) -> pd.Series:
    """Per cell: the skip reason its status says, or "" (kept). Works on distinct values.

    ``payment_only``: for a fulfilment or shipping status column, where "pending" means not
    shipped yet, only cancelled, refunded and returned count.
    """
    cells = values.to_numpy(dtype=object)
    codes, uniques = pd.factorize(cells)
    out = np.full(len(uniques), "", dtype=object)
    for i, value in enumerate(uniques):
        if not isinstance(value, str) or not value.strip():
            continue
        folded = fold_status(value)
        for reason, pattern in STATUS_REASONS.items():
            if payment_only and reason in ("not paid", "not a payment"):
                continue
            if pattern.match(folded):
                out[i] = reason
                break
    result = np.where(codes >= 0, out[np.maximum(codes, 0)], "")
    return pd.Series(result, index=values.index, dtype=object)


_OLD_CANCELLED = re.compile(
    r"\b(?:cancel+ed|cancel+ation|failed|failure|void(?:ed)?|declined|denied|expired|abandoned|rejected|"
    r"storniert|abgebrochen|fehlgeschlagen|annul[ée]e?s?|[ée]chou[ée]|cancelad[oa]|anulad[oa]|annullat[oa]|"
    r"geannuleerd|mislukt)\b", re.IGNORECASE)
_NOT_CANCELLED = re.compile(r"^(canceled|cancelled) reversal$")  # PayPal: a reversal called off, money kept
_STATUS_HEADERS = {
    "status", "orderstatus", "paymentstatus", "financialstatus", "transactionstatus", "state", "orderstate",
    "paymentstate", "zahlungsstatus", "bestellstatus", "statut", "statutdepaiement", "statutdelacommande", "etat",
    "estado", "estadodelpago", "estadodelpedido", "stato", "statopagamento", "betaalstatus", "bestelstatus",
}
_FULFILMENT_WORDS = ("fulfil", "ship", "deliver", "versand", "liefer", "livraison", "envio", "spedizione",
                     "verzend", "levering")
_CANCELLED_AT = {
    "cancelledat", "canceledat", "cancelleddate", "canceleddate", "cancellationdate", "datecancelled",
    "datecanceled", "cancelledon", "canceledon", "storniertam", "stornodatum", "dateannulation", "annulele",
    "fechadecancelacion",
}


def _reasons(values: pd.Series, payment_only: bool) -> pd.Series:
    reasons = status_reasons(values, payment_only=payment_only)
    # the former, looser rule for cancelled words inside a longer status ("order cancelled by customer")
    loose = (reasons == "") & values.astype(str).str.contains(_OLD_CANCELLED, regex=True)
    loose &= ~values.astype(str).map(lambda v: bool(_NOT_CANCELLED.match(fold_status(v))))
    return reasons.where(~loose, "cancelled or failed")


def skip_by_status(work: pd.DataFrame, table: pd.DataFrame, status_header: str | None, mark, notes: list[str],
                   normalise) -> None:
    """Skip orders that bring no money, by every status column of a file of no known layout.

    ``work`` holds the role columns (``status`` is the mapped status column, already copied
    onto every line of its order), ``table`` the file's columns. ``mark(mask, reason, detail)``
    skips rows; ``normalise`` is the header normaliser.
    """
    from .columns import content_problem

    columns: list[tuple[str, pd.Series, bool]] = []
    if status_header is not None and (work["status"] != "").any():
        norm = normalise(status_header)
        columns.append((status_header, work["status"], any(w in norm for w in _FULFILMENT_WORDS)))
    key = work["order_id"].where(work["order_id"] != "")
    for header in table.columns:
        norm = normalise(header)
        if header == status_header:
            continue
        if norm in _STATUS_HEADERS or (norm.endswith("status") and any(w in norm for w in ("payment", "financial",
                                                                                              "order", "zahlung"))):
            cells = table[header].astype(str).str.strip()
            # a "State" of US states or an "Estado" of provinces is not a status: its cells must say one
            if (cells != "").any() and content_problem("status", cells) is None:
                columns.append((header, _order_level(cells, key), any(w in norm for w in _FULFILMENT_WORDS)))
        elif norm in _CANCELLED_AT:
            cells = _order_level(table[header].astype(str).str.strip(), key)
            cancelled = cells != ""
            if cancelled.any():
                mark(cancelled, "cancelled or failed", f"{header} " + cells)
                notes.append(f"Orders with a date in '{header}' were left out as cancelled.")
    counted: dict[str, dict[str, int]] = {}
    unknown: dict[str, int] = {}
    for header, cells, payment_only in columns:
        reasons = _reasons(cells, payment_only)
        for word, n in unknown_status_words(cells, reasons).items():
            unknown[word] = unknown.get(word, 0) + n
        refund = reasons == "refunded or returned"
        if refund.any():
            # a return *transaction* (negative, or a row of an order that also has a sale row) is
            # netted against its order elsewhere; only an order whose own status says it was
            # refunded or returned is left out here
            amount = work["amount"].astype(str).str.strip()
            negative = amount.str.match(r"^[(\-−]|.*-$")
            if "quantity" in work:  # a line-item return: negative quantity
                negative |= work["quantity"].astype(str).str.strip().str.match(r"^[(\-−]|.*-$")
            has_id = work["order_id"] != ""
            others = set(work.loc[~refund & has_id, "order_id"]) | set(work.loc[negative & has_id, "order_id"])
            ledger = negative | work["order_id"].isin(others)
            reasons = reasons.where(~(refund & ledger), "")
        for reason in STATUS_REASONS:
            hit = reasons == reason
            if hit.any():
                mark(hit, reason, cells)
                words = counted.setdefault(reason, {})
                for word, n in cells[hit].value_counts().items():
                    words[word] = words.get(word, 0) + int(n)
    if counted:
        parts = []
        for reason, words in counted.items():
            listed = ", ".join(f"'{w}'" for w in sorted(words, key=lambda w: -words[w])[:4])
            parts.append(f"{reason} ({listed})")
        notes.append("Rows whose status (or event) means no money was received were left out: " + "; ".join(parts) + ".")
    if unknown:
        listed = ", ".join(f"'{w}' ({n:,} row{'s' if n != 1 else ''})"
                           for w, n in sorted(unknown.items(), key=lambda kv: -kv[1])[:5])
        more = f" and {len(unknown) - 5:,} more" if len(unknown) > 5 else ""
        notes.append(f"Statuses this tool does not know were counted as purchases: {listed}{more}. If one of them "
                     "means the order was cancelled, unpaid or refunded, remove those rows or change the status "
                     "to one of cancelled, pending or refunded and read the file again.")


def _order_level(cells: pd.Series, key: pd.Series) -> pd.Series:
    """An order-level cell written on an order's first line only, copied to its other lines."""
    if key.notna().any() and key.duplicated().any():
        filled = cells.replace("", pd.NA).groupby(key).transform("first")
        return filled.where(key.notna(), cells).fillna("").astype(str)
    return cells
