"""Test configuration shared by every suite: headless Qt, quiet threads, deterministic seeds."""

from __future__ import annotations

import os

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
