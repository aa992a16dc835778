"""What each customer bought, where from and when: the shared input of profiles, cohorts,
drivers and acquisition figures.

:func:`purchase_data` turns an order table (``customer_id``, ``date``, ``amount``, and any
order-level descriptive columns such as ``channel`` or ``country``) and an optional line
table (one row per order line: ``order`` position or ``order_id``, ``value`` and line-level
columns such as ``product`` or ``category``) into :class:`PurchaseData`: integer customer
codes, orders sorted by customer and date, each customer's first order, and lines whose
value is known (a line without a value gets an equal share of what its order's known
lines leave of the order amount).
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from ..arrays import stable_argsort
from ..errors import InputError

__all__ = ["LINE_DIMENSIONS", "ORDER_DIMENSIONS", "DIMENSION_LABELS", "MIN_TRUSTED_CUSTOMERS", "PurchaseData",
           "purchase_data"]

# Descriptive columns kept per order line and per order (the intake roles of the same names).
LINE_DIMENSIONS = ("category", "subcategory", "product", "sku", "vendor")
ORDER_DIMENSIONS = ("channel", "discount_code", "country", "region", "state", "city", "customer_type", "company")
LINE_MONEY = ("cost", "profit")
DIMENSION_LABELS = {
    "category": "category", "subcategory": "sub-category", "product": "product", "sku": "SKU",
    "vendor": "vendor", "channel": "sales channel", "discount_code": "discount code", "country": "country",
    "region": "region", "state": "state / province", "city": "city", "customer_type": "customer type",
    "company": "company",
}
# Groups with fewer customers than this are marked too small to trust.
MIN_TRUSTED_CUSTOMERS = 30


class OrderColumns(dict):
    """Columns of equal length by name (numpy arrays): a table without pandas' block copies."""

    @property
    def columns(self) -> list[str]:
        return list(self)

    def __len__(self) -> int:
        return len(next(iter(self.values()))) if dict.__len__(self) else 0

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(dict(self))


@dataclasses.dataclass
class PurchaseData:
    """Orders and lines in one normalised shape (see the module docstring).

    ``orders``: :class:`OrderColumns`, one row per order sorted by customer code then date: ``customer``
    (code), ``date`` (datetime64[ns]), ``amount`` (net), ``gross`` (before returns),
    ``month`` (calendar month number), ``nth`` (0 for a customer's first order) and the
    order-level dimensions present (text, "" when blank).
    ``lines``: ``order`` (row of ``orders``), ``customer``, ``value`` (> 0 spend of the line),
    the line dimensions present (text) and ``margin`` (profit of the line) when known.
    ``customer_ids``: the customer id of each code. ``first``: row of each customer's first order.
    """

    orders: OrderColumns
    lines: pd.DataFrame | None
    customer_ids: pd.Index
    first: np.ndarray
    as_of: pd.Timestamp
    line_dimensions: list[str]
    order_dimensions: list[str]
    margin_known: bool
    value_basis: str
    notes: list[str] = dataclasses.field(default_factory=list)

    @property
    def n_customers(self) -> int:
        return len(self.customer_ids)

    def order_counts(self) -> np.ndarray:
        return np.bincount(self.orders["customer"], minlength=self.n_customers)

    def customer_first(self, column: str) -> np.ndarray:
        """Each customer's value of an order column on their first order."""
        return self.orders[column][self.first]


def _text(values) -> np.ndarray:
    """Descriptive cells as stripped text; blanks and NaN become ""."""
    series = pd.Series(values)
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(object)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    labels = pd.Series(uniques, dtype=object).map(lambda v: "" if v is None else str(v).strip()).to_numpy(dtype=object)
    labels = np.append(labels, "")
    return labels[codes]


def _numbers(values) -> np.ndarray:
    """Floats with NaN for what is not a finite number (the array itself when it is all finite)."""
    values = np.asarray(values)
    if values.dtype.kind == "f":
        finite = np.isfinite(values)
        if finite.all():
            return values.astype("float64", copy=False)
        return np.where(finite, values, np.nan).astype("float64", copy=False)
    out = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype="float64")
    return np.where(np.isfinite(out), out, np.nan)


def purchase_data(orders: pd.DataFrame, lines: pd.DataFrame | None = None, *, as_of=None,
                  order_details: pd.DataFrame | None = None) -> PurchaseData:
    """Normalise ``orders`` (and ``lines``) for profiles, cohorts, drivers and acquisition.

    ``orders`` needs ``customer_id``, ``date`` and ``amount``; optional ``gross`` (amount
    before returns) and order-level dimension columns (:data:`ORDER_DIMENSIONS`).
    ``order_details`` (same row order as ``orders``) may hold those columns instead.
    ``lines`` needs ``order`` (row position in ``orders``) or ``order_id``; optional
    ``value`` and line dimensions (:data:`LINE_DIMENSIONS`), ``cost`` or ``profit``.
    ``as_of`` is the observation end (default: the last order date); later orders are left out.
    """
    for column in ("customer_id", "date", "amount"):
        if column not in orders.columns:
            raise InputError(f"the order table has no '{column}' column.",
                             hint="Pass the orders of read_orders(...).orders, or a table with customer_id, date and amount.")
    n = len(orders)
    details = pd.DataFrame(index=pd.RangeIndex(n))
    for column in ORDER_DIMENSIONS:
        source = order_details if order_details is not None and column in order_details.columns else orders
        if column in source.columns:
            details[column] = _text(source[column].to_numpy())
    gross_source = order_details if order_details is not None and "gross" in order_details.columns else orders
    ids_column = pd.Series(orders["customer_id"])
    if isinstance(ids_column.dtype, pd.CategoricalDtype):  # read_orders' table: codes as they are
        codes, ids = ids_column.cat.codes.to_numpy(), ids_column.cat.categories.astype(str)
    else:
        codes, ids = pd.factorize(ids_column.astype(str).to_numpy(dtype=object), sort=False)
    dates = np.asarray(orders["date"])
    if dates.dtype.kind != "M":
        dates = pd.to_datetime(pd.Series(orders["date"]), errors="coerce").to_numpy(dtype="datetime64[ns]")
    dates = dates.astype("datetime64[ns]", copy=False)
    amount = _numbers(orders["amount"].to_numpy())
    gross = _numbers(gross_source["gross"].to_numpy()) if "gross" in gross_source.columns else amount
    end = pd.Timestamp(as_of) if as_of is not None else (pd.Timestamp(dates[~np.isnat(dates)].max())
                                                         if (~np.isnat(dates)).any() else pd.Timestamp.now())
    # (on millions of orders every step below makes a new array per column: the ones no
    # longer needed are let go as it goes, to keep the working memory near the result's)
    keep = ~np.isnat(dates) & (dates <= np.datetime64(end.to_datetime64(), "ns")) & (codes >= 0)
    keep_rows = None if keep.all() else np.flatnonzero(keep)  # None: every order
    del keep
    kept_dates = dates if keep_rows is None else dates[keep_rows]
    kept_codes = codes if keep_rows is None else codes[keep_rows]
    if len(kept_dates) < 2 or (np.diff(kept_dates.view(np.int64)) >= 0).all():  # in date order (read_orders)
        order = stable_argsort(kept_codes)
    else:
        order = np.lexsort((kept_dates, kept_codes))
    del kept_dates
    if keep_rows is not None:
        order = keep_rows[order]
    del keep_rows
    # customers renumbered 0..k-1 (ids without a kept order are left out)
    kept_codes = codes[order]
    present = np.flatnonzero(np.bincount(kept_codes, minlength=len(ids)) > 0)
    renumber = np.full(len(ids), -1, dtype=np.int64)
    renumber[present] = np.arange(len(present))
    customer = renumber[kept_codes]
    del kept_codes, renumber
    sorted_amount = amount[order]
    sorted_gross = gross[order] if gross is not amount else sorted_amount.copy()
    np.maximum(sorted_gross, sorted_amount, out=sorted_gross)
    table = OrderColumns({
        "customer": customer,
        "date": dates[order],
        "amount": np.nan_to_num(sorted_amount, copy=False),
        "gross": np.nan_to_num(sorted_gross, copy=False),
    })
    del sorted_amount, sorted_gross
    table["month"] = table["date"].astype("datetime64[M]").view(np.int64)  # months since 1970-01
    starts = np.r_[True, customer[1:] != customer[:-1]] if len(customer) else np.zeros(0, dtype=bool)
    first = np.flatnonzero(starts)
    del starts
    counts = np.diff(np.r_[first, len(customer)])
    nth = np.arange(len(customer))
    nth -= np.repeat(first, counts)
    table["nth"] = nth
    order_dims = []
    for column in details.columns:
        values = details[column].to_numpy()[order]
        if (values != "").any():
            table[column] = values
            order_dims.append(column)
    customer_ids = pd.Index(np.asarray(ids, dtype=object)[present], dtype=str, name="customer_id")

    line_table, line_dims, margin_known, basis = None, [], False, "order amounts (no line items)"
    if lines is not None and len(lines):
        line_table, line_dims, margin_known, basis = _lines(lines, orders, order, table)
    data = PurchaseData(orders=table, lines=line_table, customer_ids=customer_ids, first=first, as_of=end,
                        line_dimensions=line_dims, order_dimensions=order_dims, margin_known=margin_known,
                        value_basis=basis)
    return data


def _lines(lines: pd.DataFrame, orders: pd.DataFrame, order: np.ndarray, table: pd.DataFrame):
    """Lines re-pointed at the rows of the sorted order table, with a value for each."""
    if "order" in lines.columns:
        position = lines["order"].to_numpy()
        if position.dtype.kind not in "iu":
            position = pd.to_numeric(lines["order"], errors="coerce").to_numpy()
            position = np.where(np.isfinite(position), position, -1).astype(np.int64)
    elif "order_id" in lines.columns and "order_id" in orders.columns:
        ids = pd.Index(pd.Series(orders["order_id"]).astype(str).to_numpy(dtype=object))
        position = ids.get_indexer(pd.Series(lines["order_id"]).astype(str).to_numpy(dtype=object))
    else:
        raise InputError("the line table has neither 'order' nor 'order_id' to tie each line to its order.",
                         hint="Add the order id of each line.")
    new_row = np.full(len(orders) + 1, -1, dtype=np.int64)
    new_row[order] = np.arange(len(order))
    inside = (position >= 0) & (position < len(orders))
    row = new_row[position if inside.all() else np.where(inside, position, len(orders))]
    del inside, new_row, position
    ok = row >= 0
    every = bool(ok.all())
    out = pd.DataFrame({"order": row if every else row[ok]})
    del row
    out["customer"] = table["customer"][out["order"].to_numpy()]
    if "value" in lines.columns:
        value = _numbers(lines["value"].to_numpy())
        value = value if every else value[ok]
    else:
        value = np.full(len(out), np.nan)
    if np.isfinite(value).all():
        basis = "line values"
    else:
        # a line without a value: an equal share of what the order's known lines leave
        known = np.where(np.isfinite(value), value, 0.0)
        rows = out["order"].to_numpy()
        n_orders = len(table)
        known_sum = np.bincount(rows, weights=known, minlength=n_orders)
        missing = np.bincount(rows, weights=(~np.isfinite(value)).astype(float), minlength=n_orders)
        rest = np.maximum(table["gross"] - known_sum, 0.0)
        share = np.divide(rest, missing, out=np.zeros(n_orders), where=missing > 0)
        value = np.where(np.isfinite(value), value, share[rows])
        basis = ("order amounts shared equally among each order's lines" if not np.isfinite(known).any() or
                 not (known != 0).any() else "line values (lines without one share the rest of their order)")
    out["value"] = np.maximum(value, 0.0)
    dims = []
    for column in LINE_DIMENSIONS:
        if column in lines.columns:
            text = _text(lines[column].to_numpy())[ok]
            if (text != "").any():
                out[column] = text
                dims.append(column)
    margin_known = False
    if "profit" in lines.columns or "cost" in lines.columns:
        if "profit" in lines.columns:
            margin = _numbers(lines["profit"].to_numpy())[ok]
        else:
            margin = out["value"].to_numpy() - _numbers(lines["cost"].to_numpy())[ok]
        if np.isfinite(margin).mean() >= 0.5:
            out["margin"] = np.nan_to_num(margin)
            margin_known = True
    return out, dims, margin_known, basis


def order_margin(data: PurchaseData, margin_rate: float = 1.0) -> np.ndarray:
    """Margin of each order: its amount × the margin share of its lines' profit when the
    file has profit or cost columns (orders without lines take the shop's overall share),
    else its amount × ``margin_rate``."""
    amount = data.orders["amount"]
    if not data.margin_known or data.lines is None:
        return amount * float(margin_rate)
    rows = data.lines["order"].to_numpy()
    n = len(amount)
    value = np.bincount(rows, weights=data.lines["value"].to_numpy(), minlength=n)
    margin = np.bincount(rows, weights=data.lines["margin"].to_numpy(), minlength=n)
    overall = float(margin.sum() / value.sum()) if value.sum() > 0 else float(margin_rate)
    share = np.divide(margin, value, out=np.full(n, overall), where=value > 0)
    return amount * share
