"""GMSD and the grid measure of big images, by strips: the whole-image values, less memory."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from scipy import ndimage

from denoscope.core.metrics import compute_metrics, strips
from denoscope.core.metrics.edges import gmsd, gmsd_by_strips
from denoscope.core.metrics.grid import (
    flat_mask,
    grid_amplitude,
    grid_amplitude_by_strips,
    grid_index,
    grid_index_by_strips,
)


@pytest.fixture
def pair() -> tuple[np.ndarray, np.ndarray]:
    """A smooth float32 truth with flat parts, and a noisy test with a faint checkerboard."""
    rng = np.random.default_rng(3)
    truth = ndimage.gaussian_filter(rng.random((203, 157)), 5)
    truth[60:140, 40:120] = 0.5  # flat tissue for the masked amplitude
    rows, cols = np.indices(truth.shape)
    test = truth + rng.normal(0, 0.02, truth.shape) + 0.004 * np.where((rows + cols) % 2, -1, 1)
    return truth.astype(np.float32), test.astype(np.float32)


@pytest.mark.parametrize("rows_per_strip", [1, 15, 31, 64, 1000])
def test_strips_equal_the_whole_image(pair, rows_per_strip: int) -> None:
    truth, test = pair
    mask = flat_mask(truth, data_range=1.0, tolerance=1e-3)
    assert 0 < mask.sum() < mask.size
    assert gmsd_by_strips(truth, test, data_range=1.0, rows_per_strip=rows_per_strip) == (
        pytest.approx(gmsd(truth, test, data_range=1.0), rel=1e-12)
    )
    assert grid_index_by_strips(truth, test, data_range=1.0, rows_per_strip=rows_per_strip) == (
        pytest.approx(grid_index(truth, test, data_range=1.0), rel=1e-12)
    )
    for selected in (None, mask):
        whole = grid_amplitude(truth, test, data_range=1.0, mask=selected)
        by_strips = grid_amplitude_by_strips(
            truth, test, mask=selected, rows_per_strip=rows_per_strip
        )
        assert by_strips == pytest.approx(whole, rel=1e-12)


def test_big_images_take_the_strip_path_with_the_same_values(monkeypatch) -> None:
    rng = np.random.default_rng(5)
    truth = ndimage.gaussian_filter(rng.random((601, 157)), 4).astype(np.float32)  # 3 strips
    test = (truth + rng.normal(0, 0.03, truth.shape)).astype(np.float32)
    whole = compute_metrics(truth, test, data_range=1.0, lpips=False).as_dict()
    same = compute_metrics(truth, truth, data_range=1.0, lpips=False).as_dict()
    monkeypatch.setattr(strips, "STRIP_PIXELS", 1000)
    assert strips.use_strips(truth.shape)
    by_strips = compute_metrics(truth, test, data_range=1.0, lpips=False).as_dict()
    for key in ("psnr", "ssim", "mse", "mae", "gmsd", "grid"):
        assert by_strips[key] == pytest.approx(whole[key], rel=1e-12), key
    assert compute_metrics(truth, truth, data_range=1.0, lpips=False).as_dict() == same
    assert grid_amplitude(truth, test, data_range=1.0) == pytest.approx(
        grid_amplitude_by_strips(truth, test, rows_per_strip=10_000), rel=1e-12
    )


def test_a_big_image_uses_a_fraction_of_the_memory() -> None:
    rng = np.random.default_rng(4)
    truth = rng.random((1500, 1400), dtype=np.float32)  # 2.1 MP: strips
    test = truth + np.float32(0.01)
    tracemalloc.start()
    gmsd(truth, test, data_range=1.0)
    grid_index(truth, test, data_range=1.0)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 3 * truth.nbytes  # the whole-image grid index holds about 13x as much
