"""What an analysis runs with: the analyser, an optional ONNX model and ``--set``
overrides, as one value that ``dronewatch gui`` hands to the window, its feeds' worker
processes and its library's "Analyse all" (``dronewatch analyze`` puts the same three
fields in each :class:`~dronewatch.sightings.clip_job.ClipJob`).

Results in the sightings store are stamped with :meth:`AnalysisSettings.fingerprint`,
so the app reuses an earlier analysis only when it was made with the same settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dronewatch.config_overrides import Overrides
from dronewatch.frames import VideoInfo
from dronewatch.sightings.clip_job import DEFAULT_ANALYZER, config_fingerprint, make_analyzer


@dataclass(frozen=True, slots=True)
class AnalysisSettings:
    """Plain strings and tuples, so it pickles into spawned worker processes."""

    analyzer: str = DEFAULT_ANALYZER  # "module:callable"
    model_path: str | None = None
    overrides: Overrides = ()

    def fingerprint(self) -> str:
        return config_fingerprint(self.analyzer, self.model_path, self.overrides)

    def make_analyzer(self, info: VideoInfo) -> Any:
        model = Path(self.model_path) if self.model_path else None
        return make_analyzer(self.analyzer, info, model, self.overrides)


DEFAULT_SETTINGS = AnalysisSettings()
