"""'Who buys what' tab: findings in words, what a group buys more often than others,
value by first purchase, cohorts, time to the second order and the payback curve."""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ..insight_charts import INSIGHT_CHARTS
from ..widgets import (
    ChartView, ResponsiveGrid, explanation, fit_columns, fit_height, heading, table_view,
)


class InsightsTab(QWidget):
    """Shows ``Analysis.insights`` through the controller (figures, findings, profile)."""

    def __init__(self, controller, parent=None):
        super().__init__(parent)
        self.controller = controller
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Who buys what"))
        self.findings_label = QLabel()
        self.findings_label.setWordWrap(True)
        self.findings_label.setAccessibleName("Findings")
        layout.addWidget(self.findings_label)
        self.empty_label = explanation("This run has no purchase profiles or cohorts.")
        layout.addWidget(self.empty_label)
        self.charts_grid = ResponsiveGrid(min_chars=60, max_columns=2)
        self.chart_views = {name: ChartView() for name in INSIGHT_CHARTS}
        for name, view in self.chart_views.items():
            view.setAccessibleName(name.replace("_", " "))
        self.charts_grid.set_widgets(list(self.chart_views.values()))
        layout.addWidget(self.charts_grid)

        self.profile_heading = heading("What a group buys more often than others", level=2)
        layout.addWidget(self.profile_heading)
        row = QHBoxLayout()
        self.group = QComboBox()
        self.group.setAccessibleName("Group")
        group_label = QLabel("For &which group")
        group_label.setBuddy(self.group)
        row.addWidget(group_label)
        row.addWidget(self.group, 1)
        row.addStretch(2)
        layout.addLayout(row)
        self.profile_view = table_view(controller.profile_model, sortable=False)
        self.profile_view.setAccessibleName("What this group buys")
        layout.addWidget(self.profile_view)
        self.gaps_label = explanation("")
        layout.addWidget(self.gaps_label)
        layout.addStretch(1)
        self.group.currentIndexChanged.connect(self._group_changed)
        controller.profile_changed.connect(self._profile_changed)

    def refresh(self) -> None:
        controller = self.controller
        has = controller.has_insights()
        findings = controller.insight_findings()
        self.findings_label.setText("\n".join(f"• {f}" for f in findings))
        self.findings_label.setVisible(bool(findings))
        self.empty_label.setVisible(not has)
        for name, view in self.chart_views.items():
            figure = controller.figures.get(name)
            view.setVisible(figure is not None)
            if figure is not None:
                view.set_figure(figure)
        groups = controller.profile_groups()
        self.group.blockSignals(True)
        self.group.clear()
        for group in groups:
            self.group.addItem(group, group)
        self.group.blockSignals(False)
        for widget in (self.profile_heading, self.group, self.profile_view):
            widget.setVisible(bool(groups))
        gaps = controller.insight_gaps()
        self.gaps_label.setText("\n".join(gaps))
        self.gaps_label.setVisible(bool(gaps))
        if groups:
            controller.show_profile(groups[0])

    def _group_changed(self) -> None:
        group = self.group.currentData()
        if group:
            self.controller.show_profile(group)

    def _profile_changed(self) -> None:
        figure = self.controller.figures.get("top_group")
        if figure is not None:
            self.chart_views["top_group"].set_figure(figure)
        fit_columns(self.profile_view, 40)
        fit_height(self.profile_view, max_rows=12)
