"""One overall progress line for an archive run: clips, footage, throughput, time left."""

from __future__ import annotations

import time
from typing import TextIO

from dronewatch.archive.report import ArchiveEntry, EntryStatus


class ArchiveProgress:
    """Rewritten in place on a terminal; one line per finished clip otherwise."""

    def __init__(self, stream: TextIO, total: int, skipped: int = 0) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.total = total
        self.skipped = skipped
        self.finished = 0
        self.failed = 0
        self.footage_s = 0.0
        self.started = time.monotonic()
        self._width = 0

    def line(self) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        hours = self.footage_s / 3600
        rate = hours / (elapsed / 3600)  # footage-hours per wall-hour
        remaining = self.total - self.finished
        eta = "-" if not self.finished else _duration(remaining * elapsed / self.finished)
        failed = f", {self.failed} failed" if self.failed else ""
        return (
            f"archive: {self.finished}/{self.total} clips{failed} "
            f"({self.skipped} skipped), {hours:.3f} h footage, "
            f"{rate:.1f} footage-h/h, ~{eta} left"
        )

    def __call__(self, entry: ArchiveEntry) -> None:
        self.finished += 1
        self.failed += entry.status is EntryStatus.FAILED
        self.footage_s += entry.video_s
        text = self.line()
        if self.tty:
            pad = max(self._width - len(text), 0)
            self.stream.write("\r" + text + " " * pad)
            self._width = len(text)
            if self.finished == self.total:
                self.stream.write("\n")
        else:
            self.stream.write(f"{text} [{entry.name}: {entry.status}]\n")
        self.stream.flush()


def _duration(seconds: float) -> str:
    total = round(seconds)
    if total >= 3600:
        return f"{total // 3600}h{total % 3600 // 60:02d}m"
    if total >= 60:
        return f"{total // 60}m{total % 60:02d}s"
    return f"{total}s"
