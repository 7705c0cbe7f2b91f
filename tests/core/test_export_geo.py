"""Ground positions end to end: simulate with KLV, analyse, ``dronewatch geo``, then the
GeoJSON, KML and Cursor-on-Target exports read back with json and xml.etree; and the
one-line refusal of every map format when no sighting has a position."""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest

from dronewatch.cli import main
from dronewatch.exports import export_sightings
from dronewatch.store import SightingsReader
from tests.core.test_export_helpers import build_review_db
from tests.core.test_sim_klv import simulate

KML = "{http://www.opengis.net/kml/2.2}"
ORIGIN = (-33.86, 151.21)  # south and east: a swapped lat/lon would show at once


@dataclass(frozen=True)
class GeoDb:
    folder: Path
    db: Path
    summary: str


@pytest.fixture(scope="module")
def geo_db(tmp_path_factory: pytest.TempPathFactory) -> GeoDb:
    folder = simulate(tmp_path_factory.mktemp("geo-export"), "--klv", "--origin=-33.86,151.21")
    db = folder / "s.db"
    assert main(["analyze", str(folder / "day-pan.mp4"), "--db", str(db), "--workers", "1"]) == 0
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["geo", str(folder / "day-pan.mp4"), "--db", str(db)]) == 0
    return GeoDb(folder, db, out.getvalue())


def near_origin(lon: float, lat: float) -> bool:
    return abs(lat - ORIGIN[0]) < 0.01 and abs(lon - ORIGIN[1]) < 0.01


def test_geo_command_stores_positions_and_footprints(geo_db: GeoDb) -> None:
    assert "telemetry from day-pan.ts" in geo_db.summary
    assert "75/75 frames on the ground (75 by corners)" in geo_db.summary
    with SightingsReader(geo_db.db) as r:
        (clip,) = r.clips()
        sightings = r.sightings()
        footprints = r.footprints(clip.id)
        assert r.has_geo and len(footprints) == 75
        assert all(None not in f.corners and f.utc_us is not None for f in footprints)
        for s in sightings:
            positions = r.sighting_positions(s.id)
            path = r.sighting_path(s.id)
            assert [p.frame for p in positions] == [int(f) for f in path[:, 0]]
            assert all(near_origin(p.lon, p.lat) and p.ce_m >= 1.0 for p in positions)
        assert r.count_positions(clip.id) == r.count_positions() > 50


def test_geo_command_errors_are_one_line(geo_db: GeoDb, tmp_path: Path, capsys) -> None:
    other = tmp_path / "other.mp4"
    other.write_bytes(b"not analysed")
    assert main(["geo", str(other), "--db", str(geo_db.db)]) == 1
    err = capsys.readouterr().err.strip()
    assert "not analysed" in err and len(err.splitlines()) == 1
    assert main(["geo", str(geo_db.folder / "day-pan.mp4"), "--db", str(tmp_path / "x.db")]) == 1
    assert "no sightings database" in capsys.readouterr().err


def test_geojson_is_valid_rfc7946(geo_db: GeoDb, tmp_path: Path) -> None:
    out = tmp_path / "map.geojson"
    result = export_sightings(geo_db.db, "geojson", out)
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection"
    kinds: dict[str, int] = {}
    for f in doc["features"]:
        assert f["type"] == "Feature"
        geom, props = f["geometry"], f["properties"]
        kinds[props["kind"]] = kinds.get(props["kind"], 0) + 1
        if props["kind"] == "sighting":
            assert geom["type"] == "Point"
            assert {"feed", "track", "class", "status", "start", "end", "note"} <= set(props)
            points = [geom["coordinates"]]
            assert props["start_utc"].startswith("2024-06-01T10:00:")
        elif props["kind"] == "track":
            assert geom["type"] == "LineString" and len(geom["coordinates"]) >= 2
            points = geom["coordinates"]
        else:
            assert props["kind"] == "footprint" and geom["type"] == "Polygon"
            (ring,) = geom["coordinates"]
            assert len(ring) == 5 and ring[0] == ring[-1]  # closed
            area2 = sum(a[0] * b[1] - b[0] * a[1] for a, b in itertools.pairwise(ring))
            assert area2 > 0  # counter-clockwise exterior ring
            points = ring
        for lon, lat in points:  # [lon, lat], inside the valid ranges, at the origin
            assert -180 <= lon <= 180 and -90 <= lat <= 90 and near_origin(lon, lat)
    assert kinds["sighting"] == result.sightings > 0
    assert kinds["track"] >= 1 and kinds["footprint"] == 3  # one a second of a 3 s clip


def test_kml_parses_with_placemarks_and_linestrings(geo_db: GeoDb, tmp_path: Path) -> None:
    out = tmp_path / "map.kml"
    result = export_sightings(geo_db.db, "kml", out)
    root = ET.parse(out).getroot()
    assert root.tag == f"{KML}kml"
    points = root.findall(f".//{KML}Placemark/{KML}Point/{KML}coordinates")
    lines = root.findall(f".//{KML}Placemark/{KML}LineString/{KML}coordinates")
    assert len(points) == result.sightings and lines
    for el in points + lines:
        for pair in (el.text or "").split():
            lon, lat = (float(v) for v in pair.split(","))
            assert near_origin(lon, lat)


def test_cot_events_parse(geo_db: GeoDb, tmp_path: Path) -> None:
    out = tmp_path / "sightings.cot"
    result = export_sightings(geo_db.db, "cot", out)
    root = ET.parse(out).getroot()
    events = root.findall("event")
    assert len(events) == result.sightings > 0
    uids = set()
    for ev in events:
        assert ev.get("version") == "2.0" and ev.get("type") == "a-u-G"
        assert ev.get("how") == "m-g"
        for key in ("time", "start", "stale"):
            assert (ev.get(key) or "").endswith("Z")
        assert (ev.get("start") or "") < (ev.get("stale") or "")
        uids.add(ev.get("uid"))
        point = ev.find("point")
        assert point is not None
        lat, lon = float(point.get("lat", "nan")), float(point.get("lon", "nan"))
        assert near_origin(lon, lat)
        assert float(point.get("hae", "nan")) == pytest.approx(140.0, abs=0.5)
        assert 1.0 <= float(point.get("ce", "nan")) < 20 and math.isfinite(float(point.get("le")))
    assert len(uids) == len(events)


def test_time_filter_applies_to_positions(geo_db: GeoDb, tmp_path: Path) -> None:
    from dronewatch.exports import ExportFilter

    out = tmp_path / "late.geojson"
    export_sightings(geo_db.db, "geojson", out, ExportFilter(from_s=2.0))
    doc = json.loads(out.read_text())
    frames = [
        f["properties"]["frame"] for f in doc["features"] if f["properties"]["kind"] == "footprint"
    ]
    assert frames == [50]


@pytest.mark.parametrize("fmt", ["geojson", "kml", "cot"])
def test_map_exports_refuse_without_positions(fmt: str, tmp_path: Path, capsys) -> None:
    db = build_review_db(tmp_path / "review.db")
    out = tmp_path / f"map.{fmt}"
    assert main(["export", "--db", str(db), "--format", fmt, "--out", str(out)]) == 1
    err = capsys.readouterr().err.strip()
    assert "ground positions" in err and len(err.splitlines()) == 1
    assert not out.exists() and not [p for p in tmp_path.iterdir() if ".part" in p.name]
