"""Database errors shown to the user as one line naming the file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from dronewatch.errors import DroneWatchError


class StoreError(DroneWatchError):
    """The sightings database could not be opened, read or written."""

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


def describe(exc: sqlite3.Error) -> str:
    """A short user-facing reason for an sqlite error (full disk, read-only, ...)."""
    code = getattr(exc, "sqlite_errorcode", None)
    text = str(exc)
    if code == sqlite3.SQLITE_FULL or "full" in text:
        return f"disk full, sightings cannot be saved ({text})"
    if code == sqlite3.SQLITE_READONLY or "readonly" in text:
        return f"database is read-only ({text})"
    if code == sqlite3.SQLITE_CANTOPEN or "unable to open" in text:
        return f"cannot open database file ({text})"
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB) or "not a database" in text:
        return f"not a DroneWatch database or corrupt ({text})"
    if code == sqlite3.SQLITE_BUSY or "locked" in text:
        return f"database is locked by another program ({text})"
    return f"database error ({text})"


def wrap(path: str | Path, exc: sqlite3.Error) -> StoreError:
    return StoreError(path, describe(exc))
