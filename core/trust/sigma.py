"""The noise model's local σ for the trust maps: a per-pixel Gaussian-equivalent σ, [0, 1] units.

With synthetic noise the map comes from the noise model
(:func:`denoscope.core.noise.sigma_map.noise_sigma_map`: constant for Gaussian
and Rician noise, ``sqrt(x / level)`` for Poisson, the delta method for X-ray
quantum noise, the realised local RMS of ``noisy − clean`` for low-dose CT);
on real input it is estimated from the noisy image alone
(:func:`denoscope.core.noise.sigma_map.estimate_sigma_map`). The trust maps
divide by it, so it is floored: never below :data:`SIGMA_FLOOR` nor below
:data:`RELATIVE_FLOOR` x its median (pixels the noise does not reach, such as
outside a CT scan circle, would otherwise get huge z-scores).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from denoscope.core.noise.sigma_map import estimate_sigma_map, noise_sigma_map

#: Smallest σ returned, [0, 1] units.
SIGMA_FLOOR = 1e-4

#: :func:`local_sigma` never returns less than this fraction of the map's median.
RELATIVE_FLOOR = 0.1


def local_sigma(
    name: str | None,
    clean01: ArrayLike | None,
    noisy01: ArrayLike,
    level: float | None,
    *,
    pixel_size_mm: float | None = None,
) -> NDArray[np.float32]:
    """Per-pixel Gaussian-equivalent noise σ of a noisy [0, 1] image.

    Parameters
    ----------
    name : str or None
        Noise model key (:data:`denoscope.core.noise.NOISE_MODELS`), or None for
        real input (σ is then estimated from ``noisy01``).
    clean01 : array_like or None, shape (rows, cols)
        The noise-free image (synthetic noise), or None for real input.
    noisy01 : array_like, shape (rows, cols)
        The noisy image in [0, 1].
    level : float or None
        Noise level in the noise model's unit.
    pixel_size_mm : float, optional
        Pixel size, for noise models whose physics depends on it.

    Returns
    -------
    ndarray of float32, shape (rows, cols)
        σ in [0, 1] units, at least :data:`SIGMA_FLOOR` and :data:`RELATIVE_FLOOR` x its median.
    """
    noisy = np.asarray(noisy01, dtype=np.float32)
    if name is None or clean01 is None or level is None:
        sigma = estimate_sigma_map(noisy)
    else:
        sigma = noise_sigma_map(name, clean01, noisy, level, pixel_size_mm=pixel_size_mm)
    sigma = np.broadcast_to(np.asarray(sigma, np.float32), noisy.shape)
    floor = max(SIGMA_FLOOR, RELATIVE_FLOOR * float(np.median(sigma)))
    return np.maximum(sigma, floor).astype(np.float32)
