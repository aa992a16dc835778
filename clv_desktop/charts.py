"""Result charts as matplotlib ``Figure`` objects (no pyplot, no Qt widgets).

Each function takes the customer table (``Analysis.customers``) and returns a Figure that
the desktop shows in a ``FigureCanvasQTAgg`` and that can also be saved as an image.
A chart with nothing to show says so in words instead of drawing empty axes.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator

from clv_engine.errors import agree, count_text

FIGURE_SIZE = (6.0, 3.6)
TIER_COLOURS = ("#2E7D32", "#F9A825", "#9E9E9E", "#1565C0", "#6A1B9A", "#C62828")


TITLE_SIZE = 10
LABEL_SIZE = 9


def _figure() -> Figure:
    figure = Figure(figsize=FIGURE_SIZE, layout="constrained")
    return figure


def _title(axes, text: str) -> None:
    """A title that fits a half-width chart: small, left-aligned, wrapped by words."""
    axes.set_title(text, fontsize=TITLE_SIZE, loc="left", wrap=True)


def _symbol(context) -> str:
    suffix = context.currency_suffix() if context is not None else ""
    return suffix.strip(" ()")


def _message(figure: Figure, text: str) -> Figure:
    axes = figure.add_subplot()
    axes.set_axis_off()
    axes.text(0.5, 0.5, text, ha="center", va="center", wrap=True, fontsize=11)
    return figure


def _values(customers: pd.DataFrame, column: str) -> np.ndarray:
    if column not in customers.columns:
        return np.zeros(0)
    values = pd.to_numeric(customers[column], errors="coerce").to_numpy(dtype=float,
                                                                        na_value=np.nan)
    return values[np.isfinite(values)]


def _money(value: float, symbol: str = "") -> str:
    if abs(value) >= 1e6:
        text = f"{value / 1e6:,.1f}M"
    elif abs(value) >= 1e4:
        text = f"{value / 1e3:,.0f}k"
    elif abs(value) >= 10 or value == 0:
        text = f"{value:,.0f}"
    elif abs(value) >= 1:
        text = f"{value:,.1f}".rstrip("0").rstrip(".")
    else:
        text = f"{value:.2g}"
    if not symbol:
        return text
    return f"{text} {symbol}" if len(symbol) > 2 and symbol.isalpha() else f"{symbol}{text}"


def value_by_tier_figure(customers: pd.DataFrame, tier_names: list[str] | None = None,
                         value_column: str = "clv", context=None) -> Figure:
    """Bar chart: total expected value and customer count per tier."""
    figure = _figure()
    if customers.empty or "tier" not in customers.columns or value_column not in customers:
        return _message(figure, "No tiers to show yet.")
    values = pd.to_numeric(customers[value_column], errors="coerce").fillna(0.0)
    grouped = values.groupby(customers["tier"].astype(str), sort=False).agg(["sum", "count"])
    order = [t for t in (tier_names or []) if t in grouped.index]
    order += [t for t in grouped.index if t not in order]
    grouped = grouped.loc[order]
    axes = figure.add_subplot()
    symbol = _symbol(context)
    colours = [TIER_COLOURS[i % len(TIER_COLOURS)] for i in range(len(grouped))]
    bars = axes.bar(grouped.index.tolist(), grouped["sum"].to_numpy(), color=colours)
    for bar, (total, count) in zip(bars, grouped.itertuples(index=False)):
        axes.annotate(f"{_money(total, symbol)}\n{count_text(int(count), 'customer')}",
                      (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                      ha="center", va="bottom", fontsize=8, xytext=(0, 2),
                      textcoords="offset points")
    axes.set_ylabel(_value_label(context), fontsize=LABEL_SIZE)
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: _money(value, symbol)))
    axes.yaxis.set_major_locator(MaxNLocator(5))
    _title(axes, "Expected value by tier")
    axes.margins(y=0.25)
    axes.spines[["top", "right"]].set_visible(False)
    return figure


def _value_label(context) -> str:
    frame = context.short_frame() if context is not None else ""
    return f"Expected value ({frame})" if frame else "Expected value"


def cumulative_value_figure(customers: pd.DataFrame, value_column: str = "clv",
                            context=None) -> Figure:
    """Share of total expected value held by the top x% of customers (a Pareto curve)."""
    figure = _figure()
    values = _values(customers, value_column)
    total = values.sum() if len(values) else 0.0
    if len(values) == 0 or total <= 0:
        return _message(figure, "No expected value to show yet.")
    ordered = np.sort(values)[::-1]
    share_value = np.concatenate([[0.0], np.cumsum(ordered) / total]) * 100
    share_customers = np.linspace(0, 100, len(share_value))
    if len(share_value) > 2001:  # a smooth curve needs far fewer points than customers
        picks = np.linspace(0, len(share_value) - 1, 2001).round().astype(int)
        share_customers, share_value = share_customers[picks], share_value[picks]
    axes = figure.add_subplot()
    axes.plot(share_customers, share_value, color="#1565C0", linewidth=2)
    axes.plot([0, 100], [0, 100], color="#9E9E9E", linestyle="--", linewidth=1,
              label="if every customer were equal")
    # The same group as the summary card: the top tier (its customers are the most valuable
    # ones), else the ceil(20%) most valuable customers.
    top_n, tier = int(np.ceil(len(ordered) * 0.2)), ""
    tiers = customers["tier"] if "tier" in customers.columns else None
    if tiers is not None and isinstance(tiers.dtype, pd.CategoricalDtype) and len(tiers.cat.categories):
        best = tiers.cat.categories[0]
        in_best = int((tiers == best).sum())
        if 0 < in_best <= len(ordered):
            top_n, tier = in_best, f" ({best} tier)"
    top_x, top_y = top_n / len(ordered) * 100, float(ordered[:top_n].sum() / total * 100)
    axes.scatter([top_x], [top_y], color="#C62828", zorder=3)
    axes.annotate(f"top {top_x:.0f}% hold {top_y:.0f}%{tier}", (top_x, top_y), xytext=(8, -14),
                  textcoords="offset points", fontsize=9)
    axes.set_xlabel("Customers, most valuable first (%)", fontsize=LABEL_SIZE)
    axes.set_ylabel("Share of expected value (%)", fontsize=LABEL_SIZE)
    axes.set_xlim(0, 100)
    axes.set_ylim(0, 102)
    _title(axes, "How concentrated is your value?")
    axes.legend(loc="lower right", fontsize=8, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    return figure


def clv_distribution_figure(customers: pd.DataFrame, value_column: str = "clv",
                            context=None) -> Figure:
    """Histogram of customer value (log-spaced bins when values span decades)."""
    figure = _figure()
    values = _values(customers, value_column)
    if len(values) == 0:
        return _message(figure, "No customer values to show yet.")
    axes = figure.add_subplot()
    symbol = _symbol(context)
    positive = values[values > 0]
    if len(positive) and positive.max() / max(positive.min(), 1e-9) > 100:
        # Below 1 % of the median the bars are customers worth next to nothing; they are
        # counted in the label instead of stretching the axis over decades of pennies.
        low = max(positive.min(), float(np.median(positive)) / 100, 0.01)
        shown = positive[positive >= low]
        bins = np.geomspace(low, max(shown.max(), low * 1.01), 30)
        axes.hist(shown, bins=bins, color="#1565C0")
        axes.set_xscale("log")
        axes.xaxis.set_major_locator(LogLocator(base=10, numticks=6))
        axes.xaxis.set_minor_formatter(FuncFormatter(lambda value, _: ""))
        axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: _money(value, symbol)))
        hidden = len(values) - len(shown)
        note = (f"\n{hidden:,} {agree(hidden, 'customer')} below {_money(low, symbol)} not shown"
                if hidden else "")
        axes.set_xlabel(f"Expected value per customer (log scale){note}", fontsize=LABEL_SIZE)
    else:
        axes.hist(values, bins=30, color="#1565C0")
        axes.xaxis.set_major_locator(MaxNLocator(6))
        axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: _money(value, symbol)))
        axes.set_xlabel("Expected value per customer", fontsize=LABEL_SIZE)
    median = float(np.median(values))
    axes.axvline(median, color="#C62828", linestyle="--", linewidth=1)
    axes.annotate(f"median {_money(median, symbol)}", (median, 1), xycoords=("data", "axes fraction"),
                  xytext=(4, -12), textcoords="offset points", fontsize=9, color="#C62828")
    axes.set_ylabel("Customers", fontsize=LABEL_SIZE)
    _title(axes, "How value is spread across customers")
    axes.spines[["top", "right"]].set_visible(False)
    return figure


def rfm_grid_figure(customers: pd.DataFrame) -> Figure:
    """Heat map of customer counts by recency score (rows) and frequency score (columns)."""
    figure = _figure()
    needed = {"rfm_r", "rfm_f"}
    if customers.empty or not needed.issubset(customers.columns):
        return _message(figure, "No RFM scores to show yet.")
    r = pd.to_numeric(customers["rfm_r"], errors="coerce")
    f = pd.to_numeric(customers["rfm_f"], errors="coerce")
    ok = r.notna() & f.notna()
    if not ok.any():
        return _message(figure, "No RFM scores to show yet.")
    r = r[ok].astype(int)
    f = f[ok].astype(int)
    # Only scores that occur: when many customers tie on one order, the frequency scores
    # skip numbers, and an always-empty column would only puzzle.
    r_levels = np.sort(r.unique())
    f_levels = np.sort(f.unique())
    counts = pd.crosstab(r, f).reindex(index=r_levels, columns=f_levels, fill_value=0)
    grid = counts.to_numpy()[::-1]  # highest recency score on top
    axes = figure.add_subplot()
    image = axes.imshow(grid, cmap="Blues", aspect="auto")
    high = grid.max() if grid.size else 0
    for (i, j), count in np.ndenumerate(grid):
        axes.text(j, i, f"{count:,}", ha="center", va="center", fontsize=8,
                  color="white" if count > high * 0.6 else "black")
    axes.set_xticks(range(len(f_levels)), [str(v) for v in f_levels])
    axes.set_yticks(range(len(r_levels)), [str(v) for v in r_levels[::-1]])
    axes.set_xlabel("Frequency score (more orders →)", fontsize=LABEL_SIZE)
    axes.set_ylabel("Recency score (more recent ↑)", fontsize=LABEL_SIZE)
    _title(axes, "Customers by recency and frequency")
    figure.colorbar(image, ax=axes, label="Customers")
    return figure


def customer_orders_figure(orders: pd.DataFrame, *, context=None, next_order=None,
                           as_of=None) -> Figure:
    """One customer's orders on a timeline (amount per order), the end of the data and
    the estimated next order."""
    figure = Figure(figsize=(7.0, 2.6), layout="constrained")
    if orders is None or len(orders) == 0 or "date" not in orders.columns:
        return _message(figure, "No orders of this customer are in the file.")
    symbol = _symbol(context)
    dates = pd.to_datetime(orders["date"]).to_numpy()
    amounts = pd.to_numeric(orders.get("amount", pd.Series(0.0, index=orders.index)),
                            errors="coerce").fillna(0.0).to_numpy()
    axes = figure.add_subplot()
    axes.vlines(dates, 0, amounts, color="#1565C0", linewidth=2)
    axes.scatter(dates, amounts, color="#1565C0", zorder=3, s=18, label="order")
    if as_of is not None:
        end = pd.Timestamp(as_of)
        axes.axvline(end, color="#9E9E9E", linestyle="--", linewidth=1)
        axes.annotate("end of data", (end, 1), xycoords=("data", "axes fraction"),
                      xytext=(-4, -12), textcoords="offset points", ha="right", fontsize=8,
                      color="#616161")
    if next_order is not None:
        when = pd.Timestamp(next_order)
        axes.axvline(when, color="#2E7D32", linestyle=":", linewidth=1.5)
        axes.annotate("next order (estimate)", (when, 0.5), xycoords=("data", "axes fraction"),
                      xytext=(4, 0), textcoords="offset points", fontsize=8, color="#2E7D32")
    axes.set_ylim(bottom=0)
    axes.yaxis.set_major_locator(MaxNLocator(4))
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: _money(value, symbol)))
    axes.set_ylabel("Order amount", fontsize=LABEL_SIZE)
    axes.tick_params(labelsize=8)
    _title(axes, f"{len(orders):,} order{'s' if len(orders) != 1 else ''} over time")
    axes.spines[["top", "right"]].set_visible(False)
    figure.autofmt_xdate(rotation=0, ha="center")
    return figure


def all_result_figures(customers: pd.DataFrame, tier_names: list[str] | None = None,
                       context=None) -> dict[str, Figure]:
    """The four result charts keyed by a short name (used by the app and for images)."""
    return {
        "value_by_tier": value_by_tier_figure(customers, tier_names, context=context),
        "cumulative_value": cumulative_value_figure(customers, context=context),
        "clv_distribution": clv_distribution_figure(customers, context=context),
        "rfm_grid": rfm_grid_figure(customers),
    }
