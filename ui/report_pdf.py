"""The sightings report printed to PDF with Qt (QtGui only: no widgets).

The headless core imports this lazily, only for ``export --format pdf``. The report's
content comes from :mod:`dronewatch.exports.report` (the HTML page shows the same); here
it is laid out in the HTML subset QTextDocument understands and printed on A4 by
QPdfWriter. QTextDocument adds the page numbers when it paginates the document itself.

Pictures are passed to the document as resources under ``dw:`` URLs, since
QTextDocument does not read data URIs. The document and the writer may be used from a
worker thread (no widgets, no event loop), so the GUI can print in its export pool.
"""

from __future__ import annotations

import os
from html import escape
from typing import TYPE_CHECKING

from dronewatch.exports.html_report import STATUS_COLORS, bookmark_rows, class_hex
from dronewatch.exports.model import format_clock
from dronewatch.exports.report import ReportData

if TYPE_CHECKING:
    from PySide6.QtGui import QImage

_app = None  # the QGuiApplication we made, kept alive for the process


def ensure_gui_application() -> None:
    """QTextDocument and QPdfWriter need a QGuiApplication; make one offscreen if none."""
    global _app
    from ui.qt_env import remove_opencv_qt_paths

    remove_opencv_qt_paths()
    from PySide6.QtGui import QGuiApplication

    if QGuiApplication.instance() is not None:
        return
    # Printing needs no screen: offscreen even when DISPLAY is set, so a stale DISPLAY
    # (an ssh session without its X server) cannot abort a command-line export.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _app = QGuiApplication(["dronewatch-report"])


def _pairs_table(head: tuple[str, ...], rows: list[tuple[str, ...]], width: str) -> str:
    widths = ['width="34%" '] + [""] * (len(head) - 1)
    cells = "".join(
        f'<th {widths[i]}align="{_align(i)}">{escape(h)}</th>' for i, h in enumerate(head)
    )
    body = "".join(
        "<tr>" + "".join(f'<td align="{_align(i)}">{c}</td>' for i, c in enumerate(r)) + "</tr>"
        for r in rows
    )
    return (
        f'<table class="grid" width="{width}" cellspacing="0" cellpadding="4">'
        f"<thead><tr>{cells}</tr></thead>{body}</table>"
    )


def _align(column: int) -> str:
    return "left" if column == 0 else "right"


def _swatch(name: str) -> str:
    return f'<span style="color:{class_hex(name)}">&#9632;</span> {escape(name)}'


def build_html(report: ReportData) -> str:
    """The report in QTextDocument's HTML subset (tables, inline styles, img resources)."""
    counts = " &nbsp;&middot;&nbsp; ".join(
        f"<b>{n}</b> {escape(label)}"
        for label, n in (
            ("sightings", report.total),
            ("confirmed", report.count("confirmed")),
            ("unreviewed", report.count("unreviewed")),
            ("dismissed", report.count("dismissed")),
            ("feed" if len(report.feeds) == 1 else "feeds", len(report.feeds)),
        )
        if n or label in ("sightings", "feed", "feeds")
    )
    feeds = _pairs_table(
        ("feed", "length", "sightings", *(s for s, _ in report.by_status)),
        [
            (
                escape(f.name),
                escape(format_clock(f.duration_s)) if f.duration_s else "-",
                f"<b>{f.sightings}</b>",
                *(str(n) for _, n in f.by_status),
            )
            for f in report.feeds
        ],
        "100%",
    )
    classes = _pairs_table(
        ("class", "sightings"), [(_swatch(name), str(n)) for name, n in report.by_class], "45%"
    )
    parts = [
        f'<h1>{escape(report.title)}</h1><p class="meta">Generated '
        f"{escape(report.generated_at)} &nbsp;&middot;&nbsp; Selection: "
        f"{escape(report.filter_summary)}</p>",
        f'<p class="summary">{counts}</p>',
        f"<h2>By feed</h2>{feeds}<h2>By class</h2>{classes}",
        '<h2>Timeline</h2><p><img src="dw:timeline" width="640"></p>',
    ]
    if report.bookmarks:
        parts.append(f"<h2>Bookmarks ({len(report.bookmarks)})</h2>")
        parts.append(
            _pairs_table(
                ("note", "time", "feed", "by", "made"),
                [(note, t, feed, who, when) for t, feed, note, who, when in bookmark_rows(report)],
                "100%",
            )
        )
    parts.append(f"<h2>Sightings ({report.total})</h2>")
    if not report.rows:
        parts.append('<p class="meta">No sightings match these filters.</p>')
    else:
        parts.append(_sightings_table(report))
    parts.append(
        '<p class="meta">Times are from the start of each clip. Peak: the best detection '
        "score of the sighting (0 to 1). Source: machine (automatic detection), operator "
        f"(drawn by hand) or import (from another log). Database: {escape(report.db_path)}</p>"
    )
    return f"<html><head><style>{_STYLE}</style></head><body>{''.join(parts)}</body></html>"


_STYLE = """
body { font-family: 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif; font-size: 8.5pt;
  color: #1f2933; }
h1 { font-size: 17pt; color: #102a43; margin-bottom: 2px; }
h2 { font-size: 11pt; color: #102a43; margin-top: 14px; margin-bottom: 4px; }
p.meta { color: #616e7c; font-size: 8pt; }
p.summary { font-size: 10pt; }
table.grid { border-collapse: collapse; }
table.grid th, table.sight th { background-color: #e4e7eb; color: #3e4c59;
  font-size: 7.5pt; border-bottom: 1px solid #9aa5b1; }
table.sight th { white-space: nowrap; }
table.sight td { border-bottom: 1px solid #d9e2ec; }
table.grid td { border-bottom: 1px solid #d9e2ec; }
.muted { color: #616e7c; }
"""


_ONE_LINE = "valign='middle' style='white-space:nowrap; border-bottom:1px solid #d9e2ec'"
FEED_CHARS = 22


def _short(name: str) -> str:
    """Long feed names cut in the sightings table (the feed table shows them whole)."""
    return name if len(name) <= FEED_CHARS else name[: FEED_CHARS - 1] + "\u2026"


def _sightings_table(report: ReportData) -> str:
    """One row per sighting, every cell one line (but long notes): QTextDocument breaks
    pages between the lines of a row, and a thumbnail taller than a line keeps the row
    whole."""
    head = (
        "<tr><th></th><th align='left'>feed</th><th align='right'>track</th>"
        "<th align='left'>class</th><th align='left'>status</th><th align='left'>time</th>"
        "<th align='right'>dur.</th><th align='right'>peak</th>"
        "<th align='left' width='40%'>note and tags</th></tr>"
    )
    rows = []
    for r in report.rows:
        thumb = (
            f'<img src="dw:thumb/{r.sighting_id}" width="30" height="30">'
            if r.thumbnail_png
            else ""
        )
        status_color = STATUS_COLORS.get(r.status, "#6b7280")
        source = (
            "" if r.source == "machine" else f" <span class='muted'>({escape(r.source)})</span>"
        )
        tags = " ".join(f"[{escape(t)}]" for t in r.tags)
        note = escape(r.note).replace("\n", "<br>")
        rows.append(
            "<tr>"
            f"<td {_ONE_LINE}>{thumb}</td>"
            f"<td {_ONE_LINE}>{escape(_short(r.feed))}</td>"
            f"<td {_ONE_LINE} align='right'>{r.track}</td>"
            f"<td {_ONE_LINE}>{_swatch(r.target_class)}</td>"
            f"<td {_ONE_LINE}><b style='color:{status_color}'>{escape(r.status)}</b>"
            f"{source}</td>"
            f"<td {_ONE_LINE}>{escape(format_clock(r.start_s))}&ndash;"
            f"{escape(format_clock(r.end_s))}</td>"
            f"<td {_ONE_LINE} align='right'>{r.duration_s:.1f}&nbsp;s</td>"
            f"<td {_ONE_LINE} align='right'>{r.peak_score:.2f}</td>"
            f"<td valign='middle'>{note} <span class='muted'>{tags}</span></td>"
            "</tr>"
        )
    return (
        '<table class="sight" width="100%" cellspacing="0" cellpadding="3">'
        f"<thead>{head}</thead>{''.join(rows)}</table>"
    )


THUMB_PX = 96


def _square(image: QImage) -> QImage:
    """The thumbnail centred on a dark square, so every table row has the same height."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QColor, QImage, QPainter

    out = QImage(THUMB_PX, THUMB_PX, QImage.Format.Format_RGB32)
    out.fill(QColor(34, 34, 34))
    if image.isNull():
        return out
    scaled = image.scaled(
        THUMB_PX,
        THUMB_PX,
        Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )
    painter = QPainter(out)
    painter.drawImage((THUMB_PX - scaled.width()) // 2, (THUMB_PX - scaled.height()) // 2, scaled)
    painter.end()
    return out


def render_pdf(report: ReportData) -> bytes:
    """The report as PDF bytes (A4 portrait, page numbers at the foot of each page)."""
    ensure_gui_application()
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QUrl
    from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPdfWriter, QTextDocument

    doc = QTextDocument()
    doc.setDocumentMargin(0)

    def add_image(name: str, png: bytes) -> None:
        image = QImage.fromData(png, "PNG")
        if not image.isNull():
            doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), image)

    add_image("dw:timeline", report.timeline_for_print())
    for r in report.rows:
        if r.thumbnail_png:
            thumb = _square(QImage.fromData(r.thumbnail_png, "PNG"))
            doc.addResource(
                QTextDocument.ResourceType.ImageResource, QUrl(f"dw:thumb/{r.sighting_id}"), thumb
            )
    doc.setHtml(build_html(report))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setTitle(report.title)
    writer.setCreator("DroneWatch")
    writer.setResolution(300)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(0, 0, 0, 0),  # QTextDocument.print adds its own 2 cm margins
        )
    )
    doc.print_(writer)
    del writer  # finishes the PDF into the buffer
    buffer.close()
    return bytes(data.data())
