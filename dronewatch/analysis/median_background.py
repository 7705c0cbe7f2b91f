"""A second background: the per-pixel median of frames sampled over several seconds.

The running average (:mod:`dronewatch.analysis.background`) learns part of whatever
lingers on a pixel. A walker or a long vehicle of even colour sinks into it a little,
and when it moves on it leaves a trail that differs from the ground. Trails join
neighbours into one blob and stretch boxes behind their targets. The median of frames
sampled every ``median_interval_s`` ignores whatever covered a pixel for less than half
its window, so it has no trails. On its own it is a worse background (it follows
lighting and new ground only slowly), but a pixel that differs from *both* the average
and the median is a mover, and a trail differs only from the average.

Like the average, the samples are kept in the key frame's coordinates and re-warped
only when the camera takes a new key frame. Ground that has just come into view is
filled into every sample from the frame that first shows it.
"""

from __future__ import annotations

from functools import cache

import cv2
import numpy as np

from dronewatch.analysis.config import MotionDetectorConfig
from dronewatch.analysis.masks import minus


class MedianBackground:
    """Median of ``median_samples`` frames (key-frame coordinates), one taken every
    ``median_interval_s``; call :meth:`learn` with every frame."""

    def __init__(self, config: MotionDetectorConfig, fps: float) -> None:
        n = max(1, int(config.median_samples))
        self._n = n if n % 2 else n + 1  # odd: the median is one of the samples
        self._interval = max(1, round(config.median_interval_s * fps))
        self._samples: list[np.ndarray] = []
        self._seen: np.ndarray | None = None  # pixels the samples cover
        self.image: np.ndarray | None = None  # uint8 median
        self._frames = 0
        self._fresh = 0
        self._settles_at = 0  # see settled
        self._first_interval = max(1, round(config.median_first_interval_s * fps))

    def restart(self, frame: np.ndarray, view: np.ndarray | None = None) -> None:
        """Start again from ``frame`` (uint8, key-frame coordinates), seen where
        ``view`` is set (everywhere by default)."""
        self._samples = [frame.copy() for _ in range(self._n)]
        self.image = frame.copy()
        self._seen = np.full(frame.shape, 255, np.uint8) if view is None else view.copy()
        self._frames = 0
        self._fresh = 1  # samples taken since the restart (the restart frame is one)
        self._settles_at = 0

    @property
    def settled(self) -> bool:
        """Every sample was taken after the last restart and the last :meth:`unsettle`:
        the median no longer shows the restart frame (which may be half-way through an
        exposure change) nor the ground before a change of brightness."""
        return self._fresh >= max(self._n, self._settles_at)

    def unsettle(self) -> None:
        """The picture's brightness has jumped: the samples before it do not count."""
        self._settles_at = self._fresh + self._n

    def learn(self, frame: np.ndarray, view: np.ndarray) -> None:
        """Fill newly seen ground; every ``median_interval_s`` replace the oldest
        sample with ``frame`` where ``view`` is set."""
        assert self._seen is not None and self.image is not None
        new = minus(view, self._seen)
        if cv2.countNonZero(new):
            for sample in self._samples:
                cv2.copyTo(frame, new, sample)
            cv2.copyTo(frame, new, self.image)
            self._seen = cv2.bitwise_or(self._seen, view)
        self._frames += 1
        # Just after a restart every sample is the same frame, with the targets it
        # showed: the first samples are taken at a short interval, so those targets
        # leave the median within a fraction of a second instead of half the window.
        interval = self._interval
        if self._fresh < self._n:
            interval = max(1, min(interval, self._first_interval))
        if self._frames % interval:
            return
        self._fresh += 1
        oldest = self._samples.pop(0)
        cv2.copyTo(frame, view, oldest)  # out of view it keeps its old value
        self._samples.append(oldest)
        self.image = median_of(self._samples)

    def rekey(self, key_to_cur: np.ndarray) -> None:
        """Move the samples into the current frame's coordinates (one interpolation)."""
        assert self.image is not None and self._seen is not None
        h, w = self.image.shape
        lin = {"flags": cv2.INTER_LINEAR, "borderMode": cv2.BORDER_REPLICATE}
        self._samples = [cv2.warpPerspective(s, key_to_cur, (w, h), **lin) for s in self._samples]
        self.image = median_of(self._samples)
        self._seen = cv2.warpPerspective(self._seen, key_to_cur, (w, h), flags=cv2.INTER_NEAREST)


def median_of(images: list[np.ndarray]) -> np.ndarray:
    """Per-pixel median of an odd number of same-sized uint8 images.

    A network of cv2.min / cv2.max exchanges: many times faster than ``np.median``
    over the stacked images. Only the exchanges the middle image depends on are made
    (:func:`_median_steps`): for nine images 30 cv2 calls, where a full odd-even
    transposition sort made 72 (half the time).
    """
    p = list(images)
    for a, b, keep_min, keep_max in _median_steps(len(p)):
        lo = cv2.min(p[a], p[b]) if keep_min else p[a]
        if keep_max:
            p[b] = cv2.max(p[a], p[b])
        p[a] = lo
    return p[len(p) // 2]


# Nine inputs (the default): Devillard's 19-exchange median network (opt_med9, after
# Paeth); each pair (a, b) leaves the smaller at a and the larger at b.
_MEDIAN_OF_9 = (
    (1, 2), (4, 5), (7, 8), (0, 1), (3, 4), (6, 7), (1, 2), (4, 5), (7, 8), (0, 3),
    (5, 8), (4, 7), (3, 6), (1, 4), (2, 5), (4, 7), (4, 2), (6, 4), (4, 2),
)  # fmt: skip


@cache
def _median_steps(n: int) -> tuple[tuple[int, int, bool, bool], ...]:
    """The exchanges (a, b, keep the min at a, keep the max at b) of a network that
    puts the median of ``n`` inputs at ``n // 2``: the nine-input median network, or
    an odd-even transposition sort, less every min or max no later step reads."""
    if n == 9:
        network = _MEDIAN_OF_9
    else:
        network = tuple((i, i + 1) for rnd in range(n) for i in range(rnd % 2, n - 1, 2))
    live = {n // 2}  # the positions read from here on
    steps = []
    for a, b in reversed(network):
        keep_min, keep_max = a in live, b in live
        if keep_min or keep_max:
            steps.append((a, b, keep_min, keep_max))
            live |= {a, b}
    return tuple(reversed(steps))
