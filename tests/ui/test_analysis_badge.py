"""The tile's analysis badge says where the analysis stands against the frame shown."""

from __future__ import annotations

from dronewatch.live.feed_analysis import AnalysisState, AnalysisStats
from ui.feed_tile import analysis_badge, analysis_lead_s


def _stats(done: int, count: int | None = 500, fps: float = 0.0) -> AnalysisStats:
    return AnalysisStats(AnalysisState.ANALYSING, 40.0, fps, 0, done, count)


def test_an_analysis_waiting_ahead_of_the_playhead_says_so_rather_than_only_0_fps() -> None:
    # 25 fps file, analysed to frame 700 (28 s), frame shown at 8 s: 20 s ahead.
    badge = analysis_badge(_stats(701, 1000), shown_s=8.0, fps=25.0)
    assert "ana 0 fps" in badge and "20 s ahead" in badge


def test_an_analysis_that_has_not_reached_the_frame_shown_says_it_is_behind() -> None:
    # Playing at 12 s, analysed to 9 s: the missing boxes are not "nothing moves".
    badge = analysis_badge(_stats(226, 1000, fps=18.0), shown_s=12.0, fps=25.0)
    assert "3.0 s BEHIND" in badge


def test_a_lag_under_a_second_is_counted_in_frames() -> None:
    # Frame 300 (12 s) shown, frames 0-299 analysed: one frame, not "0.0 s", behind.
    assert "1 frame BEHIND" in analysis_badge(_stats(300, 1000), shown_s=12.0, fps=25.0)
    assert "5 frames BEHIND" in analysis_badge(_stats(296, 1000), shown_s=12.0, fps=25.0)
    assert "BEHIND" not in analysis_badge(_stats(301, 1000), shown_s=12.0, fps=25.0)


def test_a_live_stream_has_no_lead() -> None:
    badge = analysis_badge(_stats(300, None, fps=25.0), shown_s=12.0, fps=25.0)
    assert "ahead" not in badge and "BEHIND" not in badge and "ana 25 fps" in badge


def test_the_badge_colour_and_text_agree_on_behind_in_every_running_state() -> None:
    # The tile paints the badge amber where analysis_lead_s is negative: the same
    # function writes "BEHIND", so a paused analysis behind the playhead is amber too.
    paused = AnalysisStats(AnalysisState.PAUSED, 0.0, 0.0, 0, 226, 1000)
    assert "BEHIND" in analysis_badge(paused, shown_s=12.0, fps=25.0)
    assert analysis_lead_s(paused, 12.0, 25.0) < 0
    done = AnalysisStats(AnalysisState.DONE, 0.0, 0.0, 0, 1000, 1000)
    assert analysis_lead_s(done, 12.0, 25.0) is None
