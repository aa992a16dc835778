"""Safe cell writing for the Excel report: no NaN/inf, no formulas from data, readable formats."""
from __future__ import annotations

import datetime as dt
import math
import re

import numpy as np
import pandas as pd

ILLEGAL_CHARACTERS = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
MAX_CELL_TEXT = 32767

LABELS = {
    "customer_id": "Customer ID",
    "share_of_customers": "Share of customers",
    "total_value": "Spent to date",  # a customer's spend (profiles: report.workbook names their totals)
    "spent_to_date": "Spent to date",
    "average_value": "Average value",
    "share_of_value": "Share of value",
    "average_order_value": "Average order value",
    "orders_per_year": "Orders per year",
    "days_since_last_order": "Days since last order",
    "avg_days_between_orders": "Avg. days between orders",
    "churn_risk": "Churn risk",
    "churn_label": "Churn risk level",
    "p_alive": "Chance still active",
    "clv": "CLV",
    "clv_low": "CLV (low)",
    "clv_high": "CLV (high)",
    "clv_method": "CLV method",
    "rfm_r": "R",
    "rfm_f": "F",
    "rfm_m": "M",
    "rfm_score": "RFM score",
    "rfm_segment": "RFM segment",
    "next_order_date": "Next order (expected)",
    "expected_orders": "Expected orders",
}
MONEY_COLUMNS = {"total_value", "spent_to_date", "average_value", "average_order_value", "clv", "clv_low", "clv_high",
                 "expected_order_value", "monetary_value"}
PERCENT_COLUMNS = {"share_of_customers", "share_of_value", "churn_risk", "p_alive"}
COUNT_COLUMNS = {"customers", "orders", "rows", "row", "rfm_r", "rfm_f", "rfm_m"}
DECIMAL_COLUMNS = {"orders_per_year", "expected_orders", "frequency"}
DAY_COLUMNS = {"days_since_last_order", "avg_days_between_orders", "recency", "T"}
CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "AUD": "A$", "CAD": "C$"}


def label(column) -> str:
    """Readable header for a column name."""
    name = str(column)
    return LABELS.get(name, name.replace("_", " ").strip().capitalize() if name.islower() else name)


def money_format(currency: str | None) -> str:
    """Excel number format with the currency symbol (or code) and two decimals."""
    code = (currency or "").strip().upper()
    if code in CURRENCY_SYMBOLS:
        return f'"{CURRENCY_SYMBOLS[code]}"#,##0.00'
    if code and code.isalpha() and len(code) <= 4:
        return f'#,##0.00" {code}"'
    return "#,##0.00"


def number_format_for(column, currency: str | None) -> str | None:
    name = str(column)
    if name in MONEY_COLUMNS:
        return money_format(currency)
    if name in PERCENT_COLUMNS:
        return "0.0%"
    if name in COUNT_COLUMNS:
        return "#,##0"
    if name in DECIMAL_COLUMNS:
        return "0.00"
    if name in DAY_COLUMNS:
        return "#,##0"
    return None


def excel_value(value):
    """A value openpyxl can store without repair prompts: None for NaN/NA/inf/NaT."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, pd.Timestamp):
        if pd.isna(value):
            return None
        return value.tz_localize(None).to_pydatetime() if value.tzinfo else value.to_pydatetime()
    if isinstance(value, (dt.datetime, dt.date)):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    text = ILLEGAL_CHARACTERS.sub("", str(value))
    return text[:MAX_CELL_TEXT]


def set_cell(ws, row: int, column: int, value, number_format: str | None = None):
    """Write one cell; text starting with '=' stays text (never becomes a formula)."""
    cell = ws.cell(row=row, column=column, value=excel_value(value))
    if isinstance(cell.value, str) and cell.value.startswith("="):
        cell.data_type = "s"
    if number_format and cell.value is not None:
        cell.number_format = number_format
    return cell


def sheet_title(name: str, taken: set[str]) -> str:
    """A legal, unique worksheet name (≤31 chars, none of []:*?/\\, not quoted at the ends)."""
    title = re.sub(r"[\[\]:*?/\\]", " ", str(name)).strip().strip("'") or "Sheet"
    title = title[:31].strip()
    base, n = title, 2
    while title.casefold() in {t.casefold() for t in taken} or title.casefold() == "history":
        suffix = f" ({n})"
        title = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(title)
    return title
