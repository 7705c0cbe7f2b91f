"""Exports of the sightings database, one module per format.

:func:`export_sightings` is the one entry point for the command line and the GUI: it
reads with its own connection (safe from a worker thread while the app writes), reports
progress as ``progress(done, total)``, stops when ``should_cancel()`` turns true, and
writes atomically (a failed or cancelled export leaves no file).

Example::

    export_sightings("sightings.db", "html", Path("report.html"),
                     ExportFilter(status=StatusFilter.CONFIRMED))
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dronewatch.exports import cot, csv_log, cvat, geojson, html_report, json_log, kml, mot
from dronewatch.exports.atomic import (
    ExportCancelled,
    ExportError,
    Job,
    prepare_folder,
    write_files,
)
from dronewatch.exports.geo_data import collect_geo
from dronewatch.exports.model import (
    CancelFn,
    ExportData,
    ExportFilter,
    ExportRow,
    ProgressFn,
    StatusFilter,
    collect,
    parse_time,
)
from dronewatch.exports.report import ReportData, build_report
from dronewatch.store import ClipRecord, SightingsReader

FORMATS: tuple[str, ...] = ("csv", "json", "mot", "cvat", "geojson", "kml", "cot", "html", "pdf")
MAP_FORMATS = ("geojson", "kml", "cot")
PER_CLIP = {"mot": ".txt", "cvat": ".xml"}

__all__ = [
    "FORMATS",
    "ExportCancelled",
    "ExportError",
    "ExportFilter",
    "ExportResult",
    "StatusFilter",
    "export_sightings",
    "parse_time",
]


@dataclass(frozen=True, slots=True)
class ExportResult:
    format: str
    paths: tuple[Path, ...]
    sightings: int
    feeds: int


def _safe_name(name: str) -> str:
    stem = Path(name).stem or "feed"
    return re.sub(r"[^\w.-]+", "_", stem)


def _paths(
    reader: SightingsReader,
    rows: list[ExportRow],
    filters: ExportFilter,
    job: Job,
    done: int,
    total: int,
) -> list[tuple[ExportRow, np.ndarray]]:
    """Each sighting with its boxes inside the time filter."""
    out = []
    for i, row in enumerate(rows):
        job.step(done + i, total)
        path = reader.sighting_path(row.sighting_id)
        keep = np.ones(len(path), bool)
        if filters.from_s is not None:
            keep &= path[:, 1] >= filters.from_s - 1e-9
        if filters.to_s is not None:
            keep &= path[:, 1] <= filters.to_s + 1e-9
        out.append((row, path[keep]))
    return out


def _per_clip(
    fmt: str, reader: SightingsReader, data: ExportData, out: Path, job: Job
) -> dict[Path, bytes]:
    clips: dict[int, ClipRecord] = dict(data.clips)
    if not clips and data.filters.feed is not None:
        from dronewatch.exports.model import resolve_feed

        clips = {c.id: c for c in resolve_feed(reader, data.filters.feed)}
    by_clip = data.rows_by_clip()
    total = len(data.rows)
    contents: dict[Path, bytes] = {}
    as_folder = len(clips) > 1 or out.is_dir()
    if as_folder:
        if not out.is_dir() and out.suffix.lower() in (".txt", ".xml"):
            raise ExportError(
                out,
                f"{len(clips)} feeds match, so --out must be a folder (one file per feed), "
                "not a file name; or pick one feed with --feed",
            )
        prepare_folder(out)
    used: set[str] = set()
    done = 0
    for clip_id, clip in sorted(clips.items(), key=lambda kv: kv[1].name):
        rows = by_clip.get(clip_id, [])
        paths = _paths(reader, rows, data.filters, job, done, total)
        done += len(rows)
        body = mot.render_clip(paths) if fmt == "mot" else cvat.render_clip(clip, paths)
        if as_folder:
            name = _safe_name(clip.name)
            if name in used:
                name = f"{name}-{clip_id}"
            used.add(name)
            contents[out / f"{name}{PER_CLIP[fmt]}"] = body
        else:
            contents[out] = body
    if not contents and not as_folder:  # nothing matched: an empty file says so
        contents[out] = b"" if fmt == "mot" else cvat.render_clip(_NO_CLIP, [])
    return contents


_NO_CLIP = ClipRecord(0, "", "", "no feed", 0.0, 0, 0, 0, 0, None, False, "")


def _render_pdf(report: ReportData) -> bytes:
    """Print with Qt, imported only now: the core never needs Qt otherwise."""
    try:
        from ui.report_pdf import render_pdf

        return render_pdf(report)
    except ImportError as exc:
        raise ExportError(
            "pdf", f"PDF printing needs Qt (PySide6), which cannot be loaded ({exc})"
        ) from None


def export_sightings(
    db_path: str | Path,
    fmt: str,
    out: str | Path,
    filters: ExportFilter | None = None,
    *,
    progress: ProgressFn | None = None,
    should_cancel: CancelFn | None = None,
    title: str = "Sightings report",
) -> ExportResult:
    """Export the sightings ``filters`` selects to ``out`` in format ``fmt``.

    ``mot`` and ``cvat`` describe one clip per file: when several feeds match, ``out`` is
    a folder (created if missing) that gets one file per feed.
    """
    if fmt not in FORMATS:
        raise ExportError(out, f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
    out = Path(out).expanduser()
    job = Job(progress, should_cancel)
    filters = filters or ExportFilter()
    with SightingsReader(db_path) as reader, reader.snapshot():
        data = collect(reader, filters, with_thumbnails=fmt in ("html", "pdf"))
        geo = collect_geo(reader, data, job, fmt) if fmt in MAP_FORMATS else None
        if fmt in PER_CLIP:
            contents = _per_clip(fmt, reader, data, out, job)
        else:
            if fmt == "csv":
                body = csv_log.render(data, job)
            elif fmt == "json":
                body = json_log.render(data, job)
            elif geo is not None:
                if fmt == "geojson":
                    body = geojson.render(data, geo, job)
                elif fmt == "kml":
                    body = kml.render(data, geo, job)
                else:
                    body = cot.render(reader, geo, job)
            else:
                report = build_report(data, job, title)
                body = html_report.render(report, job) if fmt == "html" else _render_pdf(report)
            contents = {out: body}
    written = write_files(contents, job)
    return ExportResult(fmt, tuple(written), len(data.rows), len(data.clips))
