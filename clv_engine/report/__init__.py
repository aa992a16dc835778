"""Excel report of an analysis (openpyxl, imported only when a report is written)."""
from __future__ import annotations

from .workbook import histogram_table, pareto_curve, top_share, write_excel_report

__all__ = ["histogram_table", "pareto_curve", "top_share", "write_excel_report"]
