"""X-ray quantum (Poisson) and detector (Gaussian electronic) noise on a radiograph."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from denoscope.core.noise._checks import as_image01, check_level

#: Level range: unattenuated photons per detector pixel (I0).
XRAY_RANGE = (10.0, 1_000_000.0)
#: Line integral (total attenuation, dimensionless) at image value 1: exp(-4) = 1.8 %
#: transmission, about what dense bone plus soft tissue leaves in a chest radiograph.
XRAY_MAX_LINE_INTEGRAL = 4.0
#: Standard deviation of the detector's electronic noise, in photon-count units.
XRAY_ELECTRONIC_SIGMA = 5.0


def xray_noise(
    image01: ArrayLike,
    level: float,
    *,
    rng: int | np.random.Generator | None = None,
    max_line_integral: float = XRAY_MAX_LINE_INTEGRAL,
    electronic_sigma: float = XRAY_ELECTRONIC_SIGMA,
) -> NDArray[np.float32]:
    """Simulate a radiograph's acquisition noise at ``level`` photons per pixel.

    A [0, 1] radiograph (MONOCHROME2: bright = attenuating) is read as a line
    integral ``L = max_line_integral * image``. The detector counts
    ``Poisson(I0 * exp(-L)) + N(0, electronic_sigma**2)``; the image is rebuilt
    as ``-log(counts / I0) / max_line_integral`` (counts floored at 0.5 photon so
    the log stays finite) and clipped to [0, 1].

    Parameters
    ----------
    image01 : array_like, shape (rows, cols)
        Radiograph in [0, 1].
    level : float
        I0, unattenuated photons per pixel, in [10, 1e6]; fewer is noisier.
        Default 1000 for every modality.
    rng : int or numpy.random.Generator, optional
        Seed or generator.
    max_line_integral : float, optional
        Attenuation represented by image value 1 (default 4).
    electronic_sigma : float, optional
        Electronic noise standard deviation in photons (default 5).

    Returns
    -------
    ndarray of float32, shape (rows, cols)
    """
    image = as_image01(image01).astype(np.float64)
    photons = check_level(
        level, name="xray", low=XRAY_RANGE[0], high=XRAY_RANGE[1], unit="photons per pixel"
    )
    generator = np.random.default_rng(rng)
    expected = photons * np.exp(-max_line_integral * image)
    counts = generator.poisson(expected) + generator.normal(0.0, electronic_sigma, image.shape)
    line = -np.log(np.maximum(counts, 0.5) / photons)
    return np.clip(line / max_line_integral, 0.0, 1.0).astype(np.float32)
