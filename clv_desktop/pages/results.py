"""Results page: summary cards and charts, customer table, segments, comparison."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox, QFileDialog, QHBoxLayout, QLabel, QLineEdit, QPushButton,
    QTabWidget, QVBoxLayout, QWidget,
)

from ..widgets import (
    Card, ChartView, ResponsiveGrid, explanation, fit_columns, fit_height, heading, scrollable,
    table_view,
)

ALL = "All"
CHART_ORDER = ("cumulative_value", "value_by_tier", "clv_distribution", "rfm_grid")


class ResultsPage(QWidget):
    """Four tabs over the controller's analysis and models."""

    def __init__(self, controller, parent=None):
        super().__init__(parent)
        self.controller = controller
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs)
        self.overview = self._build_overview()
        self.customers = self._build_customers()
        self.segments = self._build_segments()
        self.compare = self._build_compare()
        self.tabs.addTab(scrollable(self.overview), "&Overview")
        self.tabs.addTab(self.customers, "C&ustomers")
        self.tabs.addTab(scrollable(self.segments), "Se&gments")
        self.tabs.addTab(scrollable(self.compare), "Com&pare runs")
        self._search_timer = QTimer(self, singleShot=True, interval=250)
        self._search_timer.timeout.connect(self._apply_filters)
        controller.analysis_ready.connect(self.refresh)
        controller.comparison_ready.connect(self._show_comparison)

    # -- overview ------------------------------------------------------------------------
    def _build_overview(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(heading("Your customers at a glance"))
        self.cards_grid = ResponsiveGrid(min_chars=28, max_columns=3)
        layout.addWidget(self.cards_grid)
        self.charts_grid = ResponsiveGrid(min_chars=60, max_columns=2)
        self.chart_views = {name: ChartView() for name in CHART_ORDER}
        self.charts_grid.set_widgets(list(self.chart_views.values()))
        layout.addWidget(self.charts_grid, 1)
        return page

    # -- customers -----------------------------------------------------------------------
    def _build_customers(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        filters = QHBoxLayout()
        self.tier_filter = QComboBox()
        self.segment_filter = QComboBox()
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search name or email")
        self.search.setClearButtonEnabled(True)
        for text, widget in (("&Tier", self.tier_filter), ("Seg&ment", self.segment_filter),
                             ("&Search", self.search)):
            label = QLabel(text)
            label.setBuddy(widget)
            widget.setAccessibleName(text.replace("&", ""))
            filters.addWidget(label)
            filters.addWidget(widget, 2 if widget is self.search else 1)
        layout.addLayout(filters)
        self.shown_label = QLabel()
        layout.addWidget(self.shown_label)
        self.customer_view = table_view(self.controller.customer_proxy, sortable=True,
                                        stretch_last=False)
        self.customer_view.setAccessibleName("Customer table")
        layout.addWidget(self.customer_view, 1)
        self.tier_filter.currentIndexChanged.connect(self._apply_filters)
        self.segment_filter.currentIndexChanged.connect(self._apply_filters)
        self.search.textChanged.connect(lambda _: self._search_timer.start())
        self.search.returnPressed.connect(self._apply_filters)
        return page

    def _apply_filters(self) -> None:
        tier = self.tier_filter.currentData()
        segment = self.segment_filter.currentData()
        shown = self.controller.filter_customers(tier, segment, self.search.text())
        total = self.controller.customer_model.rowCount()
        self.shown_label.setText(f"Showing {shown:,} of {total:,} customers. "
                                 "Click a column header to sort.")

    # -- segments ------------------------------------------------------------------------
    def _build_segments(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(heading("Value tiers", level=2))
        self.tier_view = table_view(self.controller.tier_profile_model)
        self.tier_view.setWordWrap(True)
        layout.addWidget(self.tier_view)
        layout.addWidget(heading("Segments and what to do with them", level=2))
        layout.addWidget(explanation("RFM segments group customers by how recently, how "
                                     "often and how much they bought; each comes with "
                                     "recommended actions."))
        self.segment_view = table_view(self.controller.segment_profile_model)
        self.segment_view.setWordWrap(True)
        layout.addWidget(self.segment_view)
        layout.addStretch(1)
        return page

    # -- comparison ----------------------------------------------------------------------
    def _build_compare(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(heading("Compare with a previous run", level=2))
        layout.addWidget(explanation("Pick the customers.csv written by an earlier analysis "
                                     "to see how many customers moved between tiers."))
        row = QHBoxLayout()
        self.compare_button = QPushButton("Choose &previous customers.csv…")
        self.compare_button.clicked.connect(self._choose_previous_run)
        row.addWidget(self.compare_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.comparison_label = QLabel()
        self.comparison_label.setWordWrap(True)
        layout.addWidget(self.comparison_label)
        self.migration_heading = heading("Tier migration (rows: before, columns: now)", 2)
        layout.addWidget(self.migration_heading)
        self.migration_view = table_view(self.controller.migration_model)
        layout.addWidget(self.migration_view)
        self.movement_heading = heading("Movement", 2)
        layout.addWidget(self.movement_heading)
        self.movement_view = table_view(self.controller.movement_model)
        layout.addWidget(self.movement_view)
        layout.addStretch(1)
        self._set_comparison_visible(False)
        return page

    def _set_comparison_visible(self, visible: bool) -> None:
        for widget in (self.migration_heading, self.migration_view, self.comparison_label):
            widget.setVisible(visible)
        has_movement = visible and self.controller.movement_model.rowCount() > 0
        for widget in (self.movement_heading, self.movement_view):
            widget.setVisible(has_movement)

    def _choose_previous_run(self) -> None:
        folder = self.controller.app_settings.last_folder()
        path, _ = QFileDialog.getOpenFileName(self, "Previous customers.csv", folder,
                                              "CSV (*.csv);;All files (*)")
        if path:
            self.controller.compare_with(path)

    def _show_comparison(self) -> None:
        self._set_comparison_visible(True)
        self.tabs.setCurrentIndex(3)
        self.comparison_label.setText("\n".join(self.controller.comparison_lines))
        for view in (self.migration_view, self.movement_view):
            fit_columns(view)
            fit_height(view)

    # -- refresh -------------------------------------------------------------------------
    def refresh(self) -> None:
        controller = self.controller
        self.cards_grid.set_widgets([Card(card.title, card.value, card.explanation)
                                     for card in controller.cards])
        for name, view in self.chart_views.items():
            figure = controller.figures.get(name)
            if figure is not None:
                view.set_figure(figure)
        for combo, values in ((self.tier_filter, controller.tier_names()),
                              (self.segment_filter, controller.segment_names())):
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(ALL, None)
            for value in values:
                combo.addItem(value, value)
            combo.blockSignals(False)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        value_column = controller.customer_model.table.column_index("clv")
        if value_column is not None:  # most valuable customers first
            self.customer_view.sortByColumn(value_column, Qt.SortOrder.DescendingOrder)
        self._apply_filters()
        fit_columns(self.customer_view, 30)
        fit_columns(self.tier_view, 60)
        fit_columns(self.segment_view, 60)
        for view in (self.tier_view, self.segment_view):
            view.resizeRowsToContents()
            fit_height(view, max_rows=20)
        self._set_comparison_visible(False)
