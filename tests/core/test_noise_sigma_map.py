"""Noise-level maps agree with the noise each model really draws."""

from __future__ import annotations

import numpy as np
import pytest

from denoscope.core.errors import ParameterError
from denoscope.core.noise import add_noise
from denoscope.core.noise.sigma_map import estimate_sigma_map, noise_sigma_map


def _empirical_sigma(name: str, value: float, level: float, n: int = 20000) -> float:
    flat = np.full((1, n), value, np.float32)
    return float(np.std(add_noise(flat, name, level, rng=0) - value))


@pytest.mark.parametrize(
    ("name", "value", "level"),
    [
        ("gaussian", 0.5, 0.05),
        ("rician", 0.6, 0.03),
        ("poisson", 0.3, 1000.0),
        ("poisson", 0.8, 200.0),
        ("xray", 0.2, 10000.0),
        ("xray", 0.6, 1000.0),
    ],
)
def test_map_matches_the_measured_standard_deviation(name, value, level):
    flat = np.full((4, 4), value, np.float32)
    predicted = float(noise_sigma_map(name, flat, None, level).mean())
    assert predicted == pytest.approx(_empirical_sigma(name, value, level), rel=0.08)


def test_signal_dependent_map_follows_the_signal():
    ramp = np.tile(np.linspace(0.05, 0.95, 64, dtype=np.float32), (8, 1))
    sigma = noise_sigma_map("xray", ramp, None, 1000.0)
    assert np.all(np.diff(sigma[0]) > 0)  # denser (brighter) means fewer photons, more noise
    poisson = noise_sigma_map("poisson", ramp, None, 100.0)
    assert np.all(np.diff(poisson[0]) > 0)


def test_lowdose_ct_map_is_the_local_residual_rms_and_needs_both_images():
    rng = np.random.default_rng(0)
    clean = np.full((64, 64), 0.3, np.float32)
    noisy = clean + np.where(np.arange(64) < 32, 0.01, 0.04)[None, :] * rng.standard_normal(
        (64, 64)
    ).astype(np.float32)
    sigma = noise_sigma_map("lowdose-ct", clean, noisy, 0.25)
    assert sigma[:, :16].mean() == pytest.approx(0.01, rel=0.15)
    assert sigma[:, 48:].mean() == pytest.approx(0.04, rel=0.15)
    with pytest.raises(ParameterError):
        noise_sigma_map("lowdose-ct", clean, None, 0.25)


def test_estimate_from_the_noisy_image_alone():
    rng = np.random.default_rng(1)
    x = np.linspace(0, 1, 256, dtype=np.float32)
    clean = 0.2 + 0.6 * np.outer(x, x)
    noisy = clean + rng.normal(0, 0.03, clean.shape).astype(np.float32)
    assert float(np.median(estimate_sigma_map(noisy))) == pytest.approx(0.03, rel=0.12)
    assert float(estimate_sigma_map(clean).max()) < 0.003
    assert estimate_sigma_map(noisy[:, :255]).shape == (256, 255)


def test_unknown_model_and_bad_images_are_refused():
    with pytest.raises(ParameterError):
        noise_sigma_map("speckle", np.zeros((4, 4)), None, 0.1)
    with pytest.raises(ParameterError):
        estimate_sigma_map(np.zeros((1, 8)))


def test_network_noise_map_is_the_one_rule():
    from types import SimpleNamespace

    from denoscope.core.noise.sigma_map import network_noise_map

    rng = np.random.default_rng(2)
    clean = np.full((32, 32), 0.5, np.float32)
    noisy = (clean + rng.normal(0, 0.05, clean.shape)).astype(np.float32)
    aware, blind = SimpleNamespace(noise_level_input=True), SimpleNamespace()
    assert network_noise_map(blind, noisy, noise="gaussian", level=0.05, clean01=clean) is None
    synthetic = network_noise_map(
        aware, noisy, noise="gaussian", level=0.05, clean01=clean, strength=2.0
    )
    np.testing.assert_allclose(synthetic, 0.1, rtol=1e-6)
    real = network_noise_map(aware, noisy, noise=None, level=None, clean01=None)
    np.testing.assert_array_equal(real, estimate_sigma_map(noisy))
