"""Small reusable widgets: headings, explanations, cards, chart views, tables."""
from __future__ import annotations

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView, QFrame, QGridLayout, QHeaderView, QLabel, QPushButton, QScrollArea,
    QSizePolicy, QTableView, QVBoxLayout, QWidget,
)

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class Page(QWidget):
    """A page whose default button answers Enter (as in a dialog) and whose push buttons
    answer Enter when they have the focus."""

    def default_button(self) -> QPushButton | None:
        return None

    def finish_buttons(self) -> None:
        """Let every push button on the page take Enter when focused (call after building)."""
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(True)

    def keyPressEvent(self, event) -> None:
        button = self.default_button()
        if (event.key() in ENTER_KEYS and button is not None and button.isEnabled()
                and button.isVisibleTo(self)):
            button.click()
            event.accept()
            return
        super().keyPressEvent(event)


def banner(text: str = "") -> QLabel:
    """A framed message that stands out (a read that failed, what to fix)."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setStyleSheet("QLabel { border: 2px solid #C62828; border-radius: 4px; "
                        "padding: 0.6em; background: palette(base); }")
    return label


def heading(text: str, level: int = 1) -> QLabel:
    """A bold heading scaled from the application font (no pixel sizes)."""
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * (1.6 if level == 1 else 1.2))
    font.setBold(True)
    label.setFont(font)
    label.setWordWrap(True)
    label.setAccessibleName(text)
    return label


def explanation(text: str) -> QLabel:
    """A wrapped, slightly muted sentence under a field or heading."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setForegroundRole(label.foregroundRole())
    label.setStyleSheet("color: palette(placeholder-text);")
    return label


def scrollable(widget: QWidget) -> QScrollArea:
    """Wrap a page so it scrolls instead of being cut off in a small window."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(widget)
    return area


def table_view(model=None, *, sortable: bool = False, stretch_last: bool = True) -> QTableView:
    """A read-only table suited to large models (uniform row heights, no row header)."""
    view = QTableView()
    if model is not None:
        view.setModel(model)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setAlternatingRowColors(True)
    view.setSortingEnabled(sortable)
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    view.horizontalHeader().setStretchLastSection(stretch_last)
    # Size columns to contents from the visible rows plus a few, not 1,000 per column.
    view.horizontalHeader().setResizeContentsPrecision(50)
    view.horizontalHeader().setDefaultSectionSize(view.fontMetrics().averageCharWidth() * 16)
    view.setTabKeyNavigation(False)  # Tab leaves the table, arrows move inside it
    view.setMinimumHeight(view.fontMetrics().height() * 8)
    return view


def fit_columns(view: QTableView, max_chars: int = 40) -> None:
    """Size columns to header and first visible rows, capped so one column cannot hog; a
    column is never narrower than its header text."""
    header = view.horizontalHeader()
    cap = view.fontMetrics().averageCharWidth() * max_chars
    model = view.model()
    metrics = header.fontMetrics()
    view.resizeColumnsToContents()
    for section in range(header.count()):
        title = model.headerData(section, Qt.Orientation.Horizontal) if model is not None else ""
        least = metrics.horizontalAdvance(str(title or "")) + 3 * metrics.averageCharWidth()
        if header.sectionSize(section) > max(cap, least):
            header.resizeSection(section, max(cap, least))


def fit_height(view: QTableView, max_rows: int = 15) -> None:
    """Make a short table exactly as tall as its rows (up to ``max_rows``), no blank area."""
    rows = view.model().rowCount() if view.model() is not None else 0
    shown = min(rows, max_rows)
    body = sum(view.rowHeight(r) for r in range(shown)) if shown else view.rowHeight(0) or 0
    height = (view.horizontalHeader().sizeHint().height() + body
              + 2 * view.frameWidth() + view.horizontalScrollBar().sizeHint().height())
    view.setMinimumHeight(height)
    view.setMaximumHeight(height)


class ResponsiveGrid(QWidget):
    """Lays its widgets out in as many columns as fit (each at least ``min_chars`` wide)."""

    def __init__(self, min_chars: int, max_columns: int, parent=None):
        super().__init__(parent)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._min_width = self.fontMetrics().averageCharWidth() * min_chars
        self._max_columns = max_columns
        self._widgets: list[QWidget] = []
        self._columns = 0

    def set_widgets(self, widgets: list[QWidget]) -> None:
        for widget in self._widgets:
            if widget not in widgets:
                self._grid.removeWidget(widget)
                widget.deleteLater()
        self._widgets = list(widgets)
        self._columns = 0
        self._arrange()

    def widgets(self) -> list[QWidget]:
        return list(self._widgets)

    def columns(self) -> int:
        return self._columns

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._arrange()

    def _arrange(self) -> None:
        fit = max(1, min(self._max_columns, self.width() // max(self._min_width, 1)))
        if fit == self._columns:
            return
        self._columns = fit
        for widget in self._widgets:
            self._grid.removeWidget(widget)
        for column in range(self._max_columns):
            self._grid.setColumnStretch(column, 1 if column < fit else 0)
        for i, widget in enumerate(self._widgets):
            self._grid.addWidget(widget, i // fit, i % fit)


class Card(QFrame):
    """A summary card: big value, title, one explanatory sentence."""

    def __init__(self, title: str, value: str, text: str, parent=None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        layout = QVBoxLayout(self)
        value_label = QLabel(value)
        font = value_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        value_label.setFont(font)
        title_label = QLabel(title)
        title_label.setWordWrap(True)
        bold = title_label.font()
        bold.setBold(True)
        title_label.setFont(bold)
        text_label = QLabel(text)
        text_label.setWordWrap(True)
        for label in (value_label, title_label, text_label):
            layout.addWidget(label)
        layout.addStretch(1)
        self.setAccessibleName(f"{title}: {value}. {text}")
        self.value_text, self.title_text = value, title


class ChartView(QWidget):
    """Shows one matplotlib Figure in a FigureCanvasQTAgg; replace it with set_figure."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.canvas: FigureCanvasQTAgg | None = None
        self.setMinimumHeight(self.fontMetrics().height() * 16)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_figure(self, figure: Figure) -> None:
        if self.canvas is not None:
            self._layout.removeWidget(self.canvas)
            self.canvas.deleteLater()
        self.canvas = FigureCanvasQTAgg(figure)
        self.canvas.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.canvas.setMinimumHeight(self.fontMetrics().height() * 14)
        self._layout.addWidget(self.canvas)
