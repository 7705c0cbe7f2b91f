"""A simulated drone feed rendered on the fly (``sim:PRESET?seed=N&seconds=S&fps=F&size=WxH``).

Every frame is a pure function of the scenario and its index, so ``seek`` is exact and
free: the next ``read`` simply renders the requested frame.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

import numpy as np

from dronewatch.errors import DroneWatchError, SourceError
from dronewatch.frames import FramePacket, VideoInfo
from dronewatch.sim import DEFAULT_PRESET, GTBox, Renderer, make_scenario, parse_size
from dronewatch.sim.groundtruth import motion_conf, moved_by_frame

SPEC_PREFIX = "sim:"
DEFAULT_SECONDS = 60.0
DEFAULT_FPS = 25.0
DEFAULT_SIZE = (640, 360)
_KEYS = ("seed", "seconds", "fps", "size")


class SimulatedSource:
    """FrameSource over :class:`dronewatch.sim.Renderer`; also exposes the ground truth."""

    def __init__(
        self,
        preset: str = DEFAULT_PRESET,
        *,
        seed: int = 0,
        seconds: float = DEFAULT_SECONDS,
        fps: float = DEFAULT_FPS,
        size: tuple[int, int] = DEFAULT_SIZE,
    ) -> None:
        self.scenario = make_scenario(preset, seed=seed, seconds=seconds, fps=fps, size=size)
        self._renderer = Renderer(self.scenario)
        s = self.scenario
        self.spec = (
            f"{SPEC_PREFIX}{preset}?seed={seed}&seconds={seconds:g}&fps={fps:g}"
            f"&size={s.width}x{s.height}"
        )
        extras = []
        if seconds != DEFAULT_SECONDS:
            extras.append(f"seconds={seconds:g}")
        if fps != DEFAULT_FPS:
            extras.append(f"fps={fps:g}")
        if (s.width, s.height) != DEFAULT_SIZE:
            extras.append(f"size={s.width}x{s.height}")
        self.name = f"{SPEC_PREFIX}{preset}?seed={seed}" + "".join(f"&{e}" for e in extras)
        self.info = VideoInfo(fps=s.fps, width=s.width, height=s.height, frame_count=s.frame_count)
        self._next = 0
        self._closed = False
        # Target id -> whether it has moved by each frame, from its first frame with a
        # box; frames 0.._scanned-1 have been looked at for first boxes.
        self._moved: dict[int, np.ndarray] = {}
        self._scanned = 0

    @classmethod
    def from_spec(cls, spec: str) -> SimulatedSource:
        """Parse ``sim:PRESET?seed=N&seconds=S&fps=F&size=WxH`` (every part optional)."""
        if not spec.startswith(SPEC_PREFIX):
            raise SourceError(spec, f"not a simulated feed spec (must start with {SPEC_PREFIX!r})")
        body = spec[len(SPEC_PREFIX) :]
        preset, _, query = body.partition("?")
        preset = preset.strip() or DEFAULT_PRESET
        kwargs: dict[str, object] = {}
        try:
            for key, value in parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query)):
                if key not in _KEYS:
                    raise SourceError(spec, f"unknown key {key!r} (use {', '.join(_KEYS)})")
                if key == "seed":
                    kwargs["seed"] = int(value)
                elif key == "size":
                    try:
                        kwargs["size"] = parse_size(value)
                    except DroneWatchError as exc:
                        raise SourceError(spec, str(exc)) from None
                else:
                    kwargs[key] = float(value)
        except ValueError as exc:
            raise SourceError(spec, f"bad value ({exc})") from None
        try:
            return cls(preset, **kwargs)  # type: ignore[arg-type]
        except SourceError:
            raise
        except DroneWatchError as exc:
            raise SourceError(spec, str(exc)) from None

    @property
    def renderer(self) -> Renderer:
        return self._renderer

    def ground_truth(self, index: int) -> list[GTBox]:
        """Boxes of the targets visible in frame ``index`` (MOT rows use ``index + 1``),
        with the conf the simulator writes to ``NAME.gt.txt``. Conf depends on each
        target's first frame with a box, so the frames before are scanned once (boxes
        only: no background, no effects)."""
        boxes = self._renderer.boxes(index)
        while self._scanned <= index:
            frame_boxes = boxes if self._scanned == index else self._renderer.boxes(self._scanned)
            for b in frame_boxes:
                if b.id not in self._moved:
                    xy = self._renderer.tracks[b.id]
                    self._moved[b.id] = moved_by_frame(xy, b.frame - 1)
            self._scanned += 1
        return motion_conf(boxes, self._moved)

    def read(self) -> FramePacket | None:
        if self._closed:
            raise SourceError(self.name, "read after close")
        if self._next >= self.scenario.frame_count:
            return None
        index = self._next
        frame = self._renderer.render(index)
        self._next += 1
        return FramePacket(index, self.info.time_of(index), frame.image)

    def seek(self, index: int) -> None:
        self._next = min(max(0, int(index)), self.scenario.frame_count)

    def close(self) -> None:
        self._closed = True
