"""Who is in each segment and what it buys: purchase profiles with a per-order lift.

For a segment S (a value tier, an RFM segment or a group of a customer attribute) and a
value v of a dimension (a category, product, sales channel, country …):

* ``share_of_orders`` = S's orders that contain v (a line with v, or an order with v) / S's
  orders; ``all_share_of_orders`` the same over every customer's orders; ``order_lift``
  their ratio — "S's orders contain v 2.1× as often as the average order". Being a share of
  orders, it does not grow with how many orders a segment places (the share of customers
  who *ever* bought v does: a customer with ten orders has more chances to have bought
  anything once). ``orders`` counts S's orders with v, ``segment_orders`` S's orders
  counted for the dimension (orders with line items for line dimensions);
* ``p_chance``: how likely a difference this large is by chance alone (the two-sided
  p-value of S's share of orders against the other customers' share, from a
  two-proportion test whose variance treats each customer's orders as one cluster, so a
  few customers buying v again and again do not make it look certain);
* ``preference`` (a clear preference): ``order_lift`` ≥ :data:`PREFERENCE_MIN_LIFT`, at least
  :data:`PREFERENCE_MIN_CUSTOMERS` of S's customers bought v in at least
  :data:`PREFERENCE_MIN_ORDERS` orders, and ``p_chance`` below :data:`PREFERENCE_ALPHA`
  divided by the number of values of the dimension (Bonferroni), so on data where
  customers pick at random (nearly) nothing is flagged;
* ``spend_share`` = S's spend on v / S's whole spend; ``all_spend_share`` the same for all
  customers; ``spend_lift`` their ratio. Spend is the value of the lines (or orders) before
  returns;
* ``customers``: S's customers who bought v at least once;
* ``figure``, ``all_figure``, ``lift``: the row's headline figure, the same over all
  customers and their ratio: for buying rows the same as ``share_of_orders``,
  ``all_share_of_orders`` and ``order_lift``; for behaviour rows the measure.

Customer-level dimensions (``first_product``, ``first_category``: what the customer's first
order was mostly spent on) count each customer's first order once (so the share of orders
is the share of customers whose first order was mostly v) and the customer's whole spend
under that value. Behaviour rows (dimension ``behaviour``) give the segment's figure next
to all customers' with their ratio as ``lift``: repeat rate, median days to the second
order, average days between orders, return rate, average margin and discount-code use
(their order columns are 0, ``p_chance`` 1 and ``preference`` false). A segment with fewer
than :data:`~clv_engine.segments.purchases.MIN_TRUSTED_CUSTOMERS` customers is marked
``too_small``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .purchases import DIMENSION_LABELS, MIN_TRUSTED_CUSTOMERS, PurchaseData, order_margin

__all__ = ["PREFERENCE_ALPHA", "PREFERENCE_MIN_CUSTOMERS", "PREFERENCE_MIN_LIFT", "PREFERENCE_MIN_ORDERS",
           "PROFILE_TABLE_COLUMNS", "TOP_VALUES", "first_line_values", "purchase_profiles"]

PROFILE_TABLE_COLUMNS = (
    "group_by", "segment", "segment_customers", "segment_orders", "dimension", "value", "customers", "orders",
    "share_of_orders", "all_share_of_orders", "order_lift", "p_chance", "preference",
    "spend_share", "all_spend_share", "spend_lift", "figure", "all_figure", "lift", "too_small",
)
TOP_VALUES = 10  # values kept per segment and dimension (the segment's most bought), besides clear preferences
PREFERENCE_MIN_LIFT = 1.25  # a clear preference: the segment's orders contain it at least this much more often
PREFERENCE_MIN_CUSTOMERS = 10  # ... at least this many of the segment's customers bought it
PREFERENCE_MIN_ORDERS = 20  # ... in at least this many orders
PREFERENCE_ALPHA = 0.001  # ... and p below this ÷ the number of values of the dimension


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


def _dimension_pairs(customer: np.ndarray, unit: np.ndarray, values: np.ndarray, weight: np.ndarray,
                     one_per_unit: bool):
    """Distinct (customer, value) pairs with the number of the customer's units (orders)
    holding the value and their summed weight; blank values left out. ``one_per_unit``:
    each unit has one row (an order's own column) and ``customer`` is that of each row;
    otherwise ``unit`` is each row's unit and ``customer`` the customer of each unit."""
    codes, uniques = pd.factorize(values, sort=False)
    nv = max(len(uniques), 1)
    ok = (codes >= 0) & (values != "")
    # (hash-based factorize: no sort is needed, the pairs' order does not matter)
    if one_per_unit:
        unit_customer, unit_code, unit_spend = customer[ok].astype(np.int64), codes[ok], weight[ok]
    else:
        # (unit, value) pairs: an order with two lines of one value counts once
        inverse, unit_key = pd.factorize(unit[ok].astype(np.int64) * nv + codes[ok])
        unit_spend = np.bincount(inverse, weights=weight[ok], minlength=len(unit_key))
        unit_customer = customer[unit_key // nv].astype(np.int64)  # ``customer``: the customer of each unit
        unit_code = unit_key % nv
        del unit_key, inverse
    inverse, pairs = pd.factorize(unit_customer * nv + unit_code)
    count = np.bincount(inverse, minlength=len(pairs)).astype(float)
    spend = np.bincount(inverse, weights=unit_spend, minlength=len(pairs))
    return pairs // nv, pairs % nv, count, spend, np.asarray(uniques, dtype=object)


def _dimensions(data: PurchaseData):
    """(name, customer, unit, value, spend, units per customer, one row per unit) per
    dimension: a unit is what one share counts (an order; for first_* dimensions the
    customer's first order). With one row per unit ``customer`` is each row's customer;
    for lines, ``unit`` is each line's order and ``customer`` each order's customer."""
    dims = []
    lines = data.lines
    n = data.n_customers
    if lines is not None:
        customer = lines["customer"].to_numpy()
        order = lines["order"].to_numpy()
        with_lines = np.zeros(len(data.orders), dtype=bool)
        with_lines[order] = True
        line_orders = np.bincount(data.orders["customer"][with_lines], minlength=n).astype(float)
        names = [d for d in data.line_dimensions if not (d == "sku" and "product" in data.line_dimensions)]
        for name in names:
            dims.append((name, data.orders["customer"], order, lines[name].to_numpy(), lines["value"].to_numpy(),
                         line_orders, False))
        spend = np.bincount(customer, weights=lines["value"].to_numpy(), minlength=n)
        with_first = np.flatnonzero(with_lines[data.first]) if n else np.zeros(0, dtype=np.int64)
        first_units = np.zeros(n)
        first_units[with_first] = 1.0
        for name in ("product", "category"):
            if name in data.line_dimensions:
                dims.append((f"first_{name}", with_first, with_first, first_line_values(data, name)[with_first],
                             spend[with_first], first_units, True))
    orders = data.orders
    gross = np.maximum(orders["gross"], 0.0)
    counts = data.order_counts().astype(float)
    for name in data.order_dimensions:
        dims.append((name, orders["customer"], None, orders[name], gross, counts, True))
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
    ``top`` values the segment spends most on are kept, and every clear preference.
    """
    dims = []
    for name, customer, unit, values, weight, units, one_per_unit in _dimensions(data):
        pc, pv, count, spend, uniques = _dimension_pairs(customer, unit, values, weight, one_per_unit)
        if len(pc):
            row_customer = customer if one_per_unit else customer[unit]
            total = np.bincount(row_customer, weights=weight, minlength=data.n_customers)
            dims.append((name, pc, pv, count, spend, units, uniques, total))
    behaviour = _behaviour_per_customer(data, margin)
    order_counts = data.order_counts().astype(float)
    frames = []
    for group_by, labels in groups.items():
        gcode, names = _label_codes(labels)
        if len(gcode) != data.n_customers:
            raise ValueError(f"{group_by}: {len(gcode)} labels for {data.n_customers} customers")
        frames.append(_group_profile(group_by, gcode, names, dims, behaviour, order_counts, top))
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame({c: [] for c in PROFILE_TABLE_COLUMNS})
    return table[list(PROFILE_TABLE_COLUMNS)]


def _share_variance(share, hits, hits_sq, hits_units, units_sq, units, clusters):
    """Variance of a share of orders (hits / units summed over customers) with each
    customer's orders as one cluster: k/(k−1) · Σ(y_i − p·n_i)² / N² (inf with under two customers)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        spread = np.maximum(hits_sq - 2 * share * hits_units + share ** 2 * units_sq, 0.0)
        var = clusters / (clusters - 1) * spread / units ** 2
    return np.where((clusters > 1) & (units > 0), var, np.inf)


def _p_values(z: np.ndarray) -> np.ndarray:
    from scipy.special import erfc

    return np.where(np.isfinite(z), erfc(np.abs(np.nan_to_num(z)) / np.sqrt(2.0)), np.where(np.isnan(z), 1.0, 0.0))


def _group_profile(group_by, gcode, names, dims, behaviour, order_counts, top) -> pd.DataFrame:
    n_groups = len(names)
    seg_customers = np.bincount(gcode, minlength=n_groups)
    seg_all_orders = np.bincount(gcode, weights=order_counts, minlength=n_groups)
    rows = []
    for name, pc, pv, count, spend, units, uniques, total in dims:
        nv = len(uniques)
        size = n_groups * nv
        key = gcode[pc] * nv + pv

        def per_value(weights=None):
            return np.bincount(key, weights=weights, minlength=size).reshape(n_groups, nv)

        buyers = per_value()
        hits = per_value(count)
        hits_sq = per_value(count * count)
        hits_units = per_value(count * units[pc])
        seg_spend = per_value(spend)
        seg_units = np.bincount(gcode, weights=units, minlength=n_groups)[:, None]
        seg_units_sq = np.bincount(gcode, weights=units * units, minlength=n_groups)[:, None]
        seg_clusters = np.bincount(gcode, weights=(units > 0).astype(float), minlength=n_groups)[:, None]
        seg_total = np.bincount(gcode, weights=total, minlength=n_groups)
        all_hits, all_units = hits.sum(axis=0), float(units.sum())
        all_share = all_hits / all_units if all_units > 0 else np.zeros(nv)
        all_spend = seg_spend.sum(axis=0)
        all_total = float(total.sum())
        all_spend_share = all_spend / all_total if all_total > 0 else np.zeros(nv)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(seg_units > 0, hits / np.where(seg_units > 0, seg_units, 1), 0.0)
            # the segment against the other customers (everyone else's orders)
            rest_units = all_units - seg_units
            rest_share = np.where(rest_units > 0, (all_hits - hits) / np.where(rest_units > 0, rest_units, 1), 0.0)
            var = (_share_variance(share, hits, hits_sq, hits_units, seg_units_sq, seg_units, seg_clusters)
                   + _share_variance(rest_share, all_hits - hits, hits_sq.sum(axis=0) - hits_sq,
                                     hits_units.sum(axis=0) - hits_units, float((units * units).sum()) - seg_units_sq,
                                     rest_units, float((units > 0).sum()) - seg_clusters))
            z = np.where(share == rest_share, 0.0, (share - rest_share) / np.sqrt(var))
        p_chance = _p_values(z)
        order_lift = np.where(all_share > 0, share / np.where(all_share > 0, all_share, 1), 0.0)
        preference = ((order_lift >= PREFERENCE_MIN_LIFT) & (z > 0) & (p_chance < PREFERENCE_ALPHA / max(nv, 1))
                      & (buyers >= PREFERENCE_MIN_CUSTOMERS) & (hits >= PREFERENCE_MIN_ORDERS))
        for g in range(n_groups):
            if seg_customers[g] == 0:
                continue
            spend_share = seg_spend[g] / seg_total[g] if seg_total[g] > 0 else np.zeros(nv)
            ranked = np.lexsort((-share[g], -spend_share))
            bought = [v for v in ranked if buyers[g, v] > 0]
            kept = bought[:top]
            kept += [v for v in bought[top:] if preference[g, v]]
            for v in kept:
                spend_lift = _ratio(spend_share[v], all_spend_share[v])
                rows.append((group_by, names[g], int(seg_customers[g]), int(seg_units[g, 0]), name, str(uniques[v]),
                             int(buyers[g, v]), int(hits[g, v]), float(share[g, v]), float(all_share[v]),
                             float(order_lift[g, v]), float(p_chance[g, v]), bool(preference[g, v]),
                             float(spend_share[v]), float(all_spend_share[v]), spend_lift,
                             float(share[g, v]), float(all_share[v]), float(order_lift[g, v])))
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
            rows.append((group_by, names[g], int(seg_customers[g]), int(seg_all_orders[g]), "behaviour", metric,
                         int(mine.sum()), 0, 0.0, 0.0, 0.0, 1.0, False, 0.0, 0.0, 0.0,
                         figure, all_value, _ratio(figure, all_value)))
    table = pd.DataFrame(rows, columns=list(PROFILE_TABLE_COLUMNS[:-1]))
    table["preference"] = table["preference"].astype(bool)
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
