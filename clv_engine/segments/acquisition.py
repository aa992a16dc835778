"""What a customer is worth acquiring: the cost of winning one (CAC), LTV:CAC, the payback
month and the most worth paying.

The cost can be given three ways (:class:`AcquisitionCosts`):

* one number for every customer;
* one number per sales channel (``{"instagram": 40, "google": 25}``; a customer's channel is
  the channel of their first order; channels not named take the single number, if any);
* a monthly ad-spend table (``month``, ``spend`` and optionally ``channel``): the CAC of a
  month (and channel) is its spend divided by the customers whose first order falls in
  that month (and came through that channel).

Payback month: the first month ``m`` (0 = the month of the first order) at which the
cumulative margin per acquired customer reaches the CAC, from the pooled cohort curve:
each month ``m`` adds the average margin earned in month ``m`` by the customers whose month
``m`` is complete (chain-linked, so the curve does not fall when the oldest cohorts are
worth less than the younger ones). ``break_even_cac`` is the
lifetime value itself (pay more and the customer loses money); ``target_cac`` is a third of
it (the common 3:1 LTV:CAC rule).
"""
from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from .cohorts import _complete_through
from .purchases import PurchaseData, order_margin

__all__ = ["TARGET_LTV_TO_CAC", "AcquisitionCosts", "customer_cac", "payback_curves", "payback_month",
           "read_ad_spend"]

TARGET_LTV_TO_CAC = 3.0


@dataclasses.dataclass
class AcquisitionCosts:
    """The cost of winning a customer: ``single``, ``per_channel`` and/or ``monthly``."""

    single: float | None = None
    per_channel: dict[str, float] = dataclasses.field(default_factory=dict)
    monthly: pd.DataFrame | None = None  # month (YYYY-MM), spend, optional channel

    @property
    def given(self) -> bool:
        return bool(self.single) or bool(self.per_channel) or (self.monthly is not None and len(self.monthly) > 0)

    def describe(self) -> str:
        parts = []
        if self.monthly is not None and len(self.monthly):
            parts.append("monthly ad spend divided by the customers won that month"
                         + (" per channel" if "channel" in self.monthly.columns else ""))
        if self.per_channel:
            parts.append("per channel: " + ", ".join(f"{k} {v:g}" for k, v in self.per_channel.items()))
        if self.single:
            parts.append(f"{self.single:g} per customer" + (" otherwise" if parts else ""))
        return "; ".join(parts) or "not given"

    @classmethod
    def parse(cls, single=None, per_channel=None, ad_spend=None) -> "AcquisitionCosts":
        """Check and build: ``per_channel`` as a dict or ``"web=25,instagram=40"``; ``ad_spend``
        a path or a DataFrame."""
        out = cls()
        if single not in (None, ""):
            out.single = _cost("acquisition cost", single)
        if per_channel:
            if isinstance(per_channel, str):
                pairs = [p for p in per_channel.split(",") if p.strip()]
                per_channel = {}
                for pair in pairs:
                    name, sep, value = pair.partition("=")
                    if not sep or not name.strip():
                        raise InputError(f"channel cost {pair.strip()!r} is not CHANNEL=AMOUNT",
                                         hint="Write it like instagram=40,google=25.")
                    per_channel[name.strip()] = value
            out.per_channel = {str(k).strip(): _cost(f"acquisition cost of channel {k!r}", v)
                               for k, v in dict(per_channel).items()}
        if ad_spend is not None:
            out.monthly = ad_spend if isinstance(ad_spend, pd.DataFrame) and "month" in ad_spend.columns \
                and "spend" in ad_spend.columns and ad_spend["spend"].dtype.kind == "f" else read_ad_spend(ad_spend)
        return out


def _cost(label: str, value) -> float:
    try:
        v = float(str(value).strip().replace(",", "")) if not isinstance(value, (int, float)) else float(value)
    except ValueError:
        raise InputError(f"{label} {value!r} is not a number", hint="Give an amount such as 25 or 12.50.") from None
    if not math.isfinite(v) or v < 0:
        raise InputError(f"{label} {v:g} is out of range", hint="Give an amount of 0 or more.")
    return v


def _normal(name: str) -> str:
    return "".join(ch for ch in str(name).lower() if ch.isalnum())


def read_ad_spend(source) -> pd.DataFrame:
    """Read a monthly ad-spend table (CSV or DataFrame): a month column, a spend column and
    optionally a channel column. Months may be written 2025-03, 2025-03-01, 03/2025 or Mar 2025.

    Returns ``month`` (``YYYY-MM``), ``spend`` (float) and ``channel`` when present.
    """
    where = str(source) if not isinstance(source, pd.DataFrame) else "ad-spend table"
    if isinstance(source, pd.DataFrame):
        table = source.astype(str)
    else:
        path = Path(source)
        try:
            table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", sep=None,
                                engine="python")
        except FileNotFoundError:
            raise InputError("the ad-spend file was not found.", where=where,
                             hint="Give a CSV with a month and a spend column.") from None
        except (OSError, ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
            raise InputError(f"the ad-spend file cannot be read ({exc.__class__.__name__}).", where=where,
                             hint="Save it as a CSV with a month and a spend column.") from None
    columns = {_normal(c): c for c in table.columns}
    month = next((columns[k] for k in ("month", "period", "date", "monat", "mois", "mes") if k in columns), None)
    spend = next((columns[k] for k in ("spend", "adspend", "cost", "amount", "budget", "marketingspend", "spent",
                                       "kosten", "ausgaben", "depenses", "gasto") if k in columns), None)
    channel = next((columns[k] for k in ("channel", "source", "kanal", "canal", "utmsource") if k in columns), None)
    if month is None or spend is None:
        raise InputError("the ad-spend file needs a month column and a spend column.", where=where,
                         hint="The columns are: " + ", ".join(f"'{c}'" for c in table.columns)
                         + ". Name them 'month' and 'spend' (and 'channel' for spend per channel).")
    out = pd.DataFrame()
    months = []
    for i, text in enumerate(table[month].astype(str).str.strip().tolist()):
        parsed = _month(text)
        if parsed is None:
            raise InputError(f"'{text}' is not a month.", where=f"{where}, row {i + 2}, column '{month}'",
                             hint="Write months like 2025-03.")
        months.append(parsed)
    out["month"] = months
    values = []
    for i, text in enumerate(table[spend].astype(str).tolist()):
        cleaned = text.strip().replace(",", "").lstrip("$€£").strip()
        try:
            v = float(cleaned)
        except ValueError:
            v = float("nan")
        if not math.isfinite(v) or v < 0:
            raise InputError(f"'{text}' is not a spend amount.", where=f"{where}, row {i + 2}, column '{spend}'",
                             hint="Write amounts like 1250.00 (0 or more).")
        values.append(v)
    out["spend"] = np.asarray(values, dtype="float64")
    if channel is not None:
        out["channel"] = table[channel].astype(str).str.strip().to_numpy()
    if out.empty:
        raise InputError("the ad-spend file has no rows.", where=where, hint="Add one row per month.")
    keys = ["month", "channel"] if channel is not None else ["month"]
    return out.groupby(keys, as_index=False, sort=True)["spend"].sum()


def _month(text: str) -> str | None:
    for fmt in ("%Y-%m", "%Y-%m-%d", "%m/%Y", "%Y/%m", "%b %Y", "%B %Y", "%b-%Y", "%Y%m"):
        try:
            return pd.to_datetime(text, format=fmt).strftime("%Y-%m")
        except (ValueError, TypeError):
            continue
    return None


def customer_cac(data: PurchaseData, costs: AcquisitionCosts) -> tuple[np.ndarray, np.ndarray]:
    """Per customer: (cost of winning them, whether a cost applies)."""
    n = data.n_customers
    cac = np.zeros(n)
    known = np.zeros(n, dtype=bool)
    if costs.single is not None and costs.single > 0:
        cac[:] = costs.single
        known[:] = True
    channel = data.customer_first("channel") if "channel" in data.order_dimensions else np.full(n, "", dtype=object)
    if costs.per_channel:
        by_name = {_normal(k): v for k, v in costs.per_channel.items()}
        values = np.array([by_name.get(_normal(c), np.nan) for c in channel], dtype="float64") if n else np.zeros(0)
        have = np.isfinite(values)
        cac[have] = values[have]
        known |= have
    if costs.monthly is not None and len(costs.monthly):
        month = np.array([str(np.datetime64(int(m), "M")) for m in data.customer_first("month")], dtype=object)
        table = costs.monthly
        if "channel" in table.columns:
            key = pd.Series(month).str.cat(pd.Series(channel).map(_normal), sep="|")
            spend_key = table["month"].astype(str).str.cat(table["channel"].map(_normal), sep="|")
        else:
            key = pd.Series(month)
            spend_key = table["month"].astype(str)
        won = key.value_counts()
        spend = pd.Series(table["spend"].to_numpy(), index=spend_key.to_numpy()).groupby(level=0).sum()
        per_head = (spend / won.reindex(spend.index)).dropna()
        values = key.map(per_head).to_numpy(dtype="float64")
        have = np.isfinite(values)
        cac[have] = values[have]
        known |= have
    return cac, known


def payback_curves(data: PurchaseData, groups: np.ndarray, n_groups: int, margin: float = 1.0,
                   min_customers: int = 1) -> np.ndarray:
    """Cumulative margin per acquired customer by month since first order, per group.

    ``groups``: a group code per customer (-1: none). Returns an array (groups × months),
    chain-linked: month m adds the average margin in month m of the customers whose month
    m is complete, to the curve up to month m − 1 (NaN from the first month fewer than
    ``min_customers`` have completed). Averaging each customer's cumulative margin over the
    customers who completed month m instead would change the group from month to month and
    let the "cumulative" curve fall.
    """
    orders = data.orders
    first_month = data.customer_first("month")
    through = _complete_through(data.as_of)
    last_m = through - first_month  # last complete month offset of each customer
    width = int(max(last_m.max() + 1, 1)) if len(last_m) else 1
    customer = orders["customer"]
    offset = orders["month"] - first_month[customer]
    g_order = groups[customer]
    use = (g_order >= 0) & (offset <= last_m[customer])
    size = n_groups * (width + 1)
    values = order_margin(data, margin)[use]
    g_use = g_order[use]
    # margin earned in month m by the customers whose month m is complete
    earned = np.bincount(g_use * (width + 1) + offset[use], weights=values, minlength=size).reshape(
        n_groups, width + 1)[:, :width]
    eligible = (groups >= 0) & (last_m >= 0)
    count_at = np.bincount(groups[eligible] * (width + 1) + last_m[eligible], minlength=size).reshape(
        n_groups, width + 1).astype(float)
    denominators = np.cumsum(count_at[:, ::-1], axis=1)[:, ::-1][:, :width]  # customers who completed month m
    enough = denominators >= max(min_customers, 1)  # falls with m: once too few, too few after
    step = np.where(enough, earned / np.where(enough, denominators, 1), 0.0)
    return np.where(enough, np.cumsum(step, axis=1), np.nan)


def payback_month(curve: np.ndarray, cac: float) -> int | None:
    """First month the cumulative margin per customer reaches ``cac`` (None: not within the data)."""
    if not (cac > 0):
        return None
    reached = np.flatnonzero(np.nan_to_num(curve, nan=-np.inf) >= cac - 1e-9)
    return int(reached[0]) if len(reached) else None
