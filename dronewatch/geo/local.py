"""A local tangent plane: metres east/north of an origin <-> WGS 84 latitude/longitude.

Equirectangular about the origin, with the WGS 84 radii of curvature at the origin's
latitude (meridional ``M`` for north, prime vertical ``N cos(lat)`` for east). It
ignores how those radii change away from the origin and the Earth's curvature: the
horizontal error grows as ``d**2 * tan(lat) / R``, about 1 cm at 300 m and 4 cm at 600 m
from the origin at 51 degrees of latitude: the size of ST 0601's coordinate quantum
(~5 mm) and far below what a box in a video frame resolves. Good for a camera footprint
(hundreds of metres), not for distances of tens of kilometres.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

WGS84_A = 6378137.0
WGS84_F = 1.0 / 298.257223563
WGS84_E2 = WGS84_F * (2.0 - WGS84_F)


def wrap_lon(lon: np.ndarray | float) -> np.ndarray:
    """Longitude folded into [-180, 180)."""
    return (np.asarray(lon, dtype=np.float64) + 180.0) % 360.0 - 180.0


@dataclass(frozen=True, slots=True)
class LocalPlane:
    """Metres east (x) and north (y) of ``(lat0, lon0)`` in degrees."""

    lat0: float
    lon0: float

    def __post_init__(self) -> None:
        if not (-89.0 <= self.lat0 <= 89.0 and -180.0 <= self.lon0 <= 180.0):
            raise ValueError(f"bad origin {self.lat0}, {self.lon0}")

    @property
    def metres_per_degree(self) -> tuple[float, float]:
        """(east metres per degree of longitude, north metres per degree of latitude)."""
        s = math.sin(math.radians(self.lat0))
        w = math.sqrt(1.0 - WGS84_E2 * s * s)
        meridional = WGS84_A * (1.0 - WGS84_E2) / w**3
        prime_vertical = WGS84_A / w
        rad = math.pi / 180.0
        return prime_vertical * math.cos(math.radians(self.lat0)) * rad, meridional * rad

    def to_latlon(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Metres east/north -> (lat, lon) degrees (arrays of the inputs' shape)."""
        kx, ky = self.metres_per_degree
        lat = self.lat0 + np.asarray(y, dtype=np.float64) / ky
        lon = wrap_lon(self.lon0 + np.asarray(x, dtype=np.float64) / kx)
        return lat, lon

    def to_xy(self, lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(lat, lon) degrees -> metres east/north."""
        kx, ky = self.metres_per_degree
        x = wrap_lon(np.asarray(lon, dtype=np.float64) - self.lon0) * kx
        y = (np.asarray(lat, dtype=np.float64) - self.lat0) * ky
        return x, y


def ground_distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Distance between two nearby points (metres, through a plane at the first)."""
    x, y = LocalPlane(lat1, lon1).to_xy(np.array(lat2), np.array(lon2))
    return float(math.hypot(float(x), float(y)))
