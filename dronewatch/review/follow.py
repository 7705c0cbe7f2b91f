"""Following one operator-marked target through playback: the protocol and its helpers.

The operator drags a box on a tile; a :class:`Follower` is started on that frame and then
updated with every frame the player shows. Implementations:

* :class:`dronewatch.review.follow_template.TemplateFollower` — ours, built for small
  targets on a moving camera at well under a millisecond per update;
* :class:`dronewatch.review.follow_mil.MilFollower` — OpenCV's MIL tracker behind the
  same protocol, the comparison baseline (about 30 ms per update at 640x360).

Example::

    follower = make_follower("template")
    follower.start(first_image, (x0, y0, x1, y1))
    for image in later_images:
        result = follower.update(image)
        if result.lost:
            break
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

import numpy as np

BoxXYXY = tuple[float, float, float, float]

FollowerKind = Literal["template", "mil"]


@dataclass(frozen=True, slots=True)
class FollowResult:
    """Where the follower puts the target after one update.

    ``xyxy`` is in image pixels (floats). ``confidence`` is in [0, 1] (for ours the
    normalised cross-correlation of the target at the reported place). ``lost`` is True
    once the target has not been found for several frames; ``xyxy`` is then the last
    place it was believed to be, carried along with the camera motion.
    """

    xyxy: BoxXYXY
    confidence: float
    lost: bool

    @property
    def center(self) -> tuple[float, float]:
        x0, y0, x1, y1 = self.xyxy
        return (x0 + x1) / 2, (y0 + y1) / 2


@runtime_checkable
class Follower(Protocol):
    """Follows one target. Used from one thread at a time; ``start`` may be called again
    to follow a new target.

    ``update(image, frames_elapsed)`` takes the next image shown; ``frames_elapsed`` > 1
    when the player skipped frames since the previous call, so the target may have moved
    further and the search is widened accordingly.
    """

    def start(self, image: np.ndarray, xyxy: BoxXYXY) -> None: ...

    def update(self, image: np.ndarray, frames_elapsed: int = 1) -> FollowResult: ...


def check_image(image: np.ndarray) -> None:
    """Raise ValueError unless ``image`` is an HxW or HxWx3 uint8 array."""
    if not isinstance(image, np.ndarray):
        raise ValueError(f"image must be a numpy array, got {type(image).__name__}")
    ok_shape = image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 3)
    if not ok_shape or image.dtype != np.uint8 or image.shape[0] == 0 or image.shape[1] == 0:
        raise ValueError(
            f"image must be HxW or HxWx3 uint8, got shape {image.shape} dtype {image.dtype}"
        )


def check_start_box(image: np.ndarray, xyxy: BoxXYXY, min_side: float = 2.0) -> BoxXYXY:
    """Validate an operator box and return it clipped to the image.

    Raises ValueError naming the problem when the box is not four finite numbers, is
    inverted or thinner than ``min_side`` px, or keeps less than ``min_side`` px per side
    once clipped to the image (for instance a box wholly outside it).
    """
    check_image(image)
    try:
        x0, y0, x1, y1 = (float(v) for v in xyxy)
    except (TypeError, ValueError):
        raise ValueError(f"box must be four numbers (x0, y0, x1, y1), got {xyxy!r}") from None
    if not all(math.isfinite(v) for v in (x0, y0, x1, y1)):
        raise ValueError(f"box has non-finite coordinates: {xyxy!r}")
    w, h = x1 - x0, y1 - y0
    if w < min_side or h < min_side:
        raise ValueError(
            f"box {xyxy!r} is {w:g}x{h:g} px; a target box needs x1 > x0 and y1 > y0 "
            f"with at least {min_side:g} px per side"
        )
    height, width = image.shape[:2]
    cx0, cy0 = max(x0, 0.0), max(y0, 0.0)
    cx1, cy1 = min(x1, float(width)), min(y1, float(height))
    if cx1 - cx0 < min_side or cy1 - cy0 < min_side:
        raise ValueError(
            f"box {xyxy!r} lies outside the {width}x{height} image "
            f"(less than {min_side:g} px per side inside it)"
        )
    return cx0, cy0, cx1, cy1


def check_frames_elapsed(frames_elapsed: int) -> int:
    """Raise ValueError unless ``frames_elapsed`` is an integer >= 1."""
    if isinstance(frames_elapsed, bool) or int(frames_elapsed) != frames_elapsed:
        raise ValueError(f"frames_elapsed must be an integer, got {frames_elapsed!r}")
    if frames_elapsed < 1:
        raise ValueError(f"frames_elapsed must be >= 1, got {frames_elapsed}")
    return int(frames_elapsed)


def iou(a: BoxXYXY, b: BoxXYXY) -> float:
    """Intersection over union of two xyxy boxes (0 when either is empty)."""
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def make_follower(kind: FollowerKind = "template") -> Follower:
    """A new follower: ``"template"`` (ours, the default) or ``"mil"`` (OpenCV MIL).

    Raises RuntimeError for ``"mil"`` when the OpenCV build has no MIL tracker.
    """
    if kind == "template":
        from dronewatch.review.follow_template import TemplateFollower

        return TemplateFollower()
    if kind == "mil":
        from dronewatch.review.follow_mil import MilFollower

        return MilFollower()
    raise ValueError(f"unknown follower kind {kind!r}; expected 'template' or 'mil'")
