"""Roads: a main road and a minor road through the camera's path, plus farm tracks."""

from __future__ import annotations

import math

import cv2
import numpy as np

from dronewatch.sim.fields import FieldLayout
from dronewatch.sim.noise import Wiggle
from dronewatch.sim.world import Canvas, Road


def _road_curve(
    rng: np.random.Generator, through: np.ndarray, angle: float, length_m: float
) -> np.ndarray:
    s = np.arange(-length_m, length_m + 1e-9, 4.0)
    bend = Wiggle(rng, 12.0, (1 / 260.0, 1 / 140.0))
    lateral = np.asarray(bend(s)) - float(bend(0.0))
    d = np.array([math.cos(angle), math.sin(angle)])
    n = np.array([-d[1], d[0]])
    return through + s[:, None] * d + lateral[:, None] * n


def lay_out_roads(
    rng: np.random.Generator, path_points: np.ndarray, span_m: float, layout: FieldLayout
) -> list[Road]:
    """Roads pass through points the camera looks at, so every clip shows traffic."""
    n_path = len(path_points)
    anchors = [path_points[int(n_path * f)] for f in (0.25, 0.7)]
    main_angle = float(rng.uniform(0, math.pi))
    roads = [Road(_road_curve(rng, anchors[0], main_angle, span_m), 7.0, "main")]
    off = rng.uniform(-20, 20, 2)
    cross_angle = main_angle + float(rng.uniform(0.9, 2.2))
    roads.append(Road(_road_curve(rng, anchors[1] + off, cross_angle, span_m), 5.5, "minor"))
    edges = layout.strip_edges
    for edge in rng.choice(edges, size=min(2, len(edges)), replace=False):
        along = np.arange(-layout.reach, layout.reach, 4.0)
        line = np.array([layout.centre + edge * layout.ga + s * layout.gb for s in along])
        roads.append(Road(line, 3.2, "track"))
    return roads


def mark_roads(
    mask: np.ndarray, canvas: Canvas, roads: list[Road], extra_m: float, value: int
) -> None:
    """Draw the roads, ``extra_m`` wider, into a 1 px per metre mask."""
    for road in roads:
        pts = canvas.metre_px(road.points)
        cv2.polylines(mask, [pts], False, value, int(road.width_m + extra_m), cv2.LINE_8, 4)


def draw_roads(canvas: Canvas, roads: list[Road]) -> None:
    tex, ppm = canvas.tex, canvas.ppm
    for road in roads:
        pts = canvas.fp(road.points)
        width_px = road.width_m * ppm
        if road.kind == "track":
            dirt = canvas.paint((96, 128, 150), 84)
            cv2.polylines(tex, [pts], False, dirt, int(width_px), cv2.LINE_AA, 4)
            d = np.gradient(road.points, axis=0)
            n = np.column_stack([-d[:, 1], d[:, 0]]) / np.linalg.norm(d, axis=1)[:, None]
            rut_colour = canvas.paint((82, 110, 130), 88)
            for side in (-0.8, 0.8):
                rut = canvas.fp(road.points + side * n)
                cv2.polylines(
                    tex, [rut], False, rut_colour, max(1, int(0.35 * ppm)), cv2.LINE_AA, 4
                )
            continue
        verge = canvas.paint((118, 140, 150), 90)
        cv2.polylines(tex, [pts], False, verge, int(width_px + 1.6 * ppm), cv2.LINE_AA, 4)
        if road.kind == "main":
            asphalt = canvas.paint((92, 95, 98), 108)
        else:
            asphalt = canvas.paint((112, 114, 116), 100)
        cv2.polylines(tex, [pts], False, asphalt, int(width_px), cv2.LINE_AA, 4)
        if road.kind == "main" and not canvas.thermal:
            dash = canvas.fp(road.points[::2])
            for k in range(0, len(dash) - 1, 2):
                cv2.line(
                    tex,
                    tuple(dash[k]),
                    tuple(dash[k + 1]),
                    (215, 218, 220),
                    max(1, int(0.15 * ppm)),
                    cv2.LINE_AA,
                    4,
                )
