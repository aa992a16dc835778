"""Settings page: how to work out customer value, with a one-line explanation each."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox, QDoubleSpinBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton,
    QSpinBox, QVBoxLayout, QWidget,
)

from ..controller import METHODS
from ..insights import parse_percent_text, percent_text
from ..widgets import Page, explanation, heading


def _with_help(widget: QWidget, text: str) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(widget)
    layout.addWidget(explanation(text))
    return box


class SettingsPage(Page):
    """Collects analysis settings; ``values()`` returns them, ``analyse_requested`` asks."""

    analyse_requested = Signal()

    def __init__(self, controller, parent=None):
        super().__init__(parent)
        self.controller = controller
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Settings"))
        layout.addWidget(explanation("The defaults suit most shops. Change them if you know "
                                     "your margins and costs."))
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        self.method = QComboBox()
        for method_id, (label, _) in METHODS.items():
            self.method.addItem(label, method_id)
        self.method_help = explanation("")
        self.method.currentIndexChanged.connect(self._update_method_help)
        method_box = QWidget()
        method_layout = QVBoxLayout(method_box)
        method_layout.setContentsMargins(0, 0, 0, 0)
        method_layout.addWidget(self.method)
        method_layout.addWidget(self.method_help)
        form.addRow(self._label("&Method", self.method), method_box)

        self.horizon = QSpinBox()
        self.horizon.setRange(1, 120)
        self.horizon.setSuffix(" months")
        form.addRow(self._label("Hori&zon", self.horizon), _with_help(
            self.horizon, "How far ahead to count a customer's future orders."))

        self.discount = QDoubleSpinBox()
        self.discount.setRange(0, 100)
        self.discount.setDecimals(1)
        self.discount.setSuffix(" % a year")
        form.addRow(self._label("&Discount rate", self.discount), _with_help(
            self.discount, "Money later is worth less than money now; 10% is typical."))

        self.margin = QDoubleSpinBox()
        self.margin.setRange(0, 100)
        self.margin.setDecimals(1)
        self.margin.setSuffix(" %")
        form.addRow(self._label("Profit ma&rgin", self.margin), _with_help(
            self.margin, "Share of each sale you keep after product costs; 100% counts "
            "revenue."))

        self.acquisition = QDoubleSpinBox()
        self.acquisition.setRange(0, 1e9)
        self.acquisition.setDecimals(2)
        form.addRow(self._label("&Acquisition cost", self.acquisition), _with_help(
            self.acquisition, "What winning one new customer costs you (ads, discounts); "
            "subtracted from the formula value."))

        self.lifespan = QDoubleSpinBox()
        self.lifespan.setRange(0, 100)
        self.lifespan.setDecimals(1)
        self.lifespan.setSingleStep(0.5)
        self.lifespan.setSuffix(" years")
        self.lifespan.setSpecialValueText("Automatic (from your data)")
        form.addRow(self._label("&Lifespan", self.lifespan), _with_help(
            self.lifespan, "How long a customer keeps buying, for the simple formula (and "
            "when the predictive model cannot be used). Automatic measures it from your "
            "history, or assumes 3 years when the history is too short."))

        self.tier_names = QLineEdit()
        form.addRow(self._label("&Tier names", self.tier_names), _with_help(
            self.tier_names, "Names of your value tiers, best first, separated by commas."))
        self.tier_splits = QLineEdit()
        form.addRow(self._label("Tier &split (%)", self.tier_splits), _with_help(
            self.tier_splits, "Share of customers in each tier, best first (e.g. 20, 50, 30)."))
        layout.addLayout(form)

        buttons = QHBoxLayout()
        self.defaults_button = QPushButton("Restore defa&ults")
        self.defaults_button.clicked.connect(lambda: self.set_values(
            self.controller.settings_defaults()))
        self.analyse_button = QPushButton("A&nalyse my customers")
        self.analyse_button.setDefault(True)
        self.analyse_button.setToolTip("Run the analysis (Enter or Ctrl+R)")
        self.analyse_button.clicked.connect(self.analyse_requested)
        buttons.addWidget(self.defaults_button)
        buttons.addStretch(1)
        buttons.addWidget(self.analyse_button)
        layout.addLayout(buttons)
        layout.addStretch(1)
        self.finish_buttons()
        self._splits_like: list = [0.2, 0.3, 0.5]
        self.set_values(controller.settings_values())

    def default_button(self):
        return self.analyse_button

    @staticmethod
    def _label(text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(buddy)
        buddy.setAccessibleName(text.replace("&", ""))
        return label

    def _update_method_help(self) -> None:
        method_id = self.method.currentData()
        self.method_help.setText(METHODS.get(method_id, ("", ""))[1])

    def set_values(self, values: dict) -> None:
        index = self.method.findData(values.get("method", "auto"))
        self.method.setCurrentIndex(max(index, 0))
        self._update_method_help()
        self.horizon.setValue(int(round(float(values.get("horizon_months", 12)))))
        self.discount.setValue(float(values.get("discount_rate", 0.10)) * 100)
        self.margin.setValue(float(values.get("margin", 1.0)) * 100)
        self.acquisition.setValue(float(values.get("acquisition_cost", 0.0)))
        lifespan = values.get("lifespan_years")
        self.lifespan.setValue(float(lifespan) if lifespan else 0.0)
        self.tier_names.setText(", ".join(values.get("tier_names", [])))
        defaults = self.controller.settings_defaults().get("tier_splits") or [0.2, 0.3, 0.5]
        self._splits_like = list(defaults)
        self.tier_splits.setText(percent_text(values.get("tier_splits", defaults)))

    def values(self) -> dict:
        """The settings as plain values; raises ValueError with a sentence when invalid."""
        names = [n.strip() for n in self.tier_names.text().split(",") if n.strip()]
        try:
            splits = parse_percent_text(self.tier_splits.text(), self._splits_like)
        except ValueError:
            raise ValueError("Tier split must be numbers separated by commas, "
                             "e.g. 20, 30, 50.") from None
        if len(names) != len(splits):
            raise ValueError(f"You named {len(names)} tiers but gave {len(splits)} "
                             "tier shares; give one share per tier name.")
        if self.margin.value() < 1:  # 0.3 typed for 30%: a margin under 1% keeps next to nothing
            raise ValueError(f"A profit margin of {self.margin.value():g}% keeps almost nothing of each sale. "
                             "Enter it in percent: 30 for 30% (100% counts the whole order value).")
        return {
            "method": self.method.currentData(),
            "horizon_months": self.horizon.value(),
            "discount_rate": self.discount.value() / 100,
            "margin": self.margin.value() / 100,
            "acquisition_cost": self.acquisition.value(),
            "lifespan_years": self.lifespan.value() or None,
            "tier_names": names,
            "tier_splits": list(splits),
        }
