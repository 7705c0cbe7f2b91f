"""The ground: one large texture (fields, roads, buildings, trees) rendered once per scenario.

Each frame only warps this texture into the camera view, which is what makes the
simulator fast. Daylight textures are colour with baked building and tree shadows;
thermal textures are grey (white-hot night: vegetation cool, asphalt and roofs warmer).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np

from dronewatch.sim.noise import Wiggle, fractal_noise

# Crop palettes: (BGR daylight, thermal grey at night, stripe amplitude)
_CROPS: tuple[tuple[tuple[int, int, int], int, float], ...] = (
    ((88, 160, 192), 72, 0.07),  # ripe wheat
    ((70, 150, 170), 70, 0.05),  # stubble / dry grass
    ((58, 128, 96), 62, 0.03),  # pasture
    ((48, 112, 78), 60, 0.10),  # green crop in rows
    ((40, 92, 62), 64, 0.12),  # maize / potatoes
    ((62, 88, 118), 92, 0.16),  # ploughed soil
    ((72, 104, 128), 86, 0.10),  # harrowed soil
    ((76, 140, 132), 68, 0.04),  # fallow
)
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


@dataclass(frozen=True, slots=True)
class Road:
    """A drivable centreline in world metres."""

    points: np.ndarray  # (M, 2)
    width_m: float
    kind: str  # "main", "minor" or "track"

    @property
    def speed_mps(self) -> float:
        return {"main": 13.0, "minor": 9.0, "track": 5.0}[self.kind]


@dataclass(eq=False)
class World:
    """A textured rectangle of ground; texture pixel (0,0) is at world ``origin``."""

    texture: np.ndarray  # (H, W, 3) uint8
    ppm: float  # texture pixels per metre
    origin: tuple[float, float]
    roads: list[Road]
    buildings: list[np.ndarray]  # (4, 2) footprints in metres
    blocked: np.ndarray  # (H', W') bool at 1 px per metre: buildings and woods
    sun_azimuth: float
    sun_elevation: float
    meta: dict[str, object] = field(default_factory=dict)

    @property
    def size_m(self) -> tuple[float, float]:
        h, w = self.texture.shape[:2]
        return w / self.ppm, h / self.ppm

    def texture_from_world(self) -> np.ndarray:
        """3x3 map from world (X, Y, 1) to texture pixels."""
        ox, oy = self.origin
        s = self.ppm
        return np.array([[s, 0, -ox * s], [0, s, -oy * s], [0, 0, 1.0]])

    def to_tex(self, xy: np.ndarray) -> np.ndarray:
        return (np.asarray(xy, np.float64) - self.origin) * self.ppm

    def contains(self, xy: np.ndarray, margin_m: float = 0.0) -> np.ndarray:
        w, h = self.size_m
        rel = np.asarray(xy, np.float64) - self.origin
        return (
            (rel[..., 0] >= margin_m)
            & (rel[..., 1] >= margin_m)
            & (rel[..., 0] < w - margin_m)
            & (rel[..., 1] < h - margin_m)
        )

    def is_blocked(self, xy: np.ndarray) -> np.ndarray:
        rel = np.floor(np.asarray(xy, np.float64) - self.origin).astype(np.int64)
        h, w = self.blocked.shape
        inside = (rel[..., 0] >= 0) & (rel[..., 1] >= 0) & (rel[..., 0] < w) & (rel[..., 1] < h)
        out = np.zeros(rel.shape[:-1], bool)
        out[inside] = self.blocked[rel[inside][:, 1], rel[inside][:, 0]]
        return out


def _pts(world_xy: np.ndarray, origin: tuple[float, float], ppm: float) -> np.ndarray:
    """World metres -> fixed-point (shift 4) int32 pixel coordinates for cv2 drawing."""
    return np.round((np.asarray(world_xy) - origin) * ppm * 16).astype(np.int32)


def _road_curve(
    rng: np.random.Generator, through: np.ndarray, angle: float, length_m: float
) -> np.ndarray:
    s = np.arange(-length_m, length_m + 1e-9, 4.0)
    bend = Wiggle(rng, 12.0, (1 / 260.0, 1 / 140.0))
    lateral = np.asarray(bend(s)) - float(bend(0.0))
    d = np.array([math.cos(angle), math.sin(angle)])
    n = np.array([-d[1], d[0]])
    return through + s[:, None] * d + lateral[:, None] * n


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
    # Shadow offset per metre of height, pointing away from the sun.
    shadow_dir = -np.array([math.cos(sun_az), math.sin(sun_az)]) / math.tan(sun_el)

    # --- fields: a rotated grid of parcels with crop rows ---------------------------------
    grid_angle = float(rng.uniform(0, math.pi))
    ga = np.array([math.cos(grid_angle), math.sin(grid_angle)])
    gb = np.array([-ga[1], ga[0]])
    centre = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
    reach = span * 0.75
    labels = np.zeros((h_px, w_px), np.int32)
    parcels: list[np.ndarray] = []
    a = -reach
    strip_edges: list[float] = []
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
            cv2.fillConvexPoly(labels, _pts(corners, origin, ppm), len(parcels) - 1, cv2.LINE_8, 4)
            b += length
        strip_edges.append(a)
        a += width
    n_parcels = len(parcels)
    crop_idx = rng.integers(0, len(_CROPS), n_parcels)
    stripe_amp = np.array([_CROPS[c][2] for c in crop_idx], np.float32) * rng.uniform(
        0.3, 0.9, n_parcels
    ).astype(np.float32)
    stripe_period = rng.uniform(0.8, 2.6, n_parcels).astype(np.float32) * ppm
    stripe_along = rng.random(n_parcels) < 0.5

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
    del speckle

    if thermal:
        base = np.array([_CROPS[c][1] for c in crop_idx], np.float32)
        base += rng.normal(0, 5, n_parcels).astype(np.float32)
        moist = fractal_noise(rng, (h_px, w_px), 12 * ppm, octaves=3, persistence=0.6)
        tex = (base[labels] * (shade + 0.1 * moist))[..., None].repeat(3, axis=2)
        del moist
    else:
        base = np.array([_CROPS[c][0] for c in crop_idx], np.float32)
        base *= rng.uniform(0.88, 1.12, (n_parcels, 1)).astype(np.float32)
        base += rng.normal(0, 6, (n_parcels, 3)).astype(np.float32)
        # Real fields seen through haze are less saturated than paint.
        base = 0.78 * base + 0.22 * base.mean(axis=1, keepdims=True)
        tint = fractal_noise(rng, (h_px, w_px), 60 * ppm, octaves=2)[..., None]
        tex = base[labels] * shade[..., None]
        tex += tint * np.array([4, 10, -6], np.float32)
    del shade, labels, patch

    def paint(value_day: tuple[float, float, float], value_th: float) -> tuple[float, ...]:
        return (value_th,) * 3 if thermal else value_day

    # Field margins: hedges or dirt edges along some parcel sides.
    hedge_lines: list[np.ndarray] = []
    for corners in parcels:
        for k in range(4):
            if rng.random() < 0.25:
                seg = np.array([corners[k], corners[(k + 1) % 4]])
                cv2.polylines(
                    tex,
                    [_pts(seg, origin, ppm)],
                    False,
                    paint((70, 118, 128), 78),
                    max(1, int(0.9 * ppm)),
                    cv2.LINE_AA,
                    4,
                )
            elif rng.random() < 0.12:
                hedge_lines.append(np.array([corners[k], corners[(k + 1) % 4]]))

    # --- roads ---------------------------------------------------------------------------
    roads: list[Road] = []
    n_path = len(path_points)
    anchors = [path_points[int(n_path * f)] for f in (0.25, 0.7)]
    main_angle = float(rng.uniform(0, math.pi))
    roads.append(Road(_road_curve(rng, anchors[0], main_angle, span), 7.0, "main"))
    off = rng.uniform(-20, 20, 2)
    cross_angle = main_angle + float(rng.uniform(0.9, 2.2))
    roads.append(Road(_road_curve(rng, anchors[1] + off, cross_angle, span), 5.5, "minor"))
    for edge in rng.choice(strip_edges, size=min(2, len(strip_edges)), replace=False):
        line = np.array([centre + edge * ga + s * gb for s in np.arange(-reach, reach, 4.0)])
        roads.append(Road(line, 3.2, "track"))

    for road in roads:
        pts = _pts(road.points, origin, ppm)
        width_px = road.width_m * ppm
        if road.kind == "track":
            cv2.polylines(
                tex, [pts], False, paint((96, 128, 150), 84), int(width_px), cv2.LINE_AA, 4
            )
            for side in (-0.8, 0.8):
                d = np.gradient(road.points, axis=0)
                n = np.column_stack([-d[:, 1], d[:, 0]]) / np.linalg.norm(d, axis=1)[:, None]
                rut = _pts(road.points + side * n, origin, ppm)
                cv2.polylines(
                    tex,
                    [rut],
                    False,
                    paint((82, 110, 130), 88),
                    max(1, int(0.35 * ppm)),
                    cv2.LINE_AA,
                    4,
                )
            continue
        cv2.polylines(
            tex, [pts], False, paint((118, 140, 150), 90), int(width_px + 1.6 * ppm), cv2.LINE_AA, 4
        )
        asphalt = paint((92, 95, 98), 108) if road.kind == "main" else paint((112, 114, 116), 100)
        cv2.polylines(tex, [pts], False, asphalt, int(width_px), cv2.LINE_AA, 4)
        if road.kind == "main" and not thermal:
            dash = road.points[::2]
            for k in range(0, len(dash) - 1, 2):
                cv2.line(
                    tex,
                    tuple(_pts(dash[k], origin, ppm)),
                    tuple(_pts(dash[k + 1], origin, ppm)),
                    (215, 218, 220),
                    max(1, int(0.15 * ppm)),
                    cv2.LINE_AA,
                    4,
                )

    # --- village: buildings near a road, with yards -----------------------------------
    shade_mask = np.zeros((h_px, w_px), np.float32)
    blocked = np.zeros((math.ceil(y1 - y0), math.ceil(x1 - x0)), np.uint8)
    buildings: list[np.ndarray] = []

    def blocked_at(xy: np.ndarray) -> np.ndarray:
        rel = np.floor(xy - origin).astype(np.int64)
        bh, bw = blocked.shape
        rel[:, 0] = np.clip(rel[:, 0], 0, bw - 1)
        rel[:, 1] = np.clip(rel[:, 1], 0, bh - 1)
        return (blocked[rel[:, 1], rel[:, 0]] > 0) | (road_mask[rel[:, 1], rel[:, 0]] > 0)

    # Buildings keep a few metres off the roads.
    road_mask = np.zeros_like(blocked)
    for road in roads:
        cv2.polylines(
            road_mask,
            [np.round((road.points - origin) * 16).astype(np.int32)],
            False,
            1,
            int(road.width_m + 6),
            cv2.LINE_8,
            4,
        )

    roofs: list[tuple[np.ndarray, float, tuple[float, ...], tuple[float, ...]]] = []
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
                big = rng.random() < 0.2
                L = rng.uniform(18, 30) if big else rng.uniform(8, 15)
                W = rng.uniform(10, 15) if big else rng.uniform(6, 10)
                ang = rng.normal(0, 0.06)
                ca, sa = math.cos(ang), math.sin(ang)
                dd = ca * d + sa * n
                nn = -sa * d + ca * n
                if rng.random() < 0.5:
                    dd, nn = nn, dd
                c = c0 + (gx * 11 + rng.uniform(-2, 2)) * d + (gy * 13 + 4 + rng.uniform(-2, 2)) * n
                foot = np.array(
                    [
                        c - L / 2 * dd - W / 2 * nn,
                        c + L / 2 * dd - W / 2 * nn,
                        c + L / 2 * dd + W / 2 * nn,
                        c - L / 2 * dd + W / 2 * nn,
                    ]
                )
                probe = np.vstack([foot, c[None], (foot + np.roll(foot, 1, axis=0)) / 2])
                grown = c + (probe - c) * 1.25
                if np.any(blocked_at(grown)):
                    continue
                height = rng.uniform(5, 9) if big else rng.uniform(4, 7)
                apron = c + (foot - c) * (1.0 + 5.0 / min(L, W))
                ground = _APRONS[int(rng.integers(len(_APRONS)))]
                cv2.fillConvexPoly(tex, _pts(apron, origin, ppm), paint(ground, 88), cv2.LINE_AA, 4)
                buildings.append(foot)
                moved = foot + shadow_dir * height
                hull = cv2.convexHull(_pts(np.vstack([foot, moved]), origin, ppm))
                cv2.fillConvexPoly(shade_mask, hull, 1.0, cv2.LINE_AA, 4)
                cv2.fillConvexPoly(blocked, np.round(foot - origin).astype(np.int32), 1)
                roof_day = tuple(float(x) for x in _ROOFS_DAY[int(rng.integers(len(_ROOFS_DAY)))])
                roof_th = float(rng.uniform(60, 150))
                roofs.append(
                    (
                        foot,
                        float(np.dot(nn, -shadow_dir)),
                        paint(roof_day, roof_th),
                        paint(roof_day, roof_th * 0.96),
                    )
                )

    # --- trees: hedgerows, a wood, garden trees ---------------------------------------
    trees: list[tuple[np.ndarray, float]] = []
    woods: list[tuple[np.ndarray, float]] = []
    for line in hedge_lines:
        seg = line[1] - line[0]
        length = float(np.linalg.norm(seg))
        for s in np.arange(rng.uniform(0, 6), length, rng.uniform(4, 9)):
            p = line[0] + seg * (s / length) + rng.normal(0, 0.8, 2)
            trees.append((p, float(rng.uniform(1.8, 3.8))))
    for _ in range(int(rng.integers(1, 3))):
        wc = path_points[int(rng.integers(n_path))] + rng.uniform(-60, 60, 2)
        radius = float(rng.uniform(15, 30))
        for _ in range(int(radius * radius * 0.9)):
            r = radius * math.sqrt(rng.random())
            a_ = rng.uniform(0, 2 * math.pi)
            p = wc + r * np.array([math.cos(a_), math.sin(a_)])
            trees.append((p, float(rng.uniform(2.0, 4.2))))
        woods.append((wc, radius))
    for foot in buildings:
        for _ in range(int(rng.integers(0, 3))):
            trees.append(
                (foot.mean(axis=0) + rng.uniform(-12, 12, 2), float(rng.uniform(1.5, 3.5)))
            )

    # Keep roads and buildings clear of tree crowns (vehicles must stay visible).
    clear = np.full(blocked.shape, 255, np.uint8)
    for road in roads:
        pts_m = np.round((road.points - origin) * 16).astype(np.int32)
        cv2.polylines(clear, [pts_m], False, 0, int(road.width_m + 2), cv2.LINE_8, 4)
    clear[blocked > 0] = 0
    room = cv2.distanceTransform(clear, cv2.DIST_L2, 3)
    bh, bw = room.shape
    kept = []
    for p, r in trees:
        ix, iy = int(p[0] - origin[0]), int(p[1] - origin[1])
        if 0 <= ix < bw and 0 <= iy < bh and room[iy, ix] > r * 0.9:
            kept.append((p, r))
    trees = kept
    for wc, radius in woods:
        cv2.circle(blocked, tuple(int(x) for x in np.round(wc - origin)), int(radius), 1, -1)
    # Nobody walks or parks on top of a tree crown (targets are drawn above the ground).
    for p, r in trees:
        centre_px = tuple(int(x) for x in np.round(p - origin))
        cv2.circle(blocked, centre_px, math.ceil(r + 0.5), 1, -1)

    if not thermal:
        for p, r in trees:
            c = _pts(p + shadow_dir * r * 1.6, origin, ppm)
            axes = (int(r * ppm * 16), int(r * ppm * 16 * 0.85))
            cv2.ellipse(shade_mask, tuple(c), axes, 0, 0, 360, 0.85, -1, cv2.LINE_AA, 4)
        shade_mask = cv2.GaussianBlur(shade_mask, (0, 0), 0.35 * ppm)
        tex *= (1.0 - shadow_strength * shade_mask)[..., None]
    del shade_mask

    for foot, lit, col_a, col_b in roofs:
        # Gable roof: two halves either side of the ridge, one facing the sun.
        mid_a = (foot[0] + foot[3]) / 2
        mid_b = (foot[1] + foot[2]) / 2
        half1 = np.array([foot[0], foot[1], mid_b, mid_a])
        half2 = np.array([mid_a, mid_b, foot[2], foot[3]])
        k1 = 1.0 + 0.18 * shadow_strength * (1 if lit > 0 else -1)
        k2 = 2.0 - k1
        cv2.fillConvexPoly(
            tex, _pts(half1, origin, ppm), tuple(x * k1 for x in col_a), cv2.LINE_AA, 4
        )
        cv2.fillConvexPoly(
            tex, _pts(half2, origin, ppm), tuple(x * k2 for x in col_b), cv2.LINE_AA, 4
        )
        cv2.line(
            tex,
            tuple(_pts(mid_a, origin, ppm)),
            tuple(_pts(mid_b, origin, ppm)),
            tuple(x * 0.7 for x in col_a),
            max(1, int(0.2 * ppm)),
            cv2.LINE_AA,
            4,
        )

    order = rng.permutation(len(trees))
    crowns = np.zeros((h_px, w_px), np.uint8)
    sun_unit = -shadow_dir / max(float(np.linalg.norm(shadow_dir)), 1e-6)
    for idx in order:
        p, r = trees[idx]
        c = tuple(_pts(p, origin, ppm))
        rr = int(r * ppm * 16)
        cv2.circle(crowns, c, rr, 255, -1, cv2.LINE_AA, 4)
        if thermal:
            val = float(rng.uniform(78, 98))
            cv2.circle(tex, c, rr, (val,) * 3, -1, cv2.LINE_AA, 4)
            continue
        g = rng.uniform(0.75, 1.2)
        hue = rng.uniform(-6, 6)
        cv2.circle(tex, c, rr, (26 * g + hue, 56 * g, 38 * g), -1, cv2.LINE_AA, 4)
        mid = _pts(p + sun_unit * r * 0.12, origin, ppm)
        cv2.circle(
            tex, tuple(mid), int(rr * 0.8), (34 * g + hue, 76 * g, 50 * g), -1, cv2.LINE_AA, 4
        )
        hi = _pts(p + sun_unit * r * 0.35, origin, ppm)
        cv2.circle(
            tex, tuple(hi), int(rr * 0.45), (44 * g + hue, 94 * g, 62 * g), -1, cv2.LINE_AA, 4
        )
    if trees:
        # Leafy texture: strong fine noise only inside crowns.
        leaves = fractal_noise(rng, (h_px, w_px), 0.9 * ppm, octaves=2, persistence=0.7)
        k = (crowns.astype(np.float32) / 255.0) * (0.10 if thermal else 0.32)
        tex *= (1.0 + k * leaves)[..., None]
        del leaves, k
    del crowns

    fine = fractal_noise(rng, (h_px, w_px), 1.5 * ppm, octaves=2)
    tex += (fine * (5.0 if thermal else 7.0))[..., None]
    tex = cv2.GaussianBlur(tex, (0, 0), 0.5)
    texture = np.clip(tex, 0, 255).astype(np.uint8)
    return World(
        texture=texture,
        ppm=ppm,
        origin=origin,
        roads=roads,
        buildings=buildings,
        blocked=blocked.astype(bool),
        sun_azimuth=sun_az,
        sun_elevation=sun_el,
        meta={
            "size_m": [round(x1 - x0, 2), round(y1 - y0, 2)],
            "parcels": n_parcels,
            "buildings": len(buildings),
            "trees": len(trees),
            "roads": [r.kind for r in roads],
        },
    )
