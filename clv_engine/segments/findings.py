"""Findings in plain words from profiles, cohorts, drivers and acquisition figures.

Only groups large enough to trust (30 customers or more) give a finding. A finding about
buying is only made for a clear preference of :mod:`.profiles` (the segment's orders
contain it markedly more often than the average order, with enough customers and orders
that chance is ruled out); it says how often per order, with both shares of orders so the
reader can check it. A share of customers who *ever* bought something is no preference: it
grows with the number of orders a customer places.
"""
from __future__ import annotations

import math

import pandas as pd

from ..errors import agree
from .profiles import PREFERENCE_ALPHA

__all__ = ["findings"]

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "AUD": "A$", "CAD": "C$",
            "$": "$", "€": "€", "£": "£", "¥": "¥", "₹": "₹"}  # (a file that writes a symbol only)
MIN_FROM_SHARE = 0.3  # "where from" findings: at least this share of the segment's orders ...
MIN_FROM_DIFFERENCE = 0.1  # ... at least 10% more or less often than all orders, and not chance
BUY_DIMENSIONS = ("subcategory", "category", "product", "vendor")
FROM_DIMENSIONS = ("channel", "country", "region", "customer_type")


def money_text(currency):
    """A function writing amounts in ``currency`` as an owner reads them (€1,240; 1,240 SEK)."""
    return _money(currency)


def _money(currency):
    symbol = _SYMBOLS.get((currency or "").upper())

    def fmt(value) -> str:
        v = float(value) if value is not None and math.isfinite(float(value)) else 0.0
        return f"{symbol}{v:,.0f}" if symbol else f"{v:,.0f}" + (f" {currency}" if currency else "")

    return fmt


def _segment_findings(profiles: pd.DataFrame, group_by: str, segments: list[str]) -> list[str]:
    out = []
    rows = profiles[(profiles["group_by"] == group_by) & ~profiles["too_small"]]
    noun = "tier" if group_by == "tier" else "segment" if group_by == "rfm_segment" else group_by
    for segment in segments:
        mine = rows[rows["segment"] == segment]
        if mine.empty:
            continue
        plural = group_by != "tier"
        who = f"Your {segment} {noun}" if not plural else f"Your '{segment}' customers"
        parts = []
        buys = mine[mine["dimension"].isin(BUY_DIMENSIONS) & mine["preference"].astype(bool)]
        if not buys.empty:
            dim_rank = {d: i for i, d in enumerate(BUY_DIMENSIONS)}
            buys = buys.assign(_d=buys["dimension"].map(dim_rank)).sort_values(["_d", "order_lift"],
                                                                                ascending=[True, False])
            best = buys.iloc[0]
            parts.append(f"{who} {'buy' if plural else 'buys'} {best['value']} {best['order_lift']:.1f}× as often per "
                         f"order as customers overall ({best['share_of_orders']:.0%} of their orders include it, "
                         f"{best['all_share_of_orders']:.0%} of all orders)")
        for dim in FROM_DIMENSIONS:
            found = mine[(mine["dimension"] == dim)]
            if found.empty:
                continue
            top = found.sort_values("share_of_orders", ascending=False).iloc[0]
            if (top["share_of_orders"] >= MIN_FROM_SHARE and abs(top["order_lift"] - 1) >= MIN_FROM_DIFFERENCE
                    and top["p_chance"] < PREFERENCE_ALPHA):
                verb = {"channel": "came through", "country": "are from", "region": "are from",
                        "customer_type": "are from customers of type"}[dim]
                parts.append(f"{top['share_of_orders']:.0%} of their orders {verb} {top['value']} "
                             f"(all orders: {top['all_share_of_orders']:.0%})")
                break
        # (an RFM segment is made of how often its customers ordered: its repeat rate says nothing new)
        repeat = mine[(mine["dimension"] == "behaviour") & (mine["value"] == "repeat rate")] \
            if group_by != "rfm_segment" else mine.iloc[:0]
        if not repeat.empty and abs(repeat.iloc[0]["lift"] - 1) >= 0.1:
            r = repeat.iloc[0]
            parts.append(f"{r['figure']:.0%} ordered more than once (all customers: {r['all_figure']:.0%})")
        if parts:
            text = parts[0] if parts[0].startswith("Your") else f"{who}: {parts[0]}"
            out.append(text + ("; " + "; ".join(parts[1:]) if len(parts) > 1 else "") + ".")
    return out


def _driver_findings(drivers: pd.DataFrame, money) -> list[str]:
    out = []
    def trusted(dim):
        return drivers[(drivers["dimension"] == dim) & ~drivers["too_small"] & (drivers["observed_customers"] > 0)]

    # one finding about what the first order was (the most specific level with two trusted groups)
    first = next((d for d in ("first_subcategory", "first_category", "first_product") if len(trusted(d)) >= 2), None)
    for dim in ([first] if first else []) + ["channel", "discount_code"]:
        rows = trusted(dim)
        if len(rows) < 2:
            continue
        best = rows.sort_values("value_lift", ascending=False).iloc[0]
        worst = rows.sort_values("value_lift").iloc[0]
        months = int(best["window_months"])
        what = {"first_category": "whose first order was mostly", "first_subcategory": "whose first order was mostly",
                "first_product": "whose first order was mostly", "channel": "who came through",
                "discount_code": "whose first order used"}[dim]
        label = "discount code " if dim == "discount_code" else ""
        if best["value_lift"] >= 1.1:
            out.append(f"Customers {what} {label}{best['value']} spend {best['value_lift']:.1f}× the average in their "
                       f"first {months} {agree(months, 'month')} ({money(best['avg_window_value'])}); "
                       f"those {what} {label}{worst['value']} spend {worst['value_lift']:.1f}× "
                       f"({money(worst['avg_window_value'])}).")
        if len(out) >= 3:
            break
    return out


def findings(insights, currency: str | None = None) -> list[str]:
    """Sentences for the report's summary and the command's output."""
    money = _money(currency)
    out: list[str] = []
    profiles = insights.profiles
    if len(profiles):
        tiers = list(dict.fromkeys(profiles.loc[profiles["group_by"] == "tier", "segment"]))
        out += _segment_findings(profiles, "tier", tiers[:2])
        rfm = list(dict.fromkeys(profiles.loc[profiles["group_by"] == "rfm_segment", "segment"]))
        out += _segment_findings(profiles, "rfm_segment", [s for s in ("Champions", "At risk") if s in rfm])
    repeat = insights.repeat
    if repeat.get("customers"):
        text = f"{repeat['repeat_rate']:.0%} of customers ordered more than once"
        second = repeat["days_to_second_order"]
        if second["median"] is not None:
            text += (f"; half of those placed their second order within {second['median']:.0f} "
                     f"{agree(round(second['median']), 'day')}")
            if second["p75"] > second["p25"]:
                text += f" (a quarter within {second['p25']:.0f}, a quarter after {second['p75']:.0f})"
        out.append(text + ".")
    out += _driver_findings(insights.drivers, money)
    acq = insights.acquisition
    if acq.get("average_cac"):
        ratio = acq["ltv_to_cac"] or 0.0
        when = ((f"pays back its cost in month {acq['payback_month']} after the month of the first order"
                 if acq["payback_month"] else "pays back its cost in the month of the first order")
                if acq["payback_month"] is not None else
                f"has not paid back its cost within the {acq['months_observed']} "
                f"{agree(acq['months_observed'], 'month')} observed")
        out.append(f"At {money(acq['average_cac'])} to win a customer, the average customer {when}; "
                   f"lifetime value to acquisition cost is {ratio:.1f} to 1"
                   + (" (3 to 1 or more is the usual target)." if ratio < 3 else "."))
    elif acq.get("average_ltv", 0) > 0 and acq.get("revenue_as_profit"):
        out.append(f"An average customer brings {money(acq['break_even_cac'])} of revenue over their lifetime. "
                   "What it is worth paying to win one depends on your margin, which was not given: set it "
                   "(--margin, e.g. 0.3 for 30%) for the most worth paying.")
    elif acq.get("average_ltv", 0) > 0:
        out.append(f"The most it is worth paying to win an average customer is {money(acq['break_even_cac'])} "
                   f"(their lifetime value net of margin); at the usual 3 to 1 rule, {money(acq['target_cac'])}. "
                   "Give your cost per customer (--acquisition-cost) for the payback month.")
    return out
