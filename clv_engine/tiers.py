"""Value tiers: rank customers by a value and split them by shares or thresholds.

Default split: top 20% "High", middle 50% "Medium", bottom 30% "Low". Customers with the
same value always land in the same tier (a tie group goes to the tier that holds its
middle member), so the result does not depend on row order and never changes between runs.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .errors import InputError

__all__ = ["assign_tiers", "parse_splits", "tier_names", "DEFAULT_SPLITS", "DEFAULT_TIER_NAMES"]

DEFAULT_SPLITS = (20.0, 50.0, 30.0)
DEFAULT_TIER_NAMES = ("High", "Medium", "Low")


def parse_splits(text: str | Sequence[float]) -> tuple[float, ...]:
    """Read tier shares like ``"20,50,30"`` or ``[0.2, 0.5, 0.3]`` as percentages summing to 100."""
    shown = text if isinstance(text, str) else ", ".join(f"{v:g}" if isinstance(v, (int, float)) else str(v)
                                                         for v in text)
    if isinstance(text, str):
        parts = [p.strip().rstrip("%") for p in text.replace(";", ",").split(",") if p.strip()]
        try:
            values = [float(p) for p in parts]
        except ValueError as exc:
            raise InputError(
                f"tier split '{shown}' is not a list of numbers",
                hint="Write it like 20,50,30 (percent of customers, best tier first).",
            ) from exc
    else:
        values = [float(v) for v in text]
    if not values or any(not math.isfinite(v) or v <= 0 for v in values):
        raise InputError(
            f"tier split '{shown}' must be positive shares",
            hint="Write it like 20,50,30 (percent of customers, best tier first).",
        )
    total = sum(values)
    if abs(total - 1.0) < 1e-6:
        values = [v * 100 for v in values]
        total = 100.0
    if abs(total - 100.0) > 1e-6:
        raise InputError(
            f"tier split '{shown}' adds up to {total:g}%, not 100%",
            hint="Make the shares add up to 100, like 20,50,30.",
        )
    return tuple(values)


def tier_names(names: Sequence[str] | None, count: int) -> list[str]:
    """``count`` tier names, best first: ``names`` checked (one different, non-empty name per
    tier, or :class:`InputError`), or the defaults (High, Medium, Low; Tier 1, Tier 2 …)."""
    if names is None:
        if count == len(DEFAULT_TIER_NAMES):
            return list(DEFAULT_TIER_NAMES)
        return [f"Tier {i + 1}" for i in range(count)]
    names = [str(n).strip() for n in names]
    if len(names) != count or any(not n for n in names) or len(set(names)) != len(names):
        raise InputError(
            (f"{count} tiers need {count} different, non-empty names" if count != 1 else "1 tier needs 1 name") +
            f"; got {', '.join(names) or 'none'}",
            hint="Give one name per tier, best tier first, like High,Medium,Low.",
        )
    return names


def _share_codes(vals: np.ndarray, shares: Sequence[float]) -> np.ndarray:
    """Tier number per value (0 = best) for tiers holding ``shares`` percent of the values.

    A tie group's tier is the one holding its middle member: its 1-based average rank
    (best value = 1) is turned into the percent of values ranked above it. The tier is a
    step function of the value, so only the sorted values are ranked; each value then finds
    its tier by comparison with the lowest value of each tier (one sort, no argsort).
    """
    n = len(vals)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    ranked = np.sort(-vals)  # best first
    group_start = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])
    group_end = np.r_[group_start[1:], n]  # exclusive
    mid_rank = (group_start + 1 + group_end) / 2.0  # mean of ranks start+1 .. end
    position = (mid_rank - 1) / n * 100.0  # percent of values ranked above
    bounds = np.cumsum(shares)[:-1]
    group_code = np.minimum(np.searchsorted(bounds, position + 1e-9, side="right"), len(shares) - 1)
    # -value of the first tie group of each tier below the best (NaN, above all, for a tier no
    # group reaches); a value is in tier k when -value reaches k of these entries
    first_group = np.searchsorted(group_code, np.arange(1, len(shares)), side="left")
    reached = first_group < len(group_start)
    entry = np.full(len(first_group), np.nan)
    entry[reached] = ranked[group_start[first_group[reached]]]
    return np.searchsorted(entry, -vals, side="right")


def assign_tiers(
    values,
    splits: Sequence[float] | str | None = None,
    names: Sequence[str] | None = None,
    *,
    thresholds: Sequence[float] | None = None,
) -> pd.Series:
    """Tier name per value, best tier first, as an ordered categorical Series.

    ``splits``: percentages of customers per tier, best first (default 20/50/30).
    ``thresholds``: instead of shares, minimum values per tier, best first: with
    ``[1000, 200]`` a value ≥ 1000 is in the first tier, ≥ 200 in the second, the rest in
    the third (so N thresholds give N + 1 tiers).
    Missing values rank last. The index of ``values`` is kept when it is a Series.
    """
    series = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values, dtype=np.float64))
    vals = pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64)
    vals = np.where(np.isfinite(vals), vals, -np.inf)
    n = len(vals)

    if thresholds is not None:
        cuts = [float(t) for t in thresholds]
        if not cuts or any(not math.isfinite(c) for c in cuts) or any(a <= b for a, b in zip(cuts, cuts[1:])):
            raise InputError(
                f"tier thresholds {list(thresholds)} must be numbers from highest to lowest",
                hint="Write them like 1000,200 (minimum value of each tier, best tier first).",
            )
        labels = tier_names(names, len(cuts) + 1)
        # index of the first threshold the value reaches; len(cuts) if none
        reached = vals[:, None] >= np.asarray(cuts)[None, :]
        codes = np.where(reached.any(axis=1), reached.argmax(axis=1), len(cuts))
    else:
        shares = parse_splits(splits if splits is not None else DEFAULT_SPLITS)
        labels = tier_names(names, len(shares))
        codes = _share_codes(vals, shares)

    categorical = pd.Categorical.from_codes(np.asarray(codes, dtype=np.int64), categories=labels, ordered=True)
    return pd.Series(categorical, index=series.index, name="tier")
