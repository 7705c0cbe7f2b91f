"""What happened to each clip of an archive run, and the table that says so."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class EntryStatus(StrEnum):
    DONE = "done"
    SKIPPED = "skipped"  # already analysed completely with the same settings
    FAILED = "failed"
    NOT_RUN = "not run"  # interrupted (Ctrl-C) before it finished


@dataclass(frozen=True, slots=True)
class ArchiveEntry:
    path: str
    status: EntryStatus
    frames: int = 0
    sightings: int = 0
    video_s: float = 0.0
    attempts: int = 0
    reason: str = ""

    @property
    def name(self) -> str:
        return Path(self.path).name


def archive_table(entries: list[ArchiveEntry]) -> str:
    """A plain-text table, one row per clip, then the counts by status."""
    rows = [("clip", "status", "frames", "sightings", "footage", "tries", "reason")]
    for e in entries:
        rows.append(
            (
                e.name,
                str(e.status),
                str(e.frames) if e.frames else "-",
                str(e.sightings) if e.status is EntryStatus.DONE else "-",
                f"{e.video_s:.1f}s" if e.video_s else "-",
                str(e.attempts) if e.attempts else "-",
                e.reason,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = [
        "  ".join(
            [
                cell.ljust(widths[i]) if i < 2 else cell.rjust(widths[i])
                for i, cell in enumerate(row[:-1])
            ]
            + [row[-1]]
        ).rstrip()
        for row in rows
    ]
    counts = {s: sum(1 for e in entries if e.status is s) for s in EntryStatus}
    lines.append(
        ", ".join(f"{n} {s}" for s, n in counts.items() if n or s is not EntryStatus.NOT_RUN)
    )
    return "\n".join(lines)
