"""Small test clips written on the fly (never committed)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

REALDATA = Path(__file__).resolve().parents[1].parent / "shared" / "realdata"


def frame_pattern(index: int, size: tuple[int, int]) -> np.ndarray:
    """A frame whose content identifies its index: a moving square and the number."""
    w, h = size
    img = np.full((h, w, 3), 40, np.uint8)
    img[:, :, 1] = np.linspace(30, 200, w, dtype=np.uint8)[None, :]
    x = (index * 7) % max(1, w - 20)
    cv2.rectangle(img, (x, h // 3), (x + 18, h // 3 + 18), (255, 255, 255), -1)
    cv2.putText(img, str(index), (8, h - 10), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (0, 0, 255), 2)
    return img


def write_clip(path: Path, frames: int, fps: float, size: tuple[int, int] = (160, 96)) -> Path:
    """An MPEG-4 clip OpenCV can write and read (no H.264 encoder in its wheels)."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    assert writer.isOpened(), f"cannot write {path}"
    for i in range(frames):
        writer.write(frame_pattern(i, size))
    writer.release()
    return path


def write_ts_clip(path: Path, frames: int, fps: int, size: tuple[int, int] = (160, 96)) -> Path:
    """An H.264 MPEG-TS clip written with PyAV, the container drones stream in."""
    import av

    with av.open(str(path), "w", format="mpegts") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.options = {"g": "12"}
        for i in range(frames):
            frame = av.VideoFrame.from_ndarray(frame_pattern(i, size), format="bgr24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return path


def requires_realdata(*parts: str) -> Path:
    """Path under ../shared/realdata, or skip the test saying why."""
    import pytest

    path = REALDATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real footage not available: {path} is absent (../shared/realdata)")
    return path


def write_truncated_streamable_clip(path: Path, frames: int = 100, keep: float = 0.6) -> Path:
    """An H.264 mp4 with its index first (faststart), cut short: it opens, then fails."""
    import av

    full = path.with_name(path.stem + "-full.mp4")
    with av.open(str(full), "w", options={"movflags": "faststart"}) as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width, stream.height = 160, 96
        stream.pix_fmt = "yuv420p"
        stream.options = {"g": "10"}
        for i in range(frames):
            frame = av.VideoFrame.from_ndarray(frame_pattern(i, (160, 96)), format="bgr24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    data = full.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path
