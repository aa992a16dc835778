"""The Excel report: a plain-words summary, tier and RFM profiles with actions, native
charts, one sheet of customers per tier, the intake report and the settings used."""
from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, agree, count_text
from ..segments import RFM_GRID, Playbook, profile_headers, segment_profiles
from .cells import excel_value, label, money_format, number_format_for, set_cell, sheet_title
from ..pipeline import plain_method, value_kind, value_words
from .insight_sheets import write_insight_sheets

logger = logging.getLogger(__name__)

CUSTOMER_SHEET_COLUMNS = (
    "customer_id", "name", "email", "orders", "total_value", "clv", "clv_low", "clv_high", "p_alive",
    "churn_risk", "churn_label", "last_order", "days_since_last_order", "rfm_score", "rfm_segment", "actions",
)
PROFILE_ORDER = ("customers", "share_of_customers", "total_value", "average_value", "share_of_value", "spent_to_date",
                 "orders", "average_order_value", "orders_per_year", "days_since_last_order", "churn_risk", "actions")
PARETO_POINTS = 20
HISTOGRAM_BINS = 12
# The report is for reading: at most this many customers per tier sheet (the most valuable;
# every customer is in customers.csv) and this many example rows per skip reason (every
# skipped row is in intake.csv), so it is written in a few seconds at any size.
MAX_CUSTOMER_ROWS = 1_000
SKIPPED_EXAMPLES = 10
SUMMARY_WIDTH = 100
WIDE_TEXT = {"actions": 70, "detail": 60, "email": 32, "name": 24}


def write_excel_report(analysis, path) -> Path:
    """Write the report workbook to ``path`` (atomically) and return the path."""
    try:
        from openpyxl import Workbook
    except ImportError:  # pragma: no cover - openpyxl is a core dependency
        raise InputError("The Excel report needs the openpyxl package.", hint="Install it with: pip install openpyxl") from None
    path = Path(path)
    customers = _customers(analysis)
    summary = dict(getattr(analysis, "summary", None) or {})
    currency = summary.get("currency") or None
    playbook = Playbook.load(getattr(getattr(analysis, "settings", None), "playbook", None))
    if "tier" in customers.columns:
        playbook = playbook.for_tiers(customers["tier"])
    value_col = _value_column(analysis, customers)
    tiers = _tier_profiles(analysis, customers, value_col, playbook)
    rfm = _rfm_profiles(analysis, customers, value_col, playbook)
    kind = value_kind(summary.get("method"), (summary.get("settings") or {}).get("margin"))
    book = Workbook()
    taken: set[str] = set()
    summary_sheet = book.active
    summary_sheet.title = sheet_title("Summary", taken)
    _summary_sheet(summary_sheet, summary, customers, tiers, value_col, currency)
    if len(tiers):
        _tier_sheet(book.create_sheet(sheet_title("Tiers", taken)), tiers, value_col, currency, kind)
    if len(rfm):
        _rfm_sheet(book.create_sheet(sheet_title("RFM segments", taken)), rfm, customers, value_col, currency, kind)
    _charts_sheet(book.create_sheet(sheet_title("Charts", taken)), customers, value_col, currency)
    write_insight_sheets(book, getattr(analysis, "insights", None), currency, lambda name: sheet_title(name, taken))
    if "tier" in customers.columns:
        tier_of = customers["tier"].astype(str).to_numpy(dtype=object)
        for tier in _tier_names(customers, tiers):
            _customer_sheet(book.create_sheet(sheet_title(f"Tier {tier}", taken)), customers, value_col, currency,
                            np.flatnonzero(tier_of == tier))
    else:
        _customer_sheet(book.create_sheet(sheet_title("Customers", taken)), customers, value_col, currency)
    _intake_sheet(book.create_sheet(sheet_title("Intake", taken)), analysis, summary)
    _settings_sheet(book.create_sheet(sheet_title("Settings", taken)), summary)
    for sheet in book.worksheets:
        _page_setup(sheet)
    _save_atomically(book, path)
    logger.info("wrote Excel report with %d sheets", len(book.sheetnames))
    return path


# --- data ----------------------------------------------------------------------------------

def _customers(analysis) -> pd.DataFrame:
    customers = getattr(analysis, "customers", None)
    if not isinstance(customers, pd.DataFrame):
        raise InputError("The report needs the analysis' customer table.", hint="Run the analysis first.")
    if "customer_id" not in customers.columns and customers.index.name == "customer_id":
        customers = customers.reset_index()
    return customers


def _value_column(analysis, customers) -> str:
    """The column the tiers rank by (the run's setting, CLV by default; spend without CLV)."""
    chosen = getattr(getattr(analysis, "settings", None), "value_column", None)
    if isinstance(chosen, str) and chosen in customers.columns:
        return chosen
    return "clv" if "clv" in customers.columns else "total_value"


def _tier_profiles(analysis, customers, value_col, playbook) -> pd.DataFrame:
    tiers = getattr(analysis, "segments", None)
    if isinstance(tiers, pd.DataFrame) and len(tiers):
        return tiers
    if "tier" in customers.columns and len(customers):
        return segment_profiles(customers, "tier", value_col=value_col, playbook=playbook)
    return pd.DataFrame()


def _rfm_profiles(analysis, customers, value_col, playbook) -> pd.DataFrame:
    rfm = getattr(analysis, "rfm_profiles", None)
    if isinstance(rfm, pd.DataFrame) and len(rfm):
        return rfm
    if "rfm_segment" in customers.columns and len(customers):
        return segment_profiles(customers, "rfm_segment", value_col=value_col, playbook=playbook)
    return pd.DataFrame()


def _tier_names(customers, tiers) -> list[str]:
    present = [str(t) for t in pd.unique(customers["tier"].dropna().to_numpy(dtype=object))]  # first-seen order
    ordered = [str(t) for t in tiers["tier"]] if "tier" in tiers.columns else []
    return [t for t in ordered if t in present] + [t for t in present if t not in ordered]


def _values(customers, value_col) -> np.ndarray:
    values = pd.to_numeric(customers[value_col], errors="coerce").to_numpy(dtype="float64") if value_col in customers else np.zeros(0)
    return np.where(np.isfinite(values), values, 0.0)


def pareto_curve(values, points: int = PARETO_POINTS) -> pd.DataFrame:
    """Share of value held by the top x% of customers, x = 0, 100/points, …, 100, each x as
    the share of whole customers it stands for (the top 20% of 122 customers are 24: 19.7%),
    so that no row seems to contradict a tier of 25 holding a little more."""
    ordered = np.sort(np.clip(np.asarray(values, dtype="float64"), 0, None))[::-1]
    shares = np.linspace(0, 1, points + 1)
    total = ordered.sum()
    if len(ordered) == 0 or total <= 0:
        return pd.DataFrame({"share_of_customers": shares, "share_of_value": shares})
    cumulative = np.concatenate([[0.0], np.cumsum(ordered)]) / total
    counts = np.unique(np.round(shares * len(ordered)).astype(int))
    return pd.DataFrame({"share_of_customers": counts / len(ordered), "share_of_value": cumulative[counts]})


def top_share(values, fraction: float = 0.2) -> float:
    """Share of total value held by the top ``fraction`` of customers (0 when no value)."""
    ordered = np.sort(np.clip(np.asarray(values, dtype="float64"), 0, None))[::-1]
    total = ordered.sum()
    if len(ordered) == 0 or total <= 0:
        return 0.0
    count = max(1, int(round(fraction * len(ordered))))
    return float(ordered[:count].sum() / total)


def histogram_table(values, bins: int = HISTOGRAM_BINS) -> pd.DataFrame:
    """Customer counts per value band; the last band is open-ended above the 98th percentile."""
    values = np.asarray(values, dtype="float64")
    if len(values) == 0:
        return pd.DataFrame({"band": [], "customers": []})
    low = float(min(values.min(), 0.0))
    high = float(np.percentile(values, 98)) if len(values) > 20 else float(values.max())
    if high <= low:
        return pd.DataFrame({"band": [f"{low:,.0f}"], "customers": [len(values)]})
    step = _nice_step((high - low) / (bins - 1))
    edges = low + step * np.arange(bins)
    codes = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, bins - 1)
    counts = np.bincount(codes, minlength=bins)
    labels = [f"{edges[i]:,.0f}–{edges[i] + step:,.0f}" for i in range(bins - 1)] + [f"{edges[-1]:,.0f}+"]
    table = pd.DataFrame({"band": labels, "customers": counts.astype("int64")})
    while len(table) > 1 and table["customers"].iloc[-1] == 0:
        table = table.iloc[:-1]
    return table


def _nice_step(raw: float) -> float:
    magnitude = 10 ** np.floor(np.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * magnitude >= raw:
            return float(factor * magnitude)
    return float(10 * magnitude)


# --- sheets --------------------------------------------------------------------------------

def _styles():
    from openpyxl.styles import Alignment, Font, PatternFill

    return {
        "title": Font(size=16, bold=True, color="1F3864"),
        "heading": Font(size=12, bold=True, color="1F3864"),
        "header": Font(bold=True, color="FFFFFF"),
        "header_fill": PatternFill("solid", fgColor="305496"),
        "wrap": Alignment(wrap_text=True, vertical="top"),
        "top": Alignment(vertical="top"),
    }


def _summary_sheet(ws, summary, customers, tiers, value_col, currency):
    st = _styles()
    ws.sheet_view.showGridLines = False
    ws.column_dimensions["A"].width = SUMMARY_WIDTH
    set_cell(ws, 1, 1, "Customer lifetime value report").font = st["title"]
    values = _values(customers, value_col)
    lines = []
    source = summary.get("source")
    if source:
        lines.append(f"Source: {source}" + (f" ({summary['layout_label']})" if summary.get("layout_label") else ""))
    rows_read, rows_used = summary.get("rows_read"), summary.get("rows_used")
    if rows_read is not None and rows_used is not None:
        skipped = int(rows_read) - int(rows_used)
        lines.append(f"Read {count_text(int(rows_read), 'row')}, used {int(rows_used):,}"
                     + (f"; {skipped:,} skipped (see the Intake sheet)." if skipped else "; none skipped."))
    lines.append(f"{count_text(len(customers), 'customer')} analysed.")
    kind = value_kind(summary.get("method"), (summary.get("settings") or {}).get("margin")) \
        if value_col == "clv" else "value"
    if summary.get("headline") and value_col == "clv":  # the tiers as drawn (ties can make the top 21%)
        lines.append(str(summary["headline"]))
    else:
        lines.append(f"Your top 20% of customers hold {top_share(values):.0%} of {kind}.")
    total = float(values.sum())
    fmt_money = _money_text(currency)
    lines.append(f"Total {value_words(summary, value_col)}: {fmt_money(total)}; average per customer "
                 f"{fmt_money(total / len(values) if len(values) else 0)}.")
    plain = plain_method(summary)
    if plain:
        lines.append(f"How CLV was computed: {plain}")
    elif summary.get("clv_basis"):
        lines.append(f"How CLV was computed: {summary['clv_basis']}")
    lines.extend(str(note) for note in summary.get("prediction_notes") or [])
    row = 3
    for line in lines:
        _summary_line(ws, row, line)
        row += 1
    row += 1
    if len(tiers):
        set_cell(ws, row, 1, "Your value tiers").font = st["heading"]
        row += 1
        for _, tier in tiers.iterrows():
            n = int(tier["customers"])
            text = (f"{tier['tier']}: {count_text(n, 'customer')} ({tier['share_of_customers']:.0%}) "
                    f"{agree(n, 'holds', 'hold')} {tier['share_of_value']:.0%} of {kind}, "
                    f"{fmt_money(tier['average_value'])} each on average.")
            _summary_line(ws, row, text)
            row += 1
        row += 1
        set_cell(ws, row, 1, "What to do next").font = st["heading"]
        row += 1
        for _, tier in tiers.iterrows():
            actions = str(tier.get("actions", "") or "")
            if actions:
                _summary_line(ws, row, f"{tier['tier']}: {actions}.")
                row += 1
        urgent = [name for name in ("At risk", "Can't lose them", "About to sleep")
                  if "rfm_segment" in customers.columns and (customers["rfm_segment"] == name).any()]
        if urgent:
            _summary_line(ws, row, f"See the RFM segments sheet for who needs a win-back campaign now "
                          f"({', '.join(urgent)}).")
            row += 1
    insight = summary.get("insights") or {}
    if insight.get("findings") or insight.get("not_profiled"):
        row += 1
        set_cell(ws, row, 1, "Who buys what, cohorts and acquisition").font = st["heading"]
        row += 1
        for line in list(insight.get("findings") or []) + list(insight.get("not_profiled") or []):
            _summary_line(ws, row, str(line))
            row += 1
    notes = summary.get("intake_notes") or []
    if notes:
        row += 1
        set_cell(ws, row, 1, "Notes about the data").font = st["heading"]
        row += 1
        for note in notes:
            _summary_line(ws, row, str(note))
            row += 1
    # the email lists last: one line per file written, which would push the notes down
    described = [line for export in summary.get("exports") or [] if isinstance(export, dict)
                 for line in export.get("description", [])]
    if described:
        row += 1
        set_cell(ws, row, 1, "Email lists").font = st["heading"]
        row += 1
        for line in described:
            _summary_line(ws, row, line)
            row += 1


PRINT_WIDTH = 170  # column-width units an A4 landscape page shows at a readable size


def _page_setup(ws) -> None:
    """Print/PDF: landscape, all columns on one page width, or on two (the first column
    repeated on each) when shrinking them onto one would make the text too small to read."""
    from openpyxl.utils import get_column_letter

    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    width = sum((ws.column_dimensions[get_column_letter(c)].width or 9) for c in range(1, ws.max_column + 1))
    ws.page_setup.fitToWidth = 1 if width <= PRINT_WIDTH else 2
    if width > PRINT_WIDTH:
        ws.print_title_cols = "A:A"
    if ws.page_setup.fitToHeight is None:
        ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if ws.freeze_panes and ws.freeze_panes != "A1":
        ws.print_title_rows = f"1:{ws[ws.freeze_panes].row - 1}"


def _fit_row_height(ws, row: int, text: str, width: float) -> None:
    """Wrapped text: make the row tall enough (spreadsheet programs do not always do it)."""
    # about 0.9 characters per unit of column width in the default font, so long lines get room
    lines = sum(max(1, -(-len(part) // max(int(width * 0.9), 1))) for part in str(text).split("\n"))
    current = ws.row_dimensions[row].height or 15
    ws.row_dimensions[row].height = max(current, 15 * lines)


def _summary_line(ws, row: int, text: str) -> None:
    set_cell(ws, row, 1, text).alignment = _styles()["wrap"]
    _fit_row_height(ws, row, text, SUMMARY_WIDTH)


def _money_text(currency):
    symbol = {"USD": "$", "EUR": "€", "GBP": "£"}.get((currency or "").upper())

    def fmt(amount) -> str:
        number = float(amount) if np.isfinite(float(amount)) else 0.0
        if symbol:
            return f"{symbol}{number:,.2f}"
        return f"{number:,.2f}" + (f" {currency}" if currency else "")

    return fmt


def _write_table(ws, frame: pd.DataFrame, top: int, left: int, currency, *, freeze: bool = True,
                 wrap: bool = True, headers: dict | None = None) -> tuple[int, int]:
    """Write a table with a styled header (``headers``: column -> header instead of the
    usual label); returns (first data row, last data row)."""
    st = _styles()
    columns = list(frame.columns)
    headers = headers or {}
    for j, column in enumerate(columns):
        cell = set_cell(ws, top, left + j, headers.get(column, label(column)))
        cell.font, cell.fill, cell.alignment = st["header"], st["header_fill"], st["wrap"]
    formats = [number_format_for(c, currency) for c in columns]
    date_cols = {j for j, c in enumerate(columns) if pd.api.types.is_datetime64_any_dtype(frame[c].dtype)}
    wrap_cols = {j for j, c in enumerate(columns) if str(c) in ("actions", "detail")} if wrap else set()
    for i, record in enumerate(frame.itertuples(index=False, name=None)):
        for j, value in enumerate(record):
            fmt = "yyyy-mm-dd" if j in date_cols else formats[j]
            cell = set_cell(ws, top + 1 + i, left + j, value, fmt)
            if j in wrap_cols:
                cell.alignment = st["wrap"]
            elif wrap:
                cell.alignment = st["top"]
    _fit_columns(ws, frame, left, headers)
    from openpyxl.utils import get_column_letter

    for j in wrap_cols:
        width = ws.column_dimensions[get_column_letter(left + j)].width or 10
        for i, value in enumerate(frame.iloc[:, j].tolist()):
            if isinstance(value, str) and len(value) > width:
                _fit_row_height(ws, top + 1 + i, value, width)
    if freeze:
        ws.freeze_panes = ws.cell(row=top + 1, column=left)
    return top + 1, top + len(frame)


def _fit_columns(ws, frame: pd.DataFrame, left: int, headers: dict | None = None) -> None:
    from openpyxl.utils import get_column_letter

    sample = frame.head(200)
    headers = headers or {}
    for j, column in enumerate(frame.columns):
        name = str(column)
        # a long header wraps over two lines: half its length (or its longest word) is enough
        header = headers.get(column, label(column))
        wide = max((len(header) + 1) // 2, max(len(w) for w in header.split() or [""])) if column in headers \
            else len(header)
        longest = max([wide] + [len(str(excel_value(v) or "")) for v in sample[column].tolist()])
        if pd.api.types.is_datetime64_any_dtype(frame[column].dtype):
            longest = 12
        elif pd.api.types.is_float_dtype(frame[column].dtype):
            longest = max(wide, 12)
        width = min(max(longest + 2, 9), WIDE_TEXT.get(name, 40))
        ws.column_dimensions[get_column_letter(left + j)].width = width


def _profile_frame(profile: pd.DataFrame, key: str, value_col: str = "clv") -> pd.DataFrame:
    columns = [key] + [c for c in PROFILE_ORDER if c in profile.columns]
    if value_col == "total_value":  # the value ranked by is the spend: not twice
        columns = [c for c in columns if c != "spent_to_date"]
    frame = profile[columns].copy()
    frame[key] = frame[key].astype(str)
    return frame


def _tier_sheet(ws, tiers, value_col, currency, kind=None):
    from openpyxl.chart import BarChart, Reference

    frame = _profile_frame(tiers, "tier", value_col)
    headers = profile_headers(value_col, kind)
    first, last = _write_table(ws, frame, 1, 1, currency, headers=headers)
    column = list(frame.columns).index("total_value") + 1
    ws.row_dimensions[1].height = 45  # the headers say what each total is of: two or three lines
    chart = BarChart()
    chart.type = "col"
    chart.title = f"{headers['total_value'].rsplit(',', 1)[0]} by tier"
    chart.y_axis.title = headers["total_value"]
    chart.y_axis.numFmt = money_format(currency).replace(".00", "")
    chart.legend = None
    chart.add_data(Reference(ws, min_col=column, min_row=first - 1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
    _show_axes(chart)
    chart.height, chart.width = 8, 16
    ws.add_chart(chart, f"A{last + 3}")


def _show_axes(chart) -> None:
    # openpyxl ≥3.1 hides axes unless told otherwise (LibreOffice then draws none).
    for axis in (chart.x_axis, chart.y_axis):
        axis.delete = False


def _rfm_sheet(ws, rfm, customers, value_col, currency, kind=None):
    from openpyxl.formatting.rule import ColorScaleRule

    st = _styles()
    frame = _profile_frame(rfm, "rfm_segment", value_col)
    first, last = _write_table(ws, frame, 1, 1, currency, headers=profile_headers(value_col, kind))
    ws.row_dimensions[1].height = 45
    if not {"rfm_r", "rfm_f"} <= set(customers.columns):
        return
    top = last + 3
    set_cell(ws, top, 1, "Customers by recency (R, rows) and frequency (F, columns); 5 = best").font = st["heading"]
    r = pd.to_numeric(customers["rfm_r"], errors="coerce")
    f = pd.to_numeric(customers["rfm_f"], errors="coerce")
    grid = pd.crosstab(r, f).reindex(index=[5, 4, 3, 2, 1], columns=[1, 2, 3, 4, 5], fill_value=0)
    set_cell(ws, top + 1, 1, "R \\ F").font = st["header"]
    ws.cell(row=top + 1, column=1).fill = st["header_fill"]
    for j, fscore in enumerate(grid.columns):
        cell = set_cell(ws, top + 1, 2 + j, f"F {fscore}")
        cell.font, cell.fill = st["header"], st["header_fill"]
    for i, rscore in enumerate(grid.index):
        cell = set_cell(ws, top + 2 + i, 1, f"R {rscore}")
        cell.font, cell.fill = st["header"], st["header_fill"]
        for j, fscore in enumerate(grid.columns):
            set_cell(ws, top + 2 + i, 2 + j, int(grid.loc[rscore, fscore]), "#,##0")
    cells = f"B{top + 2}:F{top + 6}"
    ws.conditional_formatting.add(cells, ColorScaleRule(start_type="min", start_color="FFFFFF",
                                                         end_type="max", end_color="63BE7B"))
    names_top = top + 8
    set_cell(ws, names_top, 1, "Segment for each R/F cell").font = st["heading"]
    for j in range(5):
        cell = set_cell(ws, names_top + 1, 2 + j, f"F {j + 1}")
        cell.font, cell.fill = st["header"], st["header_fill"]
    for i, rscore in enumerate([5, 4, 3, 2, 1]):
        cell = set_cell(ws, names_top + 2 + i, 1, f"R {rscore}")
        cell.font, cell.fill = st["header"], st["header_fill"]
        for j in range(5):
            set_cell(ws, names_top + 2 + i, 2 + j, RFM_GRID[rscore][j])
    for letter in "BCDEF":
        ws.column_dimensions[letter].width = max(ws.column_dimensions[letter].width or 0, 17)


def _charts_sheet(ws, customers, value_col, currency):
    from openpyxl.chart import BarChart, Reference, ScatterChart, Series

    st = _styles()
    values = _values(customers, value_col)
    pareto = pareto_curve(values)
    set_cell(ws, 1, 1, "Cumulative value (Pareto)").font = st["heading"]
    first, last = _write_table(ws, pareto, 2, 1, currency, freeze=False)
    chart = ScatterChart()
    chart.title = "Share of value held by the top customers"
    chart.style = 13
    chart.x_axis.title = "Top share of customers"
    chart.y_axis.title = "Share of value"
    chart.x_axis.numFmt = chart.y_axis.numFmt = "0%"
    chart.x_axis.scaling.min = chart.y_axis.scaling.min = 0
    chart.x_axis.scaling.max = chart.y_axis.scaling.max = 1
    series = Series(Reference(ws, min_col=2, min_row=first, max_row=last),
                    Reference(ws, min_col=1, min_row=first, max_row=last), title="Share of value")
    series.marker.symbol = "none"
    series.smooth = False
    chart.series.append(series)
    chart.legend = None
    _show_axes(chart)
    chart.height, chart.width = 9, 16
    ws.add_chart(chart, "E2")

    histogram = histogram_table(values)
    top = max(last + 3, 24)
    set_cell(ws, top, 1, f"Customers by {label(value_col)} band").font = st["heading"]
    hfirst, hlast = _write_table(ws, histogram, top + 1, 1, currency, freeze=False)
    ws.column_dimensions["A"].width = max(ws.column_dimensions["A"].width or 0, 18)
    ws.column_dimensions["B"].width = max(ws.column_dimensions["B"].width or 0, 16)
    ws.page_setup.fitToHeight = 1
    if len(histogram):
        bars = BarChart()
        bars.type = "col"
        bars.title = f"How {label(value_col)} is distributed"
        bars.x_axis.title = label(value_col)
        bars.y_axis.title = "Customers"
        bars.gapWidth = 10
        bars.legend = None
        bars.add_data(Reference(ws, min_col=2, min_row=hfirst - 1, max_row=hlast), titles_from_data=True)
        bars.set_categories(Reference(ws, min_col=1, min_row=hfirst, max_row=hlast))
        _show_axes(bars)
        bars.height, bars.width = 9, 16
        ws.add_chart(bars, f"E{top}")


def most_valuable(values: np.ndarray, positions: np.ndarray, limit: int) -> np.ndarray:
    """The ``limit`` positions with the highest values, highest first (ties in table order)."""
    if len(positions) > limit:
        # the limit-th highest value, then everything at least as high (ties kept, cut below)
        kth = np.partition(values[positions], len(positions) - limit)[len(positions) - limit]
        positions = positions[values[positions] >= kth]
    order = np.argsort(-values[positions], kind="stable")
    return positions[order][:limit]


def _customer_sheet(ws, customers: pd.DataFrame, value_col, currency, positions: np.ndarray | None = None):
    """The most valuable customers (of ``positions``, rows of ``customers``; all by
    default), at most :data:`MAX_CUSTOMER_ROWS`; a line above says where the rest are."""
    columns = [c for c in CUSTOMER_SHEET_COLUMNS if c in customers.columns]
    if {"clv", "clv_low", "clv_high"} <= set(columns) and \
            customers["clv_low"].equals(customers["clv"]) and customers["clv_high"].equals(customers["clv"]):
        columns = [c for c in columns if c not in ("clv_low", "clv_high")]  # a formula has no range to show
    positions = np.arange(len(customers)) if positions is None else np.asarray(positions)
    count = len(positions)
    if value_col in customers.columns:
        values = pd.to_numeric(customers[value_col], errors="coerce").to_numpy(dtype=np.float64)
        positions = most_valuable(np.nan_to_num(values, nan=0.0), positions, MAX_CUSTOMER_ROWS)
    else:
        positions = positions[:MAX_CUSTOMER_ROWS]
    frame = customers[columns].iloc[positions]
    if "last_order" in frame.columns:
        frame = frame.assign(last_order=pd.to_datetime(frame["last_order"], errors="coerce"))
    top = 1
    if count > MAX_CUSTOMER_ROWS:
        set_cell(ws, 1, 1, f"The {MAX_CUSTOMER_ROWS:,} most valuable of these {count:,} customers; "
                           "every customer is in customers.csv.").font = _styles()["heading"]
        top = 2
    first, last = _write_table(ws, frame.reset_index(drop=True), top, 1, currency, wrap=False)
    if len(frame):
        from openpyxl.utils import get_column_letter

        ws.auto_filter.ref = f"A{top}:{get_column_letter(len(frame.columns))}{last}"


def _intake_sheet(ws, analysis, summary):
    st = _styles()
    skipped = None
    report = getattr(getattr(analysis, "orders", None), "report", None)
    if report is not None:
        skipped = getattr(report, "skipped", None)
    set_cell(ws, 1, 1, "Rows that were not used, and why").font = st["heading"]
    counts = summary.get("rows_skipped") or {}
    row = 2
    if isinstance(counts, dict) and counts:
        for reason, count in counts.items():
            set_cell(ws, row, 1, f"{count_text(int(count), 'row')}: {reason}")
            row += 1
    if not isinstance(skipped, pd.DataFrame) or not len(skipped):
        set_cell(ws, row, 1, "Every row of the file was used.")
        ws.column_dimensions["A"].width = 60
        return
    frame = skipped[[c for c in ("sheet", "row", "reason", "detail") if c in skipped.columns]].reset_index(drop=True)
    if "reason" in frame.columns and len(frame) > SKIPPED_EXAMPLES:
        # the first few rows of each reason, in file order
        rank = frame.groupby("reason", sort=False, observed=True).cumcount().to_numpy()
        sample = frame.loc[rank < SKIPPED_EXAMPLES]
        if len(sample) < len(frame):
            set_cell(ws, row, 1, f"The first {SKIPPED_EXAMPLES} rows of each reason ({len(sample):,} of "
                                 f"{len(frame):,} skipped rows); every skipped row is in intake.csv.")
            row += 1
        frame = sample.reset_index(drop=True)
    _write_table(ws, frame, row + 1, 1, None)


def _settings_sheet(ws, summary):
    st = _styles()
    set_cell(ws, 1, 1, "Setting").font = st["header"]
    set_cell(ws, 1, 2, "Value").font = st["header"]
    for c in (1, 2):
        ws.cell(row=1, column=c).fill = st["header_fill"]
    rows = []  # (label, value, number format)
    for key in ("version", "source", "sheet", "layout_label", "currency", "observation_end", "method",
                "method_requested", "clv_basis", "orders", "customers", "rows_read", "rows_used"):
        if summary.get(key) not in (None, ""):
            rows.append((_FACT_LABELS[key], summary[key], "#,##0" if key in _COUNTS else None))
    settings = summary.get("settings") or {}
    if isinstance(settings, dict):
        rows += [(f"Setting: {_SETTING_WORDS.get(k, k.replace('_', ' '))}", v,
                  "0%" if k in _SHARES and isinstance(v, (int, float)) else None) for k, v in settings.items()]
    model = summary.get("model") or {}
    if isinstance(model, dict):
        rows += [(f"Model detail (for analysts): {k.replace('_', ' ')}", v, None) for k, v in _flatten(model).items()]
    for i, (key, value, number_format) in enumerate(rows, start=2):
        set_cell(ws, i, 1, key).alignment = st["wrap"]
        cell = set_cell(ws, i, 2, _setting_text(value))
        cell.alignment = st["wrap"]
        if number_format:
            cell.number_format = number_format
    ws.column_dimensions["A"].width = 44
    ws.column_dimensions["B"].width = 80
    ws.freeze_panes = "A2"


# what the Settings sheet calls the run's facts …
_FACT_LABELS = {
    "version": "CLV Toolkit version", "source": "Order file", "sheet": "Sheet", "layout_label": "File layout",
    "currency": "Currency", "observation_end": "Orders up to (as-of date)", "method": "CLV method used",
    "method_requested": "CLV method asked for", "orders": "Orders", "customers": "Customers",
    "rows_read": "Rows read", "rows_used": "Rows used", "clv_basis": "How CLV was computed (for analysts)",
}
_COUNTS = ("orders", "customers", "rows_read", "rows_used")
_SHARES = ("discount_rate", "margin", "interval", "retention_rate")  # shown as percentages
# … and the settings whose names need more than spaces for underscores
_SETTING_WORDS = {
    "method": "CLV method", "horizon_months": "horizon (months)", "lifespan_years": "lifespan (years)",
    "retention_rate": "yearly retention", "interval": "range (share of outcomes)", "tier_splits": "tier shares (%)",
    "value_column": "tiers ranked by", "observation_end": "as-of date", "exclude_non_product":
    "exclude non-product lines", "include_no_consent": "include customers without consent",
    "export_mode": "email list files",
}


def _flatten(mapping: dict, prefix: str = "") -> dict:
    flat = {}
    for key, value in mapping.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and len(value) <= 12:
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


def _setting_text(value):
    if value is None:
        return "(not set)"
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (float, np.floating)) and np.isfinite(value) and value != round(value):
        return float(f"{float(value):.6g}")  # a fitted parameter to six significant digits
    if isinstance(value, (int, float, np.integer, np.floating)):
        return excel_value(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value) or "(none)"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items()) or "(none)"
    return str(value)


def _save_atomically(book, path: Path) -> None:
    tmp = path.parent / f".{path.stem}-{os.getpid()}-{id(book)}.tmp.xlsx"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        book.save(tmp)
        os.chmod(tmp, 0o600)  # readable by the user alone, as the other result files
        os.replace(tmp, path)
    except PermissionError:
        tmp.unlink(missing_ok=True)
        raise InputError("Cannot write the report file.", where=str(path),
                         hint="Close the report in Excel (or choose a folder you can write to) and try again.") from None
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(f"Cannot write the report ({exc.strerror or exc}).", where=str(path),
                         hint="Choose a folder you can write to.") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
