"""SimulatedSource: the FrameSource protocol, exact random access, spec strings."""

from __future__ import annotations

import numpy as np
import pytest

from dronewatch.errors import DroneWatchError, SourceError
from dronewatch.sources.base import FrameSource
from dronewatch.sources.simulated import SimulatedSource


@pytest.fixture(scope="module")
def source() -> SimulatedSource:
    return SimulatedSource.from_spec("sim:day-orbit?seed=2&seconds=1.2&fps=25&size=320x180")


def test_is_a_frame_source(source: SimulatedSource) -> None:
    assert isinstance(source, FrameSource)
    assert source.info.frame_count == 30
    assert (source.info.width, source.info.height, source.info.fps) == (320, 180, 25.0)
    assert source.name.startswith("sim:day-orbit?seed=2")


def test_seek_then_read_matches_sequential(source: SimulatedSource) -> None:
    source.seek(0)
    sequential = [source.read() for _ in range(13)]
    source.seek(12)
    packet = source.read()
    assert packet is not None and packet.index == 12
    assert packet.time_s == pytest.approx(12 / 25)
    assert np.array_equal(packet.image, sequential[12].image)
    source.seek(5)
    assert np.array_equal(source.read().image, sequential[5].image)


def test_reads_to_the_end(source: SimulatedSource) -> None:
    source.seek(28)
    assert source.read().index == 28
    assert source.read().index == 29
    assert source.read() is None
    source.seek(10_000)
    assert source.read() is None


def test_ground_truth_is_available(source: SimulatedSource) -> None:
    boxes = source.ground_truth(0)
    assert all(b.frame == 1 for b in boxes)


def test_defaults_when_spec_is_bare() -> None:
    src = SimulatedSource.from_spec("sim:")
    assert src.scenario.preset.name == "day-pan"
    assert (src.info.width, src.info.height, src.info.fps) == (640, 360, 25.0)
    src.close()
    with pytest.raises(SourceError):
        src.read()


@pytest.mark.parametrize(
    "spec",
    [
        "sim:nope",
        "sim:fog?size=3x3",
        "sim:fog?size=641x360",
        "sim:fog?seed=x",
        "sim:fog?bogus=1",
        "file.mp4",
    ],
)
def test_bad_specs_raise_one_line_errors(spec: str) -> None:
    with pytest.raises(DroneWatchError) as info:
        SimulatedSource.from_spec(spec)
    assert "\n" not in str(info.value)
