"""Excel worksheet functions and scripts for xlwings (classic and Lite).

Classic xlwings (Windows): point the workbook's ``UDF Modules`` setting at
``clv_excel.udfs`` and click *Import Functions*. xlwings Lite: ``main.py`` imports the
names below (``clv-excel lite`` writes it). The wrappers only add xlwings metadata (help
text for the function wizard); the work happens in :mod:`clv_excel.functions` and
:mod:`clv_excel.scripts`. Importing this module works without Excel (any OS).
"""
from __future__ import annotations

import sys

import xlwings as xw

from . import functions, scripts

# Array results spill natively (Excel 365/2021, xlwings Lite); no legacy expand="table".
func = xw.func
arg = xw.arg
# ``script`` in xlwings Lite and recent classic releases; ``sub`` in older classic ones.
script = getattr(xw, "script", None) or xw.sub

IN_LITE = sys.platform == "emscripten"  # xlwings Lite runs on Pyodide

functions.preload()  # heavy imports while Excel loads the add-in, not at the first formula

ORDERS_DOC = (
    "Orders range with its header row: customer (id, email or name), order date and "
    "amount columns; other columns are ignored."
)
HORIZON_DOC = "Months ahead to value (default 12)."
DISCOUNT_DOC = "Yearly discount rate, e.g. 10% (default 10%)."
MARGIN_DOC = "Gross margin, e.g. 30% (default 100%: revenue)."
MODEL_DOC = "auto (default), bgnbd, mbgnbd, paretonbd, simple (formula) or historical."
AS_OF_DOC = "Date the analysis is made on (default: the last order date)."

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
    "analyze_orders",
    "export_tier_lists",
]


@func
@arg("avg_order_value", doc="Average order value (money per order).")
@arg("orders_per_year", doc="Orders a customer places per year.")
@arg("years", doc="Expected customer lifespan in years.")
@arg("margin", doc="Gross margin, e.g. 30% (default 100%).")
@arg("acquisition_cost", doc="Cost of winning the customer, subtracted (default 0).")
def clv_simple(avg_order_value, orders_per_year, years, margin=None, acquisition_cost=None):
    """Simple CLV: average order value x orders per year x years x margin - acquisition cost."""
    return functions.clv_simple(avg_order_value, orders_per_year, years, margin, acquisition_cost)


@func
@arg("margin_per_year", doc="Yearly profit from one customer.")
@arg("retention_rate", doc="Share of customers still buying a year later, e.g. 80%.")
@arg("discount_rate", doc=DISCOUNT_DOC)
@arg("years", doc="Years to count (default: no end).")
def clv_retention(margin_per_year, retention_rate, discount_rate=None, years=None):
    """Retention CLV: margin x r / (1 + d - r), or the sum over the given years."""
    return functions.clv_retention(margin_per_year, retention_rate, discount_rate, years)


@func
@arg("orders", ndim=2, doc=ORDERS_DOC)
@arg("as_of", doc=AS_OF_DOC)
@arg("period", doc="day (default), week or month: the period for frequency and recency.")
def clv_summary(orders, as_of=None, period=None):
    """One row per customer: orders, value, first and last order, order rhythm."""
    return functions.clv_summary(orders, as_of, period)


@func
@arg("orders", ndim=2, doc=ORDERS_DOC)
@arg("horizon_months", doc=HORIZON_DOC)
@arg("discount_rate", doc=DISCOUNT_DOC)
@arg("margin", doc=MARGIN_DOC)
@arg("model", doc=MODEL_DOC)
@arg("as_of", doc=AS_OF_DOC)
def clv_predict(orders, horizon_months=None, discount_rate=None, margin=None, model=None, as_of=None):
    """Predicted CLV per customer: low / likely / high, P(alive), expected orders, tier."""
    return functions.clv_predict(orders, horizon_months, discount_rate, margin, model, as_of)


@func
@arg("values", ndim=2, doc="Values to put in tiers, e.g. a CLV column.")
@arg("cuts", doc="Shares best first like 20,50,30 (default) or minimum values like 1000,200.")
@arg("labels", doc="Tier names best first, e.g. High,Medium,Low (default).")
def clv_tier(values, cuts=None, labels=None):
    """Tier label for each value (best tier first)."""
    return functions.clv_tier(values, cuts, labels)


@func
@arg("orders", ndim=2, doc=ORDERS_DOC)
@arg("as_of", doc=AS_OF_DOC)
def clv_rfm(orders, as_of=None):
    """RFM scores (1-5) and RFM segment per customer."""
    return functions.clv_rfm(orders, as_of)


@func
@arg("orders", ndim=2, doc=ORDERS_DOC)
@arg("horizon_months", doc=HORIZON_DOC)
@arg("discount_rate", doc=DISCOUNT_DOC)
@arg("margin", doc=MARGIN_DOC)
@arg("model", doc=MODEL_DOC)
@arg("as_of", doc=AS_OF_DOC)
def clv_segments(orders, horizon_months=None, discount_rate=None, margin=None, model=None, as_of=None):
    """One profile per value tier with its recommended actions."""
    return functions.clv_segments(orders, horizon_months, discount_rate, margin, model, as_of)


@func
@arg("orders", ndim=2, doc=ORDERS_DOC)
@arg("model", doc=MODEL_DOC)
def clv_model(orders, model=None):
    """The fitted model: parameters, holdout score and the fit verdict."""
    return functions.clv_model(orders, model)


@func
@arg("orders", ndim=2, doc=ORDERS_DOC)
def clv_intake(orders):
    """How the orders range was read: columns used, rows used and skipped, notes."""
    return functions.clv_intake(orders)


@func
@arg("orders", ndim=2, doc=ORDERS_DOC)
@arg("horizon_months", doc=HORIZON_DOC)
@arg("discount_rate", doc=DISCOUNT_DOC)
@arg("margin", doc=MARGIN_DOC)
@arg("model", doc=MODEL_DOC)
@arg("as_of", doc=AS_OF_DOC)
def clv_customers(orders, horizon_months=None, discount_rate=None, margin=None, model=None, as_of=None):
    """The full customer table: value, CLV, tier, RFM and recommended actions."""
    return functions.clv_customers(orders, horizon_months, discount_rate, margin, model, as_of)


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
