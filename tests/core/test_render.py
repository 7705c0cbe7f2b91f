"""Annotated clips and stills from stored tracks, read back with cv2.VideoCapture."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from dronewatch.annotate import OverlayOptions
from dronewatch.cli import main
from dronewatch.errors import DroneWatchError
from dronewatch.exports import ExportCancelled
from dronewatch.exports import clip as clip_module
from dronewatch.exports.clip import render_clip, write_snapshot
from dronewatch.store import SightingsReader, Store
from tests.core.test_export_helpers import AnalysedClip, make_analysed_clip


@pytest.fixture(scope="module")
def analysed(tmp_path_factory: pytest.TempPathFactory) -> AnalysedClip:
    return make_analysed_clip(tmp_path_factory.mktemp("render"))


def frames_of(path: Path) -> list[np.ndarray]:
    cap = cv2.VideoCapture(str(path))
    assert cap.isOpened()
    out = []
    while True:
        ok, image = cap.read()
        if not ok:
            break
        out.append(image)
    cap.release()
    return out


def test_rendered_clip_has_the_asked_frames_and_size(
    analysed: AnalysedClip, tmp_path: Path
) -> None:
    out = tmp_path / "clip.mp4"
    done: list[tuple[int, int]] = []
    result = render_clip(
        analysed.video, analysed.db, out, 1.0, 2.0, progress=lambda d, t: done.append((d, t))
    )
    assert (result.codec, result.note, result.frames) == ("libx264", None, 26)
    cap = cv2.VideoCapture(str(out))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 26
    assert (cap.get(cv2.CAP_PROP_FRAME_WIDTH), cap.get(cv2.CAP_PROP_FRAME_HEIGHT)) == (640, 360)
    assert cap.get(cv2.CAP_PROP_FPS) == pytest.approx(25.0)
    cap.release()
    assert len(frames_of(out)) == 26
    assert done[-1] == (26, 26)
    assert [p.name for p in tmp_path.iterdir()] == ["clip.mp4"]


def test_overlays_are_burnt_in(analysed: AnalysedClip, tmp_path: Path) -> None:
    plain = tmp_path / "plain.mp4"
    marked = tmp_path / "marked.mp4"
    nothing = OverlayOptions(boxes=False, ids=False, trails=False, hud=False)
    render_clip(analysed.video, analysed.db, plain, 1.0, 1.2, nothing)
    render_clip(analysed.video, analysed.db, marked, 1.0, 1.2)
    a, b = frames_of(plain)[-1], frames_of(marked)[-1]
    changed = np.abs(a.astype(int) - b.astype(int)).max(axis=2) > 60
    assert changed.mean() > 0.003  # boxes, labels and the HUD strip
    assert changed[-20:, :200].mean() > 0.05  # the HUD at the bottom left


def test_fallback_codec_when_h264_is_missing(
    analysed: AnalysedClip, tmp_path: Path, monkeypatch, capsys
) -> None:
    real = clip_module.codec_available
    monkeypatch.setattr(
        clip_module, "codec_available", lambda name: name != "libx264" and real(name)
    )
    out = tmp_path / "fallback.mp4"
    args = ["render", str(analysed.video), "--db", str(analysed.db), "--to", "0.5", "-o", str(out)]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "no libx264 encoder" in err and "mpeg4" in err
    assert len(frames_of(out)) == 13


def test_snapshot_png(analysed: AnalysedClip, tmp_path: Path) -> None:
    out = tmp_path / "still.png"
    write_snapshot(analysed.video, analysed.db, 2.0, out)
    image = cv2.imread(str(out))
    assert image is not None and image.shape == (360, 640, 3)
    assert (
        main(
            [
                "render",
                str(analysed.video),
                "--db",
                str(analysed.db),
                "--at",
                "1",
                "-o",
                str(tmp_path / "cli.png"),
            ]
        )
        == 0
    )
    assert cv2.imread(str(tmp_path / "cli.png")).shape == (360, 640, 3)


def test_dismissed_sightings_are_not_drawn(analysed: AnalysedClip, tmp_path: Path) -> None:
    db = tmp_path / "copy.db"
    db.write_bytes(analysed.db.read_bytes())
    nothing_but_boxes = OverlayOptions(ids=False, trails=False, hud=False)
    with Store(db) as store, SightingsReader(db) as r:
        for s in r.sightings():
            store.set_status(s.id, "dismissed", "ann")
    plain = OverlayOptions(boxes=False, ids=False, trails=False, hud=False)
    render_clip(analysed.video, db, tmp_path / "a.mp4", 1.0, 1.1, nothing_but_boxes)
    render_clip(analysed.video, db, tmp_path / "b.mp4", 1.0, 1.1, plain)
    a, b = frames_of(tmp_path / "a.mp4"), frames_of(tmp_path / "b.mp4")
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def test_errors_and_cancel_leave_no_file(analysed: AnalysedClip, tmp_path: Path) -> None:
    with pytest.raises(DroneWatchError, match=r"missing\.mp4: file not found"):
        render_clip(tmp_path / "missing.mp4", analysed.db, tmp_path / "x.mp4")
    other = tmp_path / "other.mp4"
    other.write_bytes(analysed.video.read_bytes() + b"\0")  # different content
    with pytest.raises(DroneWatchError, match=r"other\.mp4: not analysed"):
        render_clip(other, analysed.db, tmp_path / "x.mp4")
    with pytest.raises(DroneWatchError, match="does not exist"):
        render_clip(analysed.video, analysed.db, tmp_path / "nope" / "x.mp4")
    calls = []
    with pytest.raises(ExportCancelled):
        render_clip(
            analysed.video,
            analysed.db,
            tmp_path / "x.mp4",
            progress=lambda d, t: calls.append(d),
            should_cancel=lambda: len(calls) >= 5,
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.mp4"]


def test_reference_layer_is_drawn_dashed_in_its_own_colour(
    analysed: AnalysedClip, tmp_path: Path
) -> None:
    from dronewatch.review.reference_layer import REFERENCE_COLOR

    db = tmp_path / "ref.db"
    db.write_bytes(analysed.db.read_bytes())
    with pytest.raises(DroneWatchError, match="no reference layer"):
        write_snapshot(analysed.video, db, 1.0, tmp_path / "x.png", reference=True)
    assert main(["import", str(analysed.ground_truth), "--db", str(db)]) == 0
    nothing = OverlayOptions(boxes=False, ids=False, trails=False, hud=False)
    write_snapshot(analysed.video, db, 1.0, tmp_path / "plain.png", nothing)
    write_snapshot(analysed.video, db, 1.0, tmp_path / "gt.png", nothing, reference=True)
    plain, gt = cv2.imread(str(tmp_path / "plain.png")), cv2.imread(str(tmp_path / "gt.png"))
    changed = np.abs(plain.astype(int) - gt.astype(int)).max(axis=2) > 60
    assert changed.sum() > 200
    drawn = gt[changed].astype(int)
    close = np.abs(drawn - np.array(REFERENCE_COLOR)).max(axis=1) < 60
    assert close.mean() > 0.5  # mostly the reference colour (the rest is anti-aliasing)
