"""A multi-slice series: slice slider, wheel and keys, per-slice metrics plot, series picker."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image


@pytest.fixture
def png_series(tmp_path: Path) -> Path:
    """Five 16-bit PNG slices of a smooth phantom (a PNG folder is one series)."""
    folder = tmp_path / "series"
    folder.mkdir()
    rows, cols = np.mgrid[0:64, 0:64]
    for index in range(5):
        image = 20000 + 15000 * np.sin(rows / (6 + index)) * np.cos(cols / 9)
        Image.fromarray(image.astype(np.uint16)).save(folder / f"s{index:02d}.png")
    return folder


def _window_on_series(qtbot, settings, tiny_model, png_series):
    """A shown window with per-slice metrics on, after the series' metrics arrived."""
    from denoscope.app.main_window import MainWindow

    win = MainWindow(settings, series_metrics=True)
    qtbot.addWidget(win)
    win.show()
    win.state.set_params(model_path=tiny_model, device="cpu", baseline=None)
    with qtbot.waitSignal(win.state.seriesMetricsChanged, timeout=60000):
        win.open_path(png_series, modality="mri")
    return win


def test_series_navigation_and_slice_plot(qtbot, settings, tiny_model, png_series, settle):
    win = _window_on_series(qtbot, settings, tiny_model, png_series)
    state = win.state
    assert state.n_slices() == 5
    assert state.slice_index == 2  # the middle slice first
    x, psnr = win.slice_plot.curve_data("psnr", "denoised")
    np.testing.assert_array_equal(x, np.arange(1, 6))  # slice numbers
    assert win.slice_plot.x_range() == (0.5, 5.5)
    assert np.all(np.isfinite(psnr))
    _x, noisy_ssim = win.slice_plot.curve_data("ssim", "noisy")
    assert noisy_ssim.shape == (5,)
    # The slider, the keys and the plot all move the same slice.
    with qtbot.waitSignal(state.resultChanged, timeout=30000):
        win.series_bar.slider.setValue(4)
    assert state.result.index == 4
    assert win.series_bar.label.text() == "5 / 5"
    win.step_slice(-1)
    assert state.slice_index == 3 and win.series_bar.slider.value() == 3
    win.step_slice(10)
    assert state.slice_index == 4
    assert win.slice_plot.markers["psnr"].value() == 5  # slice number 5
    settle(win, timeout=60000)
    assert state.result.index == 4
    # Going back to a slice seen with the same parameters shows it at once (no worker).
    shown = state.result
    with qtbot.waitSignal(state.resultChanged, timeout=30000):
        win.step_slice(-1)
    settle(win, timeout=60000)
    win.step_slice(1)
    assert state.result is shown
    assert not win.controller.denoiser.is_busy()
    win.controller.shutdown()


def test_each_pane_reads_its_own_value(window, open_study, settle):
    from denoscope.core.resources import sample_path

    open_study(window, sample_path("ct"))
    settle(window)
    window.panes.show_values(64, 64)
    texts = {key: label.text for key, label in window.panes.values.items()}
    assert all(text.startswith("(64, 64): ") and text.endswith(" HU") for text in texts.values())
    assert window.panes.value_at("truth", 500, 500) is None


def test_series_picker_for_a_folder_with_two_series(window, tmp_path, qtbot, settle):
    import pydicom
    from pydicom.uid import generate_uid

    from denoscope.core.resources import sample_path

    folder = tmp_path / "two-series"
    folder.mkdir()
    uids = []
    for name, description in (("a.dcm", "first"), ("b.dcm", "second")):
        ds = pydicom.dcmread(sample_path("ct"))
        ds.SeriesInstanceUID = generate_uid()
        ds.FrameOfReferenceUID = generate_uid()  # two scans: not one stack of slices
        ds.SOPInstanceUID = generate_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        ds.SeriesDescription = description
        ds.save_as(folder / name)
        uids.append(str(ds.SeriesInstanceUID))
    with qtbot.waitSignal(window.state.studyChanged, timeout=30000):
        window.open_path(folder)
    picker = window.series_bar.series
    assert picker.isVisible() and picker.count() == 2
    shown = window.state.study.study.series_uid
    other = next(uid for uid in uids if uid != shown)
    with qtbot.waitSignal(window.state.studyChanged, timeout=30000):
        picker.activated.emit(picker.findData(other))
    assert window.state.study.study.series_uid == other
    assert picker.currentData() == other
    settle(window)


def test_per_slice_metrics_can_be_turned_off(qtbot, settings, tiny_model, png_series, settle):
    win = _window_on_series(qtbot, settings, tiny_model, png_series)
    settle(win, timeout=60000)
    before = win.state.series_metrics
    win.slice_plot.enabled.setChecked(False)
    started = []
    win.controller.series.started.connect(started.append)
    with qtbot.waitSignal(win.state.resultChanged, timeout=30000):
        win.state.set_params(seed=9)
    settle(win, timeout=60000)
    assert started == []
    assert win.state.series_metrics is before
    win.controller.shutdown()
