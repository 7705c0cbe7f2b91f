"""Targets: what they are (size, colours, heat) and where they go (spawned near the
camera's path so that each one crosses the view at some point of the clip)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from dronewatch.sim.camera import CameraPath
from dronewatch.sim.scenario import PERSON, VEHICLE, Scenario
from dronewatch.sim.trajectories import (
    Track,
    crosses_obstacle,
    drive_on_road,
    follow,
    nearest_on_road,
    parked,
    wander,
)
from dronewatch.sim.world import World

_CAR_COLOURS = (  # BGR, weighted towards the greys of real car parks
    (235, 235, 232),
    (222, 224, 226),
    (175, 176, 178),
    (140, 140, 142),
    (40, 40, 42),
    (30, 32, 36),
    (120, 60, 30),
    (40, 40, 150),
    (60, 30, 25),
    (150, 160, 170),
    (50, 90, 60),
    (205, 210, 215),
    (90, 92, 95),
    (30, 110, 190),
)
_CLOTHES = (
    (40, 40, 45),
    (120, 80, 50),
    (60, 60, 140),
    (30, 170, 220),
    (200, 200, 205),
    (70, 90, 60),
    (90, 110, 130),
    (30, 30, 160),
    (150, 120, 60),
    (110, 110, 115),
    (40, 200, 200),
    (160, 100, 120),
)
_HAIR = ((40, 50, 70), (30, 30, 30), (90, 120, 160), (60, 80, 110))
_VEHICLE_KINDS = {  # length, width, height (m), weight
    "car": ((4.0, 4.8), (1.7, 1.9), (1.4, 1.6), 0.65),
    "van": ((4.9, 5.8), (1.9, 2.1), (1.9, 2.5), 0.2),
    "truck": ((6.5, 8.5), (2.3, 2.5), (2.9, 3.4), 0.1),
    "tractor": ((3.6, 4.4), (1.9, 2.3), (2.4, 2.8), 0.05),
}


@dataclass(frozen=True, slots=True, eq=False)
class Target:
    """One ground-truth object. ``colours``: body/roof for vehicles, shirt/trousers/head
    for people (BGR). ``heat``: thermal grey value of the warm parts."""

    id: int
    cls: int
    kind: str
    motion: str  # "road", "offroad", "parked", "walk", "group"
    length_m: float
    width_m: float
    height_m: float
    colours: tuple[tuple[int, int, int], ...]
    heat: float
    track: Track
    group: int = 0

    def summary(self) -> dict[str, object]:
        return {
            "id": self.id,
            "class": self.cls,
            "kind": self.kind,
            "motion": self.motion,
            "group": self.group,
            "size_m": [round(self.length_m, 2), round(self.width_m, 2), round(self.height_m, 2)],
            "colour_bgr": list(self.colours[0]),
            "heat": round(self.heat, 1),
        }


def _pick(rng: np.random.Generator, options: tuple) -> tuple:
    return options[int(rng.integers(len(options)))]


def _vehicle_shape(rng: np.random.Generator, kind: str) -> tuple[float, float, float]:
    (l0, l1), (w0, w1), (h0, h1), _ = _VEHICLE_KINDS[kind]
    return float(rng.uniform(l0, l1)), float(rng.uniform(w0, w1)), float(rng.uniform(h0, h1))


def _vehicle_colours(rng: np.random.Generator, kind: str) -> tuple[tuple[int, int, int], ...]:
    body = _pick(rng, _CAR_COLOURS)
    if kind == "tractor":
        body = _pick(rng, ((40, 120, 40), (30, 40, 170), (30, 140, 200)))
    second = _pick(rng, _CAR_COLOURS) if kind == "truck" else body
    return body, second


def _anchor_near_view(
    rng: np.random.Generator, camera: CameraPath, t: float, spread: float = 0.7
) -> np.ndarray:
    """A ground point inside (or a little beyond) the view at time ``t``."""
    pose = camera.pose(t)
    u = camera.width * (0.5 + spread * rng.uniform(-0.5, 0.5))
    v = camera.height * (0.5 + spread * rng.uniform(-0.5, 0.5))
    return pose.pixels_to_ground(np.array([[u, v]]))[0]


def _collides(track: Track, length: float, others: list[Target]) -> bool:
    """True when ``track`` would overlap another vehicle at some frame (same lane and
    too close, or any two vehicles closer than a car width)."""
    for o in others:
        if o.cls != VEHICLE:
            continue
        with np.errstate(invalid="ignore"):
            dist = np.linalg.norm(track.xy - o.track.xy, axis=1)
            same_way = np.cos(track.heading - o.track.heading) > 0.0
            gap = (length + o.length_m) / 2 + 2.0
            bad = (dist < 2.5) | (same_way & (dist < gap))
        if np.any(bad):
            return True
    return False


def spawn_targets(scenario: Scenario, world: World, camera: CameraPath) -> list[Target]:
    """All targets of the scenario, ids 1..N, vehicles first then people."""
    rng = scenario.rng("targets")
    p = scenario.preset
    if p.targets == "none":
        return []
    if p.targets != "mixed":
        # Imported here: the training scenes reuse this module's helpers.
        from dronewatch.sim.scene_targets import spawn_scene_targets

        return spawn_scene_targets(scenario, world, camera, rng)
    times = np.arange(scenario.frame_count) / scenario.fps
    scale = max(1.0, scenario.seconds / 20.0)
    targets: list[Target] = []
    _spawn_vehicles(rng, round(p.vehicles * scale), world, camera, times, targets)
    _spawn_people(rng, round(p.people * scale), world, camera, times, targets)
    return targets


def _vehicle_track(
    rng: np.random.Generator,
    roll: float,
    kind: str,
    width: float,
    anchor: np.ndarray,
    idx: int,
    times: np.ndarray,
    world: World,
) -> tuple[Track | None, str]:
    """Road traffic (most), farm-track or cross-field driving, or parked at a roadside.
    ``roll`` in [0, 1) picks which. (None, "") when the parking spot is taken."""
    if roll < 0.68 and kind != "tractor":
        candidates = [r for r in world.roads if r.kind != "track"] or world.roads
        best = min(candidates, key=lambda r: nearest_on_road(r, anchor)[1])
        s, _dist = nearest_on_road(best, anchor)
        speed = best.speed_mps * float(rng.uniform(0.6, 1.1))
        forward = bool(rng.random() < 0.5)
        return drive_on_road(rng, best, s, idx, times, speed=speed, forward=forward), "road"
    if roll < 0.82:
        tracks = [r for r in world.roads if r.kind == "track"] or world.roads
        road = tracks[int(rng.integers(len(tracks)))]
        s, _dist = nearest_on_road(road, anchor)
        speed = float(rng.uniform(2.5, 6.0))
        forward = bool(rng.random() < 0.5)
        return drive_on_road(rng, road, s, idx, times, speed=speed, forward=forward), "offroad"
    if roll < 0.9:
        for _ in range(6):
            cand = wander(
                rng,
                anchor,
                idx,
                times,
                speed=float(rng.uniform(2.0, 5.0)),
                turniness=0.6,
                walk_s=(6, 15),
                stop_s=(2, 6),
                stop_prob=0.3,
            )
            if not crosses_obstacle(world, cand):
                return cand, "offroad"
    road = world.roads[int(rng.integers(min(2, len(world.roads))))]
    s, _dist = nearest_on_road(road, anchor)
    base = drive_on_road(rng, road, s, 0, times[:2], speed=0.0, forward=True)
    side = np.array([math.sin(base.heading[0]), -math.cos(base.heading[0])])
    spot = base.xy[0] + side * (road.width_m / 2 + width)
    if not np.all(np.isfinite(spot)):
        spot = anchor
    if world.is_blocked(spot[None])[0]:
        return None, ""
    return parked(spot, float(base.heading[0]), len(times)), "parked"


def _spawn_vehicles(
    rng: np.random.Generator,
    count: int,
    world: World,
    camera: CameraPath,
    times: np.ndarray,
    targets: list[Target],
) -> None:
    kinds = list(_VEHICLE_KINDS)
    weights = np.array([_VEHICLE_KINDS[k][3] for k in kinds])
    attempts = 0
    while sum(t.cls == VEHICLE for t in targets) < count and attempts < 8 * count:
        attempts += 1
        idx = int(rng.integers(len(times)))
        kind = str(rng.choice(kinds, p=weights / weights.sum()))
        length, width, height = _vehicle_shape(rng, kind)
        roll = float(rng.random())
        anchor = _anchor_near_view(rng, camera, float(times[idx]), spread=1.1)
        track, motion = _vehicle_track(rng, roll, kind, width, anchor, idx, times, world)
        if track is None or _collides(track, length, targets):
            continue
        heat = float(rng.uniform(130, 160)) if motion == "parked" else float(rng.uniform(170, 215))
        colours = _vehicle_colours(rng, kind)
        targets.append(
            Target(
                len(targets) + 1,
                VEHICLE,
                kind,
                motion,
                length,
                width,
                height,
                colours,
                heat,
                track,
            )
        )


def _spawn_people(
    rng: np.random.Generator,
    count: int,
    world: World,
    camera: CameraPath,
    times: np.ndarray,
    targets: list[Target],
) -> None:
    """People alone or in groups of 2-4 following a leader; slow, with stops."""
    group_id = 0
    attempts = 0
    while sum(t.cls == PERSON for t in targets) < count and attempts < 10 * count:
        attempts += 1
        idx = int(rng.integers(len(times)))
        anchor = _anchor_near_view(rng, camera, float(times[idx]), spread=1.0)
        if world.is_blocked(anchor[None])[0]:
            continue
        size = 1 if rng.random() < 0.65 else int(rng.integers(2, 5))
        speed = float(rng.uniform(0.5, 1.4)) if rng.random() < 0.8 else float(rng.uniform(0.2, 0.5))
        leader: Track | None = None
        for _ in range(6):
            cand = wander(
                rng,
                anchor,
                idx,
                times,
                speed=speed,
                turniness=0.8 if size == 1 else 0.5,
                walk_s=(3, 12),
                stop_s=(1.5, 8),
                stop_prob=0.6,
            )
            if not crosses_obstacle(world, cand):
                leader = cand
                break
        if leader is None:
            continue
        if size > 1:
            group_id += 1
        for k in range(size):
            if k == 0:
                track = leader
            else:
                offset = np.array(
                    [
                        -0.9 * ((k + 1) // 2) + rng.uniform(-0.3, 0.3),
                        (0.9 if k % 2 else -0.9) * rng.uniform(0.7, 1.2),
                    ]
                )
                track = follow(rng, leader, offset, times)
            colours = (
                _pick(rng, _CLOTHES),
                _pick(rng, _CLOTHES[:6]),
                _pick(rng, _HAIR),
            )
            height = float(rng.uniform(1.55, 1.9))
            targets.append(
                Target(
                    len(targets) + 1,
                    PERSON,
                    "person",
                    "group" if size > 1 else "walk",
                    0.3,
                    0.5,
                    height,
                    colours,
                    float(rng.uniform(200, 235)),
                    track,
                    group_id if size > 1 else 0,
                )
            )
