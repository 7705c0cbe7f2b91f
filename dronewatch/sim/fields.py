"""Farmland: a rotated grid of parcels, each a crop with its own rows, colour and grain."""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from dronewatch.sim.noise import fractal_noise
from dronewatch.sim.world import Canvas

# (BGR daylight, thermal grey at night, crop-row stripe amplitude)
CROPS: tuple[tuple[tuple[int, int, int], int, float], ...] = (
    ((88, 160, 192), 72, 0.07),  # ripe wheat
    ((70, 150, 170), 70, 0.05),  # stubble / dry grass
    ((58, 128, 96), 62, 0.03),  # pasture
    ((48, 112, 78), 60, 0.10),  # green crop in rows
    ((40, 92, 62), 64, 0.12),  # maize / potatoes
    ((62, 88, 118), 92, 0.16),  # ploughed soil
    ((72, 104, 128), 86, 0.10),  # harrowed soil
    ((76, 140, 132), 68, 0.04),  # fallow
)


@dataclass(frozen=True, slots=True, eq=False)
class FieldLayout:
    """The parcel grid: axes ``ga`` (across strips) and ``gb`` (along strips)."""

    parcels: list[np.ndarray]  # (4, 2) corners in metres
    strip_edges: list[float]  # offsets along ``ga`` where strips start (farm tracks go here)
    centre: np.ndarray
    ga: np.ndarray
    gb: np.ndarray
    reach: float


def paint_fields(
    rng: np.random.Generator,
    shape_px: tuple[int, int],
    origin: tuple[float, float],
    ppm: float,
    span_m: float,
    centre: np.ndarray,
    *,
    thermal: bool,
) -> tuple[np.ndarray, FieldLayout]:
    """The float32 base texture (H, W, 3) and the parcel layout."""
    h_px, w_px = shape_px
    grid_angle = float(rng.uniform(0, math.pi))
    ga = np.array([math.cos(grid_angle), math.sin(grid_angle)])
    gb = np.array([-ga[1], ga[0]])
    reach = span_m * 0.75
    labels = np.zeros((h_px, w_px), np.int32)
    parcels: list[np.ndarray] = []
    strip_edges: list[float] = []
    a = -reach
    while a < reach:
        width = float(rng.uniform(28, 75))
        b = -reach
        while b < reach:
            length = float(rng.uniform(35, 140))
            corners = np.array(
                [
                    centre + a * ga + b * gb,
                    centre + (a + width) * ga + b * gb,
                    centre + (a + width) * ga + (b + length) * gb,
                    centre + a * ga + (b + length) * gb,
                ]
            )
            parcels.append(corners)
            fixed = np.round((corners - origin) * ppm * 16).astype(np.int32)
            cv2.fillConvexPoly(labels, fixed, len(parcels) - 1, cv2.LINE_8, 4)
            b += length
        strip_edges.append(a)
        a += width
    n_parcels = len(parcels)
    crop_idx = rng.integers(0, len(CROPS), n_parcels)
    stripe_amp = np.array([CROPS[c][2] for c in crop_idx], np.float32) * rng.uniform(
        0.3, 0.9, n_parcels
    ).astype(np.float32)
    stripe_period = rng.uniform(0.8, 2.6, n_parcels).astype(np.float32) * ppm
    stripe_along = rng.random(n_parcels) < 0.5

    # Crop rows: a sine across each parcel, along or across the grid.
    u = np.arange(w_px, dtype=np.float32)[None, :]
    v = np.arange(h_px, dtype=np.float32)[:, None]
    pa = u * np.float32(ga[0]) + v * np.float32(ga[1])
    pb = u * np.float32(gb[0]) + v * np.float32(gb[1])
    coord = np.where(stripe_along[labels], pa, pb)
    stripes = np.sin(coord * (2 * np.pi) / stripe_period[labels])
    del coord, pa, pb
    shade = 1.0 + stripe_amp[labels] * stripes
    del stripes
    patch = fractal_noise(rng, (h_px, w_px), 35 * ppm, octaves=3)
    grain = fractal_noise(rng, (h_px, w_px), 2.0 * ppm, octaves=3, persistence=0.6)
    speckle = rng.uniform(-1.0, 1.0, (h_px, w_px)).astype(np.float32)
    shade += 0.11 * patch + 0.09 * grain + 0.05 * speckle
    del speckle, patch, grain

    if thermal:
        base = np.array([CROPS[c][1] for c in crop_idx], np.float32)
        base += rng.normal(0, 5, n_parcels).astype(np.float32)
        moist = fractal_noise(rng, (h_px, w_px), 12 * ppm, octaves=3, persistence=0.6)
        tex = (base[labels] * (shade + 0.1 * moist))[..., None].repeat(3, axis=2)
    else:
        base = np.array([CROPS[c][0] for c in crop_idx], np.float32)
        base *= rng.uniform(0.88, 1.12, (n_parcels, 1)).astype(np.float32)
        base += rng.normal(0, 6, (n_parcels, 3)).astype(np.float32)
        # Real fields seen through haze are less saturated than paint.
        base = 0.78 * base + 0.22 * base.mean(axis=1, keepdims=True)
        tint = fractal_noise(rng, (h_px, w_px), 60 * ppm, octaves=2)[..., None]
        tex = base[labels] * shade[..., None]
        tex += tint * np.array([4, 10, -6], np.float32)
    layout = FieldLayout(parcels, strip_edges, centre, ga, gb, reach)
    return tex, layout


def draw_field_margins(
    rng: np.random.Generator, canvas: Canvas, layout: FieldLayout
) -> list[np.ndarray]:
    """Dirt edges along some parcel sides; returns the sides that get hedgerow trees."""
    hedge_lines: list[np.ndarray] = []
    colour = canvas.paint((70, 118, 128), 78)
    thickness = max(1, int(0.9 * canvas.ppm))
    for corners in layout.parcels:
        for k in range(4):
            seg = np.array([corners[k], corners[(k + 1) % 4]])
            if rng.random() < 0.25:
                cv2.polylines(
                    canvas.tex, [canvas.fp(seg)], False, colour, thickness, cv2.LINE_AA, 4
                )
            elif rng.random() < 0.12:
                hedge_lines.append(seg)
    return hedge_lines
