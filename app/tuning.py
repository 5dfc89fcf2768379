"""Process-wide settings that keep the event loop responsive while workers compute.

:func:`tune_for_interactive_use` is called by the ``view`` command and the
``bench ui`` benchmark (not by tests or library users, whose process it would
change):

* torch uses every core this process may use (``DENOSCOPE_NUM_THREADS``, read
  once by :func:`denoscope.core.devices.configure_cpu_threads`): its threads
  inherit the workers' lower OS priority, so the GUI thread still wins a core
  when it needs one, and they wait passively (``OMP_WAIT_POLICY=PASSIVE``)
  instead of spinning, so a core taken by another process does not stall the
  others at each barrier. 8-MP radiograph, 2 cores: network 3.9 s instead of
  5.8 s with one thread; with a busy process on one core, 6.4 s instead of
  13.8 s (and 9.9 s with spinning threads);
* the interpreter hands the GIL over every 1 ms instead of 5 ms, so a worker
  busy in Python code delays the event loop by at most about that much;
* long-lived objects are frozen out of the garbage collector at a few
  milestones (:func:`freeze_long_lived_objects`);
* glibc's allocator gives big blocks back to the system: blocks from 1 MiB up
  are mapped on their own (the default threshold grows up to 32 MiB as big
  arrays are freed, after which freed 8-MP strips and torch buffers stay in the
  heap), at most 2 heaps (arenas) serve the threads, and
  :func:`release_free_memory` returns free heap pages after each job. On the
  8-MP radiograph this lowered the peak RSS by about 150 MB.

Worker threads also run at a lower OS priority (see :mod:`denoscope.app.workers`).
"""

from __future__ import annotations

import gc
import os
import sys

_enabled = False
_frozen_at: set[str] = set()

#: glibc ``mallopt`` parameters (malloc.h).
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8
#: Blocks from this size up are mapped on their own and unmapped when freed.
MMAP_THRESHOLD = 1 << 20
_libc = None


def tune_for_interactive_use() -> None:
    """Apply the settings above to this process (idempotent)."""
    global _enabled
    from denoscope.core.devices import THREADS_ENV, available_cpus

    os.environ.setdefault(THREADS_ENV, str(available_cpus()))
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # read when torch's libgomp loads
    sys.setswitchinterval(min(sys.getswitchinterval(), 0.001))
    _tune_allocator()
    _enabled = True


def _tune_allocator() -> None:
    """Set glibc's mmap threshold and arena count (see the module doc); elsewhere nothing."""
    global _libc
    if not sys.platform.startswith("linux") or _libc is not None:
        return
    import ctypes

    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
        libc.mallopt(_M_ARENA_MAX, 2)
    except (OSError, AttributeError):  # not glibc (musl): its allocator behaves differently
        return
    _libc = libc


def release_free_memory() -> None:
    """Return the allocator's free pages to the system (after a job; glibc's ``malloc_trim``).

    Does nothing unless :func:`tune_for_interactive_use` was called.
    """
    if _enabled and _libc is not None:
        _libc.malloc_trim(0)


def freeze_long_lived_objects(milestone: str) -> None:
    """Move everything alive now out of the garbage collector's reach, once per milestone.

    After the first slice result (torch, the model, pyqtgraph loaded), the first
    LPIPS (its network), the first series metrics and the first export, the
    heap holds hundreds of thousands of long-lived objects; a full collection
    then takes 100-300 ms with the GIL held, freezing the event loop whichever
    thread runs it. :func:`gc.freeze` keeps them out of later collections.
    Does nothing unless :func:`tune_for_interactive_use` was called.
    """
    if _enabled and milestone not in _frozen_at:
        _frozen_at.add(milestone)
        gc.freeze()
