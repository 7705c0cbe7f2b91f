"""The sightings log as CSV: a header row of ``LOG_COLUMNS``, one row per sighting.

UTF-8 with a byte-order mark, so spreadsheet programs pick the right encoding for notes
in any language; the importer accepts it with or without. Tags are a JSON list in one
cell.
"""

from __future__ import annotations

import csv
import io

from dronewatch.exports.atomic import Job
from dronewatch.exports.model import LOG_COLUMNS, ExportData, tags_text


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
        writer.writerow([values[c] for c in LOG_COLUMNS])
    return buf.getvalue().encode("utf-8-sig")
