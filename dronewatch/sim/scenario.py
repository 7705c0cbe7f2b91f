"""The scenario: preset + seed + timing + frame size, validated once."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from dronewatch.errors import DroneWatchError
from dronewatch.sim.presets import DEFAULT_PRESET, Preset, get_preset

CLASS_IDS: dict[int, str] = {1: "vehicle", 2: "person"}
VEHICLE = 1
PERSON = 2

_SIZE_RE = re.compile(r"^\s*(\d+)\s*[xX]\s*(\d+)\s*$")


def parse_size(text: str) -> tuple[int, int]:
    """``"640x360"`` -> (640, 360). Both even (yuv420p) and between 64 and 4096."""
    match = _SIZE_RE.match(text)
    if not match:
        raise DroneWatchError(f"bad size {text!r}: expected WIDTHxHEIGHT, e.g. 640x360")
    width, height = int(match.group(1)), int(match.group(2))
    check_size(width, height)
    return width, height


def check_size(width: int, height: int) -> None:
    if not (64 <= width <= 4096 and 64 <= height <= 4096):
        raise DroneWatchError(f"bad size {width}x{height}: each side must be 64..4096 pixels")
    if width % 2 or height % 2:
        raise DroneWatchError(f"bad size {width}x{height}: width and height must be even")


@dataclass(frozen=True, slots=True)
class Scenario:
    """What to simulate. Frame ``i`` is a pure function of this and ``i``."""

    preset: Preset
    seed: int
    fps: float
    width: int
    height: int
    frame_count: int

    @property
    def seconds(self) -> float:
        return self.frame_count / self.fps

    def rng(self, stream: str) -> np.random.Generator:
        """An independent generator per part (world, camera, targets...) so that
        changing one part's draws leaves the others as they were."""
        key = sum(ord(c) * 131**k for k, c in enumerate(stream)) % (2**32)
        return np.random.default_rng([self.seed, key])

    def to_dict(self) -> dict[str, object]:
        return {
            "preset": self.preset.name,
            "seed": self.seed,
            "fps": self.fps,
            "width": self.width,
            "height": self.height,
            "size": f"{self.width}x{self.height}",
            "frame_count": self.frame_count,
            "seconds": round(self.seconds, 6),
            "preset_parameters": self.preset.parameters(),
            "class_ids": {str(k): v for k, v in CLASS_IDS.items()},
        }


def make_scenario(
    preset: str | Preset = DEFAULT_PRESET,
    *,
    seed: int = 0,
    seconds: float = 20.0,
    fps: float = 25.0,
    size: tuple[int, int] | str = (640, 360),
) -> Scenario:
    """Validate user input into a Scenario (raises DroneWatchError on bad values).
    ``preset`` is a preset name or a Preset made in code (e.g. a command-post feed)."""
    chosen = preset if isinstance(preset, Preset) else get_preset(preset)
    width, height = parse_size(size) if isinstance(size, str) else size
    check_size(width, height)
    if not (math.isfinite(fps) and 1.0 <= fps <= 240.0):
        raise DroneWatchError(f"bad fps {fps}: must be between 1 and 240")
    if not (math.isfinite(seconds) and 0 < seconds <= 3600):
        raise DroneWatchError(f"bad duration {seconds} s: must be more than 0 and at most 3600")
    if not 0 <= seed < 2**63:
        raise DroneWatchError(f"bad seed {seed}: must be a non-negative integer")
    frame_count = max(1, round(seconds * fps))
    return Scenario(chosen, int(seed), float(fps), int(width), int(height), frame_count)
