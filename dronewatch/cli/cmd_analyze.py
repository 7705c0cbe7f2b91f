"""``dronewatch analyze``: analyse every frame of clips and save their sightings.

Progress goes to stderr (one line rewritten in place on a terminal, a line per finished
clip otherwise), the summary table to stdout. The exit code is 0 when every clip was
analysed to its end, 1 otherwise; a failing clip never stops the others.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import TextIO

from dronewatch.clip_identity import content_hash
from dronewatch.config_overrides import Overrides, add_set_option, overrides_of
from dronewatch.errors import DroneWatchError
from dronewatch.paths import default_db_path
from dronewatch.sightings.clip_job import (
    DEFAULT_ANALYZER,
    ClipBatch,
    ClipJob,
    ClipMessage,
    ClipOpened,
    ClipResult,
    make_analyzer,
)

CLIP_SUFFIXES = frozenset({".mp4", ".avi", ".mkv", ".mov", ".ts"})


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "analyze",
        help="analyse clips and save their sightings",
        description="Analyse every frame of each clip (or of every clip in a folder) and "
        "save the sightings to the local database.",
    )
    p.add_argument("feeds", nargs="+", metavar="FEED_OR_FOLDER", help="video file or folder")
    p.add_argument("--db", type=Path, help=f"sightings database (default: {default_db_path()})")
    p.add_argument("--mot-dir", type=Path, help="also write MOTChallenge tracks to DIR/<clip>.txt")
    p.add_argument("--model", type=Path, help="ONNX detection model to use besides motion")
    p.add_argument(
        "--workers",
        type=int,
        default=min(2, os.cpu_count() or 1),
        help="clips analysed in parallel (default: %(default)s)",
    )
    p.add_argument(
        "--cluster",
        metavar="ADDRESS",
        help="analyse on the workers of a running Dask cluster (e.g. tcp://host:8786); "
        "clips already analysed with the same settings are skipped",
    )
    p.add_argument(
        "--local-cluster",
        type=int,
        metavar="N",
        help="like --cluster, on a Dask cluster of N worker processes on this machine",
    )
    p.add_argument(
        "--retries",
        type=int,
        default=2,
        help="with a cluster: retries of a clip whose worker died (default: %(default)s)",
    )
    add_set_option(p)
    # For tests and experiments: another analyser with FeedAnalyzer's signature.
    p.add_argument("--analyzer", default=DEFAULT_ANALYZER, help=argparse.SUPPRESS)
    p.set_defaults(func=run)


def gather_clips(specs: list[str]) -> tuple[list[str], list[str]]:
    """Expand folders into their clips; returns (clips, problems).

    Missing files are passed through so that their failure is reported with the other
    clips' results rather than stopping the run.
    """
    clips: list[str] = []
    problems: list[str] = []
    for spec in specs:
        path = Path(spec).expanduser()
        if path.is_dir():
            found = sorted(
                str(p) for p in path.iterdir() if p.is_file() and p.suffix.lower() in CLIP_SUFFIXES
            )
            if not found:
                problems.append(f"{path}: folder holds no clips (mp4, avi, mkv, mov, ts)")
            clips.extend(found)
        else:
            clips.append(str(path))
    unique = list(dict.fromkeys(clips))  # the same file twice would analyse it twice
    return unique, problems


def identify_clips(clips: list[str]) -> list[tuple[str, str | None]]:
    """Pair clips with their content hash, dropping copies of a clip already listed.

    Two copies analysed at once would both write the same clip's sightings. A clip that
    cannot be read keeps ``None``: its job reports the problem with the other results.
    """
    seen: dict[str, str] = {}
    kept: list[tuple[str, str | None]] = []
    for clip in clips:
        try:
            digest = content_hash(clip)
        except DroneWatchError:
            kept.append((clip, None))
            continue
        if digest in seen:
            print(
                f"dronewatch: skipping {clip}: same content as {seen[digest]}",
                file=sys.stderr,
            )
            continue
        seen[digest] = clip
        kept.append((clip, digest))
    return kept


def check_model(analyzer: str, model: Path | None, overrides: Overrides = ()) -> None:
    """Fail fast, before any clip, on a missing or unloadable model file."""
    if model is None:
        return
    if not model.is_file():
        raise DroneWatchError(f"{model}: model file not found")
    from dronewatch.frames import VideoInfo

    try:
        make_analyzer(analyzer, VideoInfo(25.0, 64, 64, None), model, overrides)
    except DroneWatchError:
        raise
    except Exception as exc:
        raise DroneWatchError(f"{model}: cannot load model ({exc})") from None


class Progress:
    """Per-clip progress on stderr: carriage-return updates on a terminal."""

    def __init__(self, stream: TextIO, total_clips: int) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.total_clips = total_clips
        self.names: dict[int, str] = {}
        self.state: dict[int, tuple[int, int | None]] = {}
        self.started: dict[int, float] = {}
        self.finished = 0
        self._drawn_at = 0.0
        self._width = 0

    def __call__(self, msg: ClipMessage) -> None:
        if isinstance(msg, ClipOpened):
            self.names[msg.job] = msg.clip.name
            self.state[msg.job] = (0, msg.clip.frame_count)
            self.started[msg.job] = time.monotonic()
        elif isinstance(msg, ClipBatch):
            self.state[msg.job] = (msg.frames_done, msg.frame_count)
        elif isinstance(msg, ClipResult):
            self.finished += 1
            self.state.pop(msg.job, None)
            self._clear()
            status = "done" if msg.complete else "FAILED" if not msg.frames else "partial"
            print(
                f"[{self.finished}/{self.total_clips}] {msg.name}: {status}, "
                f"{msg.frames} frames, {msg.sightings} sightings",
                file=self.stream,
                flush=True,
            )
        self._draw(force=isinstance(msg, ClipResult))

    def _bar(self, job: int) -> str:
        done, total = self.state[job]
        elapsed = max(time.monotonic() - self.started.get(job, time.monotonic()), 1e-6)
        rate = f"{done / elapsed:.0f} fps"
        if total:
            frac = min(done / total, 1.0)
            filled = round(frac * 20)
            return f"{self.names[job]} [{'#' * filled}{'.' * (20 - filled)}] {frac:4.0%} {rate}"
        return f"{self.names[job]} {done} frames {rate}"

    def _draw(self, force: bool = False) -> None:
        if not self.tty or not self.state:
            return
        now = time.monotonic()
        if not force and now - self._drawn_at < 0.1:
            return
        self._drawn_at = now
        line = " | ".join(self._bar(job) for job in sorted(self.state))
        pad = max(self._width - len(line), 0)
        self.stream.write("\r" + line + " " * pad)
        self.stream.flush()
        self._width = len(line)

    def _clear(self) -> None:
        if self.tty and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self._width = 0


def summary_table(results: list[ClipResult]) -> str:
    rows = [("feed", "frames", "tracks", "sightings", "time", "speed")]
    for r in results:
        if r.complete:
            frames = f"{r.frames}"
        elif r.frames == 0 and r.frame_count is None:
            frames = "-"  # never opened
        else:
            frames = f"{r.frames}/{r.frame_count or '?'}"
        speed = f"{r.speed:.1f}x" if r.frames else "-"
        rows.append((r.name, frames, str(r.tracks), str(r.sightings), f"{r.wall_s:.1f}s", speed))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(
            cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)
        )
        for row in rows
    ]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from dronewatch.sightings.batch import analyse_clips
    from dronewatch.store import Store

    if args.workers < 1:
        raise DroneWatchError(f"--workers must be at least 1, got {args.workers}")
    clips, problems = gather_clips(args.feeds)
    overrides = overrides_of(args)
    check_model(args.analyzer, args.model, overrides)
    for problem in problems:
        print(f"dronewatch: error: {problem}", file=sys.stderr)
    if not clips:
        return 1
    db_path = args.db or default_db_path()
    jobs = [
        ClipJob(
            index=i,
            path=clip,
            analyzer=args.analyzer,
            model_path=str(args.model) if args.model else None,
            mot_dir=str(args.mot_dir) if args.mot_dir else None,
            content_hash=digest,
            overrides=overrides,
        )
        for i, (clip, digest) in enumerate(identify_clips(clips))
    ]
    if args.cluster or args.local_cluster:
        from dronewatch.archive.cli import run_on_cluster

        return run_on_cluster(args, jobs, db_path, problems)
    with Store(db_path) as store:
        if store.recovered_sightings:
            print(
                f"dronewatch: closed {store.recovered_sightings} sightings left open by an "
                "interrupted run",
                file=sys.stderr,
            )
        results = analyse_clips(jobs, store, args.workers, Progress(sys.stderr, len(jobs)))
    print(summary_table(results))
    print(f"sightings saved to {db_path}")
    failed = [r for r in results if not r.complete]
    for r in failed:
        print(f"dronewatch: error: {r.problem}", file=sys.stderr)
    return 1 if failed or problems else 0
