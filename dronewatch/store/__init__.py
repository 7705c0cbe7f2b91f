"""The local SQLite sightings store: one writer thread, readers on their own connections."""

from dronewatch.store.errors import StoreError
from dronewatch.store.reader import PATH_COLUMNS, TRACK_POINT_COLUMNS, SightingsReader
from dronewatch.store.records import ClipInfo, ClipRecord, SightingRecord
from dronewatch.store.schema import MIGRATIONS, SCHEMA_VERSION, migrate
from dronewatch.store.writer import Store, close_orphaned_sightings

__all__ = [
    "MIGRATIONS",
    "PATH_COLUMNS",
    "SCHEMA_VERSION",
    "TRACK_POINT_COLUMNS",
    "ClipInfo",
    "ClipRecord",
    "SightingRecord",
    "SightingsReader",
    "Store",
    "StoreError",
    "close_orphaned_sightings",
    "migrate",
]
