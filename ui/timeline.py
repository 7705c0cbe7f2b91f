"""The sightings timeline: one lane per feed, a bar per sighting, activity and playhead."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QHBoxLayout, QToolButton, QVBoxLayout, QWidget

from dronewatch.analysis.types import TargetClass
from dronewatch.annotate import CLASS_COLORS
from dronewatch.live.sighting_rows import SightingRow

LANE_HEIGHT = 0.8  # of the 1.0 between lanes
MAX_SUBROWS = 10  # overlapping sightings of one feed stack in up to this many rows
_CLICK_TOLERANCE_PX = 5
_LANE_AXIS_PX = 130  # the lane names; the activity plot below has as wide an axis
_LANE_LABEL_MARGIN_PX = 14  # the tick and the gap before its text


def pack_rows(rows: Sequence[SightingRow]) -> dict[int, tuple[float, float]]:
    """Place each sighting at (y centre, height): overlapping ones stack within their lane."""
    geometry: dict[int, tuple[float, float]] = {}
    by_lane: dict[int, list[SightingRow]] = {}
    for row in rows:
        by_lane.setdefault(row.lane, []).append(row)
    for lane, lane_rows in by_lane.items():
        lane_rows.sort(key=lambda r: (r.start_s, r.sighting_id))
        ends: list[float] = []  # end time of the last bar in each sub-row
        slots: dict[int, int] = {}
        for i, row in enumerate(lane_rows):
            slot = next((k for k, end in enumerate(ends) if end < row.start_s), None)
            if slot is None:
                if len(ends) < MAX_SUBROWS:
                    ends.append(row.end_s)
                    slot = len(ends) - 1
                else:
                    slot = i % MAX_SUBROWS
            ends[slot] = max(ends[slot], row.end_s)
            slots[row.sighting_id] = slot
        n = max(1, len(ends))
        pitch = LANE_HEIGHT / n
        top = lane - LANE_HEIGHT / 2
        for row in lane_rows:
            centre = top + pitch * (slots[row.sighting_id] + 0.5)
            geometry[row.sighting_id] = (centre, pitch * 0.8)
    return geometry


def class_qcolor(target_class: TargetClass) -> tuple[int, int, int]:
    b, g, r = CLASS_COLORS[target_class]
    return (r, g, b)


class TimelineWidget(QWidget):
    """Click a bar to seek there; drag the playhead to scrub; wheel/drag to zoom and pan."""

    seek_requested = Signal(float)
    sighting_clicked = Signal(int)
    next_requested = Signal()
    previous_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        pg.setConfigOptions(antialias=False, background=(24, 26, 30), foreground=(200, 205, 210))
        self.rows: list[SightingRow] = []
        self.lane_names: list[str] = []
        self.selected_id: int | None = None
        self.duration = 0.0

        self.view = pg.GraphicsLayoutWidget()
        self.lanes = self.view.addPlot(row=0, col=0)
        self.activity = self.view.addPlot(row=1, col=0)
        self.view.ci.layout.setRowStretchFactor(0, 4)
        self.view.ci.layout.setRowStretchFactor(1, 1)
        self.activity.setXLink(self.lanes)
        for plot in (self.lanes, self.activity):
            plot.setMouseEnabled(x=True, y=False)
            plot.setLimits(xMin=0)
            plot.hideButtons()
            plot.setMenuEnabled(False)
            plot.getAxis("left").setWidth(_LANE_AXIS_PX)
        self.lanes.showGrid(x=True, y=False, alpha=0.25)
        self.lanes.invertY(True)  # first feed on top, as in the grid
        self._geometry: dict[int, tuple[float, float]] = {}
        self.lanes.getAxis("bottom").setStyle(showValues=False)
        self.activity.setLabel("bottom", "time", units="s")
        self.activity.setLabel("left", "in view")
        self.activity_curve = self.activity.plot(
            [], [], pen=pg.mkPen((120, 200, 120), width=1.5), fillLevel=0, brush=(120, 200, 120, 60)
        )
        self._bar_items: list[pg.BarGraphItem] = []
        self._bookmark_lines: list[pg.InfiniteLine] = []
        self._selection_item: pg.BarGraphItem | None = None
        self.playhead = pg.InfiniteLine(0, movable=True, pen=pg.mkPen((255, 220, 60), width=2))
        self.playhead.setHoverPen(pg.mkPen((255, 255, 140), width=3))
        self.lanes.addItem(self.playhead)
        self.activity_playhead = pg.InfiniteLine(0, pen=pg.mkPen((255, 220, 60), width=1))
        self.activity.addItem(self.activity_playhead)
        self.playhead.sigDragged.connect(
            lambda line: self.seek_requested.emit(max(0.0, line.value()))
        )
        self.lanes.scene().sigMouseClicked.connect(self._on_click)

        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 0)
        self.prev_button = QToolButton(text="◀ Previous", toolTip="Previous sighting (P)")
        self.next_button = QToolButton(text="Next ▶", toolTip="Next sighting (N)")
        self.fit_button = QToolButton(text="Fit all", toolTip="Show the whole timeline")
        for button in (self.prev_button, self.next_button, self.fit_button):
            bar.addWidget(button)
        bar.addStretch(1)
        self.prev_button.clicked.connect(self.previous_requested)
        self.next_button.clicked.connect(self.next_requested)
        self.fit_button.clicked.connect(self.fit_all)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)

    # -- data ---------------------------------------------------------------------------

    def set_lanes(self, names: Sequence[str], duration: float) -> None:
        grown = duration > self.duration
        self.lane_names = list(names)
        self.duration = duration
        axis = self.lanes.getAxis("left")
        metrics = QFontMetrics(axis.style.get("tickFont") or axis.font())
        ticks = [(i, _lane_label(name, metrics)) for i, name in enumerate(names)]
        axis.setTicks([ticks])
        self.lanes.setYRange(-0.6, max(len(names), 1) - 0.4, padding=0)
        self.lanes.setLimits(xMax=max(duration, 1.0) * 1.05)
        self.activity.setLimits(xMax=max(duration, 1.0) * 1.05)
        if grown:
            self.fit_all()

    def set_sightings(self, rows: Sequence[SightingRow]) -> None:
        self.rows = list(rows)
        for item in self._bar_items:
            self.lanes.removeItem(item)
        self._bar_items = []
        self._geometry = pack_rows(self.rows)
        for target_class in TargetClass:
            mine = [r for r in self.rows if r.target_class is target_class]
            if not mine:
                continue
            item = pg.BarGraphItem(
                x0=np.array([r.start_s for r in mine]),
                width=np.array([max(r.duration_s, 0.05) for r in mine]),
                y=np.array([self._geometry[r.sighting_id][0] for r in mine]),
                height=np.array([self._geometry[r.sighting_id][1] for r in mine]),
                brush=pg.mkBrush(*class_qcolor(target_class), 200),
                pen=pg.mkPen(None),
            )
            self.lanes.addItem(item)
            self._bar_items.append(item)
        self._draw_selection()

    def set_bookmarks(self, marks: Sequence[tuple[float, str]]) -> None:
        """Dashed markers with their notes at bookmarked moments."""
        for line in self._bookmark_lines:
            self.lanes.removeItem(line)
        self._bookmark_lines = []
        for time_s, note in marks:
            line = pg.InfiniteLine(
                time_s,
                pen=pg.mkPen((90, 220, 255), width=1, style=Qt.PenStyle.DashLine),
                label=(note[:24] or "bookmark"),
                labelOpts={"position": 0.02, "color": (90, 220, 255), "movable": False},
            )
            self.lanes.addItem(line)
            self._bookmark_lines.append(line)

    def set_activity(self, times: np.ndarray, counts: np.ndarray) -> None:
        self.activity_curve.setData(times, counts, stepMode=None)

    def set_playhead(self, time_s: float) -> None:
        if not self.playhead.moving:
            self.playhead.setValue(time_s)
        self.activity_playhead.setValue(time_s)

    def select_sighting(self, sighting_id: int | None) -> None:
        self.selected_id = sighting_id
        self._draw_selection()

    def fit_all(self) -> None:
        self.lanes.setXRange(0, max(self.duration, 1.0), padding=0.01)
        self.lanes.setYRange(-0.6, max(len(self.lane_names), 1) - 0.4, padding=0)

    # -- interaction ----------------------------------------------------------------------

    def _draw_selection(self) -> None:
        if self._selection_item is not None:
            self.lanes.removeItem(self._selection_item)
            self._selection_item = None
        row = next((r for r in self.rows if r.sighting_id == self.selected_id), None)
        if row is None:
            return
        y, h = self._geometry.get(row.sighting_id, (float(row.lane), LANE_HEIGHT))
        self._selection_item = pg.BarGraphItem(
            x0=[row.start_s],
            width=[max(row.duration_s, 0.05)],
            y=[y],
            height=[max(h * 1.6, 0.08)],
            brush=pg.mkBrush(None),
            pen=pg.mkPen((60, 255, 60), width=2),
        )
        self.lanes.addItem(self._selection_item)

    def row_at(self, x: float, y: float, tolerance: float) -> SightingRow | None:
        """The sighting bar at view point (x, y): same lane, nearest in time."""

        def near(r: SightingRow) -> bool:
            cy, h = self._geometry.get(r.sighting_id, (float(r.lane), LANE_HEIGHT))
            return abs(y - cy) <= max(h / 2, 0.03) + 0.01

        hits = [
            r for r in self.rows if r.start_s - tolerance <= x <= r.end_s + tolerance and near(r)
        ]
        if not hits:
            return None

        def distance(r: SightingRow) -> tuple[float, float]:
            cy = self._geometry.get(r.sighting_id, (float(r.lane), LANE_HEIGHT))[0]
            dt = 0.0 if r.start_s <= x <= r.end_s else min(abs(x - r.start_s), abs(x - r.end_s))
            # Stacked bars can share a row when a lane overflows: the latest start wins.
            return (dt, abs(y - cy), -r.start_s)

        return min(hits, key=distance)

    def click_at_view(self, x: float, y: float) -> SightingRow | None:
        """Act as a click at view coordinates: select and seek to the sighting there."""
        px = self.lanes.getViewBox().viewPixelSize()[0]
        row = self.row_at(x, y, _CLICK_TOLERANCE_PX * px)
        if row is not None:
            self.select_sighting(row.sighting_id)
            self.sighting_clicked.emit(row.sighting_id)
        return row

    def _on_click(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        box = self.lanes.getViewBox()
        if not box.sceneBoundingRect().contains(event.scenePos()):
            return
        point = box.mapSceneToView(event.scenePos())
        self.click_at_view(point.x(), point.y())

    def bar_centre(self, sighting_id: int) -> tuple[float, float] | None:
        """View coordinates of a sighting bar's centre (where a click selects it)."""
        row = next((r for r in self.rows if r.sighting_id == sighting_id), None)
        if row is None:
            return None
        y, _h = self._geometry.get(sighting_id, (float(row.lane), LANE_HEIGHT))
        return ((row.start_s + row.end_s) / 2, y)


def _lane_label(name: str, metrics: QFontMetrics) -> str:
    """A feed's name narrow enough for the lane axis, cut in the middle: the start and
    the end (a stream's port, a file's number and extension) tell feeds apart. Cut by
    the drawn width, not by characters: pyqtgraph leaves out a label that does not fit
    its axis, and the lane went unnamed."""
    room = _LANE_AXIS_PX - _LANE_LABEL_MARGIN_PX
    return metrics.elidedText(name, Qt.TextElideMode.ElideMiddle, room)
