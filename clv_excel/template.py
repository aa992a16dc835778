"""Generate the CLV Toolkit template workbook (classic xlwings, Windows).

Modelled on xlwings' standalone quickstart workbook: an ``xlwings.conf`` sheet whose
``UDF Modules`` setting points at ``clv_excel.udfs`` (the keys are the ones of that
sheet), an example ``Orders`` sheet, a ``CLV settings`` sheet read by the scripts and an
``Examples`` sheet with live formulas. Array formulas are sized to the example data so
they show in every Excel version; in Excel 365 a retyped formula spills by itself.
"""
from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path

from clv_engine.errors import InputError

from . import functions
from .scripts import ORDERS_SHEET, SETTINGS_SHEET, column_letter

UDF_MODULE = "clv_excel.udfs"
CONF_SHEET = "xlwings.conf"
EXAMPLES_SHEET = "Examples"
ORDER_HEADER = ["Customer", "Email", "Order", "Date", "Total"]


def conf_rows(interpreter: str | None = None) -> list[list]:
    """Rows of the ``xlwings.conf`` sheet (same keys as xlwings' standalone template)."""
    if interpreter is None and sys.platform.startswith("win"):
        exe = Path(sys.executable)
        pythonw = exe.with_name("pythonw.exe")
        interpreter = str(pythonw if pythonw.exists() else exe)
    return [
        ["Interpreter_Win", interpreter or ""],
        ["Interpreter_Mac", ""],
        ["PYTHONPATH", ""],
        ["Conda Path", ""],
        ["Conda Env", ""],
        ["UDF Modules", UDF_MODULE],
        ["Debug UDFs", False],
        ["Use UDF Server", False],
        ["Show Console", False],
    ]


def example_orders(customers: int = 12, seed: int = 7) -> list[list]:
    """A small, fixed example order list (header first) a shop might export."""
    rng = random.Random(seed)
    start = dt.datetime(2023, 1, 2)
    rows = [list(ORDER_HEADER)]
    number = 1001
    for c in range(1, customers + 1):
        name = f"Customer {c:02d}"
        email = f"customer{c:02d}@example.com"
        first = start + dt.timedelta(days=rng.randrange(0, 300))
        gap = rng.choice([20, 45, 90, 180, 400])
        basket = rng.choice([25.0, 40.0, 60.0, 120.0])
        day = first
        while day < dt.datetime(2024, 12, 31):
            rows.append([name, email, f"#{number}", day, round(basket * rng.uniform(0.6, 1.4), 2)])
            number += 1
            day = day + dt.timedelta(days=int(gap * rng.uniform(0.5, 1.5)))
            if rng.random() < 0.15:
                break
    header, body = rows[0], sorted(rows[1:], key=lambda row: row[3])
    return [header] + body


def example_formulas(orders_ref: str) -> list[tuple[str, str, str | None]]:
    """(description, formula, function name used to size the array or None for scalars)."""
    return [
        ("Simple CLV: AOV 50, 4 orders/year, 3 years, 30% margin, 20 to acquire",
         "=CLV_SIMPLE(50,4,3,0.3,20)", None),
        ("Retention CLV: 100 margin/year, 80% retention, 10% discount",
         "=CLV_RETENTION(100,0.8,0.1)", None),
        ("How the orders were read", f"=CLV_INTAKE({orders_ref})", "clv_intake"),
        ("Predicted CLV per customer", f"=CLV_PREDICT({orders_ref})", "clv_predict"),
        ("Tier profiles with actions", f"=CLV_SEGMENTS({orders_ref})", "clv_segments"),
        ("RFM scores", f"=CLV_RFM({orders_ref})", "clv_rfm"),
        ("Model and verdict", f"=CLV_MODEL({orders_ref})", "clv_model"),
        ("Customer summary", f"=CLV_SUMMARY({orders_ref})", "clv_summary"),
    ]


def write_template(path, *, interpreter: str | None = None, overwrite: bool = False) -> Path:
    """Write the template workbook to ``path`` (.xlsx or .xlsm name); returns the path."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.formula import ArrayFormula

    path = Path(path)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise InputError(f"the template must be an .xlsx file, not '{path.name}'.", hint="Name it e.g. clv.xlsx.")
    if path.exists() and not overwrite:
        raise InputError(f"{path} already exists.", hint="Choose another name or pass --force to replace it.")
    orders = example_orders()
    book = Workbook()
    examples = book.active
    examples.title = EXAMPLES_SHEET

    order_sheet = book.create_sheet(ORDERS_SHEET)
    for row in orders:
        order_sheet.append(row)
    for cell in order_sheet["D"][1:]:
        cell.number_format = "yyyy-mm-dd"
    orders_ref = f"{ORDERS_SHEET}!$A$1:$E${len(orders)}"

    examples["A1"] = "CLV Toolkit: live examples (import the functions first, see Read me)"
    examples["A1"].font = Font(bold=True)
    row = 3
    for description, formula, function_name in example_formulas(orders_ref):
        examples.cell(row=row, column=1, value=description).font = Font(italic=True)
        target = examples.cell(row=row + 1, column=1)
        height, width = output_size(function_name, orders)
        if function_name is None or (height, width) == (1, 1):
            target.value = formula
        else:
            ref = f"A{row + 1}:{column_letter(width)}{row + height}"
            examples[f"A{row + 1}"] = ArrayFormula(ref, formula)
        row += height + 3

    settings = book.create_sheet(SETTINGS_SHEET)
    for item in (
        ["Setting", "Value", "Meaning"],
        ["Horizon (months)", 12, "Months ahead to value"],
        ["Discount rate", 0.10, "Yearly discount rate"],
        ["Margin", 1.0, "Gross margin (1 = revenue)"],
        ["Model", "auto", "auto, bgnbd, mbgnbd, paretonbd, simple or historical"],
        ["As of", None, "Analysis date (empty: last order date)"],
        ["Email tool", "mailchimp", "Tool for 'Export tier lists'"],
        ["Include customers without consent", "no", "yes to include them"],
    ):
        settings.append(item)

    readme = book.create_sheet("Read me")
    for line in README_LINES:
        readme.append([line])

    conf = book.create_sheet(CONF_SHEET)
    for item in conf_rows(interpreter):
        conf.append(item)

    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


README_LINES = [
    "CLV Toolkit in Excel (classic xlwings, Windows)",
    "1. Install once: pip install clv-toolkit[excel], then run: clv-excel install-addin",
    "2. In Excel: File > Options > Trust Center > Macro Settings: tick 'Trust access to the VBA project object model'.",
    "3. Open this workbook, go to the xlwings tab and click 'Import Functions' (UDF Modules is set on the xlwings.conf sheet).",
    "4. Save as .xlsm. The formulas on 'Examples' now calculate; press Ctrl+Alt+F9 to recalculate all.",
    "5. Paste your own orders on 'Orders' (keep a header row: customer, date and amount columns).",
    "Functions: CLV_SIMPLE, CLV_RETENTION, CLV_SUMMARY, CLV_PREDICT, CLV_TIER, CLV_RFM, CLV_SEGMENTS, CLV_MODEL,"
    " CLV_INTAKE, CLV_CUSTOMERS. Problems show as one 'CLV: ...' message in the cell.",
    "Macros: analyze_orders (results, segments and a chart) and export_tier_lists (email-tool files next to the workbook).",
]


def output_size(function_name: str | None, orders: list[list]) -> tuple[int, int]:
    """Rows and columns the example formula returns for the example orders."""
    if function_name is None:
        return 1, 1
    result = getattr(functions, function_name)(orders)
    if isinstance(result, list) and result and isinstance(result[0], list):
        return len(result), len(result[0])
    return 1, 1


__all__ = ["write_template", "conf_rows", "example_orders", "example_formulas"]
