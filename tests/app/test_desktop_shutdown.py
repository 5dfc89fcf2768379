"""Clean shutdown: closing during any job returns within 1 s, silently, with no partial file."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from PIL import Image


def _uninterruptible(seconds: float):
    def job(*, progress, should_stop):  # ignores should_stop: one long library call
        time.sleep(seconds)
        progress(1, 1)
        return {"noisy": 0.5}

    return job


def test_close_during_an_uninterruptible_job_returns_at_once(
    settings, tiny_model, open_study, qtbot, capfd
) -> None:
    from denoscope.app.main_window import MainWindow
    from denoscope.core.resources import sample_path

    window = MainWindow(settings, series_metrics=False)  # deleted below, not by a fixture
    window.state.set_params(model_path=tiny_model, device="cpu")
    window.show()
    open_study(window, sample_path("ct"), modality="ct")
    window.controller.lpips.submit(_uninterruptible(2.0))
    start = time.perf_counter()
    window.close()
    window.deleteLater()
    qtbot.wait(50)  # the deletion runs: it must not wait for the job's thread
    assert time.perf_counter() - start < 1.0
    qtbot.wait(2500)  # the job ends on its own, and reports to nobody
    err = capfd.readouterr().err
    assert "Traceback" not in err and "Signal source" not in err


def test_close_during_a_series_export_leaves_only_complete_files(
    window, open_study, qtbot, tmp_path: Path
) -> None:
    from denoscope.app.export import export_denoised

    folder = tmp_path / "series"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for index in range(12):
        pixels = (rng.random((256, 256)) * 4000).astype(np.uint16)
        Image.fromarray(pixels).save(folder / f"s{index:02d}.png")
    open_study(window, folder, modality="ct")
    out = tmp_path / "out"
    out.mkdir()
    state = window.state
    window.controller.export.submit(
        export_denoised, state.study, state.result, state.params, out / "d.png", series=True
    )
    qtbot.waitUntil(lambda: any(out.iterdir()), timeout=20000)
    start = time.perf_counter()
    window.close()
    assert time.perf_counter() - start < 1.0
    qtbot.wait(1500)
    names = sorted(p.name for p in out.iterdir())
    assert 0 < len(names) < 12
    assert all(name.startswith("d_") and name.endswith(".png") for name in names), names
    for name in names:
        with Image.open(out / name) as image:
            image.load()  # complete PNGs only
