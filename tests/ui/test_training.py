"""Training: a scripted trainee clicks targets after known delays; the scorecard agrees."""

from __future__ import annotations

import csv
from collections import defaultdict

import pytest
from PySide6.QtCore import Qt

from dronewatch.sim.groundtruth import read_mot
from dronewatch.store import SightingsReader
from dronewatch.training.session import AidLevel, list_sessions, load_session
from tests.ui.conftest import wait_settled


def targets_of(gt_path, fps: float = 25.0):
    """id -> {frame: box} (0-based frames) for targets to find (conf 1 rows; conf 0 ones
    are don't care, e.g. a target that has not moved yet) for at least 1 s."""
    by_id: dict[int, dict[int, tuple[float, float, float, float]]] = defaultdict(dict)
    for b in read_mot(gt_path):
        if b.conf:
            by_id[b.id][b.frame - 1] = (b.x, b.y, b.w, b.h)
    return {i: boxes for i, boxes in by_id.items() if len(boxes) >= fps}


def click(qtbot, tile, x: float, y: float) -> None:
    point = tile.frame_rect_of((x, y, x, y)).topLeft().toPoint()
    qtbot.mouseClick(tile, Qt.MouseButton.LeftButton, pos=point)


def test_scripted_trainee_gets_exactly_the_scorecard_it_earned(
    qtbot, window, sim_clip, tmp_path
) -> None:
    window.training.folder = tmp_path / "sessions"
    (feed,) = window.open_feeds([str(sim_clip)])
    wait_settled(qtbot, window)
    window.training.start("cadet jones", AidLevel.HIDDEN)
    assert not window.overlays.boxes and not window.overlay_actions["boxes"].isEnabled()

    targets = targets_of(sim_clip.with_name("day-pan.gt.txt"))
    chosen = sorted(targets, key=lambda i: min(targets[i]))[:3]
    delays = [0.4, 0.8, 1.2]
    expected = {}
    for target, delay in zip(chosen, delays, strict=True):
        first = min(targets[target])
        frame = first + round(delay * 25)
        window.seek(frame / 25)
        wait_settled(qtbot, window)
        x, y, w, h = targets[target][frame]
        click(qtbot, feed.tile, x + w / 2, y + h / 2)
        expected[target] = frame / 25 - first / 25
    # A click on empty ground is a false alarm; a second click on a hit target a duplicate.
    window.seek(3.0)
    wait_settled(qtbot, window)
    # any box (don't care ones too: a click there would be neutral, not a false alarm)
    rows = read_mot(sim_clip.with_name("day-pan.gt.txt"))
    occupied = [(b.x, b.y, b.w, b.h) for b in rows if b.frame == 76]  # 0-based frame 75
    spot = next(
        (x, y)
        for x in range(20, 620, 40)
        for y in range(20, 340, 40)
        if all(
            not (bx - 12 <= x <= bx + bw + 12 and by - 12 <= y <= by + bh + 12)
            for bx, by, bw, bh in occupied
        )
    )
    click(qtbot, feed.tile, *spot)
    qtbot.keyClick(window, Qt.Key.Key_Space)  # a pause/play is recorded too
    qtbot.keyClick(window, Qt.Key.Key_Space)

    saved = list_sessions(window.training.folder)
    assert len(saved) == 1 and len(saved[0].marks()) == 4  # survives a restart as it goes

    dialog = window.end_training(show=False)
    score = dialog.score.trainee
    counted = len(targets)
    assert (score.hits, score.false_alarms, score.duplicates) == (3, 1, 0)
    assert score.misses == counted - 3
    reactions = {t.id: t.reaction_s for t in score.targets if t.reaction_s is not None}
    assert reactions.keys() == expected.keys()
    for target, reaction in expected.items():
        assert reactions[target] == pytest.approx(reaction, abs=1e-6)
    assert window.overlay_actions["boxes"].isEnabled() and window.overlays.boxes

    session = load_session(window.training.folder / f"{dialog.session.session_id}.json")
    kinds = [e.kind for e in session.events]
    assert kinds.count("mark") == 4 and "pause" in kinds and "seek" in kinds
    assert session.results["hits"] == 3

    out = tmp_path / "card.csv"
    dialog.save("csv", out)
    rows = list(csv.DictReader(out.open()))
    assert sum(1 for r in rows if r["reaction_s"]) == 3 and len(rows) == counted
    html = dialog.save("html", tmp_path / "card.html").read_text()
    assert "cadet jones" in html and "data:image/png;base64," in html
    pdf = dialog.save("pdf", tmp_path / "card.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-")

    history = window.show_history()
    assert history.table.rowCount() == 1 and history.table.item(0, 0).text() == "cadet jones"


def test_after_action_review_steps_through_marks_and_misses(qtbot, window, sim_clip, tmp_path):
    window.training.folder = tmp_path
    (feed,) = window.open_feeds([str(sim_clip)])
    wait_settled(qtbot, window)
    session = window.training.start("cadet lee", AidLevel.SHOWN)
    window.seek(2.0)
    wait_settled(qtbot, window)
    click(qtbot, feed.tile, 5, 5)
    window.end_training(show=False)
    window.training.review(tmp_path / f"{session.session_id}.json")
    (feed,) = window.feeds

    def reviewed() -> bool:
        window.refresh_sightings()
        return bool(window.review_points)

    qtbot.waitUntil(reviewed, timeout=10_000)
    assert any(label.startswith("false alarm") for _, label in window.review_points)
    assert any(label.startswith("missed") for _, label in window.review_points)
    window.seek(2.5)
    wait_settled(qtbot, window)
    assert feed.tile.training_marks, "the trainee's click is not shown on the tile in review"
    window.seek(0.0)
    window.jump_to_sighting(True)
    first = min(t for t, _ in window.review_points if t > 1e-3)
    assert window.clock.position() == pytest.approx(first)
    window.jump_to_sighting(True)
    second = window.clock.position()
    assert second > first
    window.jump_to_sighting(False)
    assert window.clock.position() < second  # back to an earlier mark or miss


def test_real_clip_scored_against_its_confirmed_sightings(qtbot, window, sim_clip, tmp_path):
    """Footage with no ground truth file: the reviewed log (confirmed sightings) is the key."""
    import shutil

    from tests.ui.conftest import open_analysed_clip

    clip = tmp_path / "patrol.mp4"  # no patrol.gt.txt beside it
    shutil.copy(sim_clip, clip)
    feed = open_analysed_clip(qtbot, window, clip, at=0.0)
    # Sightings the key counts: at least 1 s of frames with a box (a long sighting with
    # gaps in its path may have fewer), here 1.5 s.
    window.store.flush()
    with SightingsReader(window.store.path) as reader:
        seen = {
            r.sighting_id: len(reader.sighting_path(r.sighting_id)) for r in window.sighting_rows
        }
    rows = sorted(
        (r for r in window.sighting_rows if seen[r.sighting_id] >= 38), key=lambda r: r.start_s
    )[:2]
    assert len(rows) == 2
    for row in rows:
        window.review.confirm(row.sighting_id)
    window.training.folder = tmp_path / "sessions"
    window.training.start("cadet kim", AidLevel.SHOWN)
    row = rows[0]
    at = row.start_s + 0.5
    window.seek(at)
    wait_settled(qtbot, window)
    frame = feed.tile.shown_index
    box = next(t.xyxy for t in feed.analysis.index.tracks_at(frame) if t.track_id == row.track_id)
    click(qtbot, feed.tile, (box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
    score = window.end_training(show=False).score
    assert score.unscored_feeds == ()
    assert score.trainee.hits == 1 and score.trainee.hits + score.trainee.misses == 2
