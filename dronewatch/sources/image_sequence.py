"""A folder of numbered images (jpg/png) played at a given frame rate."""

from __future__ import annotations

import re
from pathlib import Path

import cv2
import numpy as np

from dronewatch.errors import SourceError
from dronewatch.frames import FramePacket, VideoInfo

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff"})
DEFAULT_SEQUENCE_FPS = 25.0


def _natural_key(path: Path) -> tuple[object, ...]:
    # frame2.png sorts before frame10.png
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path.name))


def list_images(folder: Path) -> list[Path]:
    """Image files of ``folder`` in frame order."""
    files = [p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES]
    return sorted(files, key=_natural_key)


class ImageSequenceSource:
    """Frames from numbered image files; every image must decode or it is reported."""

    decoder = "images"

    def __init__(self, folder: Path, fps: float = DEFAULT_SEQUENCE_FPS) -> None:
        if not folder.is_dir():
            raise SourceError(folder, "folder not found")
        if fps <= 0:
            raise SourceError(folder, f"frame rate must be positive, got {fps}")
        self.path = folder
        self.name = folder.name
        self._files = list_images(folder)
        if not self._files:
            raise SourceError(folder, "no jpg or png images in this folder")
        first = self._load(self._files[0])
        height, width = first.shape[:2]
        self.info = VideoInfo(fps=fps, width=width, height=height, frame_count=len(self._files))
        self._next = 0

    def _load(self, file: Path) -> np.ndarray:
        image = cv2.imread(str(file), cv2.IMREAD_COLOR)
        if image is None:
            raise SourceError(file, "image cannot be decoded (corrupt or not an image)")
        return image

    def read(self) -> FramePacket | None:
        if self._next >= len(self._files):
            return None
        image = self._load(self._files[self._next])
        if image.shape[1] != self.info.width or image.shape[0] != self.info.height:
            image = cv2.resize(image, (self.info.width, self.info.height))
        packet = FramePacket(self._next, self.info.time_of(self._next), image)
        self._next += 1
        return packet

    def seek(self, index: int) -> None:
        self._next = min(max(0, index), len(self._files))

    def close(self) -> None:
        self._files = []
