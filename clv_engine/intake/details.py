"""What the export says about each order and line: products, categories, channel, discount
code, geography, customer type, profit or cost (the descriptive roles of
:mod:`~clv_engine.intake.columns`).

Kept apart from the order table so that reading them never changes which rows are orders
or what an order is worth. An order-level cell (channel, country …) is taken from the
first of the order's lines that has one (Shopify writes them on the first line only).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .columns import LINE_DESCRIPTIVE_ROLES, ORDER_DESCRIPTIVE_ROLES
from .values import clean_text, parse_amounts

__all__ = ["OrderDetails", "order_details"]


@dataclass
class OrderDetails:
    """Descriptive data of an intake.

    ``lines``: one row per used order line: ``order`` (row position in ``OrderData.orders``),
    ``value`` (the line's amount when lines carry their own amounts, else NaN) and the line
    roles found (text; ``cost`` and ``profit`` as numbers).
    ``orders``: aligned with ``OrderData.orders``: ``gross`` (value before returns were
    netted) and the order roles found (text, "" when blank).
    ``roles``: role -> column header used. ``missing``: role group -> why it is absent.
    """

    lines: pd.DataFrame
    orders: pd.DataFrame
    roles: dict[str, str] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)


def _first_filled_per_order(values: np.ndarray, order: np.ndarray, n_orders: int) -> np.ndarray:
    """Per order, the first non-blank value among its lines (lines in file order)."""
    out = np.full(n_orders, "", dtype=object)
    filled = np.flatnonzero(values != "")
    if len(filled):
        rows = filled[::-1]  # assigning in reverse leaves the first line's value
        out[order[rows]] = values[rows]
    return out


def order_details(body: pd.DataFrame, described: dict[str, str], line_rows: np.ndarray, line_order: np.ndarray,
                  line_value: np.ndarray | None, gross: np.ndarray, not_product: np.ndarray | None = None) -> OrderDetails:
    """Build :class:`OrderDetails` from the raw table ``body`` (headers as columns).

    ``line_rows``: body index labels of the lines that made orders (file order);
    ``line_order``: the row position in the order table of each of them; ``line_value``:
    each line's own amount (None when lines do not carry one); ``gross``: each order's
    value before returns, aligned with the order table. ``not_product``: per line, True for
    postage, fees, adjustments …: they give their order its channel or country like any
    line, but are not among the lines (what customers buy).
    """
    n_orders = len(gross)
    lines = pd.DataFrame({"order": line_order.astype(np.int64, copy=False),
                          "value": (np.asarray(line_value, dtype="float64") if line_value is not None
                                    else np.full(len(line_rows), np.nan))}, copy=False)
    orders = pd.DataFrame({"gross": np.asarray(gross, dtype="float64")}, copy=False)
    if described:
        position = body.index.get_indexer(line_rows)
        sequence = np.argsort(position, kind="stable")
        for role, header in described.items():
            cells = body[header].iloc[position]
            if role in ("cost", "profit"):
                values, _ = parse_amounts(clean_text(cells))
                lines[role] = values.to_numpy(dtype="float64")
            elif role in LINE_DESCRIPTIVE_ROLES:
                lines[role] = clean_text(cells).to_numpy(dtype=object)
            elif role in ORDER_DESCRIPTIVE_ROLES:
                text = clean_text(cells).to_numpy(dtype=object)[sequence]
                orders[role] = _first_filled_per_order(text, line_order[sequence], n_orders)
    if not_product is not None and np.any(not_product):
        lines = lines.loc[~np.asarray(not_product, dtype=bool)].reset_index(drop=True)
    missing = {}
    groups = {"products": ("product", "sku", "category", "subcategory", "vendor"),
              "channels": ("channel",), "geography": ("country", "region", "state", "city"),
              "discount codes": ("discount_code",), "customer types": ("customer_type", "company"),
              "margin": ("cost", "profit")}
    for group, roles in groups.items():
        if not any(r in described for r in roles):
            missing[group] = "the file has no " + {
                "products": "product, SKU or category column",
                "channels": "sales channel, source or UTM column",
                "geography": "country, region, state or city column",
                "discount codes": "discount or coupon code column",
                "customer types": "customer type, segment or company column",
                "margin": "profit or cost column",
            }[group]
    return OrderDetails(lines=lines, orders=orders, roles=dict(described), missing=missing)


def details_from_intake(body: pd.DataFrame, described: dict[str, str], lines: pd.DataFrame, order_row_by_key: pd.Series,
                        gross_by_key: pd.Series, result_rows: np.ndarray, line_values: bool,
                        non_product: pd.Series | None = None) -> OrderDetails:
    """The intake's hook: ``lines`` (``key``, ``row``, ``amount`` of each used line),
    each order key's first row and value before returns, and the order table's ``row``
    column (which ties a line to its order). ``line_values``: each line's amount is its own
    value (not a repeat of the order total). ``non_product``: per body row, the kind of a line
    that is not a product ("" for products)."""
    # keys and rows are small non-negative integers (order codes, spreadsheet rows): they are
    # looked up in plain arrays, not hashed (three hash tables of millions of rows were the
    # biggest part of intake's working memory)
    result_rows = np.asarray(result_rows, dtype=np.int64)
    keys = order_row_by_key.index.to_numpy(dtype=np.int64)
    key_rows = order_row_by_key.to_numpy(dtype=np.int64)
    position_of_row = np.full(max(int(result_rows.max(initial=-1)), int(key_rows.max(initial=-1))) + 1, -1,
                              dtype=np.int64)
    position_of_row[result_rows] = np.arange(len(result_rows))
    row_of_key = np.full(int(keys.max(initial=-1)) + 1, -1, dtype=np.int64)
    row_of_key[keys] = key_rows

    def position_of_key(k: np.ndarray) -> np.ndarray:  # -1: no such order
        if not len(k) or k.min() >= 0 and k.max() < len(row_of_key):  # (the usual case: one step)
            row = row_of_key[k]
        else:
            known = (k >= 0) & (k < len(row_of_key))
            row = np.where(known, row_of_key[np.where(known, k, 0)], -1)
        if not len(row) or row.min() >= 0:
            return position_of_row[row]
        return np.where(row >= 0, position_of_row[np.maximum(row, 0)], -1)

    line_order = position_of_key(lines["key"].to_numpy(dtype=np.int64))
    keep = line_order >= 0
    every = bool(keep.all())
    gross = np.zeros(len(result_rows))
    gross_at = position_of_key(gross_by_key.index.to_numpy(dtype=np.int64))
    found = gross_at >= 0
    if found.all():
        gross[gross_at] = gross_by_key.to_numpy(dtype="float64")
    else:
        gross[gross_at[found]] = gross_by_key.to_numpy(dtype="float64")[found]
    del position_of_row, row_of_key
    line_rows = lines["row"].to_numpy()
    line_rows = line_rows if every else line_rows[keep]
    line_amounts = lines["amount"].to_numpy(dtype="float64") if line_values else None
    return order_details(body, described, line_rows, line_order if every else line_order[keep],
                         None if line_amounts is None else line_amounts if every else line_amounts[keep],
                         gross,
                         None if non_product is None else
                         _is_marked(non_product, line_rows))


def _is_marked(kinds: pd.Series, rows: np.ndarray) -> np.ndarray:
    """Per row label in ``rows``: does ``kinds`` hold a non-blank cell there."""
    marked = np.asarray(kinds.fillna("").to_numpy(dtype=object) != "", dtype=bool)
    if not marked.any():
        return np.zeros(len(rows), dtype=bool)
    at = kinds.index.get_indexer(rows)
    return np.where(at >= 0, marked[np.maximum(at, 0)], False)
