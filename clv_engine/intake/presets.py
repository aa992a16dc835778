"""Platform layouts (Shopify, WooCommerce, Square, Stripe, PayPal, Etsy, Toast, QuickBooks, Squarespace,
Magento, BigCommerce, Lightspeed, PrestaShop, Amazon).

Each preset is data: a header signature, preferred column names per role, the platform's
date order and how amounts combine over an order's rows, plus at most one small ``adjust``
function for the platform's quirks. ``adjust(work, table, notes)`` receives the work frame
(text columns named after the roles, plus ``skip``, ``detail``, ``refund_row``, ``parent``
and ``refund`` columns) and the raw table (headers as columns), and edits ``work`` in place.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import InputError, agree
from .columns import normalise_header
from .statuses import fold_status, skip_by_status, status_reasons
from .values import clean_text, on_uniques, parse_amounts

__all__ = ["LAYOUTS", "PRESETS", "Preset", "column_named", "detect_layout", "matches", "refuse_if_unusable",
           "refused"]


@dataclass(frozen=True)
class Preset:
    """One platform export layout."""

    id: str
    label: str
    required: tuple[str, ...]  # normalised headers that must all be present ("a|b": either)
    any_of: tuple[str, ...] = ()  # ... and at least ``min_any`` of these (normalised; "prefix*" allowed)
    roles: dict[str, list[str]] = field(default_factory=dict)
    date_order: str | None = None
    amount_mode: str | None = None  # "first" (order total on each/first row), "sum" (line amounts), None = auto
    adjust: Callable | None = None
    refuse: str | None = None  # message when the layout cannot give order history
    alt_required: tuple[str, ...] = ()  # a second signature (e.g. the export in another language)
    min_any: int = 1
    verbatim: bool = False  # signature names are the exact (lower-case) header texts, e.g. snake_case
    none_of: tuple[str, ...] = ()  # ... and none of these (normalised; "prefix*" allowed)


def column_named(table: pd.DataFrame, *names: str) -> pd.Series | None:
    """The first column of ``table`` whose normalised header matches one of ``names``."""
    norm = {normalise_header(c): c for c in reversed(list(table.columns))}
    for n in names:
        c = norm.get(normalise_header(n))
        if c is not None:
            return clean_text(table[c])
    return None


def _mark(work: pd.DataFrame, mask, reason: str, detail: str | pd.Series = "") -> None:
    """Set a skip reason on rows not already skipped."""
    mask = pd.Series(mask, index=work.index).fillna(False).astype(bool) & (work["skip"] == "")
    if mask.any():
        work.loc[mask, "skip"] = reason
        work.loc[mask, "detail"] = detail[mask] if isinstance(detail, pd.Series) else detail


def _any_in_order(order_id: pd.Series, flag: pd.Series) -> pd.Series:
    """Rows of an order any row of which is flagged (a row without an order number: itself)."""
    ids = order_id.to_numpy(dtype=object)
    flagged = flag.to_numpy(dtype=bool)
    named = ids != ""
    hit = pd.unique(ids[flagged & named])  # the flagged orders' numbers (usually few)
    if not len(hit):
        return pd.Series(flagged, index=order_id.index)
    in_hit = pd.Index(hit).get_indexer(ids) >= 0
    return pd.Series(np.where(named, in_hit, flagged), index=order_id.index)


def _status_words(work: pd.DataFrame) -> pd.Series:
    return on_uniques(work["status"], lambda s: s.str.lower().str.replace(r"[\s_-]+", " ", regex=True).str.strip())


# --- platform quirks ---------------------------------------------------------------

def _shopify_orders(work, table, notes):
    status = _status_words(work)
    cancelled = column_named(table, "Cancelled at")
    if cancelled is not None:
        # order-level cell sits on the order's first row only
        _mark(work, _any_in_order(work["order_id"], cancelled != ""), "cancelled or failed", "cancelled")
    _mark(work, status.isin(["voided", "expired"]), "cancelled or failed", status)
    pending = status.isin(["pending", "authorized", "unpaid"]) & (work["skip"] == "")
    if pending.any():
        n = work.loc[pending, "order_id"].nunique()
        _mark(work, pending, "not paid", status)
        notes.append(f"{n} order is pending or only authorized (no money received yet); it was left out." if n == 1
                     else f"{n} orders are pending or only authorized (no money received yet); they were left out.")
    _refunded_by_status(work, status.eq("refunded"))
    _less_outstanding(work, column_named(table, "Outstanding Balance"), notes)
    shipping_name = column_named(table, "Shipping Name")
    if shipping_name is not None:
        work["name"] = work["name"].where(work["name"] != "", shipping_name)
    phone = column_named(table, "Phone", "Billing Phone")
    if phone is not None:
        work["phone_identity"] = phone


def _less_outstanding(work, outstanding, notes):
    """Orders paid only in part (Shopify ``partially_paid``) count what was paid: the Total
    less the Outstanding Balance still owed, with a note."""
    if outstanding is None:
        return
    owed, _ = parse_amounts(outstanding)
    total, _ = parse_amounts(work["amount"])
    part = (owed > 0.005) & total.notna() & (work["skip"] == "")
    if not part.any():
        return
    paid = (total[part] - owed[part]).clip(lower=0.0)
    work.loc[part, "amount"] = paid.map("{:.2f}".format)
    n = int(part.sum())
    notes.append(f"{n} {'order was' if n == 1 else 'orders were'} paid only in part (Outstanding Balance): "
                 f"{'it counts' if n == 1 else 'they count'} what was paid, {float(owed[part].sum()):,.2f} "
                 "still owed left out.")


def _refunded_by_status(work, refunded):
    """Orders whose status says they were refunded in full (Shopify "refunded", Stripe
    "Refunded", WooCommerce "refunded") but whose refund column records nothing: the whole
    order was refunded. They are netted like the orders whose refund column says so, and so
    skipped as refunded or returned in full; a refund column with an amount decides."""
    refund, _ = parse_amounts(work["refund"])
    nothing = refunded & (refund.isna() | (refund.abs() < 0.005)) & (work["amount"] != "")
    if nothing.any():
        work.loc[nothing, "refund"] = work.loc[nothing, "amount"]  # (a refund is taken as its size)


def _woocommerce_plugin(work, table, notes):
    # WooCommerce's statuses: pending (awaiting payment), processing (paid), on-hold (awaiting a
    # bank transfer or cheque), completed, cancelled, refunded (in full), failed, checkout-draft,
    # also written "wc-on-hold" or as labels ("On hold", "Pending payment"). Only processing and
    # completed orders (and custom statuses such as "shipped") were paid for. The shared status
    # words decide, as for an order list of no known layout; "refunded" is a refund of the whole
    # order, a partial refund keeps the order's status and sits in refund_items.
    status = _status_words(work).str.replace(r"^wc ", "", regex=True)
    _mark(work, status.eq("auto draft"), "not a payment", status)  # an order never placed
    reason = status_reasons(work["status"])
    for why in ("cancelled or failed", "not paid", "not a payment"):
        _mark(work, reason == why, why, status)
    items = column_named(table, "refund_items")
    refunds = pd.Series(0.0, index=work.index)
    if items is not None:
        amounts = items.str.findall(r"amount:\s*([-\d.,]+)")
        flat = amounts.explode().dropna()
        if not flat.empty:
            values, _ = parse_amounts(flat.astype(str))
            refunds = values.abs().groupby(level=0).sum().reindex(work.index, fill_value=0.0)
    work["refund"] = refunds.map(lambda v: repr(float(v)) if v else "")
    _refunded_by_status(work, reason == "refunded or returned")
    first = column_named(table, "billing_first_name")
    last = column_named(table, "billing_last_name")
    if first is not None and last is not None:
        full_name = (first + " " + last).str.strip()
        work["name"] = work["name"].where(work["name"] != "", full_name)


def _combine_date_time(work, table, date_names, time_names):
    date = column_named(table, *date_names)
    time = column_named(table, *time_names)
    if date is not None and time is not None:
        work["date"] = (date + " " + time).str.strip().where(date != "", "")


def _square(work, table, notes):
    _combine_date_time(work, table, ["Date"], ["Time"])
    event = column_named(table, "Event Type")
    status = column_named(table, "Transaction Status")
    if status is not None:
        s = status.str.lower()
        _mark(work, s.str.contains("fail|cancel|void|declin", regex=True), "cancelled or failed", s)
    if event is not None:
        refund = event.str.lower().str.contains("refund")
        amount, _ = parse_amounts(work["amount"])
        # a refund event written as a positive number still reduces the order
        flip = refund & (amount > 0)
        work.loc[flip, "amount"] = "-" + work.loc[flip, "amount"]
        work.loc[refund, "refund_row"] = True
    payment = column_named(table, "Payment ID")
    if payment is not None:
        work["parent"] = work["order_id"]


_PAYPAL_INCOMING = re.compile(
    r"payment received|express checkout payment|website payment|mobile payment|shopping cart|"
    r"subscription payment|virtual terminal|invoice|donation|pos payment|mass pay payment|"
    r"general payment|prea?pproved payment|ebay auction payment|payment$|zahlung|paiement|pago|"
    r"e-?check received|e-?check payment|echeck|e-check|scheck"
)
_PAYPAL_NOT_PAYMENT = re.compile(
    r"withdraw|transfer|hold|fee|conversion|deposit|authori[sz]ation|void|bank|currency|tax|adjustment|"
    r"reserve|debit card|cashback|reward|credit card|balance|abbuchung|umbuchung|einbehalt|gebühr"
)


# PayPal's Status column (English and German downloads; other languages through the shared
# words of .statuses). Only completed money counts: "Completed", "Cleared" (an eCheck that
# cleared), "Partially Refunded" (its refund rows are netted) and "Canceled Reversal" (a
# dispute won: the money came back) are kept; unknown words are kept too.
_PAYPAL_STATUS = {
    # no money yet: an eCheck not cleared, a payment held or not accepted yet
    "pending": "not paid", "uncleared": "not paid", "held": "not paid", "on hold": "not paid",
    "unclaimed": "not paid", "in progress": "not paid", "ausstehend": "not paid", "in bearbeitung": "not paid",
    "nicht abgeholt": "not paid", "nicht eingefordert": "not paid", "nicht beansprucht": "not paid",
    "nicht angenommen": "not paid", "einbehalten": "not paid", "zuruckgehalten": "not paid",
    "angehalten": "not paid", "ungeklart": "not paid",
    # never received: denied by the shop, failed, cancelled, expired, or returned to the
    # sender unclaimed
    "denied": "cancelled or failed", "failed": "cancelled or failed", "canceled": "cancelled or failed",
    "cancelled": "cancelled or failed", "voided": "cancelled or failed", "expired": "cancelled or failed",
    "returned": "cancelled or failed", "declined": "cancelled or failed", "abgelehnt": "cancelled or failed",
    "fehlgeschlagen": "cancelled or failed", "storniert": "cancelled or failed", "abgebrochen": "cancelled or failed",
    "abgelaufen": "cancelled or failed", "zuruckgegeben": "cancelled or failed", "zuruckgesandt": "cancelled or failed",
    # received and given back in full (refunded, or reversed by a chargeback)
    "refunded": "refunded or returned", "reversed": "refunded or returned", "fully refunded": "refunded or returned",
    "erstattet": "refunded or returned", "ruckerstattet": "refunded or returned",
    "zuruckerstattet": "refunded or returned", "vollstandig erstattet": "refunded or returned",
    "ruckgangig gemacht": "refunded or returned", "zuruckgebucht": "refunded or returned",
    "ruckbuchung": "refunded or returned", "zuruckgezahlt": "refunded or returned",
    # kept
    "completed": "", "cleared": "", "processed": "", "partially refunded": "", "canceled reversal": "",
    "cancelled reversal": "", "abgeschlossen": "", "teilweise erstattet": "", "teilweise ruckerstattet": "",
    "teilweise zuruckerstattet": "", "verarbeitet": "", "gutgeschrieben": "",
}


def _paypal_status(status: pd.Series) -> pd.Series:
    """Per row: the skip reason PayPal's status says ("" when the money was received)."""
    def reasons(values: pd.Series) -> pd.Series:
        folded = values.map(fold_status)
        known = folded.map(_PAYPAL_STATUS)
        return known.where(known.notna(), status_reasons(values)).fillna("").astype(object)
    return on_uniques(status, reasons)


_PAYPAL_CONVERSION = re.compile(r"conversion|umrechnung|conversi[oó]n")


def _paypal_converted(work, kind: pd.Series, ref: pd.Series, amount: pd.Series, decimal: str, notes) -> None:
    """Payments (and refunds) in a currency the account does not hold, valued in the one
    PayPal converted them into: its "General Currency Conversion" rows that name the
    transaction (Reference Txn ID) take the foreign amount off and put the converted amount
    on; the transaction's Gross is multiplied by that rate, and its currency becomes the
    converted one. A transaction without both conversion rows stays in its own currency."""
    conversion = kind.str.contains(_PAYPAL_CONVERSION) & (ref != "") & amount.notna()
    if not conversion.any():
        return
    legs = pd.DataFrame({"ref": ref[conversion], "currency": work["currency"][conversion].str.upper(),
                         "amount": amount[conversion]}).groupby(["ref", "currency"])["amount"].sum()
    # a conversion is two legs of opposite sign in two currencies (a payment: its own currency
    # out, the account's in; a refund: the other way round)
    sides = legs.groupby(level="ref").agg(["size", "min", "max"])
    whole = sides.index[(sides["size"] == 2) & (sides["min"] < 0) & (sides["max"] > 0)]
    if not len(whole):
        return
    legs = legs[legs.index.get_level_values("ref").isin(whole)].abs()
    own = (work["order_id"] != "") & ~conversion & amount.notna() & work["order_id"].isin(whole)
    ids, currency = work.loc[own, "order_id"], work.loc[own, "currency"].str.upper()
    mine = legs.reindex(pd.MultiIndex.from_arrays([ids, currency])).to_numpy()  # NaN: not a leg's currency
    found = np.isfinite(mine)
    if not found.any():
        return
    pair = legs.reset_index().groupby("ref").agg(total=("amount", "sum"), first=("currency", "first"),
                                                 last=("currency", "last")).reindex(ids)
    rate = (pair["total"].to_numpy() - mine) / mine  # the other leg per unit of the own one
    target = np.where(pair["first"].to_numpy() == currency.to_numpy(), pair["last"].to_numpy(),
                      pair["first"].to_numpy())
    rows = own.copy()
    rows[own] = found
    converted = (amount[rows] * rate[found]).round(2).map(lambda v: f"{v:.2f}")
    work.loc[rows, "amount"] = converted.str.replace(".", ",", regex=False) if decimal == "," else converted
    counts = currency[found].value_counts()
    work.loc[rows, "currency"] = target[found]
    n = int(found.sum())
    listed = ", ".join(f"{c:,} in {k}" for k, c in counts.items())
    notes.append(f"PayPal converted {n:,} {agree(n, 'transaction')} ({listed}) into "
                 f"{', '.join(sorted(set(target[found])))}: {agree(n, 'its', 'their')} Gross was valued at the rate "
                 f"of the 'General Currency Conversion' rows that name {agree(n, 'it', 'them')}.")


_PAYPAL_FEE = re.compile(r"\bfee\b|gebühr|gebuhr|frais|comisi[oó]n")
_PAYPAL_REVERSED = re.compile(r"reversal|storn|rückgängig|ruckgangig|annulation")
_PAYPAL_CHARGEBACK = re.compile(r"chargeback|charge back|rückbuchung|ruckbuchung|dispute|streitfall|litige|"
                                r"rétrofacturation|contracargo")


def _paypal_won_disputes(work, kind: pd.Series, ref: pd.Series, amount: pd.Series, refund: pd.Series,
                         notes) -> set:
    """A dispute the shop won: a "Chargeback Reversal" (money in) naming the same payment as
    a chargeback (money out) of the same amount gives that money back; neither row is a
    refund or a payment, and the payment stands. Returns the payments so restored."""
    chargeback = kind.str.contains(_PAYPAL_CHARGEBACK)
    back = chargeback & kind.str.contains(_PAYPAL_REVERSED) & (amount > 0) & (ref != "")
    if not back.any():
        return set()
    # only a chargeback is given back so (a refund stays a refund beside a released account hold)
    taken = refund & chargeback & (ref != "") & (work["skip"] == "")
    cancelled, restored = 0, set()
    for row in back[back].index:
        same = taken & (ref == ref[row]) & ((amount.abs() - amount[row]).abs() < 0.005)
        if same.any():
            first = same[same].index[0]
            taken[first] = False
            refund[first] = False
            work.loc[first, "refund_row"] = False
            _mark(work, pd.Series(work.index == first, index=work.index), "cancelled or failed",
                  f"chargeback reversed by {work.loc[row, 'order_id'] or 'a later row'}")
            _mark(work, pd.Series(work.index == row, index=work.index), "not a payment",
                  f"reverses the chargeback of {ref[row]}")
            cancelled += 1
            restored.add(ref[row])
    if cancelled:
        notes.append(f"{cancelled} PayPal {agree(cancelled, 'chargeback was', 'chargebacks were')} reversed (a "
                     "dispute the shop won): the money came back, so the payment counts in full.")
    return restored


def _paypal(work, table, notes):
    kind = column_named(table, "Type", "Typ")
    impact = column_named(table, "Balance Impact", "Auswirkung auf Guthaben")
    amount, info = parse_amounts(work["amount"])
    reason = _paypal_status(work["status"])
    if kind is not None:
        k = kind.str.lower()
        refund = k.str.contains("refund|reversal|chargeback|rückzahlung|erstattung|rückbuchung|ruckbuchung|"
                                "rembourse|rétrofacturation", regex=True) & (amount < 0)
        refund &= ~k.str.contains(_PAYPAL_FEE)  # a chargeback fee is the shop's cost, not money back to the buyer
        work.loc[refund, "refund_row"] = True
        payment = k.str.contains(_PAYPAL_INCOMING) & ~k.str.contains(_PAYPAL_NOT_PAYMENT) & (amount >= 0)
        incoming = payment.copy()
        if impact is not None:
            incoming &= ~impact.str.lower().isin(["debit", "memo", "belastung"])
    else:
        refund = pd.Series(False, index=work.index)
        payment = incoming = amount.isna() | (amount >= 0)
    ref = column_named(table, "Reference Txn ID", "Zugehöriger Transaktionscode")
    if ref is not None and kind is not None:
        _paypal_converted(work, k, ref, amount, info.decimal, notes)
    restored = set()
    if ref is not None:
        work["parent"] = ref.where(work["refund_row"], work["order_id"])
        if kind is not None:
            restored = _paypal_won_disputes(work, k, ref, amount, refund, notes)
    # a payment whose status says refunded or reversed, with the refund or reversal row that
    # names it in the file, is netted against that row (in full: left out then); without one
    # (the refund fell outside the download's dates) its status is all there is
    named = set(work.loc[refund & (work["parent"] != ""), "parent"])
    given_back = (reason == "refunded or returned") & ~work["order_id"].isin(named | restored)
    for why in ("cancelled or failed", "not paid"):
        _mark(work, payment & (reason == why), why, work["status"])
    _mark(work, payment & given_back, "refunded or returned", work["status"])
    # a refund that was denied, failed or cancelled gave nothing back
    _mark(work, refund & (reason == "cancelled or failed"), "cancelled or failed", work["status"])
    if kind is not None:
        _mark(work, ~incoming & ~refund, "not a payment", kind)
        # on a refund the buyer is the recipient, not the sender
        to_email = column_named(table, "To Email Address", "Empfänger E-Mail-Adresse")
        if to_email is not None:
            work.loc[refund, "email"] = to_email[refund]
    unpaid = (work["skip"] == "not paid").sum()
    if unpaid:
        notes.append(f"{unpaid} PayPal payment{' is' if unpaid == 1 else 's are'} not completed (pending, held "
                     f"or unclaimed: no money received yet); {'it was' if unpaid == 1 else 'they were'} left out.")
    _combine_date_time(work, table, ["Date", "Datum"], ["Time", "Uhrzeit"])
    # region decides the date order when the column itself does not
    cur = work["currency"].str.upper()
    mostly_usd = (cur == "USD").mean() > 0.5 if len(cur) else True
    work.attrs["date_order"] = "MDY" if (mostly_usd and info.decimal == ".") else "DMY"
    work.attrs["date_order_why"] = (f"as PayPal writes them for {'US' if work.attrs['date_order'] == 'MDY' else 'non-US'} "
                                    "accounts (judged from the currency and decimal mark)")


def _stripe(work, table, notes):
    st = _status_words(work)
    _mark(work, st.isin(["failed", "canceled", "cancelled", "blocked", "incomplete"]), "cancelled or failed", st)
    captured = column_named(table, "Captured")
    if captured is not None:
        _mark(work, captured.str.lower().isin(["false", "no", "0"]), "cancelled or failed", "not captured")
    _mark(work, st.isin(["pending", "uncaptured"]), "not paid", st)
    # "Refunded": refunded in full (a partial refund keeps "Paid"; Amount Refunded nets it)
    _refunded_by_status(work, st.isin(["refunded", "fully refunded"]))
    _stripe_lost_disputes(work, table, notes)
    work["currency"] = work["currency"].str.upper()
    _stripe_converted(work, table, notes)


def _stripe_lost_disputes(work, table, notes) -> None:
    """A dispute (chargeback) the shop lost took the money back: its Disputed Amount (the
    whole payment when blank) is taken off like a refund, with a note."""
    dispute = column_named(table, "Dispute Status")
    if dispute is None:
        return
    lost = (dispute.str.strip().str.lower() == "lost") & (work["skip"] == "")
    if not lost.any():
        return
    amount, _ = parse_amounts(work["amount"])
    refunded, _ = parse_amounts(work["refund"])
    disputed_cells = column_named(table, "Disputed Amount")
    disputed = parse_amounts(disputed_cells)[0] if disputed_cells is not None else amount
    taken = disputed.where(disputed.notna(), amount).abs()
    back = (refunded.fillna(0.0).abs() + taken).clip(upper=amount.abs())
    work.loc[lost, "refund"] = back[lost].map("{:.2f}".format)
    n = int(lost.sum())
    notes.append(f"{n} {'payment was' if n == 1 else 'payments were'} lost in a dispute (chargeback): the disputed "
                 f"{float(taken[lost].sum()):,.2f} was taken off like a refund.")


def _stripe_converted(work, table, notes) -> None:
    """A payment in another currency than the account's is valued in the account's, from
    Stripe's own conversion: 'Converted Amount' (and 'Converted Amount Refunded') in the
    'Converted Currency'."""
    amount = column_named(table, "Converted Amount")
    currency = column_named(table, "Converted Currency")
    if amount is None or currency is None:
        return
    refunded = column_named(table, "Converted Amount Refunded")
    currency = currency.str.upper()
    foreign = (currency != "") & (amount != "") & (work["currency"] != "") & (work["currency"] != currency)
    if not foreign.any():
        return
    counts = work.loc[foreign, "currency"].value_counts()
    work.loc[foreign, "amount"] = amount[foreign]
    if refunded is not None:
        work.loc[foreign, "refund"] = refunded[foreign]
    work.loc[foreign, "currency"] = currency[foreign]
    n = int(foreign.sum())
    listed = ", ".join(f"{c:,} in {k}" for k, c in counts.items())
    notes.append(f"{n:,} Stripe {agree(n, 'payment')} in other currencies ({listed}) {agree(n, 'was', 'were')} "
                 f"valued in {', '.join(sorted(set(currency[foreign])))} from Stripe's own 'Converted Amount' "
                 "(and 'Converted Amount Refunded').")


def _etsy(work, table, notes):
    adjusted = column_named(table, "Adjusted Order Total")
    total = column_named(table, "Order Total", "Order Value", "Item Total")
    if adjusted is not None and total is not None:
        usable = ~adjusted.isin(["", "--", "-", "n/a", "N/A"])
        adj, _ = parse_amounts(adjusted.where(usable, ""))
        tot, _ = parse_amounts(total)
        usable &= adj.notna()
        diff = (tot - adj).where(usable & tot.notna(), 0.0).clip(lower=0)
        work["amount"] = total
        work["refund"] = diff.map(lambda v: repr(float(v)) if v else "")
    st = _status_words(work)
    _mark(work, st.str.contains("cancel", regex=False), "cancelled or failed", st)


def _toast(work, table, notes):
    if column_named(table, "Opened Date") is not None:
        _combine_date_time(work, table, ["Opened Date"], ["Opened Time"])
    void = column_named(table, "Void Date", "Voided")
    if void is not None:
        _mark(work, ~void.str.lower().isin(["", "false", "no", "0"]), "cancelled or failed", "void")
    st = _status_words(work)
    _mark(work, st.isin(["voided", "void", "denied", "failed", "cancelled", "canceled"]), "cancelled or failed", st)


def _quickbooks(work, table, notes):
    first_col = clean_text(table.iloc[:, 0])
    others_blank = (table.iloc[:, 1:].apply(clean_text) == "").all(axis=1)
    # a heading is a row with only its first cell filled, whatever it says: a customer may be
    # called "Total Wine & More"; the totals rows ("Total for …", "TOTAL") carry amounts
    heading = (first_col != "") & others_blank & ~first_col.str.fullmatch(r"(?i)(grand\s*)?totals?\s*:?")
    heading &= ~first_col.str.match(r"(?i)total\s+for\s")  # the report's own "Total for …" lines
    if heading.any():
        customer = first_col.where(heading).ffill().fillna("")
        work["name"] = work["name"].where(work["name"] != "", customer)
        # a heading "Total Wine & More" reads like a totals label and was taken for one before
        # (a totals row carries an amount; a heading row nothing but its name)
        relabel = heading & (work["skip"] == "totals row")
        if relabel.any():
            work.loc[relabel, "skip"] = "heading row"
            work.loc[relabel, "detail"] = first_col[relabel]
        _mark(work, heading, "heading row", first_col)
    kind = _status_words(work)
    _mark(work, kind.str.contains(r"estimate|quote|purchase order|sales order|delayed|statement charge", regex=True),
          "not a payment", kind)
    _mark(work, kind.str.contains(r"void", regex=True), "cancelled or failed", kind)
    # a voided transaction stays in the report at $0.00, its memo saying "Voided"
    memo = column_named(table, "Memo/Description", "Memo", "Description")
    if memo is not None:
        amount, _ = parse_amounts(work["amount"])
        voided = memo.str.match(r"(?i)\s*void(ed)?\b") & amount.fillna(0.0).abs().lt(0.005)
        if voided.any():
            zero = amount.isna() | amount.abs().lt(0.005)
            _mark(work, _any_in_order(work["order_id"], voided) & zero, "cancelled or failed", "voided")
    refund = kind.str.contains(r"credit memo|refund", regex=True)
    work.loc[refund, "refund_row"] = True


def _amazon(work, table, notes):  # never reached: refused before
    return None


def _by_status_words(work, table, notes, header_names=("Status",)):
    """The shared status vocabulary (:mod:`.statuses`) on a preset's status column and the file's others."""
    header = next((h for h in table.columns if normalise_header(h) in {normalise_header(n) for n in header_names}),
                  None)
    skip_by_status(work, table, header, lambda mask, reason, detail: _mark(work, mask, reason, detail), notes,
                   normalise_header)


def _magento(work, table, notes):
    # "Closed" is Magento's status for an order refunded in full (a credit memo for everything)
    closed = _status_words(work).eq("closed")
    _mark(work, closed, "refunded or returned", work["status"])
    _by_status_words(work, table, notes)


def _bigcommerce(work, table, notes):
    _by_status_words(work, table, notes, ("Order Status", "Status"))


def _lightspeed(work, table, notes):
    """A sales ledger: each sale is a "Sale" row (its total) followed by "Sale Line" rows (its
    products) and sometimes "Payment" rows; only the sale row's total counts."""
    kind = column_named(table, "Line Type")
    if kind is not None:
        sale = kind.str.lower().str.strip().isin(["sale", "return", "refund"])
        lines = (kind != "") & ~sale
        if lines.any():
            work.loc[lines, "amount"] = ""
            n = int(lines.sum())
            notes.append(f"{n} sale-line and payment {agree(n, 'row is', 'rows are')} part of "
                         f"{agree(n, 'its', 'their')} sale's total; "
                         "each sale was counted once, from its sale row.")
    _by_status_words(work, table, notes)


def _etsy_items(work, table, notes):
    """Etsy's order items export: item totals per line; the order's shipping is added once per order."""
    shipping = column_named(table, "Order Shipping")
    if shipping is not None and (shipping != "").any():
        ship, _ = parse_amounts(shipping)
        ship = ship.fillna(0.0)
        discount = column_named(table, "Shipping Discount")
        if discount is not None:
            off, _ = parse_amounts(discount)
            ship = ship - off.abs().fillna(0.0)
        key = work["order_id"].where(work["order_id"] != "", pd.Series(work.index.astype(str), index=work.index))
        per_order = ship.groupby(key).max()
        first = ~key.duplicated()
        add = key[first].map(per_order).fillna(0.0)
        amount, _ = parse_amounts(work["amount"])
        has = first & amount.notna() & (add != 0).reindex(work.index, fill_value=False)
        if has.any():
            work.loc[has, "amount"] = (amount[has] + add[has]).map(lambda v: repr(float(v)))
            notes.append("Each order's shipping (Order Shipping) was added to its items' total, once per order.")
    st = _status_words(work)
    _mark(work, st.str.contains("cancel", regex=False), "cancelled or failed", st)


# Customer lists (one row per customer, with lifetime totals) are told from order lists by
# these: an orders count and a lifetime total next to the customer, and no order of its own.
_ORDER_COUNT_HEADERS = (
    "orders", "totalorders", "ordercount", "orderscount", "numberoforders", "nooforders", "ordersplaced",
    "transactioncount", "transactions", "numberoftransactions", "purchases", "totalpurchases", "numberofpurchases",
    "purchasecount", "historicnumberoforders", "lifetimeorders", "anzahlbestellungen", "bestellungen",
    "nombredecommandes", "commandes", "pedidos", "numerodepedidos",
)
_LIFETIME_SPEND_HEADERS = (
    "totalspent", "totalspend", "amountspent", "moneyspent", "lifetimespend", "lifetimespent", "lifetimevalue",
    "lifetimesales", "lifetimerevenue", "totalcustomerlifetimevalue", "historiccustomerlifetimevalue",
    "customerlifetimevalue", "clv", "ltv", "totalsales", "totalrevenue", "aov", "averageordervalue",
    "gesamtumsatz", "umsatzgesamt", "montanttotaldepense", "totalgastado",
)
# dates of a customer, not of an order
_CUSTOMER_DATE_HEADERS = (
    "lastorderdate", "lastorder", "lastorderat", "lastorderedat", "lastorderdatetime", "firstorderdate", "firstorder",
    "firstorderat", "lastpurchasedate", "lastpurchase", "firstpurchasedate", "firstpurchase", "lastactive",
    "firstactive", "lastseen", "lastvisit", "firstvisit", "lasttransactiondate", "firsttransactiondate", "signup",
    "signupdate", "signedup", "created", "createdat", "createdon", "datecreated", "profilecreated",
    "profilecreatedon", "dateadded", "customersince", "registered", "registrationdate", "dateregistered",
    "datumletztebestellung", "letztebestellung", "dernierecommande", "ultimopedido",
)
# headers of an order list's own order: its number or its date
_ORDER_HEADERS = (
    "orderid", "ordernumber", "orderno", "ordernr", "order", "ordername", "orderreference", "invoice", "invoiceid",
    "invoicenumber", "invoiceno", "transactionid", "paymentid", "receiptnumber", "receiptid", "chargeid", "lineitem*",
    "date", "orderdate", "orderdatetime", "purchasedate", "saledate", "transactiondate", "invoicedate",
    "paymentdate", "paiddate", "datepaid", "paidat", "orderedat", "orderplacedat", "bestelldatum",
    "bestellnummer", "datum", "fecha", "numerodecommande", "datedecommande",
)


PRESETS: dict[str, Preset] = {p.id: p for p in [
    Preset(
        "shopify_orders", "Shopify orders export",
        required=("name", "email", "financialstatus", "total"),
        any_of=("lineitem*", "createdat", "paidat", "fulfillmentstatus", "fulfilledat", "acceptsmarketing",
                "acceptsemailmarketing", "billingname", "shippingname", "cancelledat", "refundedamount",
                "outstandingbalance"), min_any=2,
        roles={"order_id": ["Name", "Id"], "email": ["Email"], "name": ["Billing Name", "Shipping Name"],
               "date": ["Created at", "Paid at"], "amount": ["Total"], "currency": ["Currency"],
               "status": ["Financial Status"], "refund": ["Refunded Amount"],
               "consent": ["Accepts Email Marketing", "Accepts Marketing"]},
        date_order="YMD", amount_mode="first", adjust=_shopify_orders),
    Preset(
        "shopify_customers", "Shopify customers export",
        required=("email", "totalspent"),
        any_of=("acceptsemailmarketing", "acceptsmarketing", "acceptssmsmarketing", "taxexempt", "defaultaddress*"),
        refuse=("this is a Shopify customers export: it has one total per customer, not the dates of each "
                "order, so lifetime value cannot be computed from it."),
    ),
    Preset(
        "square_customers", "Square customers export",
        required=("squarecustomerid|emailaddress|referenceid", "transactioncount|lifetimespend"),
        any_of=("squarecustomerid", "firstvisit", "lastvisit", "transactioncount", "lifetimespend",
                "emailsubscriptionstatus", "creationsource", "instantprofile"), min_any=3,
        none_of=_ORDER_HEADERS,
        refuse=("this is a Square customers export: it has one total per customer (Transaction Count, Lifetime "
                "Spend), not the dates of each order, so lifetime value cannot be computed from it."),
    ),
    Preset(
        "woocommerce_customers", "WooCommerce Analytics customers download",
        required=("username|email|name", "orders", "totalspend|aov"),
        any_of=("username", "lastactive", "signup", "aov", "totalspend", "countryregion"), min_any=3,
        none_of=_ORDER_HEADERS,
        refuse=("this is a WooCommerce Analytics customers download: it has one total per customer (Orders, "
                "Total Spend), not the dates of each order, so lifetime value cannot be computed from it."),
    ),
    Preset(
        "customer_summary", "Customer list with lifetime totals",
        # Klaviyo and other profile or customer lists: who the customer is, how many orders and
        # how much in all, and only dates of the customer (last order, last active …) that could
        # be taken for an order date; no order of their own (no order number, no order date)
        required=("email|emailaddress|customerid|customer|customername|name|profileid|klaviyoid",
                  "|".join(_ORDER_COUNT_HEADERS), "|".join(_LIFETIME_SPEND_HEADERS),
                  "|".join(_CUSTOMER_DATE_HEADERS)),
        none_of=_ORDER_HEADERS,
        refuse=("this is a list of customers with one total per customer (number of orders, total spent), "
                "not the dates of each order, so lifetime value cannot be computed from it."),
    ),
    Preset(
        "woocommerce_plugin", "WooCommerce order export (plugin)",
        # WebToffee writes its field keys as headers: order_id, order_total, billing_first_name, …
        required=("order_id", "order_number", "order_total"),
        any_of=("customer_email", "billing_email", "billing_first_name", "billing_last_name", "order_date",
                "paid_date", "order_currency", "payment_method", "shipping_total", "refund_items", "customer_user"),
        min_any=2, verbatim=True,
        roles={"order_id": ["order_number", "order_id"], "customer_id": ["customer_id", "customer_user"],
               "email": ["customer_email", "billing_email"], "name": ["billing_name", "customer_name"],
               "date": ["order_date", "paid_date", "date_created"], "amount": ["order_total"],
               "currency": ["order_currency", "currency"], "status": ["status", "order_status"]},
        date_order="MDY", amount_mode="first", adjust=_woocommerce_plugin),
    Preset(
        "woocommerce_core", "WooCommerce Analytics orders download",
        required=("date", "order", "status", "customer", "customertype"),
        any_of=("netsales", "nrevenueformatted", "nrevenue", "itemssold", "products", "coupons"),
        roles={"order_id": ["Order #", "Order"], "name": ["Customer"], "date": ["Date"],
               "amount": ["Net sales", "N. Revenue (formatted)", "Net Sales"], "status": ["Status"]},
        amount_mode="first", adjust=lambda work, table, notes: _by_status_words(work, table, notes)),
    Preset(
        "square", "Square transactions export",
        required=("date", "time", "timezone", "grosssales|totalcollected"),
        any_of=("netsales", "nettotal", "transactionid", "paymentid", "eventtype", "partialrefunds", "devicename",
                "cardbrand", "staffname", "customerreferenceid", "transactionstatus", "fees", "source"),
        min_any=2,
        roles={"customer_id": ["Customer ID", "Customer Reference ID"], "name": ["Customer Name"],
               "order_id": ["Transaction ID", "Payment ID"], "date": ["Date"],
               "amount": ["Total Collected", "Gross Sales"], "status": ["Event Type"]},
        date_order="MDY", amount_mode=None, adjust=_square),
    Preset(
        "stripe", "Stripe payments export",
        required=("amountrefunded",), any_of=("createddateutc", "createdutc"),
        roles={"order_id": ["id"], "customer_id": ["Customer ID"], "email": ["Customer Email"],
               "name": ["Customer Description", "Customer Name"],
               "date": ["Created date (UTC)", "Created (UTC)"], "amount": ["Amount"],
               "refund": ["Amount Refunded"], "currency": ["Currency"], "status": ["Status"]},
        date_order="YMD", amount_mode="first", adjust=_stripe),
    Preset(
        "paypal", "PayPal activity download",
        required=("date", "time", "timezone", "type", "gross", "net"),
        any_of=("transactionid", "fromemailaddress", "toemailaddress", "balanceimpact", "referencetxnid",
                "receiptid", "fee", "itemtitle"), min_any=2,
        roles={"order_id": ["Transaction ID", "Transaktionscode"],
               "email": ["From Email Address", "Absender E-Mail-Adresse"], "name": ["Name"],
               "date": ["Date", "Datum"], "amount": ["Gross", "Brutto"], "currency": ["Currency", "Währung"],
               "status": ["Status"]},
        alt_required=("datum", "uhrzeit", "zeitzone", "brutto", "netto", "typ",
                      "transaktionscode|absenderemailadresse|gebuhr"),
        date_order=None, amount_mode="first", adjust=_paypal),
    Preset(
        "etsy_items", "Etsy sold order items export",
        required=("saledate", "itemname", "itemtotal", "orderid"),
        any_of=("buyer", "shipname", "quantity", "price", "ordershipping", "ordersalestax", "transactionid",
                "listingid", "datepaid", "couponcode", "variations"), min_any=2,
        roles={"name": ["Buyer", "Ship Name"], "order_id": ["Order ID"], "date": ["Sale Date"],
               "amount": ["Item Total"], "currency": ["Currency"], "status": ["Status"]},
        date_order="MDY", amount_mode="sum", adjust=_etsy_items),
    Preset(
        "etsy", "Etsy sold orders export",
        required=("saledate", "buyeruserid|fullname|buyer|shipname"),
        any_of=("orderid", "ordervalue", "ordernet", "adjustedordertotal", "numberofitems", "itemname", "itemtotal",
                "datepaid", "transactionid", "listingid", "shipcountry", "shipzipcode", "cardprocessingfees",
                "dateshipped", "couponcode", "ordertype", "paymenttype", "inpersondiscount"),
        min_any=3,
        roles={"customer_id": ["Buyer User ID"], "name": ["Full Name", "Buyer", "Ship Name"],
               "order_id": ["Order ID"], "date": ["Sale Date"],
               "amount": ["Order Total", "Order Value", "Item Total"], "currency": ["Currency"],
               "status": ["Status"]},
        date_order="MDY", amount_mode=None, adjust=_etsy),
    Preset(
        "toast", "Toast check/payment details export",
        required=("checkid", "openeddate|paiddate|orderdate"),
        any_of=("openedtime", "tabname", "server", "gratuity", "voiddate", "voiduser", "paymentid", "check",
                "refundamount", "refunded", "diningoption", "revenuecenter", "tip", "customerphone"), min_any=2,
        roles={"customer_id": ["Customer Id"], "email": ["Customer Email", "Email"],
               "name": ["Customer", "Tab Name"], "order_id": ["Check Id", "Payment Id", "Order Id"],
               "date": ["Opened Date", "Paid Date", "Order Date"], "amount": ["Amount", "Total"],
               "refund": ["Refund Amount"], "status": ["Status"]},
        date_order="MDY", amount_mode="sum", adjust=_toast),
    Preset(
        "quickbooks", "QuickBooks sales by customer detail",
        required=("date", "num", "amount", "transactiontype|type"),
        any_of=("productservice", "memodescription", "memo", "salesprice", "balance", "qty", "item", "split",
                "class"), min_any=2,
        # QuickBooks Online puts the customer in heading rows of the unnamed first column
        roles={"name": ["Name", "Customer", "Column 1"], "order_id": ["Num"], "date": ["Date"], "amount": ["Amount"],
               "status": ["Transaction Type", "Type"]},
        date_order="MDY", amount_mode="sum", adjust=_quickbooks),
    Preset(
        "squarespace", "Squarespace orders export",
        required=("orderid", "email", "financialstatus", "total"),
        any_of=("lineitem*", "paidat", "fulfillmentstatus", "fulfilledat", "cancelledat", "billingname",
                "refundedamount", "channel", "channeltype", "createdat"), min_any=3,
        roles={"order_id": ["Order ID"], "email": ["Email"], "name": ["Billing Name", "Shipping Name"],
               "date": ["Created at", "Paid at"], "amount": ["Total"], "currency": ["Currency"],
               "status": ["Financial Status"], "refund": ["Refunded Amount"],
               "consent": ["Accepts Marketing", "Accepts Email Marketing"]},
        date_order="YMD", amount_mode="first", adjust=_shopify_orders),
    Preset(
        "magento", "Magento (Adobe Commerce) orders grid export",
        required=("purchasedate", "grandtotalpurchased|grandtotalbase", "billtoname|customeremail|customername"),
        any_of=("purchasepoint", "shiptoname", "status", "customergroup", "paymentmethod", "totalrefunded",
                "shippinginformation", "billingaddress", "shippingaddress", "shippingandhandling"), min_any=2,
        # "ID" is the order number, not the customer: customers are told apart by email
        roles={"order_id": ["ID"], "email": ["Customer Email"], "name": ["Customer Name", "Bill-to Name"],
               "date": ["Purchase Date"], "amount": ["Grand Total (Purchased)", "Grand Total (Base)"],
               "refund": ["Total Refunded"], "status": ["Status"]},
        date_order="MDY", amount_mode="first", adjust=_magento),
    Preset(
        "bigcommerce", "BigCommerce orders export",
        required=("orderid", "customerid", "orderdate", "ordertotalinctax|ordertotalextax"),
        any_of=("orderstatus", "giftcertificateamountredeemed", "storecreditredeemed", "subtotalinctax",
                "shippingcostinctax", "handlingcostinctax", "ordercurrencycode", "totalquantity", "customermessage",
                "paymentmethod", "billingfirstname", "customeremail"), min_any=2,
        # the amount is the order total, never "Gift Certificate Amount Redeemed"; guests have
        # Customer ID 0 and are told apart by email
        roles={"order_id": ["Order ID"], "customer_id": ["Customer ID"], "email": ["Customer Email", "Billing Email"],
               "name": ["Customer Name"], "date": ["Order Date"],
               "amount": ["Order Total (inc tax)", "Order Total (ex tax)"], "refund": ["Refund Amount"],
               "currency": ["Order Currency Code"], "status": ["Order Status"]},
        amount_mode="first", adjust=_bigcommerce),
    Preset(
        "lightspeed", "Lightspeed Retail sales export",
        required=("receiptnumber|invoicenumber", "linetype"),
        any_of=("customercode", "customername", "register", "sku", "accountcodesale", "paid", "details", "salestax",
                "loyalty", "user", "note", "subtotal", "status"), min_any=2,
        roles={"order_id": ["Receipt Number", "Invoice Number"], "customer_id": ["Customer Code"],
               "name": ["Customer Name"], "date": ["Sale Date", "Date"], "amount": ["Total", "Total (Tax Incl)"],
               "status": ["Status"]},
        amount_mode="first", adjust=_lightspeed),
    Preset(
        "prestashop", "PrestaShop orders export",
        required=("reference|referencia|riferimento|referenz", "newclient|nouveauclient|nuevocliente|nuovocliente|"
                  "neuerkunde", "total"),
        any_of=("delivery", "livraison", "customer", "client", "cliente", "kunde", "payment", "paiement", "pago",
                "status", "etat", "estado", "stato", "date", "fecha", "data", "datum"), min_any=3,
        # "ID" is the order's number; PrestaShop lists the customer as a name ("J. DOE")
        roles={"order_id": ["Reference", "Référence", "Referencia", "Riferimento", "Referenz", "ID"],
               "name": ["Customer", "Client", "Cliente", "Kunde"], "date": ["Date", "Fecha", "Data", "Datum"],
               "amount": ["Total"], "status": ["Status", "État", "Estado", "Stato"]},
        amount_mode="first", adjust=lambda work, table, notes: _by_status_words(
            work, table, notes, ("Status", "État", "Estado", "Stato"))),
    Preset(
        "amazon", "Amazon all orders report",
        required=("amazonorderid",),
        refuse=("this is an Amazon orders report: Amazon does not include any buyer identity (no email, "
                "name or customer id), so orders cannot be grouped by customer."),
    ),
]}

LAYOUTS: dict[str, str] = {"generic": "Generic order list", **{p.id: p.label for p in PRESETS.values()}}

_HINTS = {
    "shopify_customers": "Export the Orders instead: Shopify admin › Orders › Export › All orders (CSV).",
    "square_customers": "Export the transactions instead: Square Dashboard › Transactions › Export › Transactions "
                        "CSV (one row per payment, with its date).",
    "woocommerce_customers": "Export the orders instead: WooCommerce › Analytics › Orders › Download, or an order "
                             "export plugin (one row per order, with its date).",
    "customer_summary": "Export the orders instead (one row per order or order line, with its date and amount) "
                        "from the shop or payment system; a profile or customer list (Klaviyo, Mailchimp, a CRM) "
                        "has no order history.",
    "amazon": "Use an export from a shop system that records customers (Shopify, WooCommerce, …), or add a "
              "customer column and map it with --map customer_id=COLUMN.",
}


def _has(names: set[str], name: str) -> bool:
    """``name`` among ``names``; ``"a|b"`` means either, ``"prefix*"`` any name starting so."""
    if "|" in name:
        return any(_has(names, n) for n in name.split("|"))
    if name.endswith("*"):
        return any(n.startswith(name[:-1]) for n in names)
    return name in names


def matches(preset: Preset, headers: list[str]) -> bool:
    """Do ``headers`` carry ``preset``'s signature (all required names and enough distinctive ones)."""
    if preset.verbatim:
        names = {str(h).replace("\ufeff", "").strip().lower() for h in headers}
    else:
        names = {normalise_header(h) for h in headers}
    if any(_has(names, n) for n in preset.none_of):
        return False
    if all(_has(names, r) for r in preset.required) and (
            not preset.any_of or sum(_has(names, a) for a in preset.any_of) >= preset.min_any):
        return True
    return bool(preset.alt_required) and all(_has(names, r) for r in preset.alt_required)


def detect_layout(headers: list[str]) -> Preset | None:
    """The preset whose signature the headers match, or None (generic)."""
    return next((p for p in PRESETS.values() if matches(p, headers)), None)


_CUSTOMER_LISTS = ("shopify_customers", "square_customers", "woocommerce_customers", "customer_summary")
_IDENTITY_HEADERS = ("squarecustomerid", "customerid", "profileid", "klaviyoid", "email", "emailaddress", "username",
                     "customer", "customername", "name")


def looks_like_customer_list(table: pd.DataFrame) -> bool:
    """Do the cells of a file whose headers look like a customer list say so too: each row
    a different customer, and an orders count above 1 on some row (a customer's several
    orders in one row) or, without a count, a lifetime total on every row?

    An order list that merely has a 'Total Spent' column repeats its customers on their
    orders' rows, or counts one order per row, and is not a customer list."""
    norm = {normalise_header(c): c for c in reversed(list(table.columns))}
    body = table.head(20000)

    def cells(names):
        header = next((norm[n] for n in names if n in norm), None)
        return None if header is None else clean_text(body[header])

    identity = cells(_IDENTITY_HEADERS)
    if identity is None:
        return False
    key = identity.str.lower().str.strip()
    key = key[key != ""]
    if key.empty or key.duplicated().any():
        return False  # a customer on several rows: rows are orders (or something else), not customers
    count = cells(_ORDER_COUNT_HEADERS)
    if count is not None:
        filled = count[count != ""]
        numbers = pd.to_numeric(filled.str.replace(r"[\s,']", "", regex=True), errors="coerce")
        whole = numbers.notna() & (numbers >= 0) & (numbers == numbers.round())
        return bool(len(filled)) and bool(whole.mean() >= 0.9) and bool((numbers > 1).any())
    spend = cells(_LIFETIME_SPEND_HEADERS)
    if spend is None:
        return False
    values, _ = parse_amounts(spend)
    return bool(len(values)) and bool(values.notna().mean() >= 0.9)


def refuse_if_unusable(preset: Preset | None, source: str, mapping: dict | None,
                       table: pd.DataFrame | None = None) -> None:
    """Raise the preset's clear error for layouts that cannot give per-customer order history.

    A customer list (one row per customer with lifetime totals) is refused even when a
    column is mapped as the order date: its "Last Order Date" would make each customer's
    lifetime total one order. Given the file's rows (``table``), the cells must agree
    (:func:`looks_like_customer_list`); a file they do not describe is read as an order list.
    """
    if refused(preset, mapping, table):
        raise InputError(preset.refuse, where=source, hint=_HINTS.get(preset.id))


def refused(preset: Preset | None, mapping: dict | None = None, table: pd.DataFrame | None = None) -> bool:
    """Does the layout refuse this file (see :func:`refuse_if_unusable`)?"""
    if preset is None or preset.refuse is None:
        return False
    if preset.id == "amazon" and mapping and ("customer_id" in mapping or "email" in mapping or "name" in mapping):
        return False
    return not (preset.id in _CUSTOMER_LISTS and table is not None and not looks_like_customer_list(table))
