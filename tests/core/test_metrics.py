"""Fidelity and edge metrics against scikit-image and independent computations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import ndimage
from skimage import data
from skimage.metrics import (
    mean_squared_error,
    peak_signal_noise_ratio,
    structural_similarity,
)

from denoscope.core.errors import ParameterError
from denoscope.core.metrics import SSIM_SETTINGS, compute_metrics, gmsd, mae, mse, psnr, ssim


@pytest.fixture(scope="module")
def camera() -> np.ndarray:
    return (data.camera()[128:384, 128:384] / 255.0).astype(np.float32)


@pytest.fixture(scope="module")
def noisy(camera: np.ndarray) -> np.ndarray:
    rng = np.random.default_rng(3)
    return np.clip(camera + rng.normal(0, 0.1, camera.shape), 0, 1).astype(np.float32)


def test_psnr_equals_skimage(camera, noisy):
    expected = peak_signal_noise_ratio(camera, noisy, data_range=1.0)
    assert psnr(camera, noisy, data_range=1.0) == pytest.approx(expected, rel=1e-6)
    # Another range: values in [0, 255] with data_range=255 give the same dB.
    assert psnr(camera * 255, noisy * 255, data_range=255) == pytest.approx(expected, rel=1e-5)


def test_ssim_equals_skimage_with_wang_window(camera, noisy):
    expected = structural_similarity(
        camera.astype(np.float64),
        noisy.astype(np.float64),
        data_range=1.0,
        gaussian_weights=True,
        sigma=1.5,
        use_sample_covariance=False,
    )
    assert ssim(camera, noisy, data_range=1.0) == pytest.approx(expected, rel=1e-7)
    assert SSIM_SETTINGS["gaussian_weights"] is True and SSIM_SETTINGS["sigma"] == 1.5


def test_mse_mae_on_known_values():
    a = np.zeros((16, 16))
    b = np.full((16, 16), 0.5)
    assert mse(a, b, data_range=1.0) == pytest.approx(0.25)
    assert mae(a, b, data_range=1.0) == pytest.approx(0.5)
    assert mse(a, b, data_range=1.0) == pytest.approx(mean_squared_error(a, b))
    # On another range both are reported on intensities divided by data_range.
    assert mae(a * 100, b * 100, data_range=100.0) == pytest.approx(0.5)


def test_identical_images_give_infinite_psnr_and_perfect_scores(camera):
    result = compute_metrics(camera, camera.copy(), data_range=1.0, lpips=False)
    assert result.psnr == float("inf") and math.isinf(result.psnr)
    assert result.ssim == pytest.approx(1.0)
    assert result.mse == 0.0 and result.mae == 0.0 and result.gmsd == 0.0
    assert result.format("psnr") == "inf"
    assert result.lpips is None and result.format("lpips") == "unavailable"
    assert result.lpips_note == "LPIPS not requested"


def test_data_range_is_required(camera):
    with pytest.raises(TypeError):
        psnr(camera, camera)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        compute_metrics(camera, camera)  # type: ignore[call-arg]
    with pytest.raises(ParameterError, match="data_range"):
        ssim(camera, camera, data_range=0)


def test_mismatched_shapes_are_refused(camera):
    with pytest.raises(ParameterError, match="different sizes"):
        compute_metrics(camera, camera[:-1], data_range=1.0)


def _gmsd_reference(ref: np.ndarray, dst: np.ndarray) -> float:
    """GMSD written out with explicit zero padding, as the authors' MATLAB code does."""

    def average_downsample(y):
        p = np.pad(y, ((0, 1), (0, 1)))
        avg = (p[:-1, :-1] + p[1:, :-1] + p[:-1, 1:] + p[1:, 1:]) / 4.0
        return avg[::2, ::2]

    def gradient(y):
        p = np.pad(y, 1)
        # Prewitt: dx = [1 0 -1; 1 0 -1; 1 0 -1] / 3 (sign is irrelevant once squared).
        gx = sum(p[i : i + y.shape[0], 2:] - p[i : i + y.shape[0], :-2] for i in range(3)) / 3
        gy = sum(p[2:, j : j + y.shape[1]] - p[:-2, j : j + y.shape[1]] for j in range(3)) / 3
        return np.sqrt(gx**2 + gy**2)

    g1 = gradient(average_downsample(ref * 255.0))
    g2 = gradient(average_downsample(dst * 255.0))
    quality = (2 * g1 * g2 + 170.0) / (g1**2 + g2**2 + 170.0)
    return float(np.std(quality))


def test_gmsd_matches_independent_computation(camera, noisy):
    expected = _gmsd_reference(camera.astype(np.float64), noisy.astype(np.float64))
    assert gmsd(camera, noisy, data_range=1.0) == pytest.approx(expected, rel=1e-9)
    # 8-bit scale with data_range=255 gives the same number.
    assert gmsd(camera * 255, noisy * 255, data_range=255.0) == pytest.approx(expected, rel=1e-6)


def test_gmsd_is_zero_for_identical_and_grows_with_blur(camera):
    assert gmsd(camera, camera, data_range=1.0) == 0.0
    values = [
        gmsd(camera, ndimage.gaussian_filter(camera, s), data_range=1.0) for s in (0.5, 1, 2, 4)
    ]
    assert all(a < b for a, b in zip(values, values[1:], strict=False))
    assert values[0] > 0


def test_metric_set_as_dict_order(camera, noisy):
    result = compute_metrics(camera, noisy, data_range=1.0, lpips=False)
    assert list(result.as_dict()) == ["psnr", "ssim", "mse", "mae", "gmsd", "grid", "lpips"]
    assert result.data_range == 1.0


def test_small_images_skip_lpips_with_a_reason():
    rng = np.random.default_rng(0)
    a = rng.random((24, 24))
    result = compute_metrics(a, np.clip(a + 0.01, 0, 1), data_range=1.0)
    assert result.lpips is None and "31x31" in result.lpips_note
    assert result.format("mse") == f"{result.mse:.3e}"
    assert result.format("psnr") == f"{result.psnr:.2f}"
