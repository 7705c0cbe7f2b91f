"""Where each box's label goes so that labels of boxes side by side do not cover one
another (a group of walkers, a busy junction): above its box where that is free, else
below it, else stacked higher above it; failing all, wherever it covers least."""

from __future__ import annotations

from collections.abc import Sequence

Rect = tuple[int, int, int, int]  # x1, y1, x2, y2 (x2, y2 exclusive)


def _overlap(a: Rect, b: Rect) -> int:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return max(0, w) * max(0, h)


def _fit(x: int, top: int, w: int, h: int, width: int, height: int) -> Rect:
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
    placed: list[Rect] = []
    for (x1, y1, _x2, y2), (w, h) in zip(boxes, sizes, strict=True):
        tops = [y1 - 1 - h, y2 + 1]  # just above the box, just below it
        tops += [y1 - 1 - h * (k + 2) for k in range(stack)]  # higher above it
        candidates = [_fit(x1, top, w, h, width, height) for top in tops]
        # The first free place that needed no moving up or down (at the image's top
        # edge the place above a box would cover its target), else the least covered.
        best = min(
            range(len(candidates)),
            key=lambda i: (
                sum(_overlap(candidates[i], p) for p in placed),
                candidates[i][1] != tops[i],
                i,
            ),
        )
        placed.append(candidates[best])
    return placed
