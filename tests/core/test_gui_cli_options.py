"""``dronewatch gui --model/--set``: checked before any window opens (no Qt needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dronewatch.analysis_settings import DEFAULT_SETTINGS
from dronewatch.cli import main as cli_main


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
