"""Import the noise and baseline registries off the GUI thread, then fill the controls.

The Controls panel lists core's noise models and baselines; importing those
registries pulls in SciPy and scikit-image (about 1.5 s of imports). Done on the
GUI thread, or on the GUI thread while the loading thread imports the same
modules (it then waits on the import lock), that froze the first open of a
study for 1-2 s. :class:`Warmup` imports them once per process on a plain
background thread and calls each window back (on the GUI thread) when they are
ready.

``import torch`` also stalled the GUI: the import machinery opens torch's
shared libraries (hundreds of MB) while holding the GIL, for 0.5-1 s.
:func:`preload_torch_libraries` opens them first by calling ``dlopen`` as a
ctypes foreign function, which releases the GIL while the dynamic linker works
(``ctypes.CDLL`` would not); the later ``import torch`` finds them loaded. Every worker job calls it before its work (once per process;
later callers wait for the first, without the GIL).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from denoscope.app import gui_gc

#: torch's libraries, in load order (missing ones, e.g. CUDA on a CPU build, are skipped).
TORCH_LIBRARIES: tuple[str, ...] = (
    "libtorch_global_deps.so",
    "libc10.so",
    "libtorch_cpu.so",
    "libc10_cuda.so",
    "libtorch_cuda.so",
    "libtorch.so",
    "libtorch_python.so",
)

_PRELOAD_LOCK = threading.Lock()
_preloaded = False


def _dlopen_without_the_gil() -> Callable[[bytes, int], int] | None:
    """``dlopen`` called as a ctypes foreign function, which releases the GIL.

    ``ctypes.CDLL(path)`` itself holds the GIL while the dynamic linker works
    (CPython 3.11: 160 ms for ``libtorch_cpu.so``, an event-loop stall as long).
    """
    import ctypes

    for library in (None, "libdl.so.2"):  # glibc >= 2.34 has dlopen in libc itself
        try:
            function = ctypes.CDLL(library).dlopen
        except (OSError, AttributeError):
            continue
        function.restype = ctypes.c_void_p
        function.argtypes = (ctypes.c_char_p, ctypes.c_int)
        return function
    return None


def preload_torch_libraries() -> None:
    """Open torch's shared libraries without the GIL before ``import torch``.

    Linux only; a library that fails to open is left to ``import torch`` (which
    then reports any real problem itself, and opens the rest with the GIL held).
    """
    global _preloaded
    if _preloaded:
        return
    with _PRELOAD_LOCK:  # a second caller waits here without holding the GIL
        if _preloaded:
            return
        try:
            _preload()
        finally:
            _preloaded = True


def _preload() -> None:
    import importlib.util
    import os
    import sys

    if not sys.platform.startswith("linux") or "torch" in sys.modules:
        return
    spec = importlib.util.find_spec("torch")
    dlopen = _dlopen_without_the_gil()
    if spec is None or spec.origin is None or dlopen is None:
        return
    folder = Path(spec.origin).parent / "lib"
    for name in TORCH_LIBRARIES:
        path = folder / name
        if path.is_file():
            dlopen(os.fsencode(path), os.RTLD_NOW | os.RTLD_GLOBAL)  # NULL on failure: see above


#: Modules whose import must not run on the GUI thread.
MODULES: tuple[str, ...] = (
    "denoscope.core.noise",
    "denoscope.core.baselines",
    "denoscope.core.metrics",
    # imported lazily by the metrics that follow the first result (the blind σ estimate):
    # imported then, they competed for the GIL with the first display of the images
    "skimage.restoration",
    "scipy.stats",
)


class Warmup(QObject):
    """Imports :data:`MODULES` once per process on a background thread.

    One instance lives as long as the process (:func:`warmup`): the import thread
    emits on it, so it must never be deleted with a window while the thread runs.

    Signals
    -------
    done()
        The modules are imported (queued to the GUI thread).
    """

    done = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._thread: threading.Thread | None = None
        self._ready = False
        self._lock = threading.Lock()  # "ready" and the callbacks change together

    def when_ready(self, slot: Callable[[], object]) -> None:
        """Call ``slot`` on the GUI thread once the modules are imported (never at once).

        Starts the background import on the first call (GUI thread).
        """
        with self._lock:
            if self._ready:
                QTimer.singleShot(0, slot)
                return
            self.done.connect(slot, Qt.ConnectionType.QueuedConnection)
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="denoscope-warmup", daemon=True)
            gui_gc.hold(self._thread.is_alive)
            self._thread.start()

    def _run(self) -> None:
        import importlib

        from denoscope.app.workers import _lower_this_thread_priority

        _lower_this_thread_priority()
        preload_torch_libraries()
        for name in MODULES:
            importlib.import_module(name)
        from denoscope.app.tuning import freeze_long_lived_objects

        freeze_long_lived_objects("warm-up")  # later full collections skip the imported modules
        with self._lock:
            self._ready = True
            self.done.emit()


_instance: Warmup | None = None


def warmup() -> Warmup:
    """The process's one :class:`Warmup` (created on first use, on the GUI thread)."""
    global _instance
    if _instance is None:
        _instance = Warmup()
    return _instance
