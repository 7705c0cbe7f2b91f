"""The ground: one large texture (fields, roads, buildings, trees) rendered once per scenario.

Each frame only warps this texture into the camera view, which is what makes the
simulator fast. Daylight textures are colour with baked building and tree shadows;
thermal textures are grey (white-hot night: vegetation cool, asphalt and roofs warmer).
The painters run in a fixed order from one generator, so a seed always gives one world.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from dronewatch.sim.fields import draw_field_margins, paint_fields
from dronewatch.sim.noise import fractal_noise
from dronewatch.sim.roads import draw_roads, lay_out_roads
from dronewatch.sim.trees import (
    block_trees,
    cast_tree_shadows,
    clear_of_roads_and_buildings,
    draw_crowns,
    place_trees,
)
from dronewatch.sim.village import build_village, draw_roofs
from dronewatch.sim.world import Canvas, Road, World

__all__ = ["Road", "World", "build_world"]


def build_world(
    rng: np.random.Generator,
    bounds: tuple[float, float, float, float],
    path_points: np.ndarray,
    *,
    thermal: bool,
    shadow_strength: float,
    ppm: float = 6.0,
) -> World:
    """Render the ground covering ``bounds`` = (x0, y0, x1, y1) metres.

    ``path_points`` are ground points the camera looks at; roads and a village are laid
    out through them so the footage always shows something to track.
    """
    x0, y0, x1, y1 = bounds
    origin = (x0, y0)
    w_px, h_px = math.ceil((x1 - x0) * ppm), math.ceil((y1 - y0) * ppm)
    span = max(x1 - x0, y1 - y0)
    sun_az = float(rng.uniform(0, 2 * math.pi))
    sun_el = float(rng.uniform(math.radians(35), math.radians(55)))
    shadow_dir = -np.array([math.cos(sun_az), math.sin(sun_az)]) / math.tan(sun_el)
    centre = np.array([(x0 + x1) / 2, (y0 + y1) / 2])

    tex, layout = paint_fields(rng, (h_px, w_px), origin, ppm, span, centre, thermal=thermal)
    canvas = Canvas(
        tex=tex,
        origin=origin,
        ppm=ppm,
        thermal=thermal,
        shadow_dir=shadow_dir,
        shadow_strength=shadow_strength,
        shade=np.zeros((h_px, w_px), np.float32),
        blocked=np.zeros((math.ceil(y1 - y0), math.ceil(x1 - x0)), np.uint8),
    )
    hedge_lines = draw_field_margins(rng, canvas, layout)
    roads = lay_out_roads(rng, path_points, span, layout)
    draw_roads(canvas, roads)
    buildings = build_village(rng, canvas, roads)
    trees, woods = place_trees(rng, hedge_lines, path_points, [b.foot for b in buildings])
    trees = clear_of_roads_and_buildings(trees, canvas, roads)
    block_trees(canvas, trees, woods)
    cast_tree_shadows(canvas, trees)
    canvas.apply_shadows()
    draw_roofs(canvas, buildings)
    draw_crowns(rng, canvas, trees)

    fine = fractal_noise(rng, (h_px, w_px), 1.5 * ppm, octaves=2)
    out = canvas.tex + (fine * (5.0 if thermal else 7.0))[..., None]
    out = cv2.GaussianBlur(out, (0, 0), 0.5)
    return World(
        texture=np.clip(out, 0, 255).astype(np.uint8),
        ppm=ppm,
        origin=origin,
        roads=roads,
        buildings=[b.foot for b in buildings],
        blocked=canvas.blocked.astype(bool),
        sun_azimuth=sun_az,
        sun_elevation=sun_el,
        meta={
            "size_m": [round(x1 - x0, 2), round(y1 - y0, 2)],
            "parcels": len(layout.parcels),
            "buildings": len(buildings),
            "trees": len(trees),
            "roads": [r.kind for r in roads],
        },
    )
