"""``dronewatch score`` end to end: JSON keys and values, the table, refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dronewatch.cli import main


@pytest.fixture
def gt(tmp_path: Path) -> Path:
    # 25 fps. Target 1: frames 1..50 at x 100..120, y 100..110. Target 2: frames 26..75
    # (first seen 1.0 s) at x 300..320. Target 3: frames 10..14 only (not counted).
    rows = [f"{f},1,100.00,100.00,20.00,10.00,1,2,1.000" for f in range(1, 51)]
    rows += [f"{f},2,300.00,100.00,20.00,10.00,1,1,1.000" for f in range(26, 76)]
    rows += [f"{f},3,500.00,100.00,20.00,10.00,1,2,1.000" for f in range(10, 15)]
    path = tmp_path / "clip.gt.txt"
    path.write_text("\n".join(sorted(rows, key=lambda r: int(r.split(",")[0]))) + "\n")
    return path


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    assert main(["score", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_end_to_end(tmp_path: Path, gt: Path, capsys: pytest.CaptureFixture[str]) -> None:
    marks = tmp_path / "marks.csv"
    marks.write_text(
        "time,x,y\n"
        "0.4,92,105\n"  # target 1, left edge + 8 px: hit, reaction 0.4
        "0.6,110,105\n"  # duplicate
        "1.5,310,118\n"  # target 2, bottom edge + 8: hit, reaction 0.5
        "0.45,510,105\n"  # target 3 (too brief): uncounted
        "1.7,291,105\n"  # 9 px left of target 2: false alarm
    )
    doc = run_json(capsys, "--reference", str(gt), "--marks", str(marks), "--fps", "25")
    assert {
        "hits",
        "misses",
        "false_alarms",
        "duplicates",
        "mean_reaction_s",
        "median_reaction_s",
        "targets",
    } <= set(doc)
    assert (doc["hits"], doc["misses"], doc["false_alarms"], doc["duplicates"]) == (2, 0, 1, 1)
    assert doc["uncounted"] == 1
    assert doc["mean_reaction_s"] == pytest.approx(0.45)
    assert doc["median_reaction_s"] == pytest.approx(0.45)
    assert doc["targets"] == [
        {"id": 1, "first_seen_s": 0.0, "marked_s": 0.4, "reaction_s": 0.4},
        {"id": 2, "first_seen_s": 1.0, "marked_s": 1.5, "reaction_s": 0.5},
    ]
    assert [t["targets"] for t in doc["thirds"]] == [1, 1, 0]  # 3 s: 0-1, 1-2, 2-3 s


def test_min_visible_and_misses(
    tmp_path: Path, gt: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marks = tmp_path / "marks.csv"
    marks.write_text("time,x,y\n")
    args = ["--reference", str(gt), "--marks", str(marks), "--fps", "25"]
    doc = run_json(capsys, *args, "--min-visible", "0.2")
    assert (doc["hits"], doc["misses"], doc["mean_reaction_s"], doc["median_reaction_s"]) == (
        0,
        3,
        None,
        None,
    )
    assert doc["targets"][2] == {
        "id": 3,
        "first_seen_s": 0.36,
        "marked_s": None,
        "reaction_s": None,
    }
    assert run_json(capsys, *args, "--min-visible", "2.1")["misses"] == 0


def test_per_feed_references(tmp_path: Path, gt: Path, capsys: pytest.CaptureFixture[str]) -> None:
    marks = tmp_path / "marks.csv"
    marks.write_text("time,x,y,feed\n0.4,110,105,a\n1.2,310,105,b\n")
    doc = run_json(
        capsys,
        "--reference",
        f"a={gt}",
        "--reference",
        f"b={gt}",
        "--marks",
        str(marks),
        "--fps",
        "25",
    )
    assert (doc["hits"], doc["misses"]) == (2, 2)
    assert doc["feeds"]["a"]["hits"] == 1 and doc["feeds"]["b"]["targets"][1]["reaction_s"] == 0.2


def test_detector_file(tmp_path: Path, gt: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pred = tmp_path / "pred.txt"
    pred.write_text("".join(f"{f},9,301,101,18,8,0.9,-1,-1,-1\n" for f in range(31, 60)))
    doc = run_json(capsys, "--reference", str(gt), "--detector", str(pred), "--fps", "25")
    assert (doc["hits"], doc["misses"], doc["targets"][1]["reaction_s"]) == (1, 1, 0.2)


def test_table(tmp_path: Path, gt: Path, capsys: pytest.CaptureFixture[str]) -> None:
    marks = tmp_path / "marks.csv"
    marks.write_text("time,x,y\n0.4,110,105\n")
    assert main(["score", "--reference", str(gt), "--marks", str(marks), "--fps", "25"]) == 0
    out = capsys.readouterr().out
    assert "hits 1  misses 1  false alarms 0  duplicates 0" in out
    assert "missed" in out and "mean 0.40 s" in out


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("time,x,y\n0.4,110\n", "marks.csv:2: expected 3 fields"),
        ("0.4,110,105\n", "marks.csv:1: header must name"),
        ("time,x,y\n0.4,abc,105\n", "marks.csv:2: x is not a number"),
    ],
)
def test_malformed_csv_exits_1(
    tmp_path: Path, gt: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    marks = tmp_path / "marks.csv"
    marks.write_text(text)
    assert main(["score", "--reference", str(gt), "--marks", str(marks), "--fps", "25"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("dronewatch: error: ") and message in err
    assert len(err.strip().splitlines()) == 1


def test_unknown_feed_and_bad_reference_spec(
    tmp_path: Path, gt: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marks = tmp_path / "marks.csv"
    marks.write_text("time,x,y,feed\n0.4,110,105,zz\n")
    two = ["--reference", f"a={gt}", "--reference", f"b={gt}"]
    assert main(["score", *two, "--marks", str(marks), "--fps", "25"]) == 1
    assert "line 2: mark names unknown feed 'zz'" in capsys.readouterr().err
    bad = ["--reference", str(gt), "--reference", f"b={gt}"]
    assert main(["score", *bad, "--marks", str(marks), "--fps", "25"]) == 1
    assert "FEED=PATH" in capsys.readouterr().err
    assert main(["score", "--reference", str(gt), "--marks", str(marks), "--fps", "0"]) == 1


def test_dont_care_rows(tmp_path: Path, gt: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Target 4 is parked (conf 0 throughout), target 5 moves from frame 26 (1.0 s) on.
    rows = [f"{f},4,400.00,200.00,30.00,15.00,0,1,1.000" for f in range(1, 76)]
    rows += [f"{f},5,100.00,250.00,20.00,10.00,{int(f >= 26)},2,1.000" for f in range(1, 76)]
    mixed = tmp_path / "mixed.gt.txt"
    mixed.write_text(gt.read_text() + "\n".join(rows) + "\n")
    marks = tmp_path / "marks.csv"
    marks.write_text("time,x,y\n0.2,410,205\n0.5,105,255\n1.5,105,255\n")
    doc = run_json(capsys, "--reference", str(mixed), "--marks", str(marks), "--fps", "25")
    assert (doc["hits"], doc["misses"], doc["false_alarms"], doc["uncounted"]) == (1, 2, 0, 2)
    five = next(t for t in doc["targets"] if t["id"] == 5)
    assert (five["first_seen_s"], five["reaction_s"]) == (1.0, 0.5)
    assert 4 not in [t["id"] for t in doc["targets"]]
    pred = tmp_path / "pred.txt"  # a detector track on the parked vehicle: neutral
    pred.write_text("".join(f"{f},9,401,201,28,13,0.9,-1,-1,-1\n" for f in range(1, 60)))
    doc = run_json(capsys, "--reference", str(mixed), "--detector", str(pred), "--fps", "25")
    assert (doc["hits"], doc["false_alarms"], doc["uncounted"]) == (0, 0, 1)
