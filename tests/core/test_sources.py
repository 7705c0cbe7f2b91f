"""Feed sources on real files: videos, MPEG-TS, image sequences, and bad input."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from dronewatch.errors import SourceError
from dronewatch.sources import expand_feed_paths, open_source, video_file
from dronewatch.sources.base import FrameSource
from tests.clips import (
    frame_pattern,
    requires_realdata,
    write_clip,
    write_truncated_streamable_clip,
    write_ts_clip,
)


def read_all(source: FrameSource) -> list[np.ndarray]:
    frames = []
    while (packet := source.read()) is not None:
        assert packet.index == len(frames)
        assert packet.time_s == pytest.approx(packet.index / source.info.fps)
        frames.append(packet.image)
    return frames


def assert_seek_matches_sequential(source: FrameSource, frames: list[np.ndarray]) -> None:
    for index in sorted({len(frames) - 1, len(frames) // 2, 3, 0, 7} & set(range(len(frames))))[
        ::-1
    ]:
        source.seek(index)
        packet = source.read()
        assert packet is not None and packet.index == index
        assert np.array_equal(packet.image, frames[index]), f"seek({index}) showed another frame"


def test_video_file_reports_fps_size_length_and_seeks_exactly(tmp_path: Path) -> None:
    path = write_clip(tmp_path / "clip.mp4", frames=40, fps=12.5, size=(160, 96))
    source = open_source(path)
    assert isinstance(source, FrameSource)
    assert source.name == "clip.mp4"
    assert (source.info.fps, source.info.width, source.info.height) == (12.5, 160, 96)
    assert source.info.frame_count == 40
    assert source.info.duration == pytest.approx(3.2)
    frames = read_all(source)
    assert len(frames) == 40
    assert_seek_matches_sequential(source, frames)
    source.close()


def test_mpeg_ts_is_decoded_with_pyav_and_seeks_exactly(tmp_path: Path) -> None:
    path = write_ts_clip(tmp_path / "feed.ts", frames=36, fps=12)
    source = open_source(path)
    assert source.decoder == "pyav"
    assert source.info.fps == pytest.approx(12)
    frames = read_all(source)
    assert len(frames) == 36
    # The decoded picture is our pattern (lossy codec: compare loosely).
    diff = np.abs(frames[5].astype(int) - frame_pattern(5, (160, 96)).astype(int)).mean()
    assert diff < 12
    assert_seek_matches_sequential(source, frames)


def test_black_decoding_opencv_falls_back_to_pyav(tmp_path: Path, monkeypatch) -> None:
    """OpenCV 'succeeding' with black frames must not reach the user silently."""
    path = write_clip(tmp_path / "clip.mp4", frames=10, fps=10)
    real_read = video_file.OpenCVVideoSource.read

    def black_read(self):
        packet = real_read(self)
        if packet is None:
            return None
        return type(packet)(packet.index, packet.time_s, np.zeros_like(packet.image))

    monkeypatch.setattr(video_file.OpenCVVideoSource, "read", black_read)
    source = open_source(path)
    assert source.decoder == "pyav"
    packet = source.read()
    assert packet is not None and packet.image.max() > 100


def test_really_black_video_is_still_played(tmp_path: Path) -> None:
    path = tmp_path / "black.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 10, (64, 48))
    for _ in range(5):
        writer.write(np.zeros((48, 64, 3), np.uint8))
    writer.release()
    source = open_source(path)
    assert source.decoder == "opencv"
    assert len(read_all(source)) == 5


def test_interlaced_mpeg_ts_from_a_real_drone_is_not_black() -> None:
    path = requires_realdata("aphill-klv", "aphill_short.ts")
    source = open_source(path)
    frames = read_all(source)
    assert len(frames) >= 45
    assert all(f.max() > 100 and f.mean() > 30 for f in frames), "black frames reached the user"


def test_real_footage_decodes_and_seeks() -> None:
    path = requires_realdata("pets09-s2l1", "vtest_derived_h264.mp4")
    source = open_source(path)
    assert (source.info.width, source.info.height, source.info.fps) == (768, 576, 10)
    frames = read_all(source)
    assert len(frames) == 795
    assert_seek_matches_sequential(source, frames)


def test_image_sequence_in_numeric_order(tmp_path: Path) -> None:
    folder = tmp_path / "seq"
    folder.mkdir()
    for i in (1, 2, 10, 3):  # frame10 must come last, not after frame1
        cv2.imwrite(str(folder / f"frame{i}.png"), frame_pattern(i, (64, 48)))
    (folder / "notes.txt").write_text("not an image")
    source = open_source(folder, fps=5)
    assert source.info.frame_count == 4 and source.info.fps == 5
    frames = read_all(source)
    assert np.array_equal(frames[3], frame_pattern(10, (64, 48)))
    assert_seek_matches_sequential(source, frames)


def test_image_sequence_with_a_corrupt_image_names_that_file(tmp_path: Path) -> None:
    folder = tmp_path / "seq"
    folder.mkdir()
    cv2.imwrite(str(folder / "0001.jpg"), frame_pattern(0, (64, 48)))
    (folder / "0002.jpg").write_bytes(b"garbage")
    source = open_source(folder)
    assert source.read() is not None
    with pytest.raises(SourceError, match=r"0002\.jpg"):
        source.read()


def _truncated(tmp_path: Path) -> Path:
    good = write_clip(tmp_path / "good.mp4", frames=60, fps=10, size=(160, 96))
    data = good.read_bytes()
    bad = tmp_path / "truncated.mp4"
    bad.write_bytes(data[: len(data) // 2])
    return bad


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("missing.mp4", None, "file not found"),
        ("empty.mp4", b"", "file is empty"),
        ("text.mp4", b"hello, not a video\n" * 50, "not a playable video"),
        ("random.ts", bytes(range(256)) * 40, "not a playable video"),
    ],
)
def test_bad_input_gives_one_line_error_naming_the_file(
    tmp_path: Path, name: str, content: bytes | None, problem: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(SourceError) as err:
        open_source(path)
    message = str(err.value)
    assert str(path) in message and problem in message and "\n" not in message


def test_folder_without_videos_or_images_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no videos or images"):
        expand_feed_paths([str(tmp_path)])


def test_truncated_video_plays_what_it_can_then_says_where_it_stopped(tmp_path: Path) -> None:
    path = _truncated(tmp_path)
    try:
        source = open_source(path)
    except SourceError as exc:  # the container index was cut off: nothing to play
        assert str(path) in str(exc)
        return
    frames = []
    with pytest.raises(SourceError, match="stopped at frame") as err:
        while (packet := source.read()) is not None:
            frames.append(packet)
    assert str(path) in str(err.value)


def test_folder_of_videos_expands_to_one_feed_each(tmp_path: Path) -> None:
    write_clip(tmp_path / "b.mp4", 5, 10)
    write_clip(tmp_path / "a.mp4", 5, 10)
    assert [Path(p).name for p in expand_feed_paths([str(tmp_path)])] == ["a.mp4", "b.mp4"]


def test_streamable_mp4_cut_short_plays_then_names_where_it_stopped(tmp_path: Path) -> None:
    path = write_truncated_streamable_clip(tmp_path / "cut.mp4")
    source = open_source(path)
    assert source.info.frame_count == 100
    read = 0
    with pytest.raises(SourceError) as err:
        while source.read() is not None:
            read += 1
    assert 20 < read < 100
    assert f"{path}: decoding stopped at frame {read + 1} of 100" in str(err.value)
