"""``clv-desktop --smoke FILE --out DIR [--size WxH …]``: the real window, offscreen.

Open → check → settings → analyse → results (overview, customers, one customer's page,
segments, who buys what) → save all result files → compare with them → export the "At risk" segment
(else the largest segment) from the customer table → Excel report, saving a PNG of each
page into DIR at each size (``1024x700/01-start.png`` …). Returns 0 on success;
otherwise prints one line and returns 1.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QApplication

from .app_settings import AppSettings
from .controller import AppController
from .main_window import CHECK, EXPORT, RESULTS, SETTINGS, MainWindow
from .pages.results import COMPARE, INSIGHTS, SEGMENTS

STEP_TIMEOUT_MS = 300_000
DEFAULT_SIZES = ((1024, 700), (1440, 900))


class SmokeFailure(Exception):
    """A smoke step did not finish as expected (message is the one-line reason)."""


def parse_sizes(values: list[str] | None) -> list[tuple[int, int]]:
    """['1024x700'] -> [(1024, 700)]; the defaults when none are given."""
    if not values:
        return list(DEFAULT_SIZES)
    sizes = []
    for value in values:
        try:
            width, height = (int(part) for part in value.lower().split("x"))
        except ValueError:
            raise ValueError(f"--size {value!r} is not WIDTHxHEIGHT, e.g. 1024x700") from None
        if not (320 <= width <= 8000 and 240 <= height <= 8000):
            raise ValueError(f"--size {value!r} is out of range (320x240 to 8000x8000)")
        sizes.append((width, height))
    return sizes


def _wait(signal, controller: AppController, what: str, timeout_ms: int = STEP_TIMEOUT_MS):
    loop = QEventLoop()
    outcome: dict = {}
    connections = [
        signal.connect(lambda *a: (outcome.setdefault("ok", a), loop.quit())),
        controller.failed.connect(lambda t, m: (outcome.setdefault("error", f"{t}: {m}"),
                                                loop.quit())),
        controller.cancelled.connect(lambda: (outcome.setdefault("error", "cancelled"),
                                              loop.quit())),
    ]
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    for source, connection in zip((signal, controller.failed, controller.cancelled),
                                  connections):
        source.disconnect(connection)
    if "error" in outcome:
        raise SmokeFailure(f"{what} failed: {' '.join(outcome['error'].split())}")
    if "ok" not in outcome:
        raise SmokeFailure(f"{what} did not finish within {timeout_ms // 1000} s")
    return outcome["ok"]


def _settle(ms: int = 150) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()
    QApplication.processEvents()


class _Camera:
    """Saves the window at every size under ``out/WxH/NN-name.png``."""

    def __init__(self, window: MainWindow, out: Path, sizes):
        self.window, self.out, self.sizes = window, out, list(sizes)
        self.count = 0
        for width, height in self.sizes:
            (out / f"{width}x{height}").mkdir(parents=True, exist_ok=True)

    def snap(self, name: str, before=None) -> None:
        self.count += 1
        for width, height in self.sizes:
            self.window.resize(width, height)
            _settle()
            if before is not None:
                before()
                _settle(50)
            path = self.out / f"{width}x{height}" / f"{self.count:02d}-{name}.png"
            if not self.window.grab().save(str(path)):
                raise SmokeFailure(f"could not save {path}")


def run_smoke(source: str, out_dir: str, sizes=DEFAULT_SIZES) -> int:
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        if not Path(source).is_file():
            raise SmokeFailure(f"{source} is not a file")
        count = _drive(source, out, sizes)
    except SmokeFailure as failure:
        print(f"clv-desktop smoke: {failure}", file=sys.stderr)
        return 1
    print(f"clv-desktop smoke: ok, {count} pages at {len(list(sizes))} sizes in {out}")
    return 0


def _segment_to_export(window: MainWindow) -> str:
    names = window.controller.segment_names()
    if "At risk" in names:
        return "At risk"
    if not names:
        raise SmokeFailure("the analysis has no segments to export")
    counts = window.controller.analysis.customers["rfm_segment"].value_counts()
    return str(counts.index[0])


def _drive(source: str, out: Path, sizes) -> int:
    settings_dir = tempfile.mkdtemp(prefix="clv-smoke-settings-")
    qsettings = QSettings(str(Path(settings_dir) / "settings.ini"), QSettings.Format.IniFormat)
    controller = AppController(app_settings=AppSettings(qsettings))
    window = MainWindow(controller)
    window.show()
    camera = _Camera(window, out, sizes)
    camera.snap("start")

    controller.open_file(source)
    _wait(controller.data_loaded, controller, "opening the file")
    if window.current_step() != CHECK:
        raise SmokeFailure("the check page was not shown after opening")
    camera.snap("check")

    window.go_to(SETTINGS)
    camera.snap("settings")
    window.analyse()
    _wait(controller.analysis_ready, controller, "analysing")
    if window.current_step() != RESULTS:
        raise SmokeFailure("the results page was not shown after analysing")
    results = window.results_page
    results.tabs.setCurrentIndex(0)
    camera.snap("results-overview")
    results.tabs.setCurrentWidget(results.customers)
    camera.snap("results-customers")
    results.open_customer_at(0)
    if not results.showing_customer():
        raise SmokeFailure("the customer page did not open")
    camera.snap("customer")
    results.show_customer_table()
    results.tabs.setCurrentIndex(SEGMENTS)
    camera.snap("results-segments")
    if results.tabs.isTabVisible(INSIGHTS):
        results.tabs.setCurrentIndex(INSIGHTS)
        camera.snap("results-who-buys-what")

    saved = out / "results"
    controller.save_results(str(saved))
    _wait(controller.results_saved, controller, "saving the result files")
    controller.compare_with(str(saved / "customers.csv"))
    _wait(controller.comparison_ready, controller, "comparing runs")
    results.tabs.setCurrentIndex(COMPARE)
    camera.snap("results-compare")

    segment = _segment_to_export(window)
    results.tabs.setCurrentWidget(results.customers)
    results.segment_filter.setCurrentIndex(results.segment_filter.findData(segment))
    results.export_shown_button.click()
    if window.current_step() != EXPORT or not window.export_page.scope_shown.isChecked():
        raise SmokeFailure("'Export these customers' did not open the export page")
    page = window.export_page
    tool = page.tool.findData("klaviyo")
    page.tool.setCurrentIndex(max(tool, 0))
    page.folder.setText(str(out / "email-lists"))
    page.overwrite.setChecked(True)
    page.export_lists()
    _wait(controller.export_finished, controller, f"exporting the {segment} segment")
    area = window.pages.widget(EXPORT)

    def show_summary():  # what was written, at the foot of the page
        area.ensureWidgetVisible(page.summary)

    camera.snap("export", before=show_summary)
    controller.write_report(str(out / "clv-report.xlsx"))
    _wait(controller.report_written, controller, "writing the Excel report")
    camera.snap("report", before=show_summary)
    window.close()
    return camera.count
