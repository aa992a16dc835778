"""Customer page: one customer's orders on a timeline, value so far and expected, chance
still a customer, churn risk, next order, tier, segment and what to do."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget,
)

from ..widgets import ChartView, explanation, fit_columns, fit_height, heading, table_view


class CustomerView(QWidget):
    """Shows the controller's ``current_customer``; ``back_requested`` returns to the table."""

    back_requested = Signal()

    def __init__(self, controller, parent=None):
        super().__init__(parent)
        self.controller = controller
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.back_button = QPushButton("← &Back to customers")
        self.back_button.setToolTip("Back to the customer table (Esc or Alt+Left)")
        self.back_button.setAutoDefault(True)
        self.back_button.clicked.connect(self.back_requested)
        top.addWidget(self.back_button)
        top.addStretch(1)
        layout.addLayout(top)
        for key in (QKeySequence(Qt.Key.Key_Escape), QKeySequence("Alt+Left")):
            shortcut = QShortcut(key, self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.back_requested)
        self.title = heading("")
        layout.addWidget(self.title)
        self.subtitle = explanation("")
        layout.addWidget(self.subtitle)

        body = QHBoxLayout()
        facts_box = QWidget()
        self.facts = QGridLayout(facts_box)
        self.facts.setContentsMargins(0, 0, 0, 0)
        self.facts.setColumnStretch(2, 1)
        body.addWidget(facts_box, 3)
        actions_box = QWidget()
        actions_layout = QVBoxLayout(actions_box)
        actions_layout.setContentsMargins(0, 0, 0, 0)
        actions_layout.addWidget(heading("What to do", level=2))
        self.actions_label = QLabel()
        self.actions_label.setWordWrap(True)
        self.actions_label.setAccessibleName("Recommended actions")
        actions_layout.addWidget(self.actions_label)
        actions_layout.addStretch(1)
        body.addWidget(actions_box, 2)
        layout.addLayout(body)

        self.chart = ChartView()
        self.chart.setMinimumHeight(self.fontMetrics().height() * 13)
        layout.addWidget(self.chart, 1)
        self.orders_heading = heading("Orders", level=2)
        layout.addWidget(self.orders_heading)
        self.orders_view = table_view(controller.order_history_model)
        self.orders_view.setAccessibleName("Orders of this customer")
        layout.addWidget(self.orders_view)
        self.fact_labels: dict[str, QLabel] = {}
        controller.customer_opened.connect(self.show_customer)

    def show_customer(self, detail) -> None:
        self.title.setText(detail.title)
        self.title.setAccessibleName(detail.title)
        self.subtitle.setText(detail.subtitle)
        self.subtitle.setVisible(bool(detail.subtitle))
        while self.facts.count():
            widget = self.facts.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        self.fact_labels = {}
        for row, (label, value, tip) in enumerate(detail.facts):
            name = QLabel(label)
            bold = name.font()
            bold.setBold(True)
            name.setFont(bold)
            shown = QLabel(value)
            shown.setFont(bold)
            note = explanation(tip)
            for widget in (name, shown):
                widget.setToolTip(tip)
            shown.setAccessibleName(f"{label}: {value}. {tip}")
            self.facts.addWidget(name, row, 0, Qt.AlignmentFlag.AlignTop)
            self.facts.addWidget(shown, row, 1, Qt.AlignmentFlag.AlignTop)
            self.facts.addWidget(note, row, 2, Qt.AlignmentFlag.AlignTop)
            self.fact_labels[label] = shown
        self.actions_label.setText("\n".join(f"• {a}" for a in detail.actions)
                                   or "No recommended action for this group.")
        if detail.figure is not None:
            self.chart.set_figure(detail.figure)
        self.orders_heading.setText(f"Orders ({detail.orders:,})")
        fit_columns(self.orders_view, 30)
        fit_height(self.orders_view, max_rows=12)
