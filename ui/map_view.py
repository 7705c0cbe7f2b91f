"""The Map dock: aircraft tracks, frame footprints and sighting positions, offline.

No internet tiles: the map is drawn from telemetry alone, on a local equal-scale plane
(longitude scaled by the cosine of the latitude) so shapes are not stretched.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

FEED_COLOURS = (
    (255, 200, 60),
    (90, 200, 255),
    (160, 255, 120),
    (255, 120, 200),
    (200, 160, 255),
    (255, 150, 90),
    (120, 255, 230),
    (240, 240, 240),
)


class LongitudeAxis(pg.AxisItem):
    """Ticks in real longitude, although the plot's x is longitude x cos(latitude)."""

    def __init__(self) -> None:
        super().__init__("bottom")
        self.factor = 1.0

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        digits = max(0, min(6, int(-math.floor(math.log10(max(spacing / self.factor, 1e-9))))))
        return [f"{v / self.factor:.{digits}f}" for v in values]


class MapView(QWidget):
    """One layer set per feed; call :meth:`show_feed` as telemetry changes."""

    sighting_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lon_axis = LongitudeAxis()
        self.plot = pg.PlotWidget(background=(24, 26, 30), axisItems={"bottom": self.lon_axis})
        self.plot.setAspectLocked(True)
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.plot.setLabel("left", "latitude", units="°")
        self.plot.setLabel("bottom", "longitude", units="°")
        self.note = QLabel("No telemetry: open a feed that carries MISB KLV (e.g. MPEG-TS).")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.note)
        layout.addWidget(self.plot, 1)
        self._layers: dict[str, dict[str, pg.GraphicsObject]] = {}
        self._lat0: float | None = None
        self._sightings = pg.ScatterPlotItem(size=9, brush=(255, 80, 80), pen=None)
        self._sightings.sigClicked.connect(self._on_sighting_click)
        self.plot.addItem(self._sightings)
        self._fitted = False

    def _x(self, lon: float | np.ndarray, lat0: float) -> float | np.ndarray:
        return lon * math.cos(math.radians(lat0))

    def show_feed(
        self,
        key: str,
        index: int,
        track: Sequence[tuple[float, float]],
        position: tuple[float, float] | None,
        footprint: Sequence[tuple[float, float]] | None,
    ) -> None:
        """Draw (or update) a feed's aircraft track, current position and footprint."""
        if not track and position is None:
            return
        if self._lat0 is None:
            self._lat0 = (position or track[0])[0]
            self.lon_axis.factor = math.cos(math.radians(self._lat0))
        lat0 = self._lat0
        colour = FEED_COLOURS[index % len(FEED_COLOURS)]
        layers = self._layers.get(key)
        if layers is None:
            layers = {
                "track": self.plot.plot([], [], pen=pg.mkPen(colour, width=1.5)),
                "footprint": self.plot.plot(
                    [], [], pen=pg.mkPen(colour, width=1, style=pg.QtCore.Qt.PenStyle.DashLine)
                ),
                "aircraft": pg.ScatterPlotItem(size=11, symbol="t", brush=colour, pen=None),
            }
            self.plot.addItem(layers["aircraft"])
            self._layers[key] = layers
            self.note.hide()
            self._fitted = False  # a new feed: show everything again
        if track:
            lats = np.array([p[0] for p in track])
            lons = np.array([p[1] for p in track])
            layers["track"].setData(self._x(lons, lat0), lats)
        if position is not None:
            layers["aircraft"].setData([self._x(position[1], lat0)], [position[0]])
        if footprint:
            ring = [*footprint, footprint[0]]
            layers["footprint"].setData(
                [self._x(lon, lat0) for _, lon in ring], [lat for lat, _ in ring]
            )
        if not self._fitted:
            self._fitted = True
            self.plot.autoRange()

    def show_sightings(self, points: Sequence[tuple[int, float, float]]) -> None:
        """Sighting ground positions: (sighting id, lat, lon)."""
        if self._lat0 is None and points:
            self._lat0 = points[0][1]
        lat0 = self._lat0 or 0.0
        self._sightings.setData(
            [self._x(lon, lat0) for _, _, lon in points],
            [lat for _, lat, _ in points],
            data=[sid for sid, _, _ in points],
        )

    def remove_feed(self, key: str) -> None:
        for item in self._layers.pop(key, {}).values():
            self.plot.removeItem(item)

    def _on_sighting_click(self, _item: object, points: Sequence[object]) -> None:
        if points:
            self.sighting_clicked.emit(int(points[0].data()))  # type: ignore[attr-defined]
