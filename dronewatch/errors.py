"""Errors a user may see: each names the file and the problem in one line."""

from __future__ import annotations

from pathlib import Path


class DroneWatchError(Exception):
    """Base for errors shown to the user as a one-line message (no traceback)."""


class SourceError(DroneWatchError):
    """A feed could not be opened or read."""

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")
