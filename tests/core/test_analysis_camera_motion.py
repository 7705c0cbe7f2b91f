"""Camera motion: the estimator recovers known shifts, rotations and zooms."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from dronewatch.analysis.camera_motion import CameraMotionEstimator, warp_points
from dronewatch.analysis.config import CameraMotionConfig
from tests.core.test_analysis_scenes import world_texture


def _views(hom: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    world = world_texture(3)[100:460, 100:740]  # 640 x 360
    return world, cv2.warpPerspective(world, hom, (640, 360), flags=cv2.INTER_LINEAR)


def _similarity(dx: float, dy: float, deg: float, zoom: float) -> np.ndarray:
    m = cv2.getRotationMatrix2D((320, 180), deg, zoom)
    m[:, 2] += (dx, dy)
    return np.vstack([m, [0, 0, 1]])


@pytest.mark.parametrize(
    ("dx", "dy", "deg", "zoom"),
    [
        (0.0, 0.0, 0.0, 1.0),
        (3.4, -1.7, 0.0, 1.0),
        (-12.0, 6.5, 0.0, 1.0),
        (1.0, 2.0, 1.5, 1.0),
        (0.0, 0.0, 0.0, 1.03),
    ],
)
def test_recovers_known_motion(dx: float, dy: float, deg: float, zoom: float) -> None:
    truth = _similarity(dx, dy, deg, zoom)
    first, second = _views(truth)
    est = CameraMotionEstimator(CameraMotionConfig())
    assert np.allclose(est.update(first).prev_to_cur, np.eye(3))
    motion = est.update(second)
    assert motion.ok
    probe = np.array([[100.0, 80.0], [540.0, 80.0], [320.0, 180.0], [100.0, 300.0]])
    err = np.abs(warp_points(motion.prev_to_cur, probe) - warp_points(truth, probe)).max()
    assert err < 0.3, f"corner error {err:.2f} px"


def test_key_frame_registration_does_not_drift() -> None:
    """40 frames of a steady 1.3 px/frame pan: the accumulated estimate stays exact."""
    world = world_texture(4)
    est = CameraMotionEstimator(CameraMotionConfig(rekey_fraction=0.5))
    total = np.eye(3)
    for i in range(41):
        x = 50 + 1.3 * i
        warp = np.array([[1, 0, -x], [0, 1, -60]], np.float32)
        img = cv2.warpAffine(world, warp, (640, 360), flags=cv2.INTER_LINEAR)
        total = est.update(img).prev_to_cur @ total
    assert total[0, 2] == pytest.approx(-1.3 * 40, abs=0.25)
    assert total[1, 2] == pytest.approx(0.0, abs=0.25)


def test_featureless_frame_falls_back_to_identity() -> None:
    est = CameraMotionEstimator(CameraMotionConfig())
    flat = np.full((360, 640), 90, np.uint8)
    est.update(flat)
    motion = est.update(flat)
    assert np.allclose(motion.prev_to_cur, np.eye(3))


def _car_and_drifting_ground(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Tracked corners of a still view (320 x 180): 30 on a car in one corner of the
    picture, all moved 9 px right; 40 on plain ground over the rest, each drifting its
    own way (weak corners that optical flow cannot hold)."""
    rng = np.random.default_rng(seed)
    car = rng.uniform((10, 5), (75, 40), (30, 2))
    ground = rng.uniform((100, 70), (310, 175), (40, 2))
    src = np.vstack([car, ground]).astype(np.float32)
    drift = rng.uniform(-6, 6, (40, 2))
    dst = np.vstack([car + np.array([9.0, 0.0]), ground + drift]).astype(np.float32)
    return src, dst


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_big_mover_over_plain_ground_is_not_the_camera(seed: int) -> None:
    """RANSAC keeps the largest set of corners that agree, here the car's. They hold
    only the cells the car covers, so the fit is refused (the camera is taken to have
    held still), unless the rule is switched off."""
    src, dst = _car_and_drifting_ground(seed)
    for spread, follows_the_car in ((0.5, False), (0.0, True)):
        est = CameraMotionEstimator(CameraMotionConfig(min_inlier_spread=spread))
        est.update(np.zeros((180, 320), np.uint8))  # sets the key frame's size
        fit = est._fit(src, dst)
        assert (fit is not None and bool(abs(fit[0, 2] - 9.0) < 1.0)) is follows_the_car
