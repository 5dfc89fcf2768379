"""Additive white Gaussian noise on a [0, 1] image, and the first report's preset."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from denoscope.core.noise._checks import as_image01, check_level

#: Level range of :func:`gaussian_noise`: standard deviation in [0, 1] image units.
GAUSSIAN_RANGE = (0.0, 1.0)

#: First report's protocol: ``noisy = clip(x + 0.3 * N(0, 1.5), 0, 1)``. Its code
#: (``np.random.normal(mean, sigma, shape) * noise_factor`` with ``sigma=1.5``) and its
#: text ("Standard deviation: 1.5") both make 1.5 the standard deviation, so the noise
#: added before clipping has a standard deviation of 0.3 * 1.5 = 0.45 image units.
REPORT1_NOISE_FACTOR = 0.3
REPORT1_SIGMA = 1.5
REPORT1_EFFECTIVE_SIGMA = REPORT1_NOISE_FACTOR * REPORT1_SIGMA


def gaussian_noise(
    image01: ArrayLike, level: float, *, rng: int | np.random.Generator | None = None
) -> NDArray[np.float32]:
    """Add zero-mean Gaussian noise of standard deviation ``level``, then clip to [0, 1].

    Parameters
    ----------
    image01 : array_like, shape (rows, cols)
        Image in [0, 1].
    level : float
        Standard deviation in [0, 1] image units, in [0, 1] (0.1 is the usual
        benchmark level; default 0.1 for every modality).
    rng : int or numpy.random.Generator, optional
        Seed or generator (``np.random.default_rng``).

    Returns
    -------
    ndarray of float32, shape (rows, cols)
        ``clip(image + N(0, level**2), 0, 1)``.
    """
    image = as_image01(image01)
    sigma = check_level(
        level,
        name="gaussian",
        low=GAUSSIAN_RANGE[0],
        high=GAUSSIAN_RANGE[1],
        unit="(std, [0,1] units)",
    )
    generator = np.random.default_rng(rng)
    noisy = image + generator.normal(0.0, sigma, image.shape)
    return np.clip(noisy, 0.0, 1.0).astype(np.float32)


def gaussian_report1(
    image01: ArrayLike,
    level: float | None = None,
    *,
    rng: int | np.random.Generator | None = None,
) -> NDArray[np.float32]:
    """The first report's exact noise: ``clip(x + 0.3 * N(0, 1.5), 0, 1)``.

    N(0, 1.5) has standard deviation 1.5 (the report's code passes 1.5 as the
    ``scale`` of ``np.random.normal``), so this is Gaussian noise with standard
    deviation 0.45 before clipping; most pixels saturate at 0 or 1.

    Parameters
    ----------
    image01 : array_like, shape (rows, cols)
        Image in [0, 1].
    level : float, optional
        Ignored (the preset is fixed); accepted so all simulators share one signature.
    rng : int or numpy.random.Generator, optional
        Seed or generator.

    Returns
    -------
    ndarray of float32, shape (rows, cols)
    """
    del level
    image = as_image01(image01)
    generator = np.random.default_rng(rng)
    gauss = generator.normal(0.0, REPORT1_SIGMA, image.shape)
    return np.clip(image + gauss * REPORT1_NOISE_FACTOR, 0.0, 1.0).astype(np.float32)
