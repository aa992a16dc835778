"""Everything about who buys what, cohorts, drivers and acquisition in one result, with
findings in plain words.

:func:`purchase_insights` is what the pipeline calls; the parts are in
:mod:`.profiles`, :mod:`.cohorts`, :mod:`.drivers` and :mod:`.acquisition`.
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from .acquisition import TARGET_LTV_TO_CAC, AcquisitionCosts, customer_cac, payback_curves, payback_month
from .cohorts import cohort_table, gap_distribution, repeat_summary
from .drivers import ltv_drivers
from .findings import findings
from .grouping import DEFAULT_TIER_ORDER, RFM_SEGMENT_ORDER
from .profiles import purchase_profiles
from .purchases import MIN_TRUSTED_CUSTOMERS, PurchaseData, order_margin, purchase_data

__all__ = ["Insights", "purchase_insights"]

MAX_ATTRIBUTE_GROUPS = 12  # a customer attribute with at most this many values becomes a grouping
_NOT_PROFILED = {
    "products": "what each segment buys (products, categories) and value by first product",
    "channels": "sales channels and value by channel",
    "geography": "where customers are (country, region, city)",
    "discount codes": "discount-code use and value by discount code",
    "customer types": "customer types (business or consumer, company)",
    "margin": "margin from the file (the --margin setting is used instead)",
}


@dataclasses.dataclass
class Insights:
    """Profiles, cohorts, drivers and acquisition figures of one run.

    ``profiles``, ``cohorts`` and ``drivers`` are the tables written to profiles.csv,
    cohorts.csv and drivers.csv (docs/segments.md); ``gaps`` the days to the second order
    and between orders in bands; ``repeat`` the repeat-purchase summary; ``payback`` the
    cumulative margin per acquired customer by month since the first order (with the CAC
    when one was given); ``findings`` sentences for the owner; ``not_profiled`` what could not
    be profiled and why.
    """

    profiles: pd.DataFrame
    cohorts: pd.DataFrame
    drivers: pd.DataFrame
    gaps: pd.DataFrame
    repeat: dict
    payback: pd.DataFrame
    acquisition: dict
    findings: list[str]
    not_profiled: list[str]
    value_basis: str

    def to_json(self) -> dict:
        return {"repeat": self.repeat, "acquisition": self.acquisition, "findings": list(self.findings),
                "not_profiled": list(self.not_profiled), "line_value_basis": self.value_basis}


def _aligned(customers: pd.DataFrame | None, ids: pd.Index, columns) -> pd.DataFrame | None:
    """The customer table's ``columns`` in the order of ``ids`` (missing customers: NaN)."""
    if customers is None:
        return None
    own = customers["customer_id"] if "customer_id" in customers.columns else customers.index.to_series()
    own = pd.Index(np.asarray(own, dtype=object)).astype(str)
    wanted = [c for c in dict.fromkeys(columns) if c in customers.columns]
    if len(own) == len(ids) and (own == ids).all():  # the pipeline's table: same order
        return customers[wanted].reset_index(drop=True)
    position = own.get_indexer(ids)
    picked = customers[wanted].iloc[np.maximum(position, 0)].reset_index(drop=True)
    return picked.where(pd.Series(position >= 0), None) if (position < 0).any() else picked


def _per_customer(table: pd.DataFrame | None, column: str):
    return None if table is None or column not in table.columns else table[column]


def purchase_insights(orders: pd.DataFrame, lines: pd.DataFrame | None = None, *, customers: pd.DataFrame | None = None,
                      order_details: pd.DataFrame | None = None, missing: dict | None = None, as_of=None,
                      margin: float = 1.0, costs: AcquisitionCosts | None = None, ltv_basis: str = "predictive",
                      acquisition_cost_in_clv: float = 0.0, value_before_cost: pd.Series | None = None,
                      currency: str | None = None,
                      attributes=None, tier_order=DEFAULT_TIER_ORDER) -> Insights:
    """Profiles, cohorts, drivers and acquisition of an order table (and its lines).

    ``tier_order``: tier names best first (segments are listed in this order).
    ``customers``: the customer table (``customer_id``, ``tier``, ``rfm_segment``, ``clv``)
    for the groupings and lifetime values; ``attributes``: its columns from the file that may
    group customers (those with 2 to 12 values are used); ``missing``: role group -> why the
    file has none (from the intake); ``ltv_basis``: the CLV method (``predictive`` adds the
    margin earned so far to the expected future value; ``historical`` CLV already is the
    margin to date; the formulas (``simple``, ``retention``) use ``value_before_cost``,
    customer id -> the formula's value before the acquisition cost, else add back
    ``acquisition_cost_in_clv``, which is exact only where the CLV was not floored at 0).
    """
    data = purchase_data(orders, lines, as_of=as_of, order_details=order_details)
    costs = costs or AcquisitionCosts()
    margin_rate = _file_margin_rate(data, margin)
    groups = {}
    attribute_groups = _attribute_groups(customers, attributes)
    table = _aligned(customers, data.customer_ids, ["tier", "rfm_segment", "clv", *attribute_groups])
    for name, order in (("tier", tier_order), ("rfm_segment", RFM_SEGMENT_ORDER)):
        labels = _per_customer(table, name)
        if labels is not None:
            groups[name] = _ordered(labels, order)
    for name in attribute_groups:
        labels = table[name].astype(object).where(table[name].notna(), "").astype(str)
        groups[name] = labels.replace("", "(not set)").to_numpy(dtype=object)
    profiles = purchase_profiles(data, groups, margin=margin)
    cohorts = cohort_table(data, margin=margin)
    before_cost = None
    if value_before_cost is not None:
        by_id = pd.Series(np.asarray(value_before_cost, dtype="float64"),
                          index=pd.Index(np.asarray(value_before_cost.index, dtype=object)).astype(str))
        before_cost = np.nan_to_num(by_id.reindex(data.customer_ids).to_numpy(dtype="float64"))
    ltv = _lifetime_value(data, table, ltv_basis, margin, margin_rate, acquisition_cost_in_clv, before_cost)
    drivers = ltv_drivers(data, ltv=ltv, tiers=groups.get("tier"),
                          costs=costs, margin=margin)
    payback, acquisition = _acquisition(data, ltv, costs, margin)
    acquisition["ltv_basis"] = _ltv_basis_text(ltv_basis, data.margin_known)
    not_profiled = _not_profiled(data, missing)
    repeat = repeat_summary(data)
    insights = Insights(profiles=profiles, cohorts=cohorts, drivers=drivers, gaps=gap_distribution(data),
                        repeat=repeat, payback=payback, acquisition=acquisition, findings=[],
                        not_profiled=not_profiled, value_basis=data.value_basis)
    insights.findings = findings(insights, currency=currency)
    return insights


def _ordered(labels: pd.Series, order) -> pd.Categorical:
    """Labels as a categorical in ``order`` (labels not in it follow in order of appearance)."""
    codes, uniques = pd.factorize(labels.to_numpy(dtype=object), use_na_sentinel=True)
    names = [str(u) for u in uniques] + ["(not set)"]  # code -1 (missing) takes the last name
    known = [str(o) for o in order or ()]
    present = dict.fromkeys(names[:-1] + (["(not set)"] if (codes < 0).any() else []))
    categories = [c for c in known if c in present] + [c for c in present if c not in known]
    position = {c: i for i, c in enumerate(categories)}
    remap = np.array([position[n] if n in position else -1 for n in names], dtype=np.int64)
    return pd.Categorical.from_codes(remap[codes], categories=categories)


def _file_margin_rate(data: PurchaseData, margin: float) -> float:
    """The shop's margin share: from the file's profit/cost columns when known, else ``margin``."""
    if not data.margin_known:
        return float(margin)
    revenue = float(data.orders["amount"].sum())
    return float(order_margin(data, margin).sum() / revenue) if revenue > 0 else float(margin)


def _attribute_groups(customers: pd.DataFrame | None, attributes) -> list[str]:
    """Customer attributes from the file worth grouping by: text with 2..12 values."""
    if customers is None:
        return []
    out = []
    for column in attributes or ():
        if column not in customers.columns or customers[column].dtype.kind in "fiumMb":
            continue
        values = customers[column].astype(str)
        distinct = values[values != ""].nunique()
        if 2 <= distinct <= MAX_ATTRIBUTE_GROUPS:
            out.append(column)
    return out[:6]


def _lifetime_value(data, customers, basis, margin, margin_rate, cac_in_clv, before_cost=None) -> np.ndarray:
    """Lifetime value net of margin per customer (see :func:`purchase_insights`)."""
    clv = _per_customer(customers, "clv")
    past = np.bincount(data.orders["customer"], weights=order_margin(data, margin),
                       minlength=data.n_customers)
    if clv is None:
        return past
    future = np.nan_to_num(pd.to_numeric(clv, errors="coerce").to_numpy(dtype="float64"))
    if basis == "historical":
        return past if data.margin_known else future
    if basis in ("simple", "retention"):  # formulas that took the acquisition cost off
        return before_cost if before_cost is not None else future + float(cac_in_clv)
    if data.margin_known and float(margin) == 1.0:
        future = future * margin_rate  # the model's value is revenue; the file says what is kept
    return past + future


def _ltv_basis_text(basis: str, margin_known: bool) -> str:
    kept = "profit from the file" if margin_known else "order value × margin"
    if basis == "predictive":
        return f"{kept} to date plus the expected margin over the prediction horizon"
    if basis == "historical":
        return f"{kept} to date"
    return f"the {basis} formula's lifetime value before acquisition cost"


def _acquisition(data: PurchaseData, ltv: np.ndarray, costs: AcquisitionCosts, margin: float):
    everyone = np.zeros(data.n_customers, dtype=np.int64)
    # months that fewer than 30 customers have completed are left off (one old cohort is noise)
    curve = payback_curves(data, everyone, 1, margin, min(MIN_TRUSTED_CUSTOMERS, data.n_customers))[0] \
        if data.n_customers else np.zeros(0)
    cac, known = customer_cac(data, costs)
    average_cac = float(cac[known].mean()) if known.any() else None
    finite = np.isfinite(curve)
    payback = pd.DataFrame({"months_since_first": np.arange(int(finite.sum())),
                            "cumulative_margin_per_customer": curve[finite]})
    if average_cac is not None:
        payback["acquisition_cost"] = average_cac
    average_ltv = float(ltv.mean()) if len(ltv) else 0.0
    out = {"cost": costs.describe(), "customers_with_cost": int(known.sum()),
           "average_cac": average_cac, "average_ltv": average_ltv,
           "ltv_to_cac": average_ltv / average_cac if average_cac else None,
           "payback_month": payback_month(curve[finite], average_cac) if average_cac else None,
           "months_observed": int(finite.sum()),
           "break_even_cac": max(average_ltv, 0.0), "target_cac": max(average_ltv, 0.0) / TARGET_LTV_TO_CAC,
           "target_ratio": TARGET_LTV_TO_CAC, "min_trusted_customers": MIN_TRUSTED_CUSTOMERS,
           # no margin given and none in the file: the lifetime value counts revenue as profit
           "revenue_as_profit": not data.margin_known and float(margin) == 1.0}
    return payback, out


def _not_profiled(data: PurchaseData, missing: dict | None) -> list[str]:
    out = []
    for group, why in (missing or {}).items():
        what = _NOT_PROFILED.get(group, group)
        out.append(f"Not profiled: {what}, because {why}.")
    if data.lines is None and not missing:
        out.append("Not profiled: what each segment buys, because no order lines were given.")
    return out



