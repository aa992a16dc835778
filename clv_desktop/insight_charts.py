"""Charts of who buys what, cohorts and drivers (``Analysis.insights``) as matplotlib
``Figure`` objects (no pyplot, no Qt). A chart with nothing to show says so in words."""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from .charts import FIGURE_SIZE, LABEL_SIZE, _message, _money, _symbol, _title

TOP_ITEMS = 8


def _figure() -> Figure:
    return Figure(figsize=FIGURE_SIZE, layout="constrained")


def _short(text: str, width: int = 28) -> str:
    text = str(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def _frame(insights, name: str) -> pd.DataFrame:
    frame = getattr(insights, name, None)
    return frame if isinstance(frame, pd.DataFrame) else pd.DataFrame()


def top_group_figure(insights, group: str | None = None) -> Figure:
    """What one group (by default the top tier) buys more often than all customers: the
    share of the group's orders and of all orders that include each item, by lift."""
    figure = _figure()
    profiles = _frame(insights, "profiles")
    needed = {"segment", "dimension", "value", "figure", "all_figure", "lift"}
    if profiles.empty or not needed <= set(profiles.columns):
        return _message(figure, "No purchase profiles: the file has no products or other "
                                "details to compare groups by.")
    usable = profiles[~profiles.get("too_small", False).astype(bool)]
    if group is None and len(usable):
        group = str(usable["segment"].iloc[0])
    rows = usable[(usable["segment"].astype(str) == str(group))
                  & usable["dimension"].isin(["product", "category"])]
    if rows.empty:
        rows = usable[usable["segment"].astype(str) == str(group)]
    if rows.empty:
        return _message(figure, f"Too few customers in {group} to profile what they buy.")
    rows = rows.sort_values("lift", ascending=False).head(TOP_ITEMS).iloc[::-1]
    axes = figure.add_subplot()
    y = np.arange(len(rows))
    axes.barh(y + 0.2, rows["figure"].to_numpy(float), height=0.4, color="#2E7D32",
              label=f"{group}")
    axes.barh(y - 0.2, rows["all_figure"].to_numpy(float), height=0.4, color="#9E9E9E",
              label="all orders")
    axes.set_yticks(y, [_short(v) for v in rows["value"]], fontsize=8)
    for yy, lift, share in zip(y, rows["lift"].to_numpy(float), rows["figure"].to_numpy(float)):
        axes.annotate(f"{lift:.1f}×", (share, yy + 0.2), xytext=(3, 0),
                      textcoords="offset points", va="center", fontsize=8)
    axes.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    axes.legend(loc="upper left", bbox_to_anchor=(0, -0.16), ncol=2, fontsize=8,
                frameon=False)
    axes.margins(x=0.15)
    axes.xaxis.set_label_text("")
    _title(axes, f"What {group} buys more often than others (share of orders with it)")
    axes.spines[["top", "right"]].set_visible(False)
    return figure


def cohort_figure(insights) -> Figure:
    """Heat map: share of each first-order month's customers who bought again N months on."""
    figure = _figure()
    cohorts = _frame(insights, "cohorts")
    needed = {"cohort", "months_since_first", "active_share"}
    if cohorts.empty or not needed <= set(cohorts.columns):
        return _message(figure, "No cohorts to show yet.")
    cohorts = cohorts[cohorts["cohort"].astype(str) != "all"]  # the pooled row of cohorts.csv is no cohort
    if cohorts.empty:
        return _message(figure, "No cohorts to show yet.")
    grid = cohorts.pivot_table(index="cohort", columns="months_since_first",
                               values="active_share", aggfunc="first").sort_index()
    grid = grid.iloc[-18:]  # the latest cohorts read best; older ones are in cohorts.csv
    months = [int(m) for m in grid.columns]
    values = grid.to_numpy(dtype=float)
    axes = figure.add_subplot()
    shown = np.where(np.isnan(values), np.nan, values)
    image = axes.imshow(shown, cmap="Greens", aspect="auto", vmin=0,
                        vmax=max(0.05, float(np.nanmax(shown[:, 1:])) if shown.shape[1] > 1
                                 and np.isfinite(shown[:, 1:]).any() else 1.0))
    step = max(1, len(months) // 8)
    axes.set_xticks(range(0, len(months), step), [str(m) for m in months[::step]], fontsize=8)
    rows_step = max(1, len(grid) // 9)
    axes.set_yticks(range(0, len(grid), rows_step), [str(c) for c in grid.index[::rows_step]],
                    fontsize=8)
    axes.set_xlabel("Months since the first order", fontsize=LABEL_SIZE)
    axes.set_ylabel("First order in", fontsize=LABEL_SIZE)
    figure.colorbar(image, ax=axes, label="Still buying", format=PercentFormatter(1.0, 0))
    _title(axes, "Customers still buying, by month of first order")
    return figure


def second_order_figure(insights) -> Figure:
    """How long customers take to order a second time (share of second orders per band)."""
    figure = _figure()
    gaps = _frame(insights, "gaps")
    if gaps.empty or "share_of_second_orders" not in gaps.columns:
        return _message(figure, "No second orders to show yet.")
    axes = figure.add_subplot()
    shares = gaps["share_of_second_orders"].to_numpy(float)
    axes.bar(range(len(gaps)), shares, color="#1565C0")
    axes.set_xticks(range(len(gaps)), [str(b) for b in gaps["band"]], rotation=30,
                    ha="right", fontsize=8)
    axes.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    axes.yaxis.set_major_locator(MaxNLocator(5))
    axes.set_ylabel("Share of second orders", fontsize=LABEL_SIZE)
    repeat = getattr(insights, "repeat", None) or {}
    rate = repeat.get("repeat_rate")
    title = "Time to the second order"
    if rate is not None:
        title += f" ({float(rate):.0%} of customers ordered again)"
    _title(axes, title)
    axes.spines[["top", "right"]].set_visible(False)
    return figure


def drivers_figure(insights, context=None) -> Figure:
    """First-year value by what customers bought first (or another driver)."""
    figure = _figure()
    drivers = _frame(insights, "drivers")
    if drivers.empty or "dimension" not in drivers.columns:
        return _message(figure, "No value drivers to show yet.")
    usable = drivers[~drivers.get("too_small", False).astype(bool)]
    dimensions = [d for d in ("first_category", "first_product", "first_channel",
                              "discount_code") if d in set(usable["dimension"])]
    dimensions += [d for d in usable["dimension"].unique() if d not in dimensions and d != "tier"]
    if not dimensions:
        return _message(figure, "Too few customers per first purchase to compare value.")
    dimension = dimensions[0]
    rows = usable[usable["dimension"] == dimension].sort_values(
        "avg_window_value", ascending=False).head(TOP_ITEMS).iloc[::-1]
    symbol = _symbol(context)
    axes = figure.add_subplot()
    values = rows["avg_window_value"].to_numpy(float)
    axes.barh(range(len(rows)), values, color="#6A1B9A")
    axes.set_yticks(range(len(rows)), [_short(v) for v in rows["value"]], fontsize=8)
    months = int(rows["window_months"].iloc[0]) if "window_months" in rows else 12
    axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: _money(value, symbol)))
    axes.xaxis.set_major_locator(MaxNLocator(5))
    axes.set_xlabel(f"Average value in the first {months} months", fontsize=LABEL_SIZE)
    label = dimension.replace("first_", "first ").replace("_", " ")
    _title(axes, f"Value by {label}")
    axes.spines[["top", "right"]].set_visible(False)
    return figure


def payback_figure(insights, context=None) -> Figure:
    """Cumulative margin per customer by month since the first order, against the cost of
    winning a customer when one was given."""
    figure = _figure()
    payback = _frame(insights, "payback")
    if payback.empty or "cumulative_margin_per_customer" not in payback.columns:
        return _message(figure, "No payback curve to show yet.")
    symbol = _symbol(context)
    axes = figure.add_subplot()
    axes.plot(payback["months_since_first"], payback["cumulative_margin_per_customer"],
              color="#1565C0", linewidth=2, label="margin per customer so far")
    acquisition = getattr(insights, "acquisition", None) or {}
    cac = acquisition.get("average_cac")
    if cac:
        axes.axhline(float(cac), color="#C62828", linestyle="--", linewidth=1,
                     label="cost to win a customer")
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: _money(value, symbol)))
    axes.set_xlabel("Months since the first order", fontsize=LABEL_SIZE)
    axes.set_ylim(bottom=0)
    axes.legend(loc="lower right", fontsize=8, frameon=False)
    _title(axes, "What a new customer brings in over time")
    axes.spines[["top", "right"]].set_visible(False)
    return figure


INSIGHT_CHARTS = ("top_group", "drivers", "cohorts", "second_order", "payback")


def all_insight_figures(insights, context=None, group: str | None = None) -> dict[str, Figure]:
    """The insight charts keyed by a short name (empty when the run has no insights)."""
    if insights is None:
        return {}
    return {
        "top_group": top_group_figure(insights, group),
        "drivers": drivers_figure(insights, context),
        "cohorts": cohort_figure(insights),
        "second_order": second_order_figure(insights),
        "payback": payback_figure(insights, context),
    }
