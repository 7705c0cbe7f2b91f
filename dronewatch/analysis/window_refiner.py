"""Small movers' boxes redrawn by a small learned model (daylight feeds).

The motion detector finds where something differs from the backgrounds; on small
targets that difference is often not the target's extent. A walker's box lands on
his shadow, a group shares one blob, a slow walker's trailing half is learnt into the
background, rain leaves blobs with nothing in them. Each small box (a longer side of
at most ``max_side`` work px) is looked at again through a window of 40 x 40 work px
centred on it, in key-frame coordinates, with five channels: the frame, its signed
window-robust differences from the median and from the running average, the grown
foreground mask and the box itself. A fully convolutional model (``models/window_refiner.onnx``,
made by ``benchmarks/train_window_refiner.py`` from simulator clips whose seeds the
benchmarks do not use) answers with a centre heat map at stride 2 and each centre's
offset and log size, like CenterNet. The window's box is replaced by the targets the
model finds in it, after non-maximum suppression across all windows of the frame;
the boxes with no target found near them are reported, for the detector to keep
as weak ones or drop. Larger boxes pass unchanged.

The model runs in ONNX Runtime, on one thread: on these 40 px windows it is twice
as fast as OpenCV's DNN module (44 windows, a busy frame: 3.0 against 6.5 ms).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, Protocol

import cv2
import numpy as np
import onnxruntime as ort

from dronewatch.analysis.box_geometry import centres_inside, longer_sides, overlap_of_smaller
from dronewatch.errors import DroneWatchError

WINDOW = 40  # work px, square
STRIDE = 2  # the model's output grid step, work px
CHANNELS = 5
FOUND = -1  # the source of a box the model found
OFF_ZERO = 128  # a signed difference of 0 in RefinerInputs' uint8 images
# A box with a found target centre this close (work px) is explained by it: a
# walker's shadow beside the walker, half a car beside the whole.
UNSEEN_MARGIN = 12.0
BUNDLED_MODEL = Path(__file__).with_name("models") / "window_refiner.onnx"
# The same network trained on thermal-night windows (benchmarks/train_window_refiner.py).
BUNDLED_THERMAL_MODEL = BUNDLED_MODEL.with_name("window_refiner_thermal.onnx")


@dataclass(frozen=True, slots=True)
class RefinerInputs:
    """One frame's images the refiner looks at, key-frame work px, uint8. The two
    differences are the detector's: how far the frame lies outside each reference's
    range over the misregistration window (so that texture a fraction of a pixel off
    reads 0), signed about ``OFF_ZERO``."""

    frame: np.ndarray  # smoothed grey
    off_median: np.ndarray  # beyond the median reference (the average without one)
    off_average: np.ndarray  # beyond the running average
    foreground: np.ndarray  # the grown foreground mask
    threshold: float = 0.0  # the detector's threshold in this frame, grey levels


@dataclass(frozen=True, slots=True)
class Windows:
    """The windows around some boxes: uint8 (N, 5, WINDOW, WINDOW) channels (frame,
    off median, off average, foreground, the box) and each window's top-left corner."""

    pixels: np.ndarray
    origins: np.ndarray  # (N, 2) int: x, y of the window's corner in the frame

    @classmethod
    def around(cls, images: RefinerInputs, boxes: np.ndarray) -> Windows:
        """Windows centred on ``boxes`` (N, 4 xyxy); ground past the image's edge is
        the edge repeated."""
        half = WINDOW // 2
        n = len(boxes)
        pixels = np.zeros((n, CHANNELS, WINDOW, WINDOW), np.uint8)
        origins = np.zeros((n, 2), np.int32)
        if n == 0:
            return cls(pixels, origins)
        # Centres rounded half to even, as Python's round() does.
        origins[:, 0] = np.round((boxes[:, 0] + boxes[:, 2]) / 2) - half
        origins[:, 1] = np.round((boxes[:, 1] + boxes[:, 3]) / 2) - half
        channels = (images.frame, images.off_median, images.off_average, images.foreground)
        h, w = images.frame.shape
        ox, oy = origins[:, 0], origins[:, 1]
        inside = (ox >= 0) & (oy >= 0) & (ox + WINDOW <= w) & (oy + WINDOW <= h)
        edge = np.flatnonzero(~inside)
        for c, img in enumerate(channels):
            # Windows inside the frame are read in place; one past an edge repeats it
            # (a box lies in the frame, so every window reaches some of its pixels).
            if len(edge) < n:
                views = np.lib.stride_tricks.sliding_window_view(img, (WINDOW, WINDOW))
                pixels[inside, c] = views[oy[inside], ox[inside]]
            for k in edge.tolist():
                x0 = min(max(int(ox[k]), 1 - WINDOW), w - 1)
                y0 = min(max(int(oy[k]), 1 - WINDOW), h - 1)
                crop = img[max(y0, 0) : min(y0 + WINDOW, h), max(x0, 0) : min(x0 + WINDOW, w)]
                pixels[k, c] = cv2.copyMakeBorder(
                    crop,
                    max(-y0, 0),
                    max(y0 + WINDOW - h, 0),
                    max(-x0, 0),
                    max(x0 + WINDOW - w, 0),
                    cv2.BORDER_REPLICATE,
                )
        # The box channel: rows and columns inside the box, in window pixels.
        first = np.maximum(np.floor(boxes[:, :2]).astype(np.int64) - origins, 0)
        last = np.maximum(np.ceil(boxes[:, 2:]).astype(np.int64) - origins, 0)
        span = np.arange(WINDOW)
        cols = (span >= first[:, :1]) & (span < last[:, :1])
        rows = (span >= first[:, 1:]) & (span < last[:, 1:])
        pixels[:, 4] = (rows[:, :, None] & cols[:, None, :]) * np.uint8(255)
        return cls(pixels, origins)


def model_inputs(pixels: np.ndarray) -> np.ndarray:
    """The model's float input for windows' uint8 channels: the frame about the
    window's mean level, its signed differences from the two backgrounds, and the
    two masks in 0-1. Training uses this too, so the two cannot drift apart."""
    x = pixels.astype(np.float32)
    frame = x[:, 0]
    level = frame.mean(axis=(1, 2), keepdims=True)
    return np.stack(
        [
            (frame - level) / 64.0,
            (x[:, 1] - OFF_ZERO) / 32.0,
            (x[:, 2] - OFF_ZERO) / 32.0,
            x[:, 3] / 255.0,
            x[:, 4] / 255.0,
        ],
        axis=1,
    )


def _local_maxima(heat: np.ndarray) -> np.ndarray:
    """(N, G, G) bool: cells at least as hot as their eight neighbours."""
    g = heat.shape[1]
    padded = np.pad(heat, ((0, 0), (1, 1), (1, 1)), constant_values=-np.inf)
    top = heat.copy()
    for dy in range(3):
        for dx in range(3):
            np.maximum(top, padded[:, dy : dy + g, dx : dx + g], out=top)
    return heat >= top


def decode(
    output: np.ndarray, origins: np.ndarray, threshold: float
) -> tuple[np.ndarray, np.ndarray]:
    """Boxes (M, 4 xyxy, frame px) and scores from the model's output (N, 5, G, G):
    every cell whose heat is a local maximum above ``threshold``."""
    heat = 1.0 / (1.0 + np.exp(-output[:, 0]))
    peaks = _local_maxima(heat) & (heat > threshold)
    k, iy, ix = np.nonzero(peaks)
    if len(k) == 0:
        return np.zeros((0, 4), np.float32), np.zeros(0, np.float32)
    cx = (ix + output[k, 1, iy, ix]) * STRIDE + origins[k, 0]
    cy = (iy + output[k, 2, iy, ix]) * STRIDE + origins[k, 1]
    w = np.exp(np.clip(output[k, 3, iy, ix], -2.0, 5.0))
    h = np.exp(np.clip(output[k, 4, iy, ix], -2.0, 5.0))
    boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)
    return boxes.astype(np.float32), heat[k, iy, ix].astype(np.float32)


def unexplained(looked: np.ndarray, found: np.ndarray, gap: float) -> np.ndarray:
    """(N,) bool: the ``looked`` boxes (N, 4 xyxy) that no ``found`` box explains. A
    found box explains one when its centre lies within ``UNSEEN_MARGIN`` of it and,
    for ``gap`` >= 0, its edges come within ``gap`` px of it (they overlap at 0)."""
    near = centres_inside(found, looked, UNSEEN_MARGIN)
    if gap >= 0:
        reach = np.c_[found[:, :2] - gap, found[:, 2:] + gap]
        near &= overlap_of_smaller(reach, looked) > 0
    return ~near.any(axis=0)


def looked_at(boxes: np.ndarray, keep: np.ndarray, max_side: float) -> np.ndarray:
    """(N,) bool: the boxes that get a window: not kept, longer side at most
    ``max_side``."""
    return ~keep & (longer_sides(boxes) <= max_side)


class Refined(NamedTuple):
    """One frame's boxes after the refiner."""

    boxes: np.ndarray  # (M, 4) float32 xyxy: the boxes passed unchanged, then those found
    source: np.ndarray  # (M,) the index of the box each came from; FOUND: found by the model
    unseen: np.ndarray  # indices of the boxes looked at in which no target was found
    # (M,) float32: the model's peak heat (0-1) for a box it found, 0 for one passed:
    # how sure it is that a target is there (see TrackerConfig.confirm_heat)
    heat: np.ndarray


class BoxRefiner(Protocol):
    def refine(self, images: RefinerInputs, boxes: np.ndarray, keep: np.ndarray) -> Refined: ...


class WindowRefiner:
    """Loads the model once per feed; :meth:`refine` one frame's boxes."""

    def __init__(
        self,
        path: Path | None = None,
        threshold: float = 0.4,
        nms_iou: float = 0.3,
        max_side: float = 32.0,
        support_px: int = 2,
        support_share: float = 0.4,
        support_fill: float = 0.1,
        unseen_gap: float = 0.0,
        support_sure: float = 0.55,
    ) -> None:
        self.path = Path(path) if path else BUNDLED_MODEL
        self.threshold, self.nms_iou, self.max_side = threshold, nms_iou, max_side
        self.support_px, self.support_share = support_px, support_share
        self.support_fill = support_fill
        self.unseen_gap = unseen_gap
        self.support_sure = support_sure
        if not self.path.is_file():
            raise DroneWatchError(f"{self.path}: window refiner model not found")
        options = ort.SessionOptions()
        # One thread: feeds are analysed side by side (worker processes, the
        # window's analysis workers), and a reader thread decodes ahead of each.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        try:
            self._session = ort.InferenceSession(
                str(self.path), options, providers=["CPUExecutionProvider"]
            )
            self._input = self._session.get_inputs()[0].name
            out = self._forward(np.zeros((1, CHANNELS, WINDOW, WINDOW), np.float32))
        except Exception as exc:  # onnxruntime's errors share no narrower base
            raise DroneWatchError(f"{self.path}: not a usable refiner model ({exc})") from exc
        if out.shape != (1, 5, WINDOW // STRIDE, WINDOW // STRIDE):
            raise DroneWatchError(f"{self.path}: refiner output shape {out.shape}, not 5 maps")

    def _supported(
        self, images: RefinerInputs, found: np.ndarray, score: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """The found boxes with at least ``support_px`` pixels, and ``support_fill``
        of their area unless the model is sure of them (heat ``support_sure`` or
        more), that differ from a background by ``support_share`` of the threshold:
        the model's answer on ground it does not know (texture unlike the simulator's,
        a target unlike a walker) is not a target where nothing has changed, nor a
        walker drawn beside a blob that only touches its edge."""
        if self.support_px <= 0:
            return found, score
        level = max(1, int(self.support_share * images.threshold))
        distance = cv2.max(
            cv2.absdiff(images.off_median, OFF_ZERO), cv2.absdiff(images.off_average, OFF_ZERO)
        )
        _, changed = cv2.threshold(distance, level, 1, cv2.THRESH_BINARY)
        counts = cv2.integral(changed)  # (h + 1, w + 1): sums above and left of each pixel
        h, w = changed.shape
        c1 = np.clip(found[:, 0].astype(np.int64), 0, w)
        r1 = np.clip(found[:, 1].astype(np.int64), 0, h)
        c2 = np.clip(np.ceil(found[:, 2]).astype(np.int64), 0, w)
        r2 = np.clip(np.ceil(found[:, 3]).astype(np.int64), 0, h)
        inside = counts[r2, c2] - counts[r1, c2] - counts[r2, c1] + counts[r1, c1]
        area = (c2 - c1) * (r2 - r1)
        sure = score >= self.support_sure
        keep = (
            (c2 > c1)
            & (r2 > r1)
            & (inside >= self.support_px)
            & ((inside >= self.support_fill * area) | sure)
        )
        return found[keep], score[keep]

    def _forward(self, x: np.ndarray) -> np.ndarray:
        return self._session.run(None, {self._input: x})[0]

    def refine(self, images: RefinerInputs, boxes: np.ndarray, keep: np.ndarray) -> Refined:
        """The frame's boxes after refinement (:class:`Refined`). Boxes where ``keep``
        is set, and boxes longer than ``max_side``, pass unchanged."""
        look = looked_at(boxes, keep, self.max_side)
        passed = np.flatnonzero(~look)
        if not look.any():
            return Refined(boxes, passed, np.zeros(0, np.intp), np.zeros(len(boxes), np.float32))
        windows = Windows.around(images, boxes[look])
        found, score = decode(
            self._forward(model_inputs(windows.pixels)), windows.origins, self.threshold
        )
        if len(found):
            found, score = self._supported(images, found, score)
        if len(found):
            xywh = np.c_[found[:, :2], found[:, 2:] - found[:, :2]]
            chosen = cv2.dnn.NMSBoxes(xywh.tolist(), score.tolist(), self.threshold, self.nms_iou)
            chosen = np.asarray(chosen, int).reshape(-1)
            found, score = found[chosen], score[chosen]
        out = np.concatenate([boxes[passed], found]).astype(np.float32)
        source = np.concatenate([passed, np.full(len(found), FOUND)])
        # The looked-at boxes with no target found in or next to them.
        looked = np.flatnonzero(look)
        unseen = looked[unexplained(boxes[looked], found, self.unseen_gap)]
        heat = np.concatenate([np.zeros(len(passed), np.float32), score]).astype(np.float32)
        return Refined(out, source, unseen, heat)
