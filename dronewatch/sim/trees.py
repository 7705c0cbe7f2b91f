"""Trees: hedgerows along field edges, small woods, garden trees; crowns with leafy texture."""

from __future__ import annotations

import math

import cv2
import numpy as np

from dronewatch.sim.noise import fractal_noise
from dronewatch.sim.roads import mark_roads
from dronewatch.sim.world import Canvas, Road

Tree = tuple[np.ndarray, float]  # centre (metres), crown radius (metres)
Wood = tuple[np.ndarray, float]


def place_trees(
    rng: np.random.Generator,
    hedge_lines: list[np.ndarray],
    path_points: np.ndarray,
    building_feet: list[np.ndarray],
) -> tuple[list[Tree], list[Wood]]:
    trees: list[Tree] = []
    woods: list[Wood] = []
    for line in hedge_lines:
        seg = line[1] - line[0]
        length = float(np.linalg.norm(seg))
        for s in np.arange(rng.uniform(0, 6), length, rng.uniform(4, 9)):
            p = line[0] + seg * (s / length) + rng.normal(0, 0.8, 2)
            trees.append((p, float(rng.uniform(1.8, 3.8))))
    for _ in range(int(rng.integers(1, 3))):
        wc = path_points[int(rng.integers(len(path_points)))] + rng.uniform(-60, 60, 2)
        radius = float(rng.uniform(15, 30))
        for _ in range(int(radius * radius * 0.9)):
            r = radius * math.sqrt(rng.random())
            a = rng.uniform(0, 2 * math.pi)
            p = wc + r * np.array([math.cos(a), math.sin(a)])
            trees.append((p, float(rng.uniform(2.0, 4.2))))
        woods.append((wc, radius))
    for foot in building_feet:
        for _ in range(int(rng.integers(0, 3))):
            trees.append(
                (foot.mean(axis=0) + rng.uniform(-12, 12, 2), float(rng.uniform(1.5, 3.5)))
            )
    return trees, woods


def clear_of_roads_and_buildings(
    trees: list[Tree], canvas: Canvas, roads: list[Road]
) -> list[Tree]:
    """Drop trees whose crown would cover a road or a roof (vehicles must stay visible)."""
    clear = np.full(canvas.blocked.shape, 255, np.uint8)
    mark_roads(clear, canvas, roads, 2.0, 0)
    clear[canvas.blocked > 0] = 0
    room = cv2.distanceTransform(clear, cv2.DIST_L2, 3)
    bh, bw = room.shape
    kept = []
    for p, r in trees:
        ix, iy = int(p[0] - canvas.origin[0]), int(p[1] - canvas.origin[1])
        if 0 <= ix < bw and 0 <= iy < bh and room[iy, ix] > r * 0.9:
            kept.append((p, r))
    return kept


def block_trees(canvas: Canvas, trees: list[Tree], woods: list[Wood]) -> None:
    """Nobody walks through a wood or stands on a crown (targets are drawn above ground)."""
    for wc, radius in woods:
        centre = tuple(int(x) for x in np.round(wc - canvas.origin))
        cv2.circle(canvas.blocked, centre, int(radius), 1, -1)
    for p, r in trees:
        centre = tuple(int(x) for x in np.round(p - canvas.origin))
        cv2.circle(canvas.blocked, centre, math.ceil(r + 0.5), 1, -1)


def cast_tree_shadows(canvas: Canvas, trees: list[Tree]) -> None:
    if canvas.thermal:
        return
    ppm = canvas.ppm
    for p, r in trees:
        c = canvas.fp(p + canvas.shadow_dir * r * 1.6)
        axes = (int(r * ppm * 16), int(r * ppm * 16 * 0.85))
        cv2.ellipse(canvas.shade, tuple(c), axes, 0, 0, 360, 0.85, -1, cv2.LINE_AA, 4)


def draw_crowns(rng: np.random.Generator, canvas: Canvas, trees: list[Tree]) -> None:
    """Crowns in random order, lit on the sun side; fine noise inside them reads as leaves."""
    tex, ppm = canvas.tex, canvas.ppm
    order = rng.permutation(len(trees))
    crowns = np.zeros(tex.shape[:2], np.uint8)
    sun_unit = -canvas.shadow_dir / max(float(np.linalg.norm(canvas.shadow_dir)), 1e-6)
    for idx in order:
        p, r = trees[idx]
        c = tuple(canvas.fp(p))
        rr = int(r * ppm * 16)
        cv2.circle(crowns, c, rr, 255, -1, cv2.LINE_AA, 4)
        if canvas.thermal:
            val = float(rng.uniform(78, 98))
            cv2.circle(tex, c, rr, (val,) * 3, -1, cv2.LINE_AA, 4)
            continue
        g = rng.uniform(0.75, 1.2)
        hue = rng.uniform(-6, 6)
        cv2.circle(tex, c, rr, (26 * g + hue, 56 * g, 38 * g), -1, cv2.LINE_AA, 4)
        mid = tuple(canvas.fp(p + sun_unit * r * 0.12))
        cv2.circle(tex, mid, int(rr * 0.8), (34 * g + hue, 76 * g, 50 * g), -1, cv2.LINE_AA, 4)
        hi = tuple(canvas.fp(p + sun_unit * r * 0.35))
        cv2.circle(tex, hi, int(rr * 0.45), (44 * g + hue, 94 * g, 62 * g), -1, cv2.LINE_AA, 4)
    if trees:
        leaves = fractal_noise(rng, tex.shape[:2], 0.9 * ppm, octaves=2, persistence=0.7)
        k = (crowns.astype(np.float32) / 255.0) * (0.10 if canvas.thermal else 0.32)
        tex *= (1.0 + k * leaves)[..., None]
