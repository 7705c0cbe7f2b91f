"""Where each box's label goes so that labels of boxes side by side do not cover one
another (a group of walkers, a busy junction): above its box where that is free, else
below it, else stacked higher above it. A label with a short form (a track's number
without its class, which its colour already says) takes it where only that fits, as
map labels are abbreviated in crowded places; failing all, it goes wherever it covers
least."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

Rect = tuple[int, int, int, int]  # x1, y1, x2, y2 (x2, y2 exclusive)


def fit_inside(x: int, top: int, w: int, h: int, width: int, height: int) -> Rect:
    """A w x h label with its top-left corner at (x, top), moved inside the image."""
    x = min(max(0, x), max(0, width - w))
    top = min(max(0, top), max(0, height - h))
    return (x, top, x + w, top + h)


def place_labels(
    boxes: Sequence[tuple[int, int, int, int]],
    sizes: Sequence[tuple[int, int]],
    image_size: tuple[int, int],
    stack: int = 3,
    short_sizes: Sequence[tuple[int, int] | None] | None = None,
    reserved: Sequence[Rect] = (),
) -> list[Placed]:
    """One place per label, in the order given (earlier labels get the better places:
    pass the selected track's first). ``boxes`` are xyxy in pixels, ``sizes`` each
    label's (w, h) with its padding, ``image_size`` (width, height); ``short_sizes``
    the sizes of their short forms (None: a label without one).

    With short forms, every label is first laid out short, then each in turn takes
    its full form where that covers no other label: a crowd keeps every number
    readable, and the labels with room around them say more. ``reserved`` places
    count as labels placed before all others (text a viewer paints over the image:
    a label there would be hidden)."""
    width, height = image_size
    n = len(boxes)
    shorts = list(short_sizes) if short_sizes is not None else [None] * n
    first = [short or size for short, size in zip(shorts, sizes, strict=True)]
    r = len(reserved)
    # Rows 0..r-1: the reserved places; r..r+i-1: the labels placed so far.
    placed = np.zeros((r + n, 4), np.int64)
    if r:
        placed[:r] = np.asarray(reserved, np.int64).reshape(r, 4)
    for i, (box, size) in enumerate(zip(boxes, first, strict=True)):
        placed[r + i] = _best_place(box, size, placed[: r + i], stack, width, height)[0]
    is_short = [short is not None for short in shorts]
    for i in np.flatnonzero(is_short).tolist():
        others = np.delete(placed, r + i, axis=0)
        rect, covered = _best_place(boxes[i], sizes[i], others, stack, width, height)
        if covered == 0:
            placed[r + i] = rect
            is_short[i] = False
    return [
        Placed((int(a), int(b), int(c), int(d)), short)
        for (a, b, c, d), short in zip(placed[r:].tolist(), is_short, strict=True)
    ]


class Placed(NamedTuple):
    rect: Rect
    short: bool  # the label's short form goes there


def _best_place(
    box: tuple[int, int, int, int],
    size: tuple[int, int],
    placed: np.ndarray,
    stack: int,
    width: int,
    height: int,
) -> tuple[Rect, int]:
    """A w x h label's place by ``box`` and the area it shares there with ``placed``
    (N, 4) labels: the first free place that needed no moving up or down (at the
    image's top edge the place above a box would cover its target), else the least
    covered."""
    x1, y1, _x2, y2 = box
    w, h = size
    tops = [y1 - 1 - h, y2 + 1]  # just above the box, just below it
    tops += [y1 - 1 - h * (k + 2) for k in range(stack)]  # higher above it
    cand = np.array([fit_inside(x1, top, w, h, width, height) for top in tops], np.int64)
    # Vectorised: a busy feed has 70 labels a frame, drawn in the GUI thread.
    ow = np.minimum(cand[:, None, 2], placed[None, :, 2]) - np.maximum(
        cand[:, None, 0], placed[None, :, 0]
    )
    oh = np.minimum(cand[:, None, 3], placed[None, :, 3]) - np.maximum(
        cand[:, None, 1], placed[None, :, 1]
    )
    covered = (np.clip(ow, 0, None) * np.clip(oh, 0, None)).sum(axis=1)
    moved = cand[:, 1] != np.asarray(tops)
    best = int(np.lexsort((np.arange(len(tops)), moved, covered))[0])
    left, top, right, bottom = (int(v) for v in cand[best])
    return (left, top, right, bottom), int(covered[best])
