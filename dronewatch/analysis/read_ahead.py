"""Decode and register a clip's frames in a second thread while the first analyses.

On two cores a clip analysed in one thread leaves one core idle. Decoding and the
camera-motion stage (:meth:`FeedAnalyzer.prepare`) need nothing from the stages after
them, so a reader thread runs them a few frames ahead; OpenCV releases the GIL, so the
two threads really run side by side. Only for sources whose every frame is analysed:
a live reader that drops frames must not prepare them (the camera's key frames would
skip ahead of the detector's).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any, TypeVar, cast

from dronewatch.frames import FramePacket
from dronewatch.sources.base import FrameSource

if TYPE_CHECKING:
    from dronewatch.analysis.pipeline import PreparedFrame
    from dronewatch.analysis.types import FrameAnalysis

T = TypeVar("T")

_POLL_S = 0.1


class _Failed:
    """What the reader raised, to be raised again in the consumer's thread."""

    __slots__ = ("error",)

    def __init__(self, error: BaseException) -> None:
        self.error = error


_END = object()


def prepared_frames(
    source: FrameSource, prepare: Callable[[FramePacket], T], depth: int = 3
) -> Generator[T, None, None]:
    """The source's frames, each through ``prepare`` (say ``FeedAnalyzer.prepare``), in
    order. An exception from ``source.read`` or ``prepare`` is raised here after the
    frames before it.
    Closing the iterator early (``break``) stops the reader; the caller still owns and
    closes ``source``, after the iterator is done."""
    items: queue.Queue[object] = queue.Queue(maxsize=max(1, depth))
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                items.put(item, timeout=_POLL_S)
                return True
            except queue.Full:
                continue
        return False

    def read() -> None:
        try:
            while not stop.is_set():
                packet = source.read()
                if packet is None:
                    break
                if not put(prepare(packet)):
                    return
        except BaseException as exc:  # handed to the consumer, who decides
            put(_Failed(exc))
            return
        put(_END)

    reader = threading.Thread(target=read, name="dronewatch-read-ahead", daemon=True)
    reader.start()
    try:
        while True:
            item = items.get()
            if item is _END:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield cast(T, item)
    finally:
        stop.set()
        reader.join()


def frames_and_analysis(
    source: Any, analyzer: Any
) -> tuple[Generator[Any, None, None], Callable[[Any], tuple[FramePacket, FrameAnalysis]]]:
    """A clip's frames, and how to analyse one. A :class:`FeedAnalyzer` (anything with
    ``prepare`` and ``analyse``) has decoding and camera motion run a few frames ahead
    in a second thread (:func:`prepared_frames`); any other analyser gets packets to
    ``process``. Close the frames (``.close()``) before the source."""
    if hasattr(analyzer, "prepare") and hasattr(analyzer, "analyse"):

        def analyse_prepared(frame: PreparedFrame) -> tuple[FramePacket, FrameAnalysis]:
            return frame.packet, analyzer.analyse(frame)

        return prepared_frames(source, analyzer.prepare), analyse_prepared

    def packets() -> Generator[FramePacket, None, None]:
        while (packet := source.read()) is not None:
            yield packet

    def process(packet: FramePacket) -> tuple[FramePacket, FrameAnalysis]:
        return packet, analyzer.process(packet)

    return packets(), process
