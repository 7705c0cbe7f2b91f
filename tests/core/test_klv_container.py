"""Matching KLV packets to video frames by presentation time, and KLV muxed into a
container we make here (PyAV writes a KLV data stream into MPEG-TS)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from dronewatch.errors import SourceError
from dronewatch.telemetry import KlvPacket, match_frames, read_klv
from tests.core.test_klv_st0601 import build_st0601


def pkt(t: float | None) -> KlvPacket:
    return KlvPacket(values={"t": t}, checksum_ok=True, pts_s=t, raw_len=0, standard="ST0601")


def times(matched: list[KlvPacket | None]) -> list[float | None]:
    return [None if p is None else p.pts_s for p in matched]


def test_match_holds_latest_packet_at_or_before():
    packets = [pkt(1.0), pkt(0.0), pkt(2.0), pkt(None)]  # unsorted, one untimed
    frames = [-0.5, 0.0, 0.4, 1.0, 1.99, 2.0, 7.0]
    assert times(match_frames(packets, frames)) == [None, 0.0, 0.0, 1.0, 1.0, 2.0, 2.0]


def test_match_nearest_within_tolerance():
    packets = [pkt(0.0), pkt(1.0), pkt(2.0)]
    frames = [-0.05, 0.04, 0.5, 0.96, 1.5, 2.2]
    assert times(match_frames(packets, frames, tolerance_s=0.1)) == [
        0.0,
        0.0,
        None,
        1.0,
        None,
        None,
    ]
    # a tie goes to the earlier packet
    assert times(match_frames(packets, [0.5], tolerance_s=0.5)) == [0.0]


def test_match_with_no_packets():
    assert match_frames([], [0.0, 1.0]) == [None, None]


def test_read_klv_missing_file(tmp_path):
    with pytest.raises(SourceError, match="no such file"):
        read_klv(tmp_path / "nope.klv")


def test_read_klv_not_klv(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello, not KLV at all\n" * 20)
    with pytest.raises(SourceError, match="not KLV"):
        read_klv(path)


def test_raw_file_with_leading_junk(tmp_path):
    path = tmp_path / "junk.bin"
    path.write_bytes(b"junk" + build_st0601([(65, bytes([17]))]))
    result = read_klv(path)
    assert [p.values for p in result.packets] == [{"uas_ls_version_number": 17}]
    assert result.skipped == 1


def test_klv_muxed_in_mpeg_ts(tmp_path):
    av = pytest.importorskip("av")
    path = tmp_path / "klv.ts"
    tb = Fraction(1, 90000)
    with av.open(str(path), "w", format="mpegts") as out:
        try:
            stream = out.add_data_stream("klv")
        except (AttributeError, TypeError, ValueError) as exc:  # older PyAV
            pytest.skip(f"this PyAV cannot write a KLV data stream: {exc}")
        for i in range(5):
            data = build_st0601([(2, (1000 + i).to_bytes(8, "big")), (65, bytes([19]))])
            packet = av.Packet(data)
            packet.stream = stream
            packet.pts = packet.dts = 90000 + i * 3000
            packet.time_base = tb
            out.mux(packet)
    result = read_klv(path)
    assert [p.values["precision_time_stamp"] for p in result.packets] == [
        1000 + i for i in range(5)
    ]
    assert [p.pts_s for p in result.packets] == pytest.approx([1.0 + i / 30 for i in range(5)])
    assert all(p.checksum_ok for p in result.packets)
