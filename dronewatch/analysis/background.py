"""Background model kept in the coordinates of the camera's key frame.

Each frame is warped into key-frame coordinates (with a homography measured directly
against the key frame, so it does not drift), compared and blended in. The model itself
is re-warped only when the camera takes a new key frame, so repeated interpolation never
blurs it: a background warped every frame smears edges by a pixel or two within a
second and those edges then light up as false movers.

Learning is a running average whose per-frame step is capped: noise and lighting drift
are followed at the averaging rate, but a target passing over a pixel (a large
difference) moves the background only by the cap, and slower still under a detected
mover. A second, short-memory average tells ghosts from movers: where the current frame
has matched it for a while, the scene there is stable and the background adopts it
quickly (a ghost left by a target seen in the first frames vanishes; a target that
stopped is absorbed and the tracker holds it). Pixels that just came into view learn at
1/age, uncapped.
"""

from __future__ import annotations

import cv2
import numpy as np

from dronewatch.analysis.config import MotionDetectorConfig, per_frame_gain
from dronewatch.analysis.masks import minus


class StabilisedBackground:
    """Running background in key-frame coordinates; see the module docstring."""

    def __init__(self, config: MotionDetectorConfig, fps: float) -> None:
        self._cfg = config
        # Learning every n-th frame at n times the rate gives the same background for
        # a fraction of the cost; ``rate`` is in learning steps per second.
        self.every = max(1, config.learn_every)
        rate = fps / self.every
        self.min_age = max(1, round(config.warmup_s * rate))
        self._alpha = per_frame_gain(config.learning_time_s, rate)
        self._cap = config.max_step_per_s / max(rate, 1e-6)
        self._cap_mover = self._cap * config.foreground_learning_factor
        self._stable_rate = per_frame_gain(config.stable_learning_s, rate)
        self._fast_alpha = per_frame_gain(config.stable_time_s, rate)
        self._young_lut = np.array(
            [1.0 / (i + 1) if i < self.min_age else 0.0 for i in range(256)], np.float32
        )
        k = max(1, config.close_kernel)
        self._grow = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
        self.mean: np.ndarray | None = None  # float32
        self._fast: np.ndarray | None = None  # float32, short memory
        self.age: np.ndarray | None = None  # uint8 frames of history per pixel

    @property
    def ready(self) -> bool:
        return self.mean is not None

    def restart(self, frame: np.ndarray, view: np.ndarray | None = None) -> None:
        """Start again from ``frame`` (key-frame coordinates), where ``view`` is set."""
        self.mean = frame.astype(np.float32)
        self._fast = self.mean.copy()
        if view is None:
            self.age = np.ones(frame.shape, np.uint8)
        else:
            self.age = cv2.bitwise_and(view, 1)

    def valid(self, view: np.ndarray) -> np.ndarray:
        """Pixels in view with enough history to be compared."""
        assert self.age is not None
        return cv2.bitwise_and(view, cv2.compare(self.age, self.min_age, cv2.CMP_GE))

    def stable(self, frame: np.ndarray, thr: float) -> np.ndarray:
        """Pixels where ``frame`` matches the short-memory average: nothing is moving
        there now (a ghost, or a target that has stopped)."""
        assert self._fast is not None
        diff = cv2.absdiff(frame, cv2.convertScaleAbs(self._fast))
        return cv2.compare(diff, self._cfg.stable_tolerance * thr, cv2.CMP_LT)

    def learn(
        self,
        frame: np.ndarray,
        movers: np.ndarray,
        view: np.ndarray,
        stable: np.ndarray,
        valid: np.ndarray,
    ) -> None:
        """Blend ``frame`` (key-frame coordinates) in; ``movers`` is the foreground mask,
        ``stable`` the result of :meth:`stable`, ``valid`` that of :meth:`valid` for a
        view holding ``view`` (0/255 masks both), made since the last learning step:
        the pixels of ``view`` outside it are the young ones."""
        assert self.mean is not None and self._fast is not None and self.age is not None
        young = minus(view, valid)
        young_rate = None
        if cv2.countNonZero(young):  # only just after a new key frame or a restart
            young_rate = cv2.LUT(self.age, self._young_lut)

        # Both differences from one float copy: a uint8 - float32 subtract converts its
        # uint8 operand itself, and costs as much as the conversion and the subtract.
        frame32 = frame.astype(np.float32)
        # Scalar arithmetic through numpy: cv2.multiply(float image, scalar) is ~20x
        # slower than np.multiply here. Results go into full-frame arrays no longer
        # needed where there is one: three such arrays instead of seven, less memory
        # traffic.
        fdiff = cv2.subtract(frame32, self._fast)
        young_fstep = None if young_rate is None else cv2.multiply(fdiff, young_rate)
        fstep = np.multiply(fdiff, np.float32(self._fast_alpha), out=fdiff)
        if young_fstep is not None:
            cv2.copyTo(young_fstep, young, fstep)
        _add_inside(self._fast, fstep, view)
        scratch = fstep  # overwritten by _add_inside: free from here on

        diff = cv2.subtract(frame32, self.mean)
        step = np.multiply(diff, np.float32(self._alpha), out=scratch)
        np.clip(step, -self._cap, self._cap, out=step)
        # The steps that replace the capped one: at stable pixels, at young ones and
        # (below) under movers.
        stable_step = np.multiply(diff, np.float32(self._stable_rate), out=frame32)
        young_step = None if young_rate is None else cv2.multiply(diff, young_rate)
        grown = cv2.dilate(movers, self._grow)
        if cv2.countNonZero(grown):
            slow = np.clip(step, -self._cap_mover, self._cap_mover, out=diff)  # diff: done
            cv2.copyTo(slow, grown, step)
        cv2.copyTo(stable_step, stable, step)
        if young_step is not None:
            cv2.copyTo(young_step, young, step)
        _add_inside(self.mean, step, view)
        cv2.add(self.age, cv2.bitwise_and(view, 1), dst=self.age)

    def rekey(self, key_to_cur: np.ndarray) -> None:
        """Move the model into the current frame's coordinates (one interpolation)."""
        assert self.mean is not None and self._fast is not None and self.age is not None
        h, w = self.mean.shape
        lin = {"flags": cv2.INTER_LINEAR, "borderMode": cv2.BORDER_REPLICATE}
        self.mean = cv2.warpPerspective(self.mean, key_to_cur, (w, h), **lin)
        self._fast = cv2.warpPerspective(self._fast, key_to_cur, (w, h), **lin)
        self.age = cv2.warpPerspective(self.age, key_to_cur, (w, h), flags=cv2.INTER_NEAREST)


def _add_inside(acc: np.ndarray, step: np.ndarray, mask: np.ndarray) -> None:
    """``acc += step`` where ``mask`` is set; ``step`` is overwritten. The same as
    ``cv2.add(acc, step, dst=acc, mask=mask)``, whose masked path is ~3x slower than
    an unmasked add followed by a masked copy."""
    cv2.add(acc, step, dst=step)
    cv2.copyTo(step, mask, acc)
