"""The one pipeline every front end uses: orders in, customer table and segments out.

``analyze(source, settings)`` reads the orders, summarises customers, computes CLV with the
chosen method (predictive models with a plain-words fallback to the formula), assigns value
tiers and RFM segments, attaches playbook actions and profiles each segment.
``Analysis.write(out_dir)`` writes the run's files. The CLI, the Excel functions and the
desktop app all call these two; none of them re-implements a step.
"""
from __future__ import annotations

import dataclasses
import json
import logging
import math
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import __version__
from .errors import Cancelled, InputError
from .arrays import python_strings, text_per_distinct
from .csv_writer import csv_chunks
from .formulas import business_clv, historical_clv, retention_clv_per_customer, simple_clv_per_customer
from .summary import SUMMARY_COLUMNS, customer_summary, whole_day
from .summary_sql import SummaryData
from .tiers import DEFAULT_SPLITS, DEFAULT_TIER_NAMES, assign_tiers, parse_splits, tier_names

__all__ = ["Settings", "Analysis", "analyze", "read_orders_with", "METHODS", "CUSTOMER_COLUMNS"]

log = logging.getLogger(__name__)

METHODS = ("auto", "predictive", "historical", "simple", "retention")
MODELS = ("auto", "bgnbd", "mbgnbd", "paretonbd")

CUSTOMER_COLUMNS = [
    "customer_id", "email", "name", "consent", "orders", "total_value",
    "average_order_value", "first_order", "last_order", "days_since_last_order",
    "avg_days_between_orders", "orders_per_year", "clv", "clv_low", "clv_high",
    "clv_method", "p_alive", "churn_risk", "churn_label", "expected_orders", "next_order_date", "tier",
    "rfm_r", "rfm_f", "rfm_m", "rfm_score", "rfm_segment", "actions",
]
_PREDICTIVE_COLUMNS = ["clv_low", "clv", "clv_high", "p_alive", "churn_risk", "churn_label", "expected_orders",
                       "next_order_date", "expected_order_value"]

ProgressCallback = Callable[[str, float], None]


@dataclasses.dataclass
class Settings:
    """Everything a run can be told. Defaults are what a shop owner should get.

    Values are checked when a run starts (:meth:`validate`), not when set, so a front end
    can fill them in any order.
    """

    method: str = "auto"  # auto | predictive | historical | simple | retention
    model: str = "auto"  # for predictive: auto | bgnbd | mbgnbd | paretonbd
    horizon_months: int = 12  # whole months, 1 to 120
    discount_rate: float = 0.10  # per year
    margin: float = 1.0  # gross margin as a fraction (1 = revenue)
    acquisition_cost: float = 0.0
    channel_costs: dict[str, float] | str | None = None  # cost to win a customer per sales channel
    ad_spend: str | os.PathLike | None = None  # monthly ad-spend CSV (month, spend[, channel])
    lifespan_years: float | None = None  # simple formula; None = estimate from the data
    retention_rate: float | None = None  # retention formula (yearly); None = measure from the data
    interval: float = 0.80
    tier_splits: Sequence[float] = DEFAULT_SPLITS
    tier_names: Sequence[str] = DEFAULT_TIER_NAMES
    tier_thresholds: Sequence[float] | None = None
    value_column: str = "clv"
    # intake
    sheet: str | None = None
    mapping: dict[str, str] | None = None
    layout: str | None = None
    date_order: str | None = None
    currency: str | None = None
    duplicates: str = "auto"  # rows repeating an earlier row exactly: "auto", "drop" (count once) or "keep"
    exclude_non_product: bool = False  # leave out postage, fees, adjustments … (see read_orders)
    observation_end: Any = None
    # outputs
    exports: Sequence[str] = ()
    export_mode: str = "per-tier"
    include_no_consent: bool = False
    compare: str | os.PathLike | None = None
    playbook: str | os.PathLike | None = None
    report: bool = True

    def validate(self) -> "Settings":
        """Check every value; raise :class:`InputError` naming the setting and the fix."""
        if self.method not in METHODS:
            raise InputError(f"unknown method {self.method!r}", hint=f"Use one of: {', '.join(METHODS)}.")
        if self.model not in MODELS:
            raise InputError(f"unknown model {self.model!r}", hint=f"Use one of: {', '.join(MODELS)}.")
        try:
            months = float(self.horizon_months)
        except (TypeError, ValueError):
            raise InputError(f"horizon must be a number of months, got {self.horizon_months!r}") from None
        if not (math.isfinite(months) and months == int(months) and 1 <= months <= 120):
            raise InputError(f"horizon {self.horizon_months!r} is not a whole number of months from 1 to 120",
                             hint="Use e.g. 12 for one year.")
        self.horizon_months = int(months)
        checks = [  # (label, value, lowest, highest, lowest allowed, highest allowed, example)
            ("discount rate", self.discount_rate, 0, 1, True, False, "0.10 for 10% a year"),
            ("margin", self.margin, 0, 1, False, True, "0.3 for 30% of an order's value; 1 = revenue"),
            ("acquisition cost", self.acquisition_cost, 0, math.inf, True, True, "25"),
            ("interval", self.interval, 0, 1, False, False, "0.8 for an 80% range"),
        ]
        for label, value, low, high, low_in, high_in, example in checks:
            try:
                v = float(value)
            except (TypeError, ValueError):
                raise InputError(f"{label} must be a number, got {value!r}") from None
            ok = math.isfinite(v) and (low <= v if low_in else low < v) and (v <= high if high_in else v < high)
            if not ok:
                lower = f"from {low:g}" if low_in else f"above {low:g}"
                upper = "" if math.isinf(high) else f" {'to' if high_in else 'to below'} {high:g}" if low_in else \
                    f" {'and at most' if high_in else 'and below'} {high:g}"
                raise InputError(f"{label} {v:g} is out of range", hint=f"Use a value {lower}{upper} (e.g. {example}).")
        self.acquisition_costs()
        if self.lifespan_years is not None:
            try:
                years = float(self.lifespan_years)
            except (TypeError, ValueError):
                raise InputError(f"lifespan must be a number of years, got {self.lifespan_years!r}",
                                 hint="Use e.g. 3 for three years.") from None
            if not (0 < years <= 100):
                raise InputError(f"lifespan {years:g} is out of range",
                                 hint="Use a number of years above 0 and at most 100.")
        if self.observation_end is not None:
            try:
                end = pd.Timestamp(self.observation_end)
            except (TypeError, ValueError):
                raise InputError(f"the as-of date {self.observation_end!r} is not a date",
                                 hint="Write it as YYYY-MM-DD, e.g. 2024-12-31.") from None
            if pd.isna(end):
                raise InputError("the as-of date is empty", hint="Write it as YYYY-MM-DD, or leave it out.")
            if end.tz_localize(None).normalize() > pd.Timestamp.now().normalize() + pd.Timedelta(days=1):
                raise InputError(f"the as-of date {end.date()} is in the future.",
                                 hint="The as-of date ends the order history the analysis sees: use a date up to "
                                      "today, or leave it out to end at the last order.")
        if self.retention_rate is not None:
            try:
                rate = float(self.retention_rate)
            except (TypeError, ValueError):
                raise InputError(f"retention must be a share of customers, got {self.retention_rate!r}",
                                 hint="Write 60% as 0.6.") from None
            if not (math.isfinite(rate) and 0 <= rate < 1):
                raise InputError(f"retention {rate:g} is out of range",
                                 hint="Use the share of customers who buy again the next year, from 0 to below 1 "
                                      "(e.g. 0.6).")
        if self.tier_thresholds is None:
            self.tier_splits = parse_splits(self.tier_splits)
        count = len(self.tier_splits) if self.tier_thresholds is None else len(self.tier_thresholds) + 1
        if self.tier_names is None or (tuple(self.tier_names) == tuple(DEFAULT_TIER_NAMES) and count != 3):
            # names not given: High, Medium, Low for three tiers, else Tier 1, Tier 2 …
            self.tier_names = list(DEFAULT_TIER_NAMES) if count == 3 else [f"Tier {i + 1}" for i in range(count)]
        self.tier_names = tier_names(self.tier_names, count)  # one different, non-empty name per tier
        if self.duplicates not in ("auto", "drop", "keep"):
            raise InputError(f"unknown duplicates rule {self.duplicates!r}", hint="Use auto, drop or keep.")
        if self.export_mode not in ("per-tier", "tagged", "single"):
            raise InputError(f"unknown export mode {self.export_mode!r}",
                             hint="Use per-tier (one file per tier) or tagged (one file, tiers as tags).")
        self.exports = tuple(t.strip().lower() for t in self.exports if t and t.strip())
        if self.exports:
            from .exports import EMAIL_TOOLS

            unknown = [t for t in self.exports if t not in EMAIL_TOOLS]
            if unknown:
                raise InputError(
                    f"unknown email tool {', '.join(unknown)}", hint=f"Use any of: {', '.join(EMAIL_TOOLS)}."
                )
        return self

    def acquisition_costs(self):
        """The cost of winning a customer as :class:`~clv_engine.segments.AcquisitionCosts`."""
        from .segments import AcquisitionCosts

        return AcquisitionCosts.parse(self.acquisition_cost or None, self.channel_costs, self.ad_spend)

    def to_json(self) -> dict:
        out = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, (list, tuple)):
                value = list(value)
            elif isinstance(value, os.PathLike):
                value = os.fspath(value)
            elif value is not None and not isinstance(value, (str, int, float, bool, dict)):
                value = str(value)
            out[f.name] = value
        return out


@dataclasses.dataclass
class Analysis:
    """The result of one run. ``customers`` follows docs/architecture.md's column order."""

    orders: Any  # clv_engine.intake.OrderData
    customers: pd.DataFrame
    segments: pd.DataFrame  # tier profiles
    rfm_profiles: pd.DataFrame
    summary: dict
    settings: Settings
    prediction: Any = None
    comparison: Any = None
    insights: Any = None  # clv_engine.segments.Insights: profiles, cohorts, drivers, acquisition
    written: list = dataclasses.field(default_factory=list)
    as_of: Any = None  # the observation end the run used
    # formula methods: each customer's value before the acquisition cost (customer id -> value)
    value_before_cost: Any = None

    @python_strings
    def add_insights(self):
        """Profiles, cohorts, drivers and acquisition figures of a run that left them out
        (``analyze(..., insights=False)``), computed once; also put into ``summary``."""
        if self.insights is None:
            self.insights = _insights(self.orders, self.customers, self.settings, self.as_of, self.summary["method"],
                                      self.value_before_cost)
            self.summary["insights"] = self.insights.to_json()
        return self.insights

    @python_strings
    def write(self, out_dir: str | os.PathLike, *, overwrite_exports: bool = False) -> list[Path]:
        """Write customers.csv, segments.csv, intake.csv, summary.json, the report and the
        email-tool lists into ``out_dir`` (created if missing). Returns the files written.

        The run owns the folder (:class:`~clv_engine.outputs.OutputFolder`): the files are
        written into a temporary folder first and moved in when all are done, under a lock;
        email lists of an earlier run are replaced only with ``overwrite_exports`` (and
        those this run does not write are then removed), else the run stops before writing.
        A full disk or a read-only folder raises :class:`InputError` and changes nothing.
        """
        from .outputs import EXPORTS_FOLDER, OutputFolder

        out = Path(out_dir)
        if self.insights is None and self.as_of is not None:  # a run made with insights=False
            self.add_insights()
        from .segments import profiles_for_files

        staged: list[Path] = []
        with OutputFolder(out, overwrite=overwrite_exports) as stage:
            exports = []
            if self.settings.exports:
                from .exports import export_email_lists
                from .segments import Playbook

                playbook = Playbook.load(self.settings.playbook)
                for tool in self.settings.exports:
                    result = export_email_lists(
                        self.customers, tool, stage / EXPORTS_FOLDER, mode=self.settings.export_mode,
                        include_no_consent=self.settings.include_no_consent, overwrite=True,
                        playbook=playbook, value_col=self.settings.value_column,
                    )
                    exports.append({"tool": tool, "files": [str(Path(f).name) for f in result.files],
                                    "written": int(result.written),
                                    "left_out": {k: int(v) for k, v in result.left_out.items()},
                                    "description": list(result.describe())})
                    staged.extend(Path(f) for f in result.files)
            _write_csv_atomic(self.customers, stage / "customers.csv", prepare=customers_for_csv)
            staged.append(stage / "customers.csv")
            _write_csv_atomic(_round_frame(profiles_for_files(self.segments, self.settings.value_column)),
                              stage / "segments.csv")
            staged.append(stage / "segments.csv")
            if len(self.rfm_profiles):
                _write_csv_atomic(_round_frame(profiles_for_files(self.rfm_profiles, self.settings.value_column)),
                                  stage / "rfm_segments.csv")
                staged.append(stage / "rfm_segments.csv")
            if self.insights is not None:
                for name, frame in (("profiles", self.insights.profiles), ("cohorts", self.insights.cohorts),
                                    ("drivers", self.insights.drivers)):
                    _write_csv_atomic(_round_frame(frame), stage / f"{name}.csv")
                    staged.append(stage / f"{name}.csv")
            _write_csv_atomic(self.orders.report.skipped, stage / "intake.csv")
            staged.append(stage / "intake.csv")
            if self.comparison is not None:
                _write_csv_atomic(self.comparison.migration.reset_index(), stage / "migration.csv")
                staged.append(stage / "migration.csv")
            self.summary["exports"] = exports
            if self.settings.report:
                from .report import write_excel_report

                write_excel_report(self, stage / "report.xlsx")
                staged.append(stage / "report.xlsx")
            _write_text_atomic(json.dumps(_jsonable(self.summary), indent=2, ensure_ascii=False),
                               stage / "summary.json")
            staged.append(stage / "summary.json")
        written = [out / p.relative_to(stage) for p in staged]
        self.written = written
        return written


def _progress_with_cancel(progress: ProgressCallback | None, cancel) -> ProgressCallback:
    def report(step: str, fraction: float) -> None:
        if cancel is not None and cancel.is_set():
            raise Cancelled("cancelled")
        if progress is not None:
            progress(step, float(min(max(fraction, 0.0), 1.0)))

    return report


def _scaled(report: ProgressCallback, start: float, end: float) -> ProgressCallback:
    return lambda step, fraction: report(step, start + (end - start) * float(fraction))


def read_orders_with(source, settings: Settings, progress: ProgressCallback | None = None):
    """``read_orders(source)`` with the intake options of ``settings`` (what :func:`analyze`
    reads; front ends that read first call this and pass the ``OrderData`` on)."""
    from .intake import read_orders

    return read_orders(
        source, sheet=settings.sheet, mapping=settings.mapping, layout=settings.layout,
        currency=settings.currency, date_order=settings.date_order, progress=progress,
        duplicates=settings.duplicates, exclude_non_product=settings.exclude_non_product,
        as_of=settings.observation_end,
    )


@python_strings
def analyze(source, settings: Settings | None = None, *, progress: ProgressCallback | None = None,
            cancel=None, insights: bool = True) -> Analysis:
    """Run the whole analysis on ``source`` (path, DataFrame, list of rows, OrderData, or a
    customer summary from :func:`clv_engine.summary_sql.read_summary`).

    ``insights=False`` leaves out who-buys-what profiles, cohorts, drivers and acquisition
    figures until :meth:`Analysis.add_insights` asks for them (the Excel functions do: most
    formulas never show them)."""
    from .intake import OrderData
    from .segments import Playbook, compare_runs, read_previous_customers, rfm_scores, segment_profiles

    settings = dataclasses.replace(settings) if settings is not None else Settings()
    settings.validate()
    report = _progress_with_cancel(progress, cancel)

    report("Reading orders", 0.0)
    summary = holdout = None
    if isinstance(source, SummaryData):  # computed where the orders live (clv summary-sql)
        data, summary, holdout = source.order_data(), source.summary, source.holdout
        # labels as the engine's own tables spell them (Python strings, see python_strings),
        # however the summary was read: both routes then give the same tables
        summary = summary.set_axis(pd.Index([str(c) for c in summary.columns], dtype=str), axis=1)
        if settings.observation_end is not None and \
                whole_day(pd.Timestamp(settings.observation_end)) != summary.attrs["observation_end"]:
            end = summary.attrs["observation_end"]
            said = f"the end of {end.date()}" if whole_day(end.normalize()) == end else f"{end}"
            raise InputError(f"the customer summary is up to {said}, not {settings.observation_end}.",
                             hint="Compute it again with clv summary-sql --as-of, or leave out --as-of.")
    elif isinstance(source, OrderData):
        data = source
    else:
        data = read_orders_with(source, settings, progress=_scaled(report, 0.0, 0.35))
    orders = data.orders
    report("Summarising customers", 0.35)
    if summary is None:
        summary = customer_summary(orders, observation_end=settings.observation_end)
    as_of = summary.attrs["observation_end"]

    report("Computing lifetime value", 0.4)
    clv_table, method_info, prediction = _compute_clv(None if holdout is not None else orders, summary, settings,
                                                      as_of, _scaled(report, 0.4, 0.85), cancel, holdout)

    report("Segmenting customers", 0.85)
    customers = _customer_table(data, summary, clv_table, method_info["method"])
    if settings.value_column not in customers.columns:
        raise InputError(f"there is no column {settings.value_column!r} to rank customers by",
                         hint=f"Use one of: {', '.join(c for c in customers.columns if customers[c].dtype.kind == 'f')}.")
    # categorical, best tier first: tables, sheets and lists keep the tiers' rank order
    customers["tier"] = assign_tiers(customers[settings.value_column], settings.tier_splits, settings.tier_names,
                                     thresholds=settings.tier_thresholds).array
    rfm = rfm_scores(customers.set_index("customer_id"), as_of=as_of)
    for column in rfm.columns:
        customers[column] = rfm[column].to_numpy()
    playbook = Playbook.load(settings.playbook).for_tiers(customers["tier"])
    customers["actions"] = _actions(playbook, customers["tier"], customers["rfm_segment"])
    comparison = None
    if settings.compare is not None:
        comparison = compare_runs(read_previous_customers(settings.compare), customers)
        customers["movement"] = comparison.movement.reindex(customers["customer_id"]).fillna("").to_numpy()
    customers = _contract_order(customers, attributes=list(_attribute_columns(data).values()))
    tier_profiles = segment_profiles(customers, "tier", value_col=settings.value_column, playbook=playbook)
    rfm_profiles = segment_profiles(customers, "rfm_segment", value_col=settings.value_column, playbook=playbook)

    run_summary = _run_summary(data, summary, customers, tier_profiles, settings, method_info, prediction, comparison)
    result = Analysis(orders=data, customers=customers, segments=tier_profiles, rfm_profiles=rfm_profiles,
                      summary=run_summary, settings=settings, prediction=prediction, comparison=comparison,
                      as_of=as_of, value_before_cost=method_info.get("value_before_cost"))
    if insights:
        report("Profiling segments", 0.92)
        result.add_insights()
    report("Done", 1.0)
    return result


def _insights(data, customers: pd.DataFrame, settings: Settings, as_of, method: str, value_before_cost=None):
    """Profiles, cohorts, drivers and acquisition figures (clv_engine.segments.insights)."""
    from .segments import purchase_insights

    details = getattr(data, "details", None)
    return purchase_insights(
        data.orders, details.lines if details is not None else None, customers=customers,
        order_details=details.orders if details is not None else None,
        missing=details.missing if details is not None else None, as_of=as_of, margin=settings.margin,
        costs=settings.acquisition_costs(), ltv_basis=method, acquisition_cost_in_clv=settings.acquisition_cost,
        value_before_cost=value_before_cost,
        currency=data.report.currency, attributes=list(_attribute_columns(data).values()),
        tier_order=[str(t) for t in settings.tier_names])


def _actions(playbook, tiers: pd.Series, segments: pd.Series) -> np.ndarray:
    """Playbook actions of each customer's tier and RFM segment, looked up once per pair."""
    tier_codes, tier_names = pd.factorize(tiers.astype(str))
    segment_codes, segment_names = pd.factorize(segments.astype(str))
    texts = np.array([["; ".join(dict.fromkeys(playbook.actions_for(t) + playbook.actions_for(s)))
                       for s in segment_names] for t in tier_names], dtype=object).reshape(
        len(tier_names), len(segment_names))
    return texts[tier_codes, segment_codes]


def _compute_clv(orders, summary, settings: Settings, as_of, report, cancel, holdout=None):
    """CLV per customer with the chosen method; predictive falls back to the formula."""
    info: dict[str, Any] = {"requested": settings.method}
    prediction = None
    if settings.method in ("auto", "predictive"):
        from .predictive import predict_clv

        prediction = predict_clv(
            orders, as_of=as_of, model=settings.model, horizon_months=settings.horizon_months,
            discount_rate=settings.discount_rate, margin=settings.margin, interval=settings.interval,
            progress=report, cancel=cancel, summary=summary, holdout=holdout,
        )
        if prediction.ok:
            table = prediction.customers.reindex(summary.index)
            info.update(method="predictive", basis=prediction.verdict, model=prediction.model)
            return table, info, prediction
        info["fallback_reason"] = prediction.verdict
        info["model"] = prediction.model
    if settings.method == "historical":
        clv = historical_clv(summary, settings.margin)
        info.update(method="historical", basis="value to date (net of refunds) × margin")
    else:
        # the formula's value before the acquisition cost (what a customer is worth acquiring:
        # adding the cost back to the CLV, floored at 0, would lift every customer worth less),
        # then the CLV net of the cost, floored at 0, as the formula functions give it
        if settings.method == "retention":
            before, basis = retention_clv_per_customer(summary, retention_rate=settings.retention_rate,
                                                       discount_rate=settings.discount_rate, margin=settings.margin,
                                                       orders=orders)
        else:
            before, basis = simple_clv_per_customer(summary, lifespan_years=settings.lifespan_years,
                                                    margin=settings.margin, orders=orders)
        clv = (before - float(settings.acquisition_cost)).clip(lower=0.0)
        info.update(method="retention" if settings.method == "retention" else "simple", basis=basis,
                    value_before_cost=before)
        if "fallback_reason" in info:
            info["basis"] = f"{info['fallback_reason']} Formula: {basis}."
    table = pd.DataFrame({"clv": clv})
    # Without a model there is no uncertainty band to compute: low = likely = high.
    table["clv_low"] = table["clv"]
    table["clv_high"] = table["clv"]
    return table, info, prediction


def _customer_table(data, summary: pd.DataFrame, clv_table: pd.DataFrame, method: str) -> pd.DataFrame:
    """Summary + CLV + contact details + the file's attribute columns, one row per customer.

    An attribute whose name the table already uses (say a column called "orders" in the
    file) is kept as "orders (from file)" rather than dropped.
    """
    table = summary.copy()
    for column in _PREDICTIVE_COLUMNS:
        if column in clv_table.columns:
            table[column] = clv_table[column].reindex(table.index).to_numpy()
    table["clv_method"] = method
    people = data.customers.reindex(table.index)
    for column in ("email", "name"):
        table[column] = people[column].fillna("").astype(str).to_numpy() if column in people else ""
    table["consent"] = people["consent"].to_numpy() if "consent" in people else pd.NA
    table = table.reset_index()
    for name, column in _attribute_columns(data).items():
        table[column] = people[name].to_numpy()
    return table


def _attribute_columns(data) -> dict[str, str]:
    """File attribute column -> its name in the customer table (renamed on a clash)."""
    reserved = set(CUSTOMER_COLUMNS) | set(_BTYD_COLUMNS) | set(SUMMARY_COLUMNS) | {"expected_days_between_orders"}
    return {name: (f"{name} (from file)" if name in reserved else name)
            for name in data.customers.columns if name not in ("email", "name", "consent")}


_BTYD_COLUMNS = ["frequency", "recency", "T", "monetary_value", "expected_order_value", "movement"]


def _contract_order(customers: pd.DataFrame, attributes: list[str]) -> pd.DataFrame:
    """Contract columns first (docs/architecture.md), then model inputs, then attributes."""
    first = [c for c in CUSTOMER_COLUMNS + _BTYD_COLUMNS if c in customers.columns]
    rest = [c for c in customers.columns if c not in first and c not in attributes]
    return customers[first + rest + [c for c in attributes if c in customers.columns and c not in first]]


def _run_summary(data, summary, customers, tier_profiles, settings, method_info, prediction, comparison) -> dict:
    report = data.report
    total = float(customers["clv"].sum())
    first_tier = str(settings.tier_names[0]) if settings.tier_names else "top"
    top = customers[customers["tier"].astype(str) == first_tier]
    share = float(top["clv"].sum()) / total if total > 0 else 0.0
    out = {
        "version": __version__,
        "source": str(report.source),
        "sheet": report.sheet,
        "layout": report.layout,
        "layout_label": report.layout_label,
        "currency": report.currency,
        "rows_read": int(report.rows_read),
        "rows_used": int(report.rows_used),
        "rows_skipped": {str(k): int(v) for k, v in report.rows_skipped.items()},
        "refunds_netted": int(getattr(report, "refunds_netted", 0)),
        "intake_notes": list(report.notes),
        "date_order": report.date_order,
        "value_source": getattr(report, "value_source", "amount"),
        "returns": dict(getattr(report, "returns", {}) or {}),
        "non_product_lines": dict(getattr(report, "non_product", {}) or {}),
        "duplicate_rows": dict(getattr(report, "duplicates", {}) or {}),
        "mapping": dict(report.mapping),
        "orders": int(summary["orders"].sum()),  # up to the observation end
        "customers": int(len(customers)),
        "observation_end": summary.attrs["observation_end"].date().isoformat(),
        "method": method_info.get("method"),
        "method_requested": method_info.get("requested"),
        "clv_basis": method_info.get("basis", ""),
        "total_clv": total,
        "total_value_to_date": float(customers["total_value"].sum()),
        "top_tier_share_of_clv": share,
        "headline": _headline(len(top), len(customers), share, first_tier, value_kind(method_info.get("method"), settings.margin)),
        "business_formula_clv": business_clv(summary, lifespan_years=settings.lifespan_years,
                                             margin=settings.margin, acquisition_cost=settings.acquisition_cost,
                                             orders=data.orders if len(data.orders) else None),
        "tiers": {str(row["tier"]): int(row["customers"]) for _, row in tier_profiles.iterrows()},
        "settings": settings.to_json(),
    }
    if "fallback_reason" in method_info:
        out["fallback_reason"] = method_info["fallback_reason"]
    if method_info.get("model"):
        out["model"] = method_info["model"]
    notes = list(prediction.notes) if prediction is not None and prediction.ok else []
    notes.extend(_weak_check_note(method_info))
    notes.extend(_unused_settings_notes(settings, method_info))
    if notes:
        out["prediction_notes"] = notes  # e.g. why order values are historical
    if comparison is not None:
        out["comparison"] = {"file": os.fspath(settings.compare),
                             "movement": {str(k): int(v) for k, v in comparison.movement.value_counts().items()}}
    return out


def plain_method(summary: dict) -> str | None:
    """How a predictive CLV was computed and how well it did, in an owner's words
    (``clv_basis`` keeps the analyst's version); None for the other methods, whose own
    description is plain already."""
    model = summary.get("model") or {}
    score = model.get("holdout_score") or {} if isinstance(model, dict) else {}
    if summary.get("method") != "predictive" or not model.get("name"):
        return None
    text = (f"a statistical model of each customer's buying rhythm and of when customers "
            f"stop buying ({model['name']}), learnt from your order history, times each customer's expected "
            "order value.")
    if score.get("holdout_weeks") and score.get("predicted_orders") is not None:
        weeks = round(float(score["holdout_weeks"]))
        text += (f" Tested on the last {weeks} weeks of the history (learnt without them), it expected "
                 f"{float(score['predicted_orders']):,.0f} repeat orders; customers placed "
                 f"{float(score['actual_orders']):,.0f}.")
    if score.get("dropout_measured") is False:
        text += (" The orders show no measurable dropout (customers' silences fit slow buyers as well as lapsed "
                 "ones), so every customer counts as still active and churn risk comes from how often and how "
                 "recently each one buys.")
    return text


def value_kind(method: str | None, margin: float | None = 1.0) -> str:
    """What the CLV of a method is, in a few words: expected value (predicted), value to date
    (historical; gross profit to date when a margin below 100% was applied, so that it is not
    mistaken for the customers' spend to date) or lifetime value (a formula)."""
    if method == "historical" and margin is not None and float(margin) < 1.0:
        return "gross profit to date"
    return {"predictive": "expected value", "historical": "value to date"}.get(method, "lifetime value")


def _summary_margin(summary: dict) -> float | None:
    return (summary.get("settings") or {}).get("margin")


def value_words(summary: dict, value_col: str = "clv") -> str:
    """What a run's value column is, in words (for "Total …: €40,435"): a predictive CLV
    covers the horizon only (the payback figures' lifetime value adds the value to date)."""
    if value_col != "clv":
        return "value"
    kind = value_kind(summary.get("method"), _summary_margin(summary))
    months = (summary.get("settings") or {}).get("horizon_months")
    if summary.get("method") == "predictive" and months:
        return f"{kind} over the next {months} months"
    return kind if kind != "lifetime value" else "lifetime value (formula)"


WEAK_AUC = 0.55  # a churn ranking hardly better than chance (0.5)


def _weak_check_note(method_info: dict) -> list[str]:
    """A plain warning when the model's own check on the last weeks of the history ranked who
    would order again hardly better than chance: its values are then rough."""
    model = method_info.get("model") or {}
    score = model.get("holdout_score") or {} if isinstance(model, dict) else {}
    auc = score.get("churn_auc")
    if method_info.get("method") != "predictive" or auc is None or not np.isfinite(auc) or auc >= WEAK_AUC:
        return []
    return [f"Caution: tested on the last weeks of your history, the model told the customers who ordered again "
            f"from those who did not hardly better than chance (AUC {auc:.2f}; 0.5 is chance). Treat the "
            "predicted values and churn risks as rough; the value to date and the RFM segments do not depend "
            "on the model."]


def _unused_settings_notes(settings: Settings, method_info: dict) -> list[str]:
    """Say so when settings could not be used: the horizon and discount rate without a
    predictive model, a retention rate without the retention method."""
    method = method_info.get("method")
    notes = []
    if settings.retention_rate is not None and method != "retention":
        notes.append(f"The yearly retention of {float(settings.retention_rate):.0%} was not used: it applies only "
                     f"to the retention method, and the {method} method was used.")
    if method == "predictive":
        return notes
    if method == "retention":  # the discount rate is used; the horizon is every year to come
        return notes + [f"The {settings.horizon_months}-month horizon was not used: retention CLV counts every "
                        "year to come, discounted."]
    why = "no predictive model could be used on this data" if "fallback_reason" in method_info else \
        f"the {method} method was chosen"
    return notes + [f"The {settings.horizon_months}-month horizon and the {settings.discount_rate:.0%} discount rate "
                    f"were not used: they apply only to predictive CLV, and {why}."]


def _headline(top_customers: int, customers: int, share: float, tier: str, kind: str = "expected value") -> str:
    """The one sentence a shop owner reads first; true for any tier sizes. ``kind``: what
    the value is (expected value, value to date, lifetime value)."""
    if customers == 0 or top_customers == 0:
        return f"No customer stands out enough to be in the {tier} tier."
    part = top_customers / customers
    who = f"top {part:.0%} of customers" if part < 0.995 else "customers"
    return f"Your {who} ({top_customers:,}, the {tier} tier) hold {share:.0%} of {kind}."


# --- writing -----------------------------------------------------------------------------

_MONEY = ("total_value", "average_order_value", "clv", "clv_low", "clv_high", "monetary_value",
          "average_value", "expected_order_value", "spent_to_date")


def round_half_up(values: np.ndarray, decimals: int) -> np.ndarray:
    """Round halves away from zero, as a spreadsheet or a till does: 564.885 -> 564.89.

    A sum of cents is stored as the nearest binary fraction, often a hair below the half
    (564.885 is 564.88499999999999…), which plain rounding takes down. The nudge of about
    1e-14 of the value is far below a cent and far above that representation error."""
    scaled = np.asarray(values, dtype=np.float64) * 10.0 ** decimals
    magnitude = np.abs(scaled)
    with np.errstate(invalid="ignore"):
        out = np.sign(scaled) * np.floor(magnitude + 0.5 + magnitude * 1e-14 + 1e-9) / 10.0 ** decimals
    return out + 0.0  # no -0.0


def _round_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Money to the cent, other decimals to 4 places; the frame itself is not changed.
    (Built column by column: ``frame.copy()`` consolidated a million-row table, 0.5 s.)"""
    def rounded(column):
        values = frame[column]
        if values.dtype.kind != "f":
            return values
        return pd.Series(round_half_up(values.to_numpy(), 2 if column in _MONEY or "value" in column else 4),
                         index=values.index, name=values.name)

    out = pd.DataFrame({c: rounded(c) for c in frame.columns}, index=frame.index, copy=False)
    out.attrs = dict(frame.attrs)
    return out


def customers_for_csv(customers: pd.DataFrame) -> pd.DataFrame:
    """The customer table as written to customers.csv: ISO dates, rounded numbers."""
    out = _round_frame(customers)
    for column in ("first_order", "last_order", "next_order_date"):
        if column in out.columns:
            days = pd.to_datetime(out[column], errors="coerce").to_numpy().astype("datetime64[D]")
            text = text_per_distinct(days, lambda d: pd.DatetimeIndex(d).strftime("%Y-%m-%d"))  # NaT -> ""
            out[column] = pd.Series(text, index=out.index, dtype=object)
    if "consent" in out.columns:
        # as .map({True: "yes", False: "no"}) would (1 counts as True), without its
        # per-value lookups (2 s on a million customers); missing -> ""
        values = out["consent"].to_numpy(dtype=object)
        values = np.where(pd.isna(values), None, values)
        yes, no = values == True, values == False  # noqa: E712  (elementwise)
        out["consent"] = np.where(yes, "yes", np.where(no, "no", "")).astype(object)
    return out


def _write_csv_atomic(frame: pd.DataFrame, path: Path, prepare=None) -> None:
    # Result tables are opened in spreadsheets: text cells never start a formula and are
    # quoted, so a line break or separator inside a cell cannot split a row (formats.md C),
    # and the file starts with a UTF-8 byte order mark, without which Excel reads "Müller"
    # as "MÃ¼ller" (pandas and the csv module with encoding "utf-8-sig" skip it).
    # ``prepare`` (e.g. customers_for_csv) is applied a block of rows at a time.
    _write_text_atomic(csv_chunks(frame, excel_safe=True, prepare=prepare), path, encoding="utf-8-sig")


def _write_text_atomic(text: str | Iterable[str], path: Path, encoding: str = "utf-8") -> None:
    """Write ``text`` (or its pieces, one after the other) to ``path`` via a temporary file."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as handle:
            handle.writelines([text] if isinstance(text, str) else text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        v = float(value)
        return v if math.isfinite(v) else None
    if isinstance(value, (pd.Timestamp,)):
        return value.isoformat()
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (pd.Series, pd.Index)):
        return _jsonable(value.to_dict() if isinstance(value, pd.Series) else list(value))
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return value
