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
(``ctypes.CDLL`` would not); the later ``import torch`` finds them loaded.
:func:`preload_extension_modules` does the same for the few extension modules
whose first load runs long library constructors (scipy's OpenBLAS, Pillow's
codecs). Every worker job calls both first (:mod:`denoscope.app.workers`). Every worker job calls it before its work (once per process;
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


#: Extension modules (top-level package, module path) whose first load held the GIL for long:
#: the constructors of the libraries they bundle run inside ``dlopen`` (scipy's OpenBLAS
#: 0.28 s, Pillow's image codecs 0.19 s, while the loader imported them at the first open).
EXTENSION_MODULES: tuple[tuple[str, str], ...] = (
    ("PIL", "_imaging"),
    ("scipy", "_lib._ccallback_c"),
)

#: Loaded by LPIPS's imports (torchvision pulls in triton: 0.15 s); a 500 MB file, so it is
#: opened by the LPIPS job only (``LatestWorker.preload``), not at start.
LPIPS_EXTENSION_MODULES: tuple[tuple[str, str], ...] = (("triton", "_C.libtriton"),)

_EXTENSIONS_LOCK = threading.Lock()
_extensions_done: set[tuple[str, str]] = set()


def preload_extension_modules(modules: tuple[tuple[str, str], ...] = EXTENSION_MODULES) -> None:
    """Open these extension modules' files without the GIL before they are imported.

    The later import finds the file loaded (the same ``dlopen`` flags) and only runs
    the module's initialisation. Linux only; a missing file is left to the import.

    Parameters
    ----------
    modules : tuple of (str, str)
        ``(package, dotted module path inside it)``; the package is located without
        being imported.
    """
    if all(module in _extensions_done for module in modules):
        return
    with _EXTENSIONS_LOCK:  # a second caller waits here without holding the GIL
        import importlib.machinery
        import importlib.util
        import os
        import sys

        dlopen = _dlopen_without_the_gil() if sys.platform.startswith("linux") else None
        for package, module in modules:
            if (package, module) in _extensions_done:
                continue
            spec = None
            if dlopen is not None and f"{package}.{module}" not in sys.modules:
                spec = importlib.util.find_spec(package)  # top level: not imported
            if spec is not None and spec.submodule_search_locations:
                stem = Path(spec.submodule_search_locations[0], *module.split("."))
                for suffix in importlib.machinery.EXTENSION_SUFFIXES:
                    path = stem.with_name(stem.name + suffix)
                    if path.is_file():
                        dlopen(os.fsencode(path), sys.getdlopenflags())
                        break
            _extensions_done.add((package, module))  # only now: callers wait until it is open


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
        preload_extension_modules()
        for name in MODULES:
            importlib.import_module(name)
        from denoscope.app.tuning import freeze_long_lived_objects

        freeze_long_lived_objects("warm-up")  # later full collections skip the imported modules
        with self._lock:
            self._ready = True
            self.done.emit()
        # Last: while the dynamic linker opens torch (0.4 s, GIL released), another thread's
        # import of an extension module waits for it holding the GIL; by now the first
        # study's loader has usually done its imports.
        preload_torch_libraries()


_instance: Warmup | None = None


def warmup() -> Warmup:
    """The process's one :class:`Warmup` (created on first use, on the GUI thread)."""
    global _instance
    if _instance is None:
        _instance = Warmup()
    return _instance
