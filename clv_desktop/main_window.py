"""The main window: step list, pages, menus, progress bar with Cancel, error dialogs."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout, QLabel, QListWidget, QMainWindow,
    QMessageBox, QProgressBar, QPushButton, QStackedWidget, QTextBrowser, QVBoxLayout, QWidget,
)

from .controller import AppController
from .glossary import glossary_html
from .pages.check import CheckPage
from .pages.export import ExportPage
from .pages.results import ResultsPage
from .pages.settings_page import SettingsPage
from .pages.start import FILE_FILTER, StartPage
from .widgets import scrollable

START, CHECK, SETTINGS, RESULTS, EXPORT = range(5)
STEP_NAMES = ("1  Start", "2  Check data", "3  Settings", "4  Results", "5  Export")
OPENABLE = {".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls", ".ods"}


class MainWindow(QMainWindow):
    """Wires the pages to the controller; shows progress and errors."""

    def __init__(self, controller: AppController | None = None, parent=None):
        super().__init__(parent)
        self.controller = controller or AppController(parent=self)
        self.setWindowTitle("CLV Toolkit")
        self.setAcceptDrops(True)
        self.last_error: QMessageBox | None = None

        self.steps = QListWidget()
        self.steps.addItems(STEP_NAMES)
        self.steps.setAccessibleName("Steps")
        self.steps.setFixedWidth(self.fontMetrics().averageCharWidth() * 20)
        self.pages = QStackedWidget()
        self.start_page = StartPage()
        self.check_page = CheckPage(self.controller)
        self.settings_page = SettingsPage(self.controller)
        self.results_page = ResultsPage(self.controller)
        self.export_page = ExportPage(self.controller)
        for page in (self.start_page, self.check_page, self.settings_page):
            self.pages.addWidget(scrollable(page))
        self.pages.addWidget(self.results_page)
        self.pages.addWidget(scrollable(self.export_page))
        central = QWidget()
        central_layout = QHBoxLayout(central)
        central_layout.addWidget(self.steps)
        central_layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        self.steps.currentRowChanged.connect(self.pages.setCurrentIndex)

        self._build_status_bar()
        self._build_menus()
        self._connect()
        self.start_page.set_recent_files(self.controller.app_settings.recent_files())
        self._enable_steps()
        self.go_to(START)

    # -- building -----------------------------------------------------------------------
    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.progress_label = QLabel()
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setMaximumWidth(self.fontMetrics().averageCharWidth() * 30)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the running task (Esc)")
        self.cancel_button.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.cancel_button.setAutoDefault(True)
        self.cancel_button.clicked.connect(self._cancel)
        busy = QWidget()
        layout = QHBoxLayout(busy)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.progress_label)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.cancel_button)
        bar.addPermanentWidget(busy)
        self.busy_widget = busy
        busy.setVisible(False)

    def _action(self, text: str, slot, shortcut=None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.open_action = self._action("&Open…", self.choose_file, QKeySequence.StandardKey.Open)
        self.sample_action = self._action("Try with &sample data", self.open_sample)
        self.recent_menu = file_menu.addMenu("&Recent files")
        self.report_action = self._action("Save Excel &report…",
                                          self.export_page.choose_report_path,
                                          QKeySequence.StandardKey.Save)
        self.save_results_action = self._action("Save &all result files…",
                                                self.export_page.choose_results_folder,
                                                "Ctrl+Shift+S")
        quit_action = self._action("&Quit", self.close, QKeySequence.StandardKey.Quit)
        file_menu.insertAction(self.recent_menu.menuAction(), self.open_action)
        file_menu.insertAction(self.recent_menu.menuAction(), self.sample_action)
        file_menu.addSeparator()
        file_menu.addAction(self.save_results_action)
        file_menu.addAction(self.report_action)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)

        go_menu = self.menuBar().addMenu("&Go")
        self.step_actions = []
        for index, name in enumerate(STEP_NAMES):
            action = self._action(name.split("  ", 1)[1], lambda _=False, i=index: self.go_to(i),
                                  f"Ctrl+{index + 1}")
            go_menu.addAction(action)
            self.step_actions.append(action)
        go_menu.addSeparator()
        self.analyse_action = self._action("&Analyse", self.analyse, "Ctrl+R")
        go_menu.addAction(self.analyse_action)
        self.find_action = self._action("&Find customer", self.focus_search,
                                        QKeySequence.StandardKey.Find)
        go_menu.addAction(self.find_action)
        help_menu = self.menuBar().addMenu("&Help")
        self.glossary_action = self._action("&Glossary", self.show_glossary,
                                            QKeySequence.StandardKey.HelpContents)
        help_menu.addAction(self.glossary_action)
        self._fill_recent_menu()

    def _connect(self) -> None:
        c = self.controller
        self.start_page.open_requested.connect(self.choose_file)
        self.start_page.sample_requested.connect(self.open_sample)
        self.start_page.recent_chosen.connect(self.open_path)
        self.check_page.continue_requested.connect(lambda: self.go_to(SETTINGS))
        self.check_page.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.settings_page.analyse_requested.connect(self.analyse)
        self.results_page.export_shown_requested.connect(self.export_shown)
        c.busy_changed.connect(self._set_busy)
        c.job_started.connect(self._job_started)
        c.progressed.connect(self._progress)
        c.data_loaded.connect(self._data_loaded)
        c.read_failed.connect(self._read_failed)
        c.file_changed.connect(self._enable_steps)
        c.analysis_ready.connect(self._analysis_ready)
        c.failed.connect(self.show_error)
        c.cancelled.connect(lambda: self.statusBar().showMessage("Cancelled.", 5000))
        c.recent_files_changed.connect(self._recent_changed)
        for signal in (c.export_finished, c.report_written, c.results_saved):
            signal.connect(lambda summary: self.statusBar().showMessage(summary.status, 15000))

    # -- navigation ---------------------------------------------------------------------
    def go_to(self, step: int) -> None:
        item = self.steps.item(step)
        if item is not None and item.flags() & Qt.ItemFlag.ItemIsEnabled:
            self.steps.setCurrentRow(step)

    def current_step(self) -> int:
        return self.pages.currentIndex()

    def _enable_steps(self) -> None:
        c = self.controller
        available = [True, c.order_data is not None or c.read_failure is not None,
                     c.order_data is not None,
                     c.analysis is not None, c.analysis is not None]
        for index, enabled in enumerate(available):
            item = self.steps.item(index)
            flags = item.flags()
            item.setFlags(flags | Qt.ItemFlag.ItemIsEnabled if enabled
                          else flags & ~Qt.ItemFlag.ItemIsEnabled)
            self.step_actions[index].setEnabled(enabled)
        self.analyse_action.setEnabled(c.order_data is not None)
        self.report_action.setEnabled(c.analysis is not None)
        self.save_results_action.setEnabled(c.analysis is not None)
        self.find_action.setEnabled(c.analysis is not None)

    def focus_search(self) -> None:
        self.go_to(RESULTS)
        self.results_page.tabs.setCurrentWidget(self.results_page.customers)
        self.results_page.show_customer_table()
        self.results_page.search.setFocus()
        self.results_page.search.selectAll()

    # -- actions ------------------------------------------------------------------------
    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open an order file",
                                              self.controller.app_settings.last_folder(),
                                              FILE_FILTER)
        if path:
            self.open_path(path)

    def open_path(self, path: str) -> None:
        if not Path(path).is_file():
            self.show_error("Opening a file", f"{Path(path).name} was not found at {path}. "
                            "It may have been moved or deleted; open it from its new place.")
            return
        self.controller.open_file(path)

    def open_sample(self) -> None:
        self.controller.open_sample()

    def analyse(self) -> None:
        try:
            values = self.settings_page.values()
        except ValueError as error:
            self.go_to(SETTINGS)
            self.show_error("Settings", str(error))
            return
        problem = self.controller.check_settings(values)
        if problem is not None:
            self.go_to(SETTINGS)
            self.show_error("Settings", problem)
            return
        self.controller.analyse(values)

    def export_shown(self) -> None:
        """Export exactly the customers the table shows (from Results › Customers)."""
        self.go_to(EXPORT)
        self.export_page.show_scope(True)
        self.export_page.export_button.setFocus()

    def show_glossary(self) -> QDialog:
        dialog = QDialog(self)
        dialog.setWindowTitle("Glossary")
        layout = QVBoxLayout(dialog)
        text = QTextBrowser()
        text.setHtml(glossary_html())
        text.setAccessibleName("Glossary")
        layout.addWidget(text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(dialog.reject)
        layout.addWidget(buttons)
        height = self.fontMetrics().height()
        dialog.resize(height * 36, height * 30)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.glossary_dialog = dialog
        dialog.open()
        return dialog

    # -- controller signals -------------------------------------------------------------
    def _set_busy(self, busy: bool) -> None:
        self.busy_widget.setVisible(busy)
        for widget in (self.start_page, self.check_page, self.settings_page,
                       self.export_page):
            widget.setEnabled(not busy)
        for action in (self.open_action, self.sample_action, self.analyse_action,
                       self.report_action, self.save_results_action):
            action.setEnabled(not busy)
        if busy:
            self.statusBar().clearMessage()  # the progress label takes the bar: no text under it
            self.cancel_button.setFocus()
        else:
            self._enable_steps()
            self.statusBar().clearMessage()

    def _read_failed(self, failure) -> None:
        self._enable_steps()
        self.go_to(CHECK)
        self.statusBar().showMessage(f"{Path(failure.path).name} could not be read: see "
                                     "the Check data page.", 10000)

    def _job_started(self, title: str) -> None:
        self.cancel_button.setEnabled(True)
        self.progress_label.setText(f"{title}…")
        self.progress_bar.setRange(0, 0)  # busy indicator until the first progress report

    def _cancel(self) -> None:
        """Say at once that the task is stopping (a model fit stops at its next step, which can
        take a few seconds) and take the button away, so it is not pressed again."""
        self.cancel_button.setEnabled(False)
        self.progress_label.setText("Cancelling…")
        self.controller.cancel()

    def _progress(self, step: str, fraction: float) -> None:
        if not self.cancel_button.isEnabled():  # cancelling: the label keeps saying so
            return
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setValue(int(fraction * 1000))
        self.progress_label.setText(f"{step}…")

    def _data_loaded(self) -> None:
        self._enable_steps()
        self.go_to(CHECK)
        self.statusBar().showMessage(self.controller.intake_text(), 8000)

    def _analysis_ready(self) -> None:
        self._enable_steps()
        self.go_to(RESULTS)
        self.results_page.tabs.setCurrentIndex(0)

    def _recent_changed(self) -> None:
        self.start_page.set_recent_files(self.controller.app_settings.recent_files())
        self._fill_recent_menu()

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.controller.app_settings.recent_files()
        for path in recent:
            action = self.recent_menu.addAction(Path(path).name)
            action.setToolTip(path)
            action.triggered.connect(lambda _=False, p=path: self.open_path(p))
        self.recent_menu.setEnabled(bool(recent))

    def show_error(self, title: str, message: str) -> QMessageBox:
        """A friendly, window-modal message that does not block the event loop."""
        box = QMessageBox(QMessageBox.Icon.Warning, title, message,
                          QMessageBox.StandardButton.Ok, self)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.last_error = box
        box.open()
        return box

    # -- drag and drop ------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:
        if _dropped_file(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        path = _dropped_file(event.mimeData())
        if path is not None and not self.controller.busy:
            event.acceptProposedAction()
            self.open_path(path)

    def closeEvent(self, event) -> None:
        self.controller.shutdown()
        self.controller.app_settings.sync()
        super().closeEvent(event)


def _dropped_file(mime) -> str | None:
    if not mime.hasUrls():
        return None
    for url in mime.urls():
        if url.isLocalFile() and Path(url.toLocalFile()).suffix.lower() in OPENABLE:
            return url.toLocalFile()
    return None
