"""Low-dose CT simulator: HU physics, dose scaling, cache and speed."""

from __future__ import annotations

import time

import numpy as np
import pytest

from denoscope.core.intensity import CT_RANGE_HU
from denoscope.core.noise import lowdose_ct as module
from denoscope.core.noise import lowdose_ct_noise


def water_cylinder(size: int, radius_mm: float, pixel_mm: float = 0.7) -> np.ndarray:
    """[0, 1] slice (fixed HU window) of a water cylinder in air."""
    rows, cols = np.mgrid[:size, :size]
    r = np.hypot(rows - size // 2, cols - size // 2) * pixel_mm
    hu = np.where(r < radius_mm, 0.0, -1000.0)
    low, high = CT_RANGE_HU
    return ((hu - low) / (high - low)).astype(np.float32)


def to_hu(image01: np.ndarray) -> np.ndarray:
    low, high = CT_RANGE_HU
    return image01.astype(np.float64) * (high - low) + low


def test_noise_is_unbiased_and_scales_with_inverse_sqrt_dose():
    image = water_cylinder(256, 80.0)
    centre = (slice(108, 148), slice(108, 148))
    full = to_hu(lowdose_ct_noise(image, 1.0, rng=0))[centre]
    quarter = to_hu(lowdose_ct_noise(image, 0.25, rng=1))[centre]
    assert abs(full.mean()) < 5.0
    assert abs(quarter.mean()) < 5.0
    ratio = quarter.std() / full.std()
    assert ratio == pytest.approx(2.0, rel=0.15)


def test_thicker_object_is_noisier_and_air_outside_scan_circle_untouched():
    size = 192
    thin = to_hu(lowdose_ct_noise(water_cylinder(size, 30.0), 0.25, rng=0))
    thick = to_hu(lowdose_ct_noise(water_cylinder(size, 60.0), 0.25, rng=0))
    centre = (slice(86, 106), slice(86, 106))
    assert thick[centre].std() > 1.5 * thin[centre].std()
    corner = water_cylinder(size, 60.0)[:4, :4]
    np.testing.assert_array_equal(
        lowdose_ct_noise(water_cylinder(size, 60.0), 0.25, rng=0)[:4, :4], corner
    )


def test_non_square_slice_keeps_its_shape():
    image = water_cylinder(160, 40.0)[:, 20:140]
    out = lowdose_ct_noise(image, 0.5, rng=0)
    assert out.shape == image.shape and out.dtype == np.float32


def test_sinogram_is_cached_by_content():
    image = water_cylinder(128, 30.0)
    module._SINOGRAMS.clear()
    lowdose_ct_noise(image, 0.5, rng=0)
    lowdose_ct_noise(image, 0.1, rng=1)
    assert len(module._SINOGRAMS) == 1
    lowdose_ct_noise(np.flipud(image).copy() * 0.99, 0.1, rng=1)
    assert len(module._SINOGRAMS) == 2


def test_512_slice_is_interactive():
    image = water_cylinder(512, 150.0)
    lowdose_ct_noise(image, 0.25, rng=0)  # first call fills the caches
    start = time.perf_counter()
    lowdose_ct_noise(image, 0.1, rng=1)
    elapsed = time.perf_counter() - start
    # About 0.3 s here on 2 shared cores; generous bound for loaded CI machines.
    assert elapsed < 3.0
