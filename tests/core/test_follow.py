"""Single-object followers for operator marks (dronewatch.review.follow*)."""

from __future__ import annotations

import math
import time

import cv2
import numpy as np
import pytest

from dronewatch.review.follow import (
    Follower,
    FollowResult,
    check_start_box,
    iou,
    make_follower,
)
from dronewatch.review.follow_mil import MilFollower, mil_available
from dronewatch.review.follow_template import TemplateFollower

W, H = 640, 360


class PanningScene:
    """A textured ground seen by a camera panning right with hand-held jitter, and one
    small target walking slowly over the ground. Frame ``t`` and its true box."""

    def __init__(
        self,
        seed: int = 0,
        target_wh: tuple[int, int] = (5, 8),
        ground_velocity: tuple[float, float] = (0.35, 0.2),
        pan_px: float = 2.0,
        jitter_px: float = 1.5,
        zoom_per_frame: float = 1.0,
    ) -> None:
        rng = np.random.default_rng(seed)
        coarse = rng.integers(40, 200, (60, 140, 3), dtype=np.uint8)
        ground = cv2.resize(coarse, (1400, 600), interpolation=cv2.INTER_CUBIC)
        fine = rng.normal(0, 12, ground.shape)
        self.ground = np.clip(ground + fine, 0, 255).astype(np.uint8)
        self.rng = rng
        self.target_wh = target_wh
        self.gv = ground_velocity
        self.pan = pan_px
        self.zoom_per_frame = zoom_per_frame
        self.jitter = rng.normal(0, jitter_px, (1000, 2)).round().astype(int)
        self.start_ground = (300.0, 250.0)  # target's top-left in ground coordinates

    def camera(self, t: int) -> tuple[int, int]:
        jx, jy = self.jitter[t]
        return round(self.pan * t) + 40 + jx, 100 + round(6 * math.sin(t / 15)) + jy

    def target_ground(self, t: int) -> tuple[float, float]:
        return self.start_ground[0] + self.gv[0] * t, self.start_ground[1] + self.gv[1] * t

    def frame(self, t: int, with_target: bool = True) -> tuple[np.ndarray, tuple]:
        """Frame ``t`` and the target's true box in it (xyxy)."""
        z = self.zoom_per_frame**t
        cw, ch = round(W / z), round(H / z)
        cx, cy = self.camera(t)
        cx, cy = cx + (W - cw) // 2, cy + (H - ch) // 2  # zoom about the frame centre
        img = self.ground[cy : cy + ch, cx : cx + cw].copy()
        gx, gy = self.target_ground(t)
        w, h = self.target_wh
        x0, y0 = gx - cx, gy - cy
        if with_target:
            # A person-like blob: dark body with a bright head, anti-aliased by sub-pixel
            # placement through a small upsampled stamp.
            s = 4
            stamp = np.zeros((h * s, w * s), np.float32)
            cv2.ellipse(
                stamp,
                (w * s // 2, h * s // 2),
                (w * s // 2 - 1, h * s // 2 - 1),
                0,
                0,
                360,
                1.0,
                -1,
            )
            m = cv2.warpAffine(
                stamp,
                np.float32([[1, 0, (x0 % 1) * s], [0, 1, (y0 % 1) * s]]),
                (w * s + s, h * s + s),
            )
            alpha = cv2.resize(m, (w + 1, h + 1), interpolation=cv2.INTER_AREA)[..., None]
            ix, iy = int(x0), int(y0)
            roi = img[iy : iy + h + 1, ix : ix + w + 1].astype(np.float32)
            colour = np.array([30, 30, 220], np.float32)
            img[iy : iy + h + 1, ix : ix + w + 1] = (roi * (1 - alpha) + colour * alpha).astype(
                np.uint8
            )
        sx, sy = W / cw, H / ch
        if (cw, ch) != (W, H):
            img = cv2.resize(img, (W, H), interpolation=cv2.INTER_LINEAR)
        noise = self.rng.normal(0, 3, img.shape)
        img = np.clip(img + noise, 0, 255).astype(np.uint8)
        return img, (x0 * sx, y0 * sy, (x0 + w) * sx, (y0 + h) * sy)


def test_follows_small_slow_target_on_panning_scene() -> None:
    scene = PanningScene(seed=1)
    follower = TemplateFollower()
    assert isinstance(follower, Follower)
    image, box = scene.frame(0)
    follower.start(image, box)
    for t in range(1, 60):  # 2.4 s at 25 fps
        image, box = scene.frame(t)
        result = follower.update(image)
        assert isinstance(result, FollowResult)
        assert not result.lost, f"lost at frame {t}"
        assert iou(result.xyxy, box) >= 0.3, f"frame {t}: {result.xyxy} vs {box}"


@pytest.mark.parametrize(
    ("target_wh", "min_iou", "min_growth"),
    [
        ((14, 10), 0.3, 1.0),  # followed at its first size (a few px off at the end)
        ((60, 44), 0.5, 1.2),  # shrunk-patch path; the scale search follows the zoom
    ],
)
def test_follows_a_target_through_a_zoom(
    target_wh: tuple[int, int], min_iou: float, min_growth: float
) -> None:
    scene = PanningScene(seed=7, target_wh=target_wh, zoom_per_frame=1.006)
    follower = TemplateFollower()
    image, box = scene.frame(0)
    follower.start(image, box)
    for t in range(1, 60):  # the target grows by 43 %
        image, box = scene.frame(t)
        result = follower.update(image)
        assert not result.lost, f"lost at frame {t}"
        assert iou(result.xyxy, box) >= min_iou, f"frame {t}: {result.xyxy} vs {box}"
    assert (result.xyxy[2] - result.xyxy[0]) / target_wh[0] >= min_growth


def test_follows_through_skipped_frames() -> None:
    scene = PanningScene(seed=2, pan_px=3.0)
    follower = TemplateFollower()
    image, box = scene.frame(0)
    follower.start(image, box)
    t = 0
    for step in (1, 1, 4, 4, 8, 2, 6, 4, 4):
        t += step
        image, box = scene.frame(t)
        result = follower.update(image, frames_elapsed=step)
        assert not result.lost, f"lost at frame {t}"
        assert iou(result.xyxy, box) >= 0.3, f"frame {t} (+{step}): {result.xyxy} vs {box}"


def test_reports_lost_when_the_target_disappears() -> None:
    scene = PanningScene(seed=3)
    follower = TemplateFollower()
    image, box = scene.frame(0)
    follower.start(image, box)
    for t in range(1, 20):
        assert not follower.update(scene.frame(t)[0]).lost
    lost_at = None
    for t in range(20, 50):
        result = follower.update(scene.frame(t, with_target=False)[0])
        if result.lost:
            lost_at = t
            break
    assert lost_at is not None, "never reported lost"
    assert lost_at - 20 <= follower.config.lost_after + 4
    assert result.confidence < follower.config.accept_score


def test_picks_the_target_up_again_after_a_short_occlusion() -> None:
    scene = PanningScene(seed=4)
    follower = TemplateFollower()
    image, box = scene.frame(0)
    follower.start(image, box)
    for t in range(1, 45):
        image, box = scene.frame(t, with_target=not 20 <= t < 24)
        result = follower.update(image)
    assert not result.lost
    assert iou(result.xyxy, box) >= 0.3


@pytest.mark.parametrize(
    ("box", "message"),
    [
        ((100, 100, 100, 120), "at least 2 px per side"),  # zero width
        ((100, 100, 120, 100), "at least 2 px per side"),  # zero height
        ((120, 100, 100, 120), "at least 2 px per side"),  # inverted
        ((700, 400, 720, 420), "outside the 640x360 image"),
        ((-50, -50, -10, -10), "outside the 640x360 image"),
        ((639, 100, 660, 120), "outside the 640x360 image"),  # 1 px inside
        ((float("nan"), 0, 10, 10), "non-finite"),
        ((1, 2, 3), "four numbers"),
    ],
)
@pytest.mark.parametrize("kind", ["template", "mil"])
def test_degenerate_start_box_raises(box: tuple, message: str, kind: str) -> None:
    if kind == "mil" and not mil_available():
        pytest.skip("this OpenCV build has no MIL tracker")
    image = np.zeros((H, W, 3), np.uint8)
    with pytest.raises(ValueError, match=message):
        make_follower(kind).start(image, box)  # type: ignore[arg-type]


def test_start_box_is_clipped_to_the_image() -> None:
    image = np.zeros((H, W, 3), np.uint8)
    assert check_start_box(image, (-5, 10, 20, 30)) == (0.0, 10.0, 20.0, 30.0)


def test_misuse_raises() -> None:
    image = np.zeros((H, W, 3), np.uint8)
    follower = TemplateFollower()
    with pytest.raises(RuntimeError, match="before start"):
        follower.update(image)
    follower.start(image, (10, 10, 20, 20))
    with pytest.raises(ValueError, match="frames_elapsed"):
        follower.update(image, frames_elapsed=0)
    with pytest.raises(ValueError, match="uint8"):
        follower.update(image.astype(np.float32))
    with pytest.raises(ValueError, match="unknown follower"):
        make_follower("kcf")  # type: ignore[arg-type]


def test_update_is_cheap() -> None:
    """The live budget is well under 1-2 ms per update; fail only far above it."""
    scene = PanningScene(seed=5, target_wh=(30, 24))
    frames = [scene.frame(t) for t in range(30)]
    follower = TemplateFollower()
    follower.start(*frames[0])
    costs = []
    for image, _ in frames[1:]:
        t0 = time.perf_counter()
        follower.update(image)
        costs.append(time.perf_counter() - t0)
    assert float(np.median(costs)) < 0.005


@pytest.mark.skipif(not mil_available(), reason="this OpenCV build has no MIL tracker")
def test_mil_wrapper_follows_a_medium_target() -> None:
    scene = PanningScene(seed=6, target_wh=(24, 20), jitter_px=0.5)
    follower = make_follower("mil")
    assert isinstance(follower, MilFollower)
    assert isinstance(follower, Follower)
    image, box = scene.frame(0)
    follower.start(image, box)
    for t in range(1, 15):
        image, box = scene.frame(t)
        result = follower.update(image)
        assert not result.lost
        assert 0.0 <= result.confidence <= 1.0
    assert iou(result.xyxy, box) >= 0.3
