"""Poisson (photon counting) noise on a [0, 1] image, as in the second report."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from denoscope.core.noise._checks import as_image01, check_level

#: Level range: expected photon count at full scale (intensity 1).
POISSON_RANGE = (1.0, 100_000.0)


def poisson_noise(
    image01: ArrayLike, level: float, *, rng: int | np.random.Generator | None = None
) -> NDArray[np.float32]:
    """Replace each pixel by a photon count drawn at ``level`` photons per unit intensity.

    Parameters
    ----------
    image01 : array_like, shape (rows, cols)
        Image in [0, 1] (read as the expected fraction of the full-scale count).
    level : float
        Photons at full scale (intensity 1), in [1, 100000]; fewer is noisier
        (the noise standard deviation at intensity x is sqrt(x / level)).
        Default 100 for every modality (std 0.07 at mid-grey).
    rng : int or numpy.random.Generator, optional
        Seed or generator.

    Returns
    -------
    ndarray of float32, shape (rows, cols)
        ``clip(Poisson(level * image) / level, 0, 1)``.
    """
    image = as_image01(image01)
    photons = check_level(
        level, name="poisson", low=POISSON_RANGE[0], high=POISSON_RANGE[1], unit="photons"
    )
    generator = np.random.default_rng(rng)
    counts = generator.poisson(image.astype(np.float64) * photons)
    return np.clip(counts / photons, 0.0, 1.0).astype(np.float32)
