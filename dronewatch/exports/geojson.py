"""GeoJSON of sightings on the ground: needs positions the store does not hold yet.

A sighting gets a ground position only once telemetry (camera position and attitude) is
recorded with the video; until then every request is refused before any file is made,
rather than writing a file of features without geometry.
"""

from __future__ import annotations

from dronewatch.exports.atomic import ExportError
from dronewatch.exports.model import ExportData


def render(data: ExportData) -> bytes:
    raise ExportError(
        data.db_path,
        "geojson export needs ground positions, and no sighting has one yet "
        "(telemetry is not recorded); nothing written",
    )
