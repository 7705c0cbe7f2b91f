"""Which processes are writing a database right now, via an advisory file lock.

Sightings left ``open`` by a crashed writer are closed when the next writer starts,
but a sighting is also open while a *live* writer (the GUI, another ``analyze``) is
still adding to it. Each writer holds a shared ``flock`` on ``<db>-writers`` for its
lifetime; the kernel drops it when the process dies, even by ``kill -9``. A starting
writer that can take the lock exclusively knows nobody else is writing, so every open
sighting is an orphan; otherwise it leaves them for a later start.
"""

from __future__ import annotations

from pathlib import Path

from dronewatch.store.errors import StoreError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no flock; assume we are alone
    fcntl = None  # type: ignore[assignment]


class WriterPresence:
    def __init__(self, db_path: Path) -> None:
        self.path = db_path.with_name(db_path.name + "-writers")
        try:
            self._fh = self.path.open("a+b")
        except OSError as exc:
            raise StoreError(
                self.path, f"cannot create lock file ({exc.strerror or exc})"
            ) from None

    def try_exclusive(self) -> bool:
        """True when no other live writer holds the lock (we now hold it alone)."""
        if fcntl is None:
            return True
        try:
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def hold_shared(self) -> None:
        """Hold the lock shared for as long as we write, so others can see us."""
        if fcntl is not None:
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_SH)

    def release(self) -> None:
        self._fh.close()
