"""Finding the header row and which column plays which role.

Header names are compared after :func:`normalise_header` (lower-case, letters and digits
only), so ``E-Mail``, ``e_mail`` and ``EMAIL `` are the same name.
"""
from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from .headerless import content_headers

__all__ = ["CONTENT_CHECKED_ROLES", "ROLES", "SYNONYMS", "content_problem", "find_header_row", "guess_roles",
           "headerless_header", "is_attribute_column", "is_refund_header", "looks_like_person_names",
           "normalise_header"]

ROLES = ("customer_id", "email", "name", "order_id", "date", "amount", "currency", "status", "refund", "consent",
         "quantity", "unit_price", "discount", "line_total", "original_order")

# role -> normalised header names, best first (several languages where cheap)
SYNONYMS: dict[str, list[str]] = {
    "customer_id": [
        # a customer's one id across orders first (Olist: customer_unique_id, while its
        # customer_id is a new key on every order)
        "customeruniqueid", "uniquecustomerid", "customerid", "customer", "customerno", "customernumber",
        "customernr", "clientid", "buyeruserid", "userid", "accountid", "memberid", "contactid", "kundennummer",
        "kundenid", "kundennr", "idcliente", "numeroclient", "idclient", "cust", "custid", "id", "customercode",
        "userpseudoid",
        "clientnumber", "kunde", "client", "cliente", "klant", "klantnummer",
        # a loyalty card's household or member (dunnhumby's household_key, Member_number)
        "householdkey", "householdid", "household", "membernumber", "memberno", "membernr",
    ],
    "email": [
        "email", "emailaddress", "customeremail", "fromemailaddress", "billingemail", "buyeremail", "mail",
        "emailadresse", "correo", "correoelectronico", "courriel", "adressemail", "adresseemail", "contactemail",
        "useremail", "purchaseremail",
    ],
    "name": [
        "name", "customername", "fullname", "billingname", "buyer", "buyername", "clientname", "contactname",
        "kundenname", "nom", "nombre", "shippingname", "shipname", "displayname",
    ],
    "order_id": [
        "orderid", "order", "ordernumber", "orderno", "ordernr", "invoice", "invoiceid", "invoicenumber",
        "invoiceno", "transactionid", "txnid", "receipt", "receiptnumber", "receiptno", "checkid", "paymentid",
        "num", "bestellnummer", "bestellnr", "bestellung", "auftragsnummer", "auftragsnr", "rechnungsnummer",
        "rechnungsnr", "belegnummer", "belegnr", "ordernummer", "bestelnummer", "commande", "numerocommande",
        "pedido", "salesorder", "documentnumber", "reference", "basketid", "basket", "ticketid", "ticketnumber",
        "billno", "billnumber",
        # Nº / N° / Número … in Spanish, Portuguese, French, Italian; Brazil's invoice (nota fiscal)
        "nopedido", "npedido", "numeropedido", "numerodopedido", "numerodelpedido", "ndecommande", "nodecommande",
        "numerodecommande", "ncommande", "nocommande", "numeroordine", "nordine", "noordine", "nofactura", "nfactura",
        "numerodefactura", "numerofactura", "numerodefacture", "nfacture", "nofacture", "numerofattura",
        "notafiscal", "numeronotafiscal", "nfe",
    ],
    "date": [
        "date", "orderdate", "purchasedate", "createdat", "created", "saledate", "transactiondate",
        "invoicedate", "paymentdate", "paiddate", "datetime", "timestamp", "datum", "bestelldatum",
        "rechnungsdatum", "fecha", "data", "dateofpurchase", "orderedat", "placedat", "day",
    ],
    "amount": [
        "amount", "total", "ordertotal", "totalamount", "grandtotal", "revenue", "sales", "value",
        "amt", "tranamt", "transamt", "txnamt", "transactionamt", "purchaseamt",
        "ordervalue", "paymentvalue", "gross", "grosssales", "totalcollected", "sum", "paid", "amountpaid",
        "betrag", "gesamtbetrag", "summe", "umsatz", "montant", "totalttc", "importe", "importo", "spend",
        "netsales", "totalprice", "saleamount", "paymentamount", "totalpaid", "netrevenue", "grossrevenue",
        "salesamount", "salesvalue", "totalsales", "dollarvalue", "dollars", "dollaramount", "amountusd",
        "purchaseamount", "purchasevalue", "transactionamount", "invoiceamount", "invoicetotal", "ordersum",
        "orderamount", "netamount", "grossamount", "totalvalue", "netvalue", "grossvalue", "turnover",
        # German, French, Spanish, Dutch, Portuguese, Italian
        "bruttobetrag", "nettobetrag", "rechnungsbetrag", "bestellwert", "gesamtsumme", "endbetrag", "wert",
        "umsatzbrutto", "montantttc", "montanttotal", "chiffredaffaires", "valeur",
        "importetotal", "monto", "montototal", "ventas", "valor", "valortotal", "totalpedido", "bedrag",
        "totaalbedrag", "omzet", "waarde", "totaal", "factuurbedrag", "montante", "vendas", "receita",
        "totale", "valore", "fatturato",
    ],
    "quantity": [
        "quantity", "qty", "quantityordered", "qtyordered", "orderedquantity", "units", "unitssold",
        "itemquantity", "lineitemquantity", "numberofunits", "numberofitems", "pieces", "pcs", "quantitysold",
        "menge", "anzahl", "stuckzahl", "quantite", "cantidad", "aantal", "quantidade", "quantita", "qte",
    ],
    "unit_price": [
        "unitprice", "price", "priceeach", "itemprice", "priceperunit", "priceperitem", "unitsaleprice",
        "avgprice", "averageprice", "avgunitprice", "purchaseprice",
        "saleprice", "salesprice", "sellingprice", "unitamount", "lineitemprice", "pricepaid", "rate",
        "einzelpreis", "stuckpreis", "preis", "verkaufspreis", "prixunitaire", "prix", "prixdevente",
        "preciounitario", "precio", "preciodeventa", "prijs", "stukprijs", "eenheidsprijs", "verkoopprijs",
        "precounitario", "preco", "precodevenda", "prezzo", "prezzounitario",
    ],
    "discount": [
        "discount", "discountamount", "linediscount", "itemdiscount", "discountrate", "discountpercent",
        "discountpct", "rabatt", "nachlass", "remise", "descuento", "korting", "desconto", "sconto",
    ],
    "line_total": [
        "linetotal", "itemtotal", "lineamount", "lineitemtotal", "extendedprice", "extendedamount",
        "extprice", "extamount", "linevalue", "itemamount", "linesubtotal", "lineitemamount", "lineprice",
        "positionsbetrag", "zeilensumme", "montantligne", "totalligne", "importelinea", "totallinea",
        "regeltotaal", "regelbedrag", "totallinha", "valorlinha",
    ],
    "original_order": [
        "originalorder", "originalorderid", "originalorderno", "originalordernumber", "originalinvoice",
        "originalinvoiceid", "originalinvoiceno", "originalinvoicenumber", "originaltransactionid",
        "originalreceipt", "parentorder", "parentorderid", "returnfor", "refundfor", "relatedorder",
        "relatedorderid", "referenceorder", "referenceinvoice", "creditfor", "ursprungsbestellung",
        "ursprungsrechnung", "commandeorigine", "factureorigine", "pedidooriginal", "facturaoriginal",
        "oorspronkelijkebestelling", "originelefactuur",
    ],
    "currency": ["currency", "ordercurrency", "currencycode", "curr", "ccy", "wahrung", "wahrungscode", "devise", "moneda", "valuta"],
    "status": [
        "status", "financialstatus", "orderstatus", "paymentstatus", "transactionstatus", "state", "type",
        "transactiontype", "eventtype", "eventname", "orderstate", "fulfillmentstatus", "shipstatus", "invoicestatus",
        "documenttype", "doctype", "recordtype", "linetype", "saletype", "bestellstatus", "zahlungsstatus",
        "statut", "estado", "estatus", "situacao",
    ],
    "refund": [
        "refundedamount", "amountrefunded", "refundamount", "refunds", "refunded", "totalrefunded",
        "refundtotal", "refund", "returned", "returns", "returnamount", "returnedamount", "returnvalue",
        "refundvalue", "refundedvalue", "erstattung", "erstattet", "ruckerstattung", "erstattungsbetrag",
        "rembourse", "remboursement", "montantrembourse", "reembolso", "reembolsado", "importereembolsado",
        "devolucion", "devoluciones", "terugbetaling", "terugbetaald", "retour", "retouren", "devolucao",
        "valorreembolsado", "rimborso",
    ],
    "consent": [
        "acceptsemailmarketing", "acceptsmarketing", "emailconsent", "consent", "marketingconsent", "optin",
        "newsletter", "subscribed", "emailmarketingconsent", "marketingoptin", "emailoptin", "emailsubscriptionstatus",
        "acceptsmarketingemails", "einwilligung",
    ],
}
# contains-match fallbacks (only used when no exact synonym matched)
_CONTAINS = {
    "email": ["email", "mail"],
    "date": ["date", "datum", "fecha", "timestamp", "datado", "datada", "datadel", "dataemissao", "datanota",
             "datacompra", "datapedido", "datavenda", "dataordine", "dataacquisto", "datafattura"],
    "line_total": ["linetotal", "itemtotal"],
    "quantity": ["quantity", "qty"],
    "unit_price": ["unitprice", "priceeach", "priceperunit"],
    "amount": ["total", "amount", "betrag", "revenue", "montant", "importe", "sales", "umsatz"],
    "customer_id": ["customerid", "clientid", "kundennummer"],
    "order_id": ["orderid", "ordernumber", "invoicenumber", "bestellnummer", "bestellnr"],
}
_AMOUNT_AVOID = ("tax", "shipping", "freight", "fee", "discount", "tip", "sub", "item", "quantity", "qty", "count",
                 "orders", "refund", "net", "balance", "percent", "channel", "person", "region", "manager", "team",
                 "stage", "rep")
_DATE_AVOID = ("ship", "due", "birth", "update", "modified", "cancel", "refund", "fulfil", "deliver", "signup", "last", "first",
               "exp", "valid")
# "<what was paid> value" is the order's amount ("payment_value" in Olist, "Transaction Value")
_PAID_WORDS = ("payment", "order", "purchase", "sale", "transaction", "invoice", "cart", "basket", "checkout")

# A header naming a refund ("Order Refund Amount", "Order Refunded", "Refunded (EUR)") whose
# cells are amounts of money (checked by content_problem) is the refund, whatever words are
# around it; one naming its date, reason, count or a part of it (tax, shipping) is not.
_REFUND_STEMS = ("refund", "erstatt", "rembours", "reembols", "rimbors", "terugbetal", "estorn")
_REFUND_NOT_MONEY = {
    "id", "no", "nr", "number", "num", "ref", "reference", "date", "datum", "at", "on", "time", "timestamp",
    "reason", "grund", "motif", "motivo", "status", "state", "method", "type", "note", "notes", "comment",
    "qty", "quantity", "count", "items", "item", "line", "lines", "product", "sku", "percent", "pct", "rate",
    "tax", "vat", "shipping", "fee", "fees", "days", "by", "policy", "requested", "request", "currency",
}
_REFUND_NOT_MONEY_ENDINGS = ("id", "date", "datum", "at", "time", "reason", "status", "method", "type", "qty",
                             "quantity", "count", "number", "nr", "no")

# a customer's one id across all their orders: "customer_unique_id" (Olist), "Unique Customer ID"
_UNIQUE_CUSTOMER = re.compile(
    r"^(?:unique(?:customer|client|user|buyer|member|shopper|kunden?)|"
    r"(?:customer|client|user|buyer|member|shopper|kunden?)unique)(?:id|key|no|nr|number|code|identifier)?$")


def _paid_value(norm: str) -> bool:
    """``paymentvalue``, ``transactionvalue``: the value of what was paid (not an average or lifetime value)."""
    return "value" in norm and any(w in norm for w in _PAID_WORDS) and \
        not any(w in norm for w in ("average", "avg", "mean", "lifetime", "expected", "predicted"))


def is_refund_header(header: str) -> bool:
    """Does a header name a refunded amount ("Order Refund Amount", "Order Refunded")?

    Its words must include a refund word and none that names something other than the
    money (a refund's date, id, reason, quantity or its tax/shipping part)."""
    norm = normalise_header(header)
    if not any(stem in norm for stem in _REFUND_STEMS):
        return False
    words = set(_words(header))
    # one glued word ("refunddate") is judged by its ending
    return not (words & _REFUND_NOT_MONEY or len(words) == 1 and norm.endswith(_REFUND_NOT_MONEY_ENDINGS))

_NON_ATTRIBUTE_WORDS = {
    "lineitem", "item", "items", "product", "products", "sku", "price", "qty", "quantity", "variant", "vendor",
    "tax", "taxes", "discount", "fee", "fees", "subtotal", "total", "amount", "refund", "refunded", "note",
    "notes", "memo", "description", "comment", "comments", "tracking", "gross", "net", "balance", "payment",
    "transaction", "tip", "gratuity", "shipping", "duties", "weight", "barcode", "receipt", "invoice",
    "reference", "checkout", "token", "url", "link", "ip", "useragent", "password", "card", "last4", "fulfillment",
    "fulfilled", "status", "tags", "order", "orders", "created", "updated", "paid", "cancelled", "canceled",
    "time", "date", "number", "num", "no", "id", "spent", "spend", "sales", "value", "hash", "name", "first",
    "last", "firstname", "lastname", "email", "mail", "username", "coupon", "coupons", "code", "street",
    "address", "address1", "address2", "consent", "marketing", "accepts", "type", "typ", "zeitzone", "uhrzeit",
    "timezone", "zone", "mode", "message", "descriptor", "captured", "converted", "event", "device", "staff",
    "server", "employee", "brand", "pan", "suffix", "risk", "requires", "taxable", "method", "impact",
    "subject", "title", "insurance", "handling", "cash", "tender", "drawer", "items", "sold", "dining",
}
_KEEP_ATTRIBUTE_WORDS = {"country", "city", "state", "province", "region", "zip", "zipcode", "postcode", "postal",
                         "channel", "source", "location", "segment", "group", "gender", "company", "language",
                         "store", "shop", "phone", "tag", "tags", "metadata"}


def normalise_header(name: str) -> str:
    """``"E-Mail Address "`` -> ``"emailaddress"`` (accents folded, letters/digits only)."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _words(name: str) -> list[str]:
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", text)
    return [w for w in re.split(r"[^a-z0-9]+", text.lower()) if w]


_ALL_SYNONYMS = {s for names in SYNONYMS.values() for s in names}


def header_score(cells: list[str]) -> float:
    """How much a row looks like a header: known names count most, text cells a little."""
    filled = [c for c in cells if c.strip()]
    if len(filled) < 1:
        return 0.0
    known = sum(normalise_header(c) in _ALL_SYNONYMS for c in filled)
    numeric = sum(bool(re.fullmatch(r"[-+$€£(]*[\d.,:/ -]+[)%]*", c.strip())) for c in filled)
    texty = len(filled) - numeric
    return known * 3 + texty - numeric * 2 + (0.5 if len(set(filled)) == len(filled) else 0)


def find_header_row(grid: pd.DataFrame, max_scan: int = 40) -> int:
    """Row number (grid index) of the header: titles, date-range lines and blanks above it are skipped."""
    top = grid.head(max_scan)
    widths = (top != "").sum(axis=1)
    if widths.empty or widths.max() == 0:
        return int(grid.index[0]) if len(grid) else 1
    best_row, best = None, float("-inf")
    widest = widths.max()
    for row, cells in top.iterrows():
        n = int(widths[row])
        if n == 0 or n < max(2, widest * 0.5) and widest >= 2:
            continue
        score = header_score(list(cells))
        if score > best:
            best_row, best = row, score
    if best_row is None:
        best_row = int(widths[widths > 0].index[0])
    return int(best_row)


# --- a file with no header row ---------------------------------------------------------------
# Some files start with their first order: the CDNOW purchase log as published
# ("00004 19970101 2 29.33"), a database dump, an export with "include headers" off. The row
# find_header_row picks is then values, not names. The columns are named by their content with
# the same rules as an Excel range without its header row (clv_engine.intake.headerless.content_headers),
# after typing the text cells the way intake reads them (amounts, dates, ids).
_HEADERLESS_SAMPLE = 200


def _column_kinds(rows: pd.DataFrame) -> list[str]:
    """Per column of ``rows`` (text cells): "date", "number" or "text" (80% of its filled cells)."""
    from .values import parse_amounts

    kinds = []
    for column in rows.columns:
        cells = rows[column].astype(str).str.strip()
        cells = cells[cells != ""]
        if cells.empty:
            kinds.append("text")
            continue
        if _date_cells(cells).mean() >= 0.8:
            kinds.append("date")
        elif parse_amounts(cells)[0].notna().mean() >= 0.8:
            kinds.append("number")
        else:
            kinds.append("text")
    return kinds


def _date_cells(cells: pd.Series) -> pd.Series:
    """Cells that are dates as written in a text file: not plain numbers (an Excel serial day
    number is a number in a text file), except a compact YYYYMMDD."""
    from .values import parse_dates

    plain = cells.str.fullmatch(r"[-+]?\d+(?:[.,]\d+)?") & ~cells.str.fullmatch(r"(?:19|20)\d{6}")
    parsed, _ = parse_dates(cells)
    years = parsed.dt.year
    return parsed.notna() & ~plain & (years >= 1900) & (years <= 2100)


def _row_is_data(cells: list[str], kinds: list[str], below: pd.DataFrame) -> bool:
    """Does a row hold values like the rows below it, rather than column names?

    Every column whose cells below are dates or numbers has a date or number in this row too
    (a header has a name there), and at least one does. Names that look like values are
    still names: years over columns of amounts ("2023 2024", a pivot), or 0, 1, 2 … (a
    table saved with its column numbers)."""
    from .values import parse_amounts

    filled = [c.strip() for c in cells if c.strip()]
    if len(filled) < 2:
        return False
    if sum(normalise_header(c) in _ALL_SYNONYMS for c in filled) >= 2:
        return False
    if all(re.fullmatch(r"\d{1,3}", c) for c in filled):
        numbers = [int(c) for c in filled]
        if numbers in (list(range(0, len(filled))), list(range(1, len(filled) + 1))):
            return False
    checked = 0
    for cell, kind, column in zip(cells, kinds, below.columns):
        cell = cell.strip()
        if kind == "text" or not cell:
            continue
        one = pd.Series([cell], dtype=str)
        if kind == "date":
            ok = bool(_date_cells(one).iloc[0])
        else:
            ok = bool(parse_amounts(one)[0].notna().iloc[0])
            if ok and re.fullmatch(r"(?:19|20)\d{2}", cell):  # a year over a column of other numbers
                under = below[column].astype(str).str.strip()
                under = under[under != ""]
                ok = bool(under.str.fullmatch(r"(?:19|20)\d{2}").mean() >= 0.5)
        if not ok:
            return False
        checked += 1
    return checked > 0


def _typed_rows(rows: pd.DataFrame, kinds: list[str]) -> list[list]:
    """Text cells as the values a spreadsheet would hand over: datetimes, numbers, text, None.

    A number written with leading zeros ("00004") is an id and stays text."""
    from .values import parse_amounts, parse_dates

    columns = []
    for column, kind in zip(rows.columns, kinds):
        cells = rows[column].astype(str).str.strip()
        values: list = [c if c else None for c in cells]
        if kind == "date":
            parsed, _ = parse_dates(cells)
            ok = _date_cells(cells).to_numpy()
            values = [p.to_pydatetime() if good else v for p, good, v in zip(parsed, ok, values)]
        elif kind == "number":
            parsed, _ = parse_amounts(cells)
            id_like = cells.str.fullmatch(r"0\d+").to_numpy()
            values = [v if (pd.isna(p) or zero) else (int(p) if float(p).is_integer() else float(p))
                      for p, zero, v in zip(parsed, id_like, values)]
        columns.append(values)
    return [list(row) for row in zip(*columns)]


def headerless_header(grid: pd.DataFrame, header_row: int) -> tuple[int, list[str], str] | None:
    """When the row :func:`find_header_row` picked holds values, not names (a file with no
    header row): ``(row before the first data row, column names by content, note)``; the
    rows from the first data row on are the table. None when the file has a header row.

    Names come from :func:`~clv_engine.intake.headerless.content_headers` (Date, Email, Total, Customer,
    else ``Column N``), as for an Excel range handed over without its header row.
    """
    top = grid.head(40)
    widths = (top != "").sum(axis=1)
    widest = int(widths.max()) if len(widths) else 0
    wide = [int(r) for r in top.index if widths[r] >= max(2, widest * 0.5) and r <= header_row]
    if not wide:
        return None
    first = wide[0]
    if not any(any(ch.isdigit() for ch in str(cell)) for cell in grid.loc[first]):
        return None  # (the usual header: names without a digit, no date or amount among them)
    below = grid.loc[first + 1:].head(_HEADERLESS_SAMPLE)
    if below.empty:
        return None
    # quick answer for most headers: a name without a digit over a column of dates or numbers
    filled = below != ""
    with_digit = below.apply(lambda column: column.str.contains(r"\d", regex=True)) & filled
    numeric_columns = with_digit.sum() >= 0.8 * filled.sum().clip(lower=1)
    for row in wide:
        cells = grid.loc[row]
        wordy = (cells != "") & ~cells.str.contains(r"\d", regex=True)
        if (wordy & numeric_columns & filled.any()).any():
            return None
    kinds = _column_kinds(below)
    if not all(_row_is_data(list(grid.loc[row]), kinds, below) for row in wide):
        return None
    sample = grid.loc[first:].head(_HEADERLESS_SAMPLE)
    names = content_headers(_typed_rows(sample, kinds))
    # a date only where the cells read as dates (content_headers also takes whole numbers in
    # Excel's serial-date range, which in a text file are ids or amounts)
    names = [f"Column {i + 1}" if name == "Date" and kinds[i] != "date" else name for i, name in enumerate(names)]
    named = [f"{name} (column {i + 1})" for i, name in enumerate(names) if not name.startswith("Column ")]
    note = ("There is no header row (the first row is already data); the columns were named by their content"
            + (": " + ", ".join(named) if named else "") + ".")
    return first - 1, unique_headers(names), note


def unique_headers(cells: list[str]) -> list[str]:
    """Header names made unique and non-empty (blank spacer columns become ``Column N``)."""
    seen: dict[str, int] = {}
    out = []
    for i, c in enumerate(cells):
        name = str(c).replace("\ufeff", "").strip().strip('"').strip() or f"Column {i + 1}"
        key = name
        if key in seen:
            seen[key] += 1
            key = f"{name} ({seen[name]})"
        seen.setdefault(key, 1)
        out.append(key)
    return out


def guess_roles(headers: list[str], preferred: dict[str, list[str]] | None = None,
                fixed: dict[str, str] | None = None, rejected: dict[str, set] | None = None) -> dict[str, str]:
    """Map roles to headers: ``fixed`` first, then a preset's ``preferred`` names, then synonyms.

    ``rejected``: role -> headers whose content showed they cannot play that role.
    """
    rejected = rejected or {}
    norm = {h: normalise_header(h) for h in headers}
    by_norm: dict[str, str] = {}
    for h, n in norm.items():
        by_norm.setdefault(n, h)
    mapping: dict[str, str] = dict(fixed or {})
    taken = set(mapping.values())
    for role in ROLES:
        if role in mapping:
            continue
        for candidate in (preferred or {}).get(role, []):
            h = by_norm.get(normalise_header(candidate))
            if h and h not in taken:
                mapping[role] = h
                taken.add(h)
                break
    if preferred is not None and (preferred.get("_exclusive")):
        return mapping
    for role in ("email", "date", "line_total", "quantity", "unit_price", "discount", "amount", "order_id",
                 "original_order", "customer_id", "name", "currency", "refund", "consent", "status"):
        if role in mapping:
            continue
        if role == "customer_id":  # "customer_unique_id" wins over a plain (per-order) "customer_id"
            unique = [h for h in headers if h not in taken and h not in rejected.get(role, ())
                      and _UNIQUE_CUSTOMER.match(norm[h])]
            if unique:
                mapping[role] = unique[0]
                taken.add(unique[0])
                continue
        for candidate in SYNONYMS[role]:
            h = by_norm.get(candidate)
            if h and h not in taken and h not in rejected.get(role, ()):
                mapping[role] = h
                taken.add(h)
                break
    for role, needles in _CONTAINS.items():
        if role in mapping:
            continue
        avoid = _AMOUNT_AVOID if role == "amount" else _DATE_AVOID if role == "date" else ()
        for h in headers:
            n = norm[h]
            if h in taken or any(a in n for a in avoid) or h in rejected.get(role, ()):
                continue
            if any(k in n for k in needles) or role == "amount" and _paid_value(n):
                mapping[role] = h
                taken.add(h)
                break
    if "date" not in mapping:  # "DT" or "dat" as a word of its own (Ta Feng's TRANSACTION_DT, H&M's
        # t_dat), then a time (a clickstream's event_time): the content check then asks for dates
        for date_words in ({"dt", "dat"}, {"time", "datetime"}):
            found = next((h for h in headers if h not in taken and h not in rejected.get("date", ())
                          and set(_words(h)) & date_words
                          and not any(a in normalise_header(h) for a in _DATE_AVOID)), None)
            if found is not None:
                mapping["date"] = found
                taken.add(found)
                break
    if "refund" not in mapping:
        for h in headers:
            if h not in taken and h not in rejected.get("refund", ()) and is_refund_header(h):
                mapping["refund"] = h
                taken.add(h)
                break
    return mapping


def is_attribute_column(header: str, values: pd.Series) -> bool:
    """Keep descriptive customer columns (country, city, channel…); drop ids, money, dates, items, notes."""
    words = set(_words(header))
    if words & _KEEP_ATTRIBUTE_WORDS and not words & {"id", "number", "date", "time", "at", "amount", "price"}:
        keep_by_name = True
    else:
        keep_by_name = False
    if not keep_by_name and (words & _NON_ATTRIBUTE_WORDS or (words and (words <= {"at"} or "at" in words))
                             or normalise_header(header).endswith("id") or header.startswith("Column ")):
        return False
    sample = values[values != ""].head(2000)
    if sample.empty:
        return False
    if sample.str.len().mean() > 40:
        return False
    from .values import looks_numeric

    if not keep_by_name and looks_numeric(sample) > 0.8:
        return False
    if not keep_by_name and sample.str.match(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}").mean() > 0.5:
        return False
    return True


# letters only (any script), words joined by spaces, hyphens, apostrophes or a dot: "Jürgen Müller", "Dr. A. O'Neil"
_LETTERS = r"(?:[^\W\d_]|\ufffd)+"  # \ufffd: a letter the file's encoding lost
_NAME_RE = _LETTERS + r"\.?(?:(?:\s+|\s*[-'’]\s*)" + _LETTERS + r"\.?)*"


def looks_like_person_names(values: pd.Series, sample: int = 2000, several_words: float = 0.5) -> bool:
    """Does a column hold person names ("Jürgen Müller") rather than customer ids (``C1043``, ``cus_9s8df``)?

    Mostly letters and spaces, and at least the share ``several_words`` of several words; a
    digit or underscore makes a cell id-like.
    """
    cells = values[values != ""].head(sample).str.strip()
    cells = cells[cells != ""]
    if cells.empty:
        return False
    name_like = cells.str.fullmatch(_NAME_RE)
    words = name_like & cells.str.contains(r"\S\s+\S", regex=True)
    return bool(name_like.mean() >= 0.8 and words.mean() >= several_words)


# --- descriptive roles: what the export says about each line and order ---------------------
# Kept per line (product …) or per order (channel, geography …) for purchase profiles,
# cohorts and drivers; they never change which rows are orders or what an order is worth.
LINE_DESCRIPTIVE_ROLES = ("product", "sku", "category", "subcategory", "vendor", "cost", "profit")
ORDER_DESCRIPTIVE_ROLES = ("channel", "discount_code", "country", "region", "state", "city", "customer_type",
                           "company")
DESCRIPTIVE_ROLES = LINE_DESCRIPTIVE_ROLES + ORDER_DESCRIPTIVE_ROLES

# role -> normalised header names, best first (shipping before billing: where the goods went)
DESCRIPTIVE_SYNONYMS: dict[str, list[str]] = {
    "product": ["productname", "lineitemname", "itemname", "product", "producttitle", "description", "itemdescription",
                "productdescription", "item", "article", "artikel", "artikelname", "produkt", "produktname", "produit",
                "nomduproduit", "producto", "nombredelproducto", "artikelomschrijving", "lineitemtitle"],
    "sku": ["sku", "lineitemsku", "productid", "stockcode", "itemid", "itemcode", "productcode", "articlenumber",
            "artikelnummer", "variantsku", "ean", "upc", "asin"],
    "category": ["category", "productcategory", "producttype", "itemcategory", "lineitemproducttype", "department",
                 "productgroup", "kategorie", "warengruppe", "categorie", "categoria", "productline"],
    "subcategory": ["subcategory", "productsubcategory", "subcat", "unterkategorie", "souscategorie",
                    "subcategoria"],
    "vendor": ["vendor", "brand", "manufacturer", "supplier", "lineitemvendor", "marke", "hersteller", "marque",
               "marca", "lieferant"],
    "cost": ["cost", "cogs", "costofgoods", "costofgoodssold", "linecost", "totalcost", "kosten", "cout", "coste"],
    "profit": ["profit", "grossprofit", "lineprofit", "gewinn", "benefice", "beneficio"],
    "channel": ["channel", "saleschannel", "source", "ordersource", "sourcename", "utmsource", "utmmedium",
                "referringsite", "marketingchannel", "acquisitionchannel", "referrer", "medium", "platform",
                "salesplatform", "kanal", "vertriebskanal", "canal"],
    "discount_code": ["discountcode", "couponcode", "coupon", "promocode", "voucher", "vouchercode",
                      "discountcodes", "couponcodes", "promotioncode", "gutscheincode", "codepromo", "cupon"],
    "country": ["shippingcountry", "country", "shipcountry", "countrycode", "billingcountry", "land", "pays", "pais",
                "customercountry", "deliverycountry"],
    "region": ["region", "shippingregion", "salesregion", "market", "area", "territory"],
    "state": ["shippingprovince", "state", "province", "shippingstate", "shipstate", "billingprovince",
              "billingstate", "county", "bundesland", "provincia", "estado", "shippingprovincename"],
    "city": ["shippingcity", "city", "shipcity", "billingcity", "town", "stadt", "ort", "ville", "ciudad",
             "deliverycity"],
    "customer_type": ["customertype", "segment", "customersegment", "customergroup", "accounttype", "clienttype",
                      "kundentyp", "kundengruppe", "b2bb2c", "businesstype"],
    "company": ["billingcompany", "company", "companyname", "shippingcompany", "organisation", "organization",
                "firma", "unternehmen", "societe", "empresa", "businessname"],
}
# "customer_city", "Buyer State", "Ship To Country" …: the place words after who or where
def _add_place_synonyms() -> None:
    for role, words in (("country", ("country", "countrycode")), ("state", ("state", "province")),
                        ("city", ("city", "town")), ("region", ("region",))):
        DESCRIPTIVE_SYNONYMS[role] += [who + word for word in words for who in (
            "customer", "buyer", "client", "recipient", "shipto", "billto", "delivery", "shipping", "billing", "ship",
            "bill") if who + word not in DESCRIPTIVE_SYNONYMS[role]]


_add_place_synonyms()
_DESCRIPTIVE_NUMERIC = ("cost", "profit")


def guess_descriptive_roles(headers: list[str], body: pd.DataFrame, taken: set[str],
                            fixed: dict[str, str] | None = None) -> dict[str, str]:
    """Map descriptive roles to headers not used by another role: ``fixed`` (the user's
    mapping) first, then the synonyms above. A guess is kept only when the column's content
    fits: money-like numbers for cost and profit, mostly text (not dates or plain numbers)
    for the others, and for a category not one value per row."""
    from .values import looks_numeric

    by_norm: dict[str, str] = {}
    for h in headers:
        by_norm.setdefault(normalise_header(h), h)
    mapping = dict(fixed or {})
    used = set(taken) | set(mapping.values())
    for role in DESCRIPTIVE_ROLES:
        if role in mapping:
            continue
        for candidate in DESCRIPTIVE_SYNONYMS[role]:
            h = by_norm.get(candidate)
            if h is None or h in used:
                continue
            cells = body[h].head(2000)
            cells = cells[cells.str.strip() != ""]
            if cells.empty:
                continue
            numeric = looks_numeric(cells)
            if role in _DESCRIPTIVE_NUMERIC:
                ok = numeric > 0.8
            else:
                dates = cells.str.match(r"\s*\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}").mean()
                ok = dates < 0.5 and (numeric < 0.5 or role in ("sku", "region", "state", "city"))
                if role in ("category", "subcategory", "customer_type", "channel", "region") and len(cells) >= 50:
                    ok = ok and cells.nunique() <= 0.5 * len(cells)
            if ok:
                mapping[role] = h
                used.add(h)
                break
    return mapping


# Words an order status or row type uses (several languages); a "State" column of US
# states or a "Type" column of customer segments holds none of them.
_STATUS_VOCABULARY = (
    r"(?i)\b(?:paid|unpaid|payment|pay|complete[d]?|completion|success(?:ful)?|succeeded|settled|captured|"
    r"authori[sz]ed|approved|accepted|confirmed|processing|processed|in\s*process|pending|open|closed|"
    r"on\s*hold|hold|draft|quote|estimate|invoiced?|billed|due|overdue|cancel+ed|cancel+ation|cancel|"
    r"void(?:ed)?|failed|failure|declined|denied|expired|abandoned|rejected|reversed|refund(?:ed)?|"
    r"partially|partial|return(?:ed|s)?|exchange[d]?|credit(?:ed)?|chargeback|disputed?|resolved|"
    r"shipped|delivered|dispatched|fulfill?ed|unfulfill?ed|ready|picked|packed|sent|received|"
    r"sale|sales|order|purchase|transfer|withdrawal|deposit|charge|fee|"
    r"view|viewed|view_item|page_view|cart|add_to_cart|wishlist|session_start|first_visit|begin_checkout|"
    r"active|inactive|trash|archived|"
    r"bezahlt|offen|abgeschlossen|storniert|versandt|versendet|geliefert|zugestellt|erstattet|retoure|"
    r"gutschrift|rechnung|bestellung|zahlung|in\s*bearbeitung|"
    r"pay[ée]e?|annul[ée]e?|rembours[ée]e?|exp[ée]di[ée]e?|livr[ée]e?|termin[ée]e?|en\s*cours|avoir|vente|"
    r"pagad[oa]|pendiente|cancelad[oa]|completad[oa]|enviad[oa]|entregad[oa]|reembolsad[oa]|devuelt[oa]|venta|"
    r"betaald|geannuleerd|verzonden|geleverd|voltooid|openstaand|terugbetaald|"
    r"pag[oa]|conclu[ií]d[oa]|entregue|aprovad[oa]|estornad[oa]|devolvid[oa])\b"
)
CONTENT_CHECKED_ROLES = ("date", "amount", "status", "quantity", "unit_price", "discount", "line_total", "refund",
                         "email")


def content_problem(role: str, values: pd.Series) -> str | None:
    """Why a column's cells cannot play ``role`` (None when they can or the column is empty).

    A date column must read as dates, money and quantity columns as numbers, a status
    column must hold status words, an email column email addresses. ``values``: the column's cleaned text (a sample is enough).
    """
    from .values import cell_example, parse_amounts, parse_dates

    if role not in CONTENT_CHECKED_ROLES:
        return None
    cells = values[values.to_numpy(dtype=object) != ""].head(2000)
    if cells.empty:
        return None
    example = cell_example(cells.iloc[0])
    if role == "email":  # "Email Opt Out" (yes/no) is a consent column, not the email
        has_at = cells.str.contains("@", regex=False)
        if has_at.mean() < 0.5:
            return f"its cells are not email addresses (e.g. '{cell_example(cells[~has_at].iloc[0])}')"
        return None
    if role == "date":
        parsed, _ = parse_dates(cells)
        bad = parsed.isna()
        if bad.mean() > 0.5:
            return f"its cells are not dates (e.g. '{cell_example(cells[bad].iloc[0])}')"
        return None
    if role == "status":
        codes, uniques = pd.factorize(cells)
        distinct = pd.Series(np.asarray(uniques, dtype=object), dtype=str)
        # "new" only as the whole cell: "New York" is a state, not a status
        hits = distinct.str.contains(_STATUS_VOCABULARY, regex=True) | distinct.str.fullmatch(r"(?i)\s*new\s*")
        share = float(hits.to_numpy()[codes].mean())
        if share < 0.5:
            return f"its cells are not order statuses (e.g. '{example}')"
        return None
    text = cells.str.replace("%", "", regex=False) if role == "discount" else cells
    parsed, _ = parse_amounts(text)
    bad = parsed.isna()
    if bad.mean() > 0.2:
        what = "numbers" if role == "quantity" else "amounts of money"
        return f"its cells are not {what} (e.g. '{cell_example(cells[bad].iloc[0])}')"
    return None


# First and last names in columns of their own (WooCommerce "First Name (Billing)",
# Shopify customers' "First Name", German "Vorname"/"Nachname", French "Prénom"/"Nom").
_FIRST_NAME_RE = re.compile(r"^(?:billing|invoice|customer|contact|buyer|shipping|delivery)?"
                            r"(?:firstname|givenname|forename|vorname|prenom|voornaam|nombrepila)"
                            r"(?:billing|invoice|customer|contact|buyer|shipping|delivery)?$")
_LAST_NAME_RE = re.compile(r"^(?:billing|invoice|customer|contact|buyer|shipping|delivery)?"
                           r"(?:lastname|surname|familyname|nachname|nom|achternaam|apellidos?)"
                           r"(?:billing|invoice|customer|contact|buyer|shipping|delivery)?$")


def name_part_headers(headers: list[str], body: pd.DataFrame, taken: set[str]) -> tuple[str, str] | None:
    """``(first-name header, last-name header)`` when the file writes a person's first and
    last names in columns of their own, else None. The buyer's (billing, or unqualified)
    names come before the shipping ones (a gift's recipient); both columns must hold
    words, not numbers, dates or emails."""
    from .values import looks_numeric

    def rank(header: str) -> int:
        norm = normalise_header(header)
        return 2 if ("shipping" in norm or "delivery" in norm) else 0 if ("billing" in norm or "invoice" in norm) else 1

    def fits(header: str) -> bool:
        cells = body[header].head(2000)
        cells = cells[cells.str.strip() != ""]
        return (not cells.empty and looks_numeric(cells) < 0.5 and not cells.str.contains("@", regex=False).mean() > 0.5
                and cells.str.match(r"\s*\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}").mean() < 0.5)

    free = [h for h in headers if h not in taken]
    firsts = sorted((h for h in free if _FIRST_NAME_RE.match(normalise_header(h))), key=rank)
    lasts = sorted((h for h in free if _LAST_NAME_RE.match(normalise_header(h))), key=rank)
    for first in firsts:
        for last in sorted(lasts, key=lambda h: rank(h) != rank(first)):  # the same party's last name first
            if fits(first) and fits(last):
                return first, last
    return None
