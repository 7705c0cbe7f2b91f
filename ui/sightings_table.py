"""The sightings table: sortable, filterable by feed, class, time range and free text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from dronewatch.analysis.types import TargetClass
from dronewatch.clock_text import format_clock
from dronewatch.live.sighting_rows import SightingRow
from ui.timeline import class_qcolor

COLUMNS = (
    "",
    "Feed",
    "Track",
    "Class",
    "Start",
    "End",
    "Duration",
    "Peak",
    "Status",
    "Source",
    "Note",
)
THUMB_COLUMN = 0
THUMB_SIZE = 40
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2
_Index = QModelIndex | QPersistentModelIndex


class SightingsModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[SightingRow] = []
        self._thumbs: dict[int, QPixmap] = {}

    def set_rows(self, rows: Sequence[SightingRow]) -> bool:
        """Replace the rows; False (and nothing redrawn) when nothing changed."""
        rows = list(rows)
        if rows == self.rows:
            return False
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()
        return True

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def _thumbnail(self, row: SightingRow) -> QPixmap | None:
        if row.sighting_id not in self._thumbs:
            pixmap = QPixmap()
            if row.thumbnail_png and pixmap.loadFromData(row.thumbnail_png, "PNG"):
                pixmap = pixmap.scaled(
                    THUMB_SIZE,
                    THUMB_SIZE,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            self._thumbs[row.sighting_id] = pixmap
        pixmap = self._thumbs[row.sighting_id]
        return None if pixmap.isNull() else pixmap

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        col = index.column()
        if role == ID_ROLE:
            return row.sighting_id
        if role == SORT_ROLE:
            return (
                row.start_s,
                row.feed_name,
                row.track_id,
                row.target_class.value,
                row.start_s,
                row.end_s,
                row.duration_s,
                row.peak_score,
                row.status.value,
                row.source.value,
                row.note,
            )[col]
        if role == Qt.ItemDataRole.DecorationRole and col == THUMB_COLUMN:
            return self._thumbnail(row)
        if role == Qt.ItemDataRole.ForegroundRole and col == 3:
            return QColor(*class_qcolor(row.target_class))
        if role == Qt.ItemDataRole.DisplayRole:
            if col == THUMB_COLUMN:
                return None
            return (
                None,
                row.feed_name,
                str(row.track_id),
                row.target_class.value + (" (open)" if row.is_open else ""),
                format_clock(row.start_s),
                format_clock(row.end_s),
                f"{row.duration_s:.1f} s",
                f"{row.peak_score:.2f}",
                row.status.value,
                row.source.value,
                (row.note + ("  #" + " #".join(row.tags) if row.tags else "")).strip(),
            )[col]
        if role == Qt.ItemDataRole.ForegroundRole and row.dismissed:
            return QColor(130, 130, 130)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{row.feed_name} track {row.track_id}: double-click to go there"
        return None


class SightingsFilter(QSortFilterProxyModel):
    """Feed, class, time range and free-text filters over the model's rows."""

    def __init__(self) -> None:
        super().__init__()
        self.feed: str | None = None
        self.target_class: TargetClass | None = None
        self.start_s = 0.0
        self.end_s: float | None = None
        self.text = ""
        self.show_dismissed = False
        self.setSortRole(SORT_ROLE)

    def set_filters(
        self,
        feed: str | None = None,
        target_class: TargetClass | None = None,
        start_s: float = 0.0,
        end_s: float | None = None,
        text: str = "",
        show_dismissed: bool = False,
    ) -> None:
        begin = getattr(self, "beginFilterChange", None)  # Qt 6.10+; older: invalidate
        if begin is not None:
            begin()
        self.feed, self.target_class = feed, target_class
        self.start_s, self.end_s, self.text = start_s, end_s, text.strip().lower()
        self.show_dismissed = show_dismissed
        if begin is not None:
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        model = self.sourceModel()
        assert isinstance(model, SightingsModel)
        row = model.rows[source_row]
        if row.dismissed and not self.show_dismissed:
            return False  # dismissed sightings are hidden, never erased
        if self.feed is not None and row.feed_name != self.feed:
            return False
        if self.target_class is not None and row.target_class is not self.target_class:
            return False
        if row.end_s < self.start_s or (self.end_s is not None and row.start_s > self.end_s):
            return False
        if self.text:
            haystack = (
                f"{row.feed_name} {row.track_id} {row.target_class.value} {row.status.value} "
                f"{row.source.value} {row.note} {' '.join(row.tags)}"
            ).lower()
            return all(word in haystack for word in self.text.split())
        return True


class SightingsPanel(QWidget):
    """Filters above a sortable table; double-click a row to seek every feed there."""

    seek_requested = Signal(float)
    sighting_selected = Signal(int)
    sighting_activated = Signal(int)
    context_menu_requested = Signal(int, object)  # sighting id, global position

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = SightingsModel()
        self.proxy = SightingsFilter()
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(4, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setIconSize(QSize(THUMB_SIZE, THUMB_SIZE))
        self.table.verticalHeader().setDefaultSectionSize(THUMB_SIZE + 4)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        # Sized once when rows first arrive: ResizeToContents re-measures every row on
        # every refresh, which stalls the GUI once there are hundreds of sightings.
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self._sized = False
        self.table.doubleClicked.connect(self._on_double_click)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)

        self.feed_box = QComboBox(toolTip="Only this feed")
        self.class_box = QComboBox(toolTip="Only this class")
        self.class_box.addItem("All classes", None)
        for target_class in TargetClass:
            self.class_box.addItem(target_class.value, target_class.value)
        self.from_box = QDoubleSpinBox(suffix=" s", maximum=1e7, toolTip="From (seconds)")
        self.to_box = QDoubleSpinBox(suffix=" s", maximum=1e7, toolTip="To (seconds, 0 = end)")
        self.text_box = QLineEdit(placeholderText="Search feed, track, class, note…")
        self.dismissed_box = QCheckBox("Dismissed", toolTip="Show dismissed sightings too")
        self.dismissed_box.toggled.connect(self._apply_filters)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._on_context_menu)
        self.text_box.setClearButtonEnabled(True)
        self._feeds: list[str] = []
        self._set_feed_choices([])
        for box in (self.feed_box, self.class_box):
            box.currentIndexChanged.connect(self._apply_filters)
        for spin in (self.from_box, self.to_box):
            spin.valueChanged.connect(self._apply_filters)
        self.text_box.textChanged.connect(self._apply_filters)

        filters = QHBoxLayout()
        filters.setContentsMargins(4, 2, 4, 2)
        filters.addWidget(self.feed_box)
        filters.addWidget(self.class_box)
        filters.addWidget(QLabel("from"))
        filters.addWidget(self.from_box)
        filters.addWidget(QLabel("to"))
        filters.addWidget(self.to_box)
        filters.addWidget(self.text_box, 1)
        filters.addWidget(self.dismissed_box)
        self.bookmarks = QListWidget(toolTip="Bookmarks: double-click to go there")
        self.bookmarks.setMaximumHeight(80)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        self.bookmarks_label = QLabel("Bookmarks")
        layout.addWidget(self.bookmarks_label)
        layout.addWidget(self.bookmarks)
        self.bookmarks_label.hide()
        self.bookmarks.hide()  # shown once there is one

    def _set_feed_choices(self, feeds: list[str]) -> None:
        current = self.feed_box.currentData()
        self.feed_box.blockSignals(True)
        self.feed_box.clear()
        self.feed_box.addItem("All feeds", None)
        for name in feeds:
            self.feed_box.addItem(name, name)
        index = self.feed_box.findData(current)
        self.feed_box.setCurrentIndex(max(index, 0))
        self.feed_box.blockSignals(False)
        self._feeds = feeds

    def _apply_filters(self) -> None:
        end = self.to_box.value()
        self.proxy.set_filters(
            feed=self.feed_box.currentData(),
            target_class=TargetClass(c) if (c := self.class_box.currentData()) else None,
            start_s=self.from_box.value(),
            end_s=end if end > 0 else None,
            text=self.text_box.text(),
            show_dismissed=self.dismissed_box.isChecked(),
        )

    def set_rows(self, rows: Sequence[SightingRow], feed_names: list[str]) -> None:
        if feed_names != self._feeds:
            self._set_feed_choices(feed_names)
        selected = self.selected_id()
        if self.model.set_rows(rows) and selected is not None:
            self.select_sighting(selected, emit=False)
        if rows and not self._sized:
            self._sized = True
            self.table.resizeColumnsToContents()

    def set_bookmarks(self, marks: Sequence[Any], feed_names: dict[int | None, str]) -> None:
        self.bookmarks.clear()
        self.bookmarks.setVisible(bool(marks))
        self.bookmarks_label.setVisible(bool(marks))
        for mark in marks:
            feed = feed_names.get(mark.clip_id, "?")
            text = f"{format_clock(mark.time_s)}  {feed}  {mark.note}  ({mark.operator})"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, mark.time_s)
            self.bookmarks.addItem(item)

    def visible_ids(self) -> list[int]:
        return [
            self.proxy.data(self.proxy.index(r, 0), ID_ROLE) for r in range(self.proxy.rowCount())
        ]

    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return self.proxy.data(rows[0], ID_ROLE) if rows else None

    def select_sighting(self, sighting_id: int | None, emit: bool = False) -> None:
        selection = self.table.selectionModel()
        self.table.blockSignals(True)
        selection.blockSignals(not emit)
        try:
            if sighting_id is None:
                selection.clearSelection()
                return
            for r in range(self.proxy.rowCount()):
                index = self.proxy.index(r, 0)
                if self.proxy.data(index, ID_ROLE) == sighting_id:
                    selection.select(
                        index,
                        QItemSelectionModel.SelectionFlag.ClearAndSelect
                        | QItemSelectionModel.SelectionFlag.Rows,
                    )
                    self.table.scrollTo(index)
                    return
        finally:
            selection.blockSignals(False)
            self.table.blockSignals(False)

    def _on_selection(self) -> None:
        sighting_id = self.selected_id()
        if sighting_id is not None:
            self.sighting_selected.emit(sighting_id)

    def _on_context_menu(self, pos: object) -> None:
        index = self.table.indexAt(pos)  # type: ignore[arg-type]
        if index.isValid():
            sighting_id = self.proxy.data(index, ID_ROLE)
            self.select_sighting(sighting_id, emit=True)
            self.context_menu_requested.emit(
                sighting_id,
                self.table.viewport().mapToGlobal(pos),  # type: ignore[arg-type]
            )

    def _on_double_click(self, index: QModelIndex) -> None:
        sighting_id = self.proxy.data(index, ID_ROLE)
        row = next((r for r in self.model.rows if r.sighting_id == sighting_id), None)
        if row is not None:
            self.sighting_activated.emit(row.sighting_id)
            self.seek_requested.emit(row.start_s)
