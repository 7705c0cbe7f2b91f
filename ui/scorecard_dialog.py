"""The end-of-session scorecard, and a trainee's history across sessions."""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QBuffer, QIODevice, QMarginsF
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from dronewatch.errors import DroneWatchError
from dronewatch.training.scorecard import scorecard_csv, scorecard_html
from dronewatch.training.session import TrainingSession
from dronewatch.training.session_score import SessionScore


def reaction_plot(score: SessionScore) -> pg.PlotWidget:
    """Reaction time of every hit against when the target appeared; misses along 0."""
    plot = pg.PlotWidget(background="w")
    plot.setLabel("bottom", "target first visible", units="s")
    plot.setLabel("left", "reaction", units="s")
    plot.addLegend(offset=(10, 10))
    hits = [t for t in score.trainee.targets if t.reaction_s is not None]
    misses = [t for t in score.trainee.targets if t.reaction_s is None]
    plot.plot(
        [t.first_seen_s for t in hits],
        [t.reaction_s for t in hits],
        pen=None,
        symbol="o",
        symbolBrush=(40, 120, 220),
        name="hit",
    )
    plot.plot(
        [t.first_seen_s for t in misses],
        [0.0] * len(misses),
        pen=None,
        symbol="x",
        symbolPen=pg.mkPen((210, 60, 40), width=2),
        name="missed",
    )
    return plot


def _png_base64(widget: QWidget) -> str:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    widget.grab().save(buffer, "PNG")
    return base64.b64encode(bytes(buffer.data().data())).decode()


def print_pdf(html_text: str, path: Path) -> None:
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter)
    document = QTextDocument()
    document.setHtml(html_text)
    document.print_(writer)


class ScorecardDialog(QDialog):
    def __init__(
        self, session: TrainingSession, score: SessionScore, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.session, self.score = session, score
        self.setWindowTitle(f"Scorecard — {session.trainee}")
        self.resize(820, 720)
        self.plot = reaction_plot(score)
        self.plot.setMinimumHeight(220)
        self.html = scorecard_html(session, score)
        self.view = QTextBrowser()
        self.view.setHtml(self.html)
        buttons = QHBoxLayout()
        for label, slot in (
            ("Save CSV…", lambda: self.save("csv")),
            ("Save HTML…", lambda: self.save("html")),
            ("Save PDF…", lambda: self.save("pdf")),
        ):
            button = QPushButton(label)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch(1)
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 3)
        layout.addWidget(self.plot, 2)
        layout.addLayout(buttons)

    def full_html(self) -> str:
        return scorecard_html(self.session, self.score, _png_base64(self.plot))

    def save(self, fmt: str, path: Path | None = None) -> Path | None:
        if path is None:
            name, _ = QFileDialog.getSaveFileName(
                self, "Save scorecard", f"scorecard-{self.session.trainee}.{fmt}"
            )
            if not name:
                return None
            path = Path(name)
        try:
            if fmt == "csv":
                path.write_text(scorecard_csv(self.session, self.score), encoding="utf-8")
            elif fmt == "html":
                path.write_text(self.full_html(), encoding="utf-8")
            else:
                print_pdf(self.full_html(), path)
        except OSError as exc:
            raise DroneWatchError(f"{path}: cannot save ({exc.strerror or exc})") from exc
        return path


HISTORY_COLUMNS = (
    "Trainee",
    "Date",
    "Aid",
    "Hits",
    "Misses",
    "False alarms",
    "Hit rate",
    "Mean reaction",
)


class HistoryDialog(QDialog):
    """Every session per trainee, with the hit-rate trend of the selected trainee."""

    def __init__(self, sessions: list[TrainingSession], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Trainee history")
        self.resize(820, 560)
        self.sessions = [s for s in sessions if s.results]
        self.table = QTableWidget(len(self.sessions), len(HISTORY_COLUMNS))
        self.table.setHorizontalHeaderLabels(HISTORY_COLUMNS)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, s in enumerate(self.sessions):
            r = s.results
            rate = r.get("hit_rate")
            reaction = r.get("mean_reaction_s")
            values = (
                s.trainee,
                dt.datetime.fromtimestamp(s.started).strftime("%Y-%m-%d %H:%M"),
                s.aid.value,
                str(r.get("hits")),
                str(r.get("misses")),
                str(r.get("false_alarms")),
                "—" if rate is None else f"{100 * float(rate):.0f} %",  # type: ignore[arg-type]
                "—" if reaction is None else f"{float(reaction):.2f} s",  # type: ignore[arg-type]
            )
            for col, value in enumerate(values):
                self.table.setItem(row, col, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()
        self.trend = pg.PlotWidget(background="w")
        self.trend.setLabel("left", "hit rate", units="%")
        self.trend.setLabel("bottom", "session")
        self.table.itemSelectionChanged.connect(self._show_trend)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 2)
        layout.addWidget(self.trend, 1)
        if self.sessions:
            self.table.selectRow(len(self.sessions) - 1)

    def _show_trend(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        trainee = self.sessions[rows[0].row()].trainee
        mine = [s for s in self.sessions if s.trainee == trainee]
        rates = [100 * float(s.results.get("hit_rate") or 0.0) for s in mine]  # type: ignore[arg-type]
        self.trend.clear()
        self.trend.setTitle(f"{trainee}: hit rate by session")
        self.trend.plot(
            list(range(1, len(rates) + 1)), rates, symbol="o", pen=pg.mkPen((40, 120, 220), width=2)
        )
