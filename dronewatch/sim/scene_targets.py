"""Targets of the training scenes: teams creeping along cover, road traffic with
pedestrians on the verges, and the few, briefly shown targets of a quiet feed.

The "mixed" scene of the original presets stays in :mod:`dronewatch.sim.targets`,
untouched, so those presets keep drawing the same numbers from their generator.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from dronewatch.sim.camera import CameraPath
from dronewatch.sim.scenario import PERSON, VEHICLE, Scenario
from dronewatch.sim.targets import (
    _CLOTHES,
    _HAIR,
    Target,
    _anchor_near_view,
    _collides,
    _pick,
    _vehicle_colours,
    _vehicle_shape,
)
from dronewatch.sim.trajectories import (
    Track,
    creep,
    crosses_obstacle,
    drive_on_road,
    nearest_on_road,
    single_file,
)
from dronewatch.sim.world import World

# Road traffic: more heavy and slow vehicles than the mixed scene.
_ROAD_KINDS = {"car": 0.5, "van": 0.2, "truck": 0.15, "tractor": 0.15}
_COVER_M = (1.2, 4.5)  # distance from a hedge, tree line or wall to creep along


def spawn_scene_targets(
    scenario: Scenario, world: World, camera: CameraPath, rng: np.random.Generator
) -> list[Target]:
    """Targets for the presets whose ``targets`` is not "mixed"; ids 1..N."""
    p = scenario.preset
    times = np.arange(scenario.frame_count) / scenario.fps
    scale = max(1.0, scenario.seconds / 20.0)
    targets: list[Target] = []
    if p.targets == "teams":
        spawn_teams(rng, round(p.people * scale), world, camera, times, targets)
    elif p.targets == "road-traffic":
        spawn_road_vehicles(rng, round(p.vehicles * scale), world, camera, times, targets)
        spawn_verge_walkers(rng, round(p.people * scale), world, camera, times, targets)
    elif p.targets == "sparse":
        lo, hi = p.active if p.active is not None else (0.0, 1.0)
        window = (
            min(len(times) - 1, int(lo * len(times))),
            max(int(lo * len(times)) + 1, min(len(times), math.ceil(hi * len(times)))),
        )
        spawn_road_vehicles(rng, p.vehicles, world, camera, times, targets, window=window)
        spawn_teams(rng, p.people, world, camera, times, targets, window=window)
        targets = [_only_during(t, window) for t in targets]
    return targets


def _only_during(target: Target, window: tuple[int, int]) -> Target:
    """The target with its positions outside frames ``[start, stop)`` removed (NaN)."""
    xy = target.track.xy.copy()
    xy[: window[0]] = np.nan
    xy[window[1] :] = np.nan
    return Target(
        target.id,
        target.cls,
        target.kind,
        target.motion,
        target.length_m,
        target.width_m,
        target.height_m,
        target.colours,
        target.heat,
        Track(xy, target.track.heading),
        target.group,
    )


def _frame_in(rng: np.random.Generator, n: int, window: tuple[int, int] | None) -> int:
    lo, hi = window if window is not None else (0, n)
    return int(rng.integers(lo, max(lo + 1, hi)))


def _beside_cover(
    rng: np.random.Generator,
    world: World,
    distance: np.ndarray,
    camera: CameraPath,
    t: float,
) -> tuple[np.ndarray, float] | None:
    """A free ground point in view a metre or few from cover, and the heading along
    the cover there (its edge tangent), or None when no cover is in sight."""
    h, w = distance.shape
    for _ in range(40):
        p = _anchor_near_view(rng, camera, t, spread=0.75)
        ix, iy = int(p[0] - world.origin[0]), int(p[1] - world.origin[1])
        if not (2 <= ix < w - 2 and 2 <= iy < h - 2):
            continue
        if not _COVER_M[0] <= distance[iy, ix] <= _COVER_M[1]:
            continue
        gx = float(distance[iy, ix + 1] - distance[iy, ix - 1])
        gy = float(distance[iy + 1, ix] - distance[iy - 1, ix])
        if math.hypot(gx, gy) < 1e-6:
            continue
        heading = math.atan2(gx, -gy)  # perpendicular to the way away from cover
        if rng.random() < 0.5:
            heading += math.pi
        return p, heading
    return None


def _person(rng: np.random.Generator, tid: int, motion: str, track: Track, group: int) -> Target:
    colours = (_pick(rng, _CLOTHES[:6]), _pick(rng, _CLOTHES[:6]), _pick(rng, _HAIR))
    height = float(rng.uniform(1.55, 1.9))
    heat = float(rng.uniform(200, 235))
    return Target(tid, PERSON, "person", motion, 0.3, 0.5, height, colours, heat, track, group)


def spawn_teams(
    rng: np.random.Generator,
    count: int,
    world: World,
    camera: CameraPath,
    times: np.ndarray,
    targets: list[Target],
    *,
    window: tuple[int, int] | None = None,
) -> None:
    """Teams of 2-4 in single file creeping along cover (hedges, tree lines, walls),
    slowly, halting after every few steps; about ``count`` people in all."""
    free = (~world.blocked).astype(np.uint8)
    distance = cv2.distanceTransform(free, cv2.DIST_L2, 3)
    group = max((t.group for t in targets), default=0)
    start = sum(t.cls == PERSON for t in targets)
    attempts = 0
    while sum(t.cls == PERSON for t in targets) - start < count and attempts < 20 * max(count, 1):
        attempts += 1
        size = int(rng.integers(2, 5))
        idx = _frame_in(rng, len(times), window)
        spot = _beside_cover(rng, world, distance, camera, float(times[idx]))
        if spot is None:
            anchor = _anchor_near_view(rng, camera, float(times[idx]), spread=0.7)
            if world.is_blocked(anchor[None])[0]:
                continue
            spot = (anchor, float(rng.uniform(0, 2 * math.pi)))
        anchor, heading = spot
        leader = creep(
            rng,
            anchor,
            idx,
            times,
            heading=heading,
            speed=float(rng.uniform(0.45, 0.9)),
            walk_s=(2.0, 5.0),
            stop_s=(1.5, 4.0),
        )
        if crosses_obstacle(world, leader):
            continue
        group += 1
        for k in range(size):
            track = leader
            if k:  # single file: each one a step or so behind the one in front
                offset = np.array([-1.3 * k + rng.uniform(-0.2, 0.2), rng.uniform(-0.35, 0.35)])
                track = single_file(rng, leader, offset)
            targets.append(_person(rng, len(targets) + 1, "team", track, group))


def spawn_road_vehicles(
    rng: np.random.Generator,
    count: int,
    world: World,
    camera: CameraPath,
    times: np.ndarray,
    targets: list[Target],
    *,
    window: tuple[int, int] | None = None,
) -> None:
    """Cars, vans, trucks and tractors on the main and minor roads, in both directions."""
    roads = [r for r in world.roads if r.kind != "track"] or world.roads
    kinds = list(_ROAD_KINDS)
    weights = np.array([_ROAD_KINDS[k] for k in kinds])
    start = sum(t.cls == VEHICLE for t in targets)
    attempts = 0
    while sum(t.cls == VEHICLE for t in targets) - start < count and attempts < 10 * count:
        attempts += 1
        idx = _frame_in(rng, len(times), window)
        kind = str(rng.choice(kinds, p=weights / weights.sum()))
        length, width, height = _vehicle_shape(rng, kind)
        anchor = _anchor_near_view(rng, camera, float(times[idx]), spread=1.1)
        road = min(roads, key=lambda r: nearest_on_road(r, anchor)[1])
        s, _dist = nearest_on_road(road, anchor)
        if kind == "tractor":
            speed = float(rng.uniform(3.5, 7.0))
        else:
            speed = road.speed_mps * float(rng.uniform(0.6, 1.1))
        forward = bool(rng.random() < 0.5)
        track = drive_on_road(rng, road, s, idx, times, speed=speed, forward=forward)
        if _collides(track, length, targets):
            continue
        heat = float(rng.uniform(170, 215))
        colours = _vehicle_colours(rng, kind)
        tid = len(targets) + 1
        targets.append(
            Target(tid, VEHICLE, kind, "road", length, width, height, colours, heat, track)
        )


def spawn_verge_walkers(
    rng: np.random.Generator,
    count: int,
    world: World,
    camera: CameraPath,
    times: np.ndarray,
    targets: list[Target],
) -> None:
    """Pedestrians walking along the verges of the main and minor roads."""
    roads = [r for r in world.roads if r.kind != "track"] or world.roads
    start = sum(t.cls == PERSON for t in targets)
    attempts = 0
    while sum(t.cls == PERSON for t in targets) - start < count and attempts < 10 * count:
        attempts += 1
        idx = int(rng.integers(len(times)))
        anchor = _anchor_near_view(rng, camera, float(times[idx]), spread=1.0)
        road = min(roads, key=lambda r: nearest_on_road(r, anchor)[1])
        s, _dist = nearest_on_road(road, anchor)
        side = road.width_m / 2 + float(rng.uniform(0.8, 1.6))
        speed = float(rng.uniform(0.9, 1.5))
        forward = bool(rng.random() < 0.5)
        track = drive_on_road(rng, road, s, idx, times, speed=speed, forward=forward, lane_m=side)
        if crosses_obstacle(world, track):
            continue
        targets.append(_person(rng, len(targets) + 1, "walk", track, 0))
