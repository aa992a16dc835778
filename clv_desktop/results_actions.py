"""What a shop owner does with the results: look at one customer, export any filtered set
of customers to an email tool, save the Excel report and save all result files.

:class:`ResultActions` is a part of :class:`~clv_desktop.controller.AppController` (it uses
the controller's engine, models, jobs and signals); it is kept in its own module so each
stays short.
"""
from __future__ import annotations

import copy
import logging
import os
import shutil
import uuid
from dataclasses import dataclass, field, is_dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from clv_engine.errors import Cancelled, InputError, count_text
from clv_engine.segments.profiles import dimension_label

from . import charts, insight_charts
from .messages import in_app_words
from .table_data import ColumnTable, default_customer_columns

logger = logging.getLogger(__name__)

RESULT_FILES = ("customers.csv", "segments.csv", "rfm_segments.csv", "profiles.csv",
                "cohorts.csv", "drivers.csv", "migration.csv", "intake.csv", "report.xlsx",
                "summary.json")



def _in_app(value):
    """Sentences (in dicts and lists too) with command-line advice in the app's words."""
    if isinstance(value, str):
        return in_app_words(value)
    if isinstance(value, dict):
        return {k: _in_app(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_in_app(v) for v in value)
    return value


def in_app_analysis(analysis):
    """``analysis`` for a report saved from the app: its notes, findings and reasons name the
    app's settings ("the 'Acquisition cost' setting") instead of command-line flags. The
    run itself is not changed (a shallow copy with translated texts)."""
    out = copy.copy(analysis)
    out.summary = _in_app(dict(getattr(analysis, "summary", None) or {}))
    insights = getattr(analysis, "insights", None)
    if insights is not None and is_dataclass(insights):
        out.insights = replace(insights, findings=_in_app(list(insights.findings)),
                               not_profiled=_in_app(list(insights.not_profiled)))
    return out

@dataclass
class ExportSummary:
    """What an export, report or save wrote, and what it left out, in words."""

    files: list[str]
    text: str
    status: str = ""          # one line for the status bar


@dataclass
class CustomerDetail:
    """One customer for the customer page: facts in words, actions, orders chart."""

    customer_id: str
    title: str
    subtitle: str
    facts: list[tuple[str, str, str]]          # (label, value, tooltip)
    actions: list[str]
    figure: object = None                      # matplotlib Figure of the order history
    orders: int = 0
    source_row: int = -1
    extra: dict = field(default_factory=dict)


def _slug(text: str) -> str:
    slug = "".join(c if c.isalnum() else "-" for c in str(text).lower())
    slug = "-".join(part for part in slug.split("-") if part)
    return slug[:60] or "customers"


def _text(value) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value)


class ResultActions:
    """Customer page, exports of any filtered set, the report and the result files."""

    # -- customer page ------------------------------------------------------------------
    def open_customer(self, source_row: int) -> CustomerDetail | None:
        """Build the customer page for row ``source_row`` of the customer model."""
        if self.analysis is None:
            return None
        customers = self.analysis.customers
        if not 0 <= source_row < len(customers):
            return None
        row = customers.iloc[int(source_row)]
        context = self.context
        customer_id = _text(row.get("customer_id"))
        name, email = _text(row.get("name")), _text(row.get("email"))
        title = name or email or customer_id or "Customer"
        subtitle = " · ".join(v for v in (email if email != title else "",
                                          f"ID {customer_id}" if customer_id not in
                                          (title, email) else "") if v)
        orders = self._orders_of(customer_id)
        money = context.money

        def number(key):
            value = row.get(key)
            try:
                value = float(value)
            except (TypeError, ValueError):
                return None
            return value if np.isfinite(value) else None

        facts: list[tuple[str, str, str]] = []
        spent, n_orders = number("total_value"), number("orders")
        first, last = row.get("first_order"), row.get("last_order")
        if spent is not None:
            span = ""
            if pd.notna(first) and pd.notna(last):
                span = f", first {pd.Timestamp(first):%d %b %Y}, last {pd.Timestamp(last):%d %b %Y}"
            facts.append(("Spent so far", money(spent),
                          f"{count_text(int(n_orders or 0), 'order')}{span} (net of refunds)"))
        clv = number("clv")
        if clv is not None:
            low, high = number("clv_low"), number("clv_high")
            band = (f"likely between {money(low)} and {money(high)}; "
                    if low is not None and high is not None and high > low else "")
            facts.append(("Expected value", money(clv),
                          f"{context.value_phrase()}; {band}{context.margin_phrase()}"))
        alive = number("p_alive")
        if alive is not None:
            facts.append(("Chance still a customer", f"{alive:.0%}",
                          "How likely this customer is still buying from you (P(alive))."))
        churn = number("churn_risk")
        label = _text(row.get("churn_label"))
        if churn is not None or label:
            shown = label or (f"{churn:.0%}" if churn is not None else "")
            tip = (f"{churn:.0%} chance of no order in the next {context.horizon_text()}"
                   if churn is not None else "")
            facts.append(("Churn risk", shown, tip))
        next_date = row.get("next_order_date")
        if "next_order_date" in row.index:
            facts.append(("Next order (estimate)",
                          f"{pd.Timestamp(next_date):%d %b %Y}" if pd.notna(next_date)
                          else "none expected",
                          "When the model expects the next order; 'none expected' when "
                          f"no order is likely within the next {context.horizon_text()}."))
        for key, label_text in (("tier", "Value tier"), ("rfm_segment", "Segment")):
            value = _text(row.get(key))
            if value:
                facts.append((label_text, value, ""))
        consent = row.get("consent") if "consent" in row.index else None
        said = None if consent is None or pd.isna(consent) else bool(consent)  # NA: no statement
        facts.append(("Marketing emails",
                      "agreed" if said is True else "not agreed" if said is False else "unknown",
                      "Only customers who agreed are exported to email tools by default."))
        actions = [a.strip() for a in _text(row.get("actions")).split(";") if a.strip()]
        figure = charts.customer_orders_figure(
            orders, context=context, next_order=next_date if pd.notna(next_date) else None,
            as_of=self.analysis.summary.get("observation_end")
            if isinstance(getattr(self.analysis, "summary", None), dict) else None)
        self.order_history_model.set_table(ColumnTable.from_frame(
            orders.rename(columns={"order_id": "order"}),
            known={"date": ("Date", "date"), "order": ("Order", "text"),
                   "amount": (f"Amount{context.currency_suffix()}", "money")}))
        detail = CustomerDetail(customer_id, title, subtitle, facts, actions, figure,
                                len(orders), int(source_row))
        self.current_customer = detail
        self.customer_opened.emit(detail)
        return detail

    def _orders_of(self, customer_id: str) -> pd.DataFrame:
        data = getattr(self.analysis, "orders", None)
        orders = getattr(data, "orders", None)
        if not isinstance(orders, pd.DataFrame) or "customer_id" not in orders.columns:
            return pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"),
                                 "order_id": pd.Series(dtype=object),
                                 "amount": pd.Series(dtype=float)})
        mine = orders[orders["customer_id"].astype(object) == customer_id]
        columns = [c for c in ("date", "order_id", "amount") if c in mine.columns]
        out = mine[columns].sort_values("date").reset_index(drop=True)
        if "order_id" in out.columns:
            out["order_id"] = out["order_id"].astype(object)
        return out

    # -- who buys what (profiles, cohorts, drivers) --------------------------------------
    def has_insights(self) -> bool:
        return getattr(self.analysis, "insights", None) is not None

    def insight_findings(self) -> list[str]:
        insights = getattr(self.analysis, "insights", None)
        return [in_app_words(str(f)) for f in (getattr(insights, "findings", None) or [])]

    def insight_gaps(self) -> list[str]:
        """What could not be profiled and why."""
        insights = getattr(self.analysis, "insights", None)
        return [in_app_words(str(f)) for f in (getattr(insights, "not_profiled", None) or [])]

    def profile_groups(self) -> list[str]:
        """The groups profiled (tiers first, then segments and other groupings)."""
        profiles = getattr(getattr(self.analysis, "insights", None), "profiles", None)
        if not isinstance(profiles, pd.DataFrame) or "segment" not in profiles.columns:
            return []
        return list(dict.fromkeys(str(s) for s in profiles["segment"]))

    def show_profile(self, group: str) -> None:
        """Fill ``profile_model`` and the 'what this group buys' chart for ``group``."""
        insights = getattr(self.analysis, "insights", None)
        profiles = getattr(insights, "profiles", None)
        if not isinstance(profiles, pd.DataFrame) or "segment" not in profiles.columns:
            self.profile_model.set_table(ColumnTable.empty())
            return
        rows = profiles[profiles["segment"].astype(str) == str(group)]
        if "too_small" in rows.columns:
            rows = rows[~rows["too_small"].astype(bool)]
        if "dimension" in rows.columns:
            # what the group buys, per order (behaviour figures such as the repeat rate are
            # not shares of orders: the Segments page shows them)
            rows = rows[rows["dimension"].astype(str) != "behaviour"]
            rows = rows.assign(dimension=[dimension_label(str(d)).capitalize() for d in rows["dimension"]])
        rows = rows.sort_values("lift", ascending=False) if "lift" in rows.columns else rows
        columns = [c for c in ("dimension", "value", "customers", "figure", "all_figure", "lift", "preference")
                   if c in rows.columns]
        known = {"dimension": ("What", "text"), "value": ("Item", "text"),
                 "customers": ("Customers who bought it", "integer"),
                 "figure": (f"Share of {group}'s orders", "percent"),
                 "all_figure": ("Share of all orders", "percent"),
                 "lift": ("Times as often per order", "number"),
                 "preference": ("Clear preference", "text")}
        if "preference" in rows.columns:
            rows = rows.assign(preference=np.where(rows["preference"].astype(bool), "yes", "no"))
        self.profile_model.set_table(ColumnTable.from_frame(rows[columns].reset_index(drop=True),
                                                            known=known))
        self.figures["top_group"] = insight_charts.top_group_figure(insights, group)
        self.profile_changed.emit()

    # -- column chooser -----------------------------------------------------------------
    def customer_column_choices(self) -> list[tuple[str, str, bool]]:
        """Every customer-table column as (key, header, shown)."""
        table = self.customer_model.table
        shown = set(self.visible_customer_columns())
        return [(c.key, c.header, c.key in shown) for c in table.columns]

    def visible_customer_columns(self) -> list[str]:
        keys = [c.key for c in self.customer_model.table.columns]
        saved = self.app_settings.customer_columns()
        chosen = saved if saved else default_customer_columns(keys)
        visible = [k for k in chosen if k in keys]
        return visible or keys[:1]

    def set_visible_customer_columns(self, keys: list[str]) -> None:
        self.app_settings.set_customer_columns(list(keys))

    # -- exports ------------------------------------------------------------------------
    def email_tools(self) -> dict[str, str]:
        try:
            return self.engine.email_tools()
        except Exception:
            logger.warning("Email tools unavailable", exc_info=True)
            return {}

    def filter_description(self) -> str:
        """The customer table's current filter in words ('Segment: At risk')."""
        f = getattr(self, "shown_filter", {}) or {}
        parts = [f"{label}: {f[key]}" for key, label in
                 (("tier", "Tier"), ("segment", "Segment"), ("churn", "Churn risk"))
                 if f.get(key)]
        if f.get("search"):
            parts.append(f"search '{f['search']}'")
        return ", ".join(parts) or "all customers"

    def shown_customer_count(self) -> int:
        return self.customer_proxy.rowCount()

    def export_email_lists(self, tool: str, out_dir: str, *, tiers: list[str] | None = None,
                           scope: str = "tiers", mode: str = "per-tier",
                           include_no_consent: bool = False, overwrite: bool = False) -> bool:
        """Write email-tool lists. ``scope="tiers"``: the customers of ``tiers`` (one file
        per tier or one tagged file); ``scope="shown"``: exactly the customers the table
        shows now (filter and search), as one file named after the filter."""
        if self.analysis is None:
            self.failed.emit("Nothing to export", "Run the analysis first.")
            return False
        engine, customers = self.engine, self.analysis.customers
        self.app_settings.set_export_values({"tool": tool, "mode": mode, "tiers": tiers,
                                             "scope": scope,
                                             "include_no_consent": include_no_consent})
        if scope == "shown":
            rows = self.customer_proxy.visible_source_rows()
            description = self.filter_description()
            chosen = customers.iloc[np.sort(rows)]
            target = Path(out_dir) / f"{tool}_{_slug(description)}.csv"
            outside = (f"{len(customers) - len(chosen):,} customers outside the chosen set "
                       f"({description}) were not exported.")
        else:
            chosen = customers
            if tiers is not None and "tier" in customers.columns:
                chosen = customers[customers["tier"].isin(list(tiers))]
            target, description = None, "tiers " + ", ".join(tiers or [])
            outside = (f"{len(customers) - len(chosen):,} customers in tiers you did not "
                       "choose were not exported.")
        left_outside = len(customers) - len(chosen)

        def run(progress, cancel):
            progress("Choosing customers", 0.1)
            out = Path(out_dir)
            try:
                out.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise InputError(f"the folder cannot be created ({error.strerror}).",
                                 where=str(out), hint="Choose a folder you can write to.") from None
            progress("Writing email lists", 0.3)
            if target is None:
                return engine.export_email_lists(chosen, tool, out_dir, mode=mode,
                                                 include_no_consent=include_no_consent,
                                                 overwrite=overwrite), {}
            if target.exists() and not overwrite:
                raise InputError(f"The export would replace {target.name}.", where=str(out),
                                 hint="Tick 'Replace files that already exist' or choose "
                                      "another folder.")
            staging = out / f".clv-export-{uuid.uuid4().hex[:8]}"
            try:
                result = engine.export_email_lists(chosen, tool, staging, mode="single",
                                                   include_no_consent=include_no_consent,
                                                   overwrite=True)
                # the list goes to the chosen name; with contacts without consent included,
                # the opt-outs and the not-subscribed go beside it under the same stem
                moves = {}
                for written in list(getattr(result, "files", []) or []):
                    name = Path(written).name
                    part = next((p for p in ("opted-out", "not-subscribed") if name.endswith(f"_{p}.csv")), None)
                    moves[Path(written)] = target if part is None else \
                        target.with_name(f"{target.stem}_{part}{target.suffix or '.csv'}")
                taken = [d.name for d in moves.values() if d != target and d.exists()]
                if taken and not overwrite:
                    raise InputError(f"The export would replace {', '.join(taken)}.", where=str(out),
                                     hint="Tick 'Replace files that already exist' or choose another folder.")
                renames = {}
                for written, destination in moves.items():
                    if cancel.is_set():
                        raise Cancelled("Cancelled.")
                    os.replace(written, destination)
                    renames[written.name] = destination.name
                result.files = list(moves.values())
                return result, renames
            finally:
                shutil.rmtree(staging, ignore_errors=True)

        def done(outcome):
            result, renames = outcome
            self.last_export = _export_summary(result, left_outside and outside, out_dir,
                                               renames, description)
            self.app_settings.set_last_folder(out_dir)
            self.export_finished.emit(self.last_export)

        return self._start("Exporting email lists", run, done)

    # -- report and result files ---------------------------------------------------------
    def write_report(self, path: str) -> bool:
        """Write the Excel report. Cancel leaves no file: the workbook is written under a
        temporary name and only renamed to ``path`` if the job was not cancelled."""
        if self.analysis is None:
            self.failed.emit("Nothing to report", "Run the analysis first.")
            return False
        engine, analysis = self.engine, self.analysis
        target = Path(path)

        def run(progress, cancel):
            temporary = target.with_name(f".{target.stem}-{uuid.uuid4().hex[:8]}.xlsx")
            try:
                engine.write_excel_report(in_app_analysis(analysis), str(temporary))
                if cancel.is_set():
                    raise Cancelled("Cancelled.")
                os.replace(temporary, target)
            finally:
                temporary.unlink(missing_ok=True)
            return str(target)

        def done(written):
            size = Path(written).stat().st_size if Path(written).exists() else 0
            text = (f"Excel report written to {written} ({size / 1024:,.0f} KB): summary, "
                    f"{count_text(len(analysis.customers), 'customer')}, tiers and segments.")
            self.last_report = ExportSummary(
                [str(written)], text, f"Excel report saved: {Path(written).name}.")
            self.app_settings.set_last_folder(str(Path(written).parent))
            self.report_written.emit(self.last_report)

        return self._start("Writing the Excel report", run, done, detach_on_cancel=True)

    def existing_result_files(self, out_dir: str) -> list[str]:
        """Result files already in ``out_dir`` that saving would replace."""
        folder = Path(out_dir)
        return [name for name in RESULT_FILES if (folder / name).exists()]

    def save_results(self, out_dir: str) -> bool:
        """Write customers.csv, segments.csv, intake.csv, summary.json and report.xlsx (what
        ``clv analyze --out`` writes) into ``out_dir``, replacing earlier ones. Cancel leaves
        the folder as it was: the files are written to a hidden folder and moved at the end."""
        if self.analysis is None:
            self.failed.emit("Nothing to save", "Run the analysis first.")
            return False
        engine, analysis = self.engine, self.analysis
        folder = Path(out_dir)

        def run(progress, cancel):
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise InputError(f"the folder cannot be created ({error.strerror}).",
                                 where=str(folder), hint="Choose a folder you can write to.") from None
            staging = folder / f".clv-results-{uuid.uuid4().hex[:8]}"
            try:
                files = engine.save_results(analysis, staging)
                if cancel.is_set():
                    raise Cancelled("Cancelled.")
                moved = []
                for file in files:
                    os.replace(file, folder / Path(file).name)
                    moved.append(str(folder / Path(file).name))
                return moved
            finally:
                shutil.rmtree(staging, ignore_errors=True)

        def done(files):
            names = ", ".join(Path(f).name for f in files)
            text = (f"Results saved in {folder}: {names}. Pick its customers.csv under "
                    "Results › Compare runs after your next analysis to see who moved "
                    "between tiers.")
            summary = ExportSummary(files, text, f"Saved {len(files)} result files "
                                                        f"in {folder.name}.")
            self.app_settings.set_last_folder(str(folder))
            self.results_saved.emit(summary)

        return self._start("Saving the results", run, done, detach_on_cancel=True)


def _export_summary(result, outside: str, out_dir: str, renames: dict,
                    description: str):
    lines = [f"Email lists in {out_dir} ({description}):"]
    describe = getattr(result, "describe", None)
    described = list(describe()) if callable(describe) else []
    for old, new in renames.items():
        described = [line.replace(old, new) for line in described]
    lines += [f"  • {line}" for line in described]
    if outside:
        lines.append(f"  • {outside}")
    files = [str(f) for f in (getattr(result, "files", None) or [])]
    written = int(getattr(result, "written", 0) or 0)
    left = sum(int(v) for v in (getattr(result, "left_out", None) or {}).values())
    if files:
        status = (f"Wrote {written:,} contacts to {len(files)} file"
                  f"{'s' if len(files) != 1 else ''}" + (f"; left out {left:,}" if left else "")
                  + ".")
    else:
        status = ("No email list was written: no customer in the chosen set could be "
                  "exported" + (f" ({left:,} left out)" if left else "") + ".")
    return ExportSummary(files, "\n".join(lines), status)
