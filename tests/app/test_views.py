"""Views alone (napari style): build the state, wrap it in a view, change the state, check the view.

No worker threads here: results come from :func:`denoscope.app.pipeline.process`
called directly and are put into the state.
"""

from __future__ import annotations

import numpy as np
import pytest

from denoscope.app import pipeline
from denoscope.app.state import ViewerState
from denoscope.core.resources import sample_path


@pytest.fixture
def state(qtbot, tiny_model) -> ViewerState:
    state = ViewerState()
    state.set_params(model_path=tiny_model, device="cpu", baseline="gaussian", level=0.08)
    return state


@pytest.fixture
def loaded():
    return pipeline.load(sample_path("ct"))


def test_metrics_table_follows_results_and_lpips(state, loaded, qtbot):
    from denoscope.app.widgets.metrics_table import MetricsTable
    from denoscope.core.metrics.table import METRIC_KEYS

    view = MetricsTable(state)
    qtbot.addWidget(view)
    state.set_study(loaded)
    result = pipeline.process(loaded, 0, state.params)
    state.set_result(result)
    assert view.table.rowCount() == 5  # three rows and two deltas
    lpips = METRIC_KEYS.index("lpips")
    assert view.text(0, lpips) == "…"  # LPIPS not there yet
    assert view.text(1, 0) == f"{result.metrics['denoised']['psnr']:.2f}"
    delta = result.metrics["denoised"]["ssim"] - result.metrics["noisy"]["ssim"]
    mark = "✓" if delta > 0 else "✗"  # SSIM: higher is better; a mark besides the colour
    assert view.text(3, 1) == ("+" if delta > 0 else "") + f"{delta:.4f} {mark}"
    state.set_lpips({"noisy": 0.5, "denoised": 0.25, "baseline": 0.3})
    assert view.text(0, lpips) == "0.5000"
    assert view.text(3, lpips) == "-0.2500 ✓"  # LPIPS: lower is better
    item = view.table.item(3, lpips)
    assert item.toolTip() == "better" and item.foreground().color().name() == "#56b4e9"
    header = view.table.horizontalHeaderItem(METRIC_KEYS.index("gmsd"))
    assert header.text() == "Edge error" and "Gradient magnitude" in header.toolTip()
    assert "lower is better" in header.toolTip()
    mae = view.table.item(1, METRIC_KEYS.index("mae"))
    span = loaded.normalization.high - loaded.normalization.low
    assert mae.toolTip() == f"MAE ≈ {result.metrics['denoised']['mae'] * span:.3g} HU"


def test_image_panes_show_result_in_modality_units(state, loaded, qtbot):
    from denoscope.app.widgets.image_panes import ImagePanes

    view = ImagePanes(state)
    qtbot.addWidget(view)
    state.set_study(loaded)
    assert view.data["truth"] is not None and view.data["denoised"] is None
    result = pipeline.process(loaded, 0, state.params)
    state.set_result(result)
    np.testing.assert_allclose(
        view.data["noisy"], loaded.normalization.from_unit(result.noisy01), rtol=1e-6
    )
    state.set_window(100.0, 50.0)
    for key in ("noisy", "denoised", "truth"):
        assert tuple(view.items[key].levels) == (75.0, 125.0)
    view.resize(1200, 500)
    view.show()
    qtbot.waitUntil(lambda: view.titles["noisy"].text.startswith("Noisy · PSNR"))
    view.resize(500, 300)  # narrow panes: the short form, which never widens the pane
    psnr = result.metrics["noisy"]["psnr"]
    qtbot.waitUntil(lambda: view.titles["noisy"].text.startswith(f"Noisy · {psnr:.2f} dB"))
    assert view.panes["noisy"].view.width() <= view.panes["noisy"].width()


def test_controls_write_params_and_follow_them(state, loaded, qtbot):
    from denoscope.app.widgets.controls import Controls, slider_to_level

    view = Controls(state)
    qtbot.addWidget(view)
    view.populate()
    view.noise.setCurrentIndex(view.noise.findData("poisson"))
    assert state.params.noise == "poisson"
    assert state.params.level == 100.0  # the registry's default for CT
    view.set_level_position(0)
    assert state.params.level == pytest.approx(slider_to_level(0, 1.0, 1e5, True))
    state.set_params(seed=11, baseline=None)
    assert view.seed.value() == 11
    assert view.baseline.currentData() is None
    state.set_params(real_input=True)
    assert not view.level_slider.isEnabled() and not view.noise.isEnabled()


def test_level_slider_mapping_round_trips():
    from denoscope.app.widgets.controls import level_to_slider, slider_to_level

    for low, high, log in ((0.0, 1.0, False), (1.0, 1e5, True)):
        for position in (0, 1, 500, 999, 1000):
            level = slider_to_level(position, low, high, log)
            assert level_to_slider(level, low, high, log) == position


def test_tag_browser_and_series_bar_follow_the_study(state, loaded, qtbot):
    from denoscope.app.widgets.series_picker import SeriesBar
    from denoscope.app.widgets.tag_browser import TagBrowser

    tags, bar = TagBrowser(state), SeriesBar(state)
    qtbot.addWidget(tags)
    qtbot.addWidget(bar)
    state.set_study(loaded)
    assert len(tags.visible_rows()) == len(loaded.study.metadata)
    assert not bar.slider.isEnabled() and bar.label.text() == "1 / 1"


def test_non_square_pixels_are_shown_true_to_size(state, loaded, qtbot):
    from dataclasses import replace

    from denoscope.app.widgets.image_panes import ImagePanes, pixel_aspect

    view = ImagePanes(state)
    qtbot.addWidget(view)
    wide_rows = replace(loaded, study=replace(loaded.study, pixel_spacing=(2.0, 1.0)))
    state.set_study(wide_rows)
    assert all(v.state["aspectLocked"] == 0.5 for v in view.views.values())
    assert pixel_aspect(None) == 1.0 and pixel_aspect((0.0, 1.0)) == 1.0


def test_zoom_is_linked_and_kept_when_the_window_resizes(state, loaded, qtbot):
    from denoscope.app.widgets.image_panes import PANES, ImagePanes

    view = ImagePanes(state)
    qtbot.addWidget(view)
    view.set_layout("1x4")
    view.resize(1200, 500)
    view.show()
    state.set_study(loaded)
    first = view.views[PANES[0]]
    first.scaleBy((0.5, 0.5))  # as a mouse zoom does
    first.sigRangeChangedManually.emit(first.state["mouseEnabled"])
    zoomed = first.viewRect()
    for key in PANES[1:]:
        assert view.views[key].viewRect().width() == pytest.approx(zoomed.width(), rel=0.05)
    view.resize(1400, 600)
    qtbot.waitUntil(lambda: view.width() == 1400)
    kept = first.viewRect()
    assert kept.center().x() == pytest.approx(zoomed.center().x(), abs=2.0)
    assert kept.width() < 100  # still zoomed in on the 128-pixel image
    view.reset_view()
    assert first.viewRect().width() >= 128
