"""Who is in each segment and what they buy: purchase profiles with lift.

For a segment S (a value tier, an RFM segment or a group of a customer attribute) and a
value v of a dimension (a category, product, sales channel, country …):

* ``figure`` = customers of S who bought v (had a line, or an order, with v) / customers of S;
* ``all_figure`` = the same share among all customers;
* ``lift`` = ``figure / all_figure`` — "S buys v 2.1× as often as the average customer";
* ``spend_share`` = S's spend on v / S's whole spend; ``all_spend_share`` the same for all
  customers; ``spend_lift`` their ratio. Spend is the value of the lines (or orders) before
  returns.

Customer-level dimensions (``first_product``, ``first_category``: what the customer's first
order was mostly spent on) count a customer's whole spend under that value. Behaviour rows
(dimension ``behaviour``) give the segment's figure next to all customers' with their
ratio as ``lift``: repeat rate, median days to the second order, average days between
orders, return rate, average margin and discount-code use. A segment with fewer than
:data:`~clv_engine.segments.purchases.MIN_TRUSTED_CUSTOMERS` customers is marked
``too_small``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .purchases import DIMENSION_LABELS, MIN_TRUSTED_CUSTOMERS, PurchaseData, order_margin

__all__ = ["PROFILE_TABLE_COLUMNS", "TOP_VALUES", "first_line_values", "purchase_profiles"]

PROFILE_TABLE_COLUMNS = (
    "group_by", "segment", "segment_customers", "dimension", "value", "customers", "figure", "all_figure", "lift",
    "spend_share", "all_spend_share", "spend_lift", "too_small",
)
TOP_VALUES = 10  # values kept per segment and dimension (the segment's most bought)


def first_line_values(data: PurchaseData, column: str) -> np.ndarray:
    """Per customer: ``column`` of the line their first order spent most on ("" without lines)."""
    out = np.full(data.n_customers, "", dtype=object)
    lines = data.lines
    if lines is None or column not in lines.columns:
        return out
    nth = data.orders["nth"]
    rows = lines["order"].to_numpy()
    first = np.flatnonzero(nth[rows] == 0)
    if not len(first):
        return out
    value = lines["value"].to_numpy()[first]
    order = first[np.lexsort((-value, rows[first]))]
    keep = np.r_[True, rows[order][1:] != rows[order][:-1]]
    best = order[keep]
    out[lines["customer"].to_numpy()[best]] = lines[column].to_numpy()[best]
    return out


def _dimension_pairs(customer: np.ndarray, values: np.ndarray, weight: np.ndarray):
    """Distinct (customer, value) pairs with their summed weight; blank values left out."""
    codes, uniques = pd.factorize(values, sort=False)
    ok = (codes >= 0) & (values != "")
    nv = max(len(uniques), 1)
    key = customer[ok].astype(np.int64) * nv + codes[ok]
    pairs, inverse = np.unique(key, return_inverse=True)
    spend = np.bincount(inverse, weights=weight[ok], minlength=len(pairs))
    return pairs // nv, pairs % nv, spend, np.asarray(uniques, dtype=object)


def _dimensions(data: PurchaseData) -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]:
    """(name, customer of each row, value of each row, spend of each row) per dimension."""
    dims = []
    lines = data.lines
    if lines is not None:
        names = [d for d in data.line_dimensions if not (d == "sku" and "product" in data.line_dimensions)]
        for name in names:
            dims.append((name, lines["customer"].to_numpy(), lines[name].to_numpy(), lines["value"].to_numpy()))
        spend = np.bincount(lines["customer"].to_numpy(), weights=lines["value"].to_numpy(), minlength=data.n_customers)
        for name in ("product", "category"):
            if name in data.line_dimensions:
                dims.append((f"first_{name}", np.arange(data.n_customers), first_line_values(data, name), spend))
    orders = data.orders
    gross = np.maximum(orders["gross"], 0.0)
    for name in data.order_dimensions:
        dims.append((name, orders["customer"], orders[name], gross))
    return dims


def _label_codes(labels) -> tuple[np.ndarray, list[str]]:
    series = pd.Series(labels)
    if isinstance(series.dtype, pd.CategoricalDtype):
        names = [str(c) for c in series.cat.categories]
        codes = series.cat.codes.to_numpy().astype(np.int64)
        if (codes < 0).any():
            names.append("(not set)")
            codes = np.where(codes < 0, len(names) - 1, codes)
        return codes, names
    text = series.astype(object).where(series.notna(), "(not set)").astype(str).to_numpy(dtype=object)
    codes, uniques = pd.factorize(text, sort=False)
    return codes.astype(np.int64), [str(u) for u in uniques]


def purchase_profiles(data: PurchaseData, groups: dict, *, margin: float = 1.0, top: int = TOP_VALUES) -> pd.DataFrame:
    """Profile table (:data:`PROFILE_TABLE_COLUMNS`) of each segment of each grouping.

    ``groups`` maps a grouping name (``tier``, ``rfm_segment``, an attribute) to one label
    per customer, in the order of ``data.customer_ids``. Per segment and dimension the
    ``top`` values the segment spends most on are kept.
    """
    dims = []
    for name, customer, values, weight in _dimensions(data):
        pc, pv, spend, uniques = _dimension_pairs(customer, values, weight)
        if len(pc):
            total = np.bincount(customer, weights=weight, minlength=data.n_customers)
            dims.append((name, pc, pv, spend, uniques, total))
    behaviour = _behaviour_per_customer(data, margin)
    frames = []
    for group_by, labels in groups.items():
        gcode, names = _label_codes(labels)
        if len(gcode) != data.n_customers:
            raise ValueError(f"{group_by}: {len(gcode)} labels for {data.n_customers} customers")
        frames.append(_group_profile(group_by, gcode, names, dims, behaviour, data.n_customers, top))
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame({c: [] for c in PROFILE_TABLE_COLUMNS})
    return table[list(PROFILE_TABLE_COLUMNS)]


def _group_profile(group_by, gcode, names, dims, behaviour, n_customers, top) -> pd.DataFrame:
    n_groups = len(names)
    seg_customers = np.bincount(gcode, minlength=n_groups)
    rows = []
    for name, pc, pv, spend, uniques, total in dims:
        nv = len(uniques)
        key = gcode[pc] * nv + pv
        buyers = np.bincount(key, minlength=n_groups * nv).reshape(n_groups, nv)
        seg_spend = np.bincount(key, weights=spend, minlength=n_groups * nv).reshape(n_groups, nv)
        seg_total = np.bincount(gcode, weights=total, minlength=n_groups)
        all_buyers = buyers.sum(axis=0)
        all_spend = seg_spend.sum(axis=0)
        all_total = float(total.sum())
        all_figure = all_buyers / max(n_customers, 1)
        all_spend_share = all_spend / all_total if all_total > 0 else np.zeros(nv)
        for g in range(n_groups):
            if seg_customers[g] == 0:
                continue
            figure = buyers[g] / seg_customers[g]
            spend_share = seg_spend[g] / seg_total[g] if seg_total[g] > 0 else np.zeros(nv)
            ranked = np.lexsort((-figure, -spend_share))
            ranked = [v for v in ranked if buyers[g, v] > 0][:top]
            for v in ranked:
                rows.append((group_by, names[g], int(seg_customers[g]), name, str(uniques[v]), int(buyers[g, v]),
                             float(figure[v]), float(all_figure[v]), _ratio(figure[v], all_figure[v]),
                             float(spend_share[v]), float(all_spend_share[v]),
                             _ratio(spend_share[v], all_spend_share[v])))
    for metric, values, weights, kind in behaviour:
        have = np.isfinite(values)
        if not have.any():
            continue
        all_value = _combine(values[have], weights[have], kind)
        for g in range(n_groups):
            mine = have & (gcode == g)
            if seg_customers[g] == 0 or not mine.any():
                continue
            figure = _combine(values[mine], weights[mine], kind)
            rows.append((group_by, names[g], int(seg_customers[g]), "behaviour", metric, int(mine.sum()),
                         figure, all_value, _ratio(figure, all_value), 0.0, 0.0, 0.0))
    table = pd.DataFrame(rows, columns=list(PROFILE_TABLE_COLUMNS[:-1]))
    table["too_small"] = table["segment_customers"] < MIN_TRUSTED_CUSTOMERS
    # segments in the order of their labels (tiers High, Medium, Low …), dimensions as found
    order = {n: i for i, n in enumerate(names)}
    table["_seg"] = table["segment"].map(order)
    return table.sort_values("_seg", kind="stable").drop(columns="_seg").reset_index(drop=True)


def _ratio(a: float, b: float) -> float:
    return float(a / b) if b > 0 else 0.0


def _combine(values: np.ndarray, weights: np.ndarray, kind: str) -> float:
    if kind == "median":
        return float(np.median(values))
    if kind == "ratio":  # sum of numerators / sum of denominators (values are numerators)
        total = weights.sum()
        return float(values.sum() / total) if total > 0 else 0.0
    return float(values.mean())


def _behaviour_per_customer(data: PurchaseData, margin: float) -> list[tuple[str, np.ndarray, np.ndarray, str]]:
    """(metric, per-customer value (NaN: not applicable), weight, how to combine)."""
    n = data.n_customers
    orders = data.orders
    customer = orders["customer"]
    counts = data.order_counts()
    ones = np.ones(n)
    out = [("repeat rate", (counts >= 2).astype(float), ones, "mean")]
    dates = orders["date"].astype("datetime64[D]").view(np.int64)
    nth = orders["nth"]
    to_second = np.full(n, np.nan)
    second = np.flatnonzero(nth == 1)
    to_second[customer[second]] = dates[second] - dates[second - 1]
    out.append(("median days to second order", to_second, ones, "median"))
    last = np.r_[data.first[1:], len(orders)] - 1 if n else np.zeros(0, dtype=np.int64)
    span = (dates[last] - dates[data.first]).astype(float) if n else np.zeros(0)
    between = np.where(counts >= 2, span / np.maximum(counts - 1, 1), np.nan)
    out.append(("average days between orders", between, ones, "mean"))
    gross = np.bincount(customer, weights=np.maximum(orders["gross"], 0.0), minlength=n)
    net = np.bincount(customer, weights=orders["amount"], minlength=n)
    returned = np.clip(gross - net, 0.0, None)
    if returned.sum() > 0:
        out.append(("return rate", returned, gross, "ratio"))
    if data.margin_known:
        out.append(("average margin", np.bincount(customer, weights=order_margin(data, margin), minlength=n),
                    net, "ratio"))
    if "discount_code" in data.order_dimensions:
        used = np.bincount(customer, weights=(orders["discount_code"] != "").astype(float), minlength=n)
        out.append(("uses a discount code", (used > 0).astype(float), ones, "mean"))
    return out


def dimension_label(name: str) -> str:
    """Plain words for a dimension name (``first_category`` -> ``first category``)."""
    if name.startswith("first_"):
        return "first " + DIMENSION_LABELS.get(name[6:], name[6:])
    return DIMENSION_LABELS.get(name, name.replace("_", " "))
