"""What a shop owner does without help, on the real window against a fake engine: fix a
file that could not be read, read choices, numbers that say what they mean, the customer
page, lists of any filtered set, saving results, cancel, Enter/Escape/Tab and mnemonics."""
from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

import pandas as pd  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import (  # noqa: E402
    QAbstractButton, QApplication, QGroupBox, QLabel, QMenuBar, QTabWidget, QTextBrowser,
)

from clv_desktop.main_window import CHECK, EXPORT, RESULTS, SETTINGS, MainWindow  # noqa: E402
from clv_desktop.pages.results import INSIGHTS, SEGMENTS  # noqa: E402

from .steps import WAIT  # noqa: E402
from .steps import analyse as _analyse  # noqa: E402
from .steps import open_file as _open  # noqa: E402
from .steps import order_file as _file  # noqa: E402


def _focus(qtbot, window):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT)


# -- no dead ends ---------------------------------------------------------------------------
def test_a_file_without_an_amount_opens_on_the_check_page_with_its_columns(qtbot, window,
                                                                           fake_engine, tmp_path):
    bad = _file(tmp_path, "lines.noamount")
    with qtbot.waitSignal(window.controller.read_failed, timeout=WAIT):
        window.open_path(str(bad))
    page = window.check_page
    assert window.current_step() == CHECK
    assert window.last_error is None  # the page itself explains, no dialog in the way
    text = page.failure_label.text()
    assert page.failure_label.isVisibleTo(page)
    assert "no order amount column was recognised" in text
    assert "'Amount' box" in text and "Check data page" in text
    assert "--map" not in text and "mapping=" not in text
    assert page.layout_label.text() == "lines.noamount could not be read as an order list."
    assert [page.role_boxes["amount"].itemText(i) for i in range(1, 6)] == \
        ["Order", "When", "Qty", "Price", "Mail"]
    assert window.controller.preview_model.rowCount() == 2  # the failed file's rows
    assert not page.continue_button.isEnabled()
    assert not window.steps.item(SETTINGS).flags() & Qt.ItemFlag.ItemIsEnabled
    # choose the column and read again with Enter (the default button is Read again now)
    box = page.role_boxes["amount"]
    box.setCurrentIndex(box.findData("Price"))
    _focus(qtbot, window)
    box.setFocus()
    with qtbot.waitSignal(window.controller.data_loaded, timeout=WAIT):
        qtbot.keyClick(box, Qt.Key.Key_Return)
    assert fake_engine.calls[-1][2]["amount"] == "Price"
    assert not page.failure_label.isVisibleTo(page)
    assert page.continue_button.isEnabled()


def test_a_new_file_forgets_the_previous_file_and_results(qtbot, window, tmp_path):
    _open(qtbot, window, _file(tmp_path))
    _analyse(qtbot, window)
    assert "Shopify" in window.check_page.layout_label.text()
    with qtbot.waitSignal(window.controller.read_failed, timeout=WAIT):
        window.open_path(str(_file(tmp_path, "other.noamount")))
    c = window.controller
    assert c.analysis is None and c.order_data is None
    assert c.customer_model.rowCount() == 0
    assert "Shopify" not in window.check_page.layout_label.text()
    assert "other.noamount" in window.check_page.layout_label.text()
    assert not window.steps.item(RESULTS).flags() & Qt.ItemFlag.ItemIsEnabled
    assert not window.step_actions[EXPORT].isEnabled()


def test_date_order_currency_and_sheet_reach_the_engine(qtbot, window, fake_engine, tmp_path):
    _open(qtbot, window, _file(tmp_path))
    page = window.check_page
    assert page.date_order.itemText(0) == "Automatic (read as day/month/year)"
    notes = page.notes_label.text()
    assert "'Date order' box on the Check data page" in notes and "--date-order" not in notes
    page.date_order.setCurrentIndex(page.date_order.findData("MDY"))
    page.currency.setEditText("usd")
    with qtbot.waitSignal(window.controller.data_loaded, timeout=WAIT):
        page.reread_button.click()
    options = fake_engine.calls[-1][3]
    assert options == {"date_order": "MDY", "currency": "USD"}
    assert window.check_page.date_order.currentData() == "MDY"  # kept after the re-read
    # a new file starts with automatic choices again
    _open(qtbot, window, _file(tmp_path, "second.csv"))
    assert fake_engine.calls[-1][3] == {}
    assert window.check_page.date_order.currentData() == ""


def test_non_product_lines_and_duplicates_rule_when_the_engine_offers_them(qtbot, window,
                                                                           fake_engine, tmp_path):
    _open(qtbot, window, _file(tmp_path))
    page = window.check_page
    assert not page.exclude_non_product.isVisibleTo(page)  # this engine has no such option
    fake_engine.read_options_offered += ("exclude_non_product", "duplicates")
    _open(qtbot, window, _file(tmp_path, "lines.csv"))
    assert page.exclude_non_product.isVisibleTo(page) and page.duplicates.isVisibleTo(page)
    assert not page.exclude_non_product.isChecked()
    assert page.duplicates.currentData() == "auto"  # the engine's own default, as on the command line
    page.exclude_non_product.setChecked(True)
    page.duplicates.setCurrentIndex(page.duplicates.findData("keep"))
    with qtbot.waitSignal(window.controller.data_loaded, timeout=WAIT):
        page.reread_button.click()
    options = fake_engine.calls[-1][3]
    assert options["exclude_non_product"] is True and options["duplicates"] == "keep"
    assert page.exclude_non_product.isChecked()  # kept after the re-read


def test_dates_that_could_be_either_order_are_asked_about_and_values_explained(
        qtbot, window, fake_engine, tmp_path):
    _open(qtbot, window, _file(tmp_path))
    page = window.check_page
    assert not page.date_question.isVisibleTo(page)
    real_read = fake_engine.read_orders

    def read_orders(*args, **kwargs):
        data = real_read(*args, **kwargs)
        data.report.date_order_ambiguous = not kwargs.get("date_order")
        data.report.date_order_why = "nothing in the file settles it"
        data.report.value_source = "quantity"
        return data

    fake_engine.read_orders = read_orders
    _open(qtbot, window, _file(tmp_path, "lines.csv"))
    assert page.date_question.isVisibleTo(page)
    assert "They were read as day/month/year (nothing in the file settles it)" in \
        page.date_question.text()
    assert "Order values are quantity × unit price" in page.layout_label.text()
    page.date_order.setCurrentIndex(page.date_order.findData("DMY"))
    with qtbot.waitSignal(window.controller.data_loaded, timeout=WAIT):
        page.reread_button.click()
    assert not page.date_question.isVisibleTo(page)  # settled by the owner


def test_a_typed_currency_that_is_no_code_is_refused_in_words(qtbot, window, fake_engine,
                                                              tmp_path):
    _open(qtbot, window, _file(tmp_path))
    window.check_page.currency.setEditText("pounds")
    reads = len(fake_engine.calls)
    window.check_page.reread_button.click()
    assert "not a currency code" in window.last_error.text()
    assert len(fake_engine.calls) == reads


def test_a_workbook_offers_its_sheets(qtbot, window, fake_engine, tmp_path):
    book = _file(tmp_path, "shop.noamount")
    book = book.rename(tmp_path / "shop.xlsx")
    fake_engine_read = fake_engine.read_orders

    def read_orders(source, *, mapping=None, progress=None, **options):
        if options.get("sheet") != "Orders":
            from clv_engine.errors import InputError
            raise InputError("none of the 2 sheets holds an order list.", where="shop.xlsx",
                             hint="The sheets are: 'Notes', 'Orders'. Choose the one with the "
                                  "orders (--sheet NAME, or sheet='NAME').")
        return fake_engine_read(source, mapping=mapping, progress=progress, **options)

    fake_engine.read_orders = read_orders
    with qtbot.waitSignal(window.controller.read_failed, timeout=WAIT):
        window.open_path(str(book))
    page = window.check_page
    assert "'Sheet' box on the Check data page" in page.failure_label.text()
    assert page.sheet.isVisibleTo(page)
    page.sheet.setCurrentIndex(page.sheet.findData("Orders"))
    with qtbot.waitSignal(window.controller.data_loaded, timeout=WAIT):
        page.reread_button.click()
    assert window.controller.read_choices["sheet"] == "Orders"


def test_settings_are_checked_before_they_are_remembered_or_run(qtbot, window, fake_engine,
                                                                 tmp_path):
    _open(qtbot, window, _file(tmp_path))
    before = window.controller.app_settings.analysis_values()
    window.settings_page.tier_splits.setText("20, 30, 30")
    window.analyse()
    assert "add up to 80%" in window.last_error.text()
    assert "Tier splits add up to 80%" in window.last_error.text()  # a sentence of its own in the dialog
    assert window.current_step() == SETTINGS
    assert window.controller.app_settings.analysis_values() == before
    assert not any(call[0] == "analyze" for call in fake_engine.calls)


def test_lifespan_setting_reaches_the_engine(qtbot, window, fake_engine, tmp_path):
    _open(qtbot, window, _file(tmp_path))
    window.settings_page.lifespan.setValue(4)
    _analyse(qtbot, window)
    settings = [c for c in fake_engine.calls if c[0] == "analyze"][-1][1]
    assert settings.lifespan_years == 4
    window.settings_page.lifespan.setValue(0)  # "Automatic"
    _analyse(qtbot, window)
    assert [c for c in fake_engine.calls if c[0] == "analyze"][-1][1].lifespan_years is None


# -- numbers that explain themselves ----------------------------------------------------------
def test_money_shows_currency_time_frame_and_margin(qtbot, window, tmp_path):
    _open(qtbot, window, _file(tmp_path))
    window.settings_page.margin.setValue(40)
    _analyse(qtbot, window)
    cards = {card.title_text: card for card in window.results_page.cards_grid.widgets()}
    value = cards["Expected value"]
    assert value.value_text.startswith("£")
    assert "expected over the next 12 months" in value.accessibleName()
    assert "profit at a 40% margin" in value.accessibleName()
    header = window.controller.customer_proxy.headerData(
        window.controller.customer_model.table.column_index("clv"), Qt.Orientation.Horizontal)
    assert header == "Expected value, next 12 months (£)"
    notes = window.results_page.notes_label.text()
    assert "Method: Predictive model. Values are expected over the next 12 months" in notes
    assert "BG/NBD + Gamma-Gamma" in notes
    assert "randomness of future orders" in cards["Method"].accessibleName()


def test_churn_is_a_label_with_the_probability_on_hover(qtbot, window, fake_engine, tmp_path):
    fake_engine.with_churn_labels = True
    _open(qtbot, window, _file(tmp_path))
    _analyse(qtbot, window)
    c, page = window.controller, window.results_page
    column = c.customer_model.table.column_index("churn_label")
    assert c.customer_proxy.headerData(column, Qt.Orientation.Horizontal) == "Churn risk"
    assert not page.customer_view.isColumnHidden(column)
    index = c.customer_proxy.index(0, column)
    assert index.data() in ("Low", "Medium", "High")
    assert index.data(Qt.ItemDataRole.ToolTipRole).startswith(
        "Chance of no order in the next 12 months: ")
    page.churn_filter.setCurrentIndex(page.churn_filter.findData("High"))
    expected = int((c.analysis.customers["churn_label"] == "High").sum())
    assert c.customer_proxy.rowCount() == expected
    cards = {card.title_text: card for card in page.cards_grid.widgets()}
    assert cards["High churn risk"].value_text == f"{expected:,}"


def test_glossary_opens_from_the_help_menu_with_f1(qtbot, window):
    _focus(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    dialog = window.glossary_dialog
    assert dialog.isVisible()
    text = dialog.findChild(QTextBrowser).toPlainText()
    for term in ("Expected value (CLV)", "Churn risk", "Segment (RFM)", "Profit margin"):
        assert term in text
    dialog.reject()


# -- customer page and lists by anything ------------------------------------------------------
def test_enter_on_a_customer_opens_the_customer_page_and_escape_goes_back(qtbot, window,
                                                                         tmp_path):
    _open(qtbot, window, _file(tmp_path))
    _analyse(qtbot, window)
    page = window.results_page
    page.tabs.setCurrentWidget(page.customers)
    _focus(qtbot, window)
    view = page.customer_view
    view.setFocus()
    view.setCurrentIndex(window.controller.customer_proxy.index(0, 0))
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert page.showing_customer()
    detail = window.controller.current_customer
    row = window.controller.analysis.customers.iloc[detail.source_row]
    # the first row shown is the most valuable customer
    assert row["clv"] == window.controller.analysis.customers["clv"].max()
    customer = page.customer_page
    assert customer.title.text() == row["name"]
    facts = {label: widget.text() for label, widget in customer.fact_labels.items()}
    assert facts["Expected value"].startswith("£")
    assert facts["Value tier"] == row["tier"] and facts["Segment"] == row["rfm_segment"]
    assert facts["Chance still a customer"] == f"{row['p_alive']:.0%}"
    assert "Say thank you" in customer.actions_label.text()
    assert window.controller.order_history_model.rowCount() == row["orders"]
    assert customer.chart.canvas is not None
    qtbot.keyClick(customer.back_button, Qt.Key.Key_Escape)
    assert not page.showing_customer()


def test_double_click_opens_a_customer(qtbot, window, tmp_path):
    _open(qtbot, window, _file(tmp_path))
    _analyse(qtbot, window)
    page = window.results_page
    page.tabs.setCurrentWidget(page.customers)
    view = page.customer_view
    index = window.controller.customer_proxy.index(2, 0)
    qtbot.waitUntil(lambda: view.visualRect(index).isValid() and view.isVisible(), timeout=WAIT)
    rect = view.visualRect(index)
    # a real double-click: press, release, then the double-click event on the same row
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert page.showing_customer()


def test_customer_table_starts_with_who_and_readable_headers(qtbot, window, tmp_path):
    _open(qtbot, window, _file(tmp_path))
    _analyse(qtbot, window)
    c, view = window.controller, window.results_page.customer_view
    shown = [c.customer_model.table.columns[i].header for i in range(c.customer_model.columnCount())
             if not view.isColumnHidden(i)]
    assert shown[:2] == ["Customer", "Email"]
    assert not {"T", "R", "F", "M", "rfm_r"} & set(shown)
    assert len(shown) <= 12
    assert view.horizontalScrollBar().value() == 0
    # 'Customer' is the name, else the email, else the ID: no anonymous rows
    assert c.customer_proxy.index(0, 0).data().startswith("Person ")


def test_column_choice_is_remembered_between_runs(qtbot, window, tmp_path):
    _open(qtbot, window, _file(tmp_path))
    _analyse(qtbot, window)
    page = window.results_page
    action = next(a for a in page.columns_menu.actions() if a.data() == "p_alive")
    action.setChecked(True)
    column = window.controller.customer_model.table.column_index("p_alive")
    assert not page.customer_view.isColumnHidden(column)
    second = MainWindow(type(window.controller)(engine=window.controller.engine,
                                                app_settings=window.controller.app_settings))
    qtbot.addWidget(second)
    _open(qtbot, second, _file(tmp_path))
    _analyse(qtbot, second)
    assert not second.results_page.customer_view.isColumnHidden(column)
    second.controller.shutdown()


def test_export_the_at_risk_segment_to_klaviyo_from_the_table(qtbot, window, fake_engine,
                                                              tmp_path):
    _open(qtbot, window, _file(tmp_path))
    _analyse(qtbot, window)
    page = window.results_page
    page.tabs.setCurrentWidget(page.customers)
    page.segment_filter.setCurrentIndex(page.segment_filter.findData("At risk"))
    at_risk = window.controller.customer_proxy.rowCount()
    assert 0 < at_risk < 200
    page.export_shown_button.click()
    export = window.export_page
    assert window.current_step() == EXPORT and export.scope_shown.isChecked()
    assert f"({at_risk:,})" in export.scope_shown.text()
    export.tool.addItem("Klaviyo", "klaviyo")
    export.tool.setCurrentIndex(export.tool.findData("klaviyo"))
    export.folder.setText(str(tmp_path / "lists"))
    with qtbot.waitSignal(window.controller.export_finished, timeout=WAIT):
        export.export_button.click()
    assert sorted(p.name for p in (tmp_path / "lists").iterdir()) == ["klaviyo_segment-at-risk.csv"]
    call = [c for c in fake_engine.calls if c[0] == "export"][-1]
    assert call[1:4] == ("klaviyo", at_risk, "single")
    written = pd.read_csv(tmp_path / "lists" / "klaviyo_segment-at-risk.csv")
    status = window.statusBar().currentMessage()
    assert status.startswith(f"Wrote {len(written):,} contacts to 1 file; left out ")
    assert f"{200 - at_risk:,} customers outside the chosen set (Segment: At risk)" in \
        export.summary.text()
    assert "klaviyo_segment-at-risk.csv" in export.summary.text()


def test_status_line_says_when_no_list_was_written(qtbot, window, fake_engine, tmp_path):
    _open(qtbot, window, _file(tmp_path))
    _analyse(qtbot, window)
    window.controller.analysis.customers["consent"] = pd.array([False] * 200, dtype="boolean")
    window.go_to(EXPORT)
    window.export_page.folder.setText(str(tmp_path / "none"))
    with qtbot.waitSignal(window.controller.export_finished, timeout=WAIT):
        window.export_page.export_button.click()
    assert window.statusBar().currentMessage().startswith("No email list was written")


def test_save_results_writes_customers_csv_that_compare_runs_reads(qtbot, window, tmp_path,
                                                                   monkeypatch):
    _open(qtbot, window, _file(tmp_path))
    _analyse(qtbot, window)
    folder = tmp_path / "run1"
    with qtbot.waitSignal(window.controller.results_saved, timeout=WAIT):
        window.controller.save_results(str(folder))
    assert sorted(p.name for p in folder.iterdir()) == \
        ["customers.csv", "report.xlsx", "segments.csv", "summary.json"]
    assert window.controller.existing_result_files(str(folder)) == \
        ["customers.csv", "segments.csv", "report.xlsx", "summary.json"]
    # choosing that folder again asks before replacing them
    from PySide6.QtWidgets import QFileDialog, QMessageBox
    asked = []
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.No)
    saves = [c for c in window.controller.engine.calls if c[0] == "save_results"]
    window.save_results_action.trigger()
    assert "customers.csv, segments.csv, report.xlsx, summary.json" in asked[0]
    assert [c for c in window.controller.engine.calls if c[0] == "save_results"] == saves
    assert "Saved 4 result files" in window.statusBar().currentMessage()
    with qtbot.waitSignal(window.controller.comparison_ready, timeout=WAIT):
        window.controller.compare_with(str(folder / "customers.csv"))
    assert window.controller.migration_model.rowCount() > 0


def test_cancel_while_writing_the_report_leaves_no_file_and_frees_the_app(qtbot, window,
                                                                          fake_engine, tmp_path):
    _open(qtbot, window, _file(tmp_path))
    _analyse(qtbot, window)
    fake_engine.slow_report = True
    target = tmp_path / "report.xlsx"
    with qtbot.waitSignal(window.controller.cancelled, timeout=WAIT):
        window.controller.write_report(str(target))
        assert fake_engine.report_started.wait(5)
        assert window.progress_bar.maximum() == 0  # a moving busy bar, not a stuck 20%
        window.cancel_button.click()
    assert not window.controller.busy
    assert not window.busy_widget.isVisibleTo(window)
    fake_engine.release_report.set()
    qtbot.waitUntil(lambda: not window.controller._detached, timeout=WAIT)
    assert sorted(p.name for p in tmp_path.iterdir() if "report" in p.name) == []
    assert window.controller.last_report is None


# -- layout and keyboard ----------------------------------------------------------------------
def test_enter_on_settings_analyses_and_on_check_continues(qtbot, window, fake_engine,
                                                           tmp_path):
    _open(qtbot, window, _file(tmp_path))
    _focus(qtbot, window)
    page = window.check_page
    page.role_boxes["email"].setFocus()
    qtbot.keyClick(page.role_boxes["email"], Qt.Key.Key_Return)
    assert window.current_step() == SETTINGS
    window.settings_page.horizon.setFocus()
    with qtbot.waitSignal(window.controller.analysis_ready, timeout=WAIT):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Enter)
    assert window.current_step() == RESULTS


def test_tab_on_the_check_page_reaches_the_column_boxes_before_continue(qtbot, window,
                                                                       tmp_path):
    _open(qtbot, window, _file(tmp_path))
    _focus(qtbot, window)
    page = window.check_page
    page.date_order.setFocus()
    seen = []
    for _ in range(20):
        widget = QApplication.focusWidget()
        seen.append(widget)
        if widget is page.continue_button:
            break
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
    boxes = list(page.role_boxes.values())
    own = [*boxes, page.reread_button, page.continue_button, page.date_order, page.currency]
    owners = [w if w in own else w.parentWidget() for w in seen]
    assert owners[:2] == [page.date_order, page.currency]
    assert owners[-1] is page.continue_button
    positions = [owners.index(box) for box in boxes]
    assert positions == sorted(positions)
    assert owners.index(page.reread_button) == positions[-1] + 1


def _mnemonics(widget) -> list[str]:
    letters = []
    texts = [w.text() for w in widget.findChildren(QAbstractButton)]
    texts += [w.text() for w in widget.findChildren(QLabel) if w.buddy() is not None]
    texts += [w.title() for w in widget.findChildren(QGroupBox)]
    for tabs in widget.findChildren(QTabWidget):
        texts += [tabs.tabText(i) for i in range(tabs.count())]
    for text in texts:
        position = text.replace("&&", "").find("&")
        if position >= 0:
            letters.append(text.replace("&&", "")[position + 1].lower())
    return letters


def test_no_page_mnemonic_clashes_with_the_menus_or_another_on_its_page(qtbot, window,
                                                                        tmp_path):
    _open(qtbot, window, _file(tmp_path))
    _analyse(qtbot, window)
    menus = [a.text() for a in window.findChild(QMenuBar).actions()]
    menu_letters = {t[t.index("&") + 1].lower() for t in menus if "&" in t}
    assert menu_letters == {"f", "g", "h"}
    results = window.results_page
    pages = {"start": window.start_page, "check": window.check_page,
             "settings": window.settings_page, "export": window.export_page,
             "results (tabs and overview)": results.tabs.tabBar(),
             "customers": results.customer_stack.widget(0),
             "customer page": results.customer_page,
             "segments": results.segments, "who buys what": results.insights,
             "compare": results.compare}
    for name, page in pages.items():
        letters = _mnemonics(page)
        if name == "customers":
            letters += _mnemonics(results.tabs.tabBar())
        assert not set(letters) & menu_letters, name
        assert len(letters) == len(set(letters)), (name, sorted(letters))


def test_overview_opens_at_the_top_after_a_second_analysis(qtbot, window, tmp_path):
    _open(qtbot, window, _file(tmp_path))
    window.resize(1024, 700)
    _analyse(qtbot, window)
    scroll = window.results_page.overview_scroll.verticalScrollBar()
    qtbot.waitUntil(lambda: scroll.maximum() > 0, timeout=WAIT)
    scroll.setValue(scroll.maximum())
    window.go_to(SETTINGS)
    _analyse(qtbot, window)
    assert scroll.value() == 0


def test_segment_actions_are_shown_in_full(qtbot, window, tmp_path):
    _open(qtbot, window, _file(tmp_path))
    _analyse(qtbot, window)
    window.results_page.tabs.setCurrentIndex(SEGMENTS)
    view = window.results_page.segment_view
    qtbot.wait(50)
    column = view.model().table.column_index("actions")
    assert column is not None
    right = view.columnViewportPosition(column) + view.columnWidth(column)
    assert right <= view.viewport().width()
    assert view.height() >= view.verticalHeader().length()



# -- who buys what ------------------------------------------------------------------------
def test_who_buys_what_shows_findings_charts_and_a_profile_per_group(qtbot, window,
                                                                     fake_engine, tmp_path):
    _open(qtbot, window, _file(tmp_path))
    _analyse(qtbot, window)
    page = window.results_page
    assert page.tabs.isTabVisible(INSIGHTS) and page.tabs.tabText(INSIGHTS) == "Who bu&ys what"
    tab = page.insights
    findings = tab.findings_label.text()
    assert "buys Bowl 1.3× as often" in findings
    assert "'Acquisition cost' setting" in findings and "--acquisition-cost" not in findings
    assert "'Profit margin' setting" in tab.gaps_label.text()
    assert all(view.canvas is not None for view in tab.chart_views.values())
    assert [tab.group.itemText(i) for i in range(tab.group.count())] == ["High", "Medium", "Low"]
    model = window.controller.profile_model
    assert model.rowCount() == 4  # what the group buys; the repeat rate is no share of orders
    assert model.index(0, model.table.column_index("value")).data() == "Spoon"  # top lift
    assert model.index(0, model.table.column_index("dimension")).data() == "Product"  # in plain words
    chart = window.controller.figures["top_group"]
    tab.group.setCurrentIndex(tab.group.findData("Low"))
    assert window.controller.figures["top_group"] is not chart
    assert "Low" in window.controller.figures["top_group"].axes[0].get_title(loc="left")
    # a run without insights hides the tab
    fake_engine.with_insights = False
    window.go_to(SETTINGS)
    _analyse(qtbot, window)
    assert not page.tabs.isTabVisible(INSIGHTS)


def test_engine_advice_about_duplicates_names_the_app_control():
    from clv_desktop.messages import in_app_words

    kept = in_app_words("Rows that repeat an earlier row exactly were kept as purchases of their own "
                        "(count each once with --duplicates drop): rows 2, value 23.76.")
    dropped = in_app_words("Rows that repeat an earlier row exactly were counted once "
                           "(count each with --duplicates keep): rows 2, value 4.20.")
    assert "--duplicates" not in kept + dropped
    assert "'Count rows that repeat an earlier row exactly once' under 'Duplicate rows'" in kept
    assert "'Keep every row' under 'Duplicate rows'" in dropped


def test_engine_advice_about_a_missing_amount_names_each_box_once(tmp_path):
    from clv_desktop.messages import in_app_words
    from clv_engine.errors import InputError
    from clv_engine.intake import read_orders

    path = tmp_path / "no_amount.csv"
    path.write_text("Customer,Date,Product\nAnn,2024-01-05,Mug\nBob,2024-02-01,Lamp\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_orders(path)
    text = in_app_words(str(caught.value))
    assert "--map" not in text and "mapping=" not in text
    assert "choose it in the 'Amount' box" in text
    assert "for line items choose the 'Quantity' and 'Unit price' boxes on the Check data page." in text
    assert "page the column boxes" not in text



def test_engine_advice_about_several_missing_columns_lists_the_boxes():
    from clv_desktop.messages import in_app_words

    text = in_app_words("t.csv: no order date, order amount or customer column was recognised. Name those columns "
                        "'Date', 'Total' and 'Customer', or tell the program which they are: --map date=COLUMN "
                        "--map amount=COLUMN --map customer_id=COLUMN.")
    assert text.endswith("choose the 'Date', 'Amount' and 'Customer ID' boxes on the Check data page.")


def test_a_margin_typed_as_a_fraction_is_caught_and_explained(qtbot, window, tmp_path):
    _open(qtbot, window, _file(tmp_path))
    window.settings_page.margin.setValue(0.3)  # meant 30%: the box takes percent
    with pytest.raises(ValueError, match="30 for 30%"):
        window.settings_page.values()
    window.settings_page.margin.setValue(30)
    assert window.settings_page.values()["margin"] == pytest.approx(0.3)


def test_how_the_numbers_were_worked_out_is_said_in_plain_words():
    from clv_desktop.insights import method_notes

    summary = {"method": "predictive", "clv_basis": "MBG/NBD predicted … AUC 0.769 (0.5 = chance) …",
               "model": {"name": "MBG/NBD", "holdout_score": {"holdout_weeks": 26.0, "predicted_orders": 1485.0,
                                                              "actual_orders": 1610.0}}}
    notes = " ".join(method_notes(summary))
    assert "buying rhythm" in notes and "it expected 1,485 repeat orders; customers placed 1,610." in notes
    assert "AUC" not in notes


def test_the_churn_card_says_how_at_risk_and_lost_differ_from_churn_risk():
    """0 customers with a High churn risk beside 17 'Lost' ones read as a contradiction."""
    import pandas as pd

    from clv_desktop.insights import summary_cards

    customers = pd.DataFrame({"customer_id": list("abcd"), "clv": [10.0, 5.0, 3.0, 1.0],
                              "churn_label": ["Low", "Low", "Low", "Medium"],
                              "rfm_segment": ["Champions", "Lost", "At risk", "Lost"]})
    card = next(c for c in summary_cards(customers, {"method": "predictive"}) if c.title == "High churn risk")
    assert card.value == "0"
    assert "The 3 customers in the 'At risk' and 'Lost' segments are about recency instead" in card.explanation


def test_tab_reaches_the_tier_boxes_right_after_the_tier_choice(qtbot, window, tmp_path):
    """The tier check boxes are made when results arrive, after the rest of the page: Tab
    reached them only after "Save Excel report…"."""
    _open(qtbot, window, _file(tmp_path))
    _analyse(qtbot, window)
    export = window.export_page
    export.refresh()
    boxes = list(export.tier_boxes.values())
    assert boxes
    assert export.scope_tiers.nextInFocusChain() is boxes[0]
    assert boxes[-1].nextInFocusChain() is export.scope_shown
