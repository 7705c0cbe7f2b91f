"""Tiles laid out in a grid: automatic (1x1 up to 4x4 and beyond) or a chosen layout."""

from __future__ import annotations

import math

from PySide6.QtWidgets import QGridLayout, QWidget

from ui.feed_tile import FeedTile

LAYOUTS: tuple[int, ...] = (1, 2, 3, 4)  # NxN choices offered in the menu


def auto_grid(count: int) -> tuple[int, int]:
    """(columns, rows) for ``count`` tiles: 2 side by side, 4 in 2x2, 9 in 3x3, ..."""
    if count <= 1:
        return 1, 1
    cols = math.ceil(math.sqrt(count))
    rows = math.ceil(count / cols)
    return cols, rows


class FeedGrid(QWidget):
    """Owns the tile widgets' placement; one tile can be enlarged to fill the grid."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QGridLayout(self)
        self._layout.setContentsMargins(2, 2, 2, 2)
        self._layout.setSpacing(3)
        self.tiles: list[FeedTile] = []
        self.columns: int | None = None  # None = automatic
        self.enlarged: FeedTile | None = None

    def add_tile(self, tile: FeedTile) -> None:
        self.tiles.append(tile)
        self.relayout()

    def remove_tile(self, tile: FeedTile) -> None:
        self.tiles.remove(tile)
        if self.enlarged is tile:
            self.enlarged = None
        self._layout.removeWidget(tile)
        tile.setParent(None)
        tile.deleteLater()
        self.relayout()

    def set_columns(self, columns: int | None) -> None:
        self.columns = columns
        self.enlarged = None
        self.relayout()

    def grid_shape(self) -> tuple[int, int]:
        if self.columns is None:
            return auto_grid(len(self.tiles))
        cols = self.columns
        return cols, max(cols, math.ceil(len(self.tiles) / cols))

    def toggle_enlarged(self, tile: FeedTile) -> None:
        """Enlarge ``tile`` to the whole grid, or restore the grid if it is enlarged."""
        self.enlarged = None if self.enlarged is tile else tile
        self.relayout()

    def relayout(self) -> None:
        for tile in self.tiles:
            self._layout.removeWidget(tile)
        for i in range(self._layout.columnCount()):
            self._layout.setColumnStretch(i, 0)
        for i in range(self._layout.rowCount()):
            self._layout.setRowStretch(i, 0)
        if self.enlarged is not None:
            for tile in self.tiles:
                tile.setVisible(tile is self.enlarged)
            self._layout.addWidget(self.enlarged, 0, 0)
            self._layout.setColumnStretch(0, 1)
            self._layout.setRowStretch(0, 1)
            return
        cols, rows = self.grid_shape()
        for i, tile in enumerate(self.tiles):
            self._layout.addWidget(tile, i // cols, i % cols)
            tile.setVisible(True)
        for c in range(cols):
            self._layout.setColumnStretch(c, 1)
        for r in range(rows):
            self._layout.setRowStretch(r, 1)
