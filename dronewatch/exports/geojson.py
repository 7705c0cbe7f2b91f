"""GeoJSON (RFC 7946) of sightings on the ground.

One FeatureCollection: each located sighting as a Point at its first ground position
(properties feed, track, class, status, start, end, note, ...), its track as a
LineString (when it has two positions or more), and the clips' footprints (one a second)
as Polygons with closed, counter-clockwise rings. Positions are WGS 84 ``[lon, lat]``
with 7 decimals (about 1 cm). Times ``start``/``end`` are seconds into the clip, as in
the other exports; ``start_utc``/``end_utc`` come from the KLV time stamps.
"""

from __future__ import annotations

import json

from dronewatch.exports.atomic import Job
from dronewatch.exports.geo_data import GeoExport, LocatedSighting, iso_utc
from dronewatch.exports.model import ExportData
from dronewatch.store import FootprintRow

_DIGITS = 7


def _lonlat(lat: float, lon: float) -> list[float]:
    return [round(lon, _DIGITS), round(lat, _DIGITS)]


def ring(corners: list[tuple[float, float]]) -> list[list[float]]:
    """A closed, counter-clockwise (RFC 7946 §3.1.6) ring of (lat, lon) points."""
    pts = [_lonlat(lat, lon) for lat, lon in corners]
    area2 = sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(pts, pts[1:] + pts[:1], strict=True))
    if area2 < 0:
        pts.reverse()
    return [*pts, pts[0]]


def _sighting_properties(s: LocatedSighting) -> dict[str, object]:
    r = s.row
    return {
        "kind": "sighting",
        "feed": r.feed,
        "track": r.track,
        "class": r.target_class,
        "status": r.status,
        "start": round(r.start_s, 4),
        "end": round(r.end_s, 4),
        "note": r.note,
        "source": r.source,
        "tags": list(r.tags),
        "start_utc": iso_utc(s.start_utc_us),
        "end_utc": iso_utc(s.end_utc_us),
        "ce_m": round(s.first.ce_m, 2),
        "positions": len(s.positions),
    }


def _footprint_feature(feed: str, f: FootprintRow) -> dict[str, object]:
    corners = [c for c in f.corners if c is not None]
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [ring(corners)]},
        "properties": {
            "kind": "footprint",
            "feed": feed,
            "frame": f.frame,
            "time_s": round(f.time_s, 4),
            "utc": iso_utc(f.utc_us),
            "method": f.method,
        },
    }


def features(geo: GeoExport) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for s in geo.sightings:
        out.append(
            {
                "type": "Feature",
                "id": s.row.sighting_id,
                "geometry": {"type": "Point", "coordinates": _lonlat(s.first.lat, s.first.lon)},
                "properties": _sighting_properties(s),
            }
        )
    for s in geo.sightings:
        if len(s.positions) < 2:
            continue
        out.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "LineString",
                    "coordinates": [_lonlat(p.lat, p.lon) for p in s.positions],
                },
                "properties": {
                    "kind": "track",
                    "feed": s.row.feed,
                    "track": s.row.track,
                    "class": s.row.target_class,
                    "sighting": s.row.sighting_id,
                },
            }
        )
    out.extend(_footprint_feature(feed, f) for feed, f in geo.footprints)
    return out


def render(data: ExportData, geo: GeoExport, job: Job) -> bytes:
    job.step(0, 1)
    doc = {
        "type": "FeatureCollection",
        "features": features(geo),
        # A foreign member (RFC 7946 §6.1): what was left out and why.
        "dronewatch": {
            "filters": data.filters.describe(),
            "sightings_located": len(geo.sightings),
            "sightings_without_position": geo.unlocated,
        },
    }
    return (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
