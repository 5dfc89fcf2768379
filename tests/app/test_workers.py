"""The one threading adapter: latest request wins, stale results are dropped, errors delivered."""

from __future__ import annotations

import threading

import pytest

from denoscope.app.workers import Cancelled, LatestWorker


def _echo(value, *, progress, should_stop):
    progress(1, 1)
    return value


def test_result_arrives_on_the_gui_thread(qtbot):
    worker = LatestWorker("test")
    seen = []
    worker.finished.connect(
        lambda gen, value: seen.append((gen, value, threading.current_thread()))
    )
    with qtbot.waitSignal(worker.idle, timeout=5000):
        gen = worker.submit(_echo, 42)
    assert seen == [(gen, 42, threading.main_thread())]
    assert not worker.is_busy()


def test_latest_request_wins_and_stale_results_are_dropped(qtbot):
    gate = threading.Event()

    def blocking(value, *, progress, should_stop):
        gate.wait(5)
        return value

    worker = LatestWorker("test")
    results = []
    worker.finished.connect(lambda _gen, value: results.append(value))
    worker.submit(blocking, "first")  # running, will finish after newer requests exist
    for value in range(50):
        worker.submit(_echo, value)  # each replaces the waiting one
    gate.set()
    qtbot.waitUntil(lambda: not worker.is_busy(), timeout=5000)
    assert results == [49]


def test_running_job_is_cancelled_cooperatively(qtbot):
    started = threading.Event()
    stopped = threading.Event()

    def loop(*, progress, should_stop):
        started.set()
        while not should_stop():
            stopped.wait(0.001)
        stopped.set()
        raise Cancelled()

    worker = LatestWorker("test")
    failures = []
    worker.failed.connect(lambda _gen, error: failures.append(error))
    worker.submit(loop)
    assert started.wait(5)
    with qtbot.waitSignal(worker.idle, timeout=5000):
        worker.cancel()
    assert stopped.is_set()
    assert failures == []


def test_errors_are_delivered_not_raised(qtbot):
    def broken(*, progress, should_stop):
        raise ValueError("bad input")

    worker = LatestWorker("test")
    with qtbot.waitSignal(worker.failed, timeout=5000) as blocker:
        worker.submit(broken)
    _gen, error = blocker.args
    assert isinstance(error, ValueError)
    assert str(error) == "bad input"


def test_progress_of_the_current_request(qtbot):
    def counting(*, progress, should_stop):
        for done in range(1, 4):
            progress(done, 3)
        return "ok"

    worker = LatestWorker("test")
    seen = []
    worker.progress.connect(lambda _gen, done, total: seen.append((done, total)))
    with qtbot.waitSignal(worker.idle, timeout=5000):
        worker.submit(counting)
    assert seen == [(1, 3), (2, 3), (3, 3)]


@pytest.mark.parametrize("requests", [1, 5])
def test_generation_counts_requests(qtbot, requests):
    worker = LatestWorker("test")
    for _ in range(requests):
        worker.submit(_echo, None)
    assert worker.generation == requests
    qtbot.waitUntil(lambda: not worker.is_busy(), timeout=5000)
