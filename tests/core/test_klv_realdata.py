"""Real KLV recorded by others (../shared/realdata): ST 0601 raw packets and EG 0104 in
MPEG-TS, checked against the values listed in its MANIFEST."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dronewatch.telemetry import EG0104, ST0601, match_frames, read_klv, video_frame_times
from tests.clips import REALDATA

pytestmark = pytest.mark.realdata


def realdata(*parts: str) -> Path:
    path = REALDATA.joinpath(*parts)
    if not path.is_file():
        pytest.skip(f"real data not present: {path} (see shared/realdata/MANIFEST.md)")
    return path


def utc(micros: object) -> dt.datetime:
    assert isinstance(micros, int)
    return dt.datetime.fromtimestamp(micros / 1e6, dt.UTC)


def test_cheyenne_st0601():
    result = read_klv(realdata("klv-st0601", "Cheyenne.bin"))
    assert len(result.packets) == 407
    assert result.skipped == 0
    assert result.bad_checksums == 0
    assert all(p.checksum_ok is True and p.standard == ST0601 for p in result.packets)
    first = result.packets[0].values
    assert utc(first["precision_time_stamp"]).isoformat(timespec="milliseconds") == (
        "2012-09-19T20:40:44.105+00:00"
    )
    assert first["platform_tail_number"] == "N97826"
    assert first["sensor_latitude"] == pytest.approx(41.14385, abs=5e-6)
    assert first["sensor_longitude"] == pytest.approx(-104.80560, abs=5e-6)
    assert first["uas_ls_version_number"] == 1
    # Plausible physical ranges for every packet of a real flight.
    for packet in result.packets:
        v = packet.values
        assert 0 <= v["platform_heading_angle"] <= 360
        assert 1000 < v["sensor_true_altitude"] < 5000
        assert 0 < v["sensor_horizontal_fov"] < 180
        assert abs(v["frame_center_latitude"] - 41.14) < 0.2
    last = result.packets[-1].values["precision_time_stamp"]
    span_s = (last - first["precision_time_stamp"]) / 1e6
    assert 84 < span_s < 86  # "84.9 s of a real flight"


def test_cheyenne_decodes_every_listed_tag():
    result = read_klv(realdata("klv-st0601", "Cheyenne.bin"))
    undecoded = {t for p in result.packets for t in p.undecoded_tags}
    assert undecoded <= {48}  # the nested ST 0102 security set only


def test_day_flight_st0601():
    result = read_klv(realdata("klv-st0601", "Day_Flight.klv"))
    assert len(result.packets) == 6
    assert (result.skipped, result.bad_checksums) == (0, 0)
    first = result.packets[0].values
    assert first["sensor_latitude"] == pytest.approx(54.6813, abs=1e-4)
    assert first["sensor_longitude"] == pytest.approx(-110.1686, abs=1e-4)
    assert utc(first["precision_time_stamp"]).date() == dt.date(2009, 6, 17)


@pytest.mark.parametrize(("name", "count"), [("aphill_klv_10s.ts", 300), ("aphill_short.ts", 48)])
def test_aphill_eg0104_in_mpeg_ts(name, count):
    result = read_klv(realdata("aphill-klv", name))
    assert len(result.packets) == count
    assert result.skipped == 0
    assert all(p.standard == EG0104 and p.checksum_ok is None for p in result.packets)
    times = [p.pts_s for p in result.packets]
    assert all(t is not None for t in times)
    assert times == sorted(times)
    for packet in result.packets:
        v = packet.values
        assert abs(v["sensor_latitude"] - 38.2) < 0.1
        assert abs(v["sensor_longitude"] + 77.36) < 0.1
        assert {f"corner_latitude_point_{i}" for i in range(1, 5)} <= set(v)


def test_aphill_10s_known_values():
    first = read_klv(realdata("aphill-klv", "aphill_klv_10s.ts")).packets[0]
    v = first.values
    assert v["sensor_latitude"] == pytest.approx(38.15993, abs=1e-9)
    assert v["sensor_longitude"] == pytest.approx(-77.356214, abs=1e-9)
    assert v["sensor_true_altitude"] == pytest.approx(1984.6, abs=1e-3)
    assert v["precision_time_stamp"] == 1221665012027000
    assert first.pts_s == pytest.approx(2.4)


def test_aphill_short_klv_matches_frames():
    path = realdata("aphill-klv", "aphill_short.ts")
    result = read_klv(path)
    frames = video_frame_times(path)
    assert len(frames) == 48  # interlaced: 96 field packets, 48 frames
    held = match_frames(result.packets, frames)
    assert all(
        p is not None and p.pts_s is not None and p.pts_s <= t
        for p, t in zip(held, frames, strict=True)
    )
    near = match_frames(result.packets, frames, tolerance_s=0.005)
    # The KLV runs one frame ahead of the video: a packet at 1.400 s before the first
    # frame (1.433 s), then one per frame stamped with the frame's own time, none for
    # the last frame (3.002 s), which holds the previous packet.
    assert result.packets[0].pts_s == pytest.approx(1.4)
    assert all(p is not None for p in near[:-1])
    assert len({id(p) for p in near[:-1]}) == 47
    assert near[-1] is None
    assert held[-1] is result.packets[-1]
