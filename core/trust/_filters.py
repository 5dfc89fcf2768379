"""Separable Gaussian window sums shared by the trust maps (exact discrete weights)."""

from __future__ import annotations

import numpy as np
from scipy import ndimage


def gaussian_weights(scale_px: float, *, truncate: float = 4.0) -> np.ndarray:
    """1-D Gaussian weights of standard deviation ``scale_px`` summing to 1."""
    radius = max(1, int(truncate * scale_px + 0.5))
    x = np.arange(-radius, radius + 1, dtype=np.float64)
    w = np.exp(-0.5 * (x / scale_px) ** 2)
    return w / w.sum()


def window_sum(image: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``sum_k w_k image_k`` over a separable window ``w = a ⊗ a`` (reflect at borders)."""
    out = ndimage.correlate1d(image, weights, axis=0, mode="reflect")
    return ndimage.correlate1d(out, weights, axis=1, mode="reflect")
