"""Patch augmentation: flips, 90-degree rotations and intensity scaling."""

from __future__ import annotations

import numpy as np


def draw_geometry(rng: np.random.Generator) -> tuple[int, bool]:
    """Draw a dihedral transform: (number of 90-degree turns, horizontal flip)."""
    return int(rng.integers(4)), bool(rng.random() < 0.5)


def apply_geometry(image: np.ndarray, turns: int, flip: bool) -> np.ndarray:
    """Apply a dihedral transform to a (rows, cols) image (a contiguous copy)."""
    out = np.rot90(image, k=turns)
    if flip:
        out = out[:, ::-1]
    return np.ascontiguousarray(out)


def scale_intensity(
    image01: np.ndarray, rng: np.random.Generator, *, low: float = 0.75, high: float = 1.05
) -> np.ndarray:
    """Multiply a clean [0, 1] image by a random factor and clip to [0, 1].

    Applied to clean images before noise is drawn, so the noise statistics
    stay those of the noise model.

    Parameters
    ----------
    image01 : ndarray
        Clean image in [0, 1].
    rng : numpy.random.Generator
        Source of randomness.
    low, high : float, optional
        Range of the factor.

    Returns
    -------
    ndarray
        float32 image in [0, 1].
    """
    return np.clip(image01 * rng.uniform(low, high), 0.0, 1.0).astype(np.float32)
