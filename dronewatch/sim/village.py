"""Buildings: small clusters beside the roads, with aprons, cast shadows and gable roofs."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from dronewatch.sim.roads import mark_roads
from dronewatch.sim.world import Canvas, Road

_APRONS: tuple[tuple[int, int, int], ...] = (
    (118, 132, 138),  # gravel
    (104, 112, 116),  # concrete
    (64, 116, 88),  # lawn
    (90, 120, 130),  # packed earth
)
_ROOFS_DAY: tuple[tuple[int, int, int], ...] = (
    (58, 78, 150),
    (52, 70, 128),
    (72, 72, 78),
    (140, 142, 146),
    (60, 72, 96),
    (110, 118, 124),
    (70, 100, 78),
)


@dataclass(frozen=True, slots=True, eq=False)
class Building:
    foot: np.ndarray  # (4, 2) corners in metres; the ridge runs from side 0-3 to side 1-2
    sunward: float  # > 0 when the first roof half faces the sun
    roof_a: tuple[float, ...]
    roof_b: tuple[float, ...]


def build_village(rng: np.random.Generator, canvas: Canvas, roads: list[Road]) -> list[Building]:
    """Place 2-3 clusters along the first two roads. Draws aprons into the texture,
    shadows into ``canvas.shade`` and footprints into ``canvas.blocked``; roofs are
    drawn later by :func:`draw_roofs`, after the shadows are applied."""
    blocked = canvas.blocked
    road_mask = np.zeros_like(blocked)  # buildings keep a few metres off the roads
    mark_roads(road_mask, canvas, roads, 6.0, 1)
    origin = np.asarray(canvas.origin)
    bh, bw = blocked.shape

    def taken(xy: np.ndarray) -> bool:
        rel = np.floor(xy - origin).astype(np.int64)
        cx = np.clip(rel[:, 0], 0, bw - 1)
        cy = np.clip(rel[:, 1], 0, bh - 1)
        return bool(np.any((blocked[cy, cx] > 0) | (road_mask[cy, cx] > 0)))

    buildings: list[Building] = []
    for k in range(int(rng.integers(2, 4))):
        road = roads[k % 2]
        j = int(rng.integers(len(road.points) // 2 - 12, len(road.points) // 2 + 12))
        d = road.points[min(j + 1, len(road.points) - 1)] - road.points[j]
        d /= np.linalg.norm(d)
        n = np.array([-d[1], d[0]]) * rng.choice([-1.0, 1.0])
        c0 = road.points[j] + n * (road.width_m / 2 + rng.uniform(10, 16))
        for gx in range(-2, 3):
            for gy in range(0, 3):
                if rng.random() < 0.3:
                    continue
                b = _try_building(rng, canvas, c0, d, n, gx, gy, taken)
                if b is not None:
                    buildings.append(b)
    return buildings


def _try_building(
    rng: np.random.Generator,
    canvas: Canvas,
    c0: np.ndarray,
    d: np.ndarray,
    n: np.ndarray,
    gx: int,
    gy: int,
    taken: Callable[[np.ndarray], bool],
) -> Building | None:
    big = rng.random() < 0.2
    length = rng.uniform(18, 30) if big else rng.uniform(8, 15)
    width = rng.uniform(10, 15) if big else rng.uniform(6, 10)
    ang = rng.normal(0, 0.06)
    ca, sa = math.cos(ang), math.sin(ang)
    dd = ca * d + sa * n
    nn = -sa * d + ca * n
    if rng.random() < 0.5:
        dd, nn = nn, dd
    c = c0 + (gx * 11 + rng.uniform(-2, 2)) * d + (gy * 13 + 4 + rng.uniform(-2, 2)) * n
    hl, hw = length / 2, width / 2
    foot = np.array([c - hl * dd - hw * nn, c + hl * dd - hw * nn, c + hl * dd + hw * nn,
                     c - hl * dd + hw * nn])  # fmt: skip
    probe = np.vstack([foot, c[None], (foot + np.roll(foot, 1, axis=0)) / 2])
    if taken(c + (probe - c) * 1.25):
        return None
    height = rng.uniform(5, 9) if big else rng.uniform(4, 7)
    apron = c + (foot - c) * (1.0 + 5.0 / min(length, width))
    ground = _APRONS[int(rng.integers(len(_APRONS)))]
    cv2.fillConvexPoly(canvas.tex, canvas.fp(apron), canvas.paint(ground, 88), cv2.LINE_AA, 4)
    moved = foot + canvas.shadow_dir * height
    hull = cv2.convexHull(canvas.fp(np.vstack([foot, moved])))
    cv2.fillConvexPoly(canvas.shade, hull, 1.0, cv2.LINE_AA, 4)
    cv2.fillConvexPoly(canvas.blocked, np.round(foot - canvas.origin).astype(np.int32), 1)
    roof_day = tuple(float(x) for x in _ROOFS_DAY[int(rng.integers(len(_ROOFS_DAY)))])
    roof_th = float(rng.uniform(60, 150))
    return Building(
        foot,
        float(np.dot(nn, -canvas.shadow_dir)),
        canvas.paint(roof_day, roof_th),
        canvas.paint(roof_day, roof_th * 0.96),
    )


def draw_roofs(canvas: Canvas, buildings: list[Building]) -> None:
    """Gable roofs: two halves either side of the ridge, the sunward one brighter."""
    for b in buildings:
        foot = b.foot
        mid_a = (foot[0] + foot[3]) / 2
        mid_b = (foot[1] + foot[2]) / 2
        half1 = np.array([foot[0], foot[1], mid_b, mid_a])
        half2 = np.array([mid_a, mid_b, foot[2], foot[3]])
        k1 = 1.0 + 0.18 * canvas.shadow_strength * (1 if b.sunward > 0 else -1)
        k2 = 2.0 - k1
        tex = canvas.tex
        cv2.fillConvexPoly(tex, canvas.fp(half1), tuple(x * k1 for x in b.roof_a), cv2.LINE_AA, 4)
        cv2.fillConvexPoly(tex, canvas.fp(half2), tuple(x * k2 for x in b.roof_b), cv2.LINE_AA, 4)
        ridge = canvas.fp(np.array([mid_a, mid_b]))
        cv2.line(
            tex,
            tuple(ridge[0]),
            tuple(ridge[1]),
            tuple(x * 0.7 for x in b.roof_a),
            max(1, int(0.2 * canvas.ppm)),
            cv2.LINE_AA,
            4,
        )
