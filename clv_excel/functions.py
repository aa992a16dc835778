"""Worksheet functions as plain Python: Excel-shaped arguments in, Excel-safe cells out.

No xlwings import and no model maths here: every function shapes its arguments, calls the
engine's public API and turns the result into a rectangular list of lists (or a scalar)
of ``str``/``float``/``int``/``bool``/``datetime``/``None``. A problem the user can fix
comes back as one readable text cell (``"CLV: …"``), never a traceback.

Intake and model fits are cached by range content (see :mod:`clv_excel.cache`), so
several formulas over the same orders range read and fit once.
"""
from __future__ import annotations

import functools
import gc
import logging
import math

from clv_engine import formulas, tiers
from clv_engine.errors import ClvError, InputError

from .cache import ResultCache
from .shaping import (
    CellError,
    as_column,
    as_table,
    excel_value,
    frame_to_cells,
    in_excel_words,
    is_blank,
    optional_date,
    optional_number,
    optional_text,
    short_message,
)
from .tables import customer_id_restorer, with_header

log = logging.getLogger(__name__)

RESULTS = ResultCache(max_ranges=4, max_results=16)
MODEL_CHOICES = ("auto", "bgnbd", "mbgnbd", "paretonbd", "pareto", "simple", "formula", "historical")
# model argument -> pipeline (method, model)
MODEL_SETTINGS = {
    "auto": ("auto", "auto"),
    "bgnbd": ("auto", "bgnbd"),
    "mbgnbd": ("auto", "mbgnbd"),
    "paretonbd": ("auto", "paretonbd"),
    "pareto": ("auto", "paretonbd"),
    "simple": ("simple", "auto"),
    "formula": ("simple", "auto"),
    "historical": ("historical", "auto"),
}
PERIOD_CHOICES = ("day", "week", "month")
PERIOD_FREQ = {"day": "D", "week": "W", "month": "M"}

SUMMARY_HEADERS = {
    "orders": "Orders",
    "total_value": "Revenue to date",
    "average_order_value": "Average order value",
    "first_order": "First order",
    "last_order": "Last order",
    "days_since_last_order": "Days since last order",
    "avg_days_between_orders": "Avg days between orders",
    "orders_per_year": "Orders per year",
    "frequency": "Frequency",
    "recency": "Recency",
    "T": "T",
    "monetary_value": "Monetary value",
}
PREDICT_COLUMNS = ["clv_low", "clv", "clv_high", "p_alive", "expected_orders", "tier"]
PREDICT_HEADERS = {
    "clv_low": "CLV low",
    "clv": "CLV likely",
    "clv_high": "CLV high",
    "p_alive": "P(alive)",
    "expected_orders": "Expected orders",
    "tier": "Tier",
}
RFM_COLUMNS = ["rfm_r", "rfm_f", "rfm_m", "rfm_score", "rfm_segment"]
RFM_HEADERS = {"rfm_r": "R", "rfm_f": "F", "rfm_m": "M", "rfm_score": "RFM", "rfm_segment": "Segment"}
SEGMENT_COLUMNS = ["tier", "customers", "share_of_customers", "total_value", "average_value", "share_of_value",
                   "orders", "average_order_value", "orders_per_year", "days_since_last_order", "actions"]
SEGMENT_HEADERS = {
    "tier": "Tier",
    "customers": "Customers",
    "share_of_customers": "Share of customers",
    "total_value": "Total CLV",
    "average_value": "Average CLV",
    "share_of_value": "Share of CLV",
    "orders": "Orders",
    "average_order_value": "Average order value",
    "orders_per_year": "Orders per year",
    "days_since_last_order": "Days since last order",
    "actions": "Actions",
}
# CLV_CUSTOMERS: the same columns at the same positions whatever the method (a column
# the method does not produce stays empty); the file's own extra columns come after.
CUSTOMER_COLUMNS = [
    "customer_id", "email", "name", "consent", "orders", "total_value",
    "average_order_value", "first_order", "last_order", "days_since_last_order",
    "avg_days_between_orders", "orders_per_year", "clv", "clv_low", "clv_high",
    "clv_method", "p_alive", "churn_risk", "churn_label", "expected_orders", "next_order_date", "tier",
    "rfm_r", "rfm_f", "rfm_m", "rfm_score", "rfm_segment", "actions",
    "frequency", "recency", "T", "monetary_value", "expected_order_value",
]
CUSTOMER_HEADERS = {"total_value": "revenue_to_date"}

# The reason of the latest error of each function, for CLV_LAST_ERROR().
LAST_ERRORS: dict[str, CellError] = {}
_LAST: list[CellError] = []


def preload() -> None:
    """Import the engine's analysis modules (pipeline, models, scipy.optimize) now.

    Called when Excel loads the add-in (``clv_excel.udfs``), so the first formula does not
    wait about half a second for imports; plain ``import clv_excel.functions`` stays light.
    """
    import scipy.optimize  # noqa: F401  (the model fits import it on first use)

    # the pipeline imports these inside its functions (0.1 s at the first formula)
    import clv_engine.intake  # noqa: F401
    import clv_engine.models  # noqa: F401
    import clv_engine.models.runoff  # noqa: F401
    import clv_engine.pipeline  # noqa: F401
    import clv_engine.predictive  # noqa: F401
    import clv_engine.segments  # noqa: F401


def excel_function(function):
    """Return a :class:`CellError` (``#VALUE!``, ``#N/A`` for an empty range) instead of
    raising, and remember its reason for ``CLV_LAST_ERROR()``.

    Python's cyclic garbage collector is paused while the function runs: a formula
    allocates hundreds of thousands of lists (the range, the result rows), which made the
    collector sweep the cached ranges again and again (a third of the time of ten formulas
    over a 100,000-row range). Nothing here builds reference cycles; the collector resumes,
    as it was, when the formula returns.
    """
    name = function.__name__.upper()

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        collecting = gc.isenabled()
        gc.disable()
        try:
            result = function(*args, **kwargs)
            if isinstance(result, float) and not math.isfinite(result):  # e.g. 1E+308 years
                raise InputError("the result is too large to be a number: check the inputs (one of them may be "
                                 "far too large).")
            _forget(name)  # a formula that works again has no error to show
            return result
        except ClvError as error:
            return _remember(CellError(getattr(error, "excel_code", "#VALUE!"), short_message(error), name))
        except Exception as error:  # never a traceback in a cell
            log.exception("unexpected error in %s", function.__name__)
            return _remember(CellError("#VALUE!", short_message(
                f"unexpected problem ({type(error).__name__}: {error}). Please report it with a copy of the workbook."
            ), name))
        finally:
            if collecting:
                gc.enable()

    return wrapper


def _forget(name: str) -> None:
    LAST_ERRORS.pop(name, None)
    if _LAST and _LAST[0].function == name:
        _LAST.clear()


def _remember(error: CellError) -> CellError:
    LAST_ERRORS[error.function] = error
    _LAST[:] = [error]
    return error


def clv_last_error(function_name=None):
    """The reason of the latest error value a CLV function returned (this Excel session),
    or of the latest one of ``function_name`` (e.g. "CLV_PREDICT"); empty when none."""
    name = optional_text(function_name, "function", None)
    if name:
        key = name.strip().upper().lstrip("=").split("(")[0]
        if not key.startswith("CLV_"):
            key = "CLV_" + key
        error = LAST_ERRORS.get(key)
        return f"{key}: {error.code} {error.message}" if error else ""
    if not _LAST:
        return ""
    error = _LAST[0]
    return f"{error.function}: {error.code} {error.message}"


# ----------------------------------------------------------------------------- formulas
@excel_function
def clv_simple(avg_order_value, orders_per_year, years, margin=None, acquisition_cost=None):
    """Average order value × orders per year × years × margin − acquisition cost."""
    _all_given(avg_order_value=avg_order_value, orders_per_year=orders_per_year, years=years)
    return formulas.simple_clv(
        optional_number(avg_order_value, "average order value", None, low=0),
        optional_number(orders_per_year, "orders per year", None, low=0),
        optional_number(years, "years", None, low=0),
        margin=optional_number(margin, "margin", 1.0, low=0, rate=True),
        acquisition_cost=optional_number(acquisition_cost, "acquisition cost", 0.0, low=0),
    )


@excel_function
def clv_retention(margin_per_year, retention_rate, discount_rate=None, years=None):
    """Retention CLV m·r/(1+d−r), or summed over ``years`` years when given."""
    _all_given(margin_per_year=margin_per_year, retention_rate=retention_rate)
    return formulas.retention_clv(
        optional_number(margin_per_year, "margin per year", None),
        optional_number(retention_rate, "retention rate", None, low=0, rate=True),
        discount_rate=optional_number(discount_rate, "discount rate", 0.10, low=0, rate=True),
        years=optional_number(years, "years", None, low=0),
    )


@excel_function
def clv_tier(values, cuts=None, labels=None):
    """Tier label per value. ``cuts``: shares like "20,50,30" (default) or, when they are
    values from highest to lowest like 1000,200, minimum values per tier."""
    cells = as_column(values)
    filled = [i for i, cell in enumerate(cells) if not is_blank(cell)]
    if len(filled) > 1 and filled[0] == 0 and _is_header(cells[0]):  # a column taken with its header
        filled = filled[1:]
    numbers = [_tier_value(cells[i]) for i in filled]
    splits, thresholds = _tier_cuts(cuts)
    names = _label_list(labels)
    assigned = tiers.assign_tiers(numbers, splits, names, thresholds=thresholds)
    labels_out = [None] * len(cells)  # blank cells get no tier and do not count
    for i, label in zip(filled, assigned.astype(str).tolist()):
        labels_out[i] = str(label)
    result = [[label] for label in labels_out]
    if isinstance(values, (list, tuple)) and values and isinstance(values[0], (list, tuple)) and len(values) == 1:
        return [[row[0] for row in result]]  # a single row of values spills across
    if len(result) == 1 and not isinstance(values, (list, tuple)):
        return result[0][0]
    return result


# ------------------------------------------------------------------------- order ranges
@excel_function
def clv_intake(orders):
    """What intake made of the range: layout, columns used, rows used and skipped."""
    prepared = prepared_orders(orders)
    data = prepared.data
    report = data.report
    rows = [["Item", "Value"], ["Layout", str(report.layout_label)]]
    for role, header in report.mapping.items():
        rows.append([f"Column for {role}", str(header)])
    rows += [
        ["Rows read", excel_value(report.rows_read)],
        ["Rows used", excel_value(report.rows_used)],
        ["Rows skipped", excel_value(report.rows_read - report.rows_used)],
        ["Orders", excel_value(len(data.orders))],
        ["Customers", excel_value(len(data.customers))],
    ]
    for reason, count in report.rows_skipped.items():
        rows.append([f"Skipped: {reason}", excel_value(count)])
    if prepared.header_note:
        rows.append(["Note", prepared.header_note])
    for note in report.notes:
        rows.append(["Note", in_excel_words(str(note))])
    return rows


@excel_function
def clv_summary(orders, as_of=None, period=None):
    """One row per customer: orders, revenue, first/last order, rhythm and BTYD summary."""
    from clv_engine.summary import SUMMARY_COLUMNS

    end = optional_date(as_of)
    period_name = optional_text(period, "period", "day", PERIOD_CHOICES)
    prepared = prepared_orders(orders)
    summary = RESULTS.get_or_compute(
        prepared.table, ("summary", end, PERIOD_FREQ[period_name]),
        lambda: _customer_summary(prepared.data, end, PERIOD_FREQ[period_name]), prepared.entry,
    )
    cells = frame_to_cells(summary, SUMMARY_COLUMNS, index_label="Customer", headers=SUMMARY_HEADERS)
    return prepared.restore_ids(cells)


@excel_function
def clv_rfm(orders, as_of=None):
    """R, F and M scores (1-5), the RFM code and the RFM segment per customer."""
    from clv_engine.segments import rfm_scores

    end = optional_date(as_of)
    prepared = prepared_orders(orders)
    summary = RESULTS.get_or_compute(prepared.table, ("summary", end, "D"),
                                     lambda: _customer_summary(prepared.data, end, "D"), prepared.entry)
    scores = rfm_scores(summary, as_of=end)
    return prepared.restore_ids(frame_to_cells(scores, RFM_COLUMNS, index_label="Customer", headers=RFM_HEADERS))


@excel_function
def clv_predict(orders, horizon_months=None, discount_rate=None, margin=None, model=None, as_of=None):
    """Per customer: CLV low / likely / high, P(alive), expected orders and tier."""
    prepared, analysis = analysis_of(orders, horizon_months, discount_rate, margin, model, as_of)
    # Without a model (too little data, or a formula method) p_alive and expected orders
    # do not exist: those cells stay empty rather than showing made-up numbers.
    customers = analysis.customers.set_index("customer_id").reindex(columns=PREDICT_COLUMNS)
    cells = frame_to_cells(customers, PREDICT_COLUMNS, index_label="Customer", headers=PREDICT_HEADERS)
    return prepared.restore_ids(cells)


@excel_function
def clv_customers(orders, horizon_months=None, discount_rate=None, margin=None, model=None, as_of=None):
    """The customer table of the pipeline: the same 33 columns for every method, then the
    file's own extra columns."""
    prepared, analysis = analysis_of(orders, horizon_months, discount_rate, margin, model, as_of)
    table = analysis.customers
    extra = [c for c in table.columns if c not in CUSTOMER_COLUMNS and c != "movement"]
    columns = CUSTOMER_COLUMNS + extra
    cells = frame_to_cells(table.reindex(columns=columns), columns, headers=CUSTOMER_HEADERS)
    return prepared.restore_ids(cells)


@excel_function
def clv_segments(orders, horizon_months=None, discount_rate=None, margin=None, model=None, as_of=None):
    """One profile per value tier: customers, CLV, orders, recency and recommended actions."""
    _, analysis = analysis_of(orders, horizon_months, discount_rate, margin, model, as_of)
    segments = analysis.segments.reindex(columns=SEGMENT_COLUMNS)
    return frame_to_cells(segments, SEGMENT_COLUMNS, headers=SEGMENT_HEADERS)


@excel_function
def clv_model(orders, horizon_months=None, discount_rate=None, margin=None, model=None, as_of=None):
    """The method and model behind the CLV: parameters, holdout score, verdict and notes
    (including settings the method could not use)."""
    horizon = whole_months(horizon_months)
    rate = optional_number(discount_rate, "discount rate", 0.10, low=0, rate=True)
    _, analysis = analysis_of(orders, horizon_months, discount_rate, margin, model, as_of)
    return model_rows(analysis, horizon, rate)


def model_rows(analysis, horizon: int, rate: float) -> list[list]:
    """Item/Value rows of CLV_MODEL: method, model, parameters, score, verdict, notes."""
    run = analysis.summary
    prediction = analysis.prediction
    info = dict(run.get("model") or getattr(prediction, "model", None) or {})
    method = str(run.get("method") or "")
    rows = [
        ["Item", "Value"],
        ["Method", method],
        ["Model", str(info.get("name") or "none")],
        ["Customers", excel_value(run.get("customers"))],
        ["Total CLV", excel_value(run.get("total_clv"))],
    ]
    for name, value in (info.get("params") or {}).items():
        rows.append([f"Parameter {name}", excel_value(value)])
    for name, value in (info.get("spend_params") or {}).items():
        rows.append([f"Spend parameter {name}", excel_value(value)])
    score = info.get("holdout_score")
    if isinstance(score, dict):
        rows += [[f"Holdout {name}", excel_value(value)] for name, value in score.items()]
    elif score is not None:
        rows.append(["Holdout score", excel_value(score)])
    verdict = getattr(prediction, "verdict", "") or info.get("verdict") or ""
    if method != "predictive" or not verdict:
        verdict = run.get("clv_basis") or verdict
    rows.append(["Verdict", str(verdict)])
    for note in model_notes(analysis, method, horizon, rate):
        rows.append(["Note", note])
    return rows


def model_notes(analysis, method: str, horizon: int, rate: float) -> list[str]:
    """The model's caveats and the settings the method could not use, in plain words."""
    notes: list[str] = []
    prediction = analysis.prediction
    for source in (getattr(prediction, "notes", None), analysis.summary.get("prediction_notes"),
                   getattr(prediction, "caveats", None)):
        for note in source or []:
            text = " ".join(str(note).split())
            if text and text not in notes:
                notes.append(text)
    if method in ("simple", "historical") and not any("horizon" in note.lower() for note in notes):
        what = ("the formula method values average order value x orders per year x lifespan"
                if method == "simple" else "the historical method values the revenue to date")
        notes.append(f"Horizon {horizon} months and discount rate {rate:.0%} are not used: {what}.")
    return notes


# ---------------------------------------------------------------------- shared helpers
class PreparedOrders:
    """An orders range ready for the engine: the table (with a header row), its cache
    entry, the intake result and how to give customer ids back their original type."""

    __slots__ = ("table", "entry", "data", "header_note", "restore_ids")

    def __init__(self, table, entry, data, header_note, restore_ids):
        self.table, self.entry, self.data = table, entry, data
        self.header_note, self.restore_ids = header_note, restore_ids


def prepared_orders(orders) -> PreparedOrders:
    """Intake of an orders range (cached by content; one copy of the range is kept)."""
    table = as_table(orders, "orders")
    entry = RESULTS.entry_for(table)

    def read():
        headed, note = with_header(table)
        data = read_range(headed)
        return data, note, customer_id_restorer(headed, data.report.mapping)

    data, note, restore = RESULTS.get_or_compute(table, ("intake",), read, entry)
    return PreparedOrders(table, entry, data, note, restore)


def order_data(orders):
    """Intake of an orders range (cached by content)."""
    return prepared_orders(orders).data


def read_range(table):
    """Run intake on a normalised range. Intake reads Excel serial numbers in the date
    column (how xlwings Lite passes date cells) like any other date."""
    from clv_engine.intake import read_orders

    data = read_orders(table)
    report = data.report
    if getattr(report, "date_order_ambiguous", False):
        # a file can be read again with a date order; a formula has no such argument, and a
        # silent month/day reading of day/month dates halves or doubles everything
        column = report.mapping.get("date", "Date")
        raise InputError(f"the dates in '{column}' can be read as day/month or as month/day, and nothing in the "
                         "range settles which.",
                         hint="Enter them as date cells (select the column, Data › Text to Columns › Date) or "
                              "as YYYY-MM-DD text.")
    return data


def _customer_summary(data, end, freq):
    from clv_engine.summary import customer_summary

    return customer_summary(data.orders, observation_end=end, freq=freq)


def customer_summary_for(orders, end, freq):
    prepared = prepared_orders(orders)
    return RESULTS.get_or_compute(prepared.table, ("summary", end, freq),
                                  lambda: _customer_summary(prepared.data, end, freq), prepared.entry)


def analysis_settings(horizon_months, discount_rate, margin, model, as_of) -> tuple:
    return (
        "analysis",
        whole_months(horizon_months),
        optional_number(discount_rate, "discount rate", 0.10, low=0, rate=True),
        optional_number(margin, "margin", 1.0, low=0, rate=True),
        optional_text(model, "model", "auto", MODEL_CHOICES),
        optional_date(as_of),
    )


def analysis_of(orders, horizon_months, discount_rate, margin, model, as_of):
    """(prepared orders, pipeline run) for an orders range and the formula's settings."""
    from clv_engine.pipeline import Settings, analyze

    settings_key = analysis_settings(horizon_months, discount_rate, margin, model, as_of)
    prepared = prepared_orders(orders)
    _, horizon, rate, margin_value, method, end = settings_key

    def run():
        method_name, model_name = MODEL_SETTINGS[method]
        settings = Settings(
            method=method_name,
            model=model_name,
            horizon_months=horizon,
            discount_rate=rate,
            margin=margin_value,
            observation_end=end,
        )
        return analyze(prepared.data, settings, insights=False)  # CLV_PROFILES adds them

    return prepared, RESULTS.get_or_compute(prepared.table, settings_key, run, prepared.entry)


def analysis_for(orders, horizon_months, discount_rate, margin, model, as_of):
    """Pipeline run for an orders range and the formula's settings (cached)."""
    return analysis_of(orders, horizon_months, discount_rate, margin, model, as_of)[1]


def whole_months(value) -> int:
    """Horizon in whole months (Excel passes every number as a float)."""
    months = optional_number(value, "horizon (months)", 12.0, low=1, high=120)
    if months != int(months):
        raise InputError(f"horizon (months) must be a whole number of months; got {months:g}.",
                         hint="Use e.g. 12 for one year.")
    return int(months)


def _all_given(**arguments) -> bool:
    missing = [name.replace("_", " ") for name, value in arguments.items() if is_blank(value)]
    if missing:
        raise InputError(f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing.",
                         hint="Fill in the required arguments.")
    return True


def _is_header(cell) -> bool:
    """Text that is no number ("CLV likely"): the header of a column of values."""
    if not isinstance(cell, str):
        return False
    try:
        optional_number(cell, "value", None)
        return False
    except InputError:
        return True


def _tier_value(cell):
    if type(cell) is float or type(cell) is int:
        return cell
    if is_blank(cell):
        return float("nan")
    try:
        return optional_number(cell, "value", float("nan"))
    except InputError:
        raise InputError(f"the value '{cell}' to put in a tier is not a number.",
                         hint="Give a range of numbers, e.g. the CLV column.") from None


def _tier_cuts(cuts):
    """Shares (sum to 100 or 1) -> splits; decreasing values -> thresholds."""
    if cuts is None or (not isinstance(cuts, (list, tuple)) and is_blank(cuts)):
        return None, None
    if isinstance(cuts, str):
        parts = [p for p in cuts.replace(";", ",").split(",") if p.strip()]
    else:
        parts = [c for c in as_column(cuts) if not is_blank(c)]
    numbers = [optional_number(p, "cut", None) for p in parts]
    total = sum(numbers)
    if abs(total - 100.0) < 1e-6 or abs(total - 1.0) < 1e-6:
        return numbers, None
    return None, numbers


def _label_list(labels):
    if labels is None or (not isinstance(labels, (list, tuple)) and is_blank(labels)):
        return None
    if isinstance(labels, str):
        return [p.strip() for p in labels.replace(";", ",").split(",") if p.strip()]
    return [str(v).strip() for v in as_column(labels) if not is_blank(v)]


# --- who buys what and cohorts (clv_engine.segments.purchase_insights) ---------------------
PROFILE_COLUMNS = ["segment", "segment_customers", "dimension", "value", "customers", "figure", "all_figure", "lift",
                   "spend_share", "all_spend_share", "spend_lift", "too_small", "preference"]
PROFILE_HEADERS = {"segment": "Segment", "segment_customers": "Segment customers", "dimension": "What",
                   "value": "Value", "customers": "Customers", "figure": "Share of segment's orders",
                   "all_figure": "Share of all orders", "lift": "Lift per order", "spend_share": "Share of its spend",
                   "all_spend_share": "Share of all spend", "spend_lift": "Spend lift", "too_small": "Too small",
                   "preference": "Clear preference"}


@excel_function
def clv_profiles(orders, group_by=None, dimension=None, horizon_months=None, discount_rate=None, margin=None,
                 model=None, as_of=None):
    """Who each segment is and what it buys: per tier (or ``rfm_segment`` or a column of
    the file) the top categories, products, channels … with the share of the segment's
    orders that include each, its lift against all orders, whether it is a clear preference
    (not chance) and share of spend; ``dimension`` keeps one kind (e.g. ``category``)."""
    _, analysis = analysis_of(orders, horizon_months, discount_rate, margin, model, as_of)
    profiles = analysis.add_insights().profiles
    groupings = list(dict.fromkeys(profiles["group_by"]))
    group = optional_text(group_by, "group by", "tier", groupings or ["tier"])
    rows = profiles[profiles["group_by"] == group]
    if not is_blank(dimension):
        kinds = list(dict.fromkeys(rows["dimension"]))
        rows = rows[rows["dimension"] == optional_text(dimension, "dimension", kinds[0] if kinds else "", kinds)]
    if rows.empty:
        notes = analysis.add_insights().not_profiled
        raise InputError("nothing to profile for this choice." + (f" {notes[0]}" if notes else ""))
    return frame_to_cells(rows, PROFILE_COLUMNS, headers=PROFILE_HEADERS)


@excel_function
def clv_cohorts(orders, measure=None, margin=None, as_of=None):
    """Cohort heat map: first-order month (rows) × months since the first order (columns).
    ``measure``: active (share still buying, default), revenue or margin (cumulative per
    customer), repeat (repeat rate) or customers (still buying)."""
    from clv_engine.segments import COHORT_MEASURES, cohort_grid, cohort_table, purchase_data

    prepared = prepared_orders(orders)
    chosen = optional_text(measure, "measure", "active", list(COHORT_MEASURES))
    margin_value = optional_number(margin, "margin", 1.0, low=0, rate=True)
    end = optional_date(as_of)

    def run():
        data = prepared.data
        details = getattr(data, "details", None)
        purchases = purchase_data(data.orders, details.lines if details is not None else None, as_of=end,
                                  order_details=details.orders if details is not None else None)
        return cohort_table(purchases, margin=margin_value)

    table = RESULTS.get_or_compute(prepared.table, ("cohorts", margin_value, end), run, prepared.entry)
    grid = cohort_grid(table, chosen)
    grid.columns = ["Customers"] + [f"M{m}" for m in grid.columns[1:]]
    grid.index = ["All cohorts" if c == "all" else c for c in grid.index]
    return frame_to_cells(grid, index_label="First order")
