"""Start page: open a file, drop one, pick a recent file, or try the sample data."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget,
)

from ..widgets import explanation, heading

FILE_FILTER = "Order files (*.csv *.txt *.xlsx *.xlsm *.xls *.ods);;All files (*)"


class StartPage(QWidget):
    """Emits what the user wants to open; the main window does the opening."""

    open_requested = Signal()
    sample_requested = Signal()
    recent_chosen = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Customer lifetime value for your shop"))
        layout.addWidget(explanation(
            "Open the order export from your shop (Shopify, WooCommerce, Square, Etsy, "
            "a spreadsheet of your own…). CLV Toolkit works out what each customer is "
            "likely to be worth, groups them into tiers and segments, and writes email "
            "lists for your newsletter tool. Nothing leaves this computer."))
        buttons = QHBoxLayout()
        self.open_button = QPushButton("&Open a file…")
        self.open_button.setToolTip("Open an order export (Ctrl+O)")
        self.open_button.clicked.connect(self.open_requested)
        self.sample_button = QPushButton("Try with &sample data")
        self.sample_button.setToolTip("Explore the app with a small example shop")
        self.sample_button.clicked.connect(self.sample_requested)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.sample_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.drop_hint = QLabel("…or drop a CSV, Excel (XLSX, XLS) or OpenDocument (ODS) "
                                "file anywhere on this window.")
        self.drop_hint.setWordWrap(True)
        self.drop_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.drop_hint.setStyleSheet("border: 2px dashed palette(mid); padding: 1.5em;")
        layout.addWidget(self.drop_hint)
        self.recent_label = QLabel("&Recent files")
        self.recent_list = QListWidget()
        self.recent_list.setAccessibleName("Recent files")
        self.recent_label.setBuddy(self.recent_list)
        self.recent_list.itemActivated.connect(
            lambda item: self.recent_chosen.emit(item.data(Qt.ItemDataRole.UserRole)))
        layout.addWidget(self.recent_label)
        layout.addWidget(self.recent_list)
        layout.addStretch(1)

    def set_recent_files(self, paths: list[str]) -> None:
        self.recent_list.clear()
        for path in paths:
            item = QListWidgetItem(f"{Path(path).name}   —   {Path(path).parent}")
            item.setData(Qt.ItemDataRole.UserRole, path)
            item.setToolTip(path)
            self.recent_list.addItem(item)
        self.recent_label.setVisible(bool(paths))
        self.recent_list.setVisible(bool(paths))
        if paths:
            self.recent_list.setCurrentRow(0)
