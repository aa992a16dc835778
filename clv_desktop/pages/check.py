"""Check page: what was read, how to read the file (sheet, date order, currency, …), the
column mapping, the intake report, the first rows and the skipped rows.

After a read that failed the page shows the failed file (never the previous one): the
reason in the app's words, the file's columns in the boxes and its first rows, so the
user can fix the choices and read again.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QFileDialog, QFormLayout, QGridLayout, QGroupBox, QHBoxLayout,
    QLabel, QPushButton, QVBoxLayout, QWidget,
)

from ..controller import DATE_ORDERS
from ..widgets import Page, banner, explanation, fit_columns, fit_height, heading, table_view

NOT_USED = "(not in this file)"
# Mnemonics avoid F, G and H (the File, Go and Help menus).
ROLE_LABELS = {
    "customer_id": ("Customer &ID", "Who bought; email or name is used when missing."),
    "email": ("&Email", "Needed for email lists."),
    "name": ("&Name", "Shown in the customer table."),
    "order_id": ("&Order number", "Line items of one order are merged."),
    "date": ("&Date", "When the order was placed."),
    "amount": ("A&mount", "Order total, net of refunds. Leave it empty when the file has "
                          "quantity and unit price instead."),
    "currency": ("C&urrency", "Only needed for mixed-currency files."),
    "status": ("S&tatus", "Cancelled or failed orders are skipped."),
    "refund": ("&Refund", "Refunded amounts are subtracted."),
    "consent": ("Mar&keting consent", "Who agreed to receive emails."),
    "quantity": ("&Quantity", "Items on the line; with the unit price it gives the amount."),
    "unit_price": ("Unit &price", "Price of one item; amount = quantity × unit price."),
    "discount": ("Dis&count", "Discount on the line, subtracted from quantity × price."),
    "line_total": ("&Line total", "The line's total when there is no order total."),
    "original_order": ("Original order", "For returns and credit notes: the order they "
                                         "refer to."),
}
AUTOMATIC = "Automatic"
DUPLICATE_RULES = {  # value -> label (offered only when the engine takes 'duplicates'); the engine's default first
    "auto": "Automatic: an exact repeat with an order number or time counts once",
    "drop": "Count rows that repeat an earlier row exactly once",
    "keep": "Keep every row (identical rows are real repeat purchases)",
}


class CheckPage(Page):
    """Shows what was read; lets the user fix the reading choices and continue."""

    continue_requested = Signal()
    message = Signal(str)          # a status-bar sentence

    def __init__(self, controller, parent=None):
        super().__init__(parent)
        self.controller = controller
        self.shown_mapping: dict[str, str] = {}  # role -> column the boxes were filled with
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Check your data"))
        self.failure_label = banner()
        self.failure_label.setAccessibleName("Why the file could not be read")
        self.failure_label.setVisible(False)
        layout.addWidget(self.failure_label)
        self.layout_label = QLabel()
        self.layout_label.setWordWrap(True)
        layout.addWidget(self.layout_label)
        self.report_label = heading("", level=2)
        layout.addWidget(self.report_label)
        self.notes_label = explanation("")
        layout.addWidget(self.notes_label)

        layout.addWidget(self._build_read_box())
        mapping_box = QGroupBox("Which column holds what")
        self.mapping_grid = QGridLayout(mapping_box)
        self.role_boxes: dict[str, QComboBox] = {}
        layout.addWidget(mapping_box)
        buttons = QHBoxLayout()
        self.reread_button = QPushButton("Read again with these choices (F5)")
        self.reread_button.setShortcut(QKeySequence(Qt.Key.Key_F5))
        self.reread_button.setToolTip("Read the file again with the choices above (F5)")
        self.reread_button.clicked.connect(self._reread)
        self.continue_button = QPushButton("Continue to settings")
        self.continue_button.setToolTip("Go on to the settings (Enter)")
        self.continue_button.clicked.connect(self.continue_requested)
        buttons.addWidget(self.reread_button)
        buttons.addStretch(1)
        buttons.addWidget(self.continue_button)
        layout.addLayout(buttons)

        self.preview_heading = heading("First rows of your file", level=2)
        layout.addWidget(self.preview_heading)
        self.preview_view = table_view(controller.preview_model)
        self.preview_view.setAccessibleName("First rows of your file")
        layout.addWidget(self.preview_view)

        skipped_header = QHBoxLayout()
        self.skipped_heading = heading("Skipped rows", level=2)
        skipped_header.addWidget(self.skipped_heading, 1)
        self.save_skipped_button = QPushButton("Sa&ve skipped rows as CSV…")
        self.save_skipped_button.clicked.connect(self._save_skipped)
        skipped_header.addWidget(self.save_skipped_button)
        layout.addLayout(skipped_header)
        self.skipped_view = table_view(controller.skipped_model)
        self.skipped_view.setAccessibleName("Skipped rows")
        layout.addWidget(self.skipped_view)
        layout.addStretch(1)
        self.finish_buttons()
        controller.data_loaded.connect(self.refresh)
        controller.read_failed.connect(lambda failure: self.refresh())
        controller.file_changed.connect(self.clear)

    def _build_read_box(self) -> QGroupBox:
        box = QGroupBox("How to read the file")
        form = QFormLayout(box)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.sheet = QComboBox()
        self.sheet_label = QLabel("&Sheet")
        self.sheet_label.setBuddy(self.sheet)
        self.sheet.setAccessibleName("Sheet")
        self.sheet.setToolTip("The workbook sheet that holds the orders.")
        form.addRow(self.sheet_label, self.sheet)
        self.date_order = QComboBox()
        for value, label in DATE_ORDERS.items():
            self.date_order.addItem(label, value)
        self.date_order.setAccessibleName("Date order")
        self.date_order.setToolTip("How the file writes dates: 05/03 is 5 March as "
                                   "day/month and 3 May as month/day.")
        date_label = QLabel("D&ate order")
        date_label.setBuddy(self.date_order)
        form.addRow(date_label, self.date_order)
        self.date_question = banner()
        self.date_question.setAccessibleName("Check the dates")
        self.date_question.setStyleSheet(self.date_question.styleSheet().replace(
            "#C62828", "#F9A825"))
        form.addRow(self.date_question)
        self.currency = QComboBox()
        self.currency.setEditable(True)
        self.currency.setAccessibleName("Currency")
        self.currency.setToolTip("Which currency to analyse. Orders in other currencies are "
                                 "skipped; a file without a currency column is labelled "
                                 "with this one.")
        currency_label = QLabel("Currenc&y")
        currency_label.setBuddy(self.currency)
        form.addRow(currency_label, self.currency)
        self.exclude_non_product = QCheckBox(
            "E&xclude non-product lines (shipping, gift cards, fees, discounts)")
        form.addRow(self.exclude_non_product)
        self.duplicates = QComboBox()
        for value, label in DUPLICATE_RULES.items():
            self.duplicates.addItem(label, value)
        self.duplicates.setAccessibleName("Duplicate rows")
        self.duplicates_label = QLabel("Duplicate ro&ws")
        self.duplicates_label.setBuddy(self.duplicates)
        form.addRow(self.duplicates_label, self.duplicates)
        self.read_form = form
        return box

    # -- filling -------------------------------------------------------------------------
    def clear(self) -> None:
        """A new file is being read: show nothing of the previous one."""
        self.failure_label.setVisible(False)
        self.layout_label.setText("")
        self.report_label.setText("")
        self.notes_label.setText("")
        self.notes_label.setVisible(False)

    def refresh(self) -> None:
        controller = self.controller
        failure = controller.read_failure
        self.failure_label.setVisible(failure is not None)
        if failure is not None:
            self.failure_label.setText(f"{failure.message}\n\nFix the choices below and "
                                       "press 'Read again with these choices' (F5).")
        value_source = controller.value_source_text() if failure is None else ""
        self.layout_label.setText(" ".join(t for t in (controller.layout_text(), value_source)
                                           if t))
        self.report_label.setText(controller.intake_text())
        self.report_label.setVisible(failure is None)
        notes = controller.intake_notes()
        self.notes_label.setText("\n".join(f"• {n}" for n in notes))
        self.notes_label.setVisible(bool(notes))
        self._fill_read_choices()
        self._fill_mapping(controller.roles(), controller.columns(), controller.mapping())
        self.continue_button.setEnabled(failure is None)
        self.preview_heading.setText("First rows of your file" if failure is None else
                                     "First rows of the file, as found")
        skipped = controller.skipped_count()
        self.skipped_heading.setText(f"Skipped rows ({skipped:,})" if skipped
                                     else "Skipped rows (none)")
        self.skipped_heading.setVisible(failure is None)
        self.skipped_view.setVisible(bool(skipped))
        self.save_skipped_button.setVisible(failure is None)
        self.save_skipped_button.setEnabled(bool(skipped))
        fit_columns(self.preview_view, 24)
        fit_columns(self.skipped_view, 60)
        # Short tables inside the scrolling page: the wheel scrolls the page, not a box.
        fit_height(self.preview_view, max_rows=8)
        fit_height(self.skipped_view, max_rows=8)
        self._set_tab_order()
        first = self.reread_button if failure is not None else self.continue_button
        if self.isVisible():
            first.setFocus()

    def _fill_read_choices(self) -> None:
        controller = self.controller
        offered = set(controller.read_options())
        current = controller.current_read_choices()
        sheets = controller.sheets()
        self.sheet.clear()
        if len(sheets) > 1 and controller.read_failure is None:
            # the engine's own choice: the first sheet with orders and every later one with
            # the same columns (UCI Online Retail II: one sheet per year)
            read = controller.sheets_read()
            self.sheet.addItem(f"Automatic ({', '.join(read)})" if read else "Automatic", "")
        for sheet in sheets:
            self.sheet.addItem(sheet, sheet)
        chosen = controller.read_choices.get("sheet") or (current.get("sheet") if controller.read_failure else "")
        self.sheet.setCurrentIndex(max(0, self.sheet.findData(chosen or "")))
        show_sheet = "sheet" in offered and len(sheets) > 1
        self.read_form.setRowVisible(self.sheet, show_sheet)
        detected = controller.detected_date_order()
        automatic = DATE_ORDERS[""]
        if detected in DATE_ORDERS and detected:
            automatic = f"Automatic (read as {DATE_ORDERS[detected].split(' (')[0].lower()})"
        self.date_order.setItemText(0, automatic)
        self.date_order.setCurrentIndex(max(0, self.date_order.findData(
            controller.read_choices.get("date_order") or "")))
        self.read_form.setRowVisible(self.date_order, "date_order" in offered)
        question = controller.date_question()
        self.date_question.setText(question)
        self.read_form.setRowVisible(self.date_question, bool(question) and
                                     "date_order" in offered)
        self.currency.clear()
        found = controller.current_read_choices().get("currency") or ""
        self.currency.addItem(f"{AUTOMATIC} ({found or 'none in the file'})", "")
        for code in dict.fromkeys([found, "EUR", "GBP", "USD"]):
            if code:
                self.currency.addItem(code, code)
        chosen = controller.read_choices.get("currency") or ""
        index = self.currency.findData(chosen)
        if index < 0 and chosen:
            self.currency.addItem(chosen, chosen)
            index = self.currency.count() - 1
        self.currency.setCurrentIndex(max(0, index))
        self.read_form.setRowVisible(self.currency, "currency" in offered)
        exclude = controller.read_choices.get("exclude_non_product")
        self.exclude_non_product.setChecked(bool(exclude))
        self.read_form.setRowVisible(self.exclude_non_product, "exclude_non_product" in offered)
        self.duplicates.setCurrentIndex(max(0, self.duplicates.findData(
            controller.read_choices.get("duplicates") or "auto")))
        self.read_form.setRowVisible(self.duplicates, "duplicates" in offered)

    def _fill_mapping(self, roles, columns, mapping) -> None:
        while self.mapping_grid.count():
            widget = self.mapping_grid.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        self.role_boxes = {}
        self.shown_mapping = {role: mapping.get(role, "") for role in roles}
        per_column = (len(roles) + 1) // 2
        for i, role in enumerate(roles):
            text, help_text = ROLE_LABELS.get(role, (role.replace("_", " ").capitalize(), ""))
            label = QLabel(text)
            box = QComboBox()
            box.addItem(NOT_USED, "")
            for column in columns:
                box.addItem(column, column)
            current = mapping.get(role, "")
            box.setCurrentIndex(max(0, box.findData(current)))
            box.setToolTip(help_text)
            box.setAccessibleName(text.replace("&", ""))
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(12)
            label.setBuddy(box)
            self.role_boxes[role] = box
            row, col = i % per_column, (i // per_column) * 2
            self.mapping_grid.addWidget(label, row, col)
            self.mapping_grid.addWidget(box, row, col + 1)
        self.mapping_grid.setColumnStretch(1, 1)
        self.mapping_grid.setColumnStretch(3, 1)

    def _set_tab_order(self) -> None:
        """Reading order: how to read, the column boxes (down the first column, then the
        second), Read again, Continue, then the tables."""
        chain = [self.sheet, self.date_order, self.currency, self.exclude_non_product,
                 self.duplicates, *self.role_boxes.values(), self.reread_button,
                 self.continue_button, self.preview_view, self.save_skipped_button,
                 self.skipped_view]
        for first, second in zip(chain, chain[1:]):
            QWidget.setTabOrder(first, second)

    def default_button(self):
        return self.continue_button if self.continue_button.isEnabled() else self.reread_button

    # -- actions -------------------------------------------------------------------------
    def chosen_mapping(self) -> dict[str, str]:
        """The boxes as they are: role -> column, "" for a role set to not used (the
        re-read then leaves it out instead of guessing it again). After a failed read the
        boxes do not show what the engine would find, so a box still at "not in this file"
        as shown is not sent and the engine looks for that role itself: choosing the
        missing date column must not switch off the customer column it would have found."""
        chosen = {role: box.currentData() or "" for role, box in self.role_boxes.items()}
        if self.controller.read_failure is None:
            return chosen
        return {role: column for role, column in chosen.items() if column or self.shown_mapping.get(role)}

    def chosen_read_choices(self) -> dict:
        """Sheet, date order, currency and the other read choices as set on the page."""
        offered = set(self.controller.read_options())
        choices = {}
        if "sheet" in offered and self.sheet.count():
            choices["sheet"] = self.sheet.currentData()
        if "date_order" in offered:
            choices["date_order"] = self.date_order.currentData() or ""
        if "currency" in offered:
            text = self.currency.currentText().strip()
            index = self.currency.findText(text)
            choices["currency"] = ((self.currency.itemData(index) or "") if index >= 0
                                   else text.upper())
        if "exclude_non_product" in offered:
            choices["exclude_non_product"] = self.exclude_non_product.isChecked()
        if "duplicates" in offered:
            choices["duplicates"] = self.duplicates.currentData() or "auto"
        return choices

    def _reread(self) -> None:
        choices = self.chosen_read_choices()
        currency = choices.get("currency", "")
        if currency and not (len(currency) == 3 and currency.isalpha()):
            self.controller.failed.emit(
                "Currency", f"'{currency}' is not a currency code: type three letters such "
                "as EUR, GBP or USD, or choose Automatic.")
            return
        self.controller.reread_with_mapping(self.chosen_mapping(), choices)

    def _save_skipped(self) -> None:
        folder = self.controller.app_settings.last_folder()
        path, _ = QFileDialog.getSaveFileName(self, "Save skipped rows",
                                              f"{folder}/skipped_rows.csv", "CSV (*.csv)")
        if path:
            try:
                self.message.emit(self.controller.save_skipped_rows(path))
            except Exception as error:  # shown by the main window's error dialog
                self.controller.failed.emit("Saving skipped rows", str(error))
