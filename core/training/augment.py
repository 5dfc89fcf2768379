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


#: Log-uniform range of the inherent texture's standard deviation (fraction of [0, 1]).
TEXTURE_SIGMA_RANGE = (0.002, 0.03)


def inherent_texture(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """Draw fine texture that belongs to the object, not to the noise the network is told of.

    Real "clean" images carry their own fine grain (detector and film grain,
    the scanner's own noise, trabecular bone) that no noise map describes. A
    network trained only on smooth targets learns to remove everything that is
    not smooth, whatever noise level it is given, and on such images does
    harm at low noise. Adding this texture to both the clean target and the
    noisy input (the noise-level map is left as it is) teaches it to remove only
    the noise it is told of.

    Parameters
    ----------
    shape : tuple of int
        Patch shape.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    ndarray of float32
        Zero-mean texture: white Gaussian noise of standard deviation drawn
        log-uniformly from :data:`TEXTURE_SIGMA_RANGE`, smoothed by a Gaussian of
        0, 0.5 or 1 px (correlated grain) and rescaled to that deviation.
    """
    from scipy import ndimage

    low, high = TEXTURE_SIGMA_RANGE
    sigma = float(np.exp(rng.uniform(np.log(low), np.log(high))))
    grain = rng.standard_normal(shape)
    blur = float(rng.choice([0.0, 0.5, 1.0]))
    if blur > 0:
        grain = ndimage.gaussian_filter(grain, blur, mode="reflect")
    grain *= sigma / max(float(np.std(grain)), 1e-12)
    return grain.astype(np.float32)
