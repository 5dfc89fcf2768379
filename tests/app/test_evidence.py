"""Exports are rendered from the state at export time and never describe another state (issue 13)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtGui import QImage

from denoscope.core.resources import sample_path


@pytest.fixture
def png_series(tmp_path: Path) -> Path:
    """Five 16-bit 64 × 64 PNG slices (one series), each slice different."""
    folder = tmp_path / "series"
    folder.mkdir()
    rows, cols = np.mgrid[0:64, 0:64]
    for index in range(5):
        image = 20000 + 15000 * np.sin(rows / (6 + index)) * np.cos(cols / 9) + 500 * index
        Image.fromarray(image.astype(np.uint16)).save(folder / f"s{index:02d}.png")
    return folder


def _export(window, path: Path) -> dict:
    written = window.exports.export_comparison(path)
    assert written is not None, window.state.last_error
    return json.loads(written[1].read_text(encoding="utf-8"))


def _expected_readout(window, row: int, col: int) -> dict:
    result = window.state.result
    values = {}
    for key in window.panes.visible_panes():
        image = (
            result.differences[window.panes.difference_mode()]
            if key == "difference"
            else result.display[key]
        )
        values[key] = pytest.approx(float(image[row, col]), rel=1e-6)
    return values


def test_slice_change_before_export(window, png_series, open_study, settle, tmp_path, qtbot):
    open_study(window, png_series)
    window.view_toolbar.set_layout("1x4")
    window.state.set_slice(4)
    settle(window)
    window.panes.show_values(10, 12)  # hover on slice 5
    slice5 = window.state.result
    window.state.set_slice(1)  # ... then move to slice 2 (not computed yet)
    # While slice 2 is computing, the export is refused rather than mixing slices.
    assert window.exports.export_comparison(tmp_path / "early.png") is None
    assert "still being computed" in window.state.last_error
    assert not (tmp_path / "early.png").exists()
    settle(window)
    record = _export(window, tmp_path / "slice2.png")
    assert record["study"]["slice"] == 1
    assert record["readout"]["values"] == _expected_readout(window, 10, 12)
    assert record["readout"]["values"]["truth"] != pytest.approx(
        float(slice5.display["truth"][10, 12])
    )
    metrics = window.state.result.metrics["denoised"]
    assert record["pane_titles"]["denoised"] == (
        f"Denoised · PSNR {metrics['psnr']:.2f} dB · SSIM {metrics['ssim']:.3f}"
    )
    # The live readout under the panes was recomputed too.
    truth = window.state.result.display["truth"][10, 12]
    assert window.panes.values["truth"].text == f"(10, 12): {truth:.1f} a.u."


def test_new_noise_and_difference_mode_before_export(window, open_study, settle, tmp_path):
    open_study(window, sample_path("ct"))
    window.view_toolbar.set_layout("2x2")
    window.panes.show_values(64, 64)
    before = float(window.state.result.display["noisy"][64, 64])
    window.controls.next_seed()  # New noise
    settle(window)
    window.state.set_diff_mode("noisy-truth")
    record = _export(window, tmp_path / "after.png")
    assert record["noise"]["seed"] == 1
    from denoscope.app.noise_defaults import measured_noise_sd

    measured = measured_noise_sd(window.state.result, "ct")
    assert record["noise_level_in_units"] == (
        f"10 % of full dose · noise SD {measured:.3g} HU (measured)"
    )
    assert record["readout"]["values"] == _expected_readout(window, 64, 64)
    assert record["readout"]["values"]["noisy"] != pytest.approx(before)
    result = window.state.result
    expected_diff = abs(float(result.display["noisy"][64, 64] - result.display["truth"][64, 64]))
    assert record["readout"]["values"]["difference"] == pytest.approx(expected_diff, rel=1e-5)
    assert record["difference"] == "|noisy − truth|"
    assert record["pane_titles"]["difference"] == "Difference: |noisy − truth| (HU)"


def test_layout_change_before_export_and_full_resolution(window, open_study, settle, tmp_path):
    open_study(window, sample_path("ct"))
    window.view_toolbar.set_layout("1x4")
    window.view_toolbar.set_layout("1x2")
    written = window.exports.export_comparison(tmp_path / "cmp.png", full_resolution=True)
    assert written is not None
    png, side, *panes = written
    record = json.loads(side.read_text(encoding="utf-8"))
    assert record["layout"] == "1x2" and record["panes"] == ["noisy", "denoised"]
    # Orientation letters (ImageOrientationPatient) and a scale bar (PixelSpacing) are drawn.
    assert record["orientation"] == {"left": "R", "right": "L", "top": "A", "bottom": "P"}
    assert record["scale_bar_mm"] == 20.0
    assert [p.name for p in panes] == ["cmp_noisy.png", "cmp_denoised.png"]
    for path, key in zip(panes, ("noisy", "denoised"), strict=True):
        image = QImage(str(path))
        assert (image.height(), image.width()) == (128, 128)  # native pixel size
        # The pixels are the windowed result, not a screen grab.
        center, width = window.state.window
        value = window.state.result.display[key][40, 50]
        grey = int(np.clip((value - (center - width / 2)) / width * 255, 0, 255))
        assert abs(image.pixelColor(50, 40).red() - grey) <= 1
    composed = QImage(str(png))
    scale = record["composed_scale"]
    assert scale == 3.0 and composed.width() >= 2 * 128 * scale
    # Nothing is replaced without asking.
    assert window.exports.export_comparison(tmp_path / "cmp.png", full_resolution=True) is None
    assert "already exists" in window.state.last_error


def test_rois_are_listed_in_the_sidecar_and_drawn(window, open_study, tmp_path):
    from denoscope.core.roi import Region

    open_study(window, sample_path("ct"))
    rois = window.view_toolbar.rois
    rois.add("ellipse", Region("ellipse", 40, 40, 24, 24))
    rois.add("rect", Region("rect", 80, 40, 20, 20))
    record = _export(window, tmp_path / "roi.png")
    assert [r["name"] for r in record["rois"]] == ["ROI 1", "ROI 2 (background)"]
    assert record["rois"][0]["region"] == {
        "shape": "ellipse",
        "x": 40.0,
        "y": 40.0,
        "width": 24.0,
        "height": 24.0,
    }
    noisy = window.state.result.display["noisy"][40:60, 80:100]
    assert record["rois"][1]["stats"]["noisy"]["mean"] == pytest.approx(float(noisy.mean()))
    cnr = record["rois"][0]["contrast_vs_roi2"]["denoised"]["cnr"]
    stats = record["rois"]
    expected = (
        abs(stats[0]["stats"]["denoised"]["mean"] - stats[1]["stats"]["denoised"]["mean"])
        / (stats[1]["stats"]["denoised"]["sd"])
    )
    assert cnr == pytest.approx(expected)
    # The ROI outline is burned into the composed image (ROI 2's colour on its edge).
    image = QImage(str(tmp_path / "roi.png"))
    scale = record["composed_scale"]
    edge = [image.pixelColor(int(80 * scale) + dx, 26 + int(50 * scale)) for dx in (-1, 0)]
    assert any((c.red(), c.green(), c.blue()) == (0x88, 0xC0, 0xD0) for c in edge)
