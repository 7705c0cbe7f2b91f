"""Clip identity by content hash, and the default database location."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dronewatch.clip_identity import content_hash
from dronewatch.errors import SourceError
from dronewatch.paths import default_db_path, user_data_dir


def make_file(path: Path, size: int, seed: int = 0) -> Path:
    import numpy as np

    path.write_bytes(np.random.default_rng(seed).integers(0, 256, size, np.uint8).tobytes())
    return path


@pytest.mark.parametrize("size", [0, 10, 3 * 1024 * 1024, 9 * 1024 * 1024])
def test_copy_at_another_path_has_same_hash(tmp_path: Path, size: int) -> None:
    original = make_file(tmp_path / "a.mp4", size)
    (tmp_path / "elsewhere").mkdir()
    copy = tmp_path / "elsewhere" / "renamed.mkv"
    shutil.copyfile(original, copy)
    assert content_hash(original) == content_hash(copy)


def test_different_content_different_hash(tmp_path: Path) -> None:
    a = make_file(tmp_path / "a.mp4", 100_000, seed=1)
    b = make_file(tmp_path / "b.mp4", 100_000, seed=2)
    assert content_hash(a) != content_hash(b)


def test_change_at_either_edge_or_in_size_changes_hash(tmp_path: Path) -> None:
    edge = 1024
    base = make_file(tmp_path / "a.bin", 10 * edge).read_bytes()
    ref = content_hash(tmp_path / "a.bin", edge_bytes=edge)
    for variant in (b"X" + base[1:], base[:-1] + b"X", base + b"\0"):
        (tmp_path / "v.bin").write_bytes(variant)
        assert content_hash(tmp_path / "v.bin", edge_bytes=edge) != ref
    # The middle is not hashed on big files: that is the price of speed.
    middle = base[: 5 * edge] + b"X" + base[5 * edge + 1 :]
    (tmp_path / "m.bin").write_bytes(middle)
    assert content_hash(tmp_path / "m.bin", edge_bytes=edge) == ref


def test_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"nope\.mp4: file not found"):
        content_hash(tmp_path / "nope.mp4")


def test_user_data_dir_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_db_path() == tmp_path / "xdg" / "dronewatch" / "sightings.db"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert user_data_dir() == tmp_path / "home" / ".local" / "share" / "dronewatch"
    monkeypatch.delenv("XDG_DATA_HOME")
    assert user_data_dir() == tmp_path / "home" / ".local" / "share" / "dronewatch"
