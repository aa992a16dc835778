"""``clv-desktop --smoke FILE --out DIR``: the real window, offscreen, every step.

Open → check → settings → analyse → results (each tab) → export lists → Excel report,
saving a PNG of each view into DIR. Returns 0 on success; otherwise prints one line.
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

STEP_TIMEOUT_MS = 300_000


class SmokeFailure(Exception):
    """A smoke step did not finish as expected (message is the one-line reason)."""


def _wait(signal, controller: AppController, what: str, timeout_ms: int = STEP_TIMEOUT_MS):
    loop = QEventLoop()
    outcome: dict = {}
    signal.connect(lambda *a: (outcome.setdefault("ok", a), loop.quit()))
    controller.failed.connect(lambda t, m: (outcome.setdefault("error", f"{t}: {m}"),
                                            loop.quit()))
    controller.cancelled.connect(lambda: (outcome.setdefault("error", "cancelled"),
                                          loop.quit()))
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
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


def _snap(window: MainWindow, out: Path, name: str, shots: list[str]) -> None:
    _settle()
    path = out / f"{len(shots) + 1:02d}-{name}.png"
    if not window.grab().save(str(path)):
        raise SmokeFailure(f"could not save {path}")
    shots.append(path.name)


def run_smoke(source: str, out_dir: str) -> int:
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        if not Path(source).is_file():
            raise SmokeFailure(f"{source} is not a file")
        shots = _drive(source, out)
    except SmokeFailure as failure:
        print(f"clv-desktop smoke: {failure}", file=sys.stderr)
        return 1
    print(f"clv-desktop smoke: ok, {len(shots)} screenshots in {out}")
    return 0


def _drive(source: str, out: Path) -> list[str]:
    settings_dir = tempfile.mkdtemp(prefix="clv-smoke-settings-")
    qsettings = QSettings(str(Path(settings_dir) / "settings.ini"), QSettings.Format.IniFormat)
    controller = AppController(app_settings=AppSettings(qsettings))
    window = MainWindow(controller)
    height = window.fontMetrics().height()
    window.resize(height * 80, height * 50)
    window.show()
    shots: list[str] = []
    _snap(window, out, "start", shots)

    controller.open_file(source)
    _wait(controller.data_loaded, controller, "opening the file")
    if window.current_step() != CHECK:
        raise SmokeFailure("the check page was not shown after opening")
    _snap(window, out, "check", shots)

    window.go_to(SETTINGS)
    _snap(window, out, "settings", shots)
    window.analyse()
    _wait(controller.analysis_ready, controller, "analysing")
    if window.current_step() != RESULTS:
        raise SmokeFailure("the results page was not shown after analysing")
    tabs = window.results_page.tabs
    for index, name in enumerate(("results-overview", "results-customers",
                                  "results-segments")):
        tabs.setCurrentIndex(index)
        _snap(window, out, name, shots)
    customers_csv = out / "previous-customers.csv"
    controller.analysis.customers.to_csv(customers_csv, index=False)
    controller.compare_with(str(customers_csv))
    _wait(controller.comparison_ready, controller, "comparing runs")
    tabs.setCurrentIndex(3)
    _snap(window, out, "results-compare", shots)

    window.go_to(EXPORT)
    page = window.export_page
    page.folder.setText(str(out / "email-lists"))
    page.overwrite.setChecked(True)
    page.export_lists()
    _wait(controller.export_finished, controller, "exporting email lists")
    _snap(window, out, "export", shots)
    controller.write_report(str(out / "clv-report.xlsx"))
    _wait(controller.report_written, controller, "writing the Excel report")
    _snap(window, out, "report", shots)
    window.close()
    return shots
