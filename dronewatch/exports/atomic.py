"""Writing export files so that a reader never sees half of one.

Each file is written to a hidden temporary file in its target folder (same file system,
so the final :func:`os.replace` is atomic), flushed to disk, and only then renamed over
the target. A failure (full disk, unwritable folder) or a cancel removes the temporary
files and leaves any earlier file at the target untouched. When one export writes several
files, none is renamed until all are written.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from dronewatch.errors import DroneWatchError
from dronewatch.exports.model import CancelFn, ProgressFn

_CHUNK = 1 << 20


class ExportError(DroneWatchError):
    """An export file could not be written; names the file."""

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class ExportCancelled(DroneWatchError):
    """The user cancelled; no file was written."""

    def __init__(self) -> None:
        super().__init__("export cancelled; no file written")


class Job:
    """Progress and cancel hooks of one export, both optional."""

    def __init__(self, progress: ProgressFn | None = None, cancel: CancelFn | None = None):
        self._progress = progress
        self._cancel = cancel

    def step(self, done: int, total: int) -> None:
        """Report progress; raises :class:`ExportCancelled` when the user asked to stop."""
        if self._cancel is not None and self._cancel():
            raise ExportCancelled()
        if self._progress is not None:
            self._progress(done, total)


def describe_os_error(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "disk full, export not written"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"cannot write here ({exc.strerror or 'permission denied'})"
    return f"cannot write file ({exc.strerror or exc})"


def _write(fd: int, data: bytes) -> int:
    """One write system call (a seam for tests that simulate a full disk)."""
    return os.write(fd, data)


def _write_temp(target: Path, data: bytes, job: Job) -> Path:
    folder = target.parent
    if not folder.is_dir():
        raise ExportError(target, f"folder {folder} does not exist")
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise ExportError(target, describe_os_error(exc)) from None
    temp = Path(name)
    try:
        with memoryview(data) as view:
            done = 0
            while done < len(view):
                job.step(done, len(view))
                done += _write(fd, view[done : done + _CHUNK])
        os.fsync(fd)
    except OSError as exc:
        os.close(fd)
        temp.unlink(missing_ok=True)
        raise ExportError(target, describe_os_error(exc)) from None
    except BaseException:
        os.close(fd)
        temp.unlink(missing_ok=True)
        raise
    os.close(fd)
    with contextlib.suppress(OSError):
        os.chmod(temp, 0o644)  # mkstemp makes 0600; exports are meant to be shared
    return temp


def write_files(contents: Mapping[Path, bytes], job: Job | None = None) -> list[Path]:
    """Write every file atomically, all or none; returns the paths written."""
    job = job or Job()
    temps: list[tuple[Path, Path]] = []
    try:
        for target, data in contents.items():
            temps.append((_write_temp(target, data, job), target))
        job.step(1, 1)  # a last chance to cancel before anything becomes visible
        for temp, target in temps:
            try:
                os.replace(temp, target)
            except OSError as exc:
                raise ExportError(target, describe_os_error(exc)) from None
    finally:
        for temp, _ in temps:
            temp.unlink(missing_ok=True)
    return list(contents)


def prepare_folder(folder: Path) -> None:
    """Create an output folder for a multi-file export (its parent must exist)."""
    if folder.exists() and not folder.is_dir():
        raise ExportError(folder, "is a file; several feeds match, so --out must be a folder")
    try:
        folder.mkdir(exist_ok=True)
    except FileNotFoundError:
        raise ExportError(folder, f"folder {folder.parent} does not exist") from None
    except OSError as exc:
        raise ExportError(folder, describe_os_error(exc)) from None
