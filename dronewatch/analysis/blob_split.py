"""Split one foreground blob into the targets it covers, at the peaks of its signal.

People walking in a group, or a car passing a walker, touch in the foreground mask and
come out as one blob whose box matches none of them. Each target is a hill in the
difference from the background, and hills of separate targets are parted by a valley:
a blob with two or more peaks a few pixels apart, whose straight path dips below a
share of the lower peak, is cut between them, every pixel going to its nearest peak
(the classic marker split of touching objects, here on the signal rather than on the
mask's shape, which a closing has already smoothed). The detector uses it on thermal
feeds only; see ``MotionDetectorConfig.split_peaks``.
"""

from __future__ import annotations

import cv2
import numpy as np

_CROSS = cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3))
_MAX_PEAKS = 8


def split_by_peaks(
    mask: np.ndarray,
    signal: np.ndarray,
    floor: float,
    saddle_share: float,
    min_distance: float,
) -> list[tuple[int, int, int, int]] | None:
    """Boxes (x1, y1, x2, y2, relative to the crop) of the targets in one blob, or
    None when it holds a single one.

    ``mask``: the blob (uint8, nonzero inside); ``signal``: difference from the
    background, same shape; a peak must exceed ``floor``, lie ``min_distance`` px from
    every stronger peak, and the signal on the straight path to each of them must fall
    below ``saddle_share`` of its own height.
    """
    s = np.where(mask > 0, signal, 0).astype(np.float32)
    peaks = (s >= cv2.dilate(s, _CROSS)) & (s > floor)
    n, labels, _, _ = cv2.connectedComponentsWithStats(peaks.astype(np.uint8), connectivity=8)
    if n < 3:
        return None
    ys, xs = np.nonzero(peaks)
    ids = labels[ys, xs]
    # One point per plateau: its first pixel (plateaus are flat, any one will do).
    _, first = np.unique(ids, return_index=True)
    px, py = xs[first], ys[first]
    pv = s[py, px]
    # The strongest few: a blob of a few hundred pixels holds a handful of targets,
    # and the pairwise test below would grow with the square of noise peaks.
    order = np.argsort(-pv, kind="stable")[:_MAX_PEAKS]
    kept: list[int] = []
    for i in order:
        if all(_separate(s, px, py, pv, i, k, saddle_share, min_distance) for k in kept):
            kept.append(int(i))
    if len(kept) < 2:
        return None
    my, mx = np.nonzero(mask)
    d2 = (mx[:, None] - px[kept][None, :]) ** 2 + (my[:, None] - py[kept][None, :]) ** 2
    owner = np.argmin(d2, axis=1)
    boxes = []
    for j in range(len(kept)):
        sel = owner == j
        if not sel.any():
            continue
        x, y = mx[sel], my[sel]
        boxes.append((int(x.min()), int(y.min()), int(x.max()) + 1, int(y.max()) + 1))
    return boxes if len(boxes) > 1 else None


def _separate(
    s: np.ndarray,
    px: np.ndarray,
    py: np.ndarray,
    pv: np.ndarray,
    i: int,
    k: int,
    saddle_share: float,
    min_distance: float,
) -> bool:
    """Whether peak ``i`` is a hill of its own beside the (stronger) peak ``k``."""
    dx, dy = float(px[k] - px[i]), float(py[k] - py[i])
    dist = (dx * dx + dy * dy) ** 0.5
    if dist < min_distance:
        return False
    steps = int(np.ceil(dist)) + 1
    t = np.linspace(0.0, 1.0, steps)
    xs = np.rint(px[i] + t * dx).astype(int)
    ys = np.rint(py[i] + t * dy).astype(int)
    return float(s[ys, xs].min()) < saddle_share * float(pv[i])
