"""OpenCV's Qt 5 plugin path never reaches PySide6."""

from __future__ import annotations

import importlib
import os

import cv2

from ui import qt_env


def test_opencv_qt_plugin_variables_are_removed(monkeypatch) -> None:
    cv2_dir = os.path.dirname(cv2.__file__)
    monkeypatch.setenv("QT_QPA_PLATFORM_PLUGIN_PATH", os.path.join(cv2_dir, "qt", "plugins"))
    monkeypatch.setenv("QT_QPA_FONTDIR", os.path.join(cv2_dir, "qt", "fonts"))
    monkeypatch.setenv("QT_PLUGIN_PATH", "/opt/my/own/qt6/plugins")
    dropped = importlib.reload(qt_env).remove_opencv_qt_paths()
    assert sorted(dropped) == ["QT_QPA_FONTDIR", "QT_QPA_PLATFORM_PLUGIN_PATH"]
    assert "QT_QPA_PLATFORM_PLUGIN_PATH" not in os.environ
    assert os.environ["QT_PLUGIN_PATH"] == "/opt/my/own/qt6/plugins"  # not ours to touch
