"""The first stage of a feed's analysis: the grey work copy of a frame, the camera's
motion at it and its registration to the detector's key frame.

It needs nothing from the later stages (backgrounds, blobs, tracks), so a reader
thread runs it ahead of them (:mod:`dronewatch.analysis.read_ahead`).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import cv2
import numpy as np

from dronewatch.analysis.camera_motion import CameraMotion, CameraMotionEstimator
from dronewatch.analysis.config import AnalysisConfig
from dronewatch.analysis.motion_detector import MotionDetector, RegisteredFrame
from dronewatch.frames import FramePacket, VideoInfo


@dataclass(frozen=True, slots=True)
class PreparedFrame:
    """A frame after :meth:`FramePreparer.prepare`: its grey work copy, the camera's
    motion at it and its registration to the detector's key frame."""

    packet: FramePacket
    gray: np.ndarray
    motion: CameraMotion
    registered: RegisteredFrame


@dataclass(frozen=True, slots=True)
class KeptFrame:
    """A prepared frame's work copy and camera motion, kept while the feed may yet turn
    out to be grey daylight (see ``MotionDetectorConfig.daylight_replay_s``)."""

    index: int
    time_s: float
    gray: np.ndarray
    motion: CameraMotion


def feed_fps(info: VideoInfo) -> float:
    """The feed's frame rate, or 25 when the source does not know it."""
    return info.fps if info.fps and info.fps > 0 else 25.0


class FramePreparer:
    """Prepares one feed's frames, in order. ``detector``: the motion detector whose key
    frame the frames are registered to (a new one when not given)."""

    def __init__(
        self, info: VideoInfo, config: AnalysisConfig, detector: MotionDetector | None = None
    ) -> None:
        self.scale = min(1.0, config.work_width / max(info.width, 1))
        self.work_size = (
            max(1, round(info.width * self.scale)),
            max(1, round(info.height * self.scale)),
        )
        self.detector = detector or MotionDetector(config.detector, feed_fps(info))
        self._camera = CameraMotionEstimator(config.camera)
        keep = round(config.detector.daylight_replay_s * feed_fps(info))
        # Appended by the reader thread, read and cleared by the analysing one: a
        # deque's append, clear and copy are each atomic.
        self._kept: deque[KeptFrame] | None = deque(maxlen=keep) if keep > 0 else None

    def work_copy(self, bgr: np.ndarray) -> np.ndarray:
        """A frame's grey copy at the work size."""
        gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
        if self.scale < 1.0:
            gray = cv2.resize(gray, self.work_size, interpolation=cv2.INTER_AREA)
        return gray

    def prepare(self, packet: FramePacket) -> PreparedFrame:
        img = packet.image
        gray = self.work_copy(img)
        self.detector.decide_thermal(img)  # looks at the first frames only
        motion = self._camera.update(gray)
        if self._kept is not None and self.detector.may_turn_daylight:
            self._kept.append(KeptFrame(packet.index, packet.time_s, gray, motion))
        return PreparedFrame(packet, gray, motion, self.detector.register(gray, motion))

    @property
    def keeps_frames(self) -> bool:
        """Whether frames are kept for a replay at all (``daylight_replay_s`` > 0)."""
        return self._kept is not None

    def kept_frames(self, before: int) -> list[KeptFrame]:
        """The frames kept (see :class:`KeptFrame`) before frame ``before``, in order."""
        return [] if self._kept is None else [f for f in list(self._kept) if f.index < before]

    def forget_kept_frames(self) -> None:
        if self._kept:
            self._kept.clear()
