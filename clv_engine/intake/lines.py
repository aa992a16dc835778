"""Line-item files: the value of each row, returns and cancellation invoices, lines that are
not products, and ids written as spreadsheet floats.

A line's value comes from the file's order total or line total when it has one, otherwise
from quantity × unit price (less a line discount, as an amount or a rate). Everything here
works on whole columns (or on their distinct values), never row by row.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import agree
from .columns import normalise_header
from .report import IntakeReport
from .values import AmountColumn, on_uniques, parse_amounts

__all__ = ["RowValues", "build_line_table", "cancellation_invoices", "categorical", "compare_totals", "money",
           "net_returns", "non_product_lines", "report_duplicates", "return_rows", "row_values", "spread_deficits",
           "value_detail", "whole_number_ids"]


@dataclass
class RowValues:
    """The value of every row and where it came from."""

    amount: pd.Series  # the value counted for the row (NaN: blank or unreadable)
    written: pd.Series  # the row's value cells hold text (a NaN there is unreadable, not blank)
    info: AmountColumn
    source: str  # "amount", "line_total" or "quantity" (quantity × unit price)
    quantity: pd.Series | None = None
    line_value: pd.Series | None = None  # the line's own value when the file gives one (line total or q × p)
    cells: list[str] = field(default_factory=list)  # roles whose cells make the value, for skip details


def _money(values: pd.Series, decimal: str | None = None) -> tuple[pd.Series, AmountColumn]:
    return parse_amounts(values, decimal=decimal)


def _discount(work: pd.DataFrame, header: str, gross: pd.Series, decimal: str, notes: list[str]) -> pd.Series:
    """The discount to take off each line (an amount, with the sign of the line)."""
    text = work["discount"]
    percent = text.str.contains("%", regex=False)
    if percent.any():
        text = text.str.replace("%", "", regex=False)
    value, _ = _money(text, decimal)
    value = value.abs()
    words = set(re.findall(r"[a-z]+", re.sub(r"([a-z])([A-Z])", r"\1 \2", header).lower()))
    named_rate = bool(words & {"rate", "percent", "percentage", "pct", "satz", "taux", "porcentaje", "tasa"}) \
        or "%" in header
    filled = value.dropna()
    if not (filled > 0).any():  # an empty or all-zero discount column changes nothing
        return pd.Series(0.0, index=gross.index)
    # every value between 0 and 1 (and some strictly between): rates, as in 0.2 for 20 %
    is_rate = bool(percent.any() or named_rate
                   or (len(filled) and (filled <= 1).all() and ((filled > 0) & (filled < 1)).any()))
    if is_rate:
        rate = value.where(~(percent | (value > 1)), value / 100)
        if not (percent.any() or named_rate):
            notes.append(f"The discount column '{header}' holds rates (every value lies between 0 and 1): "
                         "a line's value is quantity × unit price × (1 − discount).")
        else:
            notes.append(f"The discount column '{header}' holds percentages: a line's value is "
                         "quantity × unit price × (1 − discount).")
        return (gross.abs() * rate.fillna(0.0).clip(0, 1)) * np.sign(gross)
    notes.append(f"The discount column '{header}' holds amounts: a line's value is quantity × unit price − discount.")
    return value.fillna(0.0) * np.sign(gross)


# headers that may mean a unit price or a line's price (the ones naming a unit are never checked)
_PLAIN_PRICE = {"price", "preis", "prix", "precio", "prijs", "preco", "prezzo", "saleprice", "salesprice"}


def _holds_line_totals(quantity: pd.Series, price: pd.Series) -> bool:
    """Does a "price" column hold line totals? Then price ÷ quantity takes far fewer values
    than the price itself (a few unit prices times many quantities); for a real unit price
    it takes more."""
    several = (quantity.abs() > 1) & (price > 0)
    if several.sum() < 20:
        return False
    p = price[several]
    per_unit = (p / quantity[several].abs()).round(4)
    # (at most half: with two quantities above one, line totals give exactly half as many)
    return bool(per_unit.nunique() <= 0.5 * p.nunique())


def row_values(work: pd.DataFrame, roles: dict, notes: list[str]) -> RowValues:
    """Parse the value columns of ``work`` (text cells named after the roles)."""
    has = {r: r in roles for r in ("amount", "line_total", "quantity", "unit_price", "discount")}
    line_value = quantity = None
    cells: list[str] = []
    info = None
    if has["unit_price"] and has["quantity"]:
        price, info = _money(work["unit_price"])
        quantity, _ = _money(work["quantity"], info.decimal if info.decimal == "," else None)
        gross = quantity * price
        if normalise_header(roles["unit_price"]) in _PLAIN_PRICE and _holds_line_totals(quantity, price):
            gross = price.abs() * np.sign(quantity)
            notes.append(f"The column '{roles['unit_price']}' holds each line's total, not a price per unit (it "
                         "goes up in step with the quantity): it is the line's value.")
        if has["discount"]:
            gross = gross - _discount(work, roles["discount"], gross, info.decimal, notes)
        line_value = gross
        cells = ["quantity", "unit_price"]
    elif has["quantity"]:
        quantity, _ = _money(work["quantity"])
    if has["line_total"]:
        total, tinfo = _money(work["line_total"])
        line_value, info, cells = total, tinfo, ["line_total"]
    if has["amount"]:
        amount, ainfo = _money(work["amount"])
        written = work["amount"].to_numpy(dtype=object) != ""
        return RowValues(amount, pd.Series(written, index=work.index), ainfo, "amount", quantity, line_value,
                         ["amount"])
    written = np.zeros(len(work), dtype=bool)
    for role in cells:
        written |= work[role].to_numpy(dtype=object) != ""
    source = "line_total" if cells == ["line_total"] else "quantity"
    if source == "quantity":
        notes.append(f"The file has no order total: each line's value is '{roles['quantity']}' × "
                     f"'{roles['unit_price']}', added up per order.")
    else:
        notes.append(f"The line totals in '{roles['line_total']}' were added up per order.")
    return RowValues(line_value, pd.Series(written, index=work.index), info, source, quantity, line_value, cells)


def value_detail(work: pd.DataFrame, values: RowValues, mask: pd.Series, roles: dict) -> pd.Series:
    """The cells behind an unreadable value, for the skip report (built for ``mask`` rows only)."""
    parts = []
    for role in values.cells:
        cell = work.loc[mask, role]
        parts.append(f"{roles[role]} " + cell.where(cell != "", "(blank)"))
    out = parts[0]
    for p in parts[1:]:
        out = out + ", " + p
    return out if len(values.cells) > 1 else work.loc[mask, values.cells[0]].where(
        work.loc[mask, values.cells[0]] != "", "(blank)")


def whole_number_ids(values: pd.Series) -> tuple[pd.Series, str]:
    """``17850.0`` -> ``17850`` when every filled cell of an id column is a whole number and
    some are written as a spreadsheet float; other ids (``00123``, ``CG-12520``) stay as written.

    Returns (ids, an example of a float id found, or "" when nothing changed).
    """
    probe = values.to_numpy(dtype=object)[:20000]
    if not any(c.endswith(".0") for c in probe):
        return values, ""
    codes, uniques = pd.factorize(values)
    distinct = pd.Series(np.asarray(uniques, dtype=object), dtype=str)
    filled = distinct[distinct != ""]
    floaty = filled.str.fullmatch(r"-?\d+\.0+")
    if not floaty.any() or not (floaty | filled.str.fullmatch(r"-?\d+")).all():
        return values, ""
    fixed = distinct.str.replace(r"\.0+$", "", regex=True).to_numpy(dtype=object)
    return pd.Series(fixed[codes], index=values.index, dtype=str).where(codes >= 0, ""), str(filled[floaty].iloc[0])


_C_INVOICE = r"[Cc]\d+"


def cancellation_invoices(codes: np.ndarray, numbers, negative: pd.Series) -> pd.Series:
    """Rows of cancellation invoices written as ``C`` + a number (``C536379``) in a file whose
    other invoice numbers are plain numbers, when such invoices hold negative lines.

    ``codes`` and ``numbers`` are the order numbers factorized (code -1: no number)."""
    none = pd.Series(False, index=negative.index)
    distinct = np.asarray(numbers, dtype=object)
    if not len(distinct):
        return none
    try:  # no number starts with C: two searches of the numbers joined
        joined = "\x00" + "\x00".join(distinct.tolist())
        if "\x00C" not in joined and "\x00c" not in joined:
            return none
    except TypeError:  # numbers that are not text: the checks below decide
        pass
    distinct = pd.Series(distinct, dtype=str)
    c_like = distinct.str.fullmatch(_C_INVOICE).to_numpy()
    if not c_like.any():
        return none
    plain = distinct[~c_like].str.fullmatch(r"\d+")
    if len(plain) == 0 or plain.mean() < 0.9:
        return none
    numbered = codes >= 0
    # only a C invoice holding negative lines is a cancellation
    neg = numbered & negative.to_numpy(dtype=bool)
    neg[neg] = c_like[codes[neg]]
    is_cancel = np.zeros(len(distinct), dtype=bool)
    is_cancel[codes[neg]] = True
    out = np.zeros(len(codes), dtype=bool)
    out[numbered] = is_cancel[codes[numbered]]
    return pd.Series(out, index=negative.index)


# A row type or status that says the row gives money back (not a cancelled order: those are skipped).
_RETURN_WORDS = (r"(?i)^\W*(?:return(?:ed|s)?|refund|credit\s*(?:note|memo)|credit|gutschrift|retoure|r[üu]ckerstattung|"
                 r"erstattung|avoir|remboursement|devoluci[oó]n|devolu[cç][aã]o|reembolso|retour|"
                 r"creditnota|terugbetaling|nota\s+de\s+cr[eé]dito|reso|storno(?:rechnung)?)\W*$")


def return_rows(status: pd.Series) -> pd.Series:
    """Rows whose type or status says return, refund or credit note."""
    if not (status.to_numpy(dtype=object) != "").any():
        return pd.Series(False, index=status.index)
    return on_uniques(status, lambda v: v.str.match(_RETURN_WORDS)).astype(bool)


# --- lines that are not products ------------------------------------------------------

_DESCRIPTION_HEADERS = {
    "description", "productdescription", "itemdescription", "product", "productname", "item", "itemname",
    "lineitemname", "title", "producttitle", "article", "articlename", "artikel", "bezeichnung",
    "artikelbezeichnung", "produkt", "produktname", "libelle", "designation", "produit", "descripcion",
    "producto", "articulo", "omschrijving", "productnaam", "artikelnaam", "descricao", "produto",
    "memodescription", "productservice", "memo", "lineitem", "service", "productorservice",
}
_SKU_HEADERS = {
    "stockcode", "sku", "itemcode", "productcode", "productid", "articlenumber", "artikelnummer", "itemno",
    "itemnumber", "partnumber", "lineitemsku", "codigoproducto", "referentie", "artnr", "itemid", "productsku",
}
_Q = r"(?:[a-z0-9&.]+\s+){0,2}"  # up to two qualifying words ("dotcom postage", "amazon fee")
_NON_PRODUCT_KINDS = {
    "shipping": rf"{_Q}(?:postage|shipping|delivery|carriage|freight|porto|versand|versandkosten|verzendkosten|"
                r"verzending|frete|env[ií]o|portes?|livraison|s\s*&\s*h|p\s*&\s*p)"
                r"(?:\s+(?:and|&)\s+(?:handling|packing|packaging))?"
                r"(?:\s+(?:cost|costs|fee|fees|charge|charges|kosten|gebühr|only))?"
                r"|frais\s+de\s+(?:port|livraison|exp[ée]dition)|gastos\s+de\s+env[ií]o",
    "fee": rf"{_Q}(?:fee|fees|charge|charges|commission|surcharge|geb[üu]hr|geb[üu]hren|frais|comisi[oó]n|"
           r"provision|kosten|toeslag|taxa)",
    "manual adjustment": r"manual(?:\s+\w+)?|adjust(?:ment)?\b.*|bad\s+debt(?:\s+\w+)?|"
                         r"write[\s-]?off|correction|korrektur|ajustement|ajuste|correctie|samples?",
    "discount": rf"{_Q}(?:discount|discounts|coupon|voucher|rabatt|nachlass|remise|descuento|korting|desconto|"
                r"sconto|promo(?:tion)?)",
    "tip": r"tips?|gratuity|trinkgeld|pourboire|propina|fooi|gorjeta",
    "tax": r"(?:sales\s+)?tax|vat|mwst|ust|tva|iva|btw",
}
_NON_PRODUCT_RE = re.compile("|".join(f"(?P<{k.replace(' ', '_')}>{v})" for k, v in _NON_PRODUCT_KINDS.items()))
_SKU_RE = re.compile(r"post|postage|shipping|ship|freight|fee|amazonfee|bankcharges|bank\s+charges|manual|discount|"
                     r"adjust|tip|tax")


def _kind_of(values: pd.Series, pattern: re.Pattern) -> pd.Series:
    text = (values.str.lower().str.replace(r"[^\w&]+", " ", regex=True).str.strip())
    found = text.str.fullmatch(pattern.pattern).fillna(False).astype(bool)
    out = pd.Series("", index=values.index, dtype=object)
    if found.any():
        hits = text[found].str.extract(pattern)
        if isinstance(hits, pd.DataFrame) and hits.shape[1] > 1:
            kind = hits.notna().idxmax(axis=1).str.replace("_", " ")
        else:
            kind = pd.Series("fee", index=hits.index)
        out[found] = kind.to_numpy(dtype=object)
    return out


def _sku_kind(codes: pd.Series) -> pd.Series:
    """The kind of charge a product code alone names (``POST``, ``AMAZONFEE``, ``BANK CHARGES``)."""
    text = codes.str.lower().str.strip()
    hit = text.str.fullmatch(_SKU_RE.pattern).fillna(False).astype(bool)
    out = pd.Series("", index=codes.index, dtype=object)
    if hit.any():
        words = (text[hit].str.replace("amazonfee", "amazon fee", regex=False)
                 .str.replace(r"^(?:post|ship)$", "postage", regex=True)
                 .str.replace(r"^bankcharges$", "bank charges", regex=True))
        kinds = _kind_of(words, _NON_PRODUCT_RE)
        out[hit] = kinds.where(kinds != "", "fee").to_numpy(dtype=object)
    return out


def _on_distinct(values: pd.Series, func) -> pd.Series:
    """``func`` on the distinct cells only (a product column repeats a few thousand names)."""
    codes, uniques = pd.factorize(values.astype(str))
    result = func(pd.Series(np.asarray(uniques, dtype=object), dtype=str)).to_numpy(dtype=object)
    return pd.Series(result[codes], index=values.index, dtype=object)


def non_product_columns(headers: list[str], roles: dict) -> tuple[str | None, str | None]:
    """The description and product-code columns (by header), if the file has them."""
    mapped = set(roles.values())
    desc = roles.get("product") or roles.get("product_name") or next(
        (h for h in headers if h not in mapped and normalise_header(h) in _DESCRIPTION_HEADERS), None)
    sku = roles.get("sku") or next(
        (h for h in headers if h not in mapped and normalise_header(h) in _SKU_HEADERS), None)
    return desc, sku


def non_product_lines(body: pd.DataFrame, headers: list[str], roles: dict) -> pd.Series:
    """Per row: the kind of non-product line ("shipping", "fee", "manual adjustment",
    "discount", "tip", "tax") or "" for a product line (or a file without line descriptions).

    The whole description (or, without one, the product code) must name the charge, with
    at most two qualifying words ("DOTCOM POSTAGE", "AMAZON FEE", "Bank Charges"), so a
    product called "Postage stamp album" stays a product.
    """
    desc, sku = non_product_columns(headers, roles)
    out = np.full(len(body), "", dtype=object)
    no_description = np.ones(len(body), dtype=bool)
    if desc is not None:
        codes, uniques = pd.factorize(body[desc].astype(str))
        distinct = pd.Series(np.asarray(uniques, dtype=object), dtype=str)
        out = _kind_of(distinct, _NON_PRODUCT_RE).to_numpy(dtype=object)[codes]
        no_description = (distinct.str.strip() == "").to_numpy()[codes]
    if sku is not None:
        todo = (out == "") & no_description
        if todo.any():
            kinds = _on_distinct(body.loc[todo, sku], _sku_kind).to_numpy(dtype=object)
            out[np.flatnonzero(todo)] = kinds
    return pd.Series(out, index=body.index, dtype=object)


# --- returns that cannot be netted against their own order ----------------------------

def spread_deficits(orders: pd.DataFrame) -> tuple[int, float, int]:
    """Where netting returns left an order below zero, take the shortfall from the same
    customer's other orders, latest first, so no order is negative; what is left over
    (returns beyond everything the customer bought in the file) is dropped.

    ``orders`` has ``customer_id``, ``date``, ``row`` and ``amount`` (edited in place).
    Returns (orders that went below zero, money beyond purchases, customers concerned).
    """
    amount = orders["amount"].to_numpy(dtype="float64")
    negative = amount < -1e-9
    if not negative.any():
        orders["amount"] = np.maximum(amount, 0.0)
        return 0, 0.0, 0
    cust = orders["customer_id"].to_numpy()
    hit = np.isin(cust, np.unique(cust[negative]))
    sub = orders.loc[hit, ["customer_id", "date", "row"]].assign(amount=amount[hit])
    sub = sub.sort_values(["customer_id", "date", "row"], ascending=[True, False, False], kind="stable")
    deficit = (-sub["amount"].clip(upper=0)).groupby(sub["customer_id"]).transform("sum").to_numpy()
    pos = sub["amount"].clip(lower=0).to_numpy()
    before = sub.assign(p=pos).groupby("customer_id")["p"].cumsum().to_numpy() - pos
    take = np.clip(deficit - before, 0.0, pos)
    sub["amount"] = pos - take
    per_customer = pd.DataFrame({"c": sub["customer_id"].to_numpy(), "d": deficit, "p": pos}).groupby("c").agg(
        d=("d", "first"), p=("p", "sum"))
    beyond = (per_customer["d"] - per_customer["p"]).clip(lower=0)
    orders.loc[sub.index, "amount"] = sub["amount"]
    orders["amount"] = orders["amount"].clip(lower=0.0)
    return int(negative.sum()), float(beyond.sum()), int((beyond > 0.005).sum())


def money(value: float, currency: str | None) -> str:
    """``1234.5`` -> ``"1,234.50 GBP"`` for notes."""
    return f"{value:,.2f}" + (f" {currency}" if currency else "")


def net_returns(orders: pd.DataFrame, refunds: pd.DataFrame, notes: list[str],
                currency: str | None) -> tuple[dict, pd.Index]:
    """Net return rows into ``orders`` (index: order key; ``customer_id``, ``date``, ``row``,
    ``amount``), never turning an order negative. Returns (what happened, rows of returns
    that belong to no customer with orders).

    ``refunds`` (index: row): ``invoice`` (the return's own order key), ``parent`` (the key
    of the order it names, -1 if none), ``identity`` (customer code), ``date``, ``amount``
    and ``cancel`` (a C-numbered cancellation invoice).

    A return naming an order in the file is netted against that order. Any other return of
    a customer with orders is taken off that customer's value: from their latest order on
    or before the return (else their first order), then, where that order would go below
    zero, from their other orders, latest first. Returns are never orders and never move
    a customer's first or last order date.
    """
    stats = {"invoices": 0, "lines": 0, "value": 0.0, "named": 0, "matched_by_value": 0, "unnamed": 0, "left_out": 0,
             "beyond_purchases": 0.0}
    if refunds.empty:
        spread_deficits(orders)
        return stats, refunds.index
    value = -refunds["amount"].abs()
    named = refunds["parent"].isin(orders.index).to_numpy()
    if named.any():
        direct = value[named].groupby(refunds["parent"][named].to_numpy()).sum()
        orders.loc[direct.index, "amount"] += direct.to_numpy()
    rest_mask = ~named & refunds["identity"].isin(orders["customer_id"]).to_numpy() & refunds["date"].notna().to_numpy()
    if rest_mask.any():
        book = orders.reset_index()[["key", "customer_id", "date"]].sort_values("date", kind="stable")
        book["date"] = book["date"].astype("datetime64[ns]")
        r = refunds[rest_mask].assign(value=value[rest_mask]).sort_values("date", kind="stable")
        r["date"] = r["date"].astype("datetime64[ns]")
        back = pd.merge_asof(r, book, on="date", left_by="identity", right_by="customer_id", direction="backward")
        fwd = pd.merge_asof(r, book, on="date", left_by="identity", right_by="customer_id", direction="forward")
        target = back["key"].fillna(fwd["key"]).astype("int64").to_numpy()
        sums = back["value"].groupby(target).sum()
        orders.loc[sums.index, "amount"] += sums.to_numpy()
    below, beyond, customers = spread_deficits(orders)
    left = ~named & ~rest_mask

    def described(mask) -> tuple[int, int, float]:
        return int(refunds["invoice"][mask].nunique()), int(mask.sum()), float(-value[mask].sum())

    def counted(mask, unit: str) -> str:
        n, lines, v = described(mask)
        return f"{unit} {n:,}, file rows {lines:,}, value {money(v, currency)}"

    by_value = refunds["matched"].to_numpy(dtype=bool) if "matched" in refunds.columns else np.zeros(len(named), bool)
    if named.any():
        within = named & (refunds["parent"] == refunds["invoice"]).to_numpy()
        if within.any():
            notes.append("Negative lines (returns or discounts) inside an order were taken off that order: "
                         + counted(within, "orders") + ".")
        other = named & ~within & ~by_value
        if other.any():
            notes.append("Returns that name their order were netted against it: " + counted(other, "returns") + ".")
        if (named & by_value).any():
            notes.append("Returns matched to an order by their value were netted against it: "
                         + counted(named & by_value, "returns") + ".")
    if rest_mask.any():
        cancel = refunds["cancel"].to_numpy()[rest_mask]
        what = ("Cancellation invoices (numbers starting with C)" if cancel.all()
                else "Returns and cancellation invoices" if cancel.any() else "Returns")
        notes.append(f"{what} that name no order in this file were taken off the same customer's value, starting "
                     "with their latest order on or before each; they are not counted as orders: "
                     + counted(rest_mask, "invoices" if cancel.all() else "returns") + ".")
    if below:
        notes.append(f"Orders that returns would have taken below zero: {below:,}; the rest was taken from the same "
                     "customer's other orders, latest first, so no order is negative.")
    if customers:
        notes.append("Customers whose returns exceed everything they bought in this file (likely purchases from "
                     f"before the file starts) count as zero: customers {customers:,}, returns beyond their "
                     f"purchases {money(beyond, currency)}.")
    if left.any():
        notes.append("Returns of customers with no orders in this file were left out (see intake.csv): "
                     + counted(left, "returns") + ".")
    netted = named | rest_mask
    stats.update(invoices=described(netted)[0], lines=int(netted.sum()), value=round(described(netted)[2], 2),
                 named=described(named & ~by_value)[0], matched_by_value=described(named & by_value)[0],
                 unnamed=described(rest_mask)[0], left_out=described(left)[0],
                 beyond_purchases=round(beyond, 2))
    return stats, refunds.index[left]


def report_duplicates(report: IntakeReport, duplicate: pd.Series, kept_apart: pd.Series, amount: pd.Series | None,
                      rule: str) -> None:
    """Count rows that repeat an earlier row exactly, and say what was done with them.

    ``duplicate``: the copies (dropped unless ``rule`` is "keep"); ``kept_apart``: repeats
    the "auto" rule kept as purchases of their own (no order number, no time of day).
    """
    n, apart = int(duplicate.sum()), int(kept_apart.sum())

    def worth(mask) -> str:
        if amount is None:
            return ""
        return f", value {money(float(np.nansum(amount[mask].to_numpy())), report.currency)}"

    value = round(float(np.nansum(amount[duplicate].to_numpy())), 2) if amount is not None and n else None
    report.duplicates = {"rows": n + apart, "value": value, "dropped": rule != "keep" and n > 0,
                         "kept_as_purchases": apart}
    if n and rule != "keep":
        report.notes.append("Rows that repeat an earlier row exactly (every cell the same) were counted once "
                            f"(count each with --duplicates keep): rows {n:,}{worth(duplicate)}.")
    elif n:
        report.notes.append("Rows that repeat an earlier row exactly (every cell the same) were kept as you asked: "
                            f"rows {n:,}{worth(duplicate)}.")
    if apart:
        report.notes.append("Rows that repeat an earlier row exactly but carry no order number or time of day were "
                            "kept as purchases of their own (a customer can buy the same thing twice in a day; "
                            f"count each once with --duplicates drop): rows {apart:,}{worth(kept_apart)}.")


def compare_totals(orders: pd.DataFrame, line_value: pd.Series, keys: pd.Series, roles: dict,
                    currency: str | None, notes: list[str]) -> None:
    """A file with order totals and line values: the totals win; say where they disagree."""
    per_order = line_value.groupby(keys.to_numpy()).sum(min_count=1).reindex(orders.index)
    total = orders["amount"]
    known = per_order.notna()
    gap = (total - per_order)[known]
    off = gap.abs() > 0.005 + 1e-6 * total[known].abs()
    if off.any():
        source = f"'{roles['line_total']}'" if "line_total" in roles else \
            f"'{roles['quantity']}' × '{roles['unit_price']}'"
        notes.append(f"On {int(off.sum()):,} of {int(known.sum()):,} {agree(int(known.sum()), 'order')} the total in "
                     f"'{roles['amount']}' differs "
                     f"from the sum of the lines ({source}) by {money(float(gap[off].abs().sum()), currency)} in all; "
                     "the order totals were used.")


def build_line_table(work, used, row_customer, customer_ids, order_ids, row_key, n_ids, dates, values, line_amount,
                     kinds, returned) -> pd.DataFrame:
    """``OrderData.lines``: one row per kept data row (order lines and returns; ``returned``:
    the value netted for each return row)."""
    every = bool(used.all())  # (one pass less over each column of a file where every row counts)

    def kept(values: np.ndarray) -> np.ndarray:
        return values if every else values[used]

    is_return = kept(work["is_refund"].to_numpy())
    n = len(is_return)
    value = kept(line_amount.to_numpy(dtype="float64")) if line_amount is not None else np.full(n, np.nan)
    if is_return.any():
        value = np.where(is_return, -np.abs(kept(returned.to_numpy(dtype="float64"))), value)
    quantity = kept(values.quantity.to_numpy(dtype="float64")) if values.quantity is not None else np.full(n, np.nan)
    return pd.DataFrame({
        "row": kept(work.index.to_numpy()).astype("int64", copy=False),
        "order_id": categorical(np.minimum(kept(row_key.to_numpy()), n_ids), order_ids),
        "customer_id": categorical(kept(row_customer), customer_ids),
        "date": kept(dates.to_numpy()),
        "quantity": quantity,
        "value": value,
        "is_return": is_return,
        "non_product": kept(kinds.to_numpy(dtype=object)),
    }, copy=False)  # fresh arrays, or read-only views the table never writes to


def categorical(codes: np.ndarray, categories: pd.Index) -> pd.Categorical:
    """``Categorical.from_codes`` for categories known to be distinct (from a factorize):
    pandas' own check of that costs 0.3 s on a million customers, so it is skipped."""
    fast = getattr(pd.CategoricalDtype, "_from_fastpath", None)
    try:
        dtype = fast(categories, False) if fast is not None else pd.CategoricalDtype(categories)
    except TypeError:  # the private fast path changed: use the public, checking one
        dtype = pd.CategoricalDtype(categories)
    return pd.Categorical.from_codes(codes, dtype=dtype)
