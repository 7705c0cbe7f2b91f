"""``dronewatch klv FILE [--json]`` end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dronewatch.cli import main
from tests.clips import REALDATA
from tests.core.test_klv_st0601 import build_st0601, enc_int, enc_uint

REQUIRED_KEYS = {
    "precision_time_stamp",
    "platform_heading_angle",
    "sensor_latitude",
    "sensor_longitude",
    "sensor_true_altitude",
    "sensor_horizontal_fov",
    "sensor_vertical_fov",
    "frame_center_latitude",
    "frame_center_longitude",
    "frame_center_elevation",
    "checksum_ok",
}


def flight_packet(i: int) -> bytes:
    return build_st0601(
        [
            (2, (1_348_087_244_105_300 + i * 100_000).to_bytes(8, "big")),
            (4, b"N97826"),
            (5, enc_uint(201.27, 2, 0, 360)),
            (13, enc_int(41.14385, 4, 90)),
            (14, enc_int(-104.8056, 4, 180)),
            (15, enc_uint(2936.4, 2, -900, 19000)),
            (16, enc_uint(18.65, 2, 0, 180)),
            (17, enc_uint(10.49, 2, 0, 180)),
            (23, enc_int(41.1383, 4, 90)),
            (24, enc_int(-104.7855, 4, 180)),
            (25, enc_uint(1855.4, 2, -900, 19000)),
            (65, bytes([1])),
        ]
    )


@pytest.fixture
def klv_file(tmp_path: Path) -> Path:
    bad = bytearray(flight_packet(2))
    bad[-1] ^= 0x10
    path = tmp_path / "flight.klv"
    path.write_bytes(flight_packet(0) + flight_packet(1) + bytes(bad) + flight_packet(3)[:30])
    return path


def test_json_lines(klv_file, capsys):
    assert main(["klv", str(klv_file), "--json"]) == 0
    out, err = capsys.readouterr()
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == 3
    for record in records:
        assert set(record) >= REQUIRED_KEYS
        assert isinstance(record["precision_time_stamp"], int)
        assert record["sensor_latitude"] == pytest.approx(41.14385, abs=1e-7)
        assert record["sensor_longitude"] == pytest.approx(-104.8056, abs=1e-7)
        assert record["platform_tail_number"] == "N97826"
    assert [r["checksum_ok"] for r in records] == [True, True, False]
    assert records[1]["precision_time_stamp"] == 1_348_087_244_205_300
    assert "3 packets read" in err
    assert "1 skipped (malformed)" in err
    assert "1 bad checksums" in err


def test_table(klv_file, capsys):
    assert main(["klv", str(klv_file)]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert "sensor_lat" in lines[0] and "checksum" in lines[0]
    assert "2012-09-19 20:40:44.105" in lines[1]
    assert "41.143850" in lines[1] and lines[3].rstrip().endswith("BAD")
    assert "platform_tail_number: N97826" in out
    assert "3 packets read" in err


@pytest.mark.parametrize("content", [None, b"", b"plain text, not KLV\n" * 10, bytes(range(256))])
def test_missing_or_non_klv_file_is_a_one_line_error(tmp_path, capsys, content):
    path = tmp_path / "input.klv"
    if content is not None:
        path.write_bytes(content)
    assert main(["klv", str(path)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("dronewatch: error: ")
    assert len(err.strip().splitlines()) == 1


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("parts", "count"),
    [(("klv-st0601", "Cheyenne.bin"), 407), (("aphill-klv", "aphill_klv_10s.ts"), 300)],
)
def test_real_files_as_json(capsys, parts, count):
    path = REALDATA.joinpath(*parts)
    if not path.is_file():
        pytest.skip(f"real data not present: {path}")
    assert main(["klv", str(path), "--json"]) == 0
    out, err = capsys.readouterr()
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == count
    first = records[0]
    assert isinstance(first["precision_time_stamp"], int)
    assert {"sensor_latitude", "sensor_longitude", "checksum_ok"} <= set(first)
    assert f"{count} packets read" in err
    assert "0 skipped (malformed), 0 bad checksums" in err
