"""The one clock every feed follows."""

from __future__ import annotations

import time
from collections.abc import Callable

SPEEDS: tuple[float, ...] = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)


class PlaybackClock:
    """Shared playback position in seconds, advancing at ``speed`` while playing.

    The position is computed from a monotonic clock on demand, so it never drifts with
    how often the GUI asks for it. ``now`` is injectable for deterministic tests.
    """

    def __init__(self, duration: float = 0.0, now: Callable[[], float] = time.monotonic):
        self._now = now
        self._duration = max(0.0, duration)
        self._speed = 1.0
        self._playing = False
        self._anchor_position = 0.0
        self._anchor_time = now()

    @property
    def duration(self) -> float:
        return self._duration

    @duration.setter
    def duration(self, value: float) -> None:
        self._rebase()
        self._duration = max(0.0, value)
        self._anchor_position = min(self._anchor_position, self._duration)

    @property
    def speed(self) -> float:
        return self._speed

    @speed.setter
    def speed(self, value: float) -> None:
        if not SPEEDS[0] <= value <= SPEEDS[-1]:
            raise ValueError(f"speed must be within {SPEEDS[0]}x..{SPEEDS[-1]}x, got {value}")
        self._rebase()
        self._speed = value

    @property
    def playing(self) -> bool:
        return self._playing

    def position(self) -> float:
        """Current position; playback stops by itself at the end."""
        if not self._playing:
            return self._anchor_position
        if self._duration == 0:
            return 0.0  # feeds still opening: keep the wish to play, start when they are
        pos = self._anchor_position + (self._now() - self._anchor_time) * self._speed
        if pos >= self._duration:
            self._playing = False
            self._anchor_position = self._duration
            return self._duration
        return pos

    def _rebase(self) -> None:
        self._anchor_position = self.position()
        self._anchor_time = self._now()

    def play(self) -> None:
        if self._duration and self._anchor_position >= self._duration:
            self._anchor_position = 0.0  # play again from the start, as players do
        self._anchor_time = self._now()
        self._playing = True

    def pause(self) -> None:
        self._rebase()
        self._playing = False

    def toggle(self) -> None:
        if self.playing:
            self.pause()
        else:
            self.play()

    def seek(self, position: float) -> None:
        self._anchor_position = min(max(0.0, position), self._duration)
        self._anchor_time = self._now()

    def step(self, seconds: float) -> None:
        """Pause and move by ``seconds`` (negative steps back)."""
        self.pause()
        self.seek(self._anchor_position + seconds)

    def faster(self) -> None:
        higher = [s for s in SPEEDS if s > self._speed]
        if higher:
            self.speed = higher[0]

    def slower(self) -> None:
        lower = [s for s in SPEEDS if s < self._speed]
        if lower:
            self.speed = lower[-1]
