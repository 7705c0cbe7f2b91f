"""The report's timeline picture: one lane per feed, a bar per sighting, drawn with OpenCV.

Bars take the overlay colour of their class (the same colours as the boxes on video);
unreviewed sightings are drawn as a lighter fill with a coloured outline, dismissed ones
(only when exported) grey. Sightings that overlap in time stack in sub-rows of the lane.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import cv2
import numpy as np

from dronewatch.analysis.types import TargetClass
from dronewatch.annotate import CLASS_COLORS
from dronewatch.exports.model import ExportRow, format_clock

WIDTH = 1600
LEFT = 230
RIGHT = 40
TOP = 56
LANE_H = 52
AXIS_H = 48
MAX_SUBROWS = 12
SUBROW_H = 11
FONT = cv2.FONT_HERSHEY_SIMPLEX
INK = (40, 40, 40)
MUTED = (120, 120, 120)
GRID = (225, 225, 225)
DISMISSED = (175, 175, 175)

_STEPS = (0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600)


def tick_step(span_s: float, max_ticks: int = 10) -> float:
    for step in _STEPS:
        if span_s / step <= max_ticks:
            return float(step)
    return float(_STEPS[-1] * max(1, round(span_s / _STEPS[-1] / max_ticks)))


def _text(img: np.ndarray, text: str, org: tuple[int, int], size: float, color, thick=1) -> None:
    cv2.putText(img, text, org, FONT, size, color, thick, cv2.LINE_AA)


def _fit(text: str, width: int, size: float) -> str:
    """``text`` shortened with '...' to fit ``width`` pixels (Hershey fonts are ASCII)."""
    text = text.encode("ascii", "replace").decode()
    if cv2.getTextSize(text, FONT, size, 1)[0][0] <= width:
        return text
    while text and cv2.getTextSize(text + "...", FONT, size, 1)[0][0] > width:
        text = text[:-1]
    return text + "..."


def _subrows(rows: Sequence[ExportRow], gap_s: float = 0.0) -> list[int]:
    """Greedy interval packing: the first sub-row whose last bar ended ``gap_s`` ago."""
    ends: list[float] = []
    out: list[int] = []
    for row in rows:
        for i, end in enumerate(ends):
            if row.start_s > end + gap_s:
                ends[i] = row.end_s
                out.append(i)
                break
        else:
            if len(ends) < MAX_SUBROWS:
                ends.append(row.end_s)
                out.append(len(ends) - 1)
            else:
                i = int(np.argmin(ends))
                ends[i] = max(ends[i], row.end_s)
                out.append(i)
    return out


def _legend(img: np.ndarray) -> None:
    x = 10
    for cls in TargetClass:
        cv2.rectangle(img, (x, 18), (x + 26, 34), CLASS_COLORS[cls], -1)
        _text(img, cls.value, (x + 34, 32), 0.55, INK)
        x += 140
    cv2.rectangle(img, (x, 18), (x + 26, 34), (235, 235, 235), -1)
    cv2.rectangle(img, (x, 18), (x + 26, 34), MUTED, 2)
    _text(img, "unreviewed (outlined)", (x + 34, 32), 0.55, INK)
    x += 250
    cv2.rectangle(img, (x, 18), (x + 26, 34), DISMISSED, -1)
    _text(img, "dismissed", (x + 34, 32), 0.55, INK)
    x += 150
    tri = np.array([[x + 6, 18], [x + 20, 18], [x + 13, 30]], np.int32)
    cv2.fillPoly(img, [tri], (60, 40, 20), cv2.LINE_AA)
    _text(img, "bookmark", (x + 34, 32), 0.55, INK)


def draw_timeline(
    feeds: Sequence[str],
    rows: Sequence[ExportRow],
    span_s: float | None = None,
    width: int = WIDTH,
    marks: Sequence[tuple[str, float]] = (),
    start_s: float = 0.0,
) -> np.ndarray:
    """A BGR picture of ``rows`` on lanes named by ``feeds`` (in that order), from
    ``start_s`` to ``span_s``; ``marks`` (feed, time) are bookmarks, drawn as small dark
    triangles on their lane.

    Text has a fixed pixel size: a narrower ``width`` makes it larger relative to the
    picture (for print, where the picture is shrunk to the page).
    """
    end = span_s or max((r.end_s for r in rows), default=1.0)
    end = max(end, start_s + 1.0)
    length = end - start_s
    plot_w = width - LEFT - RIGHT
    packed: dict[str, tuple[list[ExportRow], list[int]]] = {}
    for name in feeds:
        lane = sorted((r for r in rows if r.feed == name), key=lambda r: r.start_s)
        packed[name] = (lane, _subrows(lane, gap_s=6 * length / plot_w))
    # A lane grows with the number of sightings it shows at once.
    heights = [max(LANE_H, 10 + (max(packed[n][1], default=0) + 1) * SUBROW_H) for n in feeds] or [
        LANE_H
    ]
    tops = [TOP + sum(heights[:i]) for i in range(len(heights))]
    bottom = TOP + sum(heights)
    height = bottom + AXIS_H
    img = np.full((height, width, 3), 255, np.uint8)

    def x_of(t: float) -> int:
        return LEFT + round(min(max((t - start_s) / length, 0.0), 1.0) * plot_w)

    _legend(img)
    step = tick_step(length)
    k = math.ceil(start_s / step - 1e-9)
    while (t := k * step) <= end + 1e-9:
        x = x_of(t)
        cv2.line(img, (x, TOP), (x, bottom), GRID, 1)
        cv2.line(img, (x, bottom), (x, bottom + 6), INK, 1)
        label = format_clock(t)
        label = label.removesuffix(".0") if step >= 1 else label
        w = cv2.getTextSize(label, FONT, 0.5, 1)[0][0]
        _text(img, label, (min(x - w // 2, width - w - 2), bottom + 26), 0.5, INK)
        k += 1
    _text(img, "time into clip (mm:ss)", (LEFT, height - 6), 0.45, MUTED)
    for i, name in enumerate(feeds):
        y0, lane_h = tops[i], heights[i]
        if i % 2 == 0:
            band = img[y0 : y0 + lane_h, LEFT : width - RIGHT]
            band[:] = (band.astype(np.uint16) * 246 // 255).astype(np.uint8)
        _text(img, _fit(name, LEFT - 20, 0.55), (10, y0 + lane_h // 2 + 6), 0.55, INK)
    cv2.line(img, (LEFT, bottom), (width - RIGHT, bottom), INK, 1)
    for i, name in enumerate(feeds):
        lane, slots = packed[name]
        n_sub = max(slots, default=0) + 1
        y0 = tops[i] + 5
        sub_h = (heights[i] - 10) / n_sub
        for row, slot in zip(lane, slots, strict=True):
            top = round(y0 + slot * sub_h)
            bot = round(y0 + (slot + 1) * sub_h) - 2
            x1 = x_of(row.start_s)
            x2 = max(x_of(row.end_s), x1 + 3)
            color = CLASS_COLORS.get(TargetClass(row.target_class), MUTED)
            if row.status == "dismissed":
                cv2.rectangle(img, (x1, top), (x2, bot), DISMISSED, -1)
            elif row.status == "confirmed":
                cv2.rectangle(img, (x1, top), (x2, bot), color, -1)
            else:
                light = tuple(int(255 - (255 - c) * 0.35) for c in color)
                cv2.rectangle(img, (x1, top), (x2, bot), light, -1)
                cv2.rectangle(img, (x1, top), (x2, bot), color, 2)
    lane_of = {name: i for i, name in enumerate(feeds)}
    for feed, t in marks:
        if feed in lane_of:
            x, y = x_of(t), tops[lane_of[feed]]
            tri = np.array([[x - 7, y - 1], [x + 7, y - 1], [x, y + 11]], np.int32)
            cv2.fillPoly(img, [tri], (60, 40, 20), cv2.LINE_AA)
    return img


def timeline_png(
    feeds: Sequence[str],
    rows: Sequence[ExportRow],
    span_s: float | None = None,
    width: int = WIDTH,
    marks: Sequence[tuple[str, float]] = (),
    start_s: float = 0.0,
) -> bytes:
    ok, buf = cv2.imencode(".png", draw_timeline(feeds, rows, span_s, width, marks, start_s))
    if not ok:  # pragma: no cover - OpenCV always encodes a uint8 BGR image
        raise ValueError("timeline PNG encoding failed")
    return buf.tobytes()
