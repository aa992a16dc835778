"""Steps the window tests share: a small order file, opening it, analysing it."""
from __future__ import annotations

WAIT = 10_000


def order_file(tmp_path, name="orders.csv"):
    path = tmp_path / name
    path.write_text("Name,Email,Created at,Total\n#1,a@x.org,2024-01-01,10\n")
    return path


def open_file(qtbot, window, path):
    with qtbot.waitSignal(window.controller.data_loaded, timeout=WAIT):
        window.open_path(str(path))


def analyse(qtbot, window):
    with qtbot.waitSignal(window.controller.analysis_ready, timeout=WAIT):
        window.analyse()
