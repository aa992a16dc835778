"""Plain-language texts for the desktop views (no Qt here).

Turns the engine's intake report and customer table into the sentences and summary
cards a shop owner reads first.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Card:
    """One summary card: a big figure, a title and a sentence explaining it."""

    title: str
    value: str
    explanation: str


def _count(n) -> str:
    return f"{int(n):,}"


def intake_sentence(report) -> str:
    """'10,412 rows read; 10,230 used; 182 skipped: 120 cancelled orders, 62 …'."""
    read = getattr(report, "rows_read", 0) or 0
    used = getattr(report, "rows_used", 0) or 0
    skipped = read - used
    text = f"{_count(read)} rows read; {_count(used)} used"
    if skipped <= 0:
        return text + "; none skipped."
    reasons = dict(getattr(report, "rows_skipped", {}) or {})
    parts = [f"{_count(n)} {str(reason).replace('_', ' ')}"
             for reason, n in sorted(reasons.items(), key=lambda kv: -kv[1]) if n]
    detail = ": " + ", ".join(parts) if parts else ""
    return f"{text}; {_count(skipped)} skipped{detail}."


def layout_sentence(report) -> str:
    label = getattr(report, "layout_label", "") or getattr(report, "layout", "") or "unknown"
    source = getattr(report, "source", "") or "your file"
    sheet = getattr(report, "sheet", None)
    where = f"{source}, sheet '{sheet}'" if sheet else source
    return f"{where} looks like: {label}."


def _money(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"


def top_share(values: np.ndarray, fraction: float = 0.2) -> float:
    """Share of the total held by the top ``fraction`` of customers (0 when no value)."""
    values = values[np.isfinite(values)]
    total = values.sum()
    if len(values) == 0 or total <= 0:
        return 0.0
    top_n = max(1, int(np.ceil(len(values) * fraction)))
    top = np.partition(values, len(values) - top_n)[len(values) - top_n:]
    return float(top.sum() / total)


def summary_cards(customers: pd.DataFrame, summary: dict | None = None) -> list[Card]:
    """The cards at the top of the results page (the engine's headline first)."""
    summary = summary or {}
    n = len(customers)
    if n == 0:
        return [Card("Customers", "0", "No customers were found in the orders.")]
    clv = pd.to_numeric(customers.get("clv", pd.Series(dtype=float)), errors="coerce")
    values = clv.to_numpy(dtype=float, na_value=np.nan)
    total = float(np.nansum(values))
    share = top_share(values)
    headline = str(summary.get("headline") or "")
    top_value = summary.get("top_tier_share_of_clv")
    cards = [
        Card("Top customers", f"{float(top_value):.0%}" if top_value is not None
             else f"{share:.0%}",
             headline or f"Your top 20% hold {share:.0%} of expected value."),
        Card("Expected value", _money(total),
             f"What your {n:,} customers are expected to be worth in total."),
        Card("Customers", f"{n:,}", f"Average expected value {_money(total / n)} each."),
    ]
    if "churn_risk" in customers.columns:
        risk = pd.to_numeric(customers["churn_risk"], errors="coerce")
        if risk.notna().any():
            at_risk = int((risk >= 0.5).sum())
            cards.append(Card("At risk of leaving", f"{at_risk:,}",
                              f"{at_risk / n:.0%} of customers are more likely gone than "
                              "still buying."))
    method = str(summary.get("method") or "")
    if not method and "clv_method" in customers.columns and customers["clv_method"].notna().any():
        method = str(customers["clv_method"].mode().iat[0])
    if method:
        basis = " ".join([str(summary.get("clv_basis") or "How the expected value was worked out."),
                          *map(str, summary.get("prediction_notes") or [])])
        cards.append(Card("Method", METHOD_NAMES.get(method, method.replace("_", " ")), basis))
    return cards


METHOD_NAMES = {"predictive": "Predictive model", "historical": "Historical value",
                "simple": "Simple formula"}


def percent_text(values) -> str:
    """[0.2, 0.3, 0.5] -> '20, 30, 50' (fractions shown as percentages)."""
    values = list(values or [])
    if values and all(0 <= float(v) <= 1 for v in values):
        return ", ".join(f"{float(v) * 100:g}" for v in values)
    return ", ".join(f"{float(v):g}" for v in values)


def parse_percent_text(text: str, like) -> tuple[float, ...]:
    """Inverse of :func:`percent_text`, returning numbers in the same form as ``like``."""
    parts = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
    numbers = tuple(float(p.rstrip("%")) for p in parts)
    like = list(like or [])
    if like and all(0 <= float(v) <= 1 for v in like):
        return tuple(n / 100 for n in numbers)
    return numbers
