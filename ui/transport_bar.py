"""One transport for all feeds: play/pause, speed, frame step, seek slider and time."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QStyle,
    QToolButton,
    QWidget,
)

from dronewatch.clock_text import format_clock
from dronewatch.playback import SPEEDS

_SLIDER_STEPS_PER_SECOND = 100


class TransportBar(QWidget):
    """Widgets only: the main window connects them to the shared clock."""

    play_toggled = Signal()
    step_requested = Signal(int)  # -1 back, +1 forward
    seek_requested = Signal(float)  # seconds
    speed_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        style = self.style()
        self._play_icon = style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay)
        self._pause_icon = style.standardIcon(QStyle.StandardPixmap.SP_MediaPause)

        self.step_back = QToolButton(toolTip="Step one frame back (Left)")
        self.step_back.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MediaSeekBackward))
        self.play_button = QToolButton(toolTip="Play / pause (Space)")
        self.play_button.setIcon(self._play_icon)
        self.step_forward = QToolButton(toolTip="Step one frame forward (Right)")
        self.step_forward.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MediaSeekForward))

        self.slider = QSlider(Qt.Orientation.Horizontal, toolTip="Seek all feeds")
        self.slider.setRange(0, 0)
        self.time_label = QLabel("00:00.00 / 00:00.00")
        self.time_label.setMinimumWidth(150)
        self.time_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        self.speed_box = QComboBox(toolTip="Playback speed ([ slower, ] faster)")
        for speed in SPEEDS:
            self.speed_box.addItem(f"{speed:g}x", speed)
        self.speed_box.setCurrentIndex(SPEEDS.index(1.0))

        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        for widget in (self.step_back, self.play_button, self.step_forward):
            layout.addWidget(widget)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.time_label)
        layout.addWidget(QLabel("Speed"))
        layout.addWidget(self.speed_box)

        self.play_button.clicked.connect(self.play_toggled)
        self.step_back.clicked.connect(lambda: self.step_requested.emit(-1))
        self.step_forward.clicked.connect(lambda: self.step_requested.emit(1))
        self.slider.sliderMoved.connect(
            lambda v: self.seek_requested.emit(v / _SLIDER_STEPS_PER_SECOND)
        )
        self.slider.actionTriggered.connect(self._on_slider_action)
        self.speed_box.activated.connect(
            lambda i: self.speed_changed.emit(float(self.speed_box.itemData(i)))
        )

    def _on_slider_action(self, action: int) -> None:
        # Page clicks and keyboard moves on the slider seek too (sliderMoved covers drags).
        if action != QSlider.SliderAction.SliderMove.value:
            value = self.slider.sliderPosition()
            self.seek_requested.emit(value / _SLIDER_STEPS_PER_SECOND)

    def show_state(self, position: float, duration: float, playing: bool, speed: float) -> None:
        """Reflect the clock; never emits seek signals."""
        self.play_button.setIcon(self._pause_icon if playing else self._play_icon)
        maximum = round(duration * _SLIDER_STEPS_PER_SECOND)
        if self.slider.maximum() != maximum:
            self.slider.setRange(0, maximum)
        if not self.slider.isSliderDown():
            self.slider.blockSignals(True)
            self.slider.setValue(round(position * _SLIDER_STEPS_PER_SECOND))
            self.slider.blockSignals(False)
        self.time_label.setText(f"{format_clock(position)} / {format_clock(duration)}")
        index = self.speed_box.findData(speed)
        if index >= 0 and index != self.speed_box.currentIndex():
            self.speed_box.setCurrentIndex(index)
