"""What the "Analyze orders" and "Export tier lists" buttons do to a workbook.

Works on any object shaped like an xlwings ``Book`` (classic or Lite): ``book.sheets``
(iterable of sheets with ``name``; ``add(name, after=…)``), ``sheet[address].value``,
``sheet.used_range.value``, ``sheet.clear()`` and, when available, ``sheet.charts`` /
``sheet.pictures``. Tests use a small fake book.
"""
from __future__ import annotations

import logging
import sys
from pathlib import Path

from clv_engine.errors import ClvError

from .functions import analysis_for
from .shaping import error_cell, frame_to_cells, is_blank

log = logging.getLogger(__name__)

ORDERS_SHEET = "Orders"
SETTINGS_SHEET = "CLV settings"
RESULTS_SHEET = "CLV results"
SEGMENTS_SHEET = "CLV segments"
EXPORT_SHEET = "CLV email lists"
EXPORT_FOLDER = "CLV email lists"
SETTING_NAMES = {
    "horizon (months)": "horizon_months",
    "discount rate": "discount_rate",
    "margin": "margin",
    "model": "model",
    "as of": "as_of",
    "email tool": "tool",
    "include customers without consent": "include_no_consent",
}


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def as_text_cells(rows):
    """Rows to write into a sheet, with every text that Excel would run as a formula
    (``=HYPERLINK(…)``, ``+cmd|…``, ``@SUM(…)``) prefixed by ``'`` so Excel keeps it as text.
    NUL characters are dropped."""
    out = []
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, str):
                value = value.replace("\x00", "")
                if value.startswith(FORMULA_STARTS):
                    value = "'" + value
            cells.append(value)
        out.append(cells)
    return out


def find_sheet(book, name):
    """The sheet called ``name`` (case-insensitive) or None."""
    for sheet in book.sheets:
        if str(sheet.name).strip().lower() == name.lower():
            return sheet
    return None


def fresh_sheet(book, name):
    """The sheet ``name``, emptied, or a new one added after the last sheet."""
    sheet = find_sheet(book, name)
    if sheet is not None:
        sheet.clear()
        return sheet
    sheets = list(book.sheets)
    return book.sheets.add(name, after=sheets[-1] if sheets else None)


def read_settings(book) -> dict:
    """Settings from the two-column "CLV settings" sheet (name, value); blanks skipped."""
    sheet = find_sheet(book, SETTINGS_SHEET)
    if sheet is None:
        return {}
    values = sheet.used_range.value or []
    if values and not isinstance(values[0], (list, tuple)):
        values = [values]
    settings = {}
    for row in values:
        if len(row) < 2 or is_blank(row[0]) or is_blank(row[1]):
            continue
        key = SETTING_NAMES.get(str(row[0]).strip().lower())
        if key:
            settings[key] = row[1]
    return settings


def orders_values(book):
    """The used range of the "Orders" sheet (else the first sheet) as a list of rows."""
    sheet = find_sheet(book, ORDERS_SHEET) or list(book.sheets)[0]
    return sheet.used_range.value


def analyze_orders_into(book) -> bool:
    """Write the customer table, the tier profiles and a chart into ``book``.

    Returns True on success; on a problem the user can fix, writes the message into the
    results sheet instead and returns False.
    """
    settings = read_settings(book)
    results = fresh_sheet(book, RESULTS_SHEET)
    try:
        analysis = _analysis_of_book(book, settings)
    except ClvError as error:
        results["A1"].value = as_text_cells([[error_cell(error)]])
        return False
    results["A1"].value = as_text_cells(frame_to_cells(analysis.customers))
    segments = fresh_sheet(book, SEGMENTS_SHEET)
    cells = as_text_cells(frame_to_cells(analysis.segments))
    segments["A1"].value = cells
    add_value_chart(segments, cells)
    return True


def add_value_chart(sheet, cells) -> str:
    """Chart total value per segment to the right of the table; returns "chart",
    "picture" (runtimes without native charts) or "note"."""
    header = cells[0]
    if "total_value" not in header or len(cells) < 2:
        return "none"
    value_col = header.index("total_value")
    labels = [row[0] for row in cells[1:]]
    values = [row[value_col] for row in cells[1:]]
    first_col = column_letter(len(header) + 2)
    second_col = column_letter(len(header) + 3)
    sheet[f"{first_col}1"].value = [[header[0], "Total CLV"]] + [[l, v] for l, v in zip(labels, values)]
    source = sheet[f"{first_col}1:{second_col}{len(cells)}"]
    anchor = sheet[f"{first_col}{len(cells) + 3}"]
    try:
        chart = sheet.charts.add(anchor.left, anchor.top)
        chart.set_source_data(source)
        chart.chart_type = "column_clustered"
        return "chart"
    except Exception as error:  # no native charts in every runtime (e.g. xlwings Lite)
        log.info("native chart not available (%s); adding a picture", type(error).__name__)
    try:
        sheet.pictures.add(value_figure(labels, values), name="CLV value by tier", update=True, anchor=anchor)
        return "picture"
    except Exception as error:
        log.info("picture not available (%s)", type(error).__name__)
        anchor.value = "Chart not available here: chart the Total CLV column."
        return "note"


def column_letter(number: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while number > 0:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def value_figure(labels, values):
    """A matplotlib Figure (no pyplot) of value per segment."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(5, 3))
    axes = figure.add_subplot()
    axes.bar([str(label) for label in labels], [v or 0.0 for v in values])
    axes.set_title("Customer lifetime value by tier")
    axes.set_ylabel("Total CLV")
    figure.tight_layout()
    return figure


def export_tier_lists_from(book, out_dir=None) -> bool:
    """Write one email-tool file per tier into a folder next to the workbook and list the
    files (and who was left out, and why) on the "CLV email lists" sheet."""
    from clv_engine.exports import export_email_lists

    settings = read_settings(book)
    report = fresh_sheet(book, EXPORT_SHEET)
    try:
        target = Path(out_dir) if out_dir is not None else workbook_folder(book) / EXPORT_FOLDER
        analysis = _analysis_of_book(book, settings)
        tool = str(settings.get("tool") or "mailchimp").strip().lower()
        include = str(settings.get("include_no_consent") or "").strip().lower() in ("yes", "true", "1")
        result = export_email_lists(
            analysis.customers, tool, target, mode="per-tier", include_no_consent=include, overwrite=True
        )
    except ClvError as error:
        report["A1"].value = as_text_cells([[error_cell(error)]])
        return False
    rows = export_report_rows(result, target, tool)
    report["A1"].value = as_text_cells(rows)
    return True


LEFT_OUT_MEANING = {
    "no valid email": "no usable email address in the orders",
    "no marketing consent": "did not agree to marketing (set 'Include customers without consent' to yes to include)",
    "duplicates merged": "same email as another customer: merged into one contact",
}


def export_report_rows(result, folder, tool: str) -> list[list]:
    """The "CLV email lists" sheet: where each file went, how many contacts it holds,
    who was left out and why, and the export's notes (e.g. missing consent information)."""
    per_file = dict(getattr(result, "per_file", {}) or {})
    rows = [["File", "Contacts", "Folder"]]
    for path in result.files:
        name = Path(path).name
        count = per_file.get(name, per_file.get(str(path)))
        rows.append([name, int(count) if count is not None else None, str(Path(path).parent)])
    rows.append(["Contacts written", int(getattr(result, "written", 0) or 0), str(folder)])
    if not result.files:
        rows.append([f"No {tool} file was written: no customer could be exported.", None, None])
    for reason, count in (result.left_out or {}).items():
        meaning = LEFT_OUT_MEANING.get(reason, reason)
        rows.append([f"Left out: {reason}", int(count), meaning])
    for note in getattr(result, "notes", None) or []:
        rows.append([f"Note: {note}", None, None])
    return rows


def workbook_folder(book) -> Path:
    """Folder of the saved workbook; a clear error when it has none (unsaved or Lite)."""
    from clv_engine.errors import InputError

    if sys.platform == "emscripten":
        raise InputError(
            "xlwings Lite cannot write files next to the workbook.",
            hint="Use the clv command or the desktop app to export email lists.",
        )
    fullname = str(getattr(book, "fullname", "") or "")
    path = Path(fullname)
    if not fullname or not path.parent.is_dir() or str(path.parent) in ("", "."):
        raise InputError(
            "the workbook is not saved in a folder yet.",
            hint="Save the workbook first, then export again.",
        )
    return path.parent


def _analysis_of_book(book, settings: dict):
    """The (cached) analysis of the book's order sheet with the settings sheet's values."""
    return analysis_for(orders_values(book), settings.get("horizon_months"), settings.get("discount_rate"),
                        settings.get("margin"), settings.get("model"), settings.get("as_of"))
