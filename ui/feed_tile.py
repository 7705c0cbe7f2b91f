"""One feed on screen: the current frame, its name, time, frame number and fps."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import NamedTuple

import cv2
import numpy as np
from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from dronewatch.analysis.types import TrackState
from dronewatch.annotate import Hud, OverlayOptions, annotate, hud_text
from dronewatch.label_layout import Rect
from dronewatch.live.feed_analysis import AnalysisState, AnalysisStats
from dronewatch.live.track_index import TrackIndex
from dronewatch.playback import FeedStatus, PlayerSnapshot
from ui.image import FrameImage

TRAIL_SECONDS = 3.0
# A live feed's boxes may come from a frame this much older than the one shown (analysis
# behind by a few frames); older boxes would sit visibly off their targets: none shown.
LIVE_OVERLAY_LAG_FRAMES = 12

_BACKGROUND = QColor(18, 20, 24)
_HUD_BACKGROUND = QColor(0, 0, 0, 150)
_HUD_TEXT = QColor(235, 240, 245)
_ERROR_TEXT = QColor(255, 120, 110)
_BEHIND_TEXT = QColor(255, 190, 60)  # the analysis has not reached the frame shown
_SELECTED = QColor(80, 170, 255)
_MARK = QColor(80, 255, 255)
_DRAG_THRESHOLD_PX = 6


class _HudItem(NamedTuple):
    rect: QRect  # widget pixels
    text: str
    color: QColor
    bold: bool


def live_badge(source: object, dropped: int) -> str:
    """A live stream's delay and drops."""
    delay = getattr(source, "delay_s", None)
    kind = getattr(source, "delay_kind", None)
    text = "LIVE"
    if delay is not None:
        text += f"  delay {delay * 1000:.0f} ms" + (" (jitter)" if kind == "relative" else "")
    return f"{text}  drop {dropped}"


def scaled(track: TrackState, factor: float) -> TrackState:
    """The track with its box in display pixels."""
    x1, y1, x2, y2 = track.xyxy
    return replace(track, xyxy=(x1 * factor, y1 * factor, x2 * factor, y2 * factor))


def analysis_badge(stats: AnalysisStats, shown_s: float | None = None, fps: float = 0.0) -> str:
    """The analysis rate (or what the analysis is doing), how much of a file is done and
    how far it is ahead of the frame shown at ``shown_s`` (it waits ``lead_s`` ahead, so
    'ana 0 fps' alone would read as stuck) or behind it: boxes are missing there because
    the analysis has not reached them yet, not because nothing moves. Frames dropped
    (a live stream's, skipped while the analysis catches up) where there are any."""
    state = stats.state.value
    if state in ("from store", "done"):
        return f"analysis {state}"
    if state == "error":
        return "analysis failed"
    parts = [f"ana {stats.analysis_fps:.0f} fps" if state == "analysing" else state]
    if stats.frame_count:
        parts.append(f"{100 * stats.frames_done / stats.frame_count:.0f}%")
    ahead = analysis_lead_s(stats, shown_s, fps)
    if ahead is not None:
        parts.append(f"{ahead:.0f} s ahead" if ahead >= 0 else _behind_text(-ahead, fps))
    if stats.dropped or not stats.frame_count:
        parts.append(f"drop {stats.dropped}")
    return "  ".join(parts)


def _behind_text(behind_s: float, fps: float) -> str:
    """How far the analysis is behind the frame shown: in frames under a second (a
    lag of one frame read "0.0 s BEHIND"), in seconds from there."""
    frames = round(behind_s * fps)
    if frames < fps:
        return f"{frames} frame{'s' if frames != 1 else ''} BEHIND"
    return f"{behind_s:.1f} s BEHIND"


def analysis_lead_s(stats: AnalysisStats, shown_s: float | None, fps: float) -> float | None:
    """Seconds of the file analysed past the frame shown (negative: not yet analysed);
    None for a live stream, an analysis that has ended, or no frame shown."""
    ended = (AnalysisState.FROM_STORE, AnalysisState.DONE, AnalysisState.ERROR)
    if not stats.frame_count or shown_s is None or fps <= 0 or stats.state in ended:
        return None
    # Whole frames: in seconds, a level analysis (the frame shown the last analysed)
    # came out a hair under 0 and read as behind.
    return (stats.frames_done - 1 - round(shown_s * fps)) / fps


class FeedTile(QWidget):
    """Paints the latest snapshot of one feed; emits clicks for selection and enlarging."""

    clicked = Signal(object)
    double_clicked = Signal(object)
    track_clicked = Signal(object, int)  # tile, track id
    box_drawn = Signal(object, object)  # tile, (x1, y1, x2, y2) in frame pixels
    point_clicked = Signal(object, float, float)  # tile, x, y in frame pixels (no drag)
    context_menu_requested = Signal(object, object)  # tile, global position

    def __init__(self, feed_id: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.feed_id = feed_id
        self.name = name
        self.snapshot: PlayerSnapshot | None = None
        self._frame: FrameImage | None = None
        self._frame_index: int | None = None
        self.selected = False
        self.paint_count = 0
        self.frames_shown = 0  # distinct frames put on screen (for the GUI benchmark)
        # Overlays: what to draw and where the tracks come from.
        self.track_index: TrackIndex | None = None
        self.options = OverlayOptions()
        self.selected_track: int | None = None
        self.hud_speed = 1.0
        self.hud_state = "REPLAY"
        self.analysis: AnalysisStats | None = None
        self._overlay_key: tuple | None = None
        self._frame_size = (1, 1)  # width, height of the feed's frames
        self.annotated: np.ndarray | None = None
        self.display_factor = 1.0
        self.hidden_tracks: frozenset[int] = frozenset()  # dismissed: not drawn
        self.reference_index: TrackIndex | None = None  # ground truth, drawn apart
        self.operator_boxes: tuple[TrackState, ...] = ()  # marks being followed now
        self.aid_delay_frames: int | None = None  # training: hide young tracks
        self.telemetry_text = ""  # aircraft position, altitude, heading, look (from KLV)
        self.live_badge = ""  # live streams: delay, drops
        # A live feed's analysis runs a frame or two behind the picture (and skips frames
        # when it falls behind): its overlays are those of the last analysed frame.
        self.live = False
        self.training_marks: tuple[tuple[float, float], ...] = ()  # trainee clicks to show
        self._drag_from: QPointF | None = None
        self.drag_rect: QRectF | None = None
        self.shown_tracks: tuple = ()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(160, 90)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._font = QFont()
        self._font.setPointSizeF(9.0)
        self._big_font = QFont(self._font)
        self._big_font.setPointSizeF(10.5)
        self._big_font.setBold(True)

    def sizeHint(self) -> QSize:
        return QSize(480, 270)

    # -- state ------------------------------------------------------------------------

    def set_snapshot(self, snapshot: PlayerSnapshot) -> None:
        """Take a new snapshot; rebuild the picture only if frame or overlays changed."""
        if self.snapshot is None or snapshot.serial != self.snapshot.serial:
            self.snapshot = snapshot
            self.update()
        self._refresh_picture()

    def refresh_overlays(self) -> None:
        """Call when overlay options, selection or analysis progress may have changed."""
        self._refresh_picture()

    def _label_scale(self, frame_height: int) -> float:
        """Overlay scale so labels read at the same size on screen whatever the tile size."""
        shown = max(1, min(self.height(), self.width() * 9 // 16))
        return round(max(0.6, 0.85 * frame_height / shown), 1)

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)
        self._refresh_picture()

    def _refresh_picture(self) -> None:
        snap = self.snapshot
        packet = snap.packet if snap is not None else None
        if packet is None:
            return
        index = self.track_index
        frame = packet.index  # the frame whose tracks are drawn
        if self.live and index is not None:
            latest = index.latest_frame(packet.index)
            analysed = latest is not None and packet.index - latest <= LIVE_OVERLAY_LAG_FRAMES
            if analysed and latest is not None:
                frame = latest
        else:
            analysed = index is not None and index.analysed(packet.index)
        scale = self._label_scale(packet.image.shape[0])
        self._frame_size = (packet.image.shape[1], packet.image.shape[0])
        target = self._display_size(packet.image.shape[1], packet.image.shape[0])
        hud = self._hud_in_image(snap, target) if self.options.ids else ()
        key = (
            packet.index,
            frame,
            id(packet.image),
            analysed,
            self.options,
            self.selected_track,
            scale,
            target,
            self.hidden_tracks,
            self.reference_index is not None,
            self.operator_boxes,
            self.aid_delay_frames,
            self.training_marks,
            hud,
        )
        if key == self._overlay_key:
            return
        self._overlay_key = key
        tracks = index.tracks_at(frame) if analysed and index is not None else ()
        if self.hidden_tracks:
            tracks = tuple(t for t in tracks if t.track_id not in self.hidden_tracks)
        if self.aid_delay_frames is not None and index is not None:
            # Training aid "delayed": a track shows once it has been tracked that long.
            limit = packet.index - self.aid_delay_frames
            tracks = tuple(t for t in tracks if (index.first_frame(t.track_id) or 0) <= limit)
        self.shown_tracks = tracks
        ref = self.reference_index
        reference = (
            ref.tracks_at(packet.index) if ref is not None and self.options.reference else ()
        )
        base = snap.display_image
        if base is None or (base.shape[1], base.shape[0]) != target:
            base = packet.image
            if target[0] < base.shape[1]:  # the decoder thread has not caught up yet
                base = cv2.resize(base, target, interpolation=cv2.INTER_AREA)
        factor = base.shape[1] / packet.image.shape[1]
        marks = self.operator_boxes
        if tracks or reference or marks:
            span = round(TRAIL_SECONDS * (snap.info.fps if snap.info else 25.0))
            trails = index.trails(frame, span) if index is not None else {}
            # The HUD is painted by Qt (same text), so it stays crisp at any size.
            options = replace(self.options, hud=False)
            image = annotate(
                base,
                [scaled(t, factor) for t in tracks],
                {tid: pts * factor for tid, pts in trails.items()},
                options,
                None,
                self.selected_track,
                scale * factor,
                [scaled(t, factor) for t in reference],
                [scaled(t, factor) for t in marks],
                reserved=hud,
            )
        else:
            image = base
        if packet.index != self._frame_index:
            self.frames_shown += 1
        self.annotated = image  # what is on screen: display pixels, overlays burned in
        self.display_factor = factor  # display pixels per frame pixel
        self._frame = FrameImage(image, for_screen=True)
        self._frame_index = packet.index
        self.update()

    def wanted_display_size(self) -> tuple[int, int] | None:
        """The size the decoder thread should shrink frames to for this tile."""
        snap = self.snapshot
        if snap is None or snap.info is None:
            return None
        return self._display_size(snap.info.width, snap.info.height)

    def _display_size(self, width: int, height: int) -> tuple[int, int]:
        """Device pixels the frame covers on screen (aspect kept), at most its own size."""
        ratio = self.devicePixelRatioF()
        scale = min(self.width() * ratio / width, self.height() * ratio / height, 1.0)
        return max(1, round(width * scale)), max(1, round(height * scale))

    def set_selected(self, selected: bool) -> None:
        if selected != self.selected:
            self.selected = selected
            self.update()

    @property
    def shown_time(self) -> float | None:
        """Presentation time of the frame on screen."""
        snap = self.snapshot
        return None if snap is None or snap.packet is None else snap.packet.time_s

    @property
    def shown_index(self) -> int | None:
        snap = self.snapshot
        return None if snap is None or snap.packet is None else snap.packet.index

    @property
    def title(self) -> str:
        return self.snapshot.name if self.snapshot is not None else self.name

    # -- events -----------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._drag_from = event.position()
            self.drag_rect = None
            self.clicked.emit(self)
            track = self.track_at(event.position().x(), event.position().y())
            if track is not None:
                self.track_clicked.emit(self, track)
        elif event.button() == Qt.MouseButton.RightButton:
            self.context_menu_requested.emit(self, event.globalPosition().toPoint())
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        start = self._drag_from
        if start is None or not event.buttons() & Qt.MouseButton.LeftButton:
            return
        pos = event.position()
        if self.drag_rect is None and (pos - start).manhattanLength() < _DRAG_THRESHOLD_PX:
            return
        self.drag_rect = QRectF(start, pos).normalized()
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        rect, self.drag_rect, start = self.drag_rect, None, self._drag_from
        self._drag_from = None
        if rect is not None and event.button() == Qt.MouseButton.LeftButton:
            self.update()
            box = self.frame_box_of(rect)
            if box is not None:
                self.box_drawn.emit(self, box)
        elif start is not None and event.button() == Qt.MouseButton.LeftButton:
            point = self.frame_point_of(event.position().x(), event.position().y())
            if point is not None:
                self.point_clicked.emit(self, *point)
        super().mouseReleaseEvent(event)

    def frame_point_of(self, x: float, y: float) -> tuple[float, float] | None:
        """Widget point (x, y) in frame pixels; None off the picture."""
        if self._frame is None:
            return None
        image = self._image_rect()
        scale = image.width() / self._frame_size[0]
        fx, fy = (x - image.x()) / scale, (y - image.y()) / scale
        fw, fh = self._frame_size
        return (fx, fy) if 0 <= fx < fw and 0 <= fy < fh else None

    def frame_box_of(self, rect: QRectF) -> tuple[float, float, float, float] | None:
        """A widget rectangle in frame pixels, clipped to the frame; None if off it."""
        if self._frame is None:
            return None
        image = self._image_rect()
        scale = image.width() / self._frame_size[0]
        fw, fh = self._frame_size
        x1 = min(max((rect.left() - image.x()) / scale, 0.0), fw)
        y1 = min(max((rect.top() - image.y()) / scale, 0.0), fh)
        x2 = min(max((rect.right() - image.x()) / scale, 0.0), fw)
        y2 = min(max((rect.bottom() - image.y()) / scale, 0.0), fh)
        if x2 - x1 < 2 or y2 - y1 < 2:
            return None
        return (x1, y1, x2, y2)

    def track_at(self, x: float, y: float) -> int | None:
        """The track whose box is under widget point (x, y), if any."""
        if self._frame is None or not self.shown_tracks:
            return None
        rect = self._image_rect()
        scale = rect.width() / self._frame_size[0]
        fx, fy = (x - rect.x()) / scale, (y - rect.y()) / scale
        pad = 4 / scale
        for track in self.shown_tracks:
            x1, y1, x2, y2 = track.xyxy
            if x1 - pad <= fx <= x2 + pad and y1 - pad <= fy <= y2 + pad:
                return track.track_id
        return None

    def frame_rect_of(self, xyxy: tuple[float, float, float, float]) -> QRectF:
        """Widget rectangle of a box given in frame pixels (for tests and hit checks)."""
        rect = self._image_rect()
        scale = rect.width() / self._frame_size[0]
        x1, y1, x2, y2 = xyxy
        return QRectF(
            rect.x() + x1 * scale, rect.y() + y1 * scale, (x2 - x1) * scale, (y2 - y1) * scale
        )

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.double_clicked.emit(self)

    # -- painting ---------------------------------------------------------------------

    def _image_rect(self) -> QRectF:
        """Where the frame goes: as large as fits, aspect kept, centred."""
        fw, fh = self._frame_size
        scale = min(self.width() / fw, self.height() / fh)
        w, h = fw * scale, fh * scale
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    def paintEvent(self, event: QPaintEvent) -> None:
        self.paint_count += 1
        painter = QPainter(self)
        painter.fillRect(self.rect(), _BACKGROUND)
        snap = self.snapshot
        if self._frame is not None:
            rect = self._image_rect()
            image = self._frame.image
            ratio = self.devicePixelRatioF()
            if abs(image.width() - rect.width() * ratio) <= 1.5:
                # Already shrunk to this size: blit 1:1, no scaling in the paint path.
                image.setDevicePixelRatio(ratio)
                painter.drawImage(rect.topLeft().toPoint(), image)
            else:
                painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
                painter.drawImage(rect, image)
        if snap is not None and snap.status is FeedStatus.ERROR:
            self._paint_error(painter, snap.error or "unknown error")
        elif snap is None or snap.status is FeedStatus.OPENING:
            self._paint_centre(painter, "Opening…", _HUD_TEXT)
        self._paint_hud(painter, snap)
        if self.training_marks and self._frame is not None:
            rect = self._image_rect()
            k = rect.width() / self._frame_size[0]
            painter.setPen(QPen(_MARK, 2))
            for fx, fy in self.training_marks:
                cx, cy = rect.x() + fx * k, rect.y() + fy * k
                painter.drawLine(QPointF(cx - 6, cy), QPointF(cx + 6, cy))
                painter.drawLine(QPointF(cx, cy - 6), QPointF(cx, cy + 6))
        if self.drag_rect is not None:
            painter.setPen(QPen(_MARK, 1.5, Qt.PenStyle.DashLine))
            painter.drawRect(self.drag_rect)
        if self.selected:
            painter.setPen(QPen(_SELECTED, 2))
            painter.drawRect(self.rect().adjusted(1, 1, -1, -1))
        painter.end()

    def _paint_centre(self, painter: QPainter, text: str, color: QColor) -> None:
        painter.setFont(self._big_font)
        painter.setPen(color)
        box = self.rect().adjusted(16, 28, -16, -28)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, text)

    def _paint_error(self, painter: QPainter, message: str) -> None:
        painter.fillRect(self.rect(), QColor(40, 16, 16))
        self._paint_centre(painter, f"Cannot play this feed\n\n{message}", _ERROR_TEXT)

    def _hud_items(self, snap: PlayerSnapshot | None) -> list[_HudItem]:
        """The labels Qt paints over the frame (name, fps, analysis badge, HUD line,
        a lost stream's message) and where, in widget pixels: painted by
        :meth:`_paint_hud`, and kept clear by the track labels burned into the frame."""
        metrics, big = QFontMetrics(self._font), QFontMetrics(self._big_font)

        def item(
            text: str, x: int, y: int, right: bool, color: QColor = _HUD_TEXT, bold: bool = False
        ) -> _HudItem:
            m = big if bold else metrics
            w, h = m.horizontalAdvance(text) + 10, m.height() + 4
            return _HudItem(QRect(x - w if right else x, y, w, h), text, color, bold)

        items = [item(self.title, 4, 4, False)]
        if snap is None or snap.info is None:
            return items
        info = snap.info
        h = metrics.height() + 4
        packet = snap.packet
        if packet is not None and self.options.hud:
            hud = Hud(self.title, packet.time_s, packet.index, self.hud_speed, self.hud_state)
            text = hud_text(hud, with_name=False, frame_count=info.frame_count)
            items.append(item(text, 4, self.height() - h - 4, False))
            if self.telemetry_text:
                items.append(item(self.telemetry_text, 4, self.height() - 2 * h - 6, False))
        items.append(
            item(f"{info.fps:.4g} fps  {info.width}x{info.height}", self.width() - 4, 4, True)
        )
        badges = [(self.live_badge, _HUD_TEXT)] if self.live_badge else []
        if self.analysis is not None:
            shown = packet.time_s if packet is not None else None
            text = analysis_badge(self.analysis, shown, info.fps)
            ahead = analysis_lead_s(self.analysis, shown, info.fps)
            behind = ahead is not None and ahead < 0
            badges.append((text, _BEHIND_TEXT if behind else _HUD_TEXT))
        for row, (badge, color) in enumerate(badges, start=1):
            items.append(item(badge, self.width() - 4, row * (h + 2) + 4, True, color))
        if snap.status is FeedStatus.READY and snap.error:
            # A live feed lost its stream: keep its last frame, say what is happening.
            items.append(item(snap.error, 4, h + 10, False, bold=True))
        return items

    def _paint_hud(self, painter: QPainter, snap: PlayerSnapshot | None) -> None:
        for rect, text, color, bold in self._hud_items(snap):
            painter.setFont(self._big_font if bold else self._font)
            painter.fillRect(rect, _HUD_BACKGROUND)
            painter.setPen(color)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)

    def _hud_in_image(self, snap: PlayerSnapshot, image_size: tuple[int, int]) -> tuple[Rect, ...]:
        """The HUD's labels in the pixels of an image of ``image_size`` (w, h) drawn
        where the frame goes: where track labels should not go, since Qt paints over
        them."""
        rect = self._image_rect()
        if rect.width() <= 0 or rect.height() <= 0:
            return ()
        k = image_size[0] / rect.width()
        out = []
        for item in self._hud_items(snap):
            r = item.rect
            out.append(
                (
                    math.floor((r.left() - rect.x()) * k),
                    math.floor((r.top() - rect.y()) * k),
                    math.ceil((r.left() + r.width() - rect.x()) * k),
                    math.ceil((r.top() + r.height() - rect.y()) * k),
                )
            )
        return tuple(out)
