"""Application state and actions, between the views and the engine.

The views call the controller's methods and read its Qt models and plain values; the
controller runs engine calls in :class:`~clv_desktop.workers.Job` threads and announces
results with signals. Only this module and :mod:`clv_desktop.results_actions` (through
:mod:`clv_desktop.engine`) touch the engine or pandas on behalf of the views.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from PySide6.QtCore import QObject, QTimer, Signal

from clv_engine.errors import Cancelled, ClvError, InputError

from . import charts, insight_charts, insights
from .app_settings import AppSettings, log_unexpected_error
from .engine import DEFAULT_ROLES, Engine
from .messages import in_app_words
from .models import ColumnTableModel, RowFilterProxy
from .results_actions import CustomerDetail, ExportSummary, ResultActions  # noqa: F401
from .table_data import (
    PROFILE_COLUMN_ORDER, ColumnTable, customer_table, profile_columns,
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
    "retention": ("Retention formula",
                  "A year's margin × the years to come while customers stay, discounted."),
}
SEARCH_COLUMNS = ("name", "email", "customer_id")
WARM_COLUMNS = ("tier", "rfm_segment", "churn_label")
WARM_UP_DELAY_MS = 500
EMAIL_MODES = {"per-tier": "One file per tier", "single": "One file, tier as a tag"}
DATE_ORDERS = {"": "Automatic (from the file)", "DMY": "Day/month/year (31/12/2024)",
               "MDY": "Month/day/year (12/31/2024)", "YMD": "Year-month-day (2024-12-31)"}


@dataclass
class ReadFailure:
    """A file that could not be read as orders: the message in the app's words and, when
    the file itself could be opened, its sheets, columns and first rows."""

    path: str
    message: str
    sheets: list[str]
    sheet: str | None
    columns: list[str]
    preview: pd.DataFrame | None



def _dialog_text(error: ClvError) -> str:
    """An engine message in the app's words, as a sentence of its own in a dialog: a
    capital first letter unless it begins with the file's name."""
    text = in_app_words(str(error))
    return text if getattr(error, "where", None) else text[:1].upper() + text[1:]

class AppController(ResultActions, QObject):
    """Holds the open file, intake result, analysis and comparison; runs the jobs."""

    busy_changed = Signal(bool)
    job_started = Signal(str)
    progressed = Signal(str, float)
    file_changed = Signal()               # a new file is being opened: forget the old one
    data_loaded = Signal()
    read_failed = Signal(object)          # ReadFailure
    analysis_ready = Signal()
    comparison_ready = Signal()
    export_finished = Signal(object)      # ExportSummary
    report_written = Signal(object)       # ExportSummary
    results_saved = Signal(object)        # ExportSummary
    customer_opened = Signal(object)      # results_actions.CustomerDetail
    profile_changed = Signal()            # another group on the 'who buys what' tab
    failed = Signal(str, str)             # title, message for a person
    cancelled = Signal()
    recent_files_changed = Signal()

    def __init__(self, engine=None, app_settings: AppSettings | None = None, parent=None):
        QObject.__init__(self, parent)
        self.engine = engine or Engine()
        self.app_settings = app_settings or AppSettings()
        self.source_path: str | None = None
        self.read_choices: dict = {}          # sheet, date_order, currency, … for this file
        self.read_failure: ReadFailure | None = None
        self.order_data = None
        self.analysis = None
        self.comparison = None
        self.context = insights.ValueContext()
        self.figures: dict = {}
        self.cards: list[insights.Card] = []
        self.method_notes: list[str] = []
        self.comparison_lines: list[str] = []
        self.last_export: ExportSummary | None = None
        self.last_report: ExportSummary | None = None
        self._job: Job | None = None
        self._detached: list[Job] = []      # cancelled jobs left to end by themselves
        self.read_mapping: dict | None = None
        self.shown_filter: dict = {}
        self.preview_model = ColumnTableModel(parent=self)
        self.skipped_model = ColumnTableModel(parent=self)
        self.customer_model = ColumnTableModel(parent=self)
        self.customer_proxy = RowFilterProxy(self)
        self.customer_proxy.setSourceModel(self.customer_model)
        self.tier_profile_model = ColumnTableModel(parent=self)
        self.segment_profile_model = ColumnTableModel(parent=self)
        self.migration_model = ColumnTableModel(parent=self)
        self.movement_model = ColumnTableModel(parent=self)
        self.order_history_model = ColumnTableModel(parent=self)
        self.profile_model = ColumnTableModel(parent=self)
        self.current_customer = None

    # -- jobs ----------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self._job is not None

    def cancel(self) -> None:
        """Ask the running job to stop. A job that can stop at once reports ``cancelled``
        when it has; one that cannot (writing a workbook) is let go: the app is free at
        once and the job throws its work away when it ends."""
        job = self._job
        if job is None:
            return
        job.cancel()
        if job.detach_on_cancel:
            self._job = None
            self._detached.append(job)
            self.busy_changed.emit(False)
            self.cancelled.emit()

    def shutdown(self, timeout_ms: int = 10000) -> None:
        """Cancel the running job and wait (bounded) for its thread before quitting."""
        for job in [self._job, *self._detached]:
            if job is not None:
                job.cancel()
                job.wait(timeout_ms)

    def _start(self, title: str, function, on_success, *, detach_on_cancel=False,
               on_failure=None) -> bool:
        if self._job is not None:
            self.failed.emit("Please wait", "Another task is still running. "
                             "Wait for it to finish or press Cancel.")
            return False
        job = Job(title, function, self)
        job.detach_on_cancel = detach_on_cancel
        job.progressed.connect(lambda step, f: self._job is job and self.progressed.emit(step, f))
        job.succeeded.connect(lambda result: self._finish(job, on_success, result))
        job.failed.connect(lambda error: self._fail(job, error, on_failure))
        self._job = job
        self.busy_changed.emit(True)
        self.job_started.emit(title)
        job.start()
        return True

    def _let_go(self, job: Job) -> bool:
        """True when ``job`` was cancelled and let go (its outcome is ignored)."""
        job.wait()
        if job in self._detached:
            self._detached.remove(job)
            return True
        self._job = None
        self.busy_changed.emit(False)
        return False

    def _finish(self, job: Job, on_success, result) -> None:
        if self._let_go(job):
            return
        try:
            on_success(result)
        except Exception as error:  # a result the views cannot show is still reported
            self._report_error(job.title, error)

    def _fail(self, job: Job, error: BaseException, on_failure=None) -> None:
        if self._let_go(job):
            return
        if isinstance(error, Cancelled):
            self.cancelled.emit()
            return
        if on_failure is not None and on_failure(error):
            return
        self._report_error(job.title, error)

    def _report_error(self, title: str, error: BaseException) -> None:
        if isinstance(error, ClvError):
            self.failed.emit(title, _dialog_text(error))
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
    def read_options(self) -> tuple[str, ...]:
        """Which read choices the engine offers (sheet, date_order, currency, …)."""
        try:
            return tuple(self.engine.read_options())
        except Exception:
            return ("sheet", "date_order", "currency")

    def open_file(self, path: str, mapping: dict | None = None,
                  choices: dict | None = None) -> bool:
        """Read ``path``. A file other than the open one starts from a clean slate: the
        previous file's data, choices and results are forgotten before it is read."""
        path = str(path)
        if self._job is not None:
            self.failed.emit("Please wait", "Another task is still running. "
                             "Wait for it to finish or press Cancel.")
            return False
        same_file = self.source_path is not None and \
            Path(path).resolve() == Path(self.source_path).resolve()
        if not same_file:
            self._forget_file()
            self.source_path = path
            self.file_changed.emit()
        choices = dict(choices if choices is not None else
                       (self.read_choices if same_file else {}))
        engine = self.engine
        offered = self.read_options()
        options = {k: v for k, v in choices.items() if k in offered and v not in ("", None)}

        def read(progress, cancel):
            try:
                return engine.read_orders(path, mapping=mapping, progress=progress, **options)
            except InputError as error:
                return self._peek_after(path, options.get("sheet"), error)

        def loaded(outcome):
            self.read_choices = choices
            self.read_mapping = mapping
            if isinstance(outcome, ReadFailure):
                self._set_failure(outcome)
                return
            self.read_failure = None
            self._set_order_data(outcome)
            if not self._is_sample(path):
                self.app_settings.add_recent_file(path)
                self.recent_files_changed.emit()

        return self._start("Reading the file", read, loaded)

    def _peek_after(self, path: str, sheet, error: InputError) -> ReadFailure:
        """The file's sheets, columns and first rows after ``error`` (raised again when
        the file cannot be opened at all: nothing on the check page could fix that)."""
        try:
            peek = self.engine.peek(path, sheet=sheet)
        except Exception:
            try:
                peek = self.engine.peek(path)
            except Exception:
                raise error from None
        return ReadFailure(path, in_app_words(str(error)), list(peek.get("sheets") or []),
                           peek.get("sheet"), [str(c) for c in peek.get("columns") or []],
                           peek.get("preview"))

    def _forget_file(self) -> None:
        self.order_data = None
        self.read_failure = None
        self.read_choices = {}
        self.read_mapping = None
        self._forget_results()
        self.preview_model.set_table(ColumnTable.empty())
        self.skipped_model.set_table(ColumnTable.empty())

    def _forget_results(self) -> None:
        self.analysis = None
        self.comparison = None
        self.current_customer = None
        self.figures, self.cards, self.method_notes = {}, [], []
        self.customer_model.set_table(ColumnTable.empty())
        for model in (self.tier_profile_model, self.segment_profile_model,
                      self.migration_model, self.movement_model, self.order_history_model,
                      self.profile_model):
            model.set_table(ColumnTable.empty())

    def _set_failure(self, failure: ReadFailure) -> None:
        self.order_data = None
        self._forget_results()
        self.read_failure = failure
        preview = failure.preview
        self.preview_model.set_table(ColumnTable.from_frame(preview) if preview is not None
                                     and len(preview.columns) else ColumnTable.empty())
        self.skipped_model.set_table(ColumnTable.empty())
        self.read_failed.emit(failure)

    def open_sample(self) -> bool:
        try:
            path = self.engine.sample_path()
        except Exception as error:
            self._report_error("Opening the sample data", error)
            return False
        return self.open_file(str(path))

    def reread_with_mapping(self, mapping: dict, choices: dict | None = None) -> bool:
        """Read the open file again with the user's column choices (role -> header; an
        empty header means the role is not used) and read choices (sheet, date order…)."""
        if self.source_path is None:
            return False
        chosen = {role: column or "" for role, column in mapping.items()}
        if choices is not None and "sheet" in choices:
            before = self.read_choices.get("sheet") or None  # None: the engine's own choice
            after = choices.get("sheet") or None
            if after != (before or self.current_read_choices().get("sheet")) and after != before:
                chosen = None  # another sheet has other columns: find them again
        return self.open_file(self.source_path, mapping=chosen, choices=choices)

    def _is_sample(self, path: str) -> bool:
        try:
            return Path(path).resolve() == Path(self.engine.sample_path()).resolve()
        except Exception:
            return False

    def _set_order_data(self, order_data) -> None:
        self.order_data = order_data
        self._forget_results()
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
        if self.read_failure is not None:
            return list(self.read_failure.columns)
        report = getattr(self.order_data, "report", None)
        return [str(c) for c in (getattr(report, "columns", None) or [])]

    def mapping(self) -> dict[str, str]:
        if self.read_failure is not None:
            return {k: v for k, v in (self.read_mapping or {}).items() if v}
        report = getattr(self.order_data, "report", None)
        return {str(k): str(v) for k, v in (getattr(report, "mapping", None) or {}).items()}

    def sheets(self) -> list[str]:
        """The workbook's sheets (empty for a text file)."""
        if self.read_failure is not None:
            return list(self.read_failure.sheets)
        report = getattr(self.order_data, "report", None)
        sheets = list(getattr(report, "sheets", None) or [])
        sheet = getattr(report, "sheet", None)
        if not sheets and sheet:
            sheets = self._sheets_of(self.source_path) or [sheet]
        return sheets

    def sheets_read(self) -> list[str]:
        """The sheets whose rows the open data holds (several: read as one table)."""
        report = getattr(self.order_data, "report", None)
        return list(getattr(report, "sheets_read", None) or [])

    def _sheets_of(self, path) -> list[str]:
        try:
            return list(self.engine.peek(path, rows=0).get("sheets") or [])
        except Exception:
            return []

    def current_read_choices(self) -> dict:
        """The read choices in effect: what the user chose, else what the engine found."""
        report = getattr(self.order_data, "report", None)
        found = {"sheet": getattr(report, "sheet", None) or
                 (self.read_failure.sheet if self.read_failure else None),
                 "date_order": "", "currency": getattr(report, "currency", None) or ""}
        found.update({k: v for k, v in self.read_choices.items() if v not in (None, "")})
        return found

    def date_question(self) -> str:
        """A sentence when nothing in the file settled day/month against month/day."""
        report = getattr(self.order_data, "report", None)
        if not getattr(report, "date_order_ambiguous", False):
            return ""
        order = str(getattr(report, "date_order", "") or "")
        which = DATE_ORDERS.get(order, order).split(" (")[0].lower() or "one order"
        why = str(getattr(report, "date_order_why", "") or "")
        because = f" ({why})" if why else ""
        return (f"Check the dates: every date in this file could be day/month or month/day "
                f"(05/03 is 5 March or 3 May). They were read as {which}{because}. Compare "
                "a date you know in the first rows below; if it is wrong, choose the other "
                "order under Date order and press Read again.")

    def value_source_text(self) -> str:
        """How order values were found when the file has no order total."""
        source = getattr(getattr(self.order_data, "report", None), "value_source", "amount")
        if any("no order total" in note for note in self.intake_notes()):
            return ""  # the engine's own note says it
        return {"quantity": "Order values are quantity × unit price (less discounts), added "
                            "up per order: the file has no order total.",
                "line_total": "Order values are the line totals added up per order: the file "
                              "has no order total."}.get(str(source), "")

    def detected_date_order(self) -> str:
        return str(getattr(getattr(self.order_data, "report", None), "date_order", "") or "")

    def layout_text(self) -> str:
        if self.read_failure is not None:
            return f"{Path(self.read_failure.path).name} could not be read as an order list."
        return insights.layout_sentence(self.order_data.report) if self.order_data else ""

    def intake_text(self) -> str:
        return insights.intake_sentence(self.order_data.report) if self.order_data else ""

    def intake_notes(self) -> list[str]:
        report = getattr(self.order_data, "report", None)
        return [in_app_words(str(n)) for n in (getattr(report, "notes", None) or [])]

    def skipped_count(self) -> int:
        return self.skipped_model.rowCount()

    def save_skipped_rows(self, path: str) -> str:
        """Write the skipped rows (row, reason, detail) to a CSV file; returns a sentence."""
        skipped = getattr(getattr(self.order_data, "report", None), "skipped", None)
        if skipped is None:
            skipped = pd.DataFrame(columns=["row", "reason", "detail"])
        try:
            from clv_engine.csv_writer import to_csv_text

            # the details quote the file's cells: written so no spreadsheet runs one as a formula
            Path(path).write_text(to_csv_text(skipped, excel_safe=True), encoding="utf-8")
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
        lifespan = get("lifespan_years", None)
        return {
            "method": str(get("method", "auto")),
            "horizon_months": float(get("horizon_months", 12)),
            "discount_rate": float(get("discount_rate", 0.10)),
            "margin": float(get("margin", 1.0)),
            "acquisition_cost": float(get("acquisition_cost", 0.0) or 0.0),
            "lifespan_years": None if lifespan is None else float(lifespan),
            "tier_splits": list(get("tier_splits", (0.2, 0.3, 0.5)) or ()),
            "tier_names": list(get("tier_names", ("High", "Medium", "Low")) or ()),
        }

    def settings_values(self) -> dict:
        """Defaults overlaid with what the user chose last time."""
        values = self.settings_defaults()
        saved = self.app_settings.analysis_values()
        values.update({k: v for k, v in saved.items() if k in values})
        return values

    def _settings_from(self, values: dict):
        settings_values = dict(values)
        settings_values["tier_splits"] = tuple(values.get("tier_splits", ()))
        settings_values["tier_names"] = tuple(values.get("tier_names", ()))
        settings = self.engine.make_settings(**settings_values)
        validate = getattr(settings, "validate", None)
        return validate() if callable(validate) else settings

    def check_settings(self, values: dict) -> str | None:
        """None when the engine accepts ``values``; else the reason, in the app's words."""
        try:
            self._settings_from(values)
        except ClvError as error:
            return _dialog_text(error)
        return None

    def analyse(self, values: dict) -> bool:
        """Check the form's values, remember them, then run the whole pipeline."""
        if self.order_data is None:
            self.failed.emit("Nothing to analyse", "Open an order file first; if it could "
                             "not be read, fix the choices on the Check data page.")
            return False
        try:
            settings = self._settings_from(values)
        except ClvError as error:
            self.failed.emit("Settings", _dialog_text(error))
            return False
        self.app_settings.set_analysis_values(values)
        engine, source = self.engine, self.order_data
        tier_names = list(values.get("tier_names", ()))

        def run(progress, cancel):
            # The engine's 0..1 fills the bar to 95%; preparing the views takes the rest,
            # so the bar never moves backwards.
            analysis = engine.analyze(source, settings, progress=lambda step, f: progress(step, 0.95 * f),
                                      cancel=cancel)
            progress("Preparing charts", 0.97)
            customers = analysis.customers
            summary = getattr(analysis, "summary", None) or {}
            context = insights.ValueContext.from_run(summary, settings)
            table = customer_table(customers, context)
            figures = charts.all_result_figures(customers, tier_names, context=context)
            figures.update(insight_charts.all_insight_figures(
                getattr(analysis, "insights", None), context))
            cards = insights.summary_cards(customers, summary, context)
            notes = insights.method_notes(summary, context)
            return analysis, table, figures, cards, notes, context

        return self._start("Analysing your customers", run, self._set_analysis)

    def _set_analysis(self, result) -> None:
        analysis, table, figures, cards, notes, context = result
        self.analysis = analysis
        self.comparison = None
        self.context = context
        self.figures = figures
        self.cards = cards
        self.method_notes = notes
        self.customer_proxy.set_search("", SEARCH_COLUMNS)
        for key in ("tier", "rfm_segment", "churn_label"):
            self.customer_proxy.set_filter(key, None)
        self.customer_model.set_table(table)
        # Text sort keys and search text take seconds on a million customers: build them
        # in the background once the results are on screen, so the first header click or
        # search is quick and the page itself is not slowed down.
        QTimer.singleShot(WARM_UP_DELAY_MS, lambda: threading.Thread(
            target=table.warm_up, args=(SEARCH_COLUMNS + WARM_COLUMNS,),
            name="clv-table-warm-up", daemon=True).start())
        profiles = profile_columns(context)
        self.tier_profile_model.set_table(_profile_table(getattr(analysis, "segments", None),
                                                         profiles))
        self.segment_profile_model.set_table(
            _profile_table(getattr(analysis, "rfm_profiles", None), profiles))
        self.migration_model.set_table(ColumnTable.empty())
        self.movement_model.set_table(ColumnTable.empty())
        self.analysis_ready.emit()

    def tier_names(self) -> list[str]:
        names = list(getattr(getattr(self.analysis, "settings", None), "tier_names", ()) or ())
        present = self.customer_model.table.distinct("tier")
        return [n for n in names if n in present] + [n for n in present if n not in names]

    def segment_names(self) -> list[str]:
        return self.customer_model.table.distinct("rfm_segment")

    def churn_labels(self) -> list[str]:
        present = self.customer_model.table.distinct("churn_label")
        order = [n for n in ("High", "Medium", "Low") if n in present]
        return order + [n for n in present if n not in order]

    def filter_customers(self, tier: str | None = None, segment: str | None = None,
                         search: str = "", churn: str | None = None) -> int:
        """Show only matching customers; returns how many are shown."""
        self.customer_proxy.set_filter("tier", tier or None)
        self.customer_proxy.set_filter("rfm_segment", segment or None)
        self.customer_proxy.set_filter("churn_label", churn or None)
        self.customer_proxy.set_search(search, SEARCH_COLUMNS)
        self.shown_filter = {"tier": tier or None, "segment": segment or None,
                             "churn": churn or None, "search": search.strip()}
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


def _profile_table(profiles, known) -> ColumnTable:
    if profiles is None or not isinstance(profiles, pd.DataFrame):
        return ColumnTable.empty()
    return ColumnTable.from_frame(profiles, known=known, order=PROFILE_COLUMN_ORDER,
                                  include_index=not isinstance(profiles.index, pd.RangeIndex))


def _frame_table(frame) -> ColumnTable:
    if frame is None or not isinstance(frame, pd.DataFrame):
        return ColumnTable.empty()
    named_index = frame.index.name is not None or not isinstance(frame.index, pd.RangeIndex)
    return ColumnTable.from_frame(frame, include_index=named_index)
