"""Ground positions in the store (schema v4): per-frame footprints of a clip and the
ground position of each stored box. Written by ``dronewatch geo``; replacing a clip's
positions is one transaction, so readers see the old set or the new, never a mix."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

GEO_SCHEMA = 4


@dataclass(frozen=True, slots=True)
class FootprintRow:
    """One frame on the ground. ``corners``: (lat, lon) of corners 1-4, ``None`` for a
    corner that sees no ground."""

    frame: int
    time_s: float
    method: str
    centre: tuple[float, float]
    corners: tuple[tuple[float, float] | None, ...]
    ground_elevation_m: float | None = None
    utc_us: int | None = None


@dataclass(frozen=True, slots=True)
class PositionRow:
    """Where one stored box of a sighting stands on the ground."""

    sighting_id: int
    frame: int
    time_s: float
    lat: float
    lon: float
    ce_m: float


def replace_clip_geo(
    conn: sqlite3.Connection,
    clip_id: int,
    footprints: Sequence[FootprintRow],
    positions: Sequence[PositionRow],
) -> int:
    """Replace a clip's footprints and its sightings' positions; returns positions stored."""
    conn.execute("DELETE FROM frame_footprints WHERE clip_id = ?", (clip_id,))
    conn.execute(
        "DELETE FROM sighting_positions WHERE sighting_id IN "
        "(SELECT id FROM sightings WHERE clip_id = ?)",
        (clip_id,),
    )
    rows = []
    for f in footprints:
        flat: list[float | None] = []
        for corner in f.corners:
            flat.extend(corner if corner is not None else (None, None))
        rows.append(
            (clip_id, f.frame, f.time_s, f.method, *f.centre, *flat, f.ground_elevation_m, f.utc_us)
        )
    conn.executemany(
        "INSERT INTO frame_footprints VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
    )
    known = {
        int(r[0]) for r in conn.execute("SELECT id FROM sightings WHERE clip_id = ?", (clip_id,))
    }
    kept = [p for p in positions if p.sighting_id in known]
    conn.executemany(
        "INSERT OR REPLACE INTO sighting_positions VALUES (?, ?, ?, ?, ?, ?)",
        [(p.sighting_id, p.frame, p.time_s, p.lat, p.lon, p.ce_m) for p in kept],
    )
    return len(kept)


def footprint_from_row(row: Sequence[object]) -> FootprintRow:
    """A ``frame_footprints`` row without its clip id -> FootprintRow."""
    frame, time_s, method, clat, clon, *rest = row
    values = rest[:8]
    corners = tuple(
        None if values[2 * k] is None else (float(values[2 * k]), float(values[2 * k + 1]))  # type: ignore[arg-type]
        for k in range(4)
    )
    return FootprintRow(
        int(frame),  # type: ignore[call-overload]
        float(time_s),  # type: ignore[arg-type]
        str(method),
        (float(clat), float(clon)),  # type: ignore[arg-type]
        corners,
        None if rest[8] is None else float(rest[8]),  # type: ignore[arg-type]
        None if rest[9] is None else int(rest[9]),  # type: ignore[call-overload]
    )


FOOTPRINT_COLUMNS = (
    "frame, time_s, method, centre_lat, centre_lon, lat1, lon1, lat2, lon2, lat3, lon3, "
    "lat4, lon4, ground_elevation_m, utc_us"
)
