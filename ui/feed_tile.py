"""One feed on screen: the current frame, its name, time, frame number and fps."""

from __future__ import annotations

from PySide6.QtCore import QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from dronewatch.playback import FeedStatus, PlayerSnapshot
from ui.image import FrameImage

_BACKGROUND = QColor(18, 20, 24)
_HUD_BACKGROUND = QColor(0, 0, 0, 150)
_HUD_TEXT = QColor(235, 240, 245)
_ERROR_TEXT = QColor(255, 120, 110)
_SELECTED = QColor(80, 170, 255)


def format_clock(seconds: float) -> str:
    """mm:ss.cc, or h:mm:ss.cc past an hour."""
    seconds = max(0.0, seconds)
    minutes, secs = divmod(seconds, 60.0)
    hours, minutes = divmod(int(minutes), 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:05.2f}"
    return f"{minutes:02d}:{secs:05.2f}"


class FeedTile(QWidget):
    """Paints the latest snapshot of one feed; emits clicks for selection and enlarging."""

    clicked = Signal(object)
    double_clicked = Signal(object)

    def __init__(self, feed_id: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.feed_id = feed_id
        self.name = name
        self.snapshot: PlayerSnapshot | None = None
        self._frame: FrameImage | None = None
        self._frame_index: int | None = None
        self.selected = False
        self.paint_count = 0
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
        """Take a new snapshot; repaint only if it changed."""
        if self.snapshot is not None and snapshot.serial == self.snapshot.serial:
            return
        self.snapshot = snapshot
        packet = snapshot.packet
        if packet is not None and packet.index != self._frame_index:
            self._frame = FrameImage(packet.image)
            self._frame_index = packet.index
        self.update()

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
            self.clicked.emit(self)
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.double_clicked.emit(self)

    # -- painting ---------------------------------------------------------------------

    def _image_rect(self) -> QRectF:
        """Where the frame goes: as large as fits, aspect kept, centred."""
        assert self._frame is not None
        img = self._frame.image
        scale = min(self.width() / img.width(), self.height() / img.height())
        w, h = img.width() * scale, img.height() * scale
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    def paintEvent(self, event: QPaintEvent) -> None:
        self.paint_count += 1
        painter = QPainter(self)
        painter.fillRect(self.rect(), _BACKGROUND)
        snap = self.snapshot
        if self._frame is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            painter.drawImage(self._image_rect(), self._frame.image)
        if snap is not None and snap.status is FeedStatus.ERROR:
            self._paint_error(painter, snap.error or "unknown error")
        elif snap is None or snap.status is FeedStatus.OPENING:
            self._paint_centre(painter, "Opening…", _HUD_TEXT)
        self._paint_hud(painter, snap)
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

    def _paint_label(self, painter: QPainter, text: str, x: int, y: int, right: bool) -> None:
        metrics = painter.fontMetrics()
        w = metrics.horizontalAdvance(text) + 10
        h = metrics.height() + 4
        rect = QRect(x - w if right else x, y, w, h)
        painter.fillRect(rect, _HUD_BACKGROUND)
        painter.setPen(_HUD_TEXT)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)

    def _paint_hud(self, painter: QPainter, snap: PlayerSnapshot | None) -> None:
        painter.setFont(self._font)
        self._paint_label(painter, self.title, 4, 4, right=False)
        if snap is None or snap.info is None:
            return
        info = snap.info
        h = painter.fontMetrics().height() + 4
        bottom = self.height() - h - 4
        packet = snap.packet
        if packet is not None:
            total = f" / {info.frame_count}" if info.frame_count else ""
            text = f"{format_clock(packet.time_s)}   frame {packet.index + 1}{total}"
            self._paint_label(painter, text, 4, bottom, right=False)
        self._paint_label(
            painter, f"{info.fps:.4g} fps  {info.width}x{info.height}", self.width() - 4, 4, True
        )
