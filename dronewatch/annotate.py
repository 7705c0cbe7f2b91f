"""Overlays drawn on frames: boxes by class, track IDs, fading trails and a HUD.

One module for the live view and for exported clips, so both show the same thing. Every
function returns a new image and never draws on the frame it was given: frames are
shared between threads and views.

Example::

    out = annotate(frame, tracks, trails, OverlayOptions(), Hud("cam-1", 12.5, 312))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import cv2
import numpy as np

from dronewatch.analysis.types import TargetClass, TrackState
from dronewatch.clock_text import format_clock
from dronewatch.label_layout import Rect, place_labels

# BGR, chosen to stay apart on green fields, grey roads and white-hot thermal.
CLASS_COLORS: dict[TargetClass, tuple[int, int, int]] = {
    TargetClass.VEHICLE: (0, 170, 255),  # amber
    TargetClass.PERSON: (255, 120, 40),  # blue
    TargetClass.UNKNOWN: (200, 80, 220),  # magenta
}
SELECTED_COLOR = (60, 255, 60)
OPERATOR_COLOR = (255, 255, 80)  # cyan: a mark the operator is drawing or following
REFERENCE_COLOR = (255, 255, 255)  # ground truth: thin white, apart from every class colour


@dataclass(frozen=True, slots=True)
class OverlayOptions:
    boxes: bool = True
    ids: bool = True
    trails: bool = True
    hud: bool = True
    reference: bool = True  # ground-truth boxes, when a reference layer is loaded

    @property
    def any(self) -> bool:
        return self.boxes or self.ids or self.trails or self.hud or self.reference


@dataclass(frozen=True, slots=True)
class Hud:
    """The heads-up line: feed name, clock time, frame, speed and state."""

    feed_name: str
    time_s: float
    frame_index: int
    speed: float = 1.0
    state: str = "REPLAY"  # REPLAY, LIVE, REC, PAUSED


def _scale_for(image: np.ndarray) -> float:
    """Line and text scale so overlays read the same on 360p and 4K frames."""
    return max(0.6, image.shape[0] / 480.0)


LABEL_FONT = cv2.FONT_HERSHEY_SIMPLEX


def _label_font(scale: float) -> tuple[float, int]:
    return 0.42 * scale, max(1, round(scale))


def _label_size(text: str, scale: float) -> tuple[int, int]:
    """A label's (w, h) in pixels with its padding."""
    size, thick = _label_font(scale)
    (w, h), base = cv2.getTextSize(text, LABEL_FONT, size, thick)
    return w + 4, h + base + 2


def _draw_label(
    img: np.ndarray, text: str, rect: Rect, color: tuple[int, int, int], scale: float
) -> None:
    size, thick = _label_font(scale)
    _, base = cv2.getTextSize(text, LABEL_FONT, size, thick)
    x1, y1, x2, y2 = rect
    cv2.rectangle(img, (x1, y1), (x2 - 1, y2 - 1), color, -1)
    luminance = 0.114 * color[0] + 0.587 * color[1] + 0.299 * color[2]
    ink = (0, 0, 0) if luminance > 140 else (255, 255, 255)
    cv2.putText(img, text, (x1 + 2, y2 - 1 - base), LABEL_FONT, size, ink, thick, cv2.LINE_AA)


def draw_trails(
    img: np.ndarray,
    trails: Mapping[int, np.ndarray],
    colors: Mapping[int, tuple[int, int, int]],
    scale: float,
) -> None:
    """Polylines of past centres, fading towards the oldest point.

    Drawn in a few bands of falling intensity (one polyline call each), not segment by
    segment: a busy feed has a hundred trails of seventy points every frame.
    """
    thick = max(1, round(1.5 * scale))
    bands = 3
    for track_id, points in trails.items():
        n = len(points)
        if n < 2:
            continue
        color = np.array(colors.get(track_id, CLASS_COLORS[TargetClass.UNKNOWN]), np.float32)
        pts = np.round(points).astype(np.int32)
        edges = np.linspace(0, n - 1, bands + 1).round().astype(int)
        for band in range(bands):
            lo, hi = edges[band], edges[band + 1]
            if hi <= lo:
                continue
            fade = 0.35 + 0.65 * (band + 1) / bands
            c = tuple(int(v) for v in color * fade)
            cv2.polylines(img, [pts[lo : hi + 1]], False, c, thick, cv2.LINE_AA)


def _track_color(track: TrackState, selected: int | None) -> tuple[int, int, int]:
    return SELECTED_COLOR if track.track_id == selected else CLASS_COLORS[track.target_class]


def draw_tracks(
    img: np.ndarray,
    tracks: Sequence[TrackState],
    options: OverlayOptions,
    scale: float,
    selected: int | None = None,
) -> None:
    """The tracks' boxes (their labels: :func:`draw_labels`)."""
    if not options.boxes:
        return
    thick = max(1, round(1.6 * scale))
    for track in tracks:
        color = _track_color(track, selected)
        x1, y1, x2, y2 = _pixels(track.xyxy)
        cv2.rectangle(img, (x1, y1), (x2, y2), color, thick + (track.track_id == selected))


def draw_marks(img: np.ndarray, marks: Sequence[TrackState], scale: float) -> None:
    """The operator's marks' boxes (their labels: :func:`draw_labels`)."""
    for mark in marks:
        x1, y1, x2, y2 = _pixels(mark.xyxy)
        cv2.rectangle(img, (x1, y1), (x2, y2), OPERATOR_COLOR, max(1, round(2 * scale)))


class _Label(NamedTuple):
    box: tuple[int, int, int, int]
    text: str
    short: str | None  # the text where only a shorter label fits
    color: tuple[int, int, int]


def draw_labels(
    img: np.ndarray,
    tracks: Sequence[TrackState],
    scale: float,
    selected: int | None = None,
    marks: Sequence[TrackState] = (),
    reserved: Sequence[Rect] = (),
) -> None:
    """Labels of the operator's marks and of ``tracks`` in one layout
    (:mod:`dronewatch.label_layout`), so none covers another where there is room: the
    marks' first (the operator is working on them), then the selected track's, so
    they keep the places just above their boxes. Where a track's full label does not
    fit, its number alone does: its colour already gives its class. ``reserved``:
    places (image px) the labels keep clear where they can, such as text a viewer
    paints over the image."""
    labels = [
        _Label(_pixels(m.xyxy), f"mark {m.target_class.value}", None, OPERATOR_COLOR) for m in marks
    ]
    labels += [
        _Label(
            _pixels(t.xyxy),
            f"{t.track_id} {t.target_class.value}",
            str(t.track_id),
            _track_color(t, selected),
        )
        for t in sorted(tracks, key=lambda t: t.track_id != selected)
    ]
    if not labels:
        return
    places = place_labels(
        [label.box for label in labels],
        [_label_size(label.text, scale) for label in labels],
        (img.shape[1], img.shape[0]),
        short_sizes=[
            None if label.short is None else _label_size(label.short, scale) for label in labels
        ],
        reserved=reserved,
    )
    for label, (rect, short) in zip(labels, places, strict=True):
        text = label.short if short and label.short is not None else label.text
        _draw_label(img, text, rect, label.color, scale)


def _pixels(xyxy: tuple[float, float, float, float]) -> tuple[int, int, int, int]:
    x1, y1, x2, y2 = (round(v) for v in xyxy)
    return x1, y1, x2, y2


def hud_text(hud: Hud, with_name: bool = True, frame_count: int | None = None) -> str:
    """The HUD line; the live view paints this same text with Qt, crisp at any size."""
    name = f"{hud.feed_name}  " if with_name else ""
    total = f"/{frame_count}" if frame_count else ""
    return (
        f"{name}{format_clock(hud.time_s, 3)}  frame {hud.frame_index + 1}{total}  "
        f"{hud.speed:g}x  {hud.state}"
    )


def draw_reference(img: np.ndarray, boxes: Sequence[TrackState], scale: float) -> None:
    """Ground truth as thin white corner brackets, so machine boxes stay readable."""
    thick = max(1, round(scale))
    for box in boxes:
        x1, y1, x2, y2 = _pixels(box.xyxy)
        arm = max(3, min(x2 - x1, y2 - y1) // 3)
        for (cx, cy), (dx, dy) in (
            ((x1, y1), (1, 1)),
            ((x2, y1), (-1, 1)),
            ((x1, y2), (1, -1)),
            ((x2, y2), (-1, -1)),
        ):
            cv2.line(img, (cx, cy), (cx + dx * arm, cy), REFERENCE_COLOR, thick, cv2.LINE_AA)
            cv2.line(img, (cx, cy), (cx, cy + dy * arm), REFERENCE_COLOR, thick, cv2.LINE_AA)


def _hud_font(scale: float) -> tuple[float, int]:
    return 0.45 * scale, max(1, round(scale))


def _hud_strip(img: np.ndarray, text: str, scale: float) -> tuple[Rect, int]:
    """The HUD's darkened strip at the bottom left (xyxy) and its text's baseline."""
    size, thick = _hud_font(scale)
    (w, h), base = cv2.getTextSize(text, LABEL_FONT, size, thick)
    y = img.shape[0] - 6
    return (4, y - h - base - 4, 4 + w + 8, y + 2), y - base


def draw_hud(img: np.ndarray, hud: Hud, scale: float) -> None:
    text = hud_text(hud)
    (x1, y1, x2, y2), baseline = _hud_strip(img, text, scale)
    overlay = img[max(y1, 0) : y2, x1:x2]
    overlay[:] = (overlay.astype(np.uint16) * 2 // 5).astype(np.uint8)  # darkened strip
    state_color = (60, 60, 255) if hud.state in ("REC", "LIVE") else (255, 255, 255)
    size, thick = _hud_font(scale)
    cv2.putText(img, text, (8, baseline), LABEL_FONT, size, state_color, thick, cv2.LINE_AA)


def annotate(
    image: np.ndarray,
    tracks: Sequence[TrackState],
    trails: Mapping[int, np.ndarray] | None = None,
    options: OverlayOptions = OverlayOptions(),  # frozen, so a safe default
    hud: Hud | None = None,
    selected: int | None = None,
    scale: float | None = None,
    reference: Sequence[TrackState] = (),
    operator: Sequence[TrackState] = (),
    reserved: Sequence[Rect] = (),
) -> np.ndarray:
    """A copy of ``image`` with the overlays ``options`` asks for.

    ``scale`` sizes lines and text (default: from the frame height); a view showing the
    frame shrunk passes a larger one so labels stay readable on screen. ``reserved``:
    rectangles (xyxy, image px) the labels keep clear of, such as a viewer's own text
    painted over the image.
    """
    out = image.copy()
    if not options.any and not operator:
        return out
    scale = scale or _scale_for(out)
    if options.trails and trails:
        colors = {t.track_id: CLASS_COLORS[t.target_class] for t in tracks}
        draw_trails(out, trails, colors, scale)
    draw_tracks(out, tracks, options, scale, selected)
    if options.reference and reference:
        draw_reference(out, reference, scale)  # truth stays visible over machine boxes
    draw_marks(out, operator, scale)  # always drawn: the operator is working on them
    # Labels last, over every box; the marks' always.
    show_hud = options.hud and hud is not None
    if show_hud:  # drawn over the labels: they keep clear of it
        reserved = [*reserved, _hud_strip(out, hud_text(hud), scale)[0]]
    draw_labels(out, tracks if options.ids else (), scale, selected, operator, reserved)
    if show_hud:
        draw_hud(out, hud, scale)
    return out
