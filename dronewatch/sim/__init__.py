"""Procedural drone footage with ground truth.

A scenario (preset + seed + timing + size) fixes a world texture, a camera path and
target trajectories; ``Renderer.render(i)`` then draws frame ``i`` on its own, which is
what gives :class:`dronewatch.sources.simulated.SimulatedSource` random access.

>>> from dronewatch.sim import Renderer, make_scenario
>>> frame = Renderer(make_scenario("fog", seed=3, seconds=2)).render(10)
>>> frame.image.shape
(360, 640, 3)
"""

from dronewatch.sim.generate import GenerationReport, generate
from dronewatch.sim.groundtruth import GTBox, read_mot, write_mot
from dronewatch.sim.presets import DEFAULT_PRESET, PRESETS, Preset, get_preset
from dronewatch.sim.render import RenderedFrame, Renderer
from dronewatch.sim.samples import SAMPLES, SampleSpec
from dronewatch.sim.scenario import CLASS_IDS, PERSON, VEHICLE, Scenario, make_scenario, parse_size

__all__ = [
    "CLASS_IDS",
    "DEFAULT_PRESET",
    "PERSON",
    "PRESETS",
    "SAMPLES",
    "VEHICLE",
    "GTBox",
    "GenerationReport",
    "Preset",
    "RenderedFrame",
    "Renderer",
    "SampleSpec",
    "Scenario",
    "generate",
    "get_preset",
    "make_scenario",
    "parse_size",
    "read_mot",
    "write_mot",
]
