"""The renderer: frame ``i`` of a scenario as a BGR image plus its ground-truth boxes."""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from dronewatch.sim.camera import CameraPath, CameraPose
from dronewatch.sim.draw import draw_targets
from dronewatch.sim.effects import Effects
from dronewatch.sim.groundtruth import GTBox, clip_box
from dronewatch.sim.scenario import Scenario
from dronewatch.sim.targets import Target, spawn_targets
from dronewatch.sim.terrain import build_world
from dronewatch.sim.world import World

_WORLD_MARGIN_M = 115.0
_CULL_MARGIN_PX = 80.0


@dataclass(frozen=True, slots=True)
class RenderedFrame:
    index: int
    image: np.ndarray
    boxes: list[GTBox]


class Renderer:
    """Builds the world, camera path and targets once; ``render(i)`` is then stateless."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        p = scenario.preset
        w, h = scenario.width, scenario.height
        self.camera = CameraPath(p, scenario.rng("camera"), w, h)
        times = np.linspace(0.0, scenario.seconds, max(2, math.ceil(scenario.seconds) + 2))
        path = np.array([self.camera.look_at(float(t)) for t in times])
        lo = path.min(axis=0) - _WORLD_MARGIN_M
        hi = path.max(axis=0) + _WORLD_MARGIN_M
        self.thermal = p.sensor == "thermal"
        self.shadow_strength = {"clear": 0.5, "fog": 0.3, "rain": 0.12, "overcast": 0.12}[p.weather]
        if self.thermal:
            self.shadow_strength = 0.0
        self.world: World = build_world(
            scenario.rng("world"),
            (float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1])),
            path,
            thermal=self.thermal,
            shadow_strength=self.shadow_strength,
        )
        self.targets: list[Target] = spawn_targets(scenario, self.world, self.camera)
        self.effects = Effects(p, scenario.rng("effects"), w, h)
        az, el = self.world.sun_azimuth, self.world.sun_elevation
        self.shadow_dir = -np.array([math.cos(az), math.sin(az)]) / math.tan(el)
        self._world_to_tex_inv = np.linalg.inv(self.world.texture_from_world())
        # (frames, targets, 2) for culling all targets with one projection per frame.
        if self.targets:
            self._xy = np.stack([t.track.xy for t in self.targets], axis=1)
        else:
            self._xy = np.zeros((scenario.frame_count, 0, 2))

    @property
    def frame_count(self) -> int:
        return self.scenario.frame_count

    def pose(self, index: int) -> CameraPose:
        return self.camera.pose(index / self.scenario.fps)

    def _check(self, index: int) -> None:
        if not 0 <= index < self.frame_count:
            raise IndexError(f"frame {index} outside 0..{self.frame_count - 1}")

    def background(self, index: int, pose: CameraPose | None = None) -> np.ndarray:
        """The ground alone (no targets, no effects)."""
        pose = pose or self.pose(index)
        m = pose.ground_homography() @ self._world_to_tex_inv
        s = self.scenario
        return cv2.warpPerspective(
            self.world.texture,
            m,
            (s.width, s.height),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REFLECT,
        )

    def _visible_targets(self, index: int, pose: CameraPose) -> list[Target]:
        xy = self._xy[index]
        finite = np.isfinite(xy[:, 0])
        if not np.any(finite):
            return []
        idx = np.flatnonzero(finite)
        pts = np.column_stack([xy[idx], np.zeros(len(idx))])
        cam = pose.to_camera(pts)
        uv = pose.project(pts)
        m = _CULL_MARGIN_PX
        s = self.scenario
        ok = (
            (cam[:, 2] > 1.0)
            & (uv[:, 0] > -m)
            & (uv[:, 0] < s.width + m)
            & (uv[:, 1] > -m)
            & (uv[:, 1] < s.height + m)
        )
        order = np.argsort(-cam[ok, 2])  # far first, so near targets overlap far ones
        return [self.targets[int(k)] for k in idx[ok][order]]

    @property
    def tracks(self) -> dict[int, np.ndarray]:
        """Target id -> ground positions per frame ((frames, 2) metres, NaN off the world)."""
        return {t.id: t.track.xy for t in self.targets}

    def _draw(self, canvas: np.ndarray, index: int, pose: CameraPose) -> list[GTBox]:
        """Draw the targets on ``canvas``; their boxes (conf 1, sorted by id)."""
        s = self.scenario
        drawn = draw_targets(
            canvas,
            self._visible_targets(index, pose),
            index,
            pose,
            thermal=self.thermal,
            shadow_dir=self.shadow_dir,
            shadow_strength=self.shadow_strength,
        )
        boxes: list[GTBox] = []
        for t, ext in drawn:
            box = clip_box(
                index + 1, t.id, t.cls, ext.x0, ext.y0, ext.x1, ext.y1, s.width, s.height
            )
            if box is not None:
                boxes.append(box)
        boxes.sort(key=lambda b: b.id)
        return boxes

    def boxes(self, index: int) -> list[GTBox]:
        """Frame ``index``'s boxes alone (drawn on a blank canvas: extents are geometry,
        so they equal :meth:`render`'s), all conf 1 until
        :func:`~dronewatch.sim.groundtruth.with_motion_conf` marks them."""
        self._check(index)
        s = self.scenario
        blank = np.zeros((s.height, s.width, 3), np.uint8)
        return self._draw(blank, index, self.pose(index))

    def render(self, index: int, *, targets: bool = True, effects: bool = True) -> RenderedFrame:
        """Frame ``index``. With ``targets=False`` the boxes are still computed (drawn on
        a scratch copy), which lets tests compare against the clean background. Boxes
        are all conf 1: whether a target has moved yet depends on earlier frames (see
        :func:`~dronewatch.sim.groundtruth.with_motion_conf`)."""
        self._check(index)
        pose = self.pose(index)
        img = self.background(index, pose)
        canvas = img if targets else img.copy()
        boxes = self._draw(canvas, index, pose)
        if effects:
            img = self.effects.apply(img, index, pose)
        return RenderedFrame(index, img, boxes)
