"""Whether a feed is thermal is decided on what its first frames show."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from dronewatch.analysis.config import MotionDetectorConfig
from dronewatch.analysis.motion_detector import MotionDetector
from dronewatch.analysis.thermal_decision import ThermalDecision
from tests.clips import REALDATA

H, W = 180, 320


def _hills(rng: np.random.Generator) -> np.ndarray:
    """A grey scene with detail: rolling hills and noise (0..255 floats)."""
    y = np.arange(H)[:, None]
    x = np.arange(W)[None, :]
    ridge = 90 + 25 * np.sin(x / 23.0)
    scene = np.where(y > ridge, 70 + 0.4 * y, 190.0) + rng.normal(0, 3, (H, W))
    return np.clip(scene, 0, 255)


def _grey(scene: np.ndarray, offsets: tuple[int, int, int] = (0, 0, 0)) -> np.ndarray:
    """``scene`` as a grey colour frame, each channel shifted by its offset."""
    return np.clip(scene[..., None] + np.array(offsets), 0, 255).astype(np.uint8)


def _colour(scene: np.ndarray) -> np.ndarray:
    """``scene`` tinted: green ground under a blue sky."""
    sky = scene > 150
    tint = np.where(sky[..., None], [1.15, 0.9, 0.7], [0.6, 1.1, 0.7])
    return np.clip(scene[..., None] * tint, 0, 255).astype(np.uint8)


def _blue_sky() -> np.ndarray:
    return np.full((H, W, 3), (210, 160, 110), np.uint8)


def _decide(frames: list[np.ndarray]) -> bool | None:
    decision = ThermalDecision()
    for frame in frames:
        decision.see(frame)
    return decision.thermal


def test_a_grey_picture_is_thermal_even_with_a_decoder_offset() -> None:
    scene = _hills(np.random.default_rng(1))
    assert _decide([_grey(scene)]) is True
    assert _decide([_grey(scene, (3, 0, -2))]) is True
    assert _decide([_colour(scene)]) is False


def test_a_feed_that_opens_on_an_empty_blue_sky_is_colour() -> None:
    """A clear sky's channel differences are as constant as a grey picture's: the old
    rule took such a feed for thermal for good. Now empty frames do not decide, however
    many there are (the feed is treated as colour meanwhile)."""
    scene = _hills(np.random.default_rng(2))
    assert _decide([_blue_sky()] * 200) is None  # nothing to go on yet
    assert _decide([_blue_sky()] * 200 + [_colour(scene)]) is False


def test_a_colour_feed_that_fades_in_from_black_is_colour() -> None:
    scene = _hills(np.random.default_rng(3))
    black = np.zeros((H, W, 3), np.uint8)
    overcast = np.full((H, W, 3), 170, np.uint8)
    for opening in (black, overcast):
        for frames in (10, 100):  # 4 s at 25 frames/s
            assert _decide([opening] * frames + [_colour(scene)]) is False
            assert _decide([opening] * frames + [_grey(scene)]) is True


def test_the_decision_is_kept_and_the_config_overrides_it() -> None:
    scene = _hills(np.random.default_rng(4))
    assert _decide([_grey(scene), _colour(scene)]) is True
    forced = ThermalDecision(False)
    forced.see(_grey(scene))
    assert forced.thermal is False


def test_the_detector_treats_an_undecided_feed_as_colour() -> None:
    det = MotionDetector(MotionDetectorConfig(), fps=25.0)
    det.decide_thermal(np.zeros((H, W, 3), np.uint8))
    assert det.thermal is False
    det.decide_thermal(_grey(_hills(np.random.default_rng(5))))
    assert det.thermal is True


COUNTER_DRONE = REALDATA / "counter-drone"


@pytest.mark.realdata
@pytest.mark.skipif(
    not COUNTER_DRONE.exists(), reason=f"{COUNTER_DRONE} absent (shared real data not here)"
)
@pytest.mark.parametrize(("clip", "thermal"), [("IR_DRONE_001", True), ("V_DRONE_001", False)])
def test_real_ground_to_air_clips_are_told_apart(clip: str, thermal: bool) -> None:
    cap = cv2.VideoCapture(str(COUNTER_DRONE / f"{clip}.mp4"))
    decision = ThermalDecision()
    for _ in range(50):
        ok, frame = cap.read()
        if not ok or decision.thermal is not None:
            break
        decision.see(frame)
    cap.release()
    assert decision.thermal is thermal


def test_a_frame_is_analysed_as_it_was_registered() -> None:
    """A reader thread registers frames ahead of the analyser: when the decision comes
    a few frames into the feed, the frames registered before it (without warm blobs)
    must still be analysed as colour, not as thermal without their warm blobs."""
    from dronewatch.analysis.camera_motion import CameraMotion

    det = MotionDetector(MotionDetectorConfig(), fps=25.0)
    still = CameraMotion(np.eye(3), np.eye(3), False, True)
    black = np.zeros((H, W, 3), np.uint8)
    grey = _grey(_hills(np.random.default_rng(6)))
    det.decide_thermal(black)
    early = det.register(cv2.cvtColor(black, cv2.COLOR_BGR2GRAY), still)
    det.decide_thermal(grey)
    late = det.register(cv2.cvtColor(grey, cv2.COLOR_BGR2GRAY), still)
    assert (early.thermal, early.hot is None) == (False, True)
    assert (late.thermal, late.hot is not None) == (True, True)
