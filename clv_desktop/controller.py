"""Application state and actions, between the views and the engine.

The views call the controller's methods and read its Qt models and plain values; the
controller runs engine calls in :class:`~clv_desktop.workers.Job` threads and announces
results with signals. Only this module (through :mod:`clv_desktop.engine`) touches the
engine or pandas on behalf of the views.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from PySide6.QtCore import QObject, QTimer, Signal

from clv_engine.errors import Cancelled, ClvError, InputError

from . import charts, insights
from .app_settings import AppSettings, log_unexpected_error
from .engine import DEFAULT_ROLES, Engine
from .models import ColumnTableModel, RowFilterProxy
from .table_data import (
    CUSTOMER_COLUMN_ORDER, CUSTOMER_COLUMNS, PROFILE_COLUMN_ORDER, PROFILE_COLUMNS, ColumnTable,
)
from .workers import Job

logger = logging.getLogger(__name__)

METHODS = {  # id -> (label, one-line explanation)
    "auto": ("Automatic (recommended)",
             "Uses the predictive model when your history supports it, else a formula."),
    "predictive": ("Predictive model",
                   "Forecasts each customer's future orders and spend from their history."),
    "historical": ("Historical value",
                   "What each customer has already spent; no forecast."),
    "simple": ("Simple formula",
                "Average order × orders per year × years kept, less costs."),
}
SEARCH_COLUMNS = ("name", "email", "customer_id")
WARM_COLUMNS = ("tier", "rfm_segment")
WARM_UP_DELAY_MS = 500
EMAIL_MODES = {"per-tier": "One file per tier", "single": "One file, tier as a tag"}


@dataclass
class ExportSummary:
    """What an export or report wrote, and what it left out, in words."""

    files: list[str]
    text: str


class AppController(QObject):
    """Holds the open file, intake result, analysis and comparison; runs the jobs."""

    busy_changed = Signal(bool)
    job_started = Signal(str)
    progressed = Signal(str, float)
    data_loaded = Signal()
    analysis_ready = Signal()
    comparison_ready = Signal()
    export_finished = Signal(object)      # ExportSummary
    report_written = Signal(object)       # ExportSummary
    failed = Signal(str, str)             # title, message for a person
    cancelled = Signal()
    recent_files_changed = Signal()

    def __init__(self, engine=None, app_settings: AppSettings | None = None, parent=None):
        super().__init__(parent)
        self.engine = engine or Engine()
        self.app_settings = app_settings or AppSettings()
        self.source_path: str | None = None
        self.order_data = None
        self.analysis = None
        self.comparison = None
        self.figures: dict = {}
        self.cards: list[insights.Card] = []
        self.comparison_lines: list[str] = []
        self.last_export: ExportSummary | None = None
        self.last_report: ExportSummary | None = None
        self._job: Job | None = None
        self.preview_model = ColumnTableModel(parent=self)
        self.skipped_model = ColumnTableModel(parent=self)
        self.customer_model = ColumnTableModel(parent=self)
        self.customer_proxy = RowFilterProxy(self)
        self.customer_proxy.setSourceModel(self.customer_model)
        self.tier_profile_model = ColumnTableModel(parent=self)
        self.segment_profile_model = ColumnTableModel(parent=self)
        self.migration_model = ColumnTableModel(parent=self)
        self.movement_model = ColumnTableModel(parent=self)

    # -- jobs ----------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self._job is not None

    def cancel(self) -> None:
        """Ask the running job to stop; it reports ``cancelled`` when it has."""
        if self._job is not None:
            self._job.cancel()

    def shutdown(self, timeout_ms: int = 10000) -> None:
        """Cancel the running job and wait (bounded) for its thread before quitting."""
        job = self._job
        if job is not None:
            job.cancel()
            job.wait(timeout_ms)

    def _start(self, title: str, function, on_success) -> bool:
        if self._job is not None:
            self.failed.emit("Please wait", "Another task is still running. "
                             "Wait for it to finish or press Cancel.")
            return False
        job = Job(title, function, self)
        job.progressed.connect(self.progressed)
        job.succeeded.connect(lambda result: self._finish(job, on_success, result))
        job.failed.connect(lambda error: self._fail(job, error))
        self._job = job
        self.busy_changed.emit(True)
        self.job_started.emit(title)
        job.start()
        return True

    def _finish(self, job: Job, on_success, result) -> None:
        job.wait()
        self._job = None
        self.busy_changed.emit(False)
        try:
            on_success(result)
        except Exception as error:  # a result the views cannot show is still reported
            self._report_error(job.title, error)

    def _fail(self, job: Job, error: BaseException) -> None:
        job.wait()
        self._job = None
        self.busy_changed.emit(False)
        if isinstance(error, Cancelled):
            self.cancelled.emit()
            return
        self._report_error(job.title, error)

    def _report_error(self, title: str, error: BaseException) -> None:
        if isinstance(error, ClvError):
            self.failed.emit(title, str(error))
            return
        if isinstance(error, (FileNotFoundError, PermissionError, IsADirectoryError)):
            name = Path(getattr(error, "filename", "") or "").name or "the file"
            self.failed.emit(title, f"{name} could not be opened ({error.strerror}). "
                             "Check that it exists and is not open in another program.")
            return
        log_path = log_unexpected_error(error, title)
        logger.error("Unexpected %s during %s", type(error).__name__, title)
        self.failed.emit(title, f"Something went wrong while {title.lower()}. "
                         f"Technical details were saved to {log_path} "
                         "(without customer data); please send that file to support.")

    # -- step 1 and 2: open and check -----------------------------------------------------
    def open_file(self, path: str, mapping: dict | None = None) -> bool:
        path = str(path)
        engine = self.engine

        def read(progress, cancel):
            return engine.read_orders(path, mapping=mapping, progress=progress)

        def loaded(order_data):
            self.source_path = path
            self._set_order_data(order_data)
            if not self._is_sample(path):
                self.app_settings.add_recent_file(path)
                self.recent_files_changed.emit()

        return self._start("Reading the file", read, loaded)

    def open_sample(self) -> bool:
        try:
            path = self.engine.sample_path()
        except Exception as error:
            self._report_error("Opening the sample data", error)
            return False
        return self.open_file(str(path))

    def reread_with_mapping(self, mapping: dict) -> bool:
        """Read the open file again with the user's column choices (role -> header; an
        empty header means the role is not used)."""
        if self.source_path is None:
            return False
        chosen = {role: column or "" for role, column in mapping.items()}
        return self.open_file(self.source_path, mapping=chosen)

    def _is_sample(self, path: str) -> bool:
        try:
            return Path(path).resolve() == Path(self.engine.sample_path()).resolve()
        except Exception:
            return False

    def _set_order_data(self, order_data) -> None:
        self.order_data = order_data
        self.analysis = None
        self.comparison = None
        preview = getattr(order_data, "preview", None)
        self.preview_model.set_table(ColumnTable.from_frame(preview)
                                     if preview is not None else ColumnTable.empty())
        skipped = getattr(order_data.report, "skipped", None)
        self.skipped_model.set_table(
            ColumnTable.from_frame(skipped, known={"row": ("Row", "integer"),
                                                   "reason": ("Reason", "text"),
                                                   "detail": ("Detail", "text")})
            if skipped is not None else ColumnTable.empty())
        self.data_loaded.emit()

    def roles(self) -> tuple[str, ...]:
        try:
            return tuple(self.engine.roles())
        except Exception:
            return DEFAULT_ROLES

    def columns(self) -> list[str]:
        report = getattr(self.order_data, "report", None)
        return [str(c) for c in (getattr(report, "columns", None) or [])]

    def mapping(self) -> dict[str, str]:
        report = getattr(self.order_data, "report", None)
        return {str(k): str(v) for k, v in (getattr(report, "mapping", None) or {}).items()}

    def layout_text(self) -> str:
        return insights.layout_sentence(self.order_data.report) if self.order_data else ""

    def intake_text(self) -> str:
        return insights.intake_sentence(self.order_data.report) if self.order_data else ""

    def intake_notes(self) -> list[str]:
        report = getattr(self.order_data, "report", None)
        return [str(n) for n in (getattr(report, "notes", None) or [])]

    def skipped_count(self) -> int:
        return self.skipped_model.rowCount()

    def save_skipped_rows(self, path: str) -> str:
        """Write the skipped rows (row, reason, detail) to a CSV file; returns a sentence."""
        skipped = getattr(getattr(self.order_data, "report", None), "skipped", None)
        if skipped is None:
            skipped = pd.DataFrame(columns=["row", "reason", "detail"])
        try:
            skipped.to_csv(path, index=False)
        except OSError as error:
            raise InputError(f"The skipped rows could not be saved ({error.strerror}).",
                             where=str(path), hint="Choose another folder.") from error
        self.app_settings.set_last_folder(str(Path(path).parent))
        return f"Saved {len(skipped):,} skipped rows to {path}."

    # -- step 3: settings and analysis ----------------------------------------------------
    def settings_defaults(self) -> dict:
        """The engine's default analysis settings as plain values for the form."""
        try:
            defaults = self.engine.default_settings()
        except Exception:
            defaults = None
        get = (lambda name, fallback: getattr(defaults, name, fallback))
        return {
            "method": str(get("method", "auto")),
            "horizon_months": float(get("horizon_months", 12)),
            "discount_rate": float(get("discount_rate", 0.10)),
            "margin": float(get("margin", 1.0)),
            "acquisition_cost": float(get("acquisition_cost", 0.0) or 0.0),
            "tier_splits": list(get("tier_splits", (0.2, 0.3, 0.5)) or ()),
            "tier_names": list(get("tier_names", ("High", "Medium", "Low")) or ()),
        }

    def settings_values(self) -> dict:
        """Defaults overlaid with what the user chose last time."""
        values = self.settings_defaults()
        saved = self.app_settings.analysis_values()
        values.update({k: v for k, v in saved.items() if k in values})
        return values

    def analyse(self, values: dict) -> bool:
        """Run the whole pipeline on the loaded data with the form's values."""
        if self.order_data is None and self.source_path is None:
            self.failed.emit("Nothing to analyse", "Open an order file first.")
            return False
        self.app_settings.set_analysis_values(values)
        engine = self.engine
        source = self.order_data if self.order_data is not None else self.source_path
        settings_values = dict(values)
        settings_values["tier_splits"] = tuple(values.get("tier_splits", ()))
        settings_values["tier_names"] = tuple(values.get("tier_names", ()))

        def run(progress, cancel):
            settings = engine.make_settings(**settings_values)
            # The engine's 0..1 fills the bar to 95%; preparing the views takes the rest,
            # so the bar never moves backwards.
            analysis = engine.analyze(source, settings, progress=lambda step, f: progress(step, 0.95 * f),
                                      cancel=cancel)
            progress("Preparing charts", 0.97)
            customers = analysis.customers
            table = ColumnTable.from_frame(customers, known=CUSTOMER_COLUMNS,
                                           order=CUSTOMER_COLUMN_ORDER)
            figures = charts.all_result_figures(customers, list(settings_values["tier_names"]))
            cards = insights.summary_cards(customers, getattr(analysis, "summary", None))
            return analysis, table, figures, cards

        return self._start("Analysing your customers", run, self._set_analysis)

    def _set_analysis(self, result) -> None:
        analysis, table, figures, cards = result
        self.analysis = analysis
        self.comparison = None
        self.figures = figures
        self.cards = cards
        self.customer_proxy.set_search("", SEARCH_COLUMNS)
        for key in ("tier", "rfm_segment"):
            self.customer_proxy.set_filter(key, None)
        self.customer_model.set_table(table)
        # Text sort keys and search text take seconds on a million customers: build them
        # in the background once the results are on screen, so the first header click or
        # search is quick and the page itself is not slowed down.
        QTimer.singleShot(WARM_UP_DELAY_MS, lambda: threading.Thread(
            target=table.warm_up, args=(SEARCH_COLUMNS + WARM_COLUMNS,),
            name="clv-table-warm-up", daemon=True).start())
        self.tier_profile_model.set_table(_profile_table(getattr(analysis, "segments", None)))
        self.segment_profile_model.set_table(
            _profile_table(getattr(analysis, "rfm_profiles", None)))
        self.migration_model.set_table(ColumnTable.empty())
        self.movement_model.set_table(ColumnTable.empty())
        self.analysis_ready.emit()

    def tier_names(self) -> list[str]:
        names = list(getattr(getattr(self.analysis, "settings", None), "tier_names", ()) or ())
        present = self.customer_model.table.distinct("tier")
        return [n for n in names if n in present] + [n for n in present if n not in names]

    def segment_names(self) -> list[str]:
        return self.customer_model.table.distinct("rfm_segment")

    def filter_customers(self, tier: str | None = None, segment: str | None = None,
                         search: str = "") -> int:
        """Show only matching customers; returns how many are shown."""
        self.customer_proxy.set_filter("tier", tier or None)
        self.customer_proxy.set_filter("rfm_segment", segment or None)
        self.customer_proxy.set_search(search, SEARCH_COLUMNS)
        return self.customer_proxy.rowCount()

    # -- comparison ---------------------------------------------------------------------
    def compare_with(self, old_customers_csv: str) -> bool:
        """Compare this run with a previous run's customers.csv (tier migration)."""
        if self.analysis is None:
            self.failed.emit("Nothing to compare", "Run the analysis first.")
            return False
        engine, new = self.engine, self.analysis.customers
        path = str(old_customers_csv)

        def run(progress, cancel):
            progress("Comparing with the previous run", 0.1)
            return engine.compare_with_previous(path, new)

        def done(comparison):
            self.comparison = comparison
            describe = getattr(comparison, "describe", None)
            self.comparison_lines = list(describe()) if callable(describe) else []
            migration = getattr(comparison, "migration", None)
            movement = getattr(comparison, "movement", None)
            self.migration_model.set_table(_frame_table(migration))
            if isinstance(movement, pd.Series):
                counts = movement.value_counts().rename_axis("movement").rename("customers")
                self.movement_model.set_table(ColumnTable.from_frame(counts.reset_index()))
            self.app_settings.set_last_folder(str(Path(path).parent))
            self.comparison_ready.emit()

        return self._start("Comparing with the previous run", run, done)

    # -- step 5: export -----------------------------------------------------------------
    def email_tools(self) -> dict[str, str]:
        try:
            return self.engine.email_tools()
        except Exception:
            logger.warning("Email tools unavailable", exc_info=True)
            return {}

    def export_email_lists(self, tool: str, out_dir: str, *, tiers: list[str] | None,
                           mode: str = "per-tier", include_no_consent: bool = False,
                           overwrite: bool = False) -> bool:
        if self.analysis is None:
            self.failed.emit("Nothing to export", "Run the analysis first.")
            return False
        engine, customers = self.engine, self.analysis.customers
        self.app_settings.set_export_values({"tool": tool, "mode": mode, "tiers": tiers,
                                             "include_no_consent": include_no_consent})

        def run(progress, cancel):
            progress("Choosing customers", 0.1)
            chosen = customers
            if tiers is not None and "tier" in customers.columns:
                chosen = customers[customers["tier"].isin(list(tiers))]
            Path(out_dir).mkdir(parents=True, exist_ok=True)
            progress("Writing email lists", 0.3)
            result = engine.export_email_lists(chosen, tool, out_dir, mode=mode,
                                               include_no_consent=include_no_consent,
                                               overwrite=overwrite)
            return result, len(customers) - len(chosen)

        def done(outcome):
            result, other_tiers = outcome
            self.last_export = _export_summary(result, other_tiers, out_dir)
            self.app_settings.set_last_folder(out_dir)
            self.export_finished.emit(self.last_export)

        return self._start("Exporting email lists", run, done)

    def write_report(self, path: str) -> bool:
        if self.analysis is None:
            self.failed.emit("Nothing to report", "Run the analysis first.")
            return False
        engine, analysis = self.engine, self.analysis

        def run(progress, cancel):
            progress("Writing the Excel report", 0.2)
            engine.write_excel_report(analysis, path)
            return path

        def done(written):
            size = Path(written).stat().st_size if Path(written).exists() else 0
            text = (f"Excel report written to {written} ({size / 1024:,.0f} KB): summary, "
                    f"{len(analysis.customers):,} customers, tiers and segments.")
            self.last_report = ExportSummary([str(written)], text)
            self.app_settings.set_last_folder(str(Path(written).parent))
            self.report_written.emit(self.last_report)

        return self._start("Writing the Excel report", run, done)


def _profile_table(profiles) -> ColumnTable:
    if profiles is None or not isinstance(profiles, pd.DataFrame):
        return ColumnTable.empty()
    return ColumnTable.from_frame(profiles, known=PROFILE_COLUMNS, order=PROFILE_COLUMN_ORDER,
                                  include_index=not isinstance(profiles.index, pd.RangeIndex))


def _frame_table(frame) -> ColumnTable:
    if frame is None or not isinstance(frame, pd.DataFrame):
        return ColumnTable.empty()
    named_index = frame.index.name is not None or not isinstance(frame.index, pd.RangeIndex)
    return ColumnTable.from_frame(frame, include_index=named_index)


def _export_summary(result, other_tiers: int, out_dir: str) -> ExportSummary:
    files = [str(f) for f in (getattr(result, "files", None) or [])]
    lines = [f"Email lists in {out_dir}:"]
    describe = getattr(result, "describe", None)
    lines += [f"  • {line}" for line in (describe() if callable(describe) else [])]
    if other_tiers:
        lines.append(f"  • {other_tiers:,} customers in tiers you did not choose were not "
                     "exported.")
    return ExportSummary(files, "\n".join(lines))
