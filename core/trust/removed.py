"""The removed-structure map: what the denoiser took away, as a z-score, without the truth.

Definition
----------
With ``r = noisy − denoised`` (the residual, [0, 1] units), a Gaussian window
``w`` of standard deviation :data:`REMOVED_WINDOW_PX` pixels (weights summing
to 1) and the noise model's local σ map (:func:`denoscope.core.trust.sigma.local_sigma`)::

    z(x) = sum_k w_k r(x + k) / sqrt( sum_k w_k² σ²(x + k) )

The numerator is the local mean of the residual; the denominator is the
standard deviation that the noise model predicts for that local mean if the
residual were pure (independent) noise. Where the network removed only noise,
``z`` is a standard normal variable (|z| < 3 almost everywhere); where it
removed coherent structure, the local mean no longer averages out and ``|z|``
grows with the structure's contrast and size. The sign is the sign of what was
removed: positive where something brighter than its surroundings was taken
away, negative where something was added (``denoised > noisy``).
Signal-dependent noise (Poisson, Rician, X-ray quantum, low-dose CT) is handled
by the per-pixel σ. Noise that is correlated between neighbouring pixels
(low-dose CT after filtered back-projection, whose ramp filter makes it
high-pass) averages out faster than independent noise, so there the map is
conservative (|z| smaller than the independent-noise value).

Unit: dimensionless (standard deviations of the predicted local-mean noise).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from denoscope.core.errors import ParameterError
from denoscope.core.trust._filters import gaussian_weights, window_sum

#: Standard deviation of the Gaussian window, in pixels.
REMOVED_WINDOW_PX = 2.0

#: One-line definition for colour bars, tooltips and reports.
REMOVED_DEFINITION = (
    "local mean of (noisy − denoised) over a Gaussian window of σ = {window:g} px, divided by "
    "the noise model's predicted SD of that mean (z-score; |z| > 3: structure removed)"
)


def removed_structure(
    noisy01: ArrayLike,
    denoised01: ArrayLike,
    sigma01: ArrayLike | float,
    *,
    window_px: float = REMOVED_WINDOW_PX,
) -> NDArray[np.float32]:
    """The removed-structure z-score map of one slice.

    Parameters
    ----------
    noisy01 : array_like, shape (rows, cols)
        The denoiser's input, [0, 1].
    denoised01 : array_like, shape (rows, cols)
        Its output, [0, 1].
    sigma01 : array_like of shape (rows, cols), or float
        Local noise σ of ``noisy01`` in [0, 1] units (a map, or one value).
    window_px : float, optional
        Standard deviation of the Gaussian window in pixels (> 0).

    Returns
    -------
    ndarray of float32, shape (rows, cols)
        z-scores (see the module docstring).

    Raises
    ------
    ParameterError
        If the shapes differ, the window is not positive or σ is not positive.
    """
    noisy = np.asarray(noisy01, dtype=np.float32)
    denoised = np.asarray(denoised01, dtype=np.float32)
    if noisy.ndim != 2 or noisy.shape != denoised.shape:
        raise ParameterError(
            "the noisy and denoised images must be 2-D and of one shape",
            got=f"{noisy.shape} and {denoised.shape}",
        )
    if not (np.isfinite(window_px) and window_px > 0):
        raise ParameterError("the window must be positive", got=f"{window_px} px")
    sigma = np.broadcast_to(np.asarray(sigma01, dtype=np.float32), noisy.shape)
    if not np.all(sigma > 0):
        raise ParameterError("the noise σ must be positive everywhere", got=f"min {sigma.min():g}")
    weights = gaussian_weights(float(window_px)).astype(np.float32)
    mean = window_sum(noisy - denoised, weights)
    variance = window_sum(np.square(sigma, dtype=np.float32), np.square(weights))
    return (mean / np.sqrt(variance)).astype(np.float32)
