"""Column store behind the desktop tables (no Qt here).

A :class:`ColumnTable` keeps one numpy array per column and formats a cell only when a
view asks for it, so a table of a million customers costs no per-cell Python objects
beyond the arrays pandas already holds. Sorting and filtering return row-index arrays
computed with vectorised numpy/pandas operations.
"""
from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

TEXT, NUMBER, MONEY, PERCENT, INTEGER, DATE, FLAG = (
    "text", "number", "money", "percent", "integer", "date", "flag")

# Friendly headers and display kinds for the documented customer-table columns; "{frame}"
# and "{cur}" are filled with the run's time frame and currency (see customer_columns).
CUSTOMER_COLUMNS: dict[str, tuple[str, str]] = {
    "customer": ("Customer", TEXT),
    "customer_id": ("Customer ID", TEXT),
    "email": ("Email", TEXT),
    "name": ("Name", TEXT),
    "consent": ("Agreed to marketing", FLAG),
    "orders": ("Orders", INTEGER),
    "total_value": ("Spent so far{cur}", MONEY),
    "average_order_value": ("Average order{cur}", MONEY),
    "first_order": ("First order", DATE),
    "last_order": ("Last order", DATE),
    "days_since_last_order": ("Days since last order", INTEGER),
    "avg_days_between_orders": ("Days between orders", NUMBER),
    "orders_per_year": ("Orders per year", NUMBER),
    "clv": ("Expected value, {frame}{cur}", MONEY),
    "clv_low": ("Expected value, low{cur}", MONEY),
    "clv_high": ("Expected value, high{cur}", MONEY),
    "clv_method": ("How value was worked out", TEXT),
    "p_alive": ("Chance still a customer", PERCENT),
    "churn_risk": ("Churn risk (probability)", PERCENT),
    "churn_label": ("Churn risk", TEXT),
    "expected_orders": ("Expected orders, {frame}", NUMBER),
    "next_order_date": ("Next order (estimate)", DATE),
    "tier": ("Value tier", TEXT),
    "rfm_r": ("Recency score (1-5)", INTEGER),
    "rfm_f": ("Frequency score (1-5)", INTEGER),
    "rfm_m": ("Spend score (1-5)", INTEGER),
    "rfm_score": ("RFM code", TEXT),
    "rfm_segment": ("Segment", TEXT),
    "actions": ("Recommended actions", TEXT),
    "frequency": ("Repeat orders", INTEGER),
    "recency": ("Days from first to last order", NUMBER),
    "T": ("Days since first order", NUMBER),
    "monetary_value": ("Average repeat order{cur}", MONEY),
    "expected_order_value": ("Expected order value{cur}", MONEY),
}

# Segment profile columns (clv_engine.segments.segment_profiles).
PROFILE_COLUMNS: dict[str, tuple[str, str]] = {
    "tier": ("Value tier", TEXT),
    "rfm_segment": ("Segment", TEXT),
    "customers": ("Customers", INTEGER),
    "share_of_customers": ("Share of customers", PERCENT),
    "total_value": ("Expected value{cur}", MONEY),
    "average_value": ("Average value{cur}", MONEY),
    "share_of_value": ("Share of value", PERCENT),
    "orders": ("Orders", INTEGER),
    "average_order_value": ("Average order{cur}", MONEY),
    "orders_per_year": ("Orders per year", NUMBER),
    "days_since_last_order": ("Days since last order", NUMBER),
    "churn_risk": ("Churn risk", PERCENT),
    "actions": ("Recommended actions", TEXT),
}

# Profile columns shown first: the group, its size and worth, and what to do.
PROFILE_COLUMN_ORDER = ("tier", "rfm_segment", "customers", "share_of_customers",
                        "average_value", "share_of_value", "actions")

# Customer table: who first, then what a shop owner looks for, then the rest.
CUSTOMER_COLUMN_ORDER = (
    "customer", "email", "customer_id", "name", "tier", "clv", "churn_label",
    "rfm_segment", "orders", "total_value", "last_order", "next_order_date", "p_alive",
    "churn_risk", "actions",
)
# Shown until the user picks columns (Columns… button): identity, worth, risk, action.
DEFAULT_CUSTOMER_COLUMNS = (
    "customer", "email", "tier", "clv", "churn_label", "rfm_segment", "orders",
    "total_value", "last_order", "next_order_date", "actions",
)


def _headers(known: dict[str, tuple[str, str]], context=None) -> dict[str, tuple[str, str]]:
    frame = context.short_frame() if context is not None else "next 12 months"
    cur = context.currency_suffix() if context is not None else ""
    return {key: (header.format(frame=frame, cur=cur), kind)
            for key, (header, kind) in known.items()}


def customer_columns(context=None) -> dict[str, tuple[str, str]]:
    """CUSTOMER_COLUMNS with the run's time frame and currency in the headers."""
    return _headers(CUSTOMER_COLUMNS, context)


def profile_columns(context=None) -> dict[str, tuple[str, str]]:
    return _headers(PROFILE_COLUMNS, context)


def default_customer_columns(keys: list[str]) -> list[str]:
    """The default visible columns among ``keys`` (the churn probability stands in for
    the label when the engine gives no label)."""
    wanted = list(DEFAULT_CUSTOMER_COLUMNS)
    if "churn_label" not in keys:
        wanted.insert(wanted.index("churn_label"), "churn_risk")
    return [k for k in wanted if k in keys]


def customer_table(customers: pd.DataFrame, context=None) -> "ColumnTable":
    """The customer table for the app: a 'Customer' column (name, else email, else ID)
    first, readable headers, the churn probability as the churn label's tooltip."""
    known = customer_columns(context)
    table = ColumnTable.from_frame(customers, known=known, order=CUSTOMER_COLUMN_ORDER)
    if len(customers.columns) and "customer" not in customers.columns:
        # vectorised over object arrays and added as a column of its own (not through
        # the frame, which would convert a million strings twice)
        who = np.full(len(customers), "", dtype=object)
        missing = np.ones(len(customers), dtype=bool)
        for key in ("name", "email", "customer_id"):  # the first one given wins
            column = table.column(key)
            if column is None:
                continue
            values = column.values
            # x == x is False only for NaN; plain comparisons, no per-cell Python calls
            given = (values == values) & np.not_equal(values, None) & (values != "")
            take = missing & given
            who[take] = values[take]
            missing &= ~given
        header, kind = known["customer"]
        table = ColumnTable([Column("customer", header, kind, who), *table.columns],
                            table.n_rows)
    label, risk = table.column("churn_label"), table.column("churn_risk")
    if label is not None and risk is not None:
        label.tip = risk
        label.tip_text = "Chance of no order in the {frame}: {value}".format(
            frame=context.short_frame() if context is not None else "next 12 months",
            value="{value}")
    return table


@dataclass
class Column:
    """One column: its header, how to show it, and its values as a numpy array."""

    key: str
    header: str
    kind: str
    values: np.ndarray
    tip: Column | None = field(default=None, repr=False)   # shown on hover
    tip_text: str = "{value}"
    _sort_key: np.ndarray | None = field(default=None, repr=False)
    _search_text: tuple[str, np.ndarray] | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def display(self, row: int) -> str:
        value = self.values[row]
        kind = self.kind
        if kind == TEXT:
            return "" if value is None or value is pd.NA or _is_nan(value) else str(value)
        if kind == DATE:
            return "" if np.isnat(value) else str(value)[:10]
        if kind == FLAG:
            if value is None or value is pd.NA or _is_nan(value):
                return "unknown"
            return "yes" if bool(value) else "no"
        if _is_nan(value):
            return ""
        if kind == MONEY:
            return f"{value:,.2f}"
        if kind == PERCENT:
            return f"{value:.0%}"
        if kind == INTEGER:
            return f"{int(value):,}"
        return f"{value:,.2f}" if abs(value) < 1e15 else f"{value:.3g}"

    def tooltip(self, row: int) -> str:
        if self.tip is None:
            return self.display(row)
        value = self.tip.display(row)
        return self.tip_text.format(value=value) if value else self.display(row)

    def is_numeric(self) -> bool:
        return self.kind in (NUMBER, MONEY, PERCENT, INTEGER)

    def sort_key(self) -> np.ndarray:
        """float64 key per row (NaN for missing); cached because text keys are slow."""
        with self._lock:  # a background warm-up and a header click may ask at once
            if self._sort_key is None:
                self._sort_key = _make_sort_key(self)
            return self._sort_key

    def contains(self, text: str) -> np.ndarray:
        """Rows whose text contains ``text``, ignoring case.

        All values are joined once into one lower-case string; a search is then one
        C-level scan plus ``searchsorted`` from match positions to rows.
        """
        with self._lock:
            if self._search_text is None:
                self._search_text = _search_text(self.values)
            joined, starts = self._search_text
        needle = text.lower().replace(SEPARATOR, "")
        mask = np.zeros(len(self.values), dtype=bool)
        if not needle:
            mask[:] = True
            return mask
        positions = np.fromiter((m.start() for m in re.finditer(re.escape(needle), joined)),
                                dtype=np.int64)
        if len(positions):
            mask[np.searchsorted(starts, positions, side="right") - 1] = True
        return mask

    def warm_up(self) -> None:
        """Build the sort key and search text now (from a background thread)."""
        self.sort_key()
        if self.kind == TEXT:
            self.contains("")  # builds the search text


SEPARATOR = "\x00"


def _lowered(values: np.ndarray) -> list[str]:
    """Each value as lower-case text ("" when missing)."""
    return [v.lower() if isinstance(v, str) else ("" if _missing(v) else str(v).lower())
            for v in values]


def _is_nan(value) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _missing(value) -> bool:
    return value is None or value is pd.NA or _is_nan(value)


def _search_text(values: np.ndarray) -> tuple[str, np.ndarray]:
    """Lower-cased values joined by NUL, and where each row starts in that string."""
    lowered = [v.replace(SEPARATOR, "") for v in _lowered(values)]
    lengths = np.fromiter(map(len, lowered), dtype=np.int64, count=len(lowered)) + 1
    starts = np.zeros(len(lowered), dtype=np.int64)
    if len(lowered) > 1:
        np.cumsum(lengths[:-1], out=starts[1:])
    return SEPARATOR.join(lowered), starts


def _make_sort_key(column: Column) -> np.ndarray:
    values = column.values
    if column.kind == DATE:
        key = values.astype("datetime64[ns]").astype(np.int64).astype(np.float64)
        key[np.isnat(values)] = np.nan
        return key
    if column.kind == FLAG:
        series = pd.Series(values, dtype="boolean")
        return series.astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan)
    if column.is_numeric():
        return np.asarray(values, dtype=np.float64)
    # Equal strings (ignoring case) get equal ranks, so a later stable sort keeps their
    # previous order; missing values rank NaN (last). Few distinct values (tiers,
    # segments): factorize and sort only those. Many (names, emails): sort them all as a
    # fixed-width numpy string array, which beats hashing a million distinct strings.
    series = pd.Series(values, dtype=object)
    sample = series.iloc[:: max(1, len(series) // 2000)]
    if len(series) > 5000 and sample.nunique() > len(sample) // 2:
        missing = series.isna().to_numpy()
        lowered = np.array(_lowered(values), dtype=str)
        codes = np.arange(len(series))
        codes[missing] = -1
    else:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        lowered = np.array([str(u).lower() for u in uniques], dtype=str)
    order = np.argsort(lowered, kind="stable")
    sorted_text = lowered[order]
    new_group = np.ones(len(lowered), dtype=bool)
    if len(lowered) > 1:
        new_group[1:] = sorted_text[1:] != sorted_text[:-1]
    unique_rank = np.empty(len(lowered) + 1, dtype=np.float64)
    unique_rank[order] = np.cumsum(new_group)
    unique_rank[-1] = np.nan  # code -1 (missing) indexes this slot
    return unique_rank[codes]


def _kind_of(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series.dtype):
        return FLAG
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return DATE
    if pd.api.types.is_integer_dtype(series.dtype):
        return INTEGER
    if pd.api.types.is_float_dtype(series.dtype):
        return NUMBER
    return TEXT


def _values_for(series: pd.Series, kind: str) -> np.ndarray:
    if kind == DATE:
        values = series.to_numpy()
        if values.dtype.kind != "M":
            values = pd.to_datetime(series, errors="coerce").to_numpy()
        return values.astype("datetime64[ns]") if values.dtype.kind == "M" else values
    if kind in (NUMBER, MONEY, PERCENT, INTEGER):
        return pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    if kind == FLAG:
        return series.to_numpy(dtype=object)
    return series.to_numpy(dtype=object)


class ColumnTable:
    """Read-only table of columns with vectorised sort keys and row masks."""

    def __init__(self, columns: list[Column], n_rows: int):
        self.columns = columns
        self.n_rows = n_rows
        self._by_key = {c.key: i for i, c in enumerate(columns)}

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, *, known: dict[str, tuple[str, str]] | None = None,
                   order: tuple[str, ...] = (), include_index: bool = False) -> ColumnTable:
        """Build from a DataFrame; ``known`` maps column -> (header, kind)."""
        if include_index:
            frame = frame.reset_index()
        known = known or {}
        names = [str(c) for c in frame.columns]
        ordered = [c for c in order if c in names] + [c for c in names if c not in order]
        columns = []
        for name in ordered:
            series = frame[name]
            header, kind = known.get(name, (name.replace("_", " ").capitalize()
                                            if name.islower() else name, _kind_of(series)))
            columns.append(Column(name, header, kind, _values_for(series, kind)))
        return cls(columns, len(frame))

    @classmethod
    def empty(cls) -> ColumnTable:
        return cls([], 0)

    def column_index(self, key: str) -> int | None:
        return self._by_key.get(key)

    def column(self, key: str) -> Column | None:
        i = self._by_key.get(key)
        return None if i is None else self.columns[i]

    def display(self, row: int, col: int) -> str:
        return self.columns[col].display(row)

    def sorted_rows(self, col: int, descending: bool = False,
                    rows: np.ndarray | None = None) -> np.ndarray:
        """Row indices ordered by column ``col`` (stable; missing values last)."""
        key = self.columns[col].sort_key()
        if rows is not None:
            key = key[rows]
        key = -key if descending else key
        order = np.argsort(key, kind="stable")
        return order if rows is None else rows[order]

    def equals_mask(self, key: str, value: str) -> np.ndarray:
        column = self.column(key)
        if column is None:
            return np.zeros(self.n_rows, dtype=bool)
        return np.asarray(column.values == value, dtype=bool)

    def contains_mask(self, keys: tuple[str, ...], text: str) -> np.ndarray:
        """Rows where any of the ``keys`` columns contains ``text`` (case-insensitive)."""
        mask = np.zeros(self.n_rows, dtype=bool)
        for key in keys:
            column = self.column(key)
            if column is not None:
                mask |= column.contains(text)
        return mask

    def warm_up(self, keys: tuple[str, ...]) -> None:
        """Precompute sort keys and search text of ``keys`` (call from a worker thread)."""
        for key in keys:
            column = self.column(key)
            if column is not None:
                column.warm_up()

    def distinct(self, key: str) -> list[str]:
        """Sorted distinct non-empty values of a text column (for filter drop-downs)."""
        column = self.column(key)
        if column is None:
            return []
        values = pd.Series(column.values, dtype=object).dropna().astype(str)
        return sorted(v for v in values.unique() if v)
