"""The archive library: a folder of clips, analyse all in the background, search."""

from __future__ import annotations

import shutil

from dronewatch.store import SightingsReader


def test_library_lists_analyses_and_opens_clips(qtbot, window, sim_clip, clip_factory, tmp_path):
    folder = tmp_path / "archive"
    folder.mkdir()
    shutil.copy(sim_clip, folder / "patrol.mp4")
    shutil.copy(clip_factory("still.mp4", 20, 10), folder / "still.mp4")
    (folder / "broken.mp4").write_text("not a video")
    window.open_library(folder)
    panel = window.library
    names = {c.path.name: c for c in panel.clips}
    assert set(names) == {"patrol.mp4", "still.mp4", "broken.mp4"}
    assert names["patrol.mp4"].analysed == "no" and names["patrol.mp4"].duration_s == 4.0
    assert names["patrol.mp4"].size == "640x360" and names["patrol.mp4"].fps == 25
    assert names["broken.mp4"].problem and "broken.mp4" in names["broken.mp4"].problem

    job = window.analyse_library([folder / "patrol.mp4", folder / "still.mp4"])
    qtbot.waitUntil(job.done.is_set, timeout=120_000)
    assert job.error is None, job.error
    qtbot.waitUntil(
        lambda: {c.path.name: c.analysed for c in panel.clips}.get("patrol.mp4") == "yes",
        timeout=10_000,
    )
    patrol = next(c for c in panel.clips if c.path.name == "patrol.mp4")
    assert patrol.sightings > 0

    row = next(
        r for r in range(panel.table.rowCount()) if panel.table.item(r, 0).text() == "patrol.mp4"
    )
    panel.table.cellDoubleClicked.emit(row, 0)
    assert [f.tile.name for f in window.feeds] == ["patrol.mp4"]


def test_library_analyses_with_the_window_settings(qtbot, window, sim_clip, tmp_path):
    """A clip analysed with other settings shows so and is analysed again, with the
    window's settings (here: one that removes every blob, so no sightings)."""
    from dronewatch.analysis_settings import AnalysisSettings

    folder = tmp_path / "archive"
    folder.mkdir()
    shutil.copy(sim_clip, folder / "patrol.mp4")

    def analyse_and_list() -> list:
        job = window.analyse_library([folder / "patrol.mp4"])
        qtbot.waitUntil(job.done.is_set, timeout=120_000)
        assert job.error is None, job.error
        window.store.flush()  # the single writer commits what the workers sent
        window.open_library(folder)
        return window.library.clips

    assert [(c.analysed, c.sightings > 0) for c in analyse_and_list()] == [("yes", True)]

    window.analysis_settings = AnalysisSettings(overrides=(("detector.min_area", 100_000),))
    window.open_library(folder)
    assert [c.analysed for c in window.library.clips] == ["other settings"]
    assert [(c.analysed, c.sightings) for c in analyse_and_list()] == [("yes", 0)]


def test_search_across_the_database_finds_notes_and_opens_the_clip(qtbot, window, sim_clip):
    from tests.ui.conftest import open_analysed_clip

    open_analysed_clip(qtbot, window, sim_clip, at=0.0)
    row = max(window.sighting_rows, key=lambda r: r.start_s)
    window.review.set_note(row.sighting_id, "red pickup near the ford")
    window.close_feed(window.feeds[0])
    window.library.search_text.setText("pickup")
    assert window.search_database() == 1
    window.library.search_feed.setText("no-such-clip")
    assert window.search_database() == 0
    window.library.search_feed.setText("day-pan.mp4")
    window.library.search_from.setValue(row.end_s + 0.5)  # after the sighting ended
    assert window.search_database() == 0
    window.library.search_from.setValue(0.0)
    assert window.search_database() == 1
    assert window.library.results.item(0, 5).text() == "red pickup near the ford"
    window.library.results.cellDoubleClicked.emit(0, 0)
    qtbot.waitUntil(lambda: window.feeds and window.clock.duration > 0, timeout=10_000)
    window.tick()
    qtbot.waitUntil(lambda: abs(window.clock.position() - row.start_s) < 1e-6, timeout=10_000)
    with SightingsReader(window.store.path) as reader:
        assert reader.sighting(row.sighting_id).note == "red pickup near the ford"
    assert window.library.results.rowCount() == 1
