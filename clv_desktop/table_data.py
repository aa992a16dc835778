"""Column store behind the desktop tables (no Qt here).

A :class:`ColumnTable` keeps one numpy array per column and formats a cell only when a
view asks for it, so a table of a million customers costs no per-cell Python objects
beyond the arrays pandas already holds. Sorting and filtering return row-index arrays
computed with vectorised numpy/pandas operations.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

TEXT, NUMBER, MONEY, PERCENT, INTEGER, DATE, FLAG = (
    "text", "number", "money", "percent", "integer", "date", "flag")

# Friendly headers and display kinds for the documented customer-table columns.
CUSTOMER_COLUMNS: dict[str, tuple[str, str]] = {
    "customer_id": ("Customer ID", TEXT),
    "email": ("Email", TEXT),
    "name": ("Name", TEXT),
    "consent": ("Marketing consent", FLAG),
    "orders": ("Orders", INTEGER),
    "total_value": ("Spent so far", MONEY),
    "average_order_value": ("Average order", MONEY),
    "first_order": ("First order", DATE),
    "last_order": ("Last order", DATE),
    "days_since_last_order": ("Days since last order", INTEGER),
    "avg_days_between_orders": ("Days between orders", NUMBER),
    "orders_per_year": ("Orders per year", NUMBER),
    "clv": ("Expected value (CLV)", MONEY),
    "clv_low": ("CLV low", MONEY),
    "clv_high": ("CLV high", MONEY),
    "clv_method": ("CLV method", TEXT),
    "p_alive": ("Chance still active", PERCENT),
    "churn_risk": ("Churn risk", PERCENT),
    "expected_orders": ("Expected orders", NUMBER),
    "next_order_date": ("Next order (est.)", DATE),
    "tier": ("Tier", TEXT),
    "rfm_r": ("R", INTEGER),
    "rfm_f": ("F", INTEGER),
    "rfm_m": ("M", INTEGER),
    "rfm_score": ("RFM score", TEXT),
    "rfm_segment": ("Segment", TEXT),
    "actions": ("Recommended actions", TEXT),
}

# Segment profile columns (clv_engine.segments.segment_profiles).
PROFILE_COLUMNS: dict[str, tuple[str, str]] = {
    "tier": ("Tier", TEXT),
    "rfm_segment": ("Segment", TEXT),
    "customers": ("Customers", INTEGER),
    "share_of_customers": ("Share of customers", PERCENT),
    "total_value": ("Expected value", MONEY),
    "average_value": ("Average value", MONEY),
    "share_of_value": ("Share of value", PERCENT),
    "orders": ("Orders", INTEGER),
    "average_order_value": ("Average order", MONEY),
    "orders_per_year": ("Orders per year", NUMBER),
    "days_since_last_order": ("Days since last order", NUMBER),
    "churn_risk": ("Churn risk", PERCENT),
    "actions": ("Recommended actions", TEXT),
}

# Profile columns shown first: the group, its size and worth, and what to do.
PROFILE_COLUMN_ORDER = ("tier", "rfm_segment", "customers", "share_of_customers",
                        "average_value", "share_of_value", "actions")

# Columns shown first in the customer table: what a shop owner looks for.
CUSTOMER_COLUMN_ORDER = (
    "name", "email", "tier", "clv", "rfm_segment", "orders", "total_value", "last_order",
    "p_alive", "churn_risk", "next_order_date", "actions",
)


@dataclass
class Column:
    """One column: its header, how to show it, and its values as a numpy array."""

    key: str
    header: str
    kind: str
    values: np.ndarray
    _sort_key: np.ndarray | None = field(default=None, repr=False)

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

    def is_numeric(self) -> bool:
        return self.kind in (NUMBER, MONEY, PERCENT, INTEGER)

    def sort_key(self) -> np.ndarray:
        """float64 key per row (NaN for missing); cached because text keys are slow."""
        if self._sort_key is None:
            self._sort_key = _make_sort_key(self)
        return self._sort_key


def _is_nan(value) -> bool:
    return isinstance(value, float) and math.isnan(value)


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
    series = pd.Series(values, dtype=object).fillna("").astype(str).str.lower()
    text = series.to_numpy(dtype=object).astype(str)
    order = np.argsort(text, kind="stable")
    # Rank equal strings equally so a later stable sort keeps their previous order.
    ranks = np.empty(len(text), dtype=np.float64)
    sorted_text = text[order]
    new_group = np.ones(len(text), dtype=bool)
    if len(text) > 1:
        new_group[1:] = sorted_text[1:] != sorted_text[:-1]
    ranks[order] = np.cumsum(new_group)
    return ranks


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
            if column is None:
                continue
            series = pd.Series(column.values, dtype=object)
            found = series.str.contains(text, case=False, regex=False, na=False)
            mask |= found.to_numpy(dtype=bool, na_value=False)
        return mask

    def distinct(self, key: str) -> list[str]:
        """Sorted distinct non-empty values of a text column (for filter drop-downs)."""
        column = self.column(key)
        if column is None:
            return []
        values = pd.Series(column.values, dtype=object).dropna().astype(str)
        return sorted(v for v in values.unique() if v)
