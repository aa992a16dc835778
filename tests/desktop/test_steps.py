"""The window, step by step, against a fake engine (open, check, settings, results, export)."""
from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from pathlib import Path  # noqa: E402

import pandas as pd  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from clv_desktop.main_window import CHECK, RESULTS, SETTINGS, START  # noqa: E402
from clv_engine.errors import InputError  # noqa: E402

from .steps import WAIT  # noqa: E402
from .steps import analyse as _analyse  # noqa: E402
from .steps import open_file as _open  # noqa: E402
from .steps import order_file as _order_file  # noqa: E402


def test_start_page_lists_recent_files_and_only_start_is_available(window, tmp_path):
    assert window.current_step() == START
    assert not window.steps.item(CHECK).flags() & Qt.ItemFlag.ItemIsEnabled
    window.controller.app_settings.add_recent_file(str(_order_file(tmp_path)))
    window.controller.recent_files_changed.emit()
    assert window.start_page.recent_list.count() == 1
    assert window.recent_menu.actions()[0].text() == "orders.csv"


def test_opening_a_file_shows_layout_mapping_report_and_preview(qtbot, window, tmp_path):
    _open(qtbot, window, _order_file(tmp_path))
    page = window.check_page
    assert window.current_step() == CHECK
    assert "Shopify orders export" in page.layout_label.text()
    assert page.report_label.text() == ("12 rows read; 10 used; 2 skipped: "
                                        "1 cancelled order, 1 no amount.")
    assert page.role_boxes["date"].currentText() == "Created at"
    assert page.role_boxes["customer_id"].currentData() == ""
    assert window.controller.preview_model.rowCount() == 2
    assert page.skipped_heading.text() == "Skipped rows (2)"
    recent = window.controller.app_settings.recent_files()
    assert recent == [str(Path(tmp_path / "orders.csv").resolve())]


def test_changing_a_column_reads_the_file_again_with_that_mapping(qtbot, window, fake_engine,
                                                                  tmp_path):
    _open(qtbot, window, _order_file(tmp_path))
    box = window.check_page.role_boxes["customer_id"]
    box.setCurrentIndex(box.findData("Email"))
    with qtbot.waitSignal(window.controller.data_loaded, timeout=WAIT):
        window.check_page.reread_button.click()
    mapping = fake_engine.calls[-1][2]
    assert mapping["customer_id"] == "Email" and mapping["date"] == "Created at"
    assert window.check_page.role_boxes["customer_id"].currentText() == "Email"


def test_skipped_rows_can_be_saved_as_csv(qtbot, window, tmp_path):
    _open(qtbot, window, _order_file(tmp_path))
    target = tmp_path / "skipped.csv"
    sentence = window.controller.save_skipped_rows(str(target))
    saved = pd.read_csv(target)
    assert list(saved.columns) == ["row", "reason", "detail"]
    assert saved["row"].tolist() == [5, 9]
    assert "2 skipped rows" in sentence


def test_bad_file_shows_a_friendly_message_and_the_app_keeps_working(qtbot, window, tmp_path):
    bad = _order_file(tmp_path, "orders.bad")
    with qtbot.waitSignal(window.controller.read_failed, timeout=WAIT):
        window.open_path(str(bad))
    # the file opens but is no order list: the check page says why, with its columns
    assert window.current_step() == CHECK
    assert window.check_page.failure_label.text().startswith(
        "orders.bad, row 1: no column looks like an order date. "
        "Choose the date column in the mapping.")
    _open(qtbot, window, _order_file(tmp_path))
    assert window.current_step() == CHECK
    assert not window.check_page.failure_label.isVisibleTo(window.check_page)


def test_a_file_that_cannot_be_opened_at_all_is_explained_in_a_dialog(qtbot, window,
                                                                      fake_engine, tmp_path):
    gone = _order_file(tmp_path, "orders.gone")

    def read_orders(*args, **kwargs):
        raise InputError("the file is empty.", where="orders.gone")

    fake_engine.read_orders = read_orders  # and the fake's peek cannot open .gone files
    with qtbot.waitSignal(window.controller.failed, timeout=WAIT):
        window.open_path(str(gone))
    box = window.last_error
    assert box is not None and box.isVisible()
    assert box.text() == "orders.gone: the file is empty."
    assert window.current_step() == START
    box.accept()


def test_missing_file_is_reported_without_starting_a_job(window, tmp_path):
    window.open_path(str(tmp_path / "gone.csv"))
    assert "gone.csv was not found" in window.last_error.text()
    assert not window.controller.busy


def test_unexpected_error_is_logged_without_personal_data(qtbot, window, tmp_path):
    crash = _order_file(tmp_path, "orders.crash")
    with qtbot.waitSignal(window.controller.failed, timeout=WAIT) as blocker:
        window.open_path(str(crash))
    message = blocker.args[1]
    assert message.startswith("Something went wrong while reading the file.")
    log = Path(tmp_path / "appdata" / "clv-desktop.log")
    assert str(log) in message
    text = log.read_text()
    assert "RuntimeError" in text and "read_orders" in text
    assert "secret@example.com" not in text


def test_settings_have_defaults_are_remembered_and_reach_the_engine(qtbot, window, fake_engine,
                                                                    tmp_path):
    _open(qtbot, window, _order_file(tmp_path))
    window.go_to(SETTINGS)
    page = window.settings_page
    assert page.tier_splits.text() == "20, 50, 30"
    assert page.tier_names.text() == "High, Medium, Low"
    page.horizon.setValue(24)
    page.margin.setValue(40)
    _analyse(qtbot, window)
    settings = [c for c in fake_engine.calls if c[0] == "analyze"][-1][1]
    assert settings.horizon_months == 24 and settings.margin == pytest.approx(0.4)
    assert tuple(settings.tier_splits) == (20.0, 50.0, 30.0)
    assert window.controller.settings_values()["horizon_months"] == 24


def test_mismatched_tier_names_and_shares_are_explained(qtbot, window, tmp_path):
    _open(qtbot, window, _order_file(tmp_path))
    window.settings_page.tier_names.setText("Gold, Silver")
    window.analyse()
    assert "named 2 tiers but gave 3" in window.last_error.text()
    assert window.current_step() == SETTINGS


def test_results_show_cards_charts_and_a_filterable_customer_table(qtbot, window, tmp_path):
    _open(qtbot, window, _order_file(tmp_path))
    _analyse(qtbot, window)
    page = window.results_page
    assert window.current_step() == RESULTS
    cards = page.cards_grid.widgets()
    assert cards[0].value_text == "61%"
    assert all(view.canvas is not None for view in page.chart_views.values())
    assert window.controller.customer_proxy.rowCount() == 200
    page.tier_filter.setCurrentIndex(page.tier_filter.findData("High"))
    assert window.controller.customer_proxy.rowCount() == 40
    assert page.shown_label.text().startswith("Showing 40 of 200 customers")
    page.search.setText("person 1")  # applied after a short pause in typing
    qtbot.waitUntil(lambda: window.controller.customer_proxy.rowCount() < 40, timeout=WAIT)
    shown = window.controller.customer_proxy.rowCount()
    assert 0 < shown < 40
    assert window.controller.segment_profile_model.rowCount() == 4


def test_cancel_stops_a_running_analysis(qtbot, window, fake_engine, tmp_path):
    _open(qtbot, window, _order_file(tmp_path))
    fake_engine.slow_analysis = True
    with qtbot.waitSignal(window.controller.cancelled, timeout=WAIT):
        window.analyse()
        assert window.busy_widget.isVisibleTo(window)
        fake_engine.analyze_started.wait(5)
        window.cancel_button.click()
        # said at once, and the button is not there to be pressed twice
        assert window.progress_label.text() == "Cancelling…" and not window.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=WAIT)
    assert window.controller.analysis is None
    assert not window.busy_widget.isVisibleTo(window)
    assert window.current_step() != RESULTS


def test_window_stays_responsive_while_analysing(qtbot, window, fake_engine, tmp_path):
    _open(qtbot, window, _order_file(tmp_path))
    fake_engine.slow_analysis = True
    progress = []
    window.controller.progressed.connect(lambda step, f: progress.append(f))
    with qtbot.waitSignal(window.controller.analysis_ready, timeout=20_000):
        window.analyse()
    assert len(progress) >= 3 and progress == sorted(progress)


def test_export_writes_lists_for_chosen_tiers_and_says_what_was_left_out(qtbot, window,
                                                                         fake_engine, tmp_path):
    _open(qtbot, window, _order_file(tmp_path))
    _analyse(qtbot, window)
    page = window.export_page
    assert page.tool.currentData() == "mailchimp"
    page.tier_boxes["Low"].setChecked(False)
    page.folder.setText(str(tmp_path / "lists"))
    with qtbot.waitSignal(window.controller.export_finished, timeout=WAIT):
        page.export_button.click()
    call = [c for c in fake_engine.calls if c[0] == "export"][-1]
    assert call[1:] == ("mailchimp", 140, "per-tier", False)
    written = pd.read_csv(tmp_path / "lists" / "mailchimp_all.csv")
    assert set(written["tier"]) <= {"High", "Medium"}
    text = page.summary.text()
    assert "without marketing consent" in text
    assert "60 customers in tiers you did not choose" in text
    # exporting again without "replace" is refused with a clear message
    with qtbot.waitSignal(window.controller.failed, timeout=WAIT):
        page.export_button.click()
    assert "would replace mailchimp_all.csv" in window.last_error.text()


def test_excel_report_is_written_and_summarised(qtbot, window, tmp_path):
    _open(qtbot, window, _order_file(tmp_path))
    _analyse(qtbot, window)
    target = tmp_path / "report.xlsx"
    with qtbot.waitSignal(window.controller.report_written, timeout=WAIT):
        window.controller.write_report(str(target))
    assert target.exists()
    assert f"Excel report written to {target}" in window.export_page.summary.text()


def test_comparison_with_a_previous_run_shows_the_migration_table(qtbot, window, tmp_path):
    _open(qtbot, window, _order_file(tmp_path))
    _analyse(qtbot, window)
    previous = tmp_path / "customers.csv"
    window.controller.analysis.customers.head(50).to_csv(previous, index=False)
    with qtbot.waitSignal(window.controller.comparison_ready, timeout=WAIT):
        window.controller.compare_with(str(previous))
    assert window.controller.migration_model.rowCount() > 0
    assert window.results_page.migration_view.isVisibleTo(window.results_page)


def test_keyboard_shortcuts_open_steps_and_find(qtbot, window, tmp_path):
    assert window.open_action.shortcut().toString() == "Ctrl+O"
    _open(qtbot, window, _order_file(tmp_path))
    _analyse(qtbot, window)
    window.step_actions[SETTINGS].trigger()
    assert window.current_step() == SETTINGS
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT)
    window.find_action.trigger()
    assert window.current_step() == RESULTS
    assert window.results_page.search.hasFocus()


class _Drop:
    """Just enough of a QDropEvent for the window's drop handler."""

    def __init__(self, paths):
        from PySide6.QtCore import QMimeData, QUrl
        self._mime = QMimeData()
        self._mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
        self.accepted = False

    def mimeData(self):
        return self._mime

    def acceptProposedAction(self):
        self.accepted = True


def test_dropping_an_order_file_opens_it_and_other_files_are_refused(qtbot, window, tmp_path):
    picture = tmp_path / "holiday.png"
    picture.write_bytes(b"png")
    refused = _Drop([picture])
    window.dragEnterEvent(refused)
    assert not refused.accepted
    dropped = _Drop([_order_file(tmp_path)])
    with qtbot.waitSignal(window.controller.data_loaded, timeout=WAIT):
        window.dropEvent(dropped)
    assert dropped.accepted and window.current_step() == CHECK


def test_tab_moves_through_the_settings_in_reading_order(qtbot, window, tmp_path):
    _open(qtbot, window, _order_file(tmp_path))
    window.go_to(SETTINGS)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT)
    page = window.settings_page
    page.method.setFocus()
    order = []
    for _ in range(8):
        focused = QApplication.focusWidget()
        order.append(focused)
        qtbot.keyClick(focused, Qt.Key.Key_Tab)
    expected = [page.method, page.horizon, page.discount, page.margin, page.acquisition,
                page.lifespan, page.tier_names, page.tier_splits]
    # spin boxes give focus to their inner line edit; compare the owning widget
    owners = [w if w in expected else w.parentWidget() for w in order]
    assert owners == expected
