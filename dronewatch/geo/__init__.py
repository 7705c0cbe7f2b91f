"""Ground positions from KLV telemetry: where each frame and each sighting lies on Earth.

* :mod:`.local` — metres on a local tangent plane <-> WGS 84 latitude/longitude;
* :mod:`.attitude` — sensor pointing from ST 0601 angles, flat-earth ray casting;
* :mod:`.footprint` — a frame's footprint from its corner points (homography), or from
  position, attitude and fields of view when the corners are missing;
* :mod:`.georef` — a clip's KLV -> per-frame footprints -> stored box positions.

>>> from dronewatch.geo import georeference_clip
>>> print(georeference_clip("sightings.db", "flight.ts").text())   # doctest: +SKIP
"""

from dronewatch.geo.footprint import Footprint, footprint_from_klv, homography
from dronewatch.geo.georef import (
    GeoSummary,
    footprints_from_klv,
    georeference_clip,
    locate_box_points,
)
from dronewatch.geo.local import LocalPlane, ground_distance_m

__all__ = [
    "Footprint",
    "GeoSummary",
    "LocalPlane",
    "footprint_from_klv",
    "footprints_from_klv",
    "georeference_clip",
    "ground_distance_m",
    "homography",
    "locate_box_points",
]
