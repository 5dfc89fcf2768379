"""Classical baselines: one interface, each reduces the error of a noisy image."""

from __future__ import annotations

import importlib.util
import time

import numpy as np
import pytest
from skimage import data

from denoscope.core.baselines import BASELINES, estimate_sigma
from denoscope.core.errors import ParameterError
from denoscope.core.metrics import mse, psnr
from denoscope.core.noise import gaussian_noise

SIGMA = 0.1


@pytest.fixture(scope="module")
def clean() -> np.ndarray:
    return (data.camera()[200:328, 200:328] / 255.0).astype(np.float32)


@pytest.fixture(scope="module")
def noisy(clean: np.ndarray) -> np.ndarray:
    return gaussian_noise(clean, SIGMA, rng=0)


def test_registry_names():
    expected = {"median", "gaussian", "average", "bilateral", "nlmeans", "tv", "wavelet"}
    if importlib.util.find_spec("bm3d") is not None:
        expected.add("bm3d")
    assert set(BASELINES) == expected
    for name, baseline in BASELINES.items():
        assert baseline.name == name and baseline.label and baseline.description


@pytest.mark.parametrize("name", sorted(BASELINES))
def test_baseline_reduces_error(clean, noisy, name):
    out = BASELINES[name].apply(noisy, level=SIGMA)
    assert out.dtype == np.float32 and out.shape == noisy.shape
    assert 0.0 <= out.min() and out.max() <= 1.0
    assert mse(clean, out, data_range=1.0) < 0.8 * mse(clean, noisy, data_range=1.0)


def test_level_zero_is_identity_and_bad_levels_are_refused(noisy):
    np.testing.assert_array_equal(BASELINES["median"].apply(noisy, level=0.0), noisy)
    with pytest.raises(ParameterError):
        BASELINES["tv"].apply(noisy, level=-0.1)
    with pytest.raises(ParameterError):
        BASELINES["tv"].apply(np.stack([noisy, noisy]), level=0.1)


def test_estimate_sigma_recovers_gaussian_level():
    clean = (data.camera()[:256, :256] / 255.0).astype(np.float32)
    assert estimate_sigma(gaussian_noise(clean, 0.05, rng=1)) == pytest.approx(0.05, rel=0.15)


def test_nlmeans_matches_the_measured_peer_on_camera():
    """DATA.md: skimage fast NL-means on 512^2 camera at sigma 0.1 gives 29.03 dB."""
    clean = (data.camera() / 255.0).astype(np.float32)
    noisy = gaussian_noise(clean, SIGMA, rng=0)
    start = time.perf_counter()
    out = BASELINES["nlmeans"].apply(noisy, level=SIGMA)
    assert time.perf_counter() - start < 10.0
    assert psnr(clean, out, data_range=1.0) == pytest.approx(29.0, abs=0.4)
