"""Compare two runs: how customers moved between value tiers since the last analysis.

``movement`` per customer is one of ``up``, ``down``, ``same`` (same tier), ``new`` (not in
the old run) or ``gone`` (not in the new run). ``changes`` also has the old and new tier
and a ``change`` text such as ``High → Medium``. Tier rank comes from the categorical
order of the new ``tier`` column, else the default High, Medium, Low, else (custom names)
the tiers' average value in the new run, highest first.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, agree
from .grouping import DEFAULT_TIER_ORDER

NEW_LABEL = "new"
GONE_LABEL = "gone"
MOVEMENTS = ("up", "down", "same", NEW_LABEL, GONE_LABEL)


@dataclass
class Comparison:
    """Result of :func:`compare_runs`.

    ``migration``: counts, rows = old tier plus ``new``, columns = new tier plus ``gone``.
    ``movement``: Series indexed by ``customer_id`` (up / down / same / new / gone).
    ``changes``: DataFrame indexed by ``customer_id`` with ``old_tier``, ``new_tier``,
    ``movement`` and ``change`` (e.g. ``High → Medium``; ``new → Low``; ``High → gone``).
    """

    migration: pd.DataFrame
    movement: pd.Series
    changes: pd.DataFrame

    def counts(self) -> dict[str, int]:
        """Number of customers per movement, always with all five keys."""
        counted = self.movement.value_counts()
        return {m: int(counted.get(m, 0)) for m in MOVEMENTS}

    def describe(self) -> list[str]:
        """Plain-language lines for a report."""
        c = self.counts()
        return [
            f"{c['up']:,} {agree(c['up'], 'customer')} moved up a tier and {c['down']:,} moved down; {c['same']:,} "
            "stayed in the same tier.",
            f"{c['new']:,} {agree(c['new'], 'customer is', 'customers are')} new since the last run; {c['gone']:,} "
            f"from the last run {agree(c['gone'], 'is', 'are')} not in this one.",
        ]


def read_previous_customers(path) -> pd.DataFrame:
    """Read a previous run's ``customers.csv`` (customer ids kept as text)."""
    path = Path(path)
    try:
        table = pd.read_csv(path, dtype={"customer_id": str}, keep_default_na=False, na_values=[""], encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("The previous run's customer file was not found.", where=str(path),
                         hint="Pick the customers.csv written by an earlier analysis.") from None
    except UnicodeDecodeError:
        raise InputError("This is not a customers.csv of an earlier analysis: it is not a text file (a workbook "
                         "or an export in another format?).", where=str(path),
                         hint="Pick the customers.csv in the results folder of an earlier analysis.") from None
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise InputError(f"The previous run's customer file cannot be read ({exc}).", where=str(path),
                         hint="Pick the customers.csv written by an earlier analysis.") from None
    missing = [c for c in ("customer_id", "tier") if c not in table.columns]
    if missing:
        raise InputError("This is not a customers.csv of an earlier analysis: it has no "
                         + " or ".join(f"'{c}'" for c in missing) + " column.", where=f"{path.name}, row 1",
                         hint="Pick the customers.csv in the results folder of an earlier analysis (it has "
                              "customer_id and tier columns).")
    for column in ("customer_id", "tier"):
        # undo the ' the result files put before text a spreadsheet would run as a formula
        table[column] = table[column].astype(str).str.replace("^'(?=[=+\\-@\t\r\n\uff1d\uff0b\uff0d\uff20])", "",
                                                              regex=True)
    return table.set_index("customer_id")


def compare_runs(old_customers: pd.DataFrame, new_customers: pd.DataFrame) -> Comparison:
    """Tier migration between an old and a new customer table (indexed by or with ``customer_id``)."""
    old = _tiers(old_customers, "previous run")
    new = _tiers(new_customers, "this run")
    order = _tier_order(new_customers, old, new)
    rank = {tier: i for i, tier in enumerate(order)}
    ids = old.index.union(new.index)
    old_tier = old.reindex(ids)
    new_tier = new.reindex(ids)
    movement = []
    for o, n in zip(old_tier.to_numpy(dtype=object), new_tier.to_numpy(dtype=object)):
        if pd.isna(o):
            movement.append(NEW_LABEL)
        elif pd.isna(n):
            movement.append(GONE_LABEL)
        elif rank[n] < rank[o]:
            movement.append("up")
        elif rank[n] > rank[o]:
            movement.append("down")
        else:
            movement.append("same")
    old_label = old_tier.astype(object).where(old_tier.notna(), NEW_LABEL).astype(str)
    new_label = new_tier.astype(object).where(new_tier.notna(), GONE_LABEL).astype(str)
    changes = pd.DataFrame(
        {"old_tier": old_label, "new_tier": new_label, "movement": pd.Series(movement, index=ids, dtype=str)},
        index=ids,
    )
    changes["change"] = (changes["old_tier"] + " → " + changes["new_tier"]).astype(str)
    changes.index.name = "customer_id"
    migration = pd.crosstab(changes["old_tier"], changes["new_tier"])
    migration = migration.reindex(index=order + [NEW_LABEL], columns=order + [GONE_LABEL], fill_value=0)
    migration = migration.astype("int64")
    migration.index.name = "old tier"
    migration.columns.name = "new tier"
    return Comparison(migration=migration, movement=changes["movement"].rename("movement"), changes=changes)


def _tiers(customers: pd.DataFrame, label: str) -> pd.Series:
    if not isinstance(customers, pd.DataFrame):
        raise InputError(f"The customer table of the {label} must be a pandas DataFrame.")
    frame = customers
    if "customer_id" in frame.columns:
        frame = frame.set_index("customer_id")
    if "tier" not in frame.columns:
        raise InputError(f"The customer table of the {label} has no 'tier' column.",
                         hint="Compare two analyses that both assigned value tiers.")
    ids = pd.Index(frame.index.astype(str), name="customer_id")
    if ids.has_duplicates:
        dup = ids[ids.duplicated()][0]
        raise InputError(f"The customer table of the {label} lists a customer id twice.",
                         where=f"customer id {dup!r}", hint="Use a customer table with one row per customer.")
    tiers = frame["tier"].astype(object)
    tiers = tiers.where(tiers.notna() & (tiers.astype(str).str.strip() != ""), np.nan)
    return pd.Series(tiers.to_numpy(dtype=object), index=ids).map(lambda t: t if pd.isna(t) else str(t).strip())


def _tier_order(new_customers: pd.DataFrame, old: pd.Series, new: pd.Series) -> list[str]:
    present = set(old.dropna()) | set(new.dropna())
    tier_col = new_customers["tier"] if "tier" in new_customers.columns else None
    if tier_col is not None and isinstance(tier_col.dtype, pd.CategoricalDtype):
        order = [str(c) for c in tier_col.cat.categories]
    else:
        order = [t for t in DEFAULT_TIER_ORDER if t in present]
    rest = present - set(order)
    if rest:
        value_col = next((c for c in ("clv", "total_value") if c in new_customers.columns), None)
        means = {}
        if value_col is not None:
            frame = new_customers.reset_index() if "customer_id" not in new_customers.columns else new_customers
            values = pd.to_numeric(frame[value_col], errors="coerce")
            means = values.groupby(frame["tier"].astype(str)).mean().to_dict()
        order += sorted(rest, key=lambda t: (-float(np.nan_to_num(means.get(t, -np.inf), neginf=-1e300)), t))
    return order
