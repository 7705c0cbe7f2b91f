"""Where each box's label goes so that labels of boxes side by side do not cover one
another (a group of walkers, a busy junction): above its box where that is free, else
below it, else stacked higher above it; failing all, wherever it covers least."""

from __future__ import annotations

from collections.abc import Sequence

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
) -> list[Rect]:
    """One rectangle per label, in the order given (earlier labels get the better
    places: pass the selected track's first). ``boxes`` are xyxy in pixels, ``sizes``
    each label's (w, h) with its padding, ``image_size`` (width, height)."""
    width, height = image_size
    n = len(boxes)
    placed = np.zeros((n, 4), np.int64)  # rows 0..i-1 hold the labels placed so far
    out: list[Rect] = []
    for i, ((x1, y1, _x2, y2), (w, h)) in enumerate(zip(boxes, sizes, strict=True)):
        tops = [y1 - 1 - h, y2 + 1]  # just above the box, just below it
        tops += [y1 - 1 - h * (k + 2) for k in range(stack)]  # higher above it
        cand = np.array([fit_inside(x1, top, w, h, width, height) for top in tops], np.int64)
        # Area each candidate shares with the labels placed so far (vectorised: a
        # busy feed has 70 labels a frame, drawn in the GUI thread).
        p = placed[:i]
        ow = np.minimum(cand[:, None, 2], p[None, :, 2]) - np.maximum(
            cand[:, None, 0], p[None, :, 0]
        )
        oh = np.minimum(cand[:, None, 3], p[None, :, 3]) - np.maximum(
            cand[:, None, 1], p[None, :, 1]
        )
        covered = (np.clip(ow, 0, None) * np.clip(oh, 0, None)).sum(axis=1)
        # The first free place that needed no moving up or down (at the image's top
        # edge the place above a box would cover its target), else the least covered.
        moved = cand[:, 1] != np.asarray(tops)
        best = int(np.lexsort((np.arange(len(tops)), moved, covered))[0])
        placed[i] = cand[best]
        left, top, right, bottom = (int(v) for v in cand[best])
        out.append((left, top, right, bottom))
    return out
