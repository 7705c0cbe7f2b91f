"""Reading our own sightings logs (CSV and JSON exports) back, strictly.

A log that is not exactly what we write (a missing or unknown column, a number that is
not one, text that is not UTF-8) is refused with the file, the line and the reason, and
nothing of it is imported: a half-imported log is worse than none.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dronewatch.analysis.types import TargetClass
from dronewatch.errors import DroneWatchError
from dronewatch.exports.model import LOG_COLUMNS
from dronewatch.store import ReviewStatus, SightingSource

REQUIRED = ("feed", "track", "class", "start_s", "end_s", "x1", "y1", "x2", "y2")


class LogFormatError(DroneWatchError):
    """A log file is malformed; names the file, the line (when known) and the reason."""

    def __init__(self, path: str | Path, line: int | None, reason: str) -> None:
        self.path = str(path)
        self.line = line
        self.reason = reason
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {reason}; nothing imported")


@dataclass(frozen=True, slots=True)
class LogSighting:
    """One sighting read from a log; ``line`` is where it starts in the file."""

    line: int | None
    feed: str
    clip_hash: str
    track: int
    target_class: TargetClass
    source: SightingSource
    status: ReviewStatus
    start_s: float
    end_s: float
    start_frame: int | None
    end_frame: int | None
    peak_score: float
    box: tuple[float, float, float, float]
    note: str
    tags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ClipHint:
    """What a JSON log's header says about a clip, enough to register it."""

    name: str
    clip_hash: str
    fps: float
    width: int
    height: int
    frame_count: int | None


@dataclass(frozen=True, slots=True)
class ParsedLog:
    sightings: tuple[LogSighting, ...]
    clips: tuple[ClipHint, ...] = ()


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise LogFormatError(
            path, line, f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save the log as UTF-8"
        ) from None


class _Row:
    """Typed access to one record's values, raising with its line."""

    def __init__(self, path: Path, line: int | None, values: Mapping[str, object]) -> None:
        self.path, self.line, self.values = path, line, values

    def fail(self, reason: str) -> LogFormatError:
        return LogFormatError(self.path, self.line, reason)

    def text(self, key: str, default: str = "") -> str:
        value = self.values.get(key, default)
        if value is None:
            return default
        if not isinstance(value, str | int | float):
            raise self.fail(f"{key}: expected text, got {type(value).__name__}")
        return str(value)

    def number(self, key: str, default: float | None = None) -> float:
        raw = self.values.get(key)
        if raw in (None, "") and default is not None:
            return default
        if isinstance(raw, bool):
            raise self.fail(f"{key}: expected a number, got {raw!r}")
        try:
            value = float(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise self.fail(f"{key}: expected a number, got {raw!r}") from None
        if not math.isfinite(value):
            raise self.fail(f"{key}: expected a finite number, got {raw!r}")
        return value

    def integer(self, key: str, optional: bool = False) -> int | None:
        raw = self.values.get(key)
        if optional and raw in (None, ""):
            return None
        value = self.number(key)
        if value != int(value):
            raise self.fail(f"{key}: expected a whole number, got {raw!r}")
        return int(value)

    def choice(self, key: str, kind: type, default: str) -> object:
        raw = self.text(key, default) or default
        try:
            return kind(raw)
        except ValueError:
            allowed = ", ".join(m.value for m in kind)  # type: ignore[attr-defined]
            raise self.fail(f"{key}: {raw!r} is not one of {allowed}") from None

    def tags(self) -> tuple[str, ...]:
        raw = self.values.get("tags", [])
        if isinstance(raw, str):
            if not raw.strip():
                return ()
            try:
                raw = json.loads(raw)
            except json.JSONDecodeError:
                raise self.fail(
                    f'tags: expected a JSON list like ["a", "b"], got {raw!r}'
                ) from None
        if not isinstance(raw, list) or not all(isinstance(t, str) for t in raw):
            raise self.fail(f"tags: expected a list of strings, got {raw!r}")
        return tuple(raw)

    def sighting(self) -> LogSighting:
        missing = [k for k in REQUIRED if self.values.get(k) in (None, "")]
        if missing:
            raise self.fail(f"missing value for {', '.join(missing)}")
        start, end = self.number("start_s"), self.number("end_s")
        if start < 0 or end < start:
            raise self.fail(f"times must satisfy 0 <= start_s <= end_s, got {start:g}, {end:g}")
        box = (self.number("x1"), self.number("y1"), self.number("x2"), self.number("y2"))
        if box[2] < box[0] or box[3] < box[1]:
            raise self.fail(f"box must have x1 <= x2 and y1 <= y2, got {box}")
        track = self.integer("track")
        assert track is not None
        feed = self.text("feed").strip()
        if not feed:
            raise self.fail("feed: empty")
        return LogSighting(
            line=self.line,
            feed=feed,
            clip_hash=self.text("clip_hash").strip(),
            track=track,
            target_class=self.choice("class", TargetClass, "unknown"),  # type: ignore[arg-type]
            source=self.choice("source", SightingSource, "machine"),  # type: ignore[arg-type]
            status=self.choice("status", ReviewStatus, "unreviewed"),  # type: ignore[arg-type]
            start_s=start,
            end_s=end,
            start_frame=self.integer("start_frame", optional=True),
            end_frame=self.integer("end_frame", optional=True),
            peak_score=self.number("peak_score", 0.0),
            box=box,
            note=self.text("note"),
            tags=self.tags(),
        )


def parse_csv(path: Path, data: bytes) -> ParsedLog:
    text = _decode(path, data)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise LogFormatError(path, 1, "empty file (expected a header row)") from None
    except csv.Error as exc:
        raise LogFormatError(path, 1, f"not CSV ({exc})") from None
    header = [h.strip() for h in header]
    missing = [c for c in REQUIRED if c not in header]
    unknown = [c for c in header if c not in LOG_COLUMNS]
    if missing or unknown or len(set(header)) != len(header):
        problems = []
        if missing:
            problems.append(f"missing column(s) {', '.join(missing)}")
        if unknown:
            problems.append(f"unknown column(s) {', '.join(repr(u) for u in unknown)}")
        if len(set(header)) != len(header):
            problems.append("a column appears twice")
        raise LogFormatError(
            path, 1, f"{'; '.join(problems)} (a DroneWatch log has: {', '.join(LOG_COLUMNS)})"
        )
    out: list[LogSighting] = []
    line = reader.line_num + 1
    try:
        for record in reader:
            if not any(cell.strip() for cell in record):
                line = reader.line_num + 1
                continue
            if len(record) != len(header):
                raise LogFormatError(
                    path, line, f"expected {len(header)} fields, found {len(record)}"
                )
            values = dict(zip(header, record, strict=True))
            for column in ("feed", "note"):  # undo the export's formula guard
                if values.get(column, "").startswith("'"):
                    values[column] = values[column][1:]
            out.append(_Row(path, line, values).sighting())
            line = reader.line_num + 1
    except csv.Error as exc:
        raise LogFormatError(path, line, f"not valid CSV ({exc})") from None
    return ParsedLog(tuple(out))


def _item_lines(text: str, key_at: int | None) -> list[int]:
    """Line where each element of the sightings array starts (best effort)."""
    decoder = json.JSONDecoder()
    pos = text.index("[", key_at or 0)
    lines: list[int] = []
    pos += 1
    while True:
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(text) or text[pos] == "]":
            return lines
        lines.append(text.count("\n", 0, pos) + 1)
        _, pos = decoder.raw_decode(text, pos)


def _sightings_key(text: str) -> int | None:
    """Offset of the top-level ``"sightings": [`` (after the header, which holds no
    free text that could fake it, except a db path; hence the check of what follows)."""
    start = 0
    while (at := text.find('"sightings"', start)) >= 0:
        rest = text[at + len('"sightings"') :].lstrip()
        if rest.startswith(":") and rest[1:].lstrip().startswith("["):
            return at
        start = at + 1
    return None


def parse_json(path: Path, data: bytes) -> ParsedLog:
    text = _decode(path, data)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LogFormatError(path, exc.lineno, f"not valid JSON ({exc.msg})") from None
    key_at = None
    if isinstance(doc, dict):
        items = doc.get("sightings")
        key_at = _sightings_key(text)
        if not isinstance(items, list) or key_at is None:
            raise LogFormatError(path, 1, 'expected an object with a "sightings" list')
        header = doc.get("header", {})
    elif isinstance(doc, list):
        items, header = doc, {}
    else:
        raise LogFormatError(path, 1, 'expected an object with a "sightings" list')
    try:
        lines: list[int | None] = list(_item_lines(text, key_at))
    except (ValueError, json.JSONDecodeError):  # pragma: no cover - json.loads passed
        lines = []
    lines += [None] * (len(items) - len(lines))
    out = []
    for item, line in zip(items, lines, strict=False):
        if not isinstance(item, dict):
            raise LogFormatError(path, line, f"expected a sighting object, got {item!r:.40}")
        unknown = [k for k in item if k not in LOG_COLUMNS]
        if unknown:
            raise LogFormatError(path, line, f"unknown key(s) {', '.join(map(repr, unknown))}")
        out.append(_Row(path, line, item).sighting())
    return ParsedLog(tuple(out), _clip_hints(path, header))


def _clip_hints(path: Path, header: object) -> tuple[ClipHint, ...]:
    clips = header.get("clips", []) if isinstance(header, dict) else []
    hints = []
    for c in clips if isinstance(clips, list) else []:
        try:
            hints.append(
                ClipHint(
                    str(c["name"]),
                    str(c["clip_hash"]),
                    float(c["fps"]),
                    int(c["width"]),
                    int(c["height"]),
                    None if c.get("frame_count") is None else int(c["frame_count"]),
                )
            )
        except (KeyError, TypeError, ValueError):
            raise LogFormatError(path, None, f"header: malformed clip entry {c!r:.60}") from None
    return tuple(hints)
