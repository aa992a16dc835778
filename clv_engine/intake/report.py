"""What intake did with every row: :class:`IntakeReport` and the fixed list of skip reasons."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..errors import agree

__all__ = ["SKIP_REASONS", "IntakeReport", "OrderData"]

# Every skipped row carries exactly one of these reasons (first that applies, in this order).
SKIP_REASONS = (
    "blank row",  # a fully blank row inside the data
    "totals row",  # "Total", "Grand total", "Total for …", or a row holding only a sum
    "heading row",  # a group heading (e.g. QuickBooks customer name rows)
    "not a payment",  # fees, withdrawals, transfers, holds, estimates, outgoing payments
    "cancelled or failed",  # cancelled, voided, expired, failed, not captured
    "not paid",  # unpaid checkouts (e.g. WooCommerce "pending payment"), pending, on hold, awaiting payment
    "refunded or returned",  # the order's own status says refunded in full, returned or charged back
    "exact duplicate",  # every cell equal to an earlier row
    "no customer",  # no customer id, email or name
    "unreadable date",
    "date out of range",  # after today, before 1970, or years away from all the other orders (a typo)
    "after the as-of date",  # dated after the end of the history asked for (--as-of): not known then
    "unreadable amount",
    "other currency",  # not the analysed currency
    "not a product",  # postage, fees, adjustments … left out on request (exclude_non_product)
    "refund without its order",  # refund whose order and customer are not in the file
)


def empty_skipped() -> pd.DataFrame:
    return pd.DataFrame({"row": pd.Series(dtype="int64"), "reason": pd.Series(dtype=str),
                         "detail": pd.Series(dtype=str)})


@dataclass
class IntakeReport:
    """Plain facts about one intake: where, how it was read, and what happened to each row."""

    source: str = ""
    sheet: str | None = None  # the one sheet read (None: a text file, or several sheets read as one)
    sheets: list[str] = field(default_factory=list)  # every sheet of the workbook ([] for a text file)
    sheets_read: list[str] = field(default_factory=list)  # the sheets whose rows were read
    layout: str = "generic"
    layout_label: str = "Generic order list"
    mapping: dict[str, str] = field(default_factory=dict)
    columns: list[str] = field(default_factory=list)
    header_row: int = 1
    rows_read: int = 0
    rows_used: int = 0
    skipped: pd.DataFrame = field(default_factory=empty_skipped)
    rows_skipped: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    currency: str | None = None
    date_order: str | None = None
    date_order_why: str = ""  # how the day/month order was settled, for a person
    date_order_ambiguous: bool = False  # nothing in the data settled it: offer the choice
    refunds_netted: int = 0  # returns netted (counted in invoices) plus orders netted by a refund column
    value_source: str = "amount"  # "amount", "line_total" or "quantity" (quantity × unit price)
    # returns netted: invoices, lines, value, named, unnamed, left_out, beyond_purchases
    returns: dict = field(default_factory=dict)
    non_product: dict = field(default_factory=dict)  # lines, value, kinds, excluded
    duplicates: dict = field(default_factory=dict)  # rows, value, dropped

    def to_frame(self) -> pd.DataFrame:
        """One line per skipped row (``row``, ``reason``, ``detail``), for ``intake.csv``."""
        return self.skipped.copy()

    def summary_lines(self) -> list[str]:
        """A short human summary (used by the CLI and the desktop check view)."""
        where = self.source + (f", sheet '{self.sheet}'" if self.sheet else "")
        lines = [f"{where}: {self.layout_label}; header on row {self.header_row}.",
                 f"{self.rows_read} {agree(self.rows_read, 'row')} read, {self.rows_used} used, "
                 f"{len(self.skipped)} skipped."]
        lines += [f"  {reason}: {count}" for reason, count in self.rows_skipped.items()]
        if self.refunds_netted:
            lines.append(f"{self.refunds_netted} {agree(self.refunds_netted, 'refund')} netted against "
                         f"{agree(self.refunds_netted, 'its order', 'their orders')}.")
        if self.duplicates.get("rows"):
            lines.append(f"{self.duplicates['rows']} exact duplicate {agree(self.duplicates['rows'], 'row')} "
                         + ("left out." if self.duplicates.get("dropped") else "kept."))
        return lines + list(self.notes)


@dataclass
class OrderData:
    """Result of :func:`clv_engine.intake.read_orders`."""

    orders: pd.DataFrame
    customers: pd.DataFrame
    report: IntakeReport
    preview: pd.DataFrame
    details: Any = None  # clv_engine.intake.details.OrderDetails: products, channels, geography …
    # One row per kept data row (order lines and returns): row, order_id, customer_id, date,
    # quantity, value (the line's own value, negative for returns; NaN when the file gives
    # only order totals), is_return, non_product (kind or ""). For per-line analyses
    # (products, categories); customer values come from ``orders``.
    lines: pd.DataFrame | None = None
