"""A clip's identity by content, so a renamed or copied clip is still recognised.

Hashing a whole multi-gigabyte recording would take longer than some analyses, so the
digest covers the file size plus its first and last few megabytes. Two different
recordings of one size that agree on both ends are not a case we expect from cameras
(the container headers and trailers carry timestamps and sizes), and the gain is that
identifying a clip costs two short reads whatever its length.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from dronewatch.errors import SourceError

HASH_VERSION = "v1"
EDGE_BYTES = 4 * 1024 * 1024
_READ_CHUNK = 1024 * 1024


def _feed(update: Callable[[bytes], object], fh: BinaryIO, length: int) -> None:
    remaining = length
    while remaining > 0:
        block = fh.read(min(_READ_CHUNK, remaining))
        if not block:
            break
        update(block)
        remaining -= len(block)


def content_hash(path: str | Path, edge_bytes: int = EDGE_BYTES) -> str:
    """Hex sha256 of (size, first ``edge_bytes``, last ``edge_bytes``) of the file.

    Files no longer than ``2 * edge_bytes`` are hashed whole. The result is prefixed with
    a version tag so the scheme can change without confusing old databases.
    """
    p = Path(path)
    try:
        size = p.stat().st_size
        digest = hashlib.sha256()
        digest.update(f"{HASH_VERSION}:{size}:".encode())
        with p.open("rb") as fh:
            if size <= 2 * edge_bytes:
                _feed(digest.update, fh, size)
            else:
                _feed(digest.update, fh, edge_bytes)
                fh.seek(size - edge_bytes)
                _feed(digest.update, fh, edge_bytes)
    except FileNotFoundError:
        raise SourceError(p, "file not found") from None
    except IsADirectoryError:
        raise SourceError(p, "is a folder, not a video file") from None
    except OSError as exc:
        raise SourceError(p, f"cannot read file ({exc.strerror or exc})") from None
    return f"{HASH_VERSION}:{digest.hexdigest()}"
