"""Fixtures shared by core and GUI tests. Imports no Qt."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.clips import write_clip


@pytest.fixture
def clip_factory(tmp_path: Path):
    """Make test clips: clip_factory(name, frames, fps, size=(160, 96))."""

    def make(name: str, frames: int, fps: float, size: tuple[int, int] = (160, 96)) -> Path:
        return write_clip(tmp_path / name, frames, fps, size)

    return make
