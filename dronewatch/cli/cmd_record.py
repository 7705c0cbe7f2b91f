"""``dronewatch record``: save a live stream to a file as it comes, without re-encoding."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from dronewatch.errors import DroneWatchError, SourceError
from dronewatch.sources.stream_url import STREAM_SCHEMES, is_stream_url

if TYPE_CHECKING:
    from dronewatch.sources.stream import StreamSource

_PROGRESS_S = 1.0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "record",
        help="record a live stream (RTSP, UDP MPEG-TS, ...) to a .ts or .mkv file",
        description=(
            "Remux the video and KLV data of a live stream into FILE (MPEG-TS for .ts, "
            "Matroska for .mkv) without re-encoding, from its first keyframe on. Stops "
            "after --seconds or on Ctrl+C. A stream that drops is reconnected (0.5 s "
            "back-off doubling to 8 s) and recording goes on into the same file. "
            f"URL schemes: {', '.join(STREAM_SCHEMES)}."
        ),
    )
    parser.add_argument("url", metavar="URL", help="stream URL, e.g. udp://127.0.0.1:5000")
    parser.add_argument("--out", type=Path, required=True, metavar="FILE", help=".ts or .mkv")
    parser.add_argument(
        "--seconds", type=float, default=None, help="stop after this long (default: Ctrl+C)"
    )
    parser.add_argument(
        "--connect-timeout",
        type=float,
        default=15.0,
        metavar="S",
        help="give up if no data came within S seconds (default: 15)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from dronewatch.sources.stream import StreamSource  # deferred: PyAV is slow to import

    url: str = args.url
    if not is_stream_url(url):
        raise SourceError(url, f"not a stream URL (schemes: {', '.join(STREAM_SCHEMES)})")
    source = StreamSource(url, decode=False)
    try:
        source.start_recording(args.out)
        return _record(source, args)
    finally:
        source.stop_recording()
        source.close()


def _record(source: StreamSource, args: argparse.Namespace) -> int:
    start = time.monotonic()
    live_since: float | None = None
    next_progress = start + _PROGRESS_S
    try:
        while True:
            time.sleep(0.1)
            now = time.monotonic()
            if live_since is None and source.packets:
                live_since = now
            if live_since is None and now - start > args.connect_timeout:
                waited = f"{args.connect_timeout:g} s"
                raise DroneWatchError(f"nothing received in {waited}: {source.state}")
            recorded_s = 0.0 if live_since is None else now - live_since
            if args.seconds is not None and recorded_s >= args.seconds:
                break
            if not args.quiet and now >= next_progress:
                next_progress = now + _PROGRESS_S
                print(_progress(source, now - start), file=sys.stderr)
    except KeyboardInterrupt:
        pass
    path = source.stop_recording()
    if not args.quiet:
        print(f"recorded {args.out}", file=sys.stderr)
    return 0 if path is not None else 1


def _progress(source: StreamSource, elapsed: float) -> str:
    delay = source.delay_s
    delay_text = "" if delay is None else f", delay {delay:.2f} s ({source.delay_kind})"
    return f"{elapsed:6.1f} s  {source.state}  {source.packets} packets{delay_text}"
