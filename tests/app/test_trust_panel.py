"""The Trust panel: maps on the worker, overlay with opacity, hover value, lesion test, sidecar."""

from __future__ import annotations

import json

import numpy as np
import pytest

from denoscope.app.export import caption_lines, provenance


@pytest.fixture
def window(qtbot, tmp_path):
    from denoscope.app.main_window import MainWindow
    from denoscope.app.settings import Settings
    from denoscope.core.resources import sample_path

    win = MainWindow(Settings(tmp_path / "settings.ini"), series_metrics=False)
    qtbot.addWidget(win)
    win.open_path(sample_path("ct"), modality="ct", noise="gaussian", level=0.05, baseline=None)
    qtbot.waitUntil(lambda: win.state.result is not None, timeout=120000)
    assert win.wait_settled(120000)
    yield win
    win.close()


def test_map_overlay_hover_and_sidecar(window, qtbot):
    panel = window.trust
    panel.map_choice.setCurrentIndex(panel.map_choice.findData("removed"))
    qtbot.waitUntil(
        lambda: panel.current is not None and panel.current.key == "removed", timeout=120000
    )
    assert panel.overlay.scene() is window.panes.views["denoised"].scene()
    assert panel.overlay in window.panes.views["denoised"].addedItems
    panel.opacity.setValue(25)
    assert panel.overlay.opacity() == pytest.approx(0.25)
    window.panes.show_values(10, 12)  # the panes' hover reaches the panel
    expected = float(panel.current.image[10, 12])
    assert f"{expected:.3g}" in panel.hover.text() and "z" in panel.hover.text()
    panel.target.setCurrentIndex(panel.target.findData("difference"))
    assert panel.overlay in window.panes.views["difference"].addedItems
    assert panel.overlay.opacity() == 1.0
    record = provenance(window.state)["trust"]
    assert record["map"]["key"] == "removed" and record["map"]["shown"] == "difference"
    assert record["map"]["params"]["window_px"] == 2.0
    assert 0 < record["map"]["params"]["correlation"] < 10
    caption = caption_lines(provenance(window.state))
    assert "Trust map: Removed structure (z) (z), in the difference pane, opacity 25%" in caption
    panel.map_choice.setCurrentIndex(panel.map_choice.findData("signed"))
    qtbot.waitUntil(lambda: panel.current.key == "signed", timeout=120000)
    truth, denoised = window.state.result.truth01, window.state.result.denoised01
    span = window.state.study.normalization.span
    np.testing.assert_allclose(panel.current.image, (denoised - truth) * span, rtol=1e-4, atol=1e-2)


def test_lesion_test_outlines_and_table(window, qtbot):
    panel = window.trust
    assert "Ctrl+L" in window.shortcuts_text() and "Run lesion test" in window.shortcuts_text()
    panel.action_lesion_test.trigger()
    qtbot.waitUntil(
        lambda: panel.lesions is not None or bool(window.state.last_error), timeout=120000
    )
    assert window.state.last_error is None, window.state.last_error
    n = len(panel.lesions.lesions)
    assert n >= 2 and panel.table.rowCount() == n
    assert len(panel._outlines) == n * len(window.panes.views)  # outlined on every pane
    assert panel.table.item(0, 4).text().endswith("%")
    shown = window.panes.data["truth"]  # the panes show the lesion-present images
    present = window.state.study.normalization.from_unit(panel.lesions.images["clean_present"])
    np.testing.assert_allclose(shown, present, rtol=1e-5, atol=1e-3)
    window.panes.show_values(panel.lesions.lesions[0].row, panel.lesions.lesions[0].col)
    record = provenance(window.state)
    assert record["trust"]["lesion_test"]["methods"]["model"]["retained"]
    assert any(line.startswith("Lesion test:") for line in caption_lines(record))
    window.state.set_params(seed=window.state.params.seed + 1)  # a new result clears them
    qtbot.waitUntil(lambda: panel.lesions is None, timeout=120000)
    assert panel.table.rowCount() == 0


def test_latest_request_wins(window, qtbot):
    panel = window.trust
    for key in ("removed", "invented", "lost"):
        panel.map_choice.setCurrentIndex(panel.map_choice.findData(key))
    qtbot.waitUntil(lambda: not panel.is_busy(), timeout=120000)
    assert panel.current.key == "lost"


def test_real_input_uses_tta_and_says_what_needs_a_truth(window, qtbot):
    panel = window.trust
    steps = []
    window.state.progressChanged.connect(lambda task, d, n: steps.append((task, d, n)))
    window.state.set_params(real_input=True)
    qtbot.waitUntil(lambda: window.state.result.truth01 is None, timeout=120000)
    panel.map_choice.setCurrentIndex(panel.map_choice.findData("uncertainty"))
    qtbot.waitUntil(
        lambda: panel.current is not None and panel.current.key == "uncertainty", timeout=120000
    )
    assert panel.current.params["kind"] == "tta" and panel.current.params["draws"] == 8
    assert ("trust", 8, 8) in steps  # progress of the 8 inferences
    assert "8 flips/rotations" in panel.legend.text() and "HU" in panel.legend.text()
    panel.map_choice.setCurrentIndex(panel.map_choice.findData("invented"))
    qtbot.waitUntil(lambda: panel.current.key == "invented", timeout=120000)
    assert panel.current.image is None and "needs the ground truth" in panel.legend.text()
    panel.run_lesion_test()
    qtbot.waitUntil(lambda: bool(window.state.last_error), timeout=120000)
    assert "needs a clean image" in window.state.last_error


def test_a_new_slice_result_replaces_a_running_map(window, qtbot):
    panel = window.trust
    panel.map_choice.setCurrentIndex(panel.map_choice.findData("uncertainty"))
    window.state.set_params(seed=window.state.params.seed + 5)  # new result while it runs
    qtbot.waitUntil(lambda: not panel.is_busy() and not window.controller.is_busy(), timeout=120000)
    assert panel.current is not None and panel.current.key == "uncertainty"
    result = window.state.result
    assert result.params.seed == window.state.params.seed
    # the map shown belongs to the shown result: recompute it and compare
    from denoscope.app import trust_jobs

    again = trust_jobs.compute_map(
        window.state.study,
        result,
        "uncertainty",
        progress=lambda *a: None,
        should_stop=lambda: False,
    )
    np.testing.assert_allclose(panel.current.image, again.image, rtol=1e-4, atol=1e-3)


def test_exports_show_what_the_panes_show(window, qtbot, tmp_path):
    """The rendered export carries the lesion-test images, the outlines and the map overlay."""
    from denoscope.app import evidence
    from denoscope.app.export import export_comparison

    panel = window.trust
    panes = window.panes
    setup = evidence.view_setup(panes)
    plain = evidence.pane_images(window.state, setup)["denoised"]
    panel.map_choice.setCurrentIndex(panel.map_choice.findData("removed"))
    qtbot.waitUntil(lambda: panel.current is not None, timeout=120000)
    panel.opacity.setValue(100)
    with_map = evidence.pane_images(window.state, evidence.view_setup(panes))["denoised"]
    assert with_map != plain  # the overlay is rendered into the exported pane
    panel.run_lesion_test()
    qtbot.waitUntil(lambda: panel.lesions is not None, timeout=120000)
    present = window.state.study.normalization.from_unit(panel.lesions.images["clean_present"])
    exported = evidence.pane_array(window.state, evidence.view_setup(panes), "truth")
    np.testing.assert_allclose(exported, present, rtol=1e-5, atol=1e-3)
    written = export_comparison(window.state, panes, tmp_path / "c.png")
    record = json.loads(written[1].read_text())
    assert record["trust"]["map"]["key"] == "removed"
    assert len(record["trust"]["lesion_test"]["lesions"]) == len(panel.lesions.lesions)
    panel.map_choice.setCurrentIndex(0)  # no map: nothing overlaid any more
    assert "overlay" not in panel.display()
