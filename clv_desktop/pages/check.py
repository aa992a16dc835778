"""Check page: detected layout, column mapping, intake report, preview, skipped rows."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox, QFileDialog, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton,
    QVBoxLayout, QWidget,
)

from ..widgets import explanation, fit_columns, heading, table_view

NOT_USED = "(not in this file)"
ROLE_LABELS = {
    "customer_id": ("Customer &ID", "Who bought; email or name is used when missing."),
    "email": ("&Email", "Needed for email lists."),
    "name": ("&Name", "Shown in the customer table."),
    "order_id": ("&Order number", "Line items of one order are merged."),
    "date": ("&Date", "When the order was placed."),
    "amount": ("A&mount", "Order total, net of refunds."),
    "currency": ("C&urrency", "Only needed for mixed-currency files."),
    "status": ("S&tatus", "Cancelled or failed orders are skipped."),
    "refund": ("Re&fund", "Refunded amounts are subtracted."),
    "consent": ("Mar&keting consent", "Who agreed to receive emails."),
}


class CheckPage(QWidget):
    """Shows what was read; lets the user fix the column mapping and continue."""

    continue_requested = Signal()
    message = Signal(str)          # a status-bar sentence

    def __init__(self, controller, parent=None):
        super().__init__(parent)
        self.controller = controller
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Check your data"))
        self.layout_label = QLabel()
        self.layout_label.setWordWrap(True)
        layout.addWidget(self.layout_label)
        self.report_label = heading("", level=2)
        layout.addWidget(self.report_label)
        self.notes_label = explanation("")
        layout.addWidget(self.notes_label)

        mapping_box = QGroupBox("Which column holds what")
        self.mapping_grid = QGridLayout(mapping_box)
        self.role_boxes: dict[str, QComboBox] = {}
        mapping_layout = QVBoxLayout()
        mapping_layout.addWidget(mapping_box)
        buttons = QHBoxLayout()
        self.reread_button = QPushButton("&Read again with these columns")
        self.reread_button.clicked.connect(self._reread)
        self.continue_button = QPushButton("&Continue to settings")
        self.continue_button.setDefault(True)
        self.continue_button.clicked.connect(self.continue_requested)
        buttons.addWidget(self.reread_button)
        buttons.addStretch(1)
        buttons.addWidget(self.continue_button)
        mapping_layout.addLayout(buttons)
        layout.addLayout(mapping_layout)

        layout.addWidget(heading("First rows of your file", level=2))
        self.preview_view = table_view(controller.preview_model)
        layout.addWidget(self.preview_view, 1)

        skipped_header = QHBoxLayout()
        self.skipped_heading = heading("Skipped rows", level=2)
        skipped_header.addWidget(self.skipped_heading, 1)
        self.save_skipped_button = QPushButton("Sa&ve skipped rows as CSV…")
        self.save_skipped_button.clicked.connect(self._save_skipped)
        skipped_header.addWidget(self.save_skipped_button)
        layout.addLayout(skipped_header)
        self.skipped_view = table_view(controller.skipped_model)
        layout.addWidget(self.skipped_view, 1)
        controller.data_loaded.connect(self.refresh)

    def refresh(self) -> None:
        controller = self.controller
        self.layout_label.setText(controller.layout_text())
        self.report_label.setText(controller.intake_text())
        notes = controller.intake_notes()
        self.notes_label.setText("\n".join(f"• {n}" for n in notes))
        self.notes_label.setVisible(bool(notes))
        self._fill_mapping(controller.roles(), controller.columns(), controller.mapping())
        skipped = controller.skipped_count()
        self.skipped_heading.setText(f"Skipped rows ({skipped:,})" if skipped
                                     else "Skipped rows (none)")
        self.skipped_view.setVisible(bool(skipped))
        self.save_skipped_button.setEnabled(bool(skipped))
        fit_columns(self.preview_view, 24)
        fit_columns(self.skipped_view, 60)

    def _fill_mapping(self, roles, columns, mapping) -> None:
        while self.mapping_grid.count():
            widget = self.mapping_grid.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        self.role_boxes = {}
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
        boxes = list(self.role_boxes.values())
        for first, second in zip(boxes, boxes[1:]):
            QWidget.setTabOrder(first, second)
        if boxes:
            QWidget.setTabOrder(boxes[-1], self.reread_button)

    def chosen_mapping(self) -> dict[str, str]:
        """The boxes as they are: role -> column, "" for a role set to not used (the
        re-read then leaves it out instead of guessing it again)."""
        return {role: box.currentData() or "" for role, box in self.role_boxes.items()}

    def _reread(self) -> None:
        self.controller.reread_with_mapping(self.chosen_mapping())

    def _save_skipped(self) -> None:
        folder = self.controller.app_settings.last_folder()
        path, _ = QFileDialog.getSaveFileName(self, "Save skipped rows",
                                              f"{folder}/skipped_rows.csv", "CSV (*.csv)")
        if path:
            try:
                self.message.emit(self.controller.save_skipped_rows(path))
            except Exception as error:  # shown by the main window's error dialog
                self.controller.failed.emit("Saving skipped rows", str(error))
