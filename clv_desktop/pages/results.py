"""Results page: summary cards, method notes and charts, the customer table (with the
customer page), segments and the comparison with an earlier run."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox, QFileDialog, QHBoxLayout, QHeaderView, QLabel, QMenu, QPushButton,
    QLineEdit, QStackedWidget, QTabWidget, QVBoxLayout, QWidget,
)

from clv_engine.errors import count_text

from ..widgets import (
    Card, ChartView, ResponsiveGrid, explanation, fit_columns, fit_height, heading, scrollable,
    table_view,
)
from .customer import CustomerView
from .insights_tab import InsightsTab

ALL = "All"
CHART_ORDER = ("cumulative_value", "value_by_tier", "clv_distribution", "rfm_grid")
OVERVIEW, CUSTOMERS, SEGMENTS, INSIGHTS, COMPARE = range(5)


class ResultsPage(QWidget):
    """Four tabs over the controller's analysis and models."""

    export_shown_requested = Signal()     # "Export these customers…"

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
        self.insights = InsightsTab(controller)
        self.compare = self._build_compare()
        self.overview_scroll = scrollable(self.overview)
        # Mnemonics avoid F, G and H (the File, Go and Help menus).
        self.tabs.addTab(self.overview_scroll, "&Overview")
        self.tabs.addTab(self.customers, "C&ustomers")
        self.tabs.addTab(scrollable(self.segments), "Segme&nts")
        self.tabs.addTab(scrollable(self.insights), "Who bu&ys what")
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
        self.notes_heading = heading("How these numbers were worked out", level=2)
        layout.addWidget(self.notes_heading)
        self.notes_label = explanation("")
        self.notes_label.setAccessibleName("How these numbers were worked out")
        layout.addWidget(self.notes_label)
        self.charts_grid = ResponsiveGrid(min_chars=60, max_columns=2)
        self.chart_views = {name: ChartView() for name in CHART_ORDER}
        self.charts_grid.set_widgets(list(self.chart_views.values()))
        layout.addWidget(self.charts_grid, 1)
        return page

    # -- customers -----------------------------------------------------------------------
    def _build_customers(self) -> QWidget:
        self.customer_stack = QStackedWidget()
        page = QWidget()
        layout = QVBoxLayout(page)
        filters = QHBoxLayout()
        self.tier_filter = QComboBox()
        self.segment_filter = QComboBox()
        self.churn_filter = QComboBox()
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search name, email or ID")
        self.search.setClearButtonEnabled(True)
        for text, widget in (("&Tier", self.tier_filter), ("Seg&ment", self.segment_filter),
                             ("Churn ris&k", self.churn_filter), ("&Search", self.search)):
            label = QLabel(text)
            label.setBuddy(widget)
            widget.setAccessibleName(text.replace("&", ""))
            filters.addWidget(label)
            filters.addWidget(widget, 2 if widget is self.search else 1)
            if widget is self.churn_filter:
                self.churn_filter_label = label
        layout.addLayout(filters)
        row = QHBoxLayout()
        self.shown_label = QLabel()
        self.shown_label.setWordWrap(True)
        row.addWidget(self.shown_label, 1)
        self.columns_button = QPushButton("&Columns…")
        self.columns_button.setToolTip("Choose which columns the table shows (remembered)")
        self.columns_menu = QMenu(self.columns_button)
        self.columns_button.setMenu(self.columns_menu)
        row.addWidget(self.columns_button)
        self.export_shown_button = QPushButton("E&xport these customers…")
        self.export_shown_button.setToolTip("Write the customers shown (filter and search) "
                                            "as a list for your email tool")
        self.export_shown_button.clicked.connect(self.export_shown_requested)
        row.addWidget(self.export_shown_button)
        layout.addLayout(row)
        self.customer_view = table_view(self.controller.customer_proxy, sortable=True,
                                        stretch_last=False)
        self.customer_view.setAccessibleName("Customer table")
        self.customer_view.setToolTip("Double-click or press Enter to open a customer")
        self.customer_view.activated.connect(self._open_customer)
        self.customer_view.doubleClicked.connect(self._open_customer)
        layout.addWidget(self.customer_view, 1)
        self.tier_filter.currentIndexChanged.connect(self._apply_filters)
        self.segment_filter.currentIndexChanged.connect(self._apply_filters)
        self.churn_filter.currentIndexChanged.connect(self._apply_filters)
        self.search.textChanged.connect(lambda _: self._search_timer.start())
        self.search.returnPressed.connect(self._apply_filters)
        self.customer_page = CustomerView(self.controller)
        self.customer_page.back_requested.connect(self.show_customer_table)
        self.customer_stack.addWidget(page)
        self.customer_stack.addWidget(scrollable(self.customer_page))
        return self.customer_stack

    def _open_customer(self, index) -> None:
        if not index.isValid():
            return
        source = self.controller.customer_proxy.mapToSource(index)
        if self.controller.open_customer(source.row()) is not None:
            self.customer_stack.setCurrentIndex(1)
            self.customer_page.back_button.setFocus()

    def open_customer_at(self, view_row: int) -> None:
        """Open the customer on row ``view_row`` of the table as shown."""
        self._open_customer(self.controller.customer_proxy.index(view_row, 0))

    def show_customer_table(self) -> None:
        self.customer_stack.setCurrentIndex(0)
        self.customer_view.setFocus()

    def showing_customer(self) -> bool:
        return self.customer_stack.currentIndex() == 1

    def _apply_filters(self) -> None:
        shown = self.controller.filter_customers(
            self.tier_filter.currentData(), self.segment_filter.currentData(),
            self.search.text(), self.churn_filter.currentData())
        total = self.controller.customer_model.rowCount()
        self.shown_label.setText(f"Showing {shown:,} of {count_text(total, 'customer')} "
                                 f"({self.controller.filter_description()}). Click a "
                                 "header to sort; double-click a customer to open it.")
        self.export_shown_button.setEnabled(shown > 0)

    def _fill_columns_menu(self) -> None:
        self.columns_menu.clear()
        for key, header, shown in self.controller.customer_column_choices():
            action = QAction(header, self.columns_menu)
            action.setCheckable(True)
            action.setChecked(shown)
            action.setData(key)
            action.toggled.connect(self._columns_changed)
            self.columns_menu.addAction(action)
        self.columns_menu.addSeparator()
        self.columns_menu.addAction("Show the usual columns", self._default_columns)
        self._apply_visible_columns()

    def _columns_changed(self) -> None:
        keys = [a.data() for a in self.columns_menu.actions() if a.isCheckable() and a.isChecked()]
        if keys:
            self.controller.set_visible_customer_columns(keys)
        self._apply_visible_columns()

    def _default_columns(self) -> None:
        self.controller.set_visible_customer_columns([])
        self._fill_columns_menu()

    def _apply_visible_columns(self) -> None:
        visible = set(self.controller.visible_customer_columns())
        for index, column in enumerate(self.controller.customer_model.table.columns):
            self.customer_view.setColumnHidden(index, column.key not in visible)
        for action in self.columns_menu.actions():
            if action.isCheckable():
                action.blockSignals(True)
                action.setChecked(action.data() in visible)
                action.blockSignals(False)

    # -- segments ------------------------------------------------------------------------
    def _build_segments(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.segments_frame = explanation("")
        layout.addWidget(self.segments_frame)
        layout.addWidget(heading("Value tiers", level=2))
        self.tier_view = table_view(self.controller.tier_profile_model)
        self.tier_view.setWordWrap(True)
        self.tier_view.setAccessibleName("Value tiers")
        layout.addWidget(self.tier_view)
        layout.addWidget(heading("Segments and what to do with them", level=2))
        layout.addWidget(explanation("RFM segments group customers by how recently, how "
                                     "often and how much they bought; each comes with "
                                     "recommended actions."))
        self.segment_view = table_view(self.controller.segment_profile_model)
        self.segment_view.setWordWrap(True)
        self.segment_view.setAccessibleName("Segments")
        layout.addWidget(self.segment_view)
        layout.addStretch(1)
        return page

    # -- comparison ----------------------------------------------------------------------
    def _build_compare(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(heading("Compare with a previous run", level=2))
        layout.addWidget(explanation("Pick the customers.csv of an earlier analysis to see how "
                                     "many customers moved between tiers. File › Save all "
                                     "result files… (Ctrl+Shift+S) writes one for this "
                                     "run."))
        row = QHBoxLayout()
        self.compare_button = QPushButton("Choose p&revious customers.csv…")
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
        self.tabs.setCurrentIndex(COMPARE)
        self.comparison_label.setText("\n".join(self.controller.comparison_lines))
        for view in (self.migration_view, self.movement_view):
            fit_columns(view)
            fit_height(view)

    # -- refresh -------------------------------------------------------------------------
    def refresh(self) -> None:
        controller = self.controller
        self.cards_grid.set_widgets([Card(card.title, card.value, card.explanation)
                                     for card in controller.cards])
        self.notes_label.setText("\n".join(f"• {n}" for n in controller.method_notes))
        for widget in (self.notes_heading, self.notes_label):
            widget.setVisible(bool(controller.method_notes))
        for name, view in self.chart_views.items():
            figure = controller.figures.get(name)
            if figure is not None:
                view.set_figure(figure)
        churn = controller.churn_labels()
        for combo, values in ((self.tier_filter, controller.tier_names()),
                              (self.segment_filter, controller.segment_names()),
                              (self.churn_filter, churn)):
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(ALL, None)
            for value in values:
                combo.addItem(value, value)
            combo.blockSignals(False)
        for widget in (self.churn_filter, self.churn_filter_label):
            widget.setVisible(bool(churn))
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.show_customer_table()
        value_column = controller.customer_model.table.column_index("clv")
        if value_column is not None:  # most valuable customers first
            self.customer_view.sortByColumn(value_column, Qt.SortOrder.DescendingOrder)
        self._apply_filters()
        self._fill_columns_menu()
        fit_columns(self.customer_view, 30)
        self.customer_view.horizontalScrollBar().setValue(0)
        context = controller.context
        churn = (f" Churn risk is the group's average chance of no order in the next {context.horizon_text()}."
                 if controller.customer_model.table.column_index("churn_risk") is not None else "")
        self.segments_frame.setText(f"Values are {context.value_phrase()}, {context.margin_phrase()}.{churn}")
        for view in (self.tier_view, self.segment_view):
            _fit_profile(view)
        self._set_comparison_visible(False)
        self.insights.refresh()
        self.tabs.setTabVisible(INSIGHTS, controller.has_insights())
        self.overview_scroll.verticalScrollBar().setValue(0)


PROFILE_SHOWN = ("tier", "rfm_segment", "customers", "share_of_customers", "average_value",
                 "share_of_value", "churn_risk", "actions")


def _fit_profile(view) -> None:
    """Profile tables: the group, its size and worth and the actions (last, taking the
    rest of the width, wrapped); the other figures are in the Excel report."""
    model = view.model()
    header = view.horizontalHeader()
    keys = [c.key for c in model.table.columns]
    for column, key in enumerate(keys):
        view.setColumnHidden(column, key not in PROFILE_SHOWN)
    if "actions" in keys:
        header.moveSection(header.visualIndex(keys.index("actions")), header.count() - 1)
    fit_columns(view, 22)
    for column, key in enumerate(keys):
        if key == "actions":
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        else:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    fit_height(view, max_rows=20)
    if not view.property("refits"):  # wrapped rows grow when the window narrows
        view.setProperty("refits", True)
        header.sectionResized.connect(lambda *_: QTimer.singleShot(
            0, lambda: fit_height(view, max_rows=20)))
