"""KML 2.2 of sightings on the ground, for Google Earth and most GIS tools.

A Document with a folder of Placemarks (a Point at each sighting's first ground
position, its details in the description and ExtendedData), a folder of tracks
(LineStrings) and a folder of camera footprints (Polygons, one a second). KML
coordinates are ``lon,lat`` with the altitude left out (clamped to the ground).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from dronewatch.exports.atomic import Job
from dronewatch.exports.geo_data import GeoExport, LocatedSighting, iso_utc
from dronewatch.exports.geojson import ring
from dronewatch.exports.model import ExportData

KML_NS = "http://www.opengis.net/kml/2.2"
_STYLE = {"vehicle": "ff00bfff", "person": "ffff9933", "unknown": "ffff00ff"}  # aabbggrr


def _coords(points: list[list[float]]) -> str:
    return " ".join(f"{lon:.7f},{lat:.7f}" for lon, lat in points)


def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    el = ET.SubElement(parent, tag)
    if text is not None:
        el.text = text
    return el


def _placemark(folder: ET.Element, s: LocatedSighting) -> None:
    r = s.row
    pm = _sub(folder, "Placemark", None)
    pm.set("id", f"sighting-{r.sighting_id}")
    _sub(pm, "name", f"{r.feed} #{r.track} {r.target_class}")
    _sub(
        pm,
        "description",
        f"{r.status}, {r.start_s:.1f}-{r.end_s:.1f} s into {r.feed}"
        + (f": {r.note}" if r.note else ""),
    )
    if s.start_utc_us is not None:
        span = _sub(pm, "TimeSpan")
        _sub(span, "begin", iso_utc(s.start_utc_us))
        _sub(span, "end", iso_utc(s.end_utc_us or s.start_utc_us))
    _sub(pm, "styleUrl", f"#{r.target_class}")
    ext = _sub(pm, "ExtendedData")
    for key, value in (
        ("feed", r.feed),
        ("track", str(r.track)),
        ("class", r.target_class),
        ("status", r.status),
        ("start", f"{r.start_s:.4f}"),
        ("end", f"{r.end_s:.4f}"),
        ("note", r.note),
        ("ce_m", f"{s.first.ce_m:.2f}"),
    ):
        data = _sub(ext, "Data")
        data.set("name", key)
        _sub(data, "value", value)
    point = _sub(pm, "Point")
    _sub(point, "coordinates", _coords([[s.first.lon, s.first.lat]]))


def render(data: ExportData, geo: GeoExport, job: Job) -> bytes:
    root = ET.Element("kml", {"xmlns": KML_NS})
    doc = _sub(root, "Document")
    _sub(doc, "name", "DroneWatch sightings")
    _sub(doc, "description", f"{len(geo.sightings)} located sightings ({data.filters.summary()})")
    for cls, colour in _STYLE.items():
        style = _sub(doc, "Style")
        style.set("id", cls)
        _sub(_sub(style, "IconStyle"), "color", colour)
        line = _sub(style, "LineStyle")
        _sub(line, "color", colour)
        _sub(line, "width", "2")
    sightings = _sub(doc, "Folder")
    _sub(sightings, "name", "Sightings")
    for i, s in enumerate(geo.sightings):
        job.step(i, len(geo.sightings))
        _placemark(sightings, s)
    tracks = _sub(doc, "Folder")
    _sub(tracks, "name", "Tracks")
    for s in geo.sightings:
        if len(s.positions) < 2:
            continue
        pm = _sub(tracks, "Placemark")
        _sub(pm, "name", f"{s.row.feed} #{s.row.track} track")
        _sub(pm, "styleUrl", f"#{s.row.target_class}")
        line = _sub(pm, "LineString")
        _sub(line, "tessellate", "1")
        _sub(line, "coordinates", _coords([[p.lon, p.lat] for p in s.positions]))
    footprints = _sub(doc, "Folder")
    _sub(footprints, "name", "Camera footprints")
    for feed, f in geo.footprints:
        pm = _sub(footprints, "Placemark")
        _sub(pm, "name", f"{feed} frame {f.frame}")
        poly = _sub(pm, "Polygon")
        outer = _sub(_sub(poly, "outerBoundaryIs"), "LinearRing")
        _sub(outer, "coordinates", _coords(ring([c for c in f.corners if c is not None])))
    ET.indent(root, space=" ")
    text = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n").encode("utf-8")
