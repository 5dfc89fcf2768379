"""Test configuration shared by every suite: headless Qt, quiet threads, deterministic seeds."""

from __future__ import annotations

import os
import sys

import pytest

# Qt must never need a display in tests (CI has none); set before any Qt import.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Keep BLAS/torch from oversubscribing the (2-core) CI machine.
os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("MKL_NUM_THREADS", "2")
# Never let a test reach the network for weights or data.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault(
    "TORCH_HOME", os.path.join(os.path.dirname(__file__), "..", "build", "torch-home")
)


@pytest.fixture(scope="session", autouse=True)
def _no_viewer_thread_left_at_exit():
    """At the end of the session no viewer job runs on and garbage is collected normally again.

    A closed window may leave a job inside an uninterruptible step on its own
    (detached) thread; the interpreter must not exit while such a thread runs
    Python code (issue 16's flaky crash at the end of a run).
    """
    yield
    workers = sys.modules.get("denoscope.app.workers")
    if workers is None:  # no viewer test ran
        return
    from denoscope.app import gui_gc

    workers.wait_for_detached_jobs(60_000)
    gui_gc.wait_released(60_000)
