"""Deterministic noise: fractal textures for the ground, smooth wiggles over time."""

from __future__ import annotations

import cv2
import numpy as np


def value_noise(rng: np.random.Generator, shape: tuple[int, int], cell_px: float) -> np.ndarray:
    """Smooth noise in about [-1, 1] with features ``cell_px`` pixels across.

    A coarse random grid upsampled bicubically: cheap and good enough for terrain.
    """
    h, w = shape
    gh = max(2, int(np.ceil(h / cell_px)) + 2)
    gw = max(2, int(np.ceil(w / cell_px)) + 2)
    grid = rng.uniform(-1.0, 1.0, (gh, gw)).astype(np.float32)
    big = cv2.resize(grid, (int(gw * cell_px), int(gh * cell_px)), interpolation=cv2.INTER_CUBIC)
    return big[:h, :w]


def fractal_noise(
    rng: np.random.Generator,
    shape: tuple[int, int],
    cell_px: float,
    octaves: int = 4,
    persistence: float = 0.5,
) -> np.ndarray:
    """Sum of ``octaves`` value-noise layers, each half the size of the last."""
    total = np.zeros(shape, np.float32)
    amp, norm = 1.0, 0.0
    cell = cell_px
    for _ in range(octaves):
        if cell < 1.0:
            total += amp * rng.uniform(-1.0, 1.0, shape).astype(np.float32)
        else:
            total += amp * value_noise(rng, shape, cell)
        norm += amp
        amp *= persistence
        cell /= 2.0
    return total / norm


class Wiggle:
    """A smooth, bounded function of time: a sum of sinusoids with random phases.

    Evaluating it at any ``t`` needs no state, which keeps every frame independent.
    """

    def __init__(
        self, rng: np.random.Generator, amplitude: float, freqs_hz: tuple[float, ...]
    ) -> None:
        n = len(freqs_hz)
        self.freqs = np.asarray(freqs_hz, np.float64) * rng.uniform(0.8, 1.25, n)
        self.phases = rng.uniform(0.0, 2 * np.pi, n)
        weights = rng.uniform(0.5, 1.0, n)
        self.amps = amplitude * weights / np.sqrt(np.sum(weights**2) / 2.0)

    def __call__(self, t: float | np.ndarray) -> np.ndarray | float:
        t_arr = np.asarray(t, np.float64)[..., None]
        return np.sum(self.amps * np.sin(2 * np.pi * self.freqs * t_arr + self.phases), axis=-1)
