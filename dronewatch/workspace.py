"""What the window had open, saved as JSON: feeds, layout, overlays, analysis, geometry."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from dronewatch.errors import DroneWatchError

WORKSPACE_VERSION = 1


def user_config_dir() -> Path:
    """``$XDG_CONFIG_HOME/dronewatch``, or ``~/.config/dronewatch``."""
    base = os.environ.get("XDG_CONFIG_HOME", "").strip()
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".config"
    return root / "dronewatch"


def default_workspace_path() -> Path:
    return user_config_dir() / "workspace.json"


@dataclass(frozen=True)
class Workspace:
    feeds: list[str] = field(default_factory=list)
    layout_columns: int | None = None
    boxes: bool = True
    ids: bool = True
    trails: bool = True
    hud: bool = True
    analysis: bool = True
    position_s: float = 0.0
    geometry: str = ""  # base64 of QWidget.saveGeometry(), opaque here
    window_state: str = ""  # base64 of QMainWindow.saveState()
    offsets: dict[str, float] = field(default_factory=dict)  # feed -> seconds on the clock

    def save(self, path: Path) -> None:
        """Write atomically: a crash mid-save never leaves a half-written workspace."""
        data = {"version": WORKSPACE_VERSION, **asdict(self)}
        tmp = path.with_name(path.name + ".tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(data, indent=2))
            os.replace(tmp, path)
        except OSError as exc:
            raise DroneWatchError(f"{path}: cannot save workspace ({exc.strerror or exc})") from exc

    @classmethod
    def load(cls, path: Path) -> Workspace:
        try:
            data = json.loads(path.read_text())
        except FileNotFoundError:
            raise DroneWatchError(f"{path}: workspace file not found") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise DroneWatchError(f"{path}: not a DroneWatch workspace ({exc})") from None
        if not isinstance(data, dict) or data.get("version") != WORKSPACE_VERSION:
            raise DroneWatchError(f"{path}: not a DroneWatch workspace (unknown version)")
        try:
            feeds = data.get("feeds", [])
            if not isinstance(feeds, list) or not all(isinstance(f, str) for f in feeds):
                raise TypeError("feeds must be a list of paths")
            columns = data.get("layout_columns")
            if columns is not None and (not isinstance(columns, int) or not 1 <= columns <= 8):
                raise TypeError("layout_columns must be 1..8 or null")
            offsets = data.get("offsets", {})
            if not isinstance(offsets, dict):
                raise TypeError("offsets must map feeds to seconds")
            offsets = {str(k): float(v) for k, v in offsets.items()}
            flags = {
                k: bool(data.get(k, True)) for k in ("boxes", "ids", "trails", "hud", "analysis")
            }
            return cls(
                feeds=feeds,
                layout_columns=columns,
                position_s=max(0.0, float(data.get("position_s", 0.0))),
                geometry=str(data.get("geometry", "")),
                window_state=str(data.get("window_state", "")),
                offsets=offsets,
                **flags,
            )
        except (TypeError, ValueError) as exc:
            raise DroneWatchError(f"{path}: not a DroneWatch workspace ({exc})") from None
