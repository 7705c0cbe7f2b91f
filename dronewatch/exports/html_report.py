"""The sightings report as one self-contained HTML page.

Pictures (thumbnails, the timeline) are embedded as base64 PNG data URIs and the style
sheet is inline, so the page can be mailed or copied to a stick and opened anywhere
without network access. Every text that comes from the database (feed names, notes, tags,
even class and status names) goes through :func:`html.escape`.
"""

from __future__ import annotations

import base64
import time
from html import escape

from dronewatch.analysis.types import TargetClass
from dronewatch.annotate import CLASS_COLORS
from dronewatch.exports.atomic import Job
from dronewatch.exports.model import format_clock
from dronewatch.exports.report import ReportData

STATUS_COLORS = {"confirmed": "#1b7f3b", "unreviewed": "#8a6d00", "dismissed": "#6b7280"}

_CSS = """
:root { --ink:#1f2933; --muted:#616e7c; --line:#d9e2ec; --band:#f5f7fa; --head:#102a43; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 "Segoe UI", "Helvetica Neue", Arial, sans-serif;
  color:var(--ink); background:#fff; }
header { background:var(--head); color:#fff; padding:22px 36px 18px; }
header h1 { margin:0 0 4px; font-size:24px; font-weight:600; letter-spacing:.2px; }
header .meta { color:#bcccdc; font-size:13px; }
header .meta span { margin-right:22px; }
main { padding:24px 36px 40px; max-width:1280px; }
h2 { font-size:17px; margin:30px 0 10px; padding-bottom:6px; border-bottom:2px solid var(--line); }
.cards { display:flex; gap:14px; flex-wrap:wrap; }
.card { border:1px solid var(--line); border-radius:6px; padding:12px 18px; min-width:150px; }
.card .n { font-size:28px; font-weight:600; }
.card .l { color:var(--muted); font-size:12px; text-transform:uppercase; letter-spacing:.6px; }
.grid2 { display:flex; gap:28px; flex-wrap:wrap; align-items:flex-start; }
table { border-collapse:collapse; }
th, td { padding:6px 10px; border-bottom:1px solid var(--line); text-align:left;
  vertical-align:top; }
th { background:var(--band); font-size:12px; text-transform:uppercase; letter-spacing:.5px;
  color:var(--muted); }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; }
table.sightings { width:100%; }
table.sightings tr:nth-child(even) td { background:#fbfcfd; }
img.thumb { width:64px; height:64px; object-fit:contain; background:#222; border-radius:3px; }
.nothumb { width:64px; height:64px; background:var(--band); border-radius:3px; }
.timeline { width:100%; border:1px solid var(--line); border-radius:4px; }
.badge { display:inline-block; padding:1px 8px; border-radius:10px; color:#fff;
  font-size:12px; }
.swatch { display:inline-block; width:11px; height:11px; border-radius:2px;
  margin-right:6px; vertical-align:-1px; }
.tag { display:inline-block; background:#e4e7eb; border-radius:3px; padding:0 6px;
  margin:0 4px 2px 0; font-size:12px; }
.note { white-space:pre-wrap; max-width:360px; }
.muted { color:var(--muted); }
footer { color:var(--muted); font-size:12px; padding:0 36px 30px; }
@media print { header { -webkit-print-color-adjust:exact; print-color-adjust:exact; }
  tr { page-break-inside:avoid; } }
"""


def class_hex(name: str) -> str:
    try:
        b, g, r = CLASS_COLORS[TargetClass(name)]
    except ValueError:
        b, g, r = (128, 128, 128)
    return f"#{r:02x}{g:02x}{b:02x}"


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _cards(report: ReportData) -> str:
    cards = [
        ("sightings", report.total),
        ("confirmed", report.count("confirmed")),
        ("unreviewed", report.count("unreviewed")),
        ("feeds", len(report.feeds)),
    ]
    if report.count("dismissed"):
        cards.append(("dismissed", report.count("dismissed")))
    return "".join(
        f'<div class="card"><div class="n">{n}</div><div class="l">{escape(label)}</div></div>'
        for label, n in cards
    )


def _feed_table(report: ReportData) -> str:
    head = "".join(f'<th class="num">{escape(s)}</th>' for s, _ in report.by_status)
    rows = []
    for feed in report.feeds:
        length = format_clock(feed.duration_s) if feed.duration_s else "-"
        cells = "".join(f'<td class="num">{n}</td>' for _, n in feed.by_status)
        rows.append(
            f"<tr><td>{escape(feed.name)}</td><td class='num'>{escape(length)}</td>"
            f"<td class='num'><b>{feed.sightings}</b></td>{cells}</tr>"
        )
    return (
        "<table><tr><th>feed</th><th class='num'>length</th><th class='num'>sightings</th>"
        f"{head}</tr>{''.join(rows)}</table>"
    )


def _class_table(report: ReportData) -> str:
    rows = "".join(
        f"<tr><td><span class='swatch' style='background:{class_hex(name)}'></span>"
        f"{escape(name)}</td><td class='num'>{n}</td></tr>"
        for name, n in report.by_class
    )
    return f"<table><tr><th>class</th><th class='num'>sightings</th></tr>{rows}</table>"


def bookmark_rows(report: ReportData) -> list[tuple[str, str, str, str, str]]:
    """Escaped cells of the bookmarks table: time, feed, note, operator, when made."""
    return [
        (
            escape(format_clock(b.time_s)),
            escape(b.feed),
            escape(b.note).replace("\n", "<br>"),
            escape(b.operator),
            escape(time.strftime("%Y-%m-%d %H:%M", time.localtime(b.created))),
        )
        for b in report.bookmarks
    ]


def _bookmarks(report: ReportData) -> str:
    if not report.bookmarks:
        return ""
    rows = "".join(
        f"<tr><td class='num'>{t}</td><td>{feed}</td><td class='note'>{note}</td>"
        f"<td>{who}</td><td class='muted'>{when}</td></tr>"
        for t, feed, note, who, when in bookmark_rows(report)
    )
    return (
        f"<h2>Bookmarks ({len(report.bookmarks)})</h2><table><tr><th class='num'>time</th>"
        f"<th>feed</th><th>note</th><th>by</th><th>made</th></tr>{rows}</table>"
    )


def _sighting_rows(report: ReportData, job: Job) -> str:
    out = []
    total = len(report.rows)
    for i, r in enumerate(report.rows):
        if i % 100 == 0:
            job.step(i, total)
        thumb = (
            f'<img class="thumb" alt="sighting {r.sighting_id}" src="{data_uri(r.thumbnail_png)}">'
            if r.thumbnail_png
            else '<div class="nothumb"></div>'
        )
        color = STATUS_COLORS.get(r.status, "#6b7280")
        tags = "".join(f'<span class="tag">{escape(t)}</span>' for t in r.tags)
        out.append(
            "<tr>"
            f"<td>{thumb}</td>"
            f"<td>{escape(r.feed)}<div class='muted'>track {r.track}</div></td>"
            f"<td><span class='swatch' style='background:{class_hex(r.target_class)}'></span>"
            f"{escape(r.target_class)}</td>"
            f"<td><span class='badge' style='background:{color}'>{escape(r.status)}</span>"
            f"<div class='muted'>{escape(r.source)}</div></td>"
            f"<td class='num'>{escape(format_clock(r.start_s))}<br>"
            f"<span class='muted'>to {escape(format_clock(r.end_s))}</span></td>"
            f"<td class='num'>{r.duration_s:.1f} s</td>"
            f"<td class='num'>{r.peak_score:.2f}</td>"
            f"<td><div class='note'>{escape(r.note)}</div>{tags}</td>"
            "</tr>"
        )
    return "".join(out)


def render(report: ReportData, job: Job) -> bytes:
    sources = ", ".join(f"{n} {escape(s)}" for s, n in report.by_source) or "none"
    table = (
        "<table class='sightings'><tr><th></th><th>feed</th><th>class</th><th>status</th>"
        "<th class='num'>time</th><th class='num'>duration</th><th class='num'>peak</th>"
        f"<th>note and tags</th></tr>{_sighting_rows(report, job)}</table>"
        if report.rows
        else "<p class='muted'>No sightings match these filters.</p>"
    )
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="DroneWatch">
<title>{escape(report.title)}</title>
<style>{_CSS}</style>
</head>
<body>
<header>
<h1>{escape(report.title)}</h1>
<div class="meta"><span>Generated {escape(report.generated_at)}</span>
<span>Selection: {escape(report.filter_summary)}</span></div>
</header>
<main>
<h2>Summary</h2>
<div class="cards">{_cards(report)}</div>
<p class="muted">Sources: {sources}. Times are measured from the start of each clip.</p>
<div class="grid2">
<section><h2>By feed</h2>{_feed_table(report)}</section>
<section><h2>By class</h2>{_class_table(report)}</section>
</div>
<h2>Timeline</h2>
<img class="timeline" alt="timeline of sightings per feed"
 src="{data_uri(report.timeline_png)}">
{_bookmarks(report)}
<h2>Sightings ({report.total})</h2>
{table}
<p class="muted">Peak: the best detection score of the sighting (0 to 1). Source: machine
(automatic detection), operator (drawn by hand) or import (from another log).</p>
</main>
<footer>DroneWatch sightings report &middot; database {escape(report.db_path)}</footer>
</body>
</html>
"""
    return page.encode("utf-8")
