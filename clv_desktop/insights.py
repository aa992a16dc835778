"""Plain-language texts for the desktop views (no Qt here).

Turns the engine's intake report and customer table into the sentences and summary
cards a shop owner reads first.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from clv_engine.errors import agree, count_text


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


CURRENCY_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$", "JPY": "¥", "INR": "₹",
                    "AUD": "A$", "CAD": "C$", "NZD": "NZ$", "CNY": "¥", "KRW": "₩",
                    "BRL": "R$", "ZAR": "R", "ILS": "₪", "TRY": "₺", "PLN": "zł"}
SYMBOL_AFTER = {"PLN", "ZAR"}
METHOD_NAMES = {"predictive": "Predictive model", "historical": "Historical value",
                "simple": "Simple formula", "retention": "Retention formula"}


def _money(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 or value == 0 else f"{value:,.2f}"


def top_share(values: np.ndarray, fraction: float = 0.2) -> float:
    """Share of the total held by the top ``fraction`` of customers (0 when no value)."""
    values = values[np.isfinite(values)]
    total = values.sum()
    if len(values) == 0 or total <= 0:
        return 0.0
    top_n = max(1, int(np.ceil(len(values) * fraction)))
    top = np.partition(values, len(values) - top_n)[len(values) - top_n:]
    return float(top.sum() / total)


@dataclass(frozen=True)
class ValueContext:
    """What a money figure of one run means: currency, time frame and margin."""

    currency: str | None = None
    method: str = ""
    horizon_months: int = 12
    margin: float = 1.0
    lifespan_years: float | None = None

    @classmethod
    def from_run(cls, summary: dict | None, settings=None) -> "ValueContext":
        summary = summary or {}
        formula = summary.get("business_formula_clv") or {}
        lifespan = formula.get("lifespan_years") if isinstance(formula, dict) else None
        if lifespan is None:
            lifespan = getattr(settings, "lifespan_years", None)
        try:
            horizon = int(round(float(getattr(settings, "horizon_months", 12) or 12)))
        except (TypeError, ValueError):
            horizon = 12
        try:
            margin = float(getattr(settings, "margin", 1.0))
        except (TypeError, ValueError):
            margin = 1.0
        currency = summary.get("currency") or None
        return cls(str(currency).upper() if currency else None, str(summary.get("method") or ""),
                   horizon, margin, float(lifespan) if lifespan is not None else None)

    def money(self, value: float | None, decimals: int | None = None) -> str:
        """'£1,934' / '1,934 zł' / '1,934' (no currency known); '' for a missing value."""
        if value is None or not np.isfinite(value):
            return ""
        number = (f"{value:,.{decimals}f}" if decimals is not None else _money(value))
        code = self.currency
        if not code:
            return number
        symbol = CURRENCY_SYMBOLS.get(code)
        if symbol is None:
            return f"{number} {code}"
        if code in SYMBOL_AFTER:
            return f"{number} {symbol}"
        sign = "-" if number.startswith("-") else ""
        return f"{sign}{symbol}{number.lstrip('-')}"

    def currency_suffix(self) -> str:
        """' (£)' for a header, '' when the currency is unknown."""
        if not self.currency:
            return ""
        return f" ({CURRENCY_SYMBOLS.get(self.currency, self.currency)})"

    def horizon_text(self) -> str:
        months = self.horizon_months
        if months % 12 == 0:
            years = months // 12
            return "12 months" if years == 1 else f"{years} years"
        return f"{months} month{'s' if months != 1 else ''}"

    def value_phrase(self) -> str:
        """What 'expected value' covers: 'expected over the next 12 months'."""
        if self.method == "historical":
            return "spent so far (no forecast)"
        if self.method == "simple":
            rounded = round(float(self.lifespan_years or 0), 1)
            years = (f"{rounded:g} {agree(rounded, 'year')}" if self.lifespan_years
                     else "an estimated lifetime")
            return f"expected over a customer's lifetime ({years}, simple formula)"
        if self.method == "retention":
            return "expected over the years to come, discounted (retention formula)"
        return f"expected over the next {self.horizon_text()}"

    def short_frame(self) -> str:
        """The time frame for a column header: 'next 12 months', 'lifetime', 'to date'."""
        if self.method == "historical":
            return "to date"
        if self.method in ("simple", "retention"):
            return "lifetime"
        return f"next {self.horizon_text()}"

    def margin_phrase(self) -> str:
        if self.margin >= 0.9995:
            return "counted as revenue (margin 100%; set your margin in Settings)"
        return f"profit at a {self.margin:.0%} margin"


def summary_cards(customers: pd.DataFrame, summary: dict | None = None,
                  context: ValueContext | None = None) -> list[Card]:
    """The cards at the top of the results page (the engine's headline first)."""
    summary = summary or {}
    context = context or ValueContext.from_run(summary)
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
        Card("Expected value", context.money(total),
             f"What your {count_text(n, 'customer')} "
             + (f"{agree(n, 'has', 'have')} spent so far" if context.method == "historical"
                else f"{agree(n, 'is', 'are')} {context.value_phrase()}") + "; "
             f"{context.margin_phrase()}."),
        Card("Customers", f"{n:,}",
             f"Average expected value {context.money(total / n)} each."),
    ]
    churn = _churn_card(customers, context)
    if churn is not None:
        cards.append(churn)
    method = str(summary.get("method") or "")
    if not method and "clv_method" in customers.columns and customers["clv_method"].notna().any():
        method = str(customers["clv_method"].mode().iat[0])
    if method:
        # The model's caveats stay on the card (seen first); the basis and any fallback
        # are under 'How these numbers were worked out'.
        caveats = [str(n) for n in _model_notes(summary)]
        text = " ".join(caveats) if caveats else \
            "See 'How these numbers were worked out' below."
        cards.append(Card("Method", METHOD_NAMES.get(method, method.replace("_", " ")), text))
    return cards


def _model_notes(summary: dict) -> list[str]:
    notes: list[str] = []
    for key in ("prediction_notes", "model_notes"):
        for note in summary.get(key) or []:
            if str(note) and str(note) not in notes:
                notes.append(str(note))
    return notes


def _churn_card(customers: pd.DataFrame, context: ValueContext) -> Card | None:
    """Customers with a high churn risk (the engine's label when it gives one)."""
    if "churn_label" in customers.columns and customers["churn_label"].notna().any():
        labels = customers["churn_label"].astype(object).where(
            customers["churn_label"].notna(), "").astype(str)
        high = int((labels == "High").sum())
        recency = ""
        if "rfm_segment" in customers.columns:
            lapsed = int(customers["rfm_segment"].astype(str).isin(["At risk", "Lost"]).sum())
            if lapsed:
                recency = (f" The {lapsed:,} customers in the 'At risk' and 'Lost' segments are about recency "
                           "instead: how long since their last order compared with your other customers.")
        return Card("High churn risk", f"{high:,}",
                    f"{high / len(customers):.0%} of customers are labelled High: likely to "
                    f"place no order in the next {context.horizon_text()}. Filter the "
                    "customer table by churn risk to export them." + recency)
    if "churn_risk" not in customers.columns:
        return None
    risk = pd.to_numeric(customers["churn_risk"], errors="coerce")
    if not risk.notna().any():
        return None
    at_risk = int((risk >= 0.5).sum())
    return Card("Probably gone", f"{at_risk:,}",
                f"{at_risk / len(customers):.0%} of customers are more likely to have "
                "stopped buying than not (chance still a customer below 50%). The "
                "'At risk' and 'Lost' segments are about recency instead: how long "
                "since their last order compared with your other customers.")


def method_notes(summary: dict | None, context: ValueContext | None = None) -> list[str]:
    """How the numbers were worked out, in plain sentences: the method and what values
    cover, why the predictive model was not used (when it was not), the basis."""
    summary = summary or {}
    context = context or ValueContext.from_run(summary)
    notes = []
    method = str(summary.get("method") or "")
    if method:
        notes.append(f"Method: {METHOD_NAMES.get(method, method)}. Values are "
                     f"{context.value_phrase()}, {context.margin_phrase()}"
                     f"{' in ' + context.currency if context.currency else ''}.")
    fallback = summary.get("fallback_reason")
    if fallback:
        notes.append(f"Why not the predictive model: {fallback}")
    from clv_engine.pipeline import plain_method

    basis = (plain_method(summary) or str(summary.get("clv_basis") or "")).strip()
    if fallback and basis.startswith(str(fallback)):
        basis = basis[len(str(fallback)):].strip()
    if basis:
        basis = basis[0].upper() + basis[1:]
        notes.append(basis if basis.endswith(".") else basis + ".")
    return notes


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
