"""The bundled sample feeds: fixed names, presets and seeds (see sample_videos/README.md)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SampleSpec:
    name: str
    preset: str
    seed: int
    seconds: float = 20.0
    fps: float = 25.0
    size: tuple[int, int] = (640, 360)


SAMPLES: tuple[SampleSpec, ...] = (
    SampleSpec("day-pan", "day-pan", 101),
    SampleSpec("thermal-night", "thermal-night", 202),
    SampleSpec("fog", "fog", 303),
    SampleSpec("busy", "busy", 505),
)
