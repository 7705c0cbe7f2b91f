"""Keep large temporary arrays in the heap instead of fresh ``mmap`` pages.

Every analysed frame allocates a few dozen temporary full-frame arrays (0.2-4 MB).
glibc hands allocations above its mmap threshold (128 KiB, adapted upwards only by
some free patterns) fresh pages from the kernel, so each new array costs hundreds of
page faults when first written: measured at ~35% of the analysis CPU time at 640x360.
Raising the mmap and trim thresholds lets freed buffers be reused. Linux/glibc only; a
no-op elsewhere or if libc cannot be loaded.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_done = False


def keep_large_buffers_in_heap(mmap_threshold: int = 64 << 20) -> bool:
    """Raise glibc's mmap/trim thresholds once per process; True if applied."""
    global _done
    if _done:
        return True
    if not sys.platform.startswith("linux"):
        return False
    name = ctypes.util.find_library("c") or "libc.so.6"
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    ok = mallopt(_M_MMAP_THRESHOLD, mmap_threshold) == 1
    ok = mallopt(_M_TRIM_THRESHOLD, 4 * mmap_threshold) == 1 and ok
    _done = ok
    return ok
