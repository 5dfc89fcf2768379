"""Python's cyclic garbage collector runs on the GUI thread while worker threads run.

Python collects reference cycles in whichever thread happens to allocate when a
generation's threshold is crossed. Cycles that hold Qt objects are common here
(pyqtgraph's view-box menus, plot items and our panels build them), so a
collection triggered by a worker job could destroy a ``QMenu`` or a ``QPixmap``
on a pool thread. Qt forbids that: a test run of the viewer hung with a pool
thread inside ``gc_collect_main`` → ``QMenu::~QMenu`` waiting for the GIL while
the GUI thread, holding the GIL, waited for the Qt lock the pool thread held
(issue 16: the same race also crashes).

Automatic collection is not safe on the GUI thread either: it can start inside
a Qt call that holds one of Qt's locks (a test run hung with
``QObject::disconnect`` → PySide's ``disconnectNotify`` → an allocation →
collection → ``QMenu::~QMenu`` → ``QObject::disconnect`` waiting for the lock
its own thread held).

pyqtgraph's :class:`~pyqtgraph.util.garbage_collector.GarbageCollector` is the
known cure: automatic collection off, the same generational thresholds checked
by a timer on the GUI thread, where the event loop calls it with no Qt lock
held. The commands that open a window (``view``, ``study read``, the benches)
run it with :func:`pinned`, tests with :func:`pin`; library users get it while
it matters most: :func:`hold` turns it on while a background thread may run
Python code (each caller passes a ``running()`` predicate). Once every holder
has finished and every pin is gone, automatic collection is given back (after
collecting the youngest generation at that safe point).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from pyqtgraph.util.garbage_collector import GarbageCollector
from PySide6.QtCore import QCoreApplication, QElapsedTimer, QEventLoop

__all__ = [
    "active",
    "hold",
    "pin",
    "pinned",
    "release_finished",
    "unpin",
    "wait_released",
]

#: How often the GUI thread checks the thresholds and the holders (seconds).
INTERVAL_S = 0.2

#: Least time between two full (generation 2) collections (seconds).
FULL_COLLECTION_GAP_S = 5.0


class _Collector(GarbageCollector):
    """pyqtgraph's GUI-thread collector that also drops holders whose thread finished.

    pyqtgraph's check collects generation 2 whenever generation 1 passed its
    threshold; Python itself also waits until the objects awaiting a full
    collection are a quarter of the long-lived ones. Right after the heavy imports
    (a million objects) that made full collections of 0.1-0.3 s follow each other
    on the GUI thread, so here a full collection waits at least
    :data:`FULL_COLLECTION_GAP_S` after the previous one.
    """

    def __init__(self) -> None:
        self.holders: list[Callable[[], bool]] = []
        self.pins = 0
        self.reenable = gc.isenabled()  # only give back what we took
        self.last_full = time.monotonic()
        super().__init__(interval=INTERVAL_S)

    def check(self) -> None:  # GUI thread (timer)
        young, middle, _old = gc.get_count()
        if young > self.threshold[0]:
            gc.collect(0)
            if middle > self.threshold[1]:
                if time.monotonic() - self.last_full >= FULL_COLLECTION_GAP_S:
                    gc.collect(2)
                    self.last_full = time.monotonic()
                else:
                    gc.collect(1)
        if self is _collector:
            release_finished()


_collector: _Collector | None = None


def _still_running(running: Callable[[], bool]) -> bool:
    try:
        return bool(running())
    except RuntimeError:  # its Qt object is gone: deleting a thread pool waits for its threads
        return False


def hold(running: Callable[[], bool]) -> None:
    """Collect on the GUI thread only until ``running()`` returns False.

    Call it on the GUI thread right before starting background work.

    Parameters
    ----------
    running : callable
        Whether the background thread may still run Python code (for a Qt thread
        pool: ``pool.activeThreadCount() > 0``, which drops only after the job and
        its runnable were freed). A ``RuntimeError`` (deleted Qt object) counts as
        finished.
    """
    if QCoreApplication.instance() is None:  # no event loop to collect on: leave gc alone
        return
    _collector_now().holders.append(running)


def _collector_now() -> _Collector:
    global _collector
    if _collector is None:
        _collector = _Collector()
    return _collector


def pin() -> None:
    """Collect on the GUI thread until the matching :func:`unpin` (a test, on the GUI thread)."""
    _collector_now().pins += 1


@contextmanager
def pinned() -> Iterator[None]:
    """:func:`pin` for the ``with`` block (a command's window, once its ``QApplication`` exists)."""
    pin()
    try:
        yield
    finally:
        unpin()


def unpin() -> None:
    """Drop one :func:`pin`; see :func:`release_finished`."""
    if _collector is not None and _collector.pins > 0:
        _collector.pins -= 1
    release_finished()


def release_finished() -> bool:
    """Drop finished holders; give automatic collection back when none is left (GUI thread).

    Returns
    -------
    bool
        True when automatic collection is (back) in Python's hands.
    """
    global _collector
    collector = _collector
    if collector is None:
        return True
    collector.holders = [running for running in collector.holders if _still_running(running)]
    if collector.holders or collector.pins:
        return False
    collector.timer.stop()
    _collector = None
    gc.collect(0)  # the youngest garbage here, rather than at a random point
    if collector.reenable:
        gc.enable()
    return True


def active() -> bool:
    """Whether collection currently runs on the GUI thread only."""
    return _collector is not None


def wait_released(msecs: int) -> bool:
    """Run the event loop until every holder finished, at most ``msecs`` (tests, shutdown).

    Returns
    -------
    bool
        True when automatic collection was given back in time.
    """
    clock = QElapsedTimer()
    clock.start()
    while not release_finished():
        if clock.elapsed() >= msecs:
            return False
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.01)
    return True
