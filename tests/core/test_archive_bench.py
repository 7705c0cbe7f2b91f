"""``dronewatch bench archive`` prints throughput and scaling efficiency as JSON."""

from __future__ import annotations

import json

import pytest

from dronewatch.cli import main

pytest.importorskip("distributed")


def test_bench_archive_reports_throughput(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--clips", "2", "--workers", "1", "--seconds", "1", "--size", "160x96"]
    assert main(["bench", "archive", *args]) == 0
    result = json.loads(capsys.readouterr().out)
    (run,) = result["runs"]
    assert run["workers"] == 1 and run["failed"] == 0
    assert run["footage_s"] == pytest.approx(2.0, abs=0.2)
    assert run["footage_h_per_wall_h"] > 0
    assert result["scaling_efficiency"] == {"1": 1.0}


def test_bench_archive_analyses_with_the_settings_given(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["--clips", "1", "--workers", "1", "--seconds", "2", "--size", "320x180"]
    assert main(["bench", "archive", *args]) == 0
    (plain,) = json.loads(capsys.readouterr().out)["runs"]
    blind = ["--set", "detector.min_area=100000"]  # no blob is that big: no sightings
    assert main(["bench", "archive", *args, *blind]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["settings"] == {"detector.min_area": 100000}
    assert plain["sightings"] > 0 and result["runs"][0]["sightings"] == 0


def test_bench_archive_refuses_an_unknown_setting(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["bench", "archive", "--set", "detector.nope=1"])
    assert exit_info.value.code == 2 and "detector.nope" in capsys.readouterr().err
