"""Named simulation presets: sensor, weather, camera motion and target density."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

from dronewatch.errors import DroneWatchError

Sensor = Literal["day", "thermal"]
Weather = Literal["clear", "overcast", "fog", "rain"]
CameraMode = Literal["pan", "orbit", "drift", "zoom"]
# Who is in the scene: "mixed" (traffic, walkers, groups), "teams" (small teams creeping
# along hedges and tree lines), "road-traffic" (all on the roads: vehicles of every
# kind, pedestrians on the verges), "none" (nobody), "sparse" (a few targets, only
# inside the preset's ``active`` window: one feed of a quiet command post).
TargetMix = Literal["mixed", "teams", "road-traffic", "none", "sparse"]


@dataclass(frozen=True, slots=True)
class Preset:
    """Everything a scenario takes from its preset; the seed decides the rest."""

    name: str
    description: str
    sensor: Sensor = "day"
    weather: Weather = "clear"
    camera: CameraMode = "pan"
    jitter_deg: float = 0.08  # hand-held shake amplitude
    vehicles: int = 8  # targets per 20 s of footage (scaled with duration)
    people: int = 14
    altitude_m: float = 110.0
    tilt_deg: float = 32.0  # camera tilt away from nadir
    px_per_m: float = 5.5  # image scale at the image centre (sets the focal length)
    zoom: float = 1.0  # peak zoom factor for the "zoom" camera
    speed_mps: float = 3.5  # camera ground speed for pan / drift
    noise_sigma: float = 2.0
    jpeg_quality: int = 0  # extra link compression before encoding, 0 = off
    targets: TargetMix = "mixed"
    active: tuple[float, float] | None = None  # "sparse": when targets show (clip fractions)

    def parameters(self) -> dict[str, object]:
        """The fields for the scenario JSON. ``targets`` and ``active`` are left out at
        their defaults so the presets made before they existed write the same bytes."""
        out = asdict(self)
        if self.targets == "mixed":
            del out["targets"]
        if self.active is None:
            del out["active"]
        else:
            out["active"] = list(self.active)
        return out


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset("day-pan", "daylight, clear, slow pan over farmland and a village"),
        Preset(
            "day-orbit",
            "daylight, clear, orbit around a crossroads with hand-held jitter",
            camera="orbit",
            jitter_deg=0.35,
            tilt_deg=38.0,
            vehicles=7,
            people=14,
        ),
        Preset(
            "thermal-night",
            "thermal white-hot at night, slow drift with a gentle zoom",
            sensor="thermal",
            camera="zoom",
            zoom=1.35,
            speed_mps=1.2,
            jitter_deg=0.1,
            noise_sigma=3.0,
            people=16,
            vehicles=6,
        ),
        Preset(
            "fog",
            "daylight in fog, slow drift",
            weather="fog",
            camera="drift",
            speed_mps=1.5,
            people=12,
            vehicles=7,
        ),
        Preset(
            "rain",
            "daylight in rain, pan, lossy downlink",
            weather="rain",
            camera="pan",
            jitter_deg=0.15,
            noise_sigma=2.5,
            jpeg_quality=70,
            people=10,
            vehicles=8,
        ),
        Preset(
            "overcast",
            "overcast, flat low-contrast light, drift and zoom",
            weather="overcast",
            camera="zoom",
            zoom=1.3,
            speed_mps=1.5,
        ),
        Preset(
            "busy",
            "daylight, many vehicles and people, pan",
            vehicles=26,
            people=55,
            speed_mps=2.5,
        ),
        Preset(
            "teams",
            "teams of 2-4 people creeping along hedges and tree lines, stopping; slow drift",
            camera="drift",
            speed_mps=0.8,
            jitter_deg=0.06,
            vehicles=0,
            people=12,
            targets="teams",
        ),
        Preset(
            "road-traffic",
            "a road with cars, vans, trucks, tractors and pedestrians; slow drift",
            camera="drift",
            speed_mps=1.0,
            vehicles=18,
            people=8,
            targets="road-traffic",
        ),
        Preset(
            "calm",
            "a quiet feed with no targets at all (empty ground truth)",
            camera="drift",
            speed_mps=1.0,
            vehicles=0,
            people=0,
            targets="none",
        ),
    )
}

DEFAULT_PRESET = "day-pan"


def get_preset(name: str) -> Preset:
    """The preset called ``name``; raises DroneWatchError listing the valid names."""
    try:
        return PRESETS[name]
    except KeyError:
        names = ", ".join(PRESETS)
        raise DroneWatchError(f"unknown preset {name!r} (choose from: {names})") from None
