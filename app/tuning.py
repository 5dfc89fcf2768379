"""Process-wide settings that keep the event loop responsive while workers compute.

:func:`tune_for_interactive_use` is called by the ``view`` command and the
``bench ui`` benchmark (not by tests or library users, whose process it would
change):

* torch uses one CPU core fewer than it may (``DENOSCOPE_NUM_THREADS``, read
  once by :func:`denoscope.core.devices.configure_cpu_threads`), so the GUI
  thread always has a core;
* the interpreter hands the GIL over every 1 ms instead of 5 ms, so a worker
  busy in Python code delays the event loop by at most about that much;
* long-lived objects are frozen out of the garbage collector at a few
  milestones (:func:`freeze_long_lived_objects`).

Worker threads also run at a lower OS priority (see :mod:`denoscope.app.workers`).
"""

from __future__ import annotations

import gc
import os
import sys

_enabled = False
_frozen_at: set[str] = set()


def tune_for_interactive_use() -> None:
    """Apply the settings above to this process (idempotent)."""
    global _enabled
    from denoscope.core.devices import THREADS_ENV, available_cpus

    os.environ.setdefault(THREADS_ENV, str(max(1, available_cpus() - 1)))
    sys.setswitchinterval(min(sys.getswitchinterval(), 0.001))
    _enabled = True


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
