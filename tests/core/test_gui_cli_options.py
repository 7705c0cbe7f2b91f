"""``dronewatch gui --model/--set``: checked before any window opens (no Qt needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dronewatch.analysis_settings import DEFAULT_SETTINGS
from dronewatch.cli import main as cli_main
from tests.clips import REALDATA


@pytest.mark.parametrize(
    ("model_bytes", "message"),
    [(None, "model file not found"), (b"not an onnx model", "not a usable ONNX model")],
)
def test_bad_model_fails_before_the_window(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], model_bytes: bytes | None, message: str
) -> None:
    model = tmp_path / "detector.onnx"
    if model_bytes is not None:
        model.write_bytes(model_bytes)
    shot = tmp_path / "shot.png"
    assert cli_main(["gui", "--model", str(model), "--screenshot", str(shot)]) == 1
    err = capsys.readouterr().err
    assert str(model) in err and message in err and not shot.exists()


def test_unknown_setting_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli_main(["gui", "--set", "detector.nope=1", "--screenshot", "x.png"])
    assert exit_info.value.code == 2
    assert "unknown setting 'detector.nope'" in capsys.readouterr().err


def test_settings_from_the_command_line() -> None:
    from dronewatch.cli import build_parser
    from dronewatch.cli.cmd_gui import analysis_settings

    args = build_parser().parse_args(["gui", "--set", "tracker.init_hits=5"])
    settings = analysis_settings(args)
    assert settings.overrides == (("tracker.init_hits", 5),) and settings.model_path is None
    assert settings.fingerprint() != DEFAULT_SETTINGS.fingerprint()
    assert analysis_settings(build_parser().parse_args(["gui"])) == DEFAULT_SETTINGS


YOLOX = REALDATA / "yolox-nano-onnx" / "yolox_nano.onnx"


@pytest.mark.skipif(not YOLOX.exists(), reason=f"{YOLOX} absent (shared real data not here)")
def test_model_reaches_the_worker_analyser() -> None:
    """The settings a window hands its worker survive pickling (spawned process) and
    build an analyser that runs the model: people on pets09's first frame."""
    import pickle

    import cv2
    import numpy as np

    from dronewatch.analysis_settings import AnalysisSettings
    from dronewatch.frames import FramePacket, VideoInfo
    from dronewatch.live.analysis_process import WorkerJob

    job = WorkerJob("clip.mp4", "clip", 20.0, AnalysisSettings(model_path=str(YOLOX)))
    job = pickle.loads(pickle.dumps(job))
    cap = cv2.VideoCapture(str(REALDATA / "pets09-s2l1" / "vtest_derived_h264.mp4"))
    ok, frame = cap.read()
    cap.release()
    assert ok
    info = VideoInfo(fps=10.0, width=frame.shape[1], height=frame.shape[0], frame_count=None)
    result = job.settings.make_analyzer(info).process(FramePacket(0, 0.0, frame))
    assert np.count_nonzero(result.detections.class_id == 2) >= 3  # the model's people
