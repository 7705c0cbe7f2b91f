"""Drawing targets into a rendered ground image, and the exact boxes of what was drawn.

Vehicles are stacks of boxes (body, glass cabin, roof) projected through the camera;
people are short thick strokes (legs, torso) with a head, seen obliquely from above.
In daylight each casts a soft shadow away from the sun; in thermal they are warm.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import cv2
import numpy as np

from dronewatch.sim.camera import CameraPose
from dronewatch.sim.scenario import VEHICLE
from dronewatch.sim.targets import Target

_SHIFT = 4
_ONE = 1 << _SHIFT
_GLASS_DAY = (42, 38, 34)
_GLASS_THERMAL = 95.0


@dataclass(frozen=True, slots=True)
class Extent:
    """Unclipped pixel bounds of a drawn target."""

    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True, slots=True)
class _Box:
    x0: float
    x1: float
    y0: float
    y1: float
    z0: float
    z1: float
    side: tuple[float, ...]
    top: tuple[float, ...]


def _fp(pts: np.ndarray) -> np.ndarray:
    """Pixels -> fixed-point int32 (``_SHIFT`` fractional bits) for sub-pixel drawing."""
    return np.floor(pts * _ONE + 0.5).astype(np.int32)


def _vehicle_boxes(t: Target, thermal: bool, moving: bool) -> list[_Box]:
    L, W, H = t.length_m, t.width_m, t.height_m
    body, second = t.colours[0], t.colours[1]
    if thermal:
        hot = min(255.0, t.heat + (40.0 if moving else 10.0))
        body = second = (t.heat,) * 3
        glass: tuple[float, ...] = (_GLASS_THERMAL,) * 3
        engine = (hot,) * 3
    else:
        glass = _GLASS_DAY
        engine = body

    def dim(c: tuple[float, ...], k: float) -> tuple[float, ...]:
        return tuple(x * k for x in c)

    if t.kind == "truck":
        return [
            _Box(-L / 2, 0.27 * L, -W / 2, W / 2, 0.4, H, dim(second, 0.72), second),
            _Box(0.3 * L, L / 2, -W / 2, W / 2, 0.4, 0.55 * H, dim(body, 0.7), engine),
            _Box(0.3 * L, 0.44 * L, -W / 2, W / 2, 0.55 * H, 0.85 * H, glass, body),
        ]
    if t.kind == "tractor":
        tyre = (60.0,) * 3 if not thermal else (t.heat * 0.8,) * 3
        return [
            _Box(-0.48 * L, -0.1 * L, -W / 2, -W / 2 + 0.5, 0.0, 1.5, tyre, tyre),
            _Box(-0.48 * L, -0.1 * L, W / 2 - 0.5, W / 2, 0.0, 1.5, tyre, tyre),
            _Box(-0.1 * L, L / 2, -0.3 * W, 0.3 * W, 0.3, 1.3, dim(body, 0.7), engine),
            _Box(-0.42 * L, -0.05 * L, -0.4 * W, 0.4 * W, 1.1, H, glass, dim(body, 0.9)),
        ]
    low = 0.55 * H if t.kind == "car" else 0.45 * H
    cab = (-0.32 * L, 0.12 * L) if t.kind == "car" else (-0.5 * L, 0.28 * L)
    roof = (-0.27 * L, 0.02 * L) if t.kind == "car" else (-0.5 * L, 0.18 * L)
    boxes = [
        _Box(-L / 2, L / 2, -W / 2, W / 2, 0.25, low, dim(body, 0.72), body),
        _Box(cab[0], cab[1], -0.44 * W, 0.44 * W, low, H - 0.02, glass, glass),
        _Box(roof[0], roof[1], -0.4 * W, 0.4 * W, H - 0.02, H, body, body),
    ]
    if thermal:
        boxes.insert(
            1, _Box(0.2 * L, L / 2 - 0.1, -0.4 * W, 0.4 * W, low, low + 0.01, engine, engine)
        )
    return boxes


def _box_corners(b: _Box) -> np.ndarray:
    xs, ys, zs = (b.x0, b.x1), (b.y0, b.y1), (b.z0, b.z1)
    return np.array([[x, y, z] for z in zs for x in xs for y in ys])


def _to_world(local: np.ndarray, xy: np.ndarray, heading: float) -> np.ndarray:
    c, s = math.cos(heading), math.sin(heading)
    out = np.empty_like(local)
    out[:, 0] = xy[0] + c * local[:, 0] - s * local[:, 1]
    out[:, 1] = xy[1] + s * local[:, 0] + c * local[:, 1]
    out[:, 2] = local[:, 2]
    return out


def _darken(img: np.ndarray, polys: list[np.ndarray], lines: list[tuple], strength: float) -> None:
    """Multiply the image by (1 - strength) inside the shadow shapes, anti-aliased."""
    pts = np.vstack(
        [p.reshape(-1, 2) for p in polys] + [np.array(ln[:2]).reshape(-1, 2) for ln in lines]
    )
    h, w = img.shape[:2]
    pad = 3 * _ONE + max((ln[2] for ln in lines), default=0) * _ONE
    x0 = max(0, int((pts[:, 0].min() - pad) // _ONE))
    y0 = max(0, int((pts[:, 1].min() - pad) // _ONE))
    x1 = min(w, int((pts[:, 0].max() + pad) // _ONE) + 1)
    y1 = min(h, int((pts[:, 1].max() + pad) // _ONE) + 1)
    if x1 <= x0 or y1 <= y0:
        return
    mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
    off = np.array([x0 * _ONE, y0 * _ONE], np.int32)
    for p in polys:
        cv2.fillConvexPoly(mask, p.reshape(-1, 2) - off, 255, cv2.LINE_AA, _SHIFT)
    for a, b, th in lines:
        cv2.line(mask, tuple(a - off), tuple(b - off), 255, th, cv2.LINE_AA, _SHIFT)
    roi = img[y0:y1, x0:x1]
    k = 1.0 - strength * (mask.astype(np.float32) / 255.0)
    roi[:] = (roi * k[..., None]).astype(np.uint8)


def draw_target(
    img: np.ndarray,
    target: Target,
    frame: int,
    pose: CameraPose,
    *,
    thermal: bool,
    shadow_dir: np.ndarray,
    shadow_strength: float,
) -> Extent | None:
    """Draw ``target`` as it is at ``frame``; return its pixel extent (None if absent)."""
    xy = target.track.xy[frame]
    if not np.isfinite(xy[0]):
        return None
    heading = float(target.track.heading[frame])
    if target.cls == VEHICLE:
        prev = target.track.xy[max(frame - 1, 0)]
        moving = bool(np.isfinite(prev[0]) and np.hypot(*(xy - prev)) > 1e-3)
        return _draw_vehicle(
            img, target, xy, heading, moving, pose, thermal, shadow_dir, shadow_strength
        )
    return draw_targets(
        img,
        [target],
        frame,
        pose,
        thermal=thermal,
        shadow_dir=shadow_dir,
        shadow_strength=shadow_strength,
    )[0][1]


@functools.lru_cache(maxsize=4096)
def _vehicle_model(t: Target, thermal: bool, moving: bool) -> tuple[list[_Box], np.ndarray]:
    """Boxes and their stacked local corners; cached per target (identity-hashed)."""
    boxes = _vehicle_boxes(t, thermal, moving)
    return boxes, np.vstack([_box_corners(b) for b in boxes])


def _draw_vehicle(
    img: np.ndarray,
    t: Target,
    xy: np.ndarray,
    heading: float,
    moving: bool,
    pose: CameraPose,
    thermal: bool,
    shadow_dir: np.ndarray,
    shadow_strength: float,
) -> Extent:
    boxes, local = _vehicle_model(t, thermal, moving)
    world = _to_world(local, xy, heading)
    uv = pose.project(world)
    if not thermal and shadow_strength > 0:
        ground = world[:, :2] + world[:, 2:3] * shadow_dir
        suv = pose.project(np.column_stack([ground, np.zeros(len(ground))]))
        _darken(img, [cv2.convexHull(_fp(suv))], [], shadow_strength)
    for k, b in enumerate(boxes):
        corners = uv[8 * k : 8 * k + 8]
        cv2.fillConvexPoly(img, cv2.convexHull(_fp(corners)), b.side, cv2.LINE_AA, _SHIFT)
        cv2.fillConvexPoly(img, cv2.convexHull(_fp(corners[4:])), b.top, cv2.LINE_AA, _SHIFT)
    return Extent(
        float(uv[:, 0].min()), float(uv[:, 1].min()), float(uv[:, 0].max()), float(uv[:, 1].max())
    )


_PERSON_Z = np.array([0.0, 0.48, 0.8, 0.93, 0.0])  # feet, hip, shoulder, head, (shadow tip)


def draw_targets(
    img: np.ndarray,
    targets: list[Target],
    frame: int,
    pose: CameraPose,
    *,
    thermal: bool,
    shadow_dir: np.ndarray,
    shadow_strength: float,
) -> list[tuple[Target, Extent]]:
    """Draw ``targets`` in the given order (far first); people are projected in one batch
    because per-person NumPy calls dominate busy scenes."""
    people = [t for t in targets if t.cls != VEHICLE]
    slot: dict[int, int] = {}
    if people:
        n = len(people)
        xy = np.array([t.track.xy[frame] for t in people])
        h = np.array([t.height_m for t in people])
        pts = np.empty((n, 5, 3))
        pts[:, :, 0] = xy[:, :1]
        pts[:, :, 1] = xy[:, 1:]
        pts[:, :, 2] = h[:, None] * _PERSON_Z
        pts[:, 4, 0] += h * shadow_dir[0]
        pts[:, 4, 1] += h * shadow_dir[1]
        uv, depth = pose.project_with_depth(pts.reshape(-1, 3))
        uv = uv.reshape(n, 5, 2)
        fp = _fp(uv)
        scale = pose.focal / depth.reshape(n, 5)[:, 0]
        slot = {id(t): k for k, t in enumerate(people)}
    out: list[tuple[Target, Extent]] = []
    for t in targets:
        if t.cls == VEHICLE:
            ext = draw_target(
                img,
                t,
                frame,
                pose,
                thermal=thermal,
                shadow_dir=shadow_dir,
                shadow_strength=shadow_strength,
            )
        elif not np.isfinite(t.track.xy[frame, 0]):
            ext = None
        else:
            k = slot[id(t)]
            ext = _draw_person(img, t, uv[k], fp[k], float(scale[k]), thermal, shadow_strength)
        if ext is not None:
            out.append((t, ext))
    return out


def _draw_person(
    img: np.ndarray,
    t: Target,
    uv: np.ndarray,
    fp: np.ndarray,
    scale: float,
    thermal: bool,
    shadow_strength: float,
) -> Extent:
    """``uv``/``fp``: pixel and fixed-point positions of feet, hip, shoulder, head and
    shadow tip; ``scale``: pixels per metre at the feet."""
    feet, hip, shoulder, head = uv[0], uv[1], uv[2], uv[3]
    leg_th = max(1, round(0.3 * scale))
    torso_th = max(1, round(0.45 * scale))
    head_r = max(1.0, 0.12 * scale)
    if not thermal and shadow_strength > 0:
        # A person's shadow is a thin stroke: draw it in the darkened colour of the
        # ground under it rather than blending a mask (much cheaper, looks the same).
        mx, my = int((feet[0] + uv[4, 0]) / 2), int((feet[1] + uv[4, 1]) / 2)
        if 0 <= mx < img.shape[1] and 0 <= my < img.shape[0]:
            under = img[my, mx].astype(np.float32) * (1.0 - shadow_strength)
            th = max(1, round(0.35 * scale))
            cv2.line(
                img,
                tuple(fp[0]),
                tuple(fp[4]),
                tuple(float(c) for c in under),
                th,
                cv2.LINE_AA,
                _SHIFT,
            )
    if thermal:
        body = (t.heat,) * 3
        legs = (t.heat * 0.92,) * 3
        head_c = (min(255.0, t.heat + 18),) * 3
    else:
        body, legs, head_c = t.colours[0], t.colours[1], t.colours[2]
    cv2.line(img, tuple(fp[0]), tuple(fp[1]), legs, leg_th, cv2.LINE_AA, _SHIFT)
    cv2.line(img, tuple(fp[1]), tuple(fp[2]), body, torso_th, cv2.LINE_AA, _SHIFT)
    cv2.circle(img, tuple(fp[3]), round(head_r * _ONE), head_c, -1, cv2.LINE_AA, _SHIFT)
    half = max(leg_th, torso_th) / 2.0 + 0.5
    xs = (feet[0], hip[0], shoulder[0])
    ys = (feet[1], hip[1], shoulder[1])
    return Extent(
        float(min(min(xs) - half, head[0] - head_r)),
        float(min(min(ys) - half, head[1] - head_r)),
        float(max(max(xs) + half, head[0] + head_r)),
        float(max(max(ys) + half, head[1] + head_r)),
    )
