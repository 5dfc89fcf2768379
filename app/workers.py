"""The only threading code of the viewer: run plain functions off the GUI thread.

Long work (loading a study, noise + denoising + metrics, LPIPS, per-slice
metrics of a series) is written as a plain function that accepts two keyword
arguments, ``progress(done, total)`` and ``should_stop() -> bool``, and knows
nothing about Qt (the Orange / napari ``thread_worker`` style). A
:class:`LatestWorker` runs such functions on its own one-thread pool:

* the latest request wins: every :meth:`LatestWorker.submit` bumps a
  generation counter; the running job sees ``should_stop()`` become true and
  requests still waiting are replaced, not queued;
* a job counts as running until its last event has reached the GUI thread,
  so "idle" really means every result has been delivered;
* results reach the GUI thread only through queued signals, and a result whose
  generation is no longer the current one is dropped there, so a stale image is
  never shown.

A job stops early by raising :class:`denoscope.core.errors.Cancelled` (the one
cancellation class of core and viewer; re-exported here).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot

import denoscope.app.qt_compat  # noqa: F401  (binding fixes, before any signal is used)
from denoscope.app import gui_gc
from denoscope.app.tuning import release_free_memory
from denoscope.core.errors import Cancelled

__all__ = ["Cancelled", "LatestWorker"]


@dataclass
class _Job:
    generation: int
    fn: Callable[..., Any]
    args: tuple
    kwargs: dict = field(default_factory=dict)


class _Generation:
    """The latest request's number, shared with the jobs (a plain object, not the Qt worker)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.value = 0

    def now(self) -> int:
        with self.lock:
            return self.value


class _Relay(QObject):
    """Carries a job's events from the pool thread to the GUI thread (queued)."""

    done = Signal(int, object)
    failed = Signal(int, object)
    progressed = Signal(int, int, int)
    cancelled = Signal(int)


class _Runnable(QRunnable):
    def __init__(self, owner: LatestWorker, job: _Job) -> None:
        super().__init__()
        self.setAutoDelete(True)
        # Plain Python references only: the worker's Qt object may be deleted (window
        # closed) while this job still runs; then nothing is emitted any more.
        # Not a bound method of the worker: a pool thread must never drop its last reference.
        self._generation_now = owner._gen.now
        self._relay = owner._relay
        self._closed = owner._closed
        self._emit_lock = owner._emit_lock
        self._needs_torch = owner.needs_torch
        self._preload = owner.preload
        self._job = job

    def _emit(self, signal_name: str, *args: object) -> None:
        # Under the lock that close() takes: once close() returned, nothing is emitted.
        with self._emit_lock:
            if self._closed.is_set():
                return
            try:
                getattr(self._relay, signal_name).emit(*args)
            except RuntimeError:  # the relay went away with a closing window: nobody listens
                return

    def run(self) -> None:  # runs on a pool thread
        _lower_this_thread_priority()
        from denoscope.app.warmup import preload_extension_modules, preload_torch_libraries

        # Shared libraries open without the GIL (no GUI stall); later callers wait, GIL-free.
        preload_extension_modules()
        if self._needs_torch:
            preload_torch_libraries()
        if self._preload:
            preload_extension_modules(self._preload)
        job = self._job
        gen = job.generation

        def should_stop() -> bool:
            return self._closed.is_set() or self._generation_now() != gen

        def progress(done: int, total: int) -> None:
            self._emit("progressed", gen, int(done), int(total))

        try:
            if should_stop():
                self._emit("cancelled", gen)
                return
            result = job.fn(*job.args, progress=progress, should_stop=should_stop, **job.kwargs)
        except BaseException as error:  # noqa: BLE001 - reported to the GUI, never swallowed
            if isinstance(error, Cancelled) or should_stop():
                self._emit("cancelled", gen)
            else:
                self._emit("failed", gen, error)
        else:
            self._emit("done", gen, result)
        finally:
            release_free_memory()  # the job's temporaries go back to the system (viewer only)


#: Niceness added to worker threads (Linux): under CPU contention the GUI thread wins.
WORKER_NICENESS = 10
_niced: set[int] = set()


def _lower_this_thread_priority() -> None:
    """Lower the OS priority of the calling pool thread once (Linux threads have their own).

    Threads it starts later (torch's intra-op pool) inherit the lower priority, so
    background work never takes the CPU from the event loop.
    """
    ident = threading.get_native_id()
    if ident in _niced or not hasattr(os, "setpriority"):
        return
    _niced.add(ident)
    try:
        current = os.getpriority(os.PRIO_PROCESS, ident)
        os.setpriority(os.PRIO_PROCESS, ident, min(current + WORKER_NICENESS, 19))
    except OSError:  # not permitted here: run at normal priority
        return


#: Thread pools of closed workers whose last job was still running (kept alive, unparented),
#: each with the worker's relay: the job's runnable refers to it, and a Qt object must not be
#: freed by a pool thread dropping the last reference.
_DETACHED: list[tuple[QThreadPool, QObject]] = []


def detached_jobs_running() -> bool:
    """Whether a closed worker's job is still running (the process may exit without it)."""
    return any(pool.activeThreadCount() > 0 for pool, _relay in _DETACHED)


def reap_detached() -> None:
    """Free the detached pools whose job has ended (GUI thread: Qt objects die where they live)."""
    _DETACHED[:] = [entry for entry in _DETACHED if entry[0].activeThreadCount() > 0]


def wait_for_detached_jobs(msecs: int) -> bool:
    """Wait at most ``msecs`` in all for the jobs of closed workers, then free their pools.

    The end of a test session (and anything else that must not leave a thread
    running Python code behind) calls it on the GUI thread.

    Returns
    -------
    bool
        True when no detached job is running any more.
    """
    import time

    deadline = time.monotonic() + msecs / 1000.0
    for pool, _relay in list(_DETACHED):
        pool.waitForDone(max(int((deadline - time.monotonic()) * 1000), 0))
    reap_detached()
    return not _DETACHED


class LatestWorker(QObject):
    """Run one kind of job off the GUI thread; only the latest request's result is delivered.

    Parameters
    ----------
    name : str
        A short name, used in thread names and messages.
    parent : QObject, optional
        The Qt parent.

    Signals
    -------
    started(int)
        A request was submitted (its generation).
    progress(int, int, int)
        ``(generation, done, total)`` of the current request.
    finished(int, object)
        ``(generation, result)`` of the current request (stale results are dropped).
    failed(int, object)
        ``(generation, exception)`` of the current request.
    idle()
        Nothing is running or waiting any more.
    """

    started = Signal(int)
    progress = Signal(int, int, int)
    finished = Signal(int, object)
    failed = Signal(int, object)
    idle = Signal()

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._gen = _Generation()
        self._lock = self._gen.lock
        self._running = False
        self._pending: _Job | None = None
        self._relay = _Relay()
        self._closed = threading.Event()
        self._emit_lock = threading.Lock()
        #: Jobs of this worker import torch: its libraries are opened first, without the GIL.
        self.needs_torch = False
        #: More extension modules its jobs import, opened first without the GIL
        #: (:func:`denoscope.app.warmup.preload_extension_modules`).
        self.preload: tuple[tuple[str, str], ...] = ()
        queued = Qt.ConnectionType.QueuedConnection
        self._relay.done.connect(self._on_done, queued)
        self._relay.failed.connect(self._on_failed, queued)
        self._relay.progressed.connect(self._on_progress, queued)
        self._relay.cancelled.connect(self._on_cancelled, queued)

    # -- called from any thread -------------------------------------------------
    def _generation_now(self) -> int:
        with self._lock:
            return self._gen.value

    # -- GUI thread -------------------------------------------------------------
    def _job_ended(self) -> None:
        """The running job's last event reached the GUI thread: start the waiting one."""
        with self._lock:
            job, self._pending = self._pending, None
            self._running = job is not None
        if job is not None:
            self._start(job)

    def _start(self, job: _Job) -> None:
        """Start ``job`` on the pool; garbage is collected on the GUI thread meanwhile."""
        pool = self._pool
        gui_gc.hold(lambda: pool.activeThreadCount() > 0)
        pool.start(_Runnable(self, job))

    @property
    def generation(self) -> int:
        """The generation of the latest request."""
        return self._generation_now()

    def is_busy(self) -> bool:
        """Whether a job is running or waiting."""
        with self._lock:
            return self._running or self._pending is not None

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> int:
        """Run ``fn(*args, progress=..., should_stop=..., **kwargs)`` off the GUI thread.

        Any older request of this worker is cancelled (cooperatively) or dropped.

        Returns
        -------
        int
            The generation of this request.
        """
        with self._lock:
            self._gen.value += 1
            job = _Job(self._gen.value, fn, args, kwargs)
            if self._running:
                self._pending = job
                start = False
            else:
                self._running = True
                start = True
        if start:
            self._start(job)
        self.started.emit(job.generation)
        return job.generation

    def cancel(self) -> None:
        """Cancel the running request and drop a waiting one."""
        with self._lock:
            self._gen.value += 1
            self._pending = None

    def wait_done(self, msecs: int = -1) -> bool:
        """Block until the pool thread is idle (for shutdown); True when it is."""
        return self._pool.waitForDone(msecs)

    def close(self) -> None:
        """Stop for good (window closing): cancel, drop waiting work, never emit again.

        A job still inside a step that cannot be interrupted keeps running on its
        thread; its pool is detached from this object so that deleting the window
        does not block until the job ends (see :func:`detached_jobs_running`).
        """
        self.cancel()
        with self._emit_lock:  # waits for an emit in progress on the pool thread
            self._closed.set()
        reap_detached()
        detached = any(pool is self._pool for pool, _relay in _DETACHED)
        if self._pool.activeThreadCount() > 0 and not detached:
            self._pool.setParent(None)
            _DETACHED.append((self._pool, self._relay))

    def _current(self, gen: int) -> bool:
        return gen == self._generation_now()

    def _maybe_idle(self) -> None:
        self._job_ended()
        if not self.is_busy():
            self.idle.emit()

    @Slot(int, object)
    def _on_done(self, gen: int, result: object) -> None:
        if self._current(gen):
            self.finished.emit(gen, result)
        self._maybe_idle()

    @Slot(int, object)
    def _on_failed(self, gen: int, error: object) -> None:
        if self._current(gen):
            self.failed.emit(gen, error)
        self._maybe_idle()

    @Slot(int, int, int)
    def _on_progress(self, gen: int, done: int, total: int) -> None:
        if self._current(gen):
            self.progress.emit(gen, done, total)

    @Slot(int)
    def _on_cancelled(self, gen: int) -> None:
        self._maybe_idle()
