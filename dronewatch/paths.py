"""Where DroneWatch keeps the user's data (no Qt, so the CLI and tests can use it)."""

from __future__ import annotations

import os
from pathlib import Path

APP_DIR_NAME = "dronewatch"
DB_FILE_NAME = "sightings.db"


def user_data_dir() -> Path:
    """``$XDG_DATA_HOME/dronewatch``, or ``~/.local/share/dronewatch`` when unset.

    The folder is not created here: callers that write create it, so a read-only query
    never leaves an empty folder behind.
    """
    base = os.environ.get("XDG_DATA_HOME", "").strip()
    # The XDG spec says a relative value is invalid and must be ignored.
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".local" / "share"
    return root / APP_DIR_NAME


def default_db_path() -> Path:
    """The sightings database used when ``--db`` is not given."""
    return user_data_dir() / DB_FILE_NAME
