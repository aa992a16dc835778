"""Generate the CLV Toolkit template workbook.

Two flavours, chosen by the file name:

* ``.xlsm`` (classic xlwings, Excel for Windows): built on xlwings' own ``quickstart.xlsm``
  (what ``xlwings quickstart`` copies), so it carries the VBA project with the reference to
  the xlwings add-in that *Import Functions* and the generated ``xlwings_udfs`` module need.
  Its ``xlwings.conf`` sheet sets ``UDF Modules`` and, only when one is given, the
  interpreter: a row left on that sheet, even empty, overrides the add-in's own setting.
* ``.xlsx`` (xlwings Lite, and any Excel to look at): the same sheets without VBA.

Both hold the example orders in an Excel Table called ``Orders``; every formula refers to
``Orders[#All]`` (the Table with its header row), so rows pasted below the Table become
part of it and are analysed. The formulas are dynamic arrays (they spill to any size) and
take their settings from named cells on the *CLV settings* sheet.
"""
from __future__ import annotations

import datetime as dt
import re
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from clv_engine.errors import InputError
from clv_engine.exports.tools import EMAIL_TOOLS as _ENGINE_EMAIL_TOOLS

from .scripts import ORDERS_SHEET, SETTINGS_SHEET

UDF_MODULE = "clv_excel.udfs"
CONF_SHEET = "xlwings.conf"
RESULTS_SHEET = "CLV"
CUSTOMERS_SHEET = "Customers"
SUMMARY_SHEET = "Summary"
README_SHEET = "Read me"
ORDERS_TABLE = "Orders"
ORDERS_REF = f"{ORDERS_TABLE}[#All]"
ORDER_HEADER = ["Customer", "Email", "Order", "Date", "Total"]
MODEL_LIST = "auto,bgnbd,mbgnbd,paretonbd,simple,historical"
PERIOD_LIST = "day,week,month"
EMAIL_TOOLS = ",".join(_ENGINE_EMAIL_TOOLS)  # every tool the engine exports for

MONEY = "#,##0.00"
PERCENT = "0%"
DATE = "yyyy-mm-dd"
DECIMAL = "0.00"
WHOLE = "0"

# (label on the sheet, defined name, value, number format, allowed values, meaning)
SETTINGS = [
    ("Horizon (months)", "HorizonMonths", 12, WHOLE, None, "Months ahead to value (1-120)"),
    ("Discount rate", "DiscountRate", 0.10, PERCENT, None, "Yearly discount rate"),
    ("Margin", "Margin", 1.0, PERCENT, None, "Gross margin (100% = revenue)"),
    ("Model", "ModelChoice", "auto", None, MODEL_LIST, "auto, bgnbd, mbgnbd, paretonbd, simple or historical"),
    ("As of", "AsOfDate", None, DATE, None, "Analysis date (empty: the last order date)"),
    ("Period", "SummaryPeriod", "day", None, PERIOD_LIST, "Unit of frequency and recency in CLV_SUMMARY"),
    ("Email tool", "EmailTool", "mailchimp", None, EMAIL_TOOLS, "Tool for 'Export tier lists'"),
    ("Include customers without consent", "IncludeNoConsent", "no", None, "yes,no", "yes to include them"),
]
SETTING_ARGS = "HorizonMonths,DiscountRate,Margin,ModelChoice,AsOfDate"

# Column number formats of the spilled results (positions are fixed per function, see
# docs/excel.md): sheet -> {column letter: format}.
PREDICT_FORMATS = {"B": MONEY, "C": MONEY, "D": MONEY, "E": PERCENT, "F": DECIMAL}
SUMMARY_FORMATS = {"B": WHOLE, "C": MONEY, "D": MONEY, "E": DATE, "F": DATE, "G": WHOLE, "H": DECIMAL,
                   "I": DECIMAL, "J": WHOLE, "K": DECIMAL, "L": DECIMAL, "M": MONEY}
SEGMENT_FORMATS = {"B": WHOLE, "C": PERCENT, "D": MONEY, "E": MONEY, "F": PERCENT, "G": WHOLE, "H": MONEY,
                   "I": DECIMAL, "J": WHOLE}


def conf_rows(interpreter: str | None = None) -> list[list]:
    """Rows of the ``xlwings.conf`` sheet.

    xlwings reads the sheet from A1 down to the first empty cell, and a key present there
    wins over the add-in's settings even when its value is empty. So only keys with a value
    are written: ``UDF Modules`` always, ``Interpreter_Win``/``Interpreter_Mac`` only when
    an interpreter is given (the add-in's *Interpreter* setting applies otherwise).
    """
    rows = [["UDF Modules", UDF_MODULE]]
    if interpreter:
        key = "Interpreter_Mac" if interpreter.startswith("/") else "Interpreter_Win"
        rows.insert(0, [key, interpreter])
    return rows


def default_interpreter() -> str | None:
    """pythonw.exe next to this Python on Windows (no console window), else None."""
    if not sys.platform.startswith("win"):
        return None
    exe = Path(sys.executable)
    pythonw = exe.with_name("pythonw.exe")
    return str(pythonw if pythonw.exists() else exe)


def example_orders(customers: int = 160, seed: int = 7) -> list[list]:
    """A fixed example order list (header first) large enough for the predictive model:
    customers with their own buying rhythm and basket size, some of whom stop buying."""
    rng = np.random.default_rng(seed)
    start = dt.datetime(2023, 1, 2)
    end = dt.datetime(2024, 12, 31)
    span = (end - start).days
    rows = []
    number = 1001
    for c in range(1, customers + 1):
        name = f"Customer {c:03d}"
        email = f"customer{c:03d}@example.com"
        day = float(rng.uniform(0, span * 0.8))
        rate = float(rng.gamma(1.2, 1 / 60.0))  # orders per day while active
        stop = float(rng.beta(1.0, 4.0))  # chance of leaving after each order
        basket = float(rng.gamma(4.0, 15.0))
        while day < span:
            rows.append([name, email, None, start + dt.timedelta(days=int(day)),
                         round(basket * float(rng.uniform(0.6, 1.4)), 2)])
            if rng.random() < stop:
                break
            day += float(rng.exponential(1 / max(rate, 1e-3))) + 1
    rows.sort(key=lambda row: (row[3], row[0]))
    for row in rows:
        row[2] = f"#{number}"
        number += 1
    return [list(ORDER_HEADER)] + rows


def dashboard_formulas() -> list[tuple[str, str, str]]:
    """(cell, description, formula) on the CLV sheet; each spills to its own area."""
    settings = SETTING_ARGS
    return [
        ("A4", "Value per tier, with recommended actions", f"=CLV_SEGMENTS({ORDERS_REF},{settings})"),
        ("A13", "Model and its verdict", f"=CLV_MODEL({ORDERS_REF},{settings})"),
        ("E13", "How the orders were read", f"=CLV_INTAKE({ORDERS_REF})"),
        ("H13", "Simple CLV: 50 per order, 4 orders a year, 3 years, 30% margin, 20 to win",
         "=CLV_SIMPLE(50,4,3,0.3,20)"),
        ("H16", "Retention CLV: 100 a year, 80% stay, 10% discount", "=CLV_RETENTION(100,0.8,0.1)"),
        ("H19", "Reason for the last #VALUE! or #N/A", "=CLV_LAST_ERROR()"),
    ]


def sheet_formulas() -> list[tuple[str, str, str, dict]]:
    """(sheet, title, formula, column formats) of the customer-level sheets (at A3)."""
    return [
        (CUSTOMERS_SHEET, "Predicted CLV per customer (settings on 'CLV settings')",
         f"=CLV_PREDICT({ORDERS_REF},{SETTING_ARGS})", PREDICT_FORMATS),
        (SUMMARY_SHEET, "Order history per customer", f"=CLV_SUMMARY({ORDERS_REF},AsOfDate,SummaryPeriod)",
         SUMMARY_FORMATS),
    ]


def write_template(path, *, interpreter: str | None = None, overwrite: bool = False) -> Path:
    """Write the template workbook to ``path`` (``.xlsm``: classic xlwings with its VBA
    project; ``.xlsx``: xlwings Lite). Returns the path."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".xlsm"):
        raise InputError(
            f"the template must be named .xlsm (classic xlwings) or .xlsx (xlwings Lite), not '{path.name}'.",
            hint="Name it e.g. clv.xlsm or clv.xlsx.",
        )
    if path.exists() and not overwrite:
        raise InputError(f"{path} already exists.", hint="Choose another name or pass --force to replace it.")
    classic = suffix == ".xlsm"
    if classic and interpreter is None:
        interpreter = default_interpreter()
    book = _classic_base() if classic else _plain_base()
    dynamic = _fill(book, classic, interpreter)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        draft = Path(scratch) / ("draft" + suffix)
        book.save(draft)
        add_dynamic_arrays(draft, dynamic)
        shutil.copyfile(draft, path)
    return path


def quickstart_path() -> Path:
    """xlwings' own quickstart workbook (VBA project with the add-in reference)."""
    try:
        import xlwings
    except ImportError:
        raise InputError(
            "the classic (.xlsm) template needs xlwings installed.",
            hint="Run: pip install clv-toolkit[excel] (or write a .xlsx template for xlwings Lite).",
        ) from None
    source = Path(xlwings.__file__).with_name("quickstart.xlsm")
    if not source.is_file():
        raise InputError(f"xlwings' quickstart workbook is missing ({source.name}).",
                         hint="Reinstall xlwings: pip install --force-reinstall xlwings")
    return source


def _classic_base():
    from openpyxl import load_workbook

    book = load_workbook(quickstart_path(), keep_vba=True)
    # The quickstart has "Sheet1" and "_xlwings.conf" (code names Sheet1 and Sheet2, with
    # document modules in the VBA project): keep both sheets, reuse them.
    first, conf = book.worksheets[0], book.worksheets[1]
    first.title = RESULTS_SHEET
    conf.title = CONF_SHEET
    for sheet in (first, conf):
        sheet.delete_rows(1, sheet.max_row)
        sheet.delete_cols(1, sheet.max_column)
    return book


def _plain_base():
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = RESULTS_SHEET
    return book


def _fill(book, classic: bool, interpreter: str | None) -> dict[str, list[str]]:
    """Write every sheet; returns {sheet title: [cells holding dynamic-array formulas]}."""
    from openpyxl.styles import Font
    from openpyxl.worksheet.formula import ArrayFormula
    from openpyxl.worksheet.table import Table, TableStyleInfo

    dynamic: dict[str, list[str]] = {}
    bold, italic = Font(bold=True, size=12), Font(italic=True, color="555555")

    def spill(sheet, cell, formula):
        sheet[cell] = ArrayFormula(cell, formula)
        dynamic.setdefault(sheet.title, []).append(cell)

    results = book[RESULTS_SHEET]
    results["A1"] = "CLV Toolkit: customer lifetime value of the orders on the 'Orders' sheet"
    results["A1"].font = bold
    results["A2"] = ("Paste your own orders into the Orders table (keep its header row); every result "
                     "updates. Settings: 'CLV settings' sheet. Set-up: 'Read me' sheet.")
    results["A2"].font = italic
    for cell, description, formula in dashboard_formulas():
        column, row = re.match(r"([A-Z]+)(\d+)", cell).groups()
        results[f"{column}{int(row) - 1}"] = description
        results[f"{column}{int(row) - 1}"].font = italic
        spill(results, cell, formula)
    for letter, number_format in SEGMENT_FORMATS.items():  # tiers: a few rows, fixed columns
        for row in range(5, 12):
            results[f"{letter}{row}"].number_format = number_format
    for letter, width in {"A": 22, "E": 26, "F": 24, "H": 30}.items():
        results.column_dimensions[letter].width = width

    for title, description, formula, formats in sheet_formulas():
        sheet = book.create_sheet(title)
        sheet["A1"] = description
        sheet["A1"].font = bold
        spill(sheet, "A3", formula)
        _column_formats(sheet, formats)
        sheet.column_dimensions["A"].width = 22
        sheet.freeze_panes = "B4"

    orders_sheet = book.create_sheet(ORDERS_SHEET)
    orders = example_orders()
    for row in orders:
        orders_sheet.append(row)
    last = len(orders)
    table = Table(displayName=ORDERS_TABLE, ref=f"A1:E{last}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    orders_sheet.add_table(table)
    for cell in orders_sheet["D"][1:]:
        cell.number_format = DATE
    for cell in orders_sheet["E"][1:]:
        cell.number_format = MONEY
    for letter, width in {"A": 16, "B": 28, "C": 10, "D": 12, "E": 12}.items():
        orders_sheet.column_dimensions[letter].width = width
    orders_sheet.freeze_panes = "A2"

    _settings_sheet(book)
    readme = book.create_sheet(README_SHEET)
    for line in readme_lines(classic):
        readme.append([line])
    readme.column_dimensions["A"].width = 120
    readme["A1"].font = bold
    if classic:
        conf = book[CONF_SHEET]
        for row in conf_rows(interpreter):
            conf.append(row)
        conf.column_dimensions["A"].width = 18
        conf.column_dimensions["B"].width = 40
        book.move_sheet(conf, offset=len(book.sheetnames))
        for number, sheet in enumerate(book.worksheets, start=1):
            if not sheet.sheet_properties.codeName:
                sheet.sheet_properties.codeName = f"Sheet{number + 2}"
    book.calculation.fullCalcOnLoad = True
    book.active = 0
    return dynamic


def _settings_sheet(book):
    from openpyxl.styles import Font
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.datavalidation import DataValidation

    sheet = book.create_sheet(SETTINGS_SHEET)
    sheet.append(["Setting", "Value", "Meaning"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row, (label, name, value, number_format, allowed, meaning) in enumerate(SETTINGS, start=2):
        sheet.cell(row=row, column=1, value=label)
        target = sheet.cell(row=row, column=2, value=value)
        sheet.cell(row=row, column=3, value=meaning)
        if number_format:
            target.number_format = number_format
        reference = f"'{SETTINGS_SHEET}'!$B${row}"
        book.defined_names[name] = DefinedName(name, attr_text=reference)
        if allowed:
            check = DataValidation(type="list", formula1=f'"{allowed}"', allow_blank=True,
                                   showErrorMessage=True, errorTitle=label,
                                   error=f"Choose one of: {allowed.replace(',', ', ')}.")
        elif number_format == DATE:
            check = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True,
                                   showErrorMessage=True, errorTitle=label, error="Enter a date or leave it empty.")
        elif name == "HorizonMonths":
            check = DataValidation(type="whole", operator="between", formula1="1", formula2="120",
                                   showErrorMessage=True, errorTitle=label, error="A whole number of months, 1 to 120.")
        else:
            check = DataValidation(type="decimal", operator="between", formula1="0", formula2="1",
                                   showErrorMessage=True, errorTitle=label, error="A share between 0% and 100%.")
        sheet.add_data_validation(check)
        check.add(target)
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 14
    sheet.column_dimensions["C"].width = 52
    return sheet


def _column_formats(sheet, formats: dict[str, str]) -> None:
    """Number formats of whole columns, so spilled results of any length show them."""
    for letter, number_format in formats.items():
        sheet.column_dimensions[letter].number_format = number_format
        sheet.column_dimensions[letter].width = max(sheet.column_dimensions[letter].width or 0, 13)


# ------------------------------------------------------------------- dynamic arrays
METADATA_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<metadata xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:xda="http://schemas.microsoft.com/office/spreadsheetml/2017/dynamicarray">'
    '<metadataTypes count="1"><metadataType name="XLDAPR" minSupportedVersion="120000" copy="1" '
    'pasteAll="1" pasteValues="1" merge="1" splitFirst="1" rowColShift="1" clearFormats="1" '
    'clearComments="1" assign="1" coerce="1" cellMeta="1"/></metadataTypes>'
    '<futureMetadata name="XLDAPR" count="1"><bk><extLst><ext uri="{bdbb8cdc-fa1e-496e-a857-3c3f30c029c3}">'
    '<xda:dynamicArrayProperties fDynamic="1" fCollapsed="0"/></ext></extLst></bk></futureMetadata>'
    '<cellMetadata count="1"><bk><rc t="1" v="0"/></bk></cellMetadata></metadata>'
)
METADATA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheetMetadata+xml"
METADATA_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sheetMetadata"


def add_dynamic_arrays(path: Path, cells_by_sheet: dict[str, list[str]]) -> None:
    """Mark the given single-cell array formulas as dynamic arrays (they spill).

    openpyxl writes ``<f t="array" ref="A3">``, which Excel 365 shows as a legacy
    Ctrl+Shift+Enter formula fixed to one cell. Excel's own files add ``cm="1"`` to the
    cell and a ``metadata.xml`` part with the XLDAPR dynamic-array property (the layout
    XlsxWriter also writes); this adds both.
    """
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet_files = _sheet_files(parts)
    for title, cells in cells_by_sheet.items():
        name = sheet_files[title]
        xml = parts[name].decode("utf-8")
        for cell in cells:
            xml, count = re.subn(rf'<c r="{cell}"(?![^>]*\bcm=)', f'<c r="{cell}" cm="1"', xml, count=1)
            if not count:
                raise RuntimeError(f"formula cell {title}!{cell} not found in {name}")
        parts[name] = xml.encode("utf-8")
    parts["xl/metadata.xml"] = METADATA_XML.encode("utf-8")
    types = parts["[Content_Types].xml"].decode("utf-8")
    if "/xl/metadata.xml" not in types:
        types = types.replace(
            "</Types>", f'<Override PartName="/xl/metadata.xml" ContentType="{METADATA_TYPE}"/></Types>')
    parts["[Content_Types].xml"] = types.encode("utf-8")
    rels = parts["xl/_rels/workbook.xml.rels"].decode("utf-8")
    if METADATA_REL not in rels:
        rels = rels.replace(
            "</Relationships>",
            f'<Relationship Id="rIdClvMetadata" Type="{METADATA_REL}" Target="metadata.xml"/></Relationships>')
    parts["xl/_rels/workbook.xml.rels"] = rels.encode("utf-8")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def _sheet_files(parts: dict[str, bytes]) -> dict[str, str]:
    """Sheet title -> part name (``xl/worksheets/sheetN.xml``)."""
    workbook = parts["xl/workbook.xml"].decode("utf-8")
    rels = parts["xl/_rels/workbook.xml.rels"].decode("utf-8")
    targets = {}
    for rel in re.finditer(r"<Relationship\b[^>]*>", rels):
        tag = rel.group(0)
        rid, target = re.search(r'Id="([^"]+)"', tag), re.search(r'Target="([^"]+)"', tag)
        if rid and target:
            targets[rid.group(1)] = target.group(1).lstrip("/").removeprefix("xl/")
    files = {}
    for sheet in re.finditer(r"<sheet\b[^>]*>", workbook):
        tag = sheet.group(0)
        title = re.search(r'name="([^"]+)"', tag).group(1)
        rid = re.search(r'r:id="([^"]+)"', tag) or re.search(r'\bid="([^"]+)"', tag)
        files[_unescape(title)] = "xl/" + targets[rid.group(1)]
    return files


def _unescape(text: str) -> str:
    return text.replace("&apos;", "'").replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace(
        "&amp;", "&")


def readme_lines(classic: bool) -> list[str]:
    common = [
        "Your data: paste your orders into the table on 'Orders' (replace the example rows; keep the header row).",
        "  Rows pasted right below the table join it, and every formula refers to the whole table (Orders[#All]).",
        "  Columns are found by their header and content: customer (id, email or name), order date, amount.",
        "Settings: the named cells on 'CLV settings' (HorizonMonths, DiscountRate, Margin, ModelChoice, AsOfDate,"
        " SummaryPeriod) feed the formulas.",
        "Results spill: CLV (tiers, model, intake), Customers (CLV_PREDICT), Summary (CLV_SUMMARY).",
        "A problem shows as #VALUE! (or #N/A when there is nothing to show); =CLV_LAST_ERROR() says why."
        " IFERROR catches them.",
    ]
    if classic:
        return [
            "CLV Toolkit in Excel: classic xlwings (Excel for Windows, Python installed on this PC)",
            "1. Once: pip install \"clv-toolkit[excel]\", then: clv-excel install-addin (xlwings addin install).",
            "2. Excel: File > Options > Trust Center > Trust Center Settings > Macro Settings:"
            " tick 'Trust access to the VBA project object model'.",
            "3. Open this .xlsm, enable macros, go to the xlwings tab and click 'Import Functions'"
            " (UDF Modules is set on the xlwings.conf sheet). Save.",
            "4. If Python is not found: set 'Interpreter' on the xlwings tab (or an Interpreter_Win row on"
            " xlwings.conf) to your pythonw.exe.",
            "5. Ctrl+Alt+F9 recalculates everything.",
        ] + common + [
            "Macros (Alt+F8 after Import Functions): analyze_orders (results, segments, chart)"
            " and export_tier_lists (email-tool files next to the workbook).",
        ]
    return [
        "CLV Toolkit in Excel: xlwings Lite (Excel 365/2021+ on Windows, Mac or the web; no Python to install)",
        "1. Home > Add-ins: search 'xlwings', add xlwings Lite, open its editor.",
        "2. requirements.txt tab: add the lines of requirements.txt from the 'xlwings Lite' folder"
        " (the engine wheel's web address).",
        "3. main.py tab: replace its content with main.py from that folder.",
        "4. The formulas calculate (Ctrl+Alt+F9 recalculates everything).",
    ] + common


__all__ = ["write_template", "conf_rows", "example_orders", "dashboard_formulas", "sheet_formulas",
           "add_dynamic_arrays"]
