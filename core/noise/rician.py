"""Rician noise: the magnitude of a complex MR signal with Gaussian noise on both channels."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from denoscope.core.noise._checks import as_image01, check_level

#: Level range: noise standard deviation as a fraction of the image maximum.
RICIAN_RANGE = (0.0, 0.5)


def rician_noise(
    image01: ArrayLike, level: float, *, rng: int | np.random.Generator | None = None
) -> NDArray[np.float32]:
    """MR magnitude noise: ``|image + n_re + i n_im|`` with ``n ~ N(0, (level * max)**2)``.

    The image is the real channel of a noise-free complex signal (imaginary part
    0); independent Gaussian noise is added to both channels and the magnitude
    is taken, so dark background gets a positive (Rayleigh) bias, as in real
    magnitude MR images.

    Parameters
    ----------
    image01 : array_like, shape (rows, cols)
        Image in [0, 1].
    level : float
        Noise standard deviation as a fraction of the image maximum, in [0, 0.5]
        (default 0.05 for every modality, i.e. SNR 20 at full brightness).
    rng : int or numpy.random.Generator, optional
        Seed or generator.

    Returns
    -------
    ndarray of float32, shape (rows, cols)
        The magnitude, clipped to [0, 1].
    """
    image = as_image01(image01).astype(np.float64)
    fraction = check_level(
        level, name="rician", low=RICIAN_RANGE[0], high=RICIAN_RANGE[1], unit="(fraction of max)"
    )
    sigma = fraction * float(image.max())
    generator = np.random.default_rng(rng)
    real = image + generator.normal(0.0, sigma, image.shape)
    imag = generator.normal(0.0, sigma, image.shape)
    return np.clip(np.hypot(real, imag), 0.0, 1.0).astype(np.float32)
