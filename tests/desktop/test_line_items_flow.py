"""A line-item file without a total column, from open to a Klaviyo list of the "At risk"
segment, only through the window (real engine; keyboard where an owner would use it)."""
from __future__ import annotations

import pytest

pytest.importorskip("PySide6")
intake = pytest.importorskip("clv_engine.intake")
if "quantity" not in intake.ROLES:  # the engine reads quantity × unit price
    pytest.skip("this engine has no quantity × unit price intake", allow_module_level=True)

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

from clv_desktop.controller import AppController  # noqa: E402
from clv_desktop.main_window import CHECK, EXPORT, RESULTS, SETTINGS, MainWindow  # noqa: E402

WAIT = 120_000


def line_item_file(path, customers: int = 120, seed: int = 7):
    """Invoices of 1-4 lines (Quantity, UnitPrice, no total) over two years; a third of
    the customers were regulars who stopped buying a year ago."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2023-01-02")
    rows, invoice = [], 500000
    for c in range(customers):
        stopped = c % 3 == 0
        span = 330 if stopped else 720
        n = int(rng.integers(3, 9) if stopped else rng.integers(1, 7))
        days = np.sort(rng.integers(0, span, n))
        for day in days:
            invoice += 1
            when = start + pd.Timedelta(days=int(day), hours=int(rng.integers(8, 18)))
            for line in range(int(rng.integers(1, 5))):
                rows.append({
                    "InvoiceNo": str(invoice), "StockCode": f"SKU{rng.integers(100, 999)}",
                    "Description": f"Item {line}", "Quantity": int(rng.integers(1, 6)),
                    "InvoiceDate": when.strftime("%d/%m/%Y %H:%M"),
                    "UnitPrice": f"{rng.uniform(2, 40):.2f}", "CustomerID": str(12000 + c),
                    "Email": f"buyer{c}@example.org",
                    "Newsletter": "yes" if c % 4 else "no", "Country": "United Kingdom"})
    frame = pd.DataFrame(rows)
    frame.to_csv(path, index=False)
    return frame


def test_line_items_to_a_klaviyo_list_of_the_at_risk_segment(qtbot, app_settings, tmp_path):
    source = tmp_path / "sales_lines.csv"
    frame = line_item_file(source)
    assert not {"Total", "Amount", "Line total"} & set(frame.columns)
    controller = AppController(app_settings=app_settings)
    window = MainWindow(controller)
    qtbot.addWidget(window)
    window.resize(1024, 700)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT)
    try:
        with qtbot.waitSignals([controller.data_loaded], timeout=WAIT,
                               raising=False) as blocker:
            window.open_path(str(source))
        if not blocker.signal_triggered:  # the check page asks for the columns
            qtbot.waitUntil(lambda: not controller.busy, timeout=WAIT)
            boxes = window.check_page.role_boxes
            boxes["quantity"].setCurrentIndex(boxes["quantity"].findData("Quantity"))
            boxes["unit_price"].setCurrentIndex(boxes["unit_price"].findData("UnitPrice"))
            with qtbot.waitSignal(controller.data_loaded, timeout=WAIT):
                window.check_page.reread_button.click()
        page = window.check_page
        assert window.current_step() == CHECK
        assert page.role_boxes["quantity"].currentData() == "Quantity"
        assert page.role_boxes["unit_price"].currentData() == "UnitPrice"
        orders = controller.order_data.orders
        assert len(orders) == frame["InvoiceNo"].nunique()
        expected = (frame["Quantity"] * frame["UnitPrice"].astype(float)).groupby(
            frame["InvoiceNo"]).sum()
        got = orders.set_index(orders["order_id"].astype(str))["amount"]
        assert np.allclose(got.reindex(expected.index).to_numpy(), expected.to_numpy())

        page.continue_button.setFocus()
        qtbot.keyClick(page.continue_button, Qt.Key.Key_Return)
        assert window.current_step() == SETTINGS
        with qtbot.waitSignal(controller.analysis_ready, timeout=WAIT):
            qtbot.keyClick(window.settings_page.analyse_button, Qt.Key.Key_Return)
        assert window.current_step() == RESULTS

        results = window.results_page
        results.tabs.setCurrentWidget(results.customers)
        segment = results.segment_filter
        assert segment.findData("At risk") > 0
        segment.setCurrentIndex(segment.findData("At risk"))
        at_risk = controller.analysis.customers
        at_risk = at_risk[at_risk["rfm_segment"] == "At risk"]
        assert controller.customer_proxy.rowCount() == len(at_risk) > 0
        results.export_shown_button.click()
        assert window.current_step() == EXPORT
        export = window.export_page
        export.tool.setCurrentIndex(export.tool.findData("klaviyo"))
        export.folder.setText(str(tmp_path / "lists"))
        with qtbot.waitSignal(controller.export_finished, timeout=WAIT):
            qtbot.keyClick(export.folder, Qt.Key.Key_Return)
        files = sorted(p.name for p in (tmp_path / "lists").iterdir())
        assert files == ["klaviyo_segment-at-risk.csv"]
        written = pd.read_csv(tmp_path / "lists" / files[0], dtype=str)
        consenting = at_risk[at_risk["consent"].astype("boolean").fillna(False)]
        email_column = next(c for c in written.columns if "mail" in c.lower())
        assert sorted(written[email_column]) == sorted(consenting["email"])
        assert window.statusBar().currentMessage().startswith(
            f"Wrote {len(consenting):,} contacts to 1 file")
    finally:
        controller.shutdown()
