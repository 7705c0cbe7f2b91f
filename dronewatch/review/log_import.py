"""Importing a sightings log (our CSV or JSON export) into a database.

The whole file is parsed and checked first, and every clip resolved, before anything is
written; the sightings then go in with one transaction. So a bad file, or a feed we
cannot place, imports nothing.

Imported sightings keep their class, status, times, first box, note and tags, and get
source ``import``. A log only holds each sighting's first box, so that is the one box an
imported sighting has. Importing the same log twice adds nothing the second time (a
sighting already in the clip with the same track, start and end is skipped), and a track
ID already taken in the clip by another sighting is replaced by a fresh one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from dronewatch.clip_identity import content_hash
from dronewatch.errors import DroneWatchError
from dronewatch.review.log_parse import LogSighting, ParsedLog, parse_csv, parse_json
from dronewatch.review.thumbnails import thumbnails_from_video, video_of_clip
from dronewatch.sightings.events import PathPoint
from dronewatch.sources import open_source
from dronewatch.store import (
    ClipInfo,
    NewSighting,
    SightingSource,
    SightingsReader,
    Store,
)


@dataclass(frozen=True, slots=True)
class ImportResult:
    path: Path
    imported: int
    skipped_duplicates: int
    renumbered_tracks: int
    feeds: tuple[str, ...]


def parse_log(path: Path) -> ParsedLog:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DroneWatchError(f"{path}: file not found") from None
    except OSError as exc:
        raise DroneWatchError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if path.suffix.lower() == ".json" or data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):
        return parse_json(path, data)
    return parse_csv(path, data)


def clip_of_video(store: Store, video: Path) -> int:
    """The clip id of a video file, registering the clip when the db does not know it."""
    digest = content_hash(video)
    with SightingsReader(store.path) as reader:
        known = reader.clip_by_hash(digest)
    if known is not None:
        return known.id
    source = open_source(video)
    try:
        info = source.info
    finally:
        source.close()
    return store.begin_clip(
        ClipInfo(
            digest, str(video), video.name, info.fps, info.width, info.height, info.frame_count
        )
    )


def _resolve_clips(
    store: Store, log: ParsedLog, path: Path, video: Path | None
) -> dict[tuple[str, str], int]:
    """(feed, clip hash) of each log row -> clip id."""
    keys = list(dict.fromkeys((s.feed, s.clip_hash) for s in log.sightings))
    if video is not None:
        feeds = sorted({feed for feed, _ in keys})
        if len(feeds) > 1:
            raise DroneWatchError(
                f"{path}: holds {len(feeds)} feeds ({', '.join(feeds)}); --feed names one "
                "video, so import a log of one feed (export with --feed)"
            )
        clip_id = clip_of_video(store, video)
        return dict.fromkeys(keys, clip_id)
    out: dict[tuple[str, str], int] = {}
    hints = {h.clip_hash: h for h in log.clips}
    with SightingsReader(store.path) as reader:
        clips = reader.clips()
    for feed, digest in keys:
        by_hash = [c for c in clips if digest and c.content_hash == digest]
        by_name = [c for c in clips if c.name == feed]
        if by_hash:
            out[(feed, digest)] = by_hash[0].id
        elif not digest and len(by_name) == 1:
            out[(feed, digest)] = by_name[0].id
        elif digest in hints:
            h = hints[digest]
            out[(feed, digest)] = store.begin_clip(
                ClipInfo(h.clip_hash, h.name, h.name, h.fps, h.width, h.height, h.frame_count)
            )
        else:
            raise DroneWatchError(
                f"{path}: feed {feed!r} is not in {store.path}; pass --feed VIDEO to say "
                "which video file it is (nothing imported)"
            )
    return out


def _fps(store: Store, clip_id: int) -> float:
    with SightingsReader(store.path) as reader:
        for clip in reader.clips():
            if clip.id == clip_id:
                return clip.fps or 25.0
    return 25.0


def _new_sighting(s: LogSighting, clip_id: int, fps: float, track: int | None) -> NewSighting:
    start_frame = s.start_frame if s.start_frame is not None else round(s.start_s * fps)
    end_frame = s.end_frame if s.end_frame is not None else round(s.end_s * fps)
    point = PathPoint(start_frame, s.start_s, *s.box, s.peak_score)
    return NewSighting(
        clip_id=clip_id,
        track_id=track,
        target_class=s.target_class,
        points=(point,),
        source=SightingSource.IMPORT,
        status=s.status,
        note=s.note,
        tags=s.tags,
        peak_score=s.peak_score,
        start_s=s.start_s,
        end_s=s.end_s,
        start_frame=start_frame,
        end_frame=max(end_frame, start_frame),
    )


def _with_thumbnails(
    store: Store, batch: list[NewSighting], video: Path | None
) -> list[NewSighting]:
    """Cut a thumbnail for each sighting from its clip's video, when we can find it."""
    with SightingsReader(store.path) as reader:
        clips = {c.id: c for c in reader.clips()}
    out = list(batch)
    for clip_id in {s.clip_id for s in batch}:
        clip = clips[clip_id]
        source = video or video_of_clip(clip.path, clip.content_hash)
        if source is None:
            continue
        mine = [i for i, s in enumerate(batch) if s.clip_id == clip_id]
        wanted = [(batch[i].points[0].frame, _box(batch[i])) for i in mine]
        for i, png in zip(mine, thumbnails_from_video(source, wanted), strict=True):
            out[i] = replace(batch[i], thumbnail_png=png)
    return out


def _box(s: NewSighting) -> tuple[float, float, float, float]:
    p = s.points[0]
    return (p.x1, p.y1, p.x2, p.y2)


def import_log(
    store: Store, path: str | Path, operator: str, video: str | Path | None = None
) -> ImportResult:
    """Import a CSV or JSON sightings log; all of it or, on any problem, nothing."""
    path = Path(path)
    log = parse_log(path)
    clip_ids = _resolve_clips(store, log, path, Path(video) if video else None)
    existing: dict[int, dict[int, set[tuple[int, int]]]] = {}
    with SightingsReader(store.path) as reader:
        for clip_id in set(clip_ids.values()):
            tracks: dict[int, set[tuple[int, int]]] = {}
            for s in reader.sightings(clip_id=clip_id):
                tracks.setdefault(s.track_id, set()).add((s.start_frame, s.end_frame))
            existing[clip_id] = tracks
    fps = {clip_id: _fps(store, clip_id) for clip_id in set(clip_ids.values())}
    batch: list[NewSighting] = []
    skipped = renumbered = 0
    for s in log.sightings:
        clip_id = clip_ids[(s.feed, s.clip_hash)]
        new = _new_sighting(s, clip_id, fps[clip_id], s.track)
        span = (new.start_frame or 0, new.end_frame or 0)
        taken = existing[clip_id].setdefault(s.track, set())
        if span in taken:
            skipped += 1
            continue
        if taken:
            renumbered += 1
            new = _new_sighting(s, clip_id, fps[clip_id], None)  # next free operator ID
        taken.add(span)
        batch.append(new)
    batch = _with_thumbnails(store, batch, Path(video) if video else None)
    store.add_sightings(batch, operator)
    feeds = tuple(dict.fromkeys(s.feed for s in log.sightings))
    return ImportResult(path, len(batch), skipped, renumbered, feeds)
