"""Long jobs (exports, clip renders) off the GUI thread, with progress and Cancel.

The work runs on a plain Python thread and reports through Qt signals, which Qt queues
to the GUI thread; progress is throttled so a fast job never floods the event loop.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from dronewatch.errors import DroneWatchError

Work = Callable[[Callable[[int, int], None], Callable[[], bool]], Any]
_PROGRESS_EVERY_S = 0.05


class BackgroundJob(QObject):
    """Run ``work(progress, should_cancel)`` on a thread; emits progress/finished/failed."""

    progressed = Signal(int, int)
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, title: str, work: Work, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self._work = work
        self._cancel = threading.Event()
        self._last_progress = 0.0
        self.result: Any = None
        self.error: str | None = None
        self.done = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"job:{title}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def cancel(self) -> None:
        self._cancel.set()

    def wait(self, timeout: float | None = None) -> bool:
        return self.done.wait(timeout)

    def _progress(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self._last_progress >= _PROGRESS_EVERY_S or done >= total:
            self._last_progress = now
            self.progressed.emit(done, total)

    def _run(self) -> None:
        try:
            self.result = self._work(self._progress, self._cancel.is_set)
        except DroneWatchError as exc:
            self.error = str(exc)
        except Exception as exc:  # a bug must still end the progress dialog
            self.error = f"{self.title} failed: {type(exc).__name__}: {exc}"
        self.done.set()
        if self.error is not None:
            self.failed.emit(self.error)
        else:
            self.finished.emit(self.result)


def run_with_progress(parent: QWidget, job: BackgroundJob) -> QProgressDialog:
    """Start ``job`` behind a progress dialog whose Cancel cancels it."""
    dialog = QProgressDialog(job.title, "Cancel", 0, 100, parent)
    dialog.setWindowTitle(job.title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    dialog.setAutoClose(True)
    dialog.canceled.connect(job.cancel)

    def on_progress(done: int, total: int) -> None:
        dialog.setMaximum(max(total, 1))
        dialog.setValue(min(done, max(total, 1)))

    job.progressed.connect(on_progress)
    job.finished.connect(lambda _r: dialog.reset())
    job.failed.connect(lambda _e: dialog.reset())
    job.start()
    return dialog
