"""Target motion, precomputed per frame from the seed: road driving, walking with stops,
groups walking together. Positions are NaN while a target is outside the world."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from dronewatch.sim.noise import Wiggle
from dronewatch.sim.world import Road, World


@dataclass(frozen=True, slots=True, eq=False)
class Track:
    """Per-frame ground position (N, 2) in metres and heading (N,) in radians."""

    xy: np.ndarray
    heading: np.ndarray

    def speed_px(self, px_per_m: float, fps: float) -> float:
        """Median speed in image pixels per frame while on screen (for reporting)."""
        steps = np.linalg.norm(np.diff(self.xy, axis=0), axis=1)
        steps = steps[np.isfinite(steps)]
        return float(np.median(steps) * px_per_m) if len(steps) else 0.0


def _arc_length(points: np.ndarray) -> np.ndarray:
    seg = np.linalg.norm(np.diff(points, axis=0), axis=1)
    return np.concatenate([[0.0], np.cumsum(seg)])


def nearest_on_road(road: Road, p: np.ndarray) -> tuple[float, float]:
    """(arc length, distance) of the road point closest to ``p`` (vertex accuracy)."""
    d = np.linalg.norm(road.points - p, axis=1)
    k = int(np.argmin(d))
    return float(_arc_length(road.points)[k]), float(d[k])


def drive_on_road(
    rng: np.random.Generator,
    road: Road,
    s_anchor: float,
    anchor_idx: int,
    times: np.ndarray,
    *,
    speed: float,
    forward: bool,
    lane_m: float | None = None,
) -> Track:
    """A vehicle keeping to its lane, speed varying smoothly, passing ``s_anchor`` at
    frame ``anchor_idx``. ``lane_m``: distance right of the centreline (default: the
    middle of the right-hand lane; a pedestrian on the verge passes more)."""
    dt = float(times[1] - times[0]) if len(times) > 1 else 1.0
    wobble = Wiggle(rng, 0.15, (0.03, 0.08))
    v = speed * (1.0 + np.asarray(wobble(times)))
    s = np.concatenate([[0.0], np.cumsum(v[:-1] * dt)])
    s = s - s[anchor_idx]
    sign = 1.0 if forward else -1.0
    arc = s_anchor + sign * s
    cum = _arc_length(road.points)
    x = np.interp(arc, cum, road.points[:, 0])
    y = np.interp(arc, cum, road.points[:, 1])
    ahead = arc + sign * 1.5
    tx = np.interp(ahead, cum, road.points[:, 0]) - np.interp(
        arc - sign * 1.5, cum, road.points[:, 0]
    )
    ty = np.interp(ahead, cum, road.points[:, 1]) - np.interp(
        arc - sign * 1.5, cum, road.points[:, 1]
    )
    heading = np.arctan2(ty, tx)
    lane = road.width_m * 0.25 if road.kind != "track" else 0.0
    if lane_m is not None:
        lane = lane_m
    # Keep right: the right-hand normal of the travel direction.
    xy = np.column_stack([x + lane * np.sin(heading), y - lane * np.cos(heading)])
    off = (arc < 0) | (arc > cum[-1])
    xy[off] = np.nan
    return Track(xy, heading)


def wander(
    rng: np.random.Generator,
    anchor: np.ndarray,
    anchor_idx: int,
    times: np.ndarray,
    *,
    speed: float,
    turniness: float,
    walk_s: tuple[float, float],
    stop_s: tuple[float, float],
    stop_prob: float,
) -> Track:
    """Smoothly turning walk with random stops, shifted to pass ``anchor`` at
    ``anchor_idx``. Heading is held while stopped."""
    n = len(times)
    dt = float(times[1] - times[0]) if n > 1 else 1.0
    moving = np.ones(n, bool)
    t = -float(rng.uniform(0, walk_s[1]))
    while t < times[-1]:
        t += float(rng.uniform(*walk_s))
        if rng.random() < stop_prob:
            stop = float(rng.uniform(*stop_s))
            moving[(times >= t) & (times < t + stop)] = False
            t += stop
    heading0 = float(rng.uniform(0, 2 * math.pi))
    turn = Wiggle(rng, turniness, (0.02, 0.05, 0.11))
    heading = heading0 + np.asarray(turn(times))
    pace = speed * (1.0 + 0.08 * np.asarray(Wiggle(rng, 1.0, (0.7, 1.9))(times)))
    # Ease in and out of stops over ~0.5 s instead of jumping to full pace.
    # No longer than the clip: np.convolve's "same" output is as long as the longer input.
    kernel = max(1, min(round(0.5 / dt), n))
    gate = np.convolve(moving.astype(float), np.ones(kernel) / kernel, mode="same")
    step = pace * gate * dt
    dxy = np.column_stack([np.cos(heading), np.sin(heading)]) * step[:, None]
    xy = np.concatenate([[[0.0, 0.0]], np.cumsum(dxy[:-1], axis=0)])
    xy += anchor - xy[anchor_idx]
    return Track(xy, heading)


def follow(rng: np.random.Generator, leader: Track, offset: np.ndarray, times: np.ndarray) -> Track:
    """A companion walking at ``offset`` (metres, leader frame: forward, left)."""
    h = leader.heading
    c, s = np.cos(h), np.sin(h)
    sway = np.column_stack(
        [
            np.asarray(Wiggle(rng, 0.12, (0.15, 0.4))(times)),
            np.asarray(Wiggle(rng, 0.12, (0.15, 0.4))(times)),
        ]
    )
    ox = offset[0] * c - offset[1] * s
    oy = offset[0] * s + offset[1] * c
    xy = leader.xy + np.column_stack([ox, oy]) + sway
    return Track(xy, h + np.asarray(Wiggle(rng, 0.1, (0.1,))(times)))


def parked(anchor: np.ndarray, heading: float, n: int) -> Track:
    return Track(np.tile(anchor, (n, 1)), np.full(n, heading))


def crosses_obstacle(world: World, track: Track) -> bool:
    finite = np.isfinite(track.xy[:, 0])
    return bool(np.any(world.is_blocked(track.xy[finite][::5])))


def creep(
    rng: np.random.Generator,
    anchor: np.ndarray,
    anchor_idx: int,
    times: np.ndarray,
    *,
    heading: float,
    speed: float,
    walk_s: tuple[float, float],
    stop_s: tuple[float, float],
) -> Track:
    """Slow, nearly straight progress along ``heading`` (e.g. a hedge), stopping often:
    every walking spell is followed by a halt. Passes ``anchor`` at ``anchor_idx``."""
    n = len(times)
    dt = float(times[1] - times[0]) if n > 1 else 1.0
    moving = np.ones(n, bool)
    t = -float(rng.uniform(0, walk_s[1]))
    while t < times[-1]:
        t += float(rng.uniform(*walk_s))
        stop = float(rng.uniform(*stop_s))
        moving[(times >= t) & (times < t + stop)] = False
        t += stop
    kernel = max(1, min(round(0.4 / dt), n))  # no longer than the clip, as above
    gate = np.convolve(moving.astype(float), np.ones(kernel) / kernel, mode="same")
    # The heading drifts with the time spent walking, so it holds while stopped.
    walked_s = np.cumsum(gate) * dt
    heading_t = heading + np.asarray(Wiggle(rng, 0.08, (0.03, 0.09))(walked_s))
    step = speed * gate * dt
    dxy = np.column_stack([np.cos(heading_t), np.sin(heading_t)]) * step[:, None]
    xy = np.concatenate([[[0.0, 0.0]], np.cumsum(dxy[:-1], axis=0)])
    xy += anchor - xy[anchor_idx]
    return Track(xy, heading_t)


def single_file(rng: np.random.Generator, leader: Track, offset: np.ndarray) -> Track:
    """A companion at ``offset`` (metres, leader frame: forward, left) whose sway
    depends on the distance walked, so the whole file halts when the leader does."""
    walked = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(leader.xy, axis=0), axis=1))])
    walked = np.nan_to_num(walked)
    sway = np.column_stack(
        [
            np.asarray(Wiggle(rng, 0.15, (0.15, 0.35))(walked)),
            np.asarray(Wiggle(rng, 0.15, (0.15, 0.35))(walked)),
        ]
    )
    c, s = np.cos(leader.heading), np.sin(leader.heading)
    ox = offset[0] * c - offset[1] * s
    oy = offset[0] * s + offset[1] * c
    return Track(leader.xy + np.column_stack([ox, oy]) + sway, leader.heading.copy())
