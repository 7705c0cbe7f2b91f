"""The archive library: a folder of clips with what the database knows of each, and a
search across the whole database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dronewatch.analysis.types import TargetClass
from dronewatch.analysis_settings import DEFAULT_SETTINGS, AnalysisSettings
from dronewatch.clip_identity import content_hash
from dronewatch.clock_text import format_clock
from dronewatch.errors import DroneWatchError
from dronewatch.sightings.batch import analyse_clips
from dronewatch.sightings.clip_job import ClipJob
from dronewatch.sources import open_source
from dronewatch.sources.video_file import VIDEO_SUFFIXES
from dronewatch.store import SightingsReader, Store
from dronewatch.store.reader import SightingQuery
from dronewatch.store.records import ReviewStatus

LIBRARY_COLUMNS = ("Clip", "Duration", "Size", "fps", "Date", "Analysed", "Sightings")
SEARCH_COLUMNS = ("Clip", "Track", "Class", "Start", "Status", "Note")


OTHER_SETTINGS = "other settings"  # complete, but not with this window's settings


@dataclass(frozen=True)
class LibraryClip:
    path: Path
    duration_s: float | None
    size: str
    fps: float
    modified: str
    analysed: str
    sightings: int
    problem: str | None = None


def scan_folder(
    folder: Path, reader: SightingsReader | None, fingerprint: str | None = None
) -> list[LibraryClip]:
    """Every video in ``folder`` with its properties and what the database knows. With
    ``fingerprint`` (:meth:`AnalysisSettings.fingerprint`), a complete analysis made with
    other settings shows as such, and "Analyse all" analyses it again."""
    clips = []
    for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in VIDEO_SUFFIXES):
        modified = dt.datetime.fromtimestamp(path.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
        try:
            source = open_source(path)
            info = source.info
            source.close()
        except DroneWatchError as exc:
            clips.append(LibraryClip(path, None, "?", 0.0, modified, "unreadable", 0, str(exc)))
            continue
        analysed, count = "no", 0
        if reader is not None:
            record = reader.clip_by_hash(content_hash(path))
            if record is not None:
                analysed = "yes" if record.complete else f"{record.frames_analysed} frames"
                if record.complete and fingerprint and record.config_hash != fingerprint:
                    analysed = OTHER_SETTINGS
                count = reader.count_sightings(record.id)
        clips.append(
            LibraryClip(
                path,
                info.duration,
                f"{info.width}x{info.height}",
                info.fps,
                modified,
                analysed,
                count,
            )
        )
    return clips


def analyse_library(
    store: Store,
    paths: list[Path],
    progress: Callable[[int, int], None],
    should_cancel: Callable[[], bool],
    settings: AnalysisSettings = DEFAULT_SETTINGS,
) -> int:
    """Analyse ``paths`` two at a time in worker processes; stops between pairs on cancel."""
    done = 0
    for start in range(0, len(paths), 2):
        if should_cancel():
            break
        pair = paths[start : start + 2]
        jobs = [
            ClipJob(
                i,
                str(p),
                analyzer=settings.analyzer,
                model_path=settings.model_path,
                overrides=settings.overrides,
            )
            for i, p in enumerate(pair)
        ]
        analyse_clips(jobs, store, workers=len(jobs))
        done += len(pair)
        progress(done, len(paths))
    return done


class LibraryPanel(QWidget):
    """Double-click a clip to open it into the grid; search finds sightings anywhere."""

    open_requested = Signal(str)
    analyse_requested = Signal(list)
    search_result_activated = Signal(str, float)  # clip path, time

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder: Path | None = None
        self.clips: list[LibraryClip] = []
        self.title = QLabel("No library folder: File > Open library folder…")
        self.analyse_button = QPushButton("Analyse all")
        self.analyse_button.setEnabled(False)
        self.analyse_button.clicked.connect(self._analyse_all)
        self.table = QTableWidget(0, len(LIBRARY_COLUMNS))
        self.table.setHorizontalHeaderLabels(LIBRARY_COLUMNS)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSortingEnabled(True)
        self.table.cellDoubleClicked.connect(self._open_row)

        self.search_text = QLineEdit(placeholderText="Search all sightings: note or tag text")
        self.search_class = QComboBox()
        self.search_class.addItem("Any class", None)
        for target_class in TargetClass:
            self.search_class.addItem(target_class.value, target_class.value)
        self.search_status = QComboBox()
        self.search_status.addItem("Any status", None)
        for status in ReviewStatus:
            self.search_status.addItem(status.value, status.value)
        self.search_feed = QLineEdit(placeholderText="feed (clip name)")
        self.search_from = QDoubleSpinBox(suffix=" s", maximum=1e7, toolTip="From (clip time)")
        self.search_to = QDoubleSpinBox(suffix=" s", maximum=1e7, toolTip="To (0 = end)")
        self.search_button = QPushButton("Search")
        self.results = QTableWidget(0, len(SEARCH_COLUMNS))
        self.results.setHorizontalHeaderLabels(SEARCH_COLUMNS)
        self.results.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.results.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.results.cellDoubleClicked.connect(self._open_result)
        self._result_targets: list[tuple[str, float]] = []

        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.analyse_button)
        search = QHBoxLayout()
        for widget in (
            self.search_text,
            self.search_feed,
            self.search_class,
            self.search_status,
            self.search_from,
            self.search_to,
        ):
            search.addWidget(widget)
        search.addWidget(self.search_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(top)
        layout.addWidget(self.table, 2)
        layout.addLayout(search)
        layout.addWidget(self.results, 1)

    def show_clips(self, folder: Path, clips: list[LibraryClip]) -> None:
        self.folder, self.clips = folder, clips
        self.title.setText(f"{folder}  ({len(clips)} clips)")
        self.analyse_button.setEnabled(bool(clips))
        self.table.setSortingEnabled(False)
        self.table.setRowCount(len(clips))
        for row, clip in enumerate(clips):
            values = (
                clip.path.name,
                format_clock(clip.duration_s) if clip.duration_s else "?",
                clip.size,
                f"{clip.fps:.4g}",
                clip.modified,
                clip.analysed,
                str(clip.sightings),
            )
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, str(clip.path))
                if clip.problem:
                    item.setToolTip(clip.problem)
                self.table.setItem(row, col, item)
        self.table.setSortingEnabled(True)
        self.table.resizeColumnsToContents()

    def _open_row(self, row: int, _col: int) -> None:
        item = self.table.item(row, 0)
        if item is not None:
            self.open_requested.emit(item.data(Qt.ItemDataRole.UserRole))

    def _analyse_all(self) -> None:
        todo = [c.path for c in self.clips if c.analysed != "yes" and not c.problem]
        self.analyse_requested.emit(todo)

    def query(self) -> SightingQuery:
        text = self.search_text.text().strip() or None
        target = self.search_class.currentData()
        status = self.search_status.currentData()
        end = self.search_to.value()
        return SightingQuery(
            feed=self.search_feed.text().strip() or None,
            classes=(TargetClass(target),) if target else None,
            statuses=(ReviewStatus(status),) if status else None,
            start_s=self.search_from.value() or None,
            end_s=end if end > 0 else None,
            text=text,
        )

    def show_results(self, rows: list[tuple[str, str, int, str, float, str, str]]) -> None:
        """Rows of (clip path, clip name, track, class, start, status, note)."""
        self.results.setRowCount(len(rows))
        self._result_targets = []
        for r, (path, name, track, cls, start, status, note) in enumerate(rows):
            values = (name, str(track), cls, format_clock(start), status, note)
            for col, value in enumerate(values):
                self.results.setItem(r, col, QTableWidgetItem(value))
            self._result_targets.append((path, start))
        self.results.resizeColumnsToContents()

    def _open_result(self, row: int, _col: int) -> None:
        if 0 <= row < len(self._result_targets):
            self.search_result_activated.emit(*self._result_targets[row])
