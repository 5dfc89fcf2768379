"""Noise simulators: registry contract, reproducibility and the statistics of each physics."""

from __future__ import annotations

import numpy as np
import pytest
from skimage import data

from denoscope.core.errors import ParameterError
from denoscope.core.noise import (
    NOISE_MODELS,
    add_noise,
    gaussian_noise,
    gaussian_report1,
    poisson_noise,
    rician_noise,
    xray_noise,
)

EXPECTED_NAMES = {"gaussian", "gaussian-report1", "poisson", "rician", "lowdose-ct", "xray"}


@pytest.fixture(scope="module")
def camera() -> np.ndarray:
    return (data.camera()[::4, ::4] / 255.0).astype(np.float32)


def test_registry_names_and_metadata():
    assert set(NOISE_MODELS) == EXPECTED_NAMES
    for name, model in NOISE_MODELS.items():
        assert model.name == name and model.label and model.unit and model.description
        assert model.min_level <= model.max_level
        for modality in ("mri", "ct", "xray", "unknown"):
            assert model.min_level <= model.default_level(modality) <= model.max_level


@pytest.mark.parametrize("name", sorted(EXPECTED_NAMES))
def test_every_model_is_seeded_float32_in_unit_range(camera, name):
    model = NOISE_MODELS[name]
    level = model.default_level("ct")
    first = model.apply(camera, level, rng=7)
    again = add_noise(camera, name, level, rng=np.random.default_rng(7))
    other = model.apply(camera, level, rng=8)
    assert first.dtype == np.float32 and first.shape == camera.shape
    assert 0.0 <= first.min() and first.max() <= 1.0
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    assert not np.array_equal(first, camera)


def test_levels_out_of_range_and_unknown_names_are_refused(camera):
    with pytest.raises(ParameterError, match="out of range"):
        add_noise(camera, "gaussian", 1.5, rng=0)
    with pytest.raises(ParameterError, match="out of range"):
        add_noise(camera, "poisson", 0.0, rng=0)
    with pytest.raises(ParameterError, match="unknown noise model"):
        add_noise(camera, "speckle", 0.1, rng=0)
    with pytest.raises(ParameterError, match="2-D"):
        add_noise(np.zeros((2, 8, 8)), "gaussian", 0.1, rng=0)


def test_gaussian_std_matches_level():
    grey = np.full((256, 256), 0.5, dtype=np.float32)
    noisy = gaussian_noise(grey, 0.05, rng=0)
    assert np.std(noisy - grey) == pytest.approx(0.05, rel=0.02)
    assert abs(float(np.mean(noisy - grey))) < 1e-3


def test_report1_preset_is_the_reports_formula(camera):
    rng = np.random.default_rng(11)
    expected = np.clip(camera + rng.normal(0.0, 1.5, camera.shape) * 0.3, 0.0, 1.0)
    np.testing.assert_allclose(gaussian_report1(camera, None, rng=11), expected, atol=1e-6)
    # The level is ignored: the preset is fixed.
    np.testing.assert_array_equal(
        gaussian_report1(camera, 0.01, rng=3), gaussian_report1(camera, 0.9, rng=3)
    )
    assert NOISE_MODELS["gaussian-report1"].is_fixed


def test_poisson_variance_is_mean_over_photons():
    grey = np.full((256, 256), 0.4, dtype=np.float32)
    photons = 50.0
    noisy = poisson_noise(grey, photons, rng=0)
    assert np.mean(noisy) == pytest.approx(0.4, abs=0.005)
    assert np.var(noisy) == pytest.approx(0.4 / photons, rel=0.05)
    # Fewer photons is noisier.
    assert np.std(poisson_noise(grey, 10.0, rng=0)) > np.std(noisy)


def test_rician_background_is_rayleigh_and_bright_is_gaussian():
    image = np.zeros((256, 256), dtype=np.float32)
    image[:, 128:] = 0.8
    image[0, 0] = 1.0  # sets the maximum to 1
    sigma = 0.05
    noisy = rician_noise(image, sigma, rng=0)
    dark = noisy[1:, :128]
    bright = noisy[:, 128:]
    assert np.mean(dark) == pytest.approx(sigma * np.sqrt(np.pi / 2), rel=0.03)
    assert np.mean(bright) == pytest.approx(np.sqrt(0.8**2 + sigma**2), abs=0.003)
    assert np.std(bright) == pytest.approx(sigma, rel=0.05)


def test_rician_sigma_is_a_fraction_of_the_maximum():
    image = np.full((128, 128), 0.25, dtype=np.float32)
    image[0, 0] = 0.5
    noisy = rician_noise(image, 0.1, rng=0)
    assert np.std(noisy[1:]) == pytest.approx(0.1 * 0.5, rel=0.05)


def test_xray_is_unbiased_at_high_dose_and_noisier_with_fewer_photons():
    image = np.tile(np.linspace(0.1, 0.9, 256, dtype=np.float32), (256, 1))
    high = xray_noise(image, 1e6, rng=0)
    low = xray_noise(image, 200.0, rng=0)
    assert np.mean(np.abs(high - image)) < 0.01
    assert np.std(low - image) > 3 * np.std(high - image)
    # Denser (brighter) columns transmit fewer photons: more noise there.
    assert np.std(low[:, -32:] - image[:, -32:]) > np.std(low[:, :32] - image[:, :32])


def test_xray_electronic_noise_adds_variance():
    image = np.full((256, 256), 0.5, dtype=np.float32)
    quiet = xray_noise(image, 2000.0, rng=0, electronic_sigma=0.0)
    loud = xray_noise(image, 2000.0, rng=0, electronic_sigma=30.0)
    assert np.std(loud) > np.std(quiet)
    # Quantum only: var(-log N / I0) ~ 1 / (I0 exp(-4 x)), divided by 4**2.
    expected = np.sqrt(1.0 / (2000.0 * np.exp(-2.0))) / 4.0
    assert np.std(quiet) == pytest.approx(expected, rel=0.05)


def test_pixel_size_reaches_only_models_that_use_it():
    image = np.full((96, 96), 0.25, dtype=np.float32)  # water in the CT window
    fine = add_noise(image, "lowdose-ct", 0.2, rng=0, pixel_size_mm=0.5)
    coarse = add_noise(image, "lowdose-ct", 0.2, rng=0, pixel_size_mm=2.0)
    assert not np.array_equal(fine, coarse)
    np.testing.assert_array_equal(
        add_noise(image, "gaussian", 0.1, rng=0, pixel_size_mm=2.0),
        add_noise(image, "gaussian", 0.1, rng=0),
    )
    with pytest.raises(ParameterError, match="pixel size"):
        add_noise(image, "lowdose-ct", 0.2, rng=0, pixel_size_mm=0.0)


def test_noise_models_say_which_modalities_they_fit():
    fits = {
        name: {m for m in ("mri", "ct", "xray") if model.fits(m)}
        for name, model in NOISE_MODELS.items()
    }
    assert fits == {
        "gaussian": {"mri", "ct", "xray"},
        "gaussian-report1": {"mri", "ct", "xray"},
        "poisson": {"ct", "xray"},
        "rician": {"mri"},
        "lowdose-ct": {"ct"},
        "xray": {"xray"},
    }
    assert NOISE_MODELS["lowdose-ct"].default_level("ct") == 0.1
