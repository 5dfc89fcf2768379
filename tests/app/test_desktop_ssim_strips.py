"""SSIM of big images in strips equals the whole-image SSIM, with bounded memory."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from skimage.metrics import structural_similarity

from denoscope.core.metrics import ssim
from denoscope.core.metrics.fidelity import SSIM_SETTINGS
from denoscope.core.metrics.ssim_strips import ssim_by_strips


@pytest.mark.parametrize("rows_per_strip", [11, 37, 100, 1000])
def test_strips_equal_the_whole_image(rows_per_strip: int) -> None:
    rng = np.random.default_rng(1)
    truth = rng.random((203, 157))
    test = np.clip(truth + rng.normal(0, 0.1, truth.shape), 0, 1)
    whole = structural_similarity(truth, test, data_range=1.0, **SSIM_SETTINGS)
    strips = ssim_by_strips(
        truth, test, data_range=1.0, settings=SSIM_SETTINGS, rows_per_strip=rows_per_strip
    )
    assert strips == pytest.approx(whole, abs=1e-12)


def test_a_big_image_uses_a_fraction_of_the_memory() -> None:
    rng = np.random.default_rng(2)
    truth = rng.random((1500, 1400), dtype=np.float32).astype(np.float64)  # 2.1 MP: strips
    test = np.clip(truth + 0.05, 0, 1)
    tracemalloc.start()
    value = ssim(truth, test, data_range=1.0)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    whole = structural_similarity(truth, test, data_range=1.0, **SSIM_SETTINGS)
    assert value == pytest.approx(whole, abs=1e-12)
    assert peak < 4 * truth.nbytes  # the whole-image path needs about 12 x
