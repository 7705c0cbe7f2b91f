"""Core tests must pass without Qt: with DRONEWATCH_BLOCK_QT=1 any Qt import fails.

`make test` runs tests/core that way, which proves the headless core never needs Qt.
"""

from __future__ import annotations

import importlib.abc
import os
import sys

_QT_MODULES = ("PySide6", "shiboken6", "pyqtgraph", "PyQt5", "PyQt6")


class _QtBlocker(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] in _QT_MODULES:
            raise ModuleNotFoundError(f"Qt is blocked in core tests: import of {fullname}")
        return None


if os.environ.get("DRONEWATCH_BLOCK_QT") == "1":
    already = [m for m in sys.modules if m.split(".")[0] in _QT_MODULES]
    if already:
        raise RuntimeError(f"Qt was imported before the core tests started: {already}")
    sys.meta_path.insert(0, _QtBlocker())
