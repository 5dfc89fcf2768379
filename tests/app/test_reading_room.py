"""The reading room (issue 13): layouts, zoom, sizes, orientation, scale bar, cine, keys."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt

from denoscope.core.resources import sample_path


@pytest.fixture
def png512(tmp_path: Path) -> Path:
    """A 512 × 512 16-bit PNG phantom."""
    rows, cols = np.mgrid[0:512, 0:512]
    image = 20000 + 15000 * np.sin(rows / 23.0) * np.cos(cols / 31.0)
    path = tmp_path / "phantom512.png"
    Image.fromarray(image.astype(np.uint16)).save(path)
    return path


@pytest.fixture
def png_series(tmp_path: Path) -> Path:
    """Five 16-bit 64 × 64 PNG slices (one series)."""
    folder = tmp_path / "series"
    folder.mkdir()
    rows, cols = np.mgrid[0:64, 0:64]
    for index in range(5):
        image = 20000 + 15000 * np.sin(rows / (6 + index)) * np.cos(cols / 9)
        Image.fromarray(image.astype(np.uint16)).save(folder / f"s{index:02d}.png")
    return folder


def test_layouts_by_toolbar_and_keys_are_remembered(window, open_study, qtbot, settings):
    from denoscope.app.main_window import MainWindow

    open_study(window, sample_path("ct"))
    panes, toolbar = window.panes, window.view_toolbar
    assert panes.layout_name == "1x2"  # the default: noisy | denoised
    assert panes.visible_panes() == ("noisy", "denoised")
    expected = {
        "1x1": ("denoised",),
        "1x2": ("noisy", "denoised"),
        "2x2": ("noisy", "denoised", "truth", "difference"),
        "1x4": ("noisy", "denoised", "truth", "difference"),
    }
    for name, keys in expected.items():
        toolbar.layout_actions[name].trigger()
        assert panes.layout_name == name
        assert panes.visible_panes() == keys
        assert all(panes.panes[k].isVisible() for k in keys)
        hidden = set(panes.panes) - set(keys)
        assert not any(panes.panes[k].isVisible() for k in hidden)
    # The 2×2 grid is two rows of two; 1×4 is one row.
    toolbar.layout_actions["2x2"].trigger()
    qtbot.waitUntil(lambda: panes.panes["truth"].y() > panes.panes["noisy"].y())
    assert panes.panes["denoised"].x() > panes.panes["noisy"].x()
    # Keys: Ctrl+1 gives 1×1, P steps its pane, Ctrl+4 gives 1×4.
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert panes.layout_name == "1x1"
    qtbot.keyClick(window, Qt.Key.Key_P)
    assert panes.visible_panes() == ("truth",)
    assert toolbar.single.currentData() == "truth"
    # Any two panes in 1×2, chosen in the toolbar.
    toolbar.layout_actions["1x2"].trigger()
    toolbar.right.setCurrentIndex(toolbar.right.findData("difference"))
    toolbar.right.activated.emit(toolbar.right.currentIndex())
    assert panes.visible_panes() == ("noisy", "difference")
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert panes.layout_name == "1x4"
    # Remembered: a new window with the same settings opens the same way.
    second = MainWindow(settings, series_metrics=False)
    qtbot.addWidget(second)
    assert second.panes.layout_name == "1x4"
    assert second.panes.pair == ("noisy", "difference")
    assert second.panes.single == "truth"
    second.controller.shutdown()


def test_fit_and_one_to_one_zoom(window, open_study, qtbot):
    open_study(window, sample_path("ct"))
    panes = window.panes
    window.view_toolbar.action_actual.trigger()
    for key in panes.visible_panes():
        assert panes.screen_pixels_per_image_pixel(key) == pytest.approx(1.0, rel=0.02)
    window.view_toolbar.action_fit.trigger()
    view = panes.views["noisy"]
    (x0, x1), (y0, y1) = view.viewRange()
    assert x0 <= 0 and x1 >= 128 and y0 <= 0 and y1 >= 128  # the whole image
    assert min(panes.image_rect_on_screen("noisy")) > 0.8 * min(
        view.boundingRect().width(), view.boundingRect().height()
    )


def test_first_window_uses_most_of_the_screen(qtbot, settings):
    from PySide6.QtGui import QGuiApplication

    from denoscope.app.main_window import MainWindow, initial_size

    available = QGuiApplication.primaryScreen().availableGeometry()
    width, height = initial_size()
    assert width >= 0.85 * available.width() or width == 800
    assert height >= 0.85 * available.height() or height == 600
    win = MainWindow(settings, series_metrics=False)
    qtbot.addWidget(win)
    assert win.width() >= width and win.height() >= height
    # The window can be as small as a 1280×800 screen (less its panel and title bar).
    minimum = win.minimumSizeHint()
    assert minimum.width() <= 1280 and minimum.height() <= 740
    win.controller.shutdown()


@pytest.mark.parametrize("layout", ["1x1", "1x2", "2x2", "1x4"])
def test_512_image_fills_80_percent_of_each_pane_at_1600x1000(
    window, open_study, qtbot, png512, layout
):
    window.resize(1600, 1000)
    open_study(window, png512)
    window.view_toolbar.set_layout(layout)
    panes = window.panes

    def filled() -> list[float]:
        out = []
        for key in panes.visible_panes():
            pane = panes.panes[key]
            shorter = min(pane.width(), pane.height())
            width, height = panes.image_rect_on_screen(key)
            along = width if pane.width() <= pane.height() else height
            out.append(along / shorter)
        return out

    qtbot.waitUntil(lambda: min(filled()) >= 0.8, timeout=5000)
    assert len(filled()) == len(panes.visible_panes())


def test_nothing_is_cut_off_at_1280x800(window, open_study, qtbot):
    window.resize(1280, 800)
    open_study(window, sample_path("ct"))
    panes = window.panes
    for layout in ("1x4", "2x2", "1x2", "1x1"):
        window.view_toolbar.set_layout(layout)
        qtbot.waitUntil(lambda: all(panes.panes[k].width() > 100 for k in panes.visible_panes()))
        frame = panes.rect()
        for key in panes.visible_panes():
            pane = panes.panes[key]
            corner = pane.mapTo(panes, pane.rect().bottomRight())
            assert frame.contains(pane.mapTo(panes, pane.rect().topLeft()))
            assert frame.contains(corner), (layout, key)
            width, height = panes.image_rect_on_screen(key)
            per_pixel = panes.screen_pixels_per_image_pixel(key)
            assert width == pytest.approx(128 * per_pixel, rel=0.02)  # the whole image shows
            assert height == pytest.approx(128 * per_pixel, rel=0.02)
    # Every metric column is on screen.
    table = window.metrics.table
    last = table.horizontalHeader().sectionViewportPosition(table.columnCount() - 1)
    assert last + table.columnWidth(table.columnCount() - 1) <= table.viewport().width() + 1


def test_orientation_letters_and_scale_bar(window, open_study, qtbot):
    from denoscope.app.annotations import orientation_labels, scale_bar

    assert orientation_labels([1, 0, 0, 0, 1, 0]) == {
        "right": "L",
        "left": "R",
        "bottom": "P",
        "top": "A",
    }
    # A sagittal slice: rows run posterior, columns run to the feet.
    assert orientation_labels([0, 1, 0, 0, 0, -1]) == {
        "right": "P",
        "left": "A",
        "bottom": "F",
        "top": "H",
    }
    assert orientation_labels(None) is None and orientation_labels([1, 0, 0]) is None
    assert scale_bar(2.0, 100.0) == (50.0, 100.0)
    assert scale_bar(float("nan"), 100.0) is None
    open_study(window, sample_path("ct"))
    overlay = window.panes.panes["noisy"].overlay
    assert {side: item.text() for side, item in overlay.letters.items()} == {
        "left": "R",
        "right": "L",
        "top": "A",
        "bottom": "P",
    }
    assert overlay.bar_mm is not None and overlay.bar.isVisible()
    per_mm = overlay.pixels_per_mm()
    assert overlay.bar.line().length() == pytest.approx(overlay.bar_mm * per_mm, rel=1e-6)
    window.panes.actual_size()  # zooming changes the bar's length in mm, not its meaning
    assert overlay.pixels_per_mm() == pytest.approx(1.0 / 0.661468, rel=0.02)


def test_cine_plays_the_series_and_series_keys(qtbot, settings, tiny_model, png_series):
    from denoscope.app.main_window import MainWindow

    win = MainWindow(settings, series_metrics=False)
    qtbot.addWidget(win)
    win.show()
    win.state.set_params(model_path=tiny_model, device="cpu", baseline=None)
    with qtbot.waitSignal(win.controller.settled, timeout=30000):
        win.open_path(png_series, modality="mri")
    cine = win.view_toolbar.cine
    win.view_toolbar.fps.setValue(20.0)
    assert cine.timer.interval() == 50
    seen: list[int] = []
    win.state.sliceChanged.connect(seen.append)
    win.view_toolbar.action_cine.trigger()
    assert cine.is_playing()
    qtbot.waitUntil(lambda: len(seen) >= 6, timeout=5000)
    win.view_toolbar.action_cine.trigger()
    assert not cine.is_playing()
    steps = [(b - a) % 5 for a, b in zip(seen, seen[1:], strict=False)]
    assert set(steps) == {1}  # one slice at a time, looping after the last
    assert 0 in seen and 4 in seen
    win.controller.shutdown()


def test_window_level_drag_follows_weasis(window, open_study):
    open_study(window, sample_path("ct"))
    center, width = window.state.window
    window.panes._on_window_drag(0.0, 20.0, False)  # drag down: higher level (darker)
    assert window.state.window[0] > center
    assert window.state.window[1] == width
    window.panes._on_window_drag(20.0, 0.0, True)  # drag right: wider
    assert window.state.window[1] > width
    text = window.shortcuts_text()
    assert "horizontal = width" in text and "vertical = level" in text


def test_series_keys_step_through_the_folders_series(window, tmp_path, qtbot, settle):
    import pydicom
    from pydicom.uid import generate_uid

    folder = tmp_path / "two-series"
    folder.mkdir()
    for name, description in (("a.dcm", "first"), ("b.dcm", "second")):
        ds = pydicom.dcmread(sample_path("ct"))
        ds.SeriesInstanceUID = generate_uid()
        ds.FrameOfReferenceUID = generate_uid()  # two scans, not one stack
        ds.SOPInstanceUID = generate_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        ds.SeriesDescription = description
        ds.save_as(folder / name)
    with qtbot.waitSignal(window.state.studyChanged, timeout=30000):
        window.open_path(folder)
    first = window.state.study.study.series_uid
    window.activateWindow()
    with qtbot.waitSignal(window.state.studyChanged, timeout=30000):
        qtbot.keyClick(window, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    second = window.state.study.study.series_uid
    assert second != first
    with qtbot.waitSignal(window.state.studyChanged, timeout=30000):
        qtbot.keyClick(window, Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    assert window.state.study.study.series_uid == first
    settle(window)


def test_slice_plot_axis_counts_slices_and_legend_stays_off_the_curves(state_free_plot):
    plot = state_free_plot
    plot.set_slice_axis(8)
    assert plot.x_range() == (0.5, 8.5)
    axis = plot.plots["ssim"].getAxis("bottom")
    assert axis.labelText == "slice number" and not axis.autoSIPrefix
    legend = plot.legend.sceneBoundingRect()
    for item in plot.plots.values():
        assert not legend.intersects(item.vb.sceneBoundingRect())
    assert "noisy" in plot.legend.text and "denoised" in plot.legend.text


@pytest.fixture
def state_free_plot(qtbot):
    from denoscope.app.state import ViewerState
    from denoscope.app.widgets.slice_plot import SlicePlot

    plot = SlicePlot(ViewerState())
    qtbot.addWidget(plot)
    plot.resize(600, 400)
    plot.show()
    qtbot.waitExposed(plot)
    return plot


def test_revisited_slice_shows_every_pane_at_once(qtbot, settings, tiny_model, png_series, settle):
    from denoscope.app.main_window import MainWindow

    win = MainWindow(settings, series_metrics=False)
    qtbot.addWidget(win)
    win.show()
    win.state.set_params(model_path=tiny_model, device="cpu", baseline=None)
    with qtbot.waitSignal(win.controller.settled, timeout=120000):
        win.open_path(png_series, modality="mri")
    win.view_toolbar.set_layout("1x4")
    win.state.set_slice(3)
    settle(win)
    win.state.set_slice(2)  # seen before: its result comes from the cache, synchronously
    panes = win.panes
    assert win.state.result.index == 2
    for key in ("noisy", "denoised", "truth", "difference"):
        assert panes.data[key] is not None, key
    np.testing.assert_array_equal(panes.data["denoised"], win.state.result.display["denoised"])
    win.state.set_slice(0)  # not computed yet: only its original frame, no stale panes
    assert panes.data["denoised"] is None and panes.data["difference"] is None
    np.testing.assert_array_equal(panes.data["truth"], win.state.study.study.frames[0])
    settle(win)
    win.controller.shutdown()
