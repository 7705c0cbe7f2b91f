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
