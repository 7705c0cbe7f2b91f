"""Cursor-on-Target 2.0 events, one per located sighting, for TAK (ATAK, WinTAK, ...).

Each sighting is an ``<event version="2.0" type="a-u-G" how="m-g">`` (an atom of
unknown affiliation on the ground, machine-derived from GPS-referenced sensor data) at its
first ground position, inside one ``<events>`` root so that the file is one XML
document. ``time`` is when the file was made; ``start`` the sighting's first sight
(UTC from the KLV time stamps, else the export time); ``stale`` five minutes after its
last sight. ``hae`` is the ground elevation the KLV gave (ST 0601 sends it above mean
sea level, not the ellipsoid: the geoid offset is not applied), ``ce`` our estimated
horizontal error, ``le`` unknown (CoT's 9999999).
"""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET

from dronewatch.exports.atomic import Job
from dronewatch.exports.geo_data import GeoExport, LocatedSighting, iso_utc
from dronewatch.store import SightingsReader

UNKNOWN = "9999999.0"
STALE_AFTER_S = 300.0


def uid(s: LocatedSighting) -> str:
    """Stable across exports: the clip's content and the sighting's id."""
    digest = s.row.clip_hash.split(":")[-1][:12] or "clip"
    return f"dronewatch-{digest}-{s.row.sighting_id}"


def _event(root: ET.Element, s: LocatedSighting, now_us: int, hae: float | None) -> ET.Element:
    r = s.row
    start = s.start_utc_us if s.start_utc_us is not None else now_us
    end = s.end_utc_us if s.end_utc_us is not None else start
    stale = end + round(STALE_AFTER_S * 1e6)
    event = ET.SubElement(
        root,
        "event",
        {
            "version": "2.0",
            "uid": uid(s),
            "type": "a-u-G",
            "time": iso_utc(now_us) or "",
            "start": iso_utc(start) or "",
            "stale": iso_utc(stale) or "",
            "how": "m-g",
        },
    )
    ET.SubElement(
        event,
        "point",
        {
            "lat": f"{s.first.lat:.7f}",
            "lon": f"{s.first.lon:.7f}",
            "hae": UNKNOWN if hae is None else f"{hae:.1f}",
            "ce": f"{s.first.ce_m:.1f}",
            "le": UNKNOWN,
        },
    )
    detail = ET.SubElement(event, "detail")
    ET.SubElement(detail, "contact", {"callsign": f"{r.feed} #{r.track} {r.target_class}"})
    remarks = ET.SubElement(detail, "remarks")
    remarks.text = (
        f"{r.target_class}, {r.status}, {r.start_s:.1f}-{r.end_s:.1f} s into {r.feed}"
        + (f": {r.note}" if r.note else "")
    )
    ET.SubElement(
        detail,
        "dronewatch",
        {"feed": r.feed, "track": str(r.track), "class": r.target_class, "status": r.status},
    )
    return event


def render(reader: SightingsReader, geo: GeoExport, job: Job) -> bytes:
    now_us = round(time.time() * 1e6)
    ground = {
        clip_id: next((f.ground_elevation_m for f in reader.footprints(clip_id)), None)
        for clip_id in {s.row.clip_id for s in geo.sightings}
    }
    root = ET.Element("events")
    for i, s in enumerate(geo.sightings):
        job.step(i, len(geo.sightings))
        _event(root, s, now_us, ground.get(s.row.clip_id))
    ET.indent(root, space=" ")
    text = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + text + "\n").encode(
        "utf-8"
    )
