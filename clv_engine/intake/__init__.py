"""Order intake: read shop exports (CSV, Excel, ODS), Excel ranges and DataFrames into orders.

``read_orders(source, ...) -> OrderData`` is the one entry point; see docs/architecture.md.
Platform layouts are detected from the headers (``LAYOUTS``: preset id -> label).
"""
from __future__ import annotations

from .columns import DESCRIPTIVE_ROLES, ROLES
from .core import read_orders
from .details import OrderDetails
from .presets import LAYOUTS
from .report import SKIP_REASONS, IntakeReport, OrderData

__all__ = ["DESCRIPTIVE_ROLES", "LAYOUTS", "OrderDetails", "ROLES", "SKIP_REASONS", "IntakeReport", "OrderData", "read_orders"]
