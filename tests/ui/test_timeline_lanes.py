"""The timeline's lane labels: every feed's lane is named, however long its name."""

from __future__ import annotations

from PySide6.QtGui import QImage, QPainter

from ui.timeline import TimelineWidget

NAMES = [
    "busy.mp4",
    "vtest_derived_h264.mp4",  # pets09's file: one character too wide before
    "rtsp://192.168.10.21:8554/drone-north-gate/main",
    "thermal-night.mp4",
]


def drawn_labels(timeline: TimelineWidget) -> list[str]:
    """The lane labels pyqtgraph draws: it skips any that would not fit the axis."""
    axis = timeline.lanes.getAxis("left")
    image = QImage(8, 8, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        _, _, texts = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return [text for _, _, text in texts]


def test_every_lane_is_labelled_and_long_names_keep_their_ends(qtbot) -> None:
    timeline = TimelineWidget()
    qtbot.addWidget(timeline)
    timeline.resize(1200, 300)
    timeline.show()
    timeline.set_lanes(NAMES, 60.0)
    qtbot.wait(50)
    labels = drawn_labels(timeline)
    assert len(labels) == len(NAMES), labels
    assert labels[0] == "busy.mp4" and labels[3] == "thermal-night.mp4"
    for name, label in zip(NAMES[1:3], labels[1:3], strict=True):
        assert "…" in label  # cut in the middle: its start and its end tell feeds apart
        head, tail = label.split("…")
        assert name.startswith(head) and name.endswith(tail) and head and tail
