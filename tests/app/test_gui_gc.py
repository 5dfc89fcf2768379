"""Garbage holding Qt objects is freed on the GUI thread, never by a worker's job (issue 16)."""

from __future__ import annotations

import gc
import threading

import pytest
from PySide6.QtCore import QObject, Qt

from denoscope.app import gui_gc
from denoscope.app.workers import LatestWorker


@pytest.fixture
def unpinned(qapp):
    """Without the test pin (tests/app/conftest.py): only the workers' holds count."""
    gui_gc.unpin()
    assert gui_gc.wait_released(10_000) and gc.isenabled()
    yield
    gui_gc.pin()


def _allocating_job(*, progress, should_stop):
    """Plain Python work that crosses the collector's thresholds many times."""
    rows = [[index] for index in range(200_000)]
    progress(1, 1)
    return len(rows)


def _garbage_cycles_with_qt_objects(count: int, freed_on: list[threading.Thread]) -> None:
    for _ in range(count):
        holder = QObject()  # owned by Python, like pyqtgraph's menus
        holder.cycle = holder  # only the cyclic collector can free it
        holder.destroyed.connect(
            lambda *_: freed_on.append(threading.current_thread()),
            Qt.ConnectionType.DirectConnection,
        )


def test_a_job_never_frees_qt_garbage_on_its_thread(qtbot, unpinned) -> None:
    gc.collect()
    freed_on: list[threading.Thread] = []
    worker = LatestWorker("gc")
    _garbage_cycles_with_qt_objects(50, freed_on)
    with qtbot.waitSignal(worker.idle, timeout=20_000):
        worker.submit(_allocating_job)
    assert gui_gc.wait_released(20_000)
    assert gc.isenabled()
    gc.collect()
    assert len(freed_on) == 50
    assert set(freed_on) == {threading.main_thread()}


def test_collection_is_given_back_when_the_jobs_end(qtbot, unpinned) -> None:
    gate = threading.Event()

    def waiting(*, progress, should_stop):
        gate.wait(10)
        return None

    worker = LatestWorker("gc")
    worker.submit(waiting)
    assert gui_gc.active() and not gc.isenabled()  # while the job may run Python code
    gate.set()
    qtbot.waitUntil(lambda: not worker.is_busy(), timeout=10_000)
    assert gui_gc.wait_released(10_000)
    assert not gui_gc.active() and gc.isenabled()


def test_a_pinned_block_collects_on_the_event_loop_only(qtbot, unpinned) -> None:
    freed_on: list[threading.Thread] = []
    with gui_gc.pinned():
        assert not gc.isenabled()
        _garbage_cycles_with_qt_objects(20, freed_on)
        alive = [[index] for index in range(20_000)]  # far past gen 0's threshold
        assert freed_on == []  # nothing was collected automatically
        qtbot.waitUntil(lambda: len(freed_on) == 20, timeout=5000)  # the timer collected them
    assert gc.isenabled() and len(alive) == 20_000
    assert set(freed_on) == {threading.main_thread()}
