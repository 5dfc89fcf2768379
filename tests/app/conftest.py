"""Fixtures of the viewer tests: a window with throw-away settings and a tiny untrained model.

Tests never touch the user's QSettings (an INI file under ``tmp_path``) and do
not depend on trained weights: a tiny res-cae is saved through
:mod:`denoscope.core.checkpoint` and chosen as the model file.
"""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny untrained res-cae model file (seeded, so results are deterministic)."""
    import torch

    from denoscope.core.checkpoint import save_model
    from denoscope.core.model_card import ModelCard
    from denoscope.core.models import ResCAEConfig, build_model

    torch.manual_seed(0)
    config = ResCAEConfig(widths=(4, 8), convs_per_level=1, bottleneck_convs=1)
    model = build_model(config)
    path = tmp_path_factory.mktemp("model") / "tiny-ct.safetensors"
    card = ModelCard(name="tiny test res-cae", architecture=config, modality="ct")
    save_model(path, model, card)
    return path


@pytest.fixture
def settings(tmp_path: Path):
    """Settings in a temporary INI file."""
    from denoscope.app.settings import Settings

    return Settings(tmp_path / "settings.ini")


@pytest.fixture
def window(qtbot, settings, tiny_model: Path):
    """A main window using the tiny model, without series metrics unless a test asks."""
    from denoscope.app.main_window import MainWindow

    win = MainWindow(settings, series_metrics=False)
    win.state.set_params(model_path=tiny_model, device="cpu", baseline="median")
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    yield win
    win.controller.shutdown()


@pytest.fixture
def open_study(qtbot):
    """``open_study(window, path, **params)``: open a study and wait for its result."""

    def run(win, path, timeout: int = 30000, **params) -> None:
        with qtbot.waitSignal(win.controller.settled, timeout=timeout):
            win.open_path(path, **params)
        qtbot.waitUntil(lambda: win.state.result is not None, timeout=timeout)

    return run


@pytest.fixture
def settle(qtbot):
    """``settle(window)``: wait until every background job of the window is done."""

    def run(win, timeout: int = 30000) -> None:
        qtbot.waitUntil(lambda: not win.controller.is_busy(), timeout=timeout)

    return run


@pytest.fixture(autouse=True)
def _garbage_on_the_gui_thread(qapp):
    """Collect garbage as the viewer does; after the test, no job of a closed window runs on.

    During a test, cyclic garbage is collected only by the event loop's timer
    (:mod:`denoscope.app.gui_gc`, as in ``view``); afterwards automatic collection
    is given back. A test must not leave a thread running Python code into the next
    one (issue 16: a pool thread collecting garbage destroyed a Qt menu off the GUI
    thread).
    """
    from denoscope.app import gui_gc, workers

    gui_gc.pin()
    yield
    assert workers.wait_for_detached_jobs(30_000), "a closed window's job is still running"
    gui_gc.unpin()
    gui_gc.wait_released(30_000)
