"""``dronewatch klv``: print the KLV telemetry (MISB ST 0601 or EG 0104) of a raw KLV
file or of a video container's data stream, as a table or as JSON lines."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

from dronewatch.errors import DroneWatchError
from dronewatch.telemetry import KlvPacket, read_klv

#: Columns of the table view: (header, value name, format).
_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("sensor_lat", "sensor_latitude", "{:.6f}"),
    ("sensor_lon", "sensor_longitude", "{:.6f}"),
    ("alt_m", "sensor_true_altitude", "{:.1f}"),
    ("heading", "platform_heading_angle", "{:.1f}"),
    ("hfov", "sensor_horizontal_fov", "{:.2f}"),
    ("centre_lat", "frame_center_latitude", "{:.6f}"),
    ("centre_lon", "frame_center_longitude", "{:.6f}"),
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "klv",
        help="print the KLV telemetry (MISB ST 0601 / EG 0104) of a file",
        description=(
            "Decode the KLV telemetry of FILE: a raw file of back-to-back KLV packets "
            "(.klv, .bin) or a video container with a KLV data stream (MPEG-TS, ...). "
            "MISB ST 0601 (UAS Datalink Local Set, checksum verified) and the older "
            "EG 0104 universal set are read. Malformed packets are skipped and counted; "
            "a summary goes to stderr."
        ),
    )
    parser.add_argument("file", type=Path, metavar="FILE", help="raw KLV file or container")
    parser.add_argument(
        "--json",
        action="store_true",
        help="one JSON object per packet and line, with ST 0601 snake_case names "
        "(precision_time_stamp in microseconds since the UNIX epoch), checksum_ok, "
        "pts_s and standard",
    )
    parser.set_defaults(func=run)


def packet_record(packet: KlvPacket) -> dict[str, object]:
    """A packet as one flat JSON-ready dict: its values, then checksum and timing."""
    record: dict[str, object] = dict(packet.values)
    record["checksum_ok"] = packet.checksum_ok
    record["pts_s"] = packet.pts_s
    record["standard"] = packet.standard
    return record


def _utc(micros: object) -> str:
    if not isinstance(micros, int):
        return "-"
    try:
        when = dt.datetime.fromtimestamp(micros / 1e6, dt.UTC)
    except (OverflowError, OSError, ValueError):
        return "?"
    return when.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def _cell(value: object, fmt: str) -> str:
    if isinstance(value, float):
        return fmt.format(value)
    return "-" if value is None else str(value)


def _print_table(packets: tuple[KlvPacket, ...]) -> None:
    headers = ["#", "pts_s", "time_utc", *(h for h, _, _ in _COLUMNS), "checksum"]
    rows = []
    for i, p in enumerate(packets):
        checksum = {True: "ok", False: "BAD", None: "-"}[p.checksum_ok]
        rows.append(
            [
                str(i),
                "-" if p.pts_s is None else f"{p.pts_s:.3f}",
                _utc(p.values.get("precision_time_stamp")),
                *(_cell(p.values.get(name), fmt) for _, name, fmt in _COLUMNS),
                checksum,
            ]
        )
    widths = [max(len(r[c]) for r in [headers, *rows]) for c in range(len(headers))]
    for row in [headers, *rows]:
        print("  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)))
    if packets:
        first = packets[0]
        for name in ("platform_tail_number", "platform_designation", "mission_id"):
            if first.values.get(name):
                print(f"{name}: {first.values[name]}")


def run(args: argparse.Namespace) -> int:
    result = read_klv(args.file)
    if not result.packets:
        raise DroneWatchError(
            f"{args.file}: no KLV packet could be decoded ({result.skipped} malformed skipped)"
        )
    try:
        if args.json:
            for packet in result.packets:
                print(json.dumps(packet_record(packet), allow_nan=False))
        else:
            _print_table(result.packets)
        sys.stdout.flush()
    except BrokenPipeError:
        # Output piped into `head` and closed early: not an error. Point stdout at
        # /dev/null so the interpreter's final flush does not complain either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    standards = sorted({p.standard for p in result.packets})
    print(
        f"{args.file}: {len(result.packets)} packets read ({', '.join(standards)}), "
        f"{result.skipped} skipped (malformed), {result.bad_checksums} bad checksums",
        file=sys.stderr,
    )
    return 0
