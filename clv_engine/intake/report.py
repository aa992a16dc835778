"""What intake did with every row: :class:`IntakeReport` and the fixed list of skip reasons."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

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
    "unreadable amount",
    "other currency",  # not the analysed currency
    "refund without its order",  # refund whose order and customer are not in the file
)


def empty_skipped() -> pd.DataFrame:
    return pd.DataFrame({"row": pd.Series(dtype="int64"), "reason": pd.Series(dtype=str),
                         "detail": pd.Series(dtype=str)})


@dataclass
class IntakeReport:
    """Plain facts about one intake: where, how it was read, and what happened to each row."""

    source: str = ""
    sheet: str | None = None
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
    refunds_netted: int = 0

    def to_frame(self) -> pd.DataFrame:
        """One line per skipped row (``row``, ``reason``, ``detail``), for ``intake.csv``."""
        return self.skipped.copy()

    def summary_lines(self) -> list[str]:
        """A short human summary (used by the CLI and the desktop check view)."""
        where = self.source + (f", sheet '{self.sheet}'" if self.sheet else "")
        lines = [f"{where}: {self.layout_label}; header on row {self.header_row}.",
                 f"{self.rows_read} rows read, {self.rows_used} used, {len(self.skipped)} skipped."]
        lines += [f"  {reason}: {count}" for reason, count in self.rows_skipped.items()]
        if self.refunds_netted:
            lines.append(f"{self.refunds_netted} refunds netted against their orders.")
        return lines + list(self.notes)


@dataclass
class OrderData:
    """Result of :func:`clv_engine.intake.read_orders`."""

    orders: pd.DataFrame
    customers: pd.DataFrame
    report: IntakeReport
    preview: pd.DataFrame
    details: Any = None  # clv_engine.intake.details.OrderDetails: products, channels, geography …
