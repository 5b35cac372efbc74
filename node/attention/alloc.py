"""Keep torch's big temporaries on the heap instead of fresh mmaps (glibc only).

glibc serves every allocation above its mmap threshold (128 KiB, adapting up
to 32 MiB) with a fresh ``mmap`` and returns it on free, so each forward pass
over a window faults in its n^2-sized temporaries page by page again (the
pair channels alone are 60 MB at 1024 records). Measured here: a forward
pass at 256 records went from 22 to 11 ms and at 1024 from 269 to 135 ms
once those blocks were recycled from the heap. The cost is that freed memory
stays with the process, up to about the largest window's working set.

The setting is process-wide and changes no result, only where memory comes
from. It is applied once, by :func:`node.attention.load_scorer` and by
training; elsewhere (musl, macOS) it is a no-op.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading

__all__ = ["recycle_large_allocations"]

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_MMAP_THRESHOLD = 128 * 1024 * 1024  # above the 60 MB pair buffer of a 1024-record window
_TRIM_THRESHOLD = 256 * 1024 * 1024

_done = False
_lock = threading.Lock()


def recycle_large_allocations() -> bool:
    """Raise glibc's mmap and trim thresholds once; True if the setting is in force."""
    global _done
    with _lock:
        if _done:
            return True
        name = ctypes.util.find_library("c")
        try:
            libc = ctypes.CDLL(name)
            mallopt = libc.mallopt
        except (OSError, AttributeError, TypeError):
            return False
        mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        mallopt.restype = ctypes.c_int
        _done = bool(mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD)) and bool(mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD))
        return _done
