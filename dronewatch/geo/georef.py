"""Geo-referencing an analysed clip: KLV packets -> per-frame footprints -> a ground
position for every stored box (its bottom centre, where a target meets the ground).

Packets are matched to frames by presentation time: each frame takes the latest packet
at or before it, unless that packet is older than ``max_age_s`` (telemetry that stopped
must not place later frames). A raw KLV file (no times) is matched by order: packet
``i`` describes frame ``i``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dronewatch.errors import DroneWatchError
from dronewatch.geo.footprint import Footprint, footprint_from_klv
from dronewatch.geo.local import ground_distance_m
from dronewatch.store import FootprintRow, PositionRow
from dronewatch.telemetry import KlvPacket, KlvReadResult, match_frames, read_klv

#: Floor of the error we claim for a position: the box's bottom centre is not exactly
#: the target's ground contact point (a vehicle's centre is half its length away).
MIN_CE_M = 1.0


def footprints_from_klv(
    packets: Sequence[KlvPacket],
    frame_times_s: Sequence[float],
    width: int,
    height: int,
    max_age_s: float = 1.0,
) -> list[Footprint | None]:
    """One footprint (or ``None``) per frame, frame ``i`` at ``frame_times_s[i]``."""
    timed = [p for p in packets if p.pts_s is not None]
    if timed:
        matched = match_frames(timed, frame_times_s)
    else:  # raw KLV: one packet per frame, in order
        matched = [packets[i] if i < len(packets) else None for i in range(len(frame_times_s))]
    out: list[Footprint | None] = []
    for i, (t, packet) in enumerate(zip(frame_times_s, matched, strict=True)):
        if packet is None or packet.checksum_ok is False:
            out.append(None)
            continue
        if packet.pts_s is not None and t - packet.pts_s > max_age_s:
            out.append(None)
            continue
        t0 = frame_times_s[0] if frame_times_s else 0.0
        out.append(footprint_from_klv(packet.values, i, t - t0, width, height))
    return out


def locate_box_points(
    sighting_id: int,
    path: np.ndarray,
    footprints: Sequence[Footprint | None],
) -> list[PositionRow]:
    """Ground positions of a sighting's boxes (rows ``frame, time_s, x1, y1, x2, y2,
    score`` as :meth:`SightingsReader.sighting_path` gives them), skipping frames with
    no footprint and boxes whose bottom sees no ground."""
    out = []
    for frame_f, time_s, x1, _y1, x2, y2, _score in np.asarray(path).tolist():
        frame = int(frame_f)
        fp = footprints[frame] if 0 <= frame < len(footprints) else None
        if fp is None:
            continue
        pts = fp.image_to_latlon(np.array([[(x1 + x2) / 2, y2], [x1, y2], [x2, y2]]))
        if not np.all(np.isfinite(pts)):
            continue
        half_width = ground_distance_m(*pts[1], *pts[2]) / 2
        ce = max(MIN_CE_M, half_width)
        out.append(PositionRow(sighting_id, frame, time_s, float(pts[0, 0]), float(pts[0, 1]), ce))
    return out


def footprint_row(fp: Footprint) -> FootprintRow:
    corners = tuple(
        None if not np.all(np.isfinite(c)) else (float(c[0]), float(c[1]))
        for c in fp.ground_corners()
    )
    return FootprintRow(
        fp.frame, fp.time_s, fp.method, fp.centre, corners, fp.ground_elevation_m, fp.utc_us
    )


@dataclass(frozen=True, slots=True)
class GeoSummary:
    """What geo-referencing a clip did."""

    clip: str
    klv_source: Path
    frames: int
    frames_located: int
    by_method: Mapping[str, int]
    sightings: int
    sightings_located: int
    points: int
    points_located: int
    centre: tuple[float, float] | None
    footprint_m: tuple[float, float] | None

    def text(self) -> str:
        methods = ", ".join(f"{n} by {m}" for m, n in sorted(self.by_method.items()))
        lines = [
            f"{self.clip}: telemetry from {self.klv_source.name}: "
            f"{self.frames_located}/{self.frames} frames on the ground"
            + (f" ({methods})" if methods else ""),
            f"  {self.points_located}/{self.points} box positions, "
            f"{self.sightings_located}/{self.sightings} sightings located",
        ]
        if self.centre is not None and self.footprint_m is not None:
            lat, lon = self.centre
            w, h = self.footprint_m
            lines.append(
                f"  first footprint centre {lat:.6f}, {lon:.6f}; about {w:.0f} m x {h:.0f} m"
            )
        return "\n".join(lines)


def _finite_mean(values: list[tuple[float, float]]) -> tuple[float, float] | None:
    good = [v for v in values if all(math.isfinite(x) for x in v)]
    if not good:
        return None
    return (sum(v[0] for v in good) / len(good), sum(v[1] for v in good) / len(good))


def georeference_clip(
    db_path: str | Path,
    clip_path: str | Path,
    klv_path: str | Path | None = None,
    max_age_s: float = 1.0,
) -> GeoSummary:
    """Compute and store (schema v4) the footprints and box positions of an analysed clip.

    ``klv_path`` is where the telemetry is: by default the clip itself, else, when the
    clip has no KLV stream, a ``.ts`` of the same name beside it (what ``dronewatch
    simulate --klv`` writes next to its MP4). Frame ``i`` of the clip is frame ``i`` of
    the KLV file's video. Raises :class:`DroneWatchError` with a one-line reason.
    """
    from dronewatch.clip_identity import content_hash
    from dronewatch.store import SightingsReader, Store

    clip_path = Path(clip_path)
    db_path = Path(db_path)
    if not db_path.is_file():
        raise DroneWatchError(f"{db_path}: no sightings database here")
    digest = content_hash(clip_path)
    with SightingsReader(db_path) as reader:
        clip = reader.clip_by_hash(digest)
        if clip is None:
            raise DroneWatchError(
                f"{clip_path}: not analysed in {db_path} (run dronewatch analyze first)"
            )
        sightings = reader.sightings(clip_id=clip.id)
        paths = {s.id: reader.sighting_path(s.id) for s in sightings}
    source, result = _read_telemetry(clip_path, klv_path)
    times = _frame_times(source)
    if not times:  # a raw KLV file has no video: frames by index at the clip's rate
        frames = clip.frame_count or clip.frames_analysed
        times = [i / clip.fps for i in range(frames)]
    footprints = footprints_from_klv(result.packets, times, clip.width, clip.height, max_age_s)
    positions: list[PositionRow] = []
    located = 0
    for sid, path in paths.items():
        found = locate_box_points(sid, path, footprints)
        located += bool(found)
        positions.extend(found)
    real = [f for f in footprints if f is not None]
    with Store(db_path) as store:
        store.replace_clip_geo(clip.id, [footprint_row(f) for f in real], positions)
    by_method: dict[str, int] = {}
    for f in real:
        by_method[f.method] = by_method.get(f.method, 0) + 1
    return GeoSummary(
        clip=clip.name,
        klv_source=Path(source),
        frames=len(times),
        frames_located=len(real),
        by_method=by_method,
        sightings=len(paths),
        sightings_located=located,
        points=sum(len(p) for p in paths.values()),
        points_located=len(positions),
        centre=real[0].centre if real else None,
        footprint_m=real[0].ground_size_m() if real else None,
    )


def _frame_times(path: Path) -> list[float]:
    """Presentation times of the video frames of ``path``; empty when it has no video."""
    import av

    from dronewatch.telemetry import video_frame_times

    try:
        return video_frame_times(path)
    except (av.error.FFmpegError, OSError, ValueError, IndexError):
        return []


def _read_telemetry(clip_path: Path, klv_path: str | Path | None) -> tuple[Path, KlvReadResult]:
    """(where the KLV was found, its packets): ``klv_path``, else the clip, else a
    ``.ts`` of the same name beside the clip."""
    from dronewatch.errors import SourceError

    if klv_path is not None:
        return Path(klv_path), read_klv(klv_path)
    try:
        return clip_path, read_klv(clip_path)
    except SourceError:
        sibling = clip_path.with_suffix(".ts")
        if sibling == clip_path or not sibling.is_file():
            raise DroneWatchError(
                f"{clip_path}: no KLV telemetry in this file (give one with --klv FILE)"
            ) from None
        return sibling, read_klv(sibling)
