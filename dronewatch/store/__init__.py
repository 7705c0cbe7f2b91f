"""The local SQLite sightings store: one writer thread, readers on their own connections."""

from dronewatch.store.errors import StoreError
from dronewatch.store.geo_ops import FootprintRow, PositionRow
from dronewatch.store.reader import (
    PATH_COLUMNS,
    TRACK_POINT_COLUMNS,
    SightingQuery,
    SightingsReader,
)
from dronewatch.store.records import (
    BookmarkRecord,
    ClipInfo,
    ClipRecord,
    EditField,
    EditRecord,
    ReferenceLayerInfo,
    ReviewStatus,
    SightingRecord,
    SightingSource,
)
from dronewatch.store.review_ops import NewSighting, ReferenceRow, ReviewError
from dronewatch.store.schema import MIGRATIONS, SCHEMA_VERSION, migrate
from dronewatch.store.writer import Store, close_orphaned_sightings

__all__ = [
    "MIGRATIONS",
    "PATH_COLUMNS",
    "SCHEMA_VERSION",
    "TRACK_POINT_COLUMNS",
    "BookmarkRecord",
    "ClipInfo",
    "ClipRecord",
    "EditField",
    "EditRecord",
    "FootprintRow",
    "NewSighting",
    "PositionRow",
    "ReferenceLayerInfo",
    "ReferenceRow",
    "ReviewError",
    "ReviewStatus",
    "SightingQuery",
    "SightingRecord",
    "SightingSource",
    "SightingsReader",
    "Store",
    "StoreError",
    "close_orphaned_sightings",
    "migrate",
]
