"""The sightings log as CSV: a header row of ``LOG_COLUMNS``, one row per sighting.

UTF-8 with a byte-order mark, so spreadsheet programs pick the right encoding for notes
in any language; the importer accepts it with or without. Tags are a JSON list in one
cell.

A note (or feed name) that a spreadsheet would run as a formula (it starts with ``=``,
``+``, ``-``, ``@``, tab or CR) gets a leading apostrophe, and so does one that already
starts with an apostrophe; the importer removes exactly one, so the text survives a
round trip unchanged.
"""

from __future__ import annotations

import csv
import io

from dronewatch.exports.atomic import Job
from dronewatch.exports.model import LOG_COLUMNS, ExportData, tags_text

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")
TEXT_COLUMNS = ("feed", "note")


def defuse(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_START) else text


def render(data: ExportData, job: Job) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(LOG_COLUMNS)
    total = len(data.rows)
    for i, row in enumerate(data.rows):
        if i % 500 == 0:
            job.step(i, total)
        values = row.log_values()
        values["tags"] = tags_text(row.tags)
        for column in TEXT_COLUMNS:
            values[column] = defuse(str(values[column]))
        writer.writerow([values[c] for c in LOG_COLUMNS])
    return buf.getvalue().encode("utf-8-sig")
