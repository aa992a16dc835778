"""Report sheets about who buys what, cohorts, LTV drivers and payback.

Every sheet is written row by row with ``append`` (and styled cells made with
``WriteOnlyCell``), so it works in ordinary and in write-only workbooks; every table is an
aggregate with a fixed upper size, whatever the number of customers.
"""
from __future__ import annotations

import pandas as pd

from ..errors import agree, count_text
from ..segments.profiles import dimension_label
from .cells import excel_value, money_format

__all__ = ["write_insight_sheets"]

MAX_COHORTS = 36  # most recent first-order months shown in the heat maps
MAX_MONTHS = 36  # months since the first order shown
VALUES_PER_DIMENSION = 5  # per segment, on the profile sheet
DRIVER_ROWS = 15  # per dimension, on the drivers sheet
CHART_BARS = 12
PROFILE_DIMENSIONS = ("subcategory", "category", "product", "vendor", "first_category", "first_product", "channel",
                      "discount_code", "country", "region", "state", "customer_type")
BEHAVIOUR_FORMATS = {"repeat rate": "0%", "return rate": "0.0%", "average margin": "0.0%",
                     "uses a discount code": "0%", "median days to second order": "#,##0",
                     "average days between orders": "#,##0"}


class _Sheet:
    """Rows appended one after the other; remembers the row number."""

    def __init__(self, ws):
        from openpyxl.styles import Alignment, Font, PatternFill

        self.ws = ws
        self.row = 0
        self.title_font = Font(size=16, bold=True, color="1F3864")
        self.heading_font = Font(size=12, bold=True, color="1F3864")
        self.header_font = Font(bold=True, color="FFFFFF")
        self.header_fill = PatternFill("solid", fgColor="305496")
        self.note_font = Font(italic=True, color="595959")
        self.wrap = Alignment(wrap_text=True, vertical="top")

    def cell(self, value, number_format=None, font=None, fill=None):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(self.ws, value=excel_value(value))
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"  # text from the data never becomes a formula
        if number_format and cell.value is not None:
            cell.number_format = number_format
        if font is not None:
            cell.font = font
        if fill is not None:
            cell.fill = fill
        return cell

    def append(self, values=()) -> int:
        self.ws.append(list(values))
        self.row += 1
        return self.row

    def title(self, text):
        return self.append([self.cell(text, font=self.title_font)])

    def heading(self, text):
        return self.append([self.cell(text, font=self.heading_font)])

    def note(self, text):
        return self.append([self.cell(text, font=self.note_font)])

    def header(self, names, indent: int = 0):
        cells = [self.cell(n, font=self.header_font, fill=self.header_fill) for n in names]
        for cell in cells:
            cell.alignment = self.wrap
        return self.append([None] * indent + cells)

    def widths(self, widths):
        from openpyxl.utils import get_column_letter

        for i, width in enumerate(widths, start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = width


def _show_axes(chart) -> None:
    for axis in (chart.x_axis, chart.y_axis):
        axis.delete = False


def write_insight_sheets(book, insights, currency, new_title) -> None:
    """Add the profile, cohort, driver and payback sheets; ``new_title(name)`` gives a free sheet name."""
    if insights is None:
        return
    _profile_sheet(_Sheet(book.create_sheet(new_title("Who buys what"))), insights, currency)
    _cohort_sheet(_Sheet(book.create_sheet(new_title("Cohorts"))), insights, currency)
    _driver_sheet(_Sheet(book.create_sheet(new_title("Drivers"))), insights, currency)
    _payback_sheet(_Sheet(book.create_sheet(new_title("Payback"))), insights, currency)


# --- who buys what ----------------------------------------------------------------------------

def _profile_sheet(s: _Sheet, insights, currency) -> None:
    from openpyxl.chart import BarChart, Reference

    s.widths([30, 34, 11, 17, 17, 13, 14, 18, 18, 11])  # A fits "Average days between orders"
    s.title("Who each segment is and what it buys")
    s.note("Share of its orders = the segment's orders that include it; times as often = that share ÷ the share "
           "of all orders (2.0 = twice as often per order), so it does not grow with how often a segment orders. "
           "First product / category: share of the segment's customers whose first order was mostly it. "
           "'Clear preference' = at least 1.25× as often per order and too large a difference to be chance. "
           "Spend shares compare what the segment spends on it with everyone.")
    for line in insights.not_profiled:
        s.note(line)
    profiles = insights.profiles
    chart_data = None
    for group_by, noun in (("tier", "tier"), ("rfm_segment", "RFM segment")):
        rows = profiles[profiles["group_by"] == group_by]
        for segment in dict.fromkeys(rows["segment"]):
            mine = rows[rows["segment"] == segment]
            n = int(mine["segment_customers"].iloc[0])
            s.append()
            small = " — too few customers to trust" if bool(mine["too_small"].iloc[0]) else ""
            s.heading(f"{segment} {noun}: {count_text(n, 'customer')}{small}")
            bought = mine[mine["dimension"] != "behaviour"]
            if len(bought):
                s.header(["What", "Value", "Customers who bought it", "Share of its orders", "Share of all orders",
                          "Times as often per order", "Clear preference", "Share of its spend", "Share of all spend",
                          "Spend lift"])
                first_row = None
                for dimension in PROFILE_DIMENSIONS:
                    part = _most_telling(bought[bought["dimension"] == dimension])
                    for _, r in part.iterrows():
                        row = s.append([s.cell(dimension_label(dimension).capitalize()), s.cell(r["value"]),
                                        s.cell(r["customers"], "#,##0"), s.cell(r["share_of_orders"], "0%"),
                                        s.cell(r["all_share_of_orders"], "0%"), s.cell(r["order_lift"], '0.0"×"'),
                                        s.cell("yes" if bool(r["preference"]) else ""),
                                        s.cell(r["spend_share"], "0%"), s.cell(r["all_spend_share"], "0%"),
                                        s.cell(r["spend_lift"], '0.0"×"')])
                        if dimension in ("subcategory", "category") and first_row is None:
                            first_row = (row, len(part), dimension)
                if chart_data is None and first_row is not None and group_by == "tier":
                    chart_data = (segment, *first_row)
            behaviour = mine[mine["dimension"] == "behaviour"]
            if len(behaviour):
                s.header(["Behaviour", "This segment", "All customers", "Ratio"])
                for _, r in behaviour.iterrows():
                    fmt = BEHAVIOUR_FORMATS.get(r["value"], "0.00")
                    s.append([s.cell(str(r["value"]).capitalize()), s.cell(r["figure"], fmt),
                              s.cell(r["all_figure"], fmt), s.cell(r["lift"], '0.00"×"')])
    if chart_data is not None:
        segment, row, count, dimension = chart_data
        chart = BarChart()
        chart.type = "bar"
        chart.title = f"Share of orders with each {dimension_label(dimension)}: {segment} tier vs all orders"
        chart.y_axis.numFmt = "0%"
        chart.y_axis.scaling.min = 0
        chart.x_axis.scaling.orientation = "maxMin"  # the table's order, top to bottom
        chart.add_data(Reference(s.ws, min_col=4, max_col=5, min_row=row, max_row=row + count - 1),
                       titles_from_data=False)
        chart.series[0].tx = _series_title(f"{segment} tier")
        chart.series[1].tx = _series_title("All orders")
        chart.set_categories(Reference(s.ws, min_col=2, min_row=row, max_row=row + count - 1))
        _show_axes(chart)
        chart.height, chart.width = 8, 16
        s.ws.add_chart(chart, "K3")


def _most_telling(rows: pd.DataFrame) -> pd.DataFrame:
    """What the segment spends most on (3) and its clearest preferences (2: bought
    markedly more often per order, beyond chance), in the order of spend."""
    if len(rows) <= VALUES_PER_DIMENSION:
        return rows
    spend = rows.sort_values("spend_share", ascending=False, kind="stable")
    chosen = list(spend.index[:VALUES_PER_DIMENSION - 2])
    lifted = rows[rows["preference"].astype(bool) & ~rows.index.isin(chosen)].sort_values(
        "order_lift", ascending=False, kind="stable")
    chosen += list(lifted.index[:VALUES_PER_DIMENSION - len(chosen)])
    chosen += [i for i in spend.index if i not in chosen][:VALUES_PER_DIMENSION - len(chosen)]
    return rows.loc[[i for i in spend.index if i in set(chosen)]]


def _series_title(text):
    from openpyxl.chart.series import SeriesLabel

    return SeriesLabel(v=text)


# --- cohorts ----------------------------------------------------------------------------------

def _cohort_sheet(s: _Sheet, insights, currency) -> None:
    from openpyxl.chart import BarChart, Reference
    from openpyxl.formatting.rule import ColorScaleRule
    from openpyxl.utils import get_column_letter

    cohorts = insights.cohorts
    s.title("Cohorts: customers by the month of their first order")
    repeat = insights.repeat
    second = repeat.get("days_to_second_order", {})
    s.note(f"{repeat.get('repeat_rate', 0):.0%} of {count_text(repeat.get('customers', 0), 'customer')} ordered more "
           "than once"
           + (f"; the median wait for the second order is {second['median']:.0f} "
              f"{agree(round(second['median']), 'day')}." if second.get("median")
              is not None else "."))
    monthly = cohorts[cohorts["cohort"] != "all"]
    pooled = cohorts[cohorts["cohort"] == "all"].set_index("months_since_first")
    names = sorted(set(monthly["cohort"]))[-MAX_COHORTS:]
    months = min(int(monthly["months_since_first"].max()) + 1 if len(monthly) else 0, MAX_MONTHS)
    widths = [12, 11] + [9] * months
    s.widths(widths)
    if not names:
        s.note("No orders to build cohorts from.")
        return
    if len(set(monthly["cohort"])) > len(names):
        s.note(f"The {MAX_COHORTS} most recent cohorts; every cohort is in cohorts.csv.")
    grids = (("Customers still buying: share of the cohort with an order in each month", "active_share", "0%", 1),
             ("Cumulative revenue per customer acquired", "cumulative_revenue_per_customer",
              money_format(currency).replace(".00", ""), 0))
    for heading, column, fmt, first_coloured in grids:
        s.append()
        s.heading(heading)
        s.header(["First order", "Customers"] + [f"M{m}" for m in range(months)])
        first = s.row + 1
        for name in names:
            cells = monthly[monthly["cohort"] == name].set_index("months_since_first")
            row = [s.cell(name), s.cell(int(cells["cohort_customers"].iloc[0]), "#,##0")]
            for m in range(months):
                row.append(s.cell(float(cells.at[m, column]), fmt) if m in cells.index else None)
            s.append(row)
        last = s.row
        row = [s.cell("All cohorts", font=s.heading_font), None]
        for m in range(months):
            row.append(s.cell(float(pooled.at[m, column]), fmt) if m in pooled.index else None)
        s.append(row)
        if months > first_coloured:
            # M0 of the first grid is always 100%: the colours start at M1 so later months stand out
            area = f"{get_column_letter(3 + first_coloured)}{first}:{get_column_letter(2 + months)}{last}"
            s.ws.conditional_formatting.add(area, ColorScaleRule(start_type="min", start_color="FFFFFF",
                                                                 end_type="max", end_color="3E8E5E"))
    s.note("M0 is the month of the first order; darker = more. The latest month may not be over; the "
           "'All cohorts' row counts only the cohorts that have completed each month, and its cumulative revenue "
           "adds, month by month, the average revenue per customer of those cohorts (so it never falls).")
    s.append()
    s.heading("How long until customers order again")
    s.header(["Days", "Second orders", "Share", "Repeat orders", "Share"])
    gaps = insights.gaps
    first = s.row + 1
    for _, r in gaps.iterrows():
        s.append([s.cell(r["band"]), s.cell(r["second_orders"], "#,##0"), s.cell(r["share_of_second_orders"], "0%"),
                  s.cell(r["repeat_orders"], "#,##0"), s.cell(r["share_of_repeat_orders"], "0%")])
    last = s.row
    chart = BarChart()
    chart.type = "col"
    chart.title = "Days from the first to the second order"
    chart.y_axis.title = "Customers"
    chart.legend = None
    chart.add_data(Reference(s.ws, min_col=2, min_row=first, max_row=last), titles_from_data=False)
    chart.set_categories(Reference(s.ws, min_col=1, min_row=first, max_row=last))
    _show_axes(chart)
    chart.height, chart.width = 7, 14
    s.ws.add_chart(chart, f"H{first - 1}")


# --- drivers ----------------------------------------------------------------------------------

def _driver_sheet(s: _Sheet, insights, currency) -> None:
    from openpyxl.chart import BarChart, Reference

    drivers = insights.drivers
    money = money_format(currency)
    s.widths([34, 11, 10, 24, 12, 11, 12, 27, 10])
    s.title("What a customer's start says about their value")
    if not len(drivers):
        s.note("No drivers: the file has no first product, channel, discount code or geography to group by.")
        return
    months = int(drivers["window_months"].iloc[0])
    s.note(f"Average spend in a customer's first {months} {agree(months, 'month')}, over the customers who have "
           "been customers that long (Observed); lift = ÷ the average of all those customers. Lifetime value is "
           "after margin, as on the Payback sheet. Groups under 30 customers are marked.")
    for line in insights.not_profiled:
        s.note(line)
    chart_dimension = next((d for d in ("first_category", "first_subcategory", "first_product")
                            if (drivers["dimension"] == d).any()), None)
    chart_rows = None
    for dimension in dict.fromkeys(drivers["dimension"]):
        part = drivers[drivers["dimension"] == dimension].head(DRIVER_ROWS)
        s.append()
        label = "value tier" if dimension == "tier" else dimension_label(dimension)
        s.heading(f"By {label}")
        s.header([label.capitalize(), "Customers", "Observed", f"Spent in first {months} {agree(months, 'month')}",
                  "Repeat rate", "Spend lift", "Repeat lift", "Lifetime value (see Payback)", "Trust"])
        first = s.row + 1
        for _, r in part.iterrows():
            s.append([s.cell(r["value"]), s.cell(r["customers"], "#,##0"),
                      s.cell(r["observed_customers"], "#,##0"), s.cell(r["avg_window_value"], money),
                      s.cell(r["window_repeat_rate"], "0%"), s.cell(r["value_lift"], '0.00"×"'),
                      s.cell(r["repeat_lift"], '0.00"×"'), s.cell(r["avg_ltv"], money),
                      s.cell("too few" if bool(r["too_small"]) else "ok", font=s.note_font)])
        if dimension == chart_dimension:
            chart_rows = (first, min(s.row, first + CHART_BARS - 1), label)
    if chart_rows is not None:
        first, last, label = chart_rows
        chart = BarChart()
        chart.type = "bar"
        chart.title = f"Spent in the first {months} {agree(months, 'month')} by {label}"
        chart.x_axis.scaling.orientation = "maxMin"  # largest group on top, as in the table
        chart.y_axis.numFmt = money.replace(".00", "")
        chart.legend = None
        chart.add_data(Reference(s.ws, min_col=4, min_row=first, max_row=last), titles_from_data=False)
        chart.set_categories(Reference(s.ws, min_col=1, min_row=first, max_row=last))
        _show_axes(chart)
        chart.height, chart.width = 9, 16
        s.ws.add_chart(chart, "L3")


# --- payback ----------------------------------------------------------------------------------

def _payback_sheet(s: _Sheet, insights, currency) -> None:
    from openpyxl.chart import LineChart, Reference

    acq = insights.acquisition
    money = money_format(currency)
    s.widths([30, 30, 16, 15, 10, 11, 15, 19, 10])
    s.title("What a customer is worth acquiring")
    s.note(f"Lifetime value: {acq.get('ltv_basis', '')}. Acquisition cost: {acq.get('cost', 'not given')}.")
    if acq.get("revenue_as_profit"):
        s.note("No margin was given, so these figures count revenue as profit: the most worth paying is lower "
               "by your margin (set it, e.g. 0.3 for 30%, and run again).")
    s.append([s.cell("Average lifetime value"), s.cell(acq.get("average_ltv"), money)])
    s.append([s.cell("Most worth paying (break-even)"), s.cell(acq.get("break_even_cac"), money)])
    s.append([s.cell("At the usual 3:1 ratio"), s.cell(acq.get("target_cac"), money)])
    if acq.get("average_cac"):
        s.append([s.cell("Average acquisition cost"), s.cell(acq["average_cac"], money)])
        s.append([s.cell("Lifetime value : cost"), s.cell(acq.get("ltv_to_cac"), '0.0" : 1"')])
        month = acq.get("payback_month")
        paid_back = None if month is None else ("the month of the first order" if int(month) == 0 else
                                                 f"month {int(month)} after the month of the first order")
        s.append([s.cell("Payback month"), s.cell(paid_back if month is not None
                                                  else f"not within {acq.get('months_observed', 0)} "
                                                       f"{agree(acq.get('months_observed', 0), 'month')}")])
    payback = insights.payback.head(MAX_MONTHS + 1)
    s.append()
    s.heading("Cumulative margin per customer acquired, by months since the first order")
    s.note("Each month adds the average margin earned in that month by the customers who have been customers "
           "that long (all cohorts whose month is over), so the curve only falls if returns exceed sales in a "
           "month; it stops at the last month at least 30 customers have completed.")
    has_cost = "acquisition_cost" in payback.columns
    s.header(["Months since first order", "Margin per customer"] + (["Acquisition cost"] if has_cost else []))
    first = s.row + 1
    for _, r in payback.iterrows():
        row = [s.cell(int(r["months_since_first"]), "0"), s.cell(r["cumulative_margin_per_customer"], money)]
        if has_cost:
            row.append(s.cell(r["acquisition_cost"], money))
        s.append(row)
    last = s.row
    if last >= first:
        chart = LineChart()
        chart.title = "Payback: margin per customer vs. cost to win one" if has_cost else \
            "Margin per customer by months since the first order"
        chart.x_axis.title = "Months since first order"
        chart.y_axis.title = "Per customer"
        chart.y_axis.numFmt = money.replace(".00", "")
        chart.add_data(Reference(s.ws, min_col=2, max_col=3 if has_cost else 2, min_row=first - 1, max_row=last),
                       titles_from_data=True)
        chart.set_categories(Reference(s.ws, min_col=1, min_row=first, max_row=last))
        for series in chart.series:  # straight segments: a smoothed line would rise between months
            series.smooth = False
        _show_axes(chart)
        chart.height, chart.width = 9, 16
        s.ws.add_chart(chart, "K3")  # right of the tables (columns A to I), covering none of them
    drivers = insights.drivers
    wanted = [d for d in ("tier", "channel", "first_category", "first_product", "discount_code", "country")
              if (drivers["dimension"] == d).any()] if len(drivers) else []
    for dimension in wanted:
        part = drivers[drivers["dimension"] == dimension].head(DRIVER_ROWS)
        label = "value tier" if dimension == "tier" else dimension_label(dimension)
        s.append()
        s.heading(f"By {label}")
        s.header([label.capitalize(), "Value", "Customers", "Lifetime value", "Cost", "LTV : cost", "Payback month",
                  "Most worth paying", "At 3:1"])
        for _, r in part.iterrows():
            pay = r["payback_month"]
            s.append([s.cell(label.capitalize()), s.cell(r["value"]), s.cell(r["customers"], "#,##0"),
                      s.cell(r["avg_ltv"], money), s.cell(None if pd.isna(r["cac"]) else float(r["cac"]), money),
                      s.cell(None if pd.isna(r["ltv_to_cac"]) else float(r["ltv_to_cac"]), "0.0"),
                      s.cell(None if pd.isna(pay) else int(pay), "0"),
                      s.cell(r["break_even_cac"], money), s.cell(r["target_cac"], money)])
