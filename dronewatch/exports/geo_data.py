"""What the map exports (GeoJSON, KML, Cursor-on-Target) start from: the exported
sightings with their ground positions (schema v4, from ``dronewatch geo``) and a
thinned set of the clips' footprints.

A sighting with no stored position is left out of a map (and counted); when none of
the matching sightings has one, every map format refuses with one line, before any file
is made.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dronewatch.exports.atomic import ExportError, Job
from dronewatch.exports.model import ExportData, ExportRow
from dronewatch.store import FootprintRow, PositionRow, SightingsReader

#: Footprints per second of clip written to a map (the camera's coverage, not every frame).
FOOTPRINTS_PER_S = 1.0


@dataclass(frozen=True, slots=True)
class LocatedSighting:
    row: ExportRow
    positions: tuple[PositionRow, ...]  # by frame, at least one
    start_utc_us: int | None  # from the KLV time stamps, when the clip had them
    end_utc_us: int | None

    @property
    def first(self) -> PositionRow:
        return self.positions[0]


@dataclass(frozen=True, slots=True)
class GeoExport:
    sightings: tuple[LocatedSighting, ...]
    unlocated: int
    footprints: tuple[tuple[str, FootprintRow], ...]  # (feed, footprint)


def _in_range(t: float, data: ExportData) -> bool:
    f = data.filters
    return (f.from_s is None or t >= f.from_s - 1e-9) and (f.to_s is None or t <= f.to_s + 1e-9)


def collect_geo(reader: SightingsReader, data: ExportData, job: Job, fmt: str) -> GeoExport:
    """Positions of the sightings ``data`` holds; raises :class:`ExportError` when none
    has one."""
    clip_footprints = {clip_id: reader.footprints(clip_id) for clip_id in data.clips}
    utc_by_frame = {
        clip_id: {f.frame: f.utc_us for f in fps if f.utc_us is not None}
        for clip_id, fps in clip_footprints.items()
    }
    located = []
    total = len(data.rows)
    for i, row in enumerate(data.rows):
        job.step(i, total)
        positions = tuple(
            p for p in reader.sighting_positions(row.sighting_id) if _in_range(p.time_s, data)
        )
        if not positions:
            continue
        utc = utc_by_frame.get(row.clip_id, {})
        located.append(
            LocatedSighting(
                row, positions, utc.get(positions[0].frame), utc.get(positions[-1].frame)
            )
        )
    if not located:
        raise ExportError(
            data.db_path,
            f"{fmt} export needs ground positions, and none of the {total} matching "
            "sightings has one (run 'dronewatch geo CLIP' on a clip with KLV telemetry); "
            "nothing written",
        )
    footprints = []
    for clip_id, fps in clip_footprints.items():
        clip = data.clips[clip_id]
        step = max(1, round(clip.fps / FOOTPRINTS_PER_S))
        for f in fps:
            if f.frame % step == 0 and _in_range(f.time_s, data) and None not in f.corners:
                footprints.append((clip.name, f))
    return GeoExport(tuple(located), total - len(located), tuple(footprints))


def iso_utc(utc_us: int | None) -> str | None:
    """ISO 8601 UTC with milliseconds (``2024-06-01T10:00:00.000Z``)."""
    if utc_us is None:
        return None
    t = dt.datetime.fromtimestamp(utc_us / 1e6, tz=dt.UTC)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
