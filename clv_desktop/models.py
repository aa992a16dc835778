"""Qt table models over :class:`~clv_desktop.table_data.ColumnTable`.

``ColumnTableModel`` formats cells on demand. ``RowFilterProxy`` sorts and filters with
numpy index arrays (argsort, boolean masks), so a million rows stay responsive; it
replaces ``QSortFilterProxyModel``, which would call back into Python for every row.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractProxyModel, QAbstractTableModel, QModelIndex, Qt

from .table_data import ColumnTable

_ALIGN_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_ALIGN_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)


class ColumnTableModel(QAbstractTableModel):
    """Read-only table model; cells are formatted only when a view paints them."""

    def __init__(self, table: ColumnTable | None = None, parent=None):
        super().__init__(parent)
        self._table = table or ColumnTable.empty()

    @property
    def table(self) -> ColumnTable:
        return self._table

    def set_table(self, table: ColumnTable) -> None:
        self.beginResetModel()
        self._table = table
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else self._table.n_rows

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self._table.columns)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        return self.cell_data(index.row(), index.column(), role)

    def cell_data(self, row: int, column: int, role=Qt.ItemDataRole.DisplayRole):
        """Cell value for ``role`` by row and column number (no QModelIndex needed)."""
        if role == Qt.ItemDataRole.DisplayRole:
            return self._table.display(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._table.columns[column].tooltip(row)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _ALIGN_RIGHT if self._table.columns[column].is_numeric() else _ALIGN_LEFT
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            if 0 <= section < len(self._table.columns):
                return self._table.columns[section].header
            return None
        return str(section + 1)


class RowFilterProxy(QAbstractProxyModel):
    """Sorts (stable numpy argsort of the shown order) and filters (vectorised masks) a ColumnTableModel.

    Filters: ``set_filter(column_key, value)`` keeps rows whose column equals ``value``
    (``None`` clears it); ``set_search(text, keys)`` keeps rows where any key column
    contains the text, ignoring case.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self._order = np.zeros(0, dtype=np.intp)   # all source rows, current sort order
        self._rows = np.zeros(0, dtype=np.intp)    # visible source rows, in view order
        self._inverse: np.ndarray | None = None    # source row -> view row (-1 hidden)
        self._filters: dict[str, str] = {}
        self._search = ""
        self._search_keys: tuple[str, ...] = ()
        self._sort_column = -1
        self._sort_descending = False

    # -- wiring ------------------------------------------------------------------------
    def setSourceModel(self, model: ColumnTableModel) -> None:
        self.beginResetModel()
        old = self.sourceModel()
        if old is not None:
            old.modelAboutToBeReset.disconnect(self.beginResetModel)
            old.modelReset.disconnect(self._source_reset)
        super().setSourceModel(model)
        model.modelAboutToBeReset.connect(self.beginResetModel)
        model.modelReset.connect(self._source_reset)
        self._sort_column = -1
        self._recompute()
        self.endResetModel()

    def _source_reset(self) -> None:
        self._sort_column = -1
        self._recompute()
        self.endResetModel()

    def _table(self) -> ColumnTable:
        model = self.sourceModel()
        return model.table if model is not None else ColumnTable.empty()

    # -- filtering and sorting ----------------------------------------------------------
    def set_filter(self, column_key: str, value: str | None) -> None:
        if value is None:
            self._filters.pop(column_key, None)
        else:
            self._filters[column_key] = value
        self._reset_with(self._apply_filters)

    def set_search(self, text: str, keys: tuple[str, ...]) -> None:
        self._search = text.strip()
        self._search_keys = keys
        self._reset_with(self._apply_filters)

    def sort(self, column, order=Qt.SortOrder.AscendingOrder):
        table = self._table()
        if not 0 <= column < len(table.columns):
            return
        self._sort_column = column
        self._sort_descending = order == Qt.SortOrder.DescendingOrder
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        sources = [self.mapToSource(i) for i in persistent]
        # Sorting the current order (not the source order) keeps ties as they were shown,
        # so sorting by tier after sorting by value lists each tier by value.
        self._order = table.sorted_rows(column, self._sort_descending, rows=self._order)
        self._apply_filters()
        self.changePersistentIndexList(persistent, [self.mapFromSource(s) for s in sources])
        self.layoutChanged.emit()

    def visible_source_rows(self) -> np.ndarray:
        """Source row numbers in view order (for tests and exports of the view)."""
        return self._rows.copy()

    def _reset_with(self, change) -> None:
        self.beginResetModel()
        change()
        self.endResetModel()

    def _recompute(self) -> None:
        table = self._table()
        self._order = np.arange(table.n_rows, dtype=np.intp)
        if self._sort_column >= 0:
            self._order = table.sorted_rows(self._sort_column, self._sort_descending)
        self._apply_filters()

    def _apply_filters(self) -> None:
        table = self._table()
        if not self._filters and not self._search:
            self._rows = self._order
        else:
            mask = np.ones(table.n_rows, dtype=bool)
            for key, value in self._filters.items():
                mask &= table.equals_mask(key, value)
            if self._search:
                mask &= table.contains_mask(self._search_keys, self._search)
            self._rows = self._order[mask[self._order]]
        self._inverse = None

    # -- QAbstractProxyModel ------------------------------------------------------------
    def index(self, row, column, parent=QModelIndex()):
        if parent.isValid() or not (0 <= row < len(self._rows)) \
                or not (0 <= column < self.columnCount()):
            return QModelIndex()
        return self.createIndex(row, column)

    def parent(self, index=QModelIndex()):
        return QModelIndex()

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()):
        if parent.isValid() or self.sourceModel() is None:
            return 0
        return self.sourceModel().columnCount()

    def hasChildren(self, parent=QModelIndex()):
        return not parent.isValid() and len(self._rows) > 0

    def mapToSource(self, proxy_index):
        if not proxy_index.isValid() or self.sourceModel() is None:
            return QModelIndex()
        row = proxy_index.row()
        if not 0 <= row < len(self._rows):
            return QModelIndex()
        return self.sourceModel().index(int(self._rows[row]), proxy_index.column())

    def mapFromSource(self, source_index):
        if not source_index.isValid():
            return QModelIndex()
        if self._inverse is None:
            inverse = np.full(self._table().n_rows, -1, dtype=np.intp)
            inverse[self._rows] = np.arange(len(self._rows), dtype=np.intp)
            self._inverse = inverse
        row = int(self._inverse[source_index.row()])
        return QModelIndex() if row < 0 else self.createIndex(row, source_index.column())

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or self.sourceModel() is None:
            return None
        row = index.row()
        if not 0 <= row < len(self._rows):
            return None
        return self.sourceModel().cell_data(int(self._rows[row]), index.column(), role)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if self.sourceModel() is None:
            return None
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1) if role == Qt.ItemDataRole.DisplayRole else None
        return self.sourceModel().headerData(section, orientation, role)
