"""The sightings log as JSON: a header object and a list of sightings.

``{"header": {...}, "sightings": [...]}``; the header carries the format version, the
database, when it was exported, the filters, and the clips (so an import into another
database can register them).
"""

from __future__ import annotations

import json
import time

from dronewatch.exports.atomic import Job
from dronewatch.exports.model import LOG_VERSION, ExportData


def header(data: ExportData) -> dict[str, object]:
    return {
        "format": "dronewatch-sightings",
        "version": LOG_VERSION,
        "db": str(data.db_path),
        "exported_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "filters": data.filters.describe(),
        "count": len(data.rows),
        "clips": [
            {
                "name": c.name,
                "clip_hash": c.content_hash,
                "fps": c.fps,
                "width": c.width,
                "height": c.height,
                "frame_count": c.frame_count,
            }
            for c in data.clips.values()
        ],
    }


def render(data: ExportData, job: Job) -> bytes:
    rows = []
    total = len(data.rows)
    for i, row in enumerate(data.rows):
        if i % 500 == 0:
            job.step(i, total)
        rows.append(row.log_values())
    doc = {"header": header(data), "sightings": rows}
    return (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
