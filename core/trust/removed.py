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
high-pass) averages out faster than independent noise; when a noise
realisation is known (synthetic noise: ``noisy − clean``),
:func:`correlation_factor` measures by how much, and the denominator is
multiplied by its square root (``correlation``), so the map is a z-score for
correlated noise too. Without one (real input) ``correlation = 1``: for
high-pass correlated noise the map is then conservative (|z| too small).

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
    correlation: float = 1.0,
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
    correlation : float, optional
        Variance of the local mean of the actual noise relative to the
        independent-noise prediction (:func:`correlation_factor`; 1 for white noise).

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
    if not (np.isfinite(correlation) and correlation > 0):
        raise ParameterError("the correlation factor must be positive", got=f"{correlation}")
    weights = gaussian_weights(float(window_px)).astype(np.float32)
    mean = window_sum(noisy - denoised, weights)
    variance = window_sum(np.square(sigma, dtype=np.float32), np.square(weights))
    return (mean / np.sqrt(variance * np.float32(correlation))).astype(np.float32)


def correlation_factor(
    noise01: ArrayLike,
    sigma01: ArrayLike | float,
    *,
    window_px: float = REMOVED_WINDOW_PX,
    margin_px: int | None = None,
    mask: ArrayLike | None = None,
    robust: bool = True,
) -> float:
    """How much more (or less) a window mean of this noise varies than independent noise would.

    The variance (robust: ``(1.4826 · MAD)²``, so that clipped regions where the
    noise is biased do not count), over the image, of
    ``sum_k w_k n(x + k) / sqrt(sum_k w_k² σ²(x + k))``
    for a known noise realisation ``n`` (synthetic noise: ``noisy − clean``):
    1 for independent noise, below 1 for high-pass correlated noise (filtered
    back-projection), above 1 for low-pass correlated noise. Being measured on
    the realisation itself, it also absorbs a global scale error of σ (a
    calibration of the prediction, not a fit to the residual being mapped).

    Parameters
    ----------
    noise01 : array_like, shape (rows, cols)
        One noise realisation, [0, 1] units.
    sigma01 : array_like of shape (rows, cols), or float
        Its local σ.
    window_px : float, optional
        The map's window.
    margin_px : int, optional
        Border left out (reflected windows); default four windows. Pixels
        whose σ is under half the median (not reached by the noise) are left out too.
    mask : array_like of bool, optional
        Pixels to use (for example the anatomy, where the noise is not clipped).
    robust : bool, optional
        ``(1.4826 · MAD)²`` (default) or the plain variance (more precise where
        nothing is clipped).

    Returns
    -------
    float
        The variance ratio (at least 1e-3).
    """
    noise = np.asarray(noise01, dtype=np.float32)
    sigma = np.broadcast_to(np.asarray(sigma01, dtype=np.float32), noise.shape)
    z = removed_structure(noise, np.zeros_like(noise), sigma, window_px=window_px)
    keep = sigma >= 0.5 * float(np.median(sigma))  # where the noise reaches (CT scan circle)
    if mask is not None:
        keep &= np.asarray(mask, bool)
    margin = int(4 * window_px) if margin_px is None else int(margin_px)
    if min(z.shape) > 4 * margin:
        keep[:margin], keep[-margin:], keep[:, :margin], keep[:, -margin:] = (
            False,
            False,
            False,
            False,
        )
    values = (z[keep] if keep.sum() > 16 else z.ravel()).astype(np.float64)
    if not robust:
        return float(max(np.var(values), 1e-3))
    spread = 1.4826 * np.median(np.abs(values - np.median(values)))  # robust to clipped regions
    return float(max(spread**2, 1e-3))
