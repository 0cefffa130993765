"""Memory in long-running processes: building large structures quickly, and giving memory back.

- `collector_paused()`: Python's cyclic garbage collector off while a block builds a large
  zone. Such a build makes millions of objects that outlive it, and the collector would walk
  all of them again each time the heap grew by a quarter: about a third of the time to read
  and compile a large zone (the figures are in docs/dns-server-figures.md). Reference counting still
  frees everything without cycles meanwhile.
- `release_freed_memory()`: the C allocator's free pages back to the system.
"""

import contextlib
import ctypes
import ctypes.util
import gc
import threading
from collections.abc import Iterator

_pause_lock = threading.Lock()
_pauses = 0
_was_enabled = True


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic collector off for the block; pauses nest and may overlap across threads.

    The collector comes back (if it was on before the first) when the last pause ends, and
    its first pass then walks every object made during the pause that is still alive: free a
    large input inside the block, not after it.
    """
    global _pauses, _was_enabled
    with _pause_lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pauses -= 1
            if _pauses == 0 and _was_enabled:
                gc.enable()


def release_freed_memory() -> None:
    """Hand the C allocator's free pages back to the system (glibc's malloc_trim; elsewhere nothing).

    Loading a large zone frees its rows and compile-time index once the snapshot is made;
    glibc keeps most of those pages, which would stay resident for the server's life.
    """
    library = ctypes.util.find_library("c")
    if library is None:
        return
    malloc_trim = getattr(ctypes.CDLL(library), "malloc_trim", None)
    if malloc_trim is not None:
        malloc_trim(0)
