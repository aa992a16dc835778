"""Excel worksheet functions and scripts for xlwings (classic and Lite).

Classic xlwings (Windows): the workbook's ``UDF Modules`` setting names
``clv_excel.udfs``; *Import Functions* writes the VBA wrappers (``xlwings.udfs``).
xlwings Lite: ``main.py`` imports the names below (``clv-excel lite`` writes it) and Lite
registers them (``xlwings.server.custom_functions_meta``). The wrappers add what each
runtime shows (help text, category, drop-downs for choices) and turn a
:class:`~clv_excel.shaping.CellError` into a real Excel error value; the work happens in
:mod:`clv_excel.functions` and :mod:`clv_excel.scripts`. Importing this module works
without Excel (any OS).
"""
from __future__ import annotations

import os
import sys
from typing import Annotated, Literal

import xlwings as xw

from clv_engine import tune_memory_allocator

from . import functions, scripts
from .shaping import CLASSIC_ERROR_CODES, CellError

# Array results spill natively (Excel 365/2021, xlwings Lite); no legacy expand="table".
func = xw.func
arg = xw.arg
# ``script`` in xlwings Lite and recent classic releases; ``sub`` in older classic ones.
script = getattr(xw, "script", None) or xw.sub

IN_LITE = sys.platform == "emscripten"  # xlwings Lite runs on Pyodide
# Lite and xlwings Server register functions through Office.js (xlwings.server): argument
# choices become drop-downs there. Classic xlwings has no drop-downs for arguments and
# would try to use the type hint as a converter, so choices are only declared for Office.js.
OFFICE_JS = IN_LITE or os.environ.get("XLWINGS_ON_SERVER") == "true"
CLASSIC_COM = sys.platform.startswith("win") and not OFFICE_JS
CATEGORY = "CLV Toolkit"  # function category in classic Excel's Insert Function dialog

functions.preload()  # heavy imports while Excel loads the add-in, not at the first formula
# freed memory reused between formulas, as the clv command and the app do (glibc, i.e. an
# xlwings Server on Linux; a no-op under Windows and macOS Excel and in Lite's Pyodide)
tune_memory_allocator()

ORDERS_DOC = (
    "Orders with their header row (e.g. Orders[#All]) or a Table's data rows: customer, "
    "order date and amount columns; other columns are ignored."
)
HORIZON_DOC = "Months ahead to value (default 12)."
DISCOUNT_DOC = "Yearly discount rate, e.g. 10% (default 10%)."
MARGIN_DOC = "Gross margin, e.g. 30% (default 100%: revenue)."
MODEL_DOC = "auto (default), bgnbd, mbgnbd, paretonbd, simple (formula) or historical."
AS_OF_DOC = "Date the analysis is made on (default: the last order date)."
PERIOD_DOC = "day (default), week or month: the period for frequency and recency."
MODEL_NAMES = ("auto", "bgnbd", "mbgnbd", "paretonbd", "simple", "historical")
PERIOD_NAMES = ("day", "week", "month")
CHOICE_TIPS = {
    "model": {"auto": "best model by holdout test", "bgnbd": "BG/NBD", "mbgnbd": "MBG/NBD",
              "paretonbd": "Pareto/NBD", "simple": "formula: AOV x orders/year x years",
              "historical": "revenue to date x margin"},
    "period": {"day": "days", "week": "weeks", "month": "months"},
}


def excel_error(code: str):
    """The runtime's form of an Excel error value.

    Office.js (Lite) turns a returned "#VALUE!" / "#N/A" string into the error value
    (``xlwings.pro._xlofficejs``). Classic xlwings passes the return value to VBA through
    COM, where an error is a VARIANT of type VT_ERROR holding the SCODE of CVErr(...).
    """
    if CLASSIC_COM:
        import pythoncom
        from win32com.client import VARIANT

        return VARIANT(pythoncom.VT_ERROR, CLASSIC_ERROR_CODES[code])
    return code


def to_excel(value):
    """A worksheet function's result for Excel: a CellError becomes an error value."""
    if isinstance(value, CellError):
        return excel_error(value.code)
    return value


def choices(**names):
    """Declare argument choices (Office.js drop-downs) before the xlwings decorators run."""

    def decorate(function):
        if OFFICE_JS:
            for name, values in names.items():
                tips = CHOICE_TIPS.get(name, {})
                function.__annotations__[name] = Annotated[Literal[values], {"tooltips": tips}]
        return function

    return decorate


__all__ = [
    "clv_simple",
    "clv_retention",
    "clv_summary",
    "clv_predict",
    "clv_tier",
    "clv_rfm",
    "clv_segments",
    "clv_model",
    "clv_intake",
    "clv_customers",
    "clv_profiles",
    "clv_cohorts",
    "clv_last_error",
    "analyze_orders",
    "export_tier_lists",
]


@func(category=CATEGORY)
@arg("avg_order_value", doc="Average order value (money per order).")
@arg("orders_per_year", doc="Orders a customer places per year.")
@arg("years", doc="Expected customer lifespan in years.")
@arg("margin", doc="Gross margin, e.g. 30% (default 100%).")
@arg("acquisition_cost", doc="Cost of winning the customer, subtracted (default 0).")
def clv_simple(avg_order_value, orders_per_year, years, margin=None, acquisition_cost=None):
    """Simple CLV: average order value x orders per year x years x margin - acquisition cost."""
    return to_excel(functions.clv_simple(avg_order_value, orders_per_year, years, margin, acquisition_cost))


@func(category=CATEGORY)
@arg("margin_per_year", doc="Yearly profit from one customer.")
@arg("retention_rate", doc="Share of customers still buying a year later, e.g. 80%.")
@arg("discount_rate", doc=DISCOUNT_DOC)
@arg("years", doc="Years to count (default: no end).")
def clv_retention(margin_per_year, retention_rate, discount_rate=None, years=None):
    """Retention CLV: margin x r / (1 + d - r), or the sum over the given years."""
    return to_excel(functions.clv_retention(margin_per_year, retention_rate, discount_rate, years))


@func(category=CATEGORY)
@arg("orders", ndim=2, doc=ORDERS_DOC)
@arg("as_of", doc=AS_OF_DOC)
@arg("period", doc=PERIOD_DOC)
@choices(period=PERIOD_NAMES)
def clv_summary(orders, as_of=None, period=None):
    """One row per customer: orders, value, first and last order, order rhythm."""
    return to_excel(functions.clv_summary(orders, as_of, period))


@func(category=CATEGORY)
@arg("orders", ndim=2, doc=ORDERS_DOC)
@arg("horizon_months", doc=HORIZON_DOC)
@arg("discount_rate", doc=DISCOUNT_DOC)
@arg("margin", doc=MARGIN_DOC)
@arg("model", doc=MODEL_DOC)
@arg("as_of", doc=AS_OF_DOC)
@choices(model=MODEL_NAMES)
def clv_predict(orders, horizon_months=None, discount_rate=None, margin=None, model=None, as_of=None):
    """Predicted CLV per customer: low / likely / high, P(alive), expected orders, tier."""
    return to_excel(functions.clv_predict(orders, horizon_months, discount_rate, margin, model, as_of))


@func(category=CATEGORY)
@arg("values", ndim=2, doc="Values to put in tiers, e.g. a CLV column.")
@arg("cuts", doc="Shares best first like 20,50,30 (default) or minimum values like 1000,200.")
@arg("labels", doc="Tier names best first, e.g. High,Medium,Low (default).")
def clv_tier(values, cuts=None, labels=None):
    """Tier label for each value (best tier first)."""
    return to_excel(functions.clv_tier(values, cuts, labels))


@func(category=CATEGORY)
@arg("orders", ndim=2, doc=ORDERS_DOC)
@arg("as_of", doc=AS_OF_DOC)
def clv_rfm(orders, as_of=None):
    """RFM scores (1-5) and RFM segment per customer."""
    return to_excel(functions.clv_rfm(orders, as_of))


@func(category=CATEGORY)
@arg("orders", ndim=2, doc=ORDERS_DOC)
@arg("horizon_months", doc=HORIZON_DOC)
@arg("discount_rate", doc=DISCOUNT_DOC)
@arg("margin", doc=MARGIN_DOC)
@arg("model", doc=MODEL_DOC)
@arg("as_of", doc=AS_OF_DOC)
@choices(model=MODEL_NAMES)
def clv_segments(orders, horizon_months=None, discount_rate=None, margin=None, model=None, as_of=None):
    """One profile per value tier with its recommended actions."""
    return to_excel(functions.clv_segments(orders, horizon_months, discount_rate, margin, model, as_of))


@func(category=CATEGORY)
@arg("orders", ndim=2, doc=ORDERS_DOC)
@arg("horizon_months", doc=HORIZON_DOC)
@arg("discount_rate", doc=DISCOUNT_DOC)
@arg("margin", doc=MARGIN_DOC)
@arg("model", doc=MODEL_DOC)
@arg("as_of", doc=AS_OF_DOC)
@choices(model=MODEL_NAMES)
def clv_model(orders, horizon_months=None, discount_rate=None, margin=None, model=None, as_of=None):
    """The method and model behind the CLV: parameters, holdout score, verdict and notes."""
    return to_excel(functions.clv_model(orders, horizon_months, discount_rate, margin, model, as_of))


@func(category=CATEGORY, volatile=True)
@arg("function_name", doc="Optional: a function name such as CLV_PREDICT (default: the latest error of any).")
def clv_last_error(function_name=None):
    """Why the latest CLV function returned #VALUE! or #N/A (empty when none did)."""
    return to_excel(functions.clv_last_error(function_name))


@func(category=CATEGORY)
@arg("orders", ndim=2, doc=ORDERS_DOC)
def clv_intake(orders):
    """How the orders range was read: columns used, rows used and skipped, notes."""
    return to_excel(functions.clv_intake(orders))


@func(category=CATEGORY)
@arg("orders", ndim=2, doc=ORDERS_DOC)
@arg("horizon_months", doc=HORIZON_DOC)
@arg("discount_rate", doc=DISCOUNT_DOC)
@arg("margin", doc=MARGIN_DOC)
@arg("model", doc=MODEL_DOC)
@arg("as_of", doc=AS_OF_DOC)
@choices(model=MODEL_NAMES)
def clv_customers(orders, horizon_months=None, discount_rate=None, margin=None, model=None, as_of=None):
    """The full customer table: value, CLV, tier, RFM and recommended actions."""
    return to_excel(functions.clv_customers(orders, horizon_months, discount_rate, margin, model, as_of))


if IN_LITE:

    @script(name="Analyze orders")
    def analyze_orders(book: xw.Book):
        """Write CLV results, segments and a chart into this workbook."""
        scripts.analyze_orders_into(book)

    @script(name="Export tier lists")
    def export_tier_lists(book: xw.Book):
        """Write the email-tool tier lists (Lite: as sheets, it cannot write files)."""
        scripts.export_tier_lists_from(book)

else:

    @script
    def analyze_orders():
        """Write CLV results, segments and a chart into the calling workbook."""
        scripts.analyze_orders_into(xw.Book.caller())

    @script
    def export_tier_lists():
        """Write the email-tool tier lists next to the calling workbook."""
        scripts.export_tier_lists_from(xw.Book.caller())


@func(category=CATEGORY)
@arg("orders", ndim=2, doc=ORDERS_DOC)
@arg("group_by", doc="tier (default), rfm_segment or a column of the file such as Segment.")
@arg("dimension", doc="Optional: one kind only, e.g. category, product, channel, country or behaviour.")
@arg("horizon_months", doc=HORIZON_DOC)
@arg("discount_rate", doc=DISCOUNT_DOC)
@arg("margin", doc=MARGIN_DOC)
@arg("model", doc=MODEL_DOC)
@arg("as_of", doc=AS_OF_DOC)
@choices(model=MODEL_NAMES)
def clv_profiles(orders, group_by=None, dimension=None, horizon_months=None, discount_rate=None, margin=None,
                 model=None, as_of=None):
    """What each segment buys: share buying, lift against all customers and share of spend."""
    return to_excel(functions.clv_profiles(orders, group_by, dimension, horizon_months, discount_rate, margin, model,
                                           as_of))


@func(category=CATEGORY)
@arg("orders", ndim=2, doc=ORDERS_DOC)
@arg("measure", doc="active (share still buying, default), revenue, margin, repeat or customers.")
@arg("margin", doc=MARGIN_DOC)
@arg("as_of", doc=AS_OF_DOC)
@choices(measure=("active", "revenue", "margin", "repeat", "customers"))
def clv_cohorts(orders, measure=None, margin=None, as_of=None):
    """Cohort heat map: first-order month by months since the first order."""
    return to_excel(functions.clv_cohorts(orders, measure, margin, as_of))
