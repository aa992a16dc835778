"""Segment profiles: one row per segment (tier, RFM segment, attribute or a cross of them).

``segment_profiles(customers, by)`` answers "who is in this group and what are they worth":
customer count and share, total / average value and share of value (the ranking value,
CLV by default: what customers are expected to be worth), spend to date, orders, average
order value (spend to date / orders), order rhythm, recency, churn risk and, with a
playbook, the recommended actions.

``total_value`` of a profile is the sum of the ranking value (CLV), while ``total_value``
of a customer is their spend to date: :func:`profiles_for_files` gives the profile columns
names that cannot be mixed up (``expected_value_total`` …) for segments.csv and
rfm_segments.csv, and :func:`profile_headers` the report's headers.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from .playbook import Playbook

DEFAULT_TIER_ORDER = ("High", "Medium", "Low")
RFM_SEGMENT_ORDER = (
    "Champions",
    "Loyal",
    "Potential loyalist",
    "New",
    "Promising",
    "Need attention",
    "About to sleep",
    "At risk",
    "Can't lose them",
    "Hibernating",
    "Lost",
)
MISSING_LABEL = "(not set)"
PROFILE_COLUMNS = (
    "customers",
    "share_of_customers",
    "total_value",
    "average_value",
    "share_of_value",
    "spent_to_date",
    "orders",
    "average_order_value",
    "orders_per_year",
    "days_since_last_order",
    "churn_risk",
    "actions",
)
# Numeric attributes with more distinct values than this are grouped into bands.
MAX_DISTINCT_BEFORE_BANDING = 12
AGE_BAND_EDGES = (18, 25, 35, 45, 55, 65)


def numeric_bands(values: pd.Series, edges=None) -> pd.Series:
    """Group a numeric attribute into ordered, readable bands.

    ``edges`` are the lower bounds of the inner bands, e.g. ``(18, 25, 35)`` gives
    ``under 18``, ``18–24``, ``25–34``, ``35+`` (integer data) . Without ``edges`` a column
    named like ``age`` uses 18/25/35/45/55/65; any other column uses its quartiles. Empty
    values get ``(not set)``. The result is an ordered categorical of strings.
    """
    numbers = pd.to_numeric(values, errors="coerce").astype("float64")
    finite = numbers[np.isfinite(numbers)]
    if edges is None:
        if "age" in str(values.name).lower():
            edges = AGE_BAND_EDGES
        elif len(finite):
            edges = sorted(set(np.round(finite.quantile([0.25, 0.5, 0.75]).to_numpy(), 2)))
        else:
            edges = []
    edges = sorted(float(e) for e in edges)
    whole = bool(len(finite)) and bool(np.all(finite == np.round(finite)))
    labels = _band_labels(edges, whole)
    codes = np.searchsorted(np.asarray(edges, dtype="float64"), numbers.to_numpy(), side="right")
    result = np.where(np.isfinite(numbers.to_numpy()), np.asarray(labels, dtype=object)[codes], MISSING_LABEL)
    categories = list(labels) + [MISSING_LABEL]
    return pd.Series(pd.Categorical(result, categories=categories, ordered=True), index=values.index, name=values.name)


def _band_labels(edges: list[float], whole: bool) -> list[str]:
    def fmt(x: float) -> str:
        return f"{x:g}"

    if not edges:
        return ["all"]
    labels = [f"under {fmt(edges[0])}"]
    for low, high in zip(edges[:-1], edges[1:]):
        upper = fmt(high - 1) if whole and float(high).is_integer() and float(low).is_integer() else f"<{fmt(high)}"
        labels.append(f"{fmt(low)}–{upper}" if whole else f"{fmt(low)} to <{fmt(high)}")
    labels.append(f"{fmt(edges[-1])}+")
    return labels


def segment_profiles(
    customers: pd.DataFrame,
    by,
    value_col: str = "clv",
    playbook: "Playbook | None" = None,
) -> pd.DataFrame:
    """One row per segment of ``customers`` grouped by ``by`` (a column name or a list).

    Columns: the segment key(s), ``customers``, ``share_of_customers``, ``total_value``
    (sum of ``value_col``, i.e. of expected value with the default CLV; not spend),
    ``average_value``, ``share_of_value``, ``spent_to_date`` (sum of the customers'
    ``total_value``, their spend to date; 0 without it), ``orders``,
    ``average_order_value`` (``spent_to_date`` / orders), ``orders_per_year``,
    ``days_since_last_order`` (means), ``churn_risk`` (mean; only when the table has churn
    risk) and ``actions`` (``; ``-joined playbook actions; only with a playbook).
    Numbers never are NaN: a segment without data for a mean shows 0.
    Tiers keep the tier order (categorical order, else High, Medium, Low), RFM segments
    keep the RFM order, numeric bands go low to high, other keys by value descending.
    """
    keys = [by] if isinstance(by, str) else list(by)
    if not keys:
        raise InputError("No column to group customers by was given.", hint="Name a column such as 'tier'.")
    frame = _customer_frame(customers)
    missing = [k for k in keys + [value_col] if k not in frame.columns]
    if missing:
        raise InputError(
            f"The customer table has no column {', '.join(repr(m) for m in missing)} to build segment profiles.",
            where="customer table",
            hint=f"Available columns: {', '.join(map(str, frame.columns))}.",
        )
    work = pd.DataFrame(index=frame.index)
    for key in keys:
        work[key] = _group_labels(frame[key])
    work["_value"] = _numbers(frame[value_col])
    work["_orders"] = _numbers(frame["orders"]) if "orders" in frame else 0.0
    work["_spend"] = _numbers(frame["total_value"]) if "total_value" in frame else np.nan
    optional_means = {
        "orders_per_year": "orders_per_year",
        "days_since_last_order": "days_since_last_order",
        "churn_risk": "churn_risk",
    }
    means_present = [c for c in optional_means if c in frame and _numbers(frame[c]).notna().any()]
    for col in means_present:
        work[f"_mean_{col}"] = _numbers(frame[col])

    grouped = work.groupby(keys, observed=True, sort=False, dropna=False)
    profile = grouped.size().rename("customers").to_frame()
    profile["total_value"] = grouped["_value"].sum(min_count=0)
    profile["orders"] = grouped["_orders"].sum()
    spend = grouped["_spend"].sum(min_count=1)
    profile["spent_to_date"] = spend.fillna(0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        aov = spend / profile["orders"]
    profile["average_order_value"] = aov.replace([np.inf, -np.inf], np.nan).fillna(0.0)
    for col in optional_means:
        if col in means_present:
            profile[col] = grouped[f"_mean_{col}"].mean().fillna(0.0)
        elif col != "churn_risk":
            profile[col] = 0.0
    profile = profile.reset_index()
    profile["customers"] = profile["customers"].astype("int64")
    n_total = int(profile["customers"].sum())
    value_total = float(profile["total_value"].sum())
    profile["share_of_customers"] = profile["customers"] / n_total if n_total else 0.0
    profile["average_value"] = np.where(profile["customers"] > 0, profile["total_value"] / profile["customers"].clip(lower=1), 0.0)
    profile["share_of_value"] = profile["total_value"] / value_total if value_total > 0 else 0.0
    if playbook is not None:
        profile["actions"] = [
            "; ".join(_actions_for_keys(playbook, [row[k] for k in keys])) for _, row in profile.iterrows()
        ]
    profile = _order_segments(profile, keys, work)
    columns = keys + [c for c in PROFILE_COLUMNS if c in profile.columns]
    profile = profile[columns].reset_index(drop=True)
    float_cols = [c for c in columns if c not in keys and c not in ("customers", "actions")]
    profile[float_cols] = profile[float_cols].astype("float64")
    return profile


def _customer_frame(customers) -> pd.DataFrame:
    if not isinstance(customers, pd.DataFrame):
        raise InputError("Segment profiles need the customer table as a pandas DataFrame.")
    frame = customers
    if frame.index.name == "customer_id" and "customer_id" not in frame.columns:
        frame = frame.reset_index()
    return frame


def _numbers(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").astype("float64").replace([np.inf, -np.inf], np.nan)


def _group_labels(series: pd.Series) -> pd.Series:
    """Labels to group by: categoricals kept, many-valued numbers banded, blanks named."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        if series.isna().any():
            series = series.cat.add_categories([MISSING_LABEL]).fillna(MISSING_LABEL)
        return series
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.map({True: "yes", False: "no"}).fillna(MISSING_LABEL).astype(str)
    if pd.api.types.is_numeric_dtype(series.dtype):
        if series.nunique(dropna=True) > MAX_DISTINCT_BEFORE_BANDING:
            return numeric_bands(series)
        return series
    codes, uniques = pd.factorize(series, use_na_sentinel=True)  # clean distinct values only
    labels = pd.Series(uniques, dtype="string").str.strip()
    labels = labels.mask(labels.isna() | (labels == ""), MISSING_LABEL).astype(str).to_numpy(dtype=object)
    labels = np.append(labels, MISSING_LABEL)  # code -1 (missing) takes the last entry
    return pd.Series(labels[codes], index=series.index, dtype=str)


def _actions_for_keys(playbook: "Playbook", values) -> list[str]:
    actions: list[str] = []
    for value in values:
        for action in playbook.actions_for(str(value)):
            if action not in actions:
                actions.append(action)
    return actions


def _order_segments(profile: pd.DataFrame, keys: list[str], work: pd.DataFrame) -> pd.DataFrame:
    sort_cols = []
    for key in keys:
        rank_col = f"_rank_{key}"
        profile[rank_col] = _key_rank(profile, key, work[key])
        sort_cols.append(rank_col)
    profile = profile.sort_values(sort_cols, kind="mergesort")
    return profile.drop(columns=sort_cols)


def _key_rank(profile: pd.DataFrame, key: str, labels: pd.Series) -> pd.Series:
    values = profile[key]
    if isinstance(labels.dtype, pd.CategoricalDtype):
        order = {c: i for i, c in enumerate(labels.cat.categories)}
        return values.map(order).astype("float64")
    known = DEFAULT_TIER_ORDER if key == "tier" else RFM_SEGMENT_ORDER if key == "rfm_segment" else ()
    value_by_key = profile.groupby(key, sort=False)["total_value"].sum()
    ordered = sorted(value_by_key.index, key=lambda label: (-float(value_by_key[label]), str(label)))
    by_value = {label: float(i) for i, label in enumerate(ordered)}
    if pd.api.types.is_numeric_dtype(values.dtype):
        return values.astype("float64")
    ranks = []
    for v in values:
        if v == MISSING_LABEL:
            ranks.append(1e9)
        elif v in known:
            ranks.append(float(known.index(v)) - 1e6)
        else:
            ranks.append(float(by_value[v]))
    return pd.Series(ranks, index=profile.index)


# What a profile's value columns hold, by the ranking value column: (file name, header, share header).
_VALUE_NAMES = {"clv": ("expected_value", "Expected value (CLV)", "Share of expected value (CLV)"),
                "clv_low": ("expected_value_low", "Expected value, low (CLV low)", "Share of expected value (CLV low)"),
                "clv_high": ("expected_value_high", "Expected value, high (CLV high)",
                             "Share of expected value (CLV high)"),
                "total_value": ("spent_to_date", "Spent to date", "Share of spend to date")}


def _value_names(value_col: str) -> tuple[str, str, str]:
    name = str(value_col or "clv")
    text = name.replace("_", " ")
    return _VALUE_NAMES.get(name, (name, text.capitalize(), f"Share of {text}"))


def profile_file_columns(value_col: str = "clv") -> dict[str, str]:
    """Profile column -> its name in segments.csv / rfm_segments.csv (only the renamed ones).

    With CLV: ``total_value`` -> ``expected_value_total``, ``average_value`` ->
    ``expected_value_average``, ``share_of_value`` -> ``share_of_expected_value``.
    """
    name = _value_names(value_col)[0]
    return {"total_value": f"{name}_total", "average_value": f"{name}_average", "share_of_value": f"share_of_{name}"}


def profiles_for_files(profile: pd.DataFrame, value_col: str = "clv") -> pd.DataFrame:
    """A :func:`segment_profiles` table with the file names of :func:`profile_file_columns`
    (``spent_to_date`` and ``average_order_value`` keep theirs, as in customers.csv; when
    ``value_col`` is the spend itself, ``spent_to_date`` is not repeated)."""
    out = profile
    if _value_names(value_col)[0] == "spent_to_date" and "spent_to_date" in out.columns:
        out = out.drop(columns="spent_to_date")
    return out.rename(columns=profile_file_columns(value_col))


def profile_headers(value_col: str = "clv", kind: str | None = None) -> dict[str, str]:
    """Plain headers of the profile columns for the report (what each total is of).
    ``kind``: what the run's CLV is (``pipeline.value_kind``: expected value, value to date,
    gross profit to date, lifetime value); by default an expected value."""
    _, text, share = _value_names(value_col)
    if str(value_col or "clv") == "clv" and kind:
        text, share = f"{kind[:1].upper()}{kind[1:]} (CLV)", f"Share of {kind} (CLV)"
    return {"total_value": f"{text}, total", "average_value": f"{text}, average per customer",
            "share_of_value": share, "spent_to_date": "Spent to date",
            "average_order_value": "Average order (spent to date ÷ orders)"}
