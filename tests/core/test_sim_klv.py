"""``dronewatch simulate --klv``: the MPEG-TS with ST 0601 KLV read back, its values
against the camera, the ground truth's ground positions, and the default output kept
byte for byte."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from dronewatch.cli import main
from dronewatch.errors import DroneWatchError
from dronewatch.sim import Renderer, make_scenario, read_mot
from dronewatch.sim.telemetry import (
    GEO_GT_HEADER,
    GeoOrigin,
    SimTelemetry,
    parse_origin,
    read_geo_ground_truth,
)
from dronewatch.telemetry import read_klv, video_frame_times
from dronewatch.telemetry.encode import encode_local_set, quantum
from dronewatch.telemetry.st0601 import TAG_BY_NAME, TAGS, decode_local_set

SECONDS, FPS, SIZE = 3, 25, "320x180"
ORIGIN = "48.6,2.3,95"


def simulate(folder: Path, *extra: str) -> Path:
    args = ["simulate", "--preset", "day-pan", "--seed", "3", "--seconds", str(SECONDS)]
    args += ["--size", SIZE, "--out", str(folder), "--quiet", *extra]
    assert main(args) == 0
    return folder


@pytest.fixture(scope="module")
def klv_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return simulate(tmp_path_factory.mktemp("klv"), "--klv", "--origin", ORIGIN)


@pytest.fixture(scope="module")
def telemetry() -> SimTelemetry:
    scenario = make_scenario("day-pan", seed=3, seconds=SECONDS, fps=FPS, size=SIZE)
    return SimTelemetry(Renderer(scenario), parse_origin(ORIGIN))


def test_klv_writes_ts_and_geo_ground_truth(klv_clip: Path) -> None:
    names = {p.name for p in klv_clip.iterdir()}
    assert names == {
        "day-pan.mp4",
        "day-pan.ts",
        "day-pan.gt.txt",
        "day-pan.gt.geo.csv",
        "day-pan.json",
    }
    doc = json.loads((klv_clip / "day-pan.json").read_text())
    assert doc["telemetry"]["video_klv"] == "day-pan.ts"
    assert doc["telemetry"]["origin"]["lat"] == 48.6


def test_default_output_is_unchanged_by_the_klv_option(klv_clip: Path, tmp_path: Path) -> None:
    plain = simulate(tmp_path)
    assert {p.name for p in plain.iterdir()} == {"day-pan.mp4", "day-pan.gt.txt", "day-pan.json"}
    for name in ("day-pan.mp4", "day-pan.gt.txt"):
        assert (plain / name).read_bytes() == (klv_clip / name).read_bytes(), name
    with_klv = json.loads((klv_clip / "day-pan.json").read_text())
    del with_klv["telemetry"]
    assert json.loads((plain / "day-pan.json").read_text()) == with_klv


def test_one_valid_packet_per_frame_at_the_frames_pts(klv_clip: Path) -> None:
    ts = klv_clip / "day-pan.ts"
    result = read_klv(ts)
    frames = video_frame_times(ts)
    assert len(frames) == SECONDS * FPS
    assert len(result.packets) == len(frames) and result.skipped == 0
    assert all(p.checksum_ok for p in result.packets)
    assert [p.pts_s for p in result.packets] == pytest.approx(frames, abs=1e-6)


def test_klv_values_equal_the_camera_within_quantisation(
    klv_clip: Path, telemetry: SimTelemetry
) -> None:
    packets = read_klv(klv_clip / "day-pan.ts").packets
    for i, packet in enumerate(packets):
        expected = telemetry.values(i)
        assert set(expected) == set(packet.values), i
        for name, want in expected.items():
            got = packet.values[name]
            if isinstance(want, float):
                step = quantum(name)
                if name.endswith(("heading_angle", "azimuth_angle", "roll_angle")):
                    want = want % 360.0
                    gap = abs((got - want + 180.0) % 360.0 - 180.0)  # type: ignore[operator]
                else:
                    gap = abs(got - want)  # type: ignore[operator]
                assert gap <= step / 2 + 1e-9, (i, name, got, want)
            else:
                assert got == want, (i, name)


def test_klv_describes_a_plausible_drone(klv_clip: Path) -> None:
    v = read_klv(klv_clip / "day-pan.ts").packets[0].values
    assert v["precision_time_stamp"] == GeoOrigin().start_utc_us
    assert 95 + 90 < v["sensor_true_altitude"] < 95 + 130  # type: ignore[operator]
    assert -70 < v["sensor_relative_elevation_angle"] < -45  # type: ignore[operator]
    assert 100 < v["slant_range"] < 160  # type: ignore[operator]
    assert abs(v["frame_center_latitude"] - 48.6) < 0.01  # type: ignore[operator]
    for k in range(1, 5):
        assert abs(v[f"corner_longitude_point_{k}"] - 2.3) < 0.01  # type: ignore[operator]


def test_geo_ground_truth_matches_the_mot_rows(klv_clip: Path) -> None:
    text = (klv_clip / "day-pan.gt.geo.csv").read_text()
    assert text.splitlines()[0] == GEO_GT_HEADER
    geo = read_geo_ground_truth(klv_clip / "day-pan.gt.geo.csv")
    boxes = read_mot(klv_clip / "day-pan.gt.txt")
    assert set(geo) == {(b.frame, b.id) for b in boxes}
    for lat, lon in geo.values():
        assert abs(lat - 48.6) < 0.01 and abs(lon - 2.3) < 0.01


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("51.2,-1.8", (51.2, -1.8, 140.0)),
        (" -33.9 , 151.2 , 20 ", (-33.9, 151.2, 20.0)),
        ("91,0", DroneWatchError),
        ("north", DroneWatchError),
        ("1,2,3,4", DroneWatchError),
    ],
)
def test_parse_origin(text: str, expected: object) -> None:
    if expected is DroneWatchError:
        with pytest.raises(DroneWatchError):
            parse_origin(text)
    else:
        o = parse_origin(text)
        assert (o.lat, o.lon, o.ground_alt_m) == expected


MAPPED = sorted(
    name for name, tag in TAG_BY_NAME.items() if TAGS[tag].kind in ("uint", "int", "imapb")
)


@pytest.mark.parametrize("name", MAPPED)
@pytest.mark.parametrize("where", [0.0, 0.123456, 0.5, 0.987654, 1.0])
def test_encoder_round_trips_every_mapped_item(name: str, where: float) -> None:
    spec = TAGS[TAG_BY_NAME[name]]
    value = spec.lo + where * (spec.hi - spec.lo)
    if spec.kind == "int" and where == 0.0:
        value = spec.lo + quantum(name)  # the most negative raw value means "out of range"
    packet = decode_local_set(encode_local_set({name: value, "precision_time_stamp": 7}))
    assert packet.checksum_ok and packet.undecoded_tags == ()
    got = packet.values[name]
    assert isinstance(got, float)
    if spec.hi == 360.0 and spec.kind == "uint":
        assert math.isclose(got % 360.0, value % 360.0, abs_tol=quantum(name))
    else:
        # Linear maps round to the nearest step; ST 1201 (IMAPB) truncates.
        bound = quantum(name) if spec.kind == "imapb" else quantum(name) / 2
        assert abs(got - value) <= bound + 1e-9 * max(1.0, abs(value))


def test_encoder_text_integers_and_errors() -> None:
    values = {"mission_id": "Zürich-1", "uas_ls_version_number": 19, "outside_air_temperature": -12}
    packet = decode_local_set(encode_local_set(values))
    assert packet.checksum_ok and packet.values == values
    with pytest.raises(ValueError, match="sensor_latitude"):
        encode_local_set({"sensor_latitude": 91.0})
    with pytest.raises(ValueError, match="unknown"):
        encode_local_set({"no_such_item": 1})
