"""The window with the real engine on a small messy spreadsheet (open → export)."""
from __future__ import annotations

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("clv_engine.intake")
pytest.importorskip("clv_engine.pipeline")

import re  # noqa: E402
from pathlib import Path  # noqa: E402

import pandas as pd  # noqa: E402

from clv_desktop.controller import AppController  # noqa: E402
from clv_desktop.main_window import CHECK, RESULTS, MainWindow  # noqa: E402

MESSY = Path(__file__).resolve().parents[1] / "data" / "desktop_messy_orders.xlsx"
WAIT = 120_000


@pytest.fixture
def real_window(qtbot, app_settings):
    controller = AppController(app_settings=app_settings)
    window = MainWindow(controller)
    qtbot.addWidget(window)
    window.show()
    yield window
    controller.shutdown()


def test_messy_spreadsheet_goes_from_open_to_email_lists(qtbot, real_window, tmp_path):
    window, controller = real_window, real_window.controller
    with qtbot.waitSignal(controller.data_loaded, timeout=WAIT):
        window.open_path(str(MESSY))
    assert window.current_step() == CHECK
    report = controller.order_data.report
    assert window.check_page.report_label.text().startswith(
        f"{report.rows_read:,} rows read; {report.rows_used:,} used; ")
    assert controller.skipped_count() == report.rows_read - report.rows_used > 0
    assert window.check_page.role_boxes["email"].currentText() == "E-mail address"

    window.settings_page.method.setCurrentIndex(window.settings_page.method.findData("simple"))
    with qtbot.waitSignal(controller.analysis_ready, timeout=WAIT):
        window.analyse()
    assert window.current_step() == RESULTS
    n = len(controller.analysis.customers)
    assert controller.customer_proxy.rowCount() == n > 0

    page = window.export_page
    page.folder.setText(str(tmp_path / "lists"))
    with qtbot.waitSignal(controller.export_finished, timeout=WAIT):
        page.export_button.click()
    files = sorted(p.name for p in (tmp_path / "lists").iterdir())
    assert files and all(name.startswith("mailchimp_") for name in files)
    per_file = {f: len(pd.read_csv(tmp_path / "lists" / f)) for f in files}
    said = {name: int(count) for count, name in
            re.findall(r"Wrote (\d+) contacts? to (\S+)\.", page.summary.text())}
    assert said == per_file


def test_mapping_a_name_column_as_customer_reads_more_rows(qtbot, real_window):
    # 'Client' (names) is found by itself; switching it off and mapping it again by hand
    # shows that the check page's choices drive the re-read both ways
    window, controller = real_window, real_window.controller
    with qtbot.waitSignal(controller.data_loaded, timeout=WAIT):
        window.open_path(str(MESSY))
    boxes = window.check_page.role_boxes
    assert boxes["name"].currentData() == "Client"
    used_with_names = controller.order_data.report.rows_used
    boxes["name"].setCurrentIndex(boxes["name"].findData(""))
    with qtbot.waitSignal(controller.data_loaded, timeout=WAIT):
        window.check_page.reread_button.click()
    used_without = controller.order_data.report.rows_used
    assert used_without < used_with_names  # rows with only a name have no customer now
    boxes = window.check_page.role_boxes
    boxes["customer_id"].setCurrentIndex(boxes["customer_id"].findData("Client"))
    with qtbot.waitSignal(controller.data_loaded, timeout=WAIT):
        window.check_page.reread_button.click()
    assert controller.mapping()["customer_id"] == "Client"
    assert controller.order_data.report.rows_used > used_without


def _analysed(qtbot, window):
    """The messy spreadsheet opened and analysed with the simple method; the controller."""
    controller = window.controller
    with qtbot.waitSignal(controller.data_loaded, timeout=WAIT):
        window.open_path(str(MESSY))
    window.settings_page.method.setCurrentIndex(window.settings_page.method.findData("simple"))
    with qtbot.waitSignal(controller.analysis_ready, timeout=WAIT):
        window.analyse()
    return controller


def test_shown_customers_with_those_without_consent_keep_each_file(qtbot, real_window, tmp_path):
    """'Export shown customers' with contacts without consent included: the list goes to the
    chosen name and the opt-outs and not-subscribed beside it, none written over another."""
    controller = _analysed(qtbot, real_window)
    customers = controller.analysis.customers
    n = len(customers)
    said = pd.array([True, False, None] * (n // 3) + [True] * (n % 3), dtype="boolean")
    customers["consent"] = said
    with qtbot.waitSignal(controller.export_finished, timeout=WAIT):
        controller.export_email_lists("mailchimp", str(tmp_path / "lists"), scope="shown",
                                      mode="single", include_no_consent=True)
    files = {p.name: pd.read_csv(p) for p in (tmp_path / "lists").iterdir()}
    stems = {name.replace(".csv", "") for name in files}
    main = min(stems, key=len)
    assert stems == {main, f"{main}_opted-out", f"{main}_not-subscribed"}
    with_email = customers["email"].astype(str).str.contains("@")
    assert len(files[f"{main}.csv"]) <= int((said.fillna(False).to_numpy() & with_email.to_numpy()).sum())
    assert len(files[f"{main}_opted-out.csv"]) > 0 and len(files[f"{main}_not-subscribed.csv"]) > 0


def test_a_customer_without_a_consent_statement_opens_with_consent_unknown(qtbot, real_window):
    controller = _analysed(qtbot, real_window)
    customers = controller.analysis.customers
    customers["consent"] = pd.array([pd.NA, True, False] + [pd.NA] * (len(customers) - 3), dtype="boolean")
    said = [dict((label, value) for label, value, _ in controller.open_customer(row).facts)["Marketing emails"]
            for row in range(3)]
    assert said == ["unknown", "agreed", "not agreed"]


def test_peek_names_the_columns_of_a_file_without_a_header_row_as_intake_does():
    from clv_desktop.engine import Engine
    from clv_engine.intake import read_orders

    source = Path(__file__).resolve().parents[1] / "data" / "CDNOW_sample.txt"
    peek = Engine().peek(str(source), rows=3)
    assert peek["columns"] == read_orders(source).report.columns
    assert peek["preview"].iloc[0].tolist()[:2] == ["00004", "0001"]  # the first purchase is a row


def test_a_workbook_split_by_year_reads_all_its_sheets_or_the_one_chosen(qtbot, real_window, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    header = ["Invoice", "InvoiceDate", "Price", "Customer ID"]
    for title, rows in (("Year 1", [[1001, "2023-01-05", 10.0, 111], [1002, "2023-02-01", 5.0, 222]]),
                        ("Year 2", [[2001, "2024-01-05", 10.0, 222], [2002, "2024-02-01", 7.5, 111],
                                    [2003, "2024-03-01", 2.5, 333]]),
                        ("Notes", [])):
        sheet = book.create_sheet(title)
        sheet.append(header if rows else ["Note"])
        for row in rows:
            sheet.append(row)
    del book["Sheet"]
    path = tmp_path / "two_years.xlsx"
    book.save(path)

    window, controller = real_window, real_window.controller
    with qtbot.waitSignal(controller.data_loaded, timeout=WAIT):
        window.open_path(str(path))
    page = window.check_page
    assert page.sheet.isVisibleTo(page)
    assert [page.sheet.itemText(i) for i in range(page.sheet.count())] == \
        ["Automatic (Year 1, Year 2)", "Year 1", "Year 2", "Notes"]
    assert page.sheet.currentIndex() == 0 and controller.order_data.report.rows_read == 5
    page.sheet.setCurrentIndex(page.sheet.findData("Year 1"))
    with qtbot.waitSignal(controller.data_loaded, timeout=WAIT):
        page.reread_button.click()
    assert controller.order_data.report.sheet == "Year 1" and controller.order_data.report.rows_read == 2
    assert page.sheet.currentData() == "Year 1"
    page.sheet.setCurrentIndex(page.sheet.findData(""))
    with qtbot.waitSignal(controller.data_loaded, timeout=WAIT):
        page.reread_button.click()
    assert controller.order_data.report.sheets_read == ["Year 1", "Year 2"]
    assert controller.order_data.report.rows_read == 5 and page.sheet.currentIndex() == 0


def test_after_a_failed_read_choosing_the_missing_columns_keeps_the_ones_the_engine_finds(qtbot, real_window,
                                                                                        tmp_path):
    path = tmp_path / "odd_names.csv"
    path.write_text("Customer,Email,Wann,Umsatz\nAnn,ann@example.com,2024-01-05,10.00\n"
                    "Bob,bob@example.com,2024-02-01,20.00\nAnn,ann@example.com,2024-03-01,5.00\n", encoding="utf-8")
    window, controller = real_window, real_window.controller
    with qtbot.waitSignal(controller.read_failed, timeout=WAIT):
        window.open_path(str(path))
    boxes = window.check_page.role_boxes
    boxes["date"].setCurrentIndex(boxes["date"].findData("Wann"))
    boxes["amount"].setCurrentIndex(boxes["amount"].findData("Umsatz"))
    assert window.check_page.chosen_mapping() == {"date": "Wann", "amount": "Umsatz"}
    with qtbot.waitSignal(controller.data_loaded, timeout=WAIT):
        window.check_page.reread_button.click()
    assert controller.order_data.report.rows_used == 3
    assert controller.mapping()["email"] == "Email" and len(controller.order_data.customers) == 2
    # a column the engine found and the user then switches off is sent as not used
    boxes = window.check_page.role_boxes
    boxes["email"].setCurrentIndex(boxes["email"].findData(""))
    assert window.check_page.chosen_mapping()["email"] == ""


def test_the_segments_page_explains_churn_risk_only_when_the_method_gives_it(qtbot, real_window):
    controller = _analysed(qtbot, real_window)  # the simple formula: no churn risk
    text = real_window.results_page.segments_frame.text()
    assert text.startswith("Values are expected over a customer's lifetime") and "Churn risk" not in text
    real_window.settings_page.method.setCurrentIndex(real_window.settings_page.method.findData("predictive"))
    with qtbot.waitSignal(controller.analysis_ready, timeout=WAIT):
        real_window.analyse()
    assert controller.analysis.summary["method"] == "predictive"
    assert "Churn risk is the group's average chance" in real_window.results_page.segments_frame.text()


def test_a_report_saved_from_the_app_names_its_settings_not_command_line_flags(qtbot, real_window, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    controller = _analysed(qtbot, real_window)
    flags = re.compile(r"--(?:acquisition-cost|margin|lifespan|map|date-order|sheet|currency)\b")
    said = " ".join(controller.analysis.insights.findings + controller.analysis.insights.not_profiled)
    assert flags.search(said)  # the engine's own words name the flags …
    with qtbot.waitSignal(controller.report_written, timeout=WAIT):
        controller.write_report(str(tmp_path / "report.xlsx"))
    book = openpyxl.load_workbook(tmp_path / "report.xlsx", read_only=True)
    cells = [str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if v]
    assert not [c for c in cells if flags.search(c)]  # … the app's report does not
    assert any("'Acquisition cost' setting" in c or "'Profit margin' setting" in c for c in cells)
    assert flags.search(" ".join(controller.analysis.insights.findings + controller.analysis.insights.not_profiled))
