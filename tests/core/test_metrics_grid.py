"""The grid-artifact index: a checkerboard scores high, clean/blurred/smooth errors low."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

from denoscope.core.metrics.grid import grid_amplitude, grid_index


@pytest.fixture
def truth() -> np.ndarray:
    rng = np.random.default_rng(0)
    base = ndimage.gaussian_filter(rng.random((128, 128)), 6)
    return ((base - base.min()) / np.ptp(base) * 0.8 + 0.1).astype(np.float32)


def test_identical_images_score_zero(truth):
    assert grid_index(truth, truth, data_range=1.0) == 0.0
    assert grid_amplitude(truth, truth, data_range=1.0) == 0.0


def test_white_error_scores_about_one(truth):
    rng = np.random.default_rng(1)
    noisy = truth + rng.normal(0, 0.05, truth.shape)
    assert grid_index(truth, noisy, data_range=1.0) == pytest.approx(1.0, abs=0.25)


def test_blur_scores_low(truth):
    blurred = ndimage.gaussian_filter(truth, 2.0)
    assert grid_index(truth, blurred, data_range=1.0) < 0.15


def test_checkerboard_scores_high_and_amplitude_is_recovered(truth):
    rows, cols = np.indices(truth.shape)
    amplitude = 0.01
    checker = truth + amplitude * np.where((rows + cols) % 2, -1.0, 1.0)
    assert grid_index(truth, checker, data_range=1.0) > 50  # a pure grid: 4 pi s^2 / 3 = 67
    assert grid_amplitude(truth, checker, data_range=1.0) == pytest.approx(amplitude, rel=0.05)
    stripes = truth + amplitude * np.where(cols % 2, -1.0, 1.0)
    assert grid_index(truth, stripes, data_range=1.0) > 50


def test_faint_grid_under_smooth_error_stands_out(truth):
    """A +-0.5 % grid under a larger smooth error (a denoiser's typical residual) is seen."""
    rng = np.random.default_rng(2)
    smooth_error = ndimage.gaussian_filter(rng.normal(0, 0.2, truth.shape), 3)
    rows, cols = np.indices(truth.shape)
    grid = 0.005 * np.where((rows + cols) % 2, -1.0, 1.0)
    clean_result = truth + smooth_error
    assert grid_index(truth, clean_result, data_range=1.0) < 0.2
    assert grid_index(truth, clean_result + grid, data_range=1.0) > 3


def test_index_does_not_depend_on_data_range(truth):
    rows, cols = np.indices(truth.shape)
    test = truth + 0.01 * np.where((rows + cols) % 2, -1.0, 1.0)
    a = grid_index(truth, test, data_range=1.0)
    b = grid_index(truth * 4095 - 1024, test * 4095 - 1024, data_range=4095.0)
    assert a == pytest.approx(b, rel=1e-6)


def test_flat_region_amplitude_ignores_edge_staircases():
    from denoscope.core.metrics.grid import flat_mask

    truth = np.zeros((96, 96))
    truth[:, 48:] = 1.0  # one sharp edge
    rows, cols = np.indices(truth.shape)
    staircase = truth.copy()
    staircase[:, 47:49] = 0.5 + 0.3 * np.where(rows[:, 47:49] % 2, -1.0, 1.0)  # jagged edge
    mask = flat_mask(truth, data_range=1.0)
    assert mask[:, :30].all() and not mask[:, 40:56].any()
    assert grid_amplitude(truth, staircase, data_range=1.0) > 0.01
    assert grid_amplitude(truth, staircase, data_range=1.0, mask=mask) < 1e-3
    gridded = truth + 0.01 * np.where((rows + cols) % 2, -1.0, 1.0)
    assert grid_amplitude(truth, gridded, data_range=1.0, mask=mask) == pytest.approx(
        0.01, rel=0.05
    )
