"""Prepare the process environment before Qt starts.

The opencv-python wheel ships Qt 5 plugins and, when ``cv2`` is imported, points
``QT_QPA_PLATFORM_PLUGIN_PATH`` (and ``QT_QPA_FONTDIR``) at them. PySide6 is Qt 6: loading
those plugins fails or crashes. We import cv2 first, so its side effect has happened, and
then remove any Qt variable that points inside the cv2 package.
"""

from __future__ import annotations

import os
from pathlib import Path

import cv2

_CV2_QT_VARIABLES = ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR", "QT_PLUGIN_PATH")


def remove_opencv_qt_paths() -> list[str]:
    """Drop Qt variables that point into OpenCV's bundled Qt 5; return the names dropped."""
    cv2_dir = str(Path(cv2.__file__).resolve().parent)
    dropped = []
    for name in _CV2_QT_VARIABLES:
        value = os.environ.get(name)
        if value and cv2_dir in str(Path(value).resolve()):
            del os.environ[name]
            dropped.append(name)
    return dropped


def has_display() -> bool:
    """True when Qt can open a window: a display server, or an explicit platform plugin."""
    return bool(
        os.environ.get("QT_QPA_PLATFORM")
        or os.environ.get("DISPLAY")
        or os.environ.get("WAYLAND_DISPLAY")
    )
