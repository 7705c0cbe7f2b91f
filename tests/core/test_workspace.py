"""Workspace files: saved atomically, malformed ones refused with the file and reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dronewatch.errors import DroneWatchError
from dronewatch.workspace import Workspace


def test_round_trip(tmp_path: Path) -> None:
    ws = Workspace(
        feeds=["a.mp4", "sim:fog"],
        layout_columns=3,
        trails=False,
        position_s=4.5,
        offsets={"a.mp4": 2.5},
    )
    path = tmp_path / "sub" / "ws.json"
    ws.save(path)
    assert Workspace.load(path) == ws
    assert not list(path.parent.glob("*.tmp")), "temporary file left behind"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"{not json", "not a DroneWatch workspace"),
        (b"\xff\xfe\x00garbage", "not a DroneWatch workspace"),
        (json.dumps({"version": 99}).encode(), "unknown version"),
        (json.dumps({"version": 1, "feeds": "a.mp4"}).encode(), "feeds must be a list"),
        (json.dumps({"version": 1, "layout_columns": 40}).encode(), "layout_columns"),
        (json.dumps({"version": 1, "position_s": "soon"}).encode(), "not a DroneWatch"),
        (json.dumps({"version": 1, "offsets": [1, 2]}).encode(), "offsets must map"),
    ],
)
def test_malformed_workspace_is_refused(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "ws.json"
    path.write_bytes(content)
    with pytest.raises(DroneWatchError, match=reason) as err:
        Workspace.load(path)
    assert str(path) in str(err.value)


def test_unwritable_folder_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(DroneWatchError, match="cannot save workspace"):
        Workspace().save(blocker / "ws.json")
