"""Pixel-fidelity metrics on 2-D images: PSNR, SSIM, MSE, MAE.

Every function takes ``data_range`` as a required keyword: the intensity range is
never guessed from a dtype. In Denoscope images are float32 (rows, cols) in
[0, 1] after the per-modality normalisation, so callers pass ``data_range=1``.

SSIM window (stated once, used everywhere): the original Wang et al. (2004)
settings, i.e. an 11x11 Gaussian window with sigma = 1.5 pixels
(``gaussian_weights=True, sigma=1.5``), population covariance
(``use_sample_covariance=False``) and K1 = 0.01, K2 = 0.03. These are the
settings scikit-image documents for reproducing Wang et al.; they give values
comparable to the published SSIM numbers of both reports' peers.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from skimage.metrics import structural_similarity

from denoscope.core.errors import ParameterError
from denoscope.core.metrics.ssim_strips import ssim_by_strips
from denoscope.core.metrics.strips import sum_by_strips, use_strips

#: Keyword arguments passed to :func:`skimage.metrics.structural_similarity`.
SSIM_SETTINGS: dict[str, object] = {
    "gaussian_weights": True,
    "sigma": 1.5,
    "use_sample_covariance": False,
    "K1": 0.01,
    "K2": 0.03,
}


def check_pair(
    reference: ArrayLike, test: ArrayLike, *, data_range: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Validate a (reference, test) pair and return both as float64 arrays.

    See :func:`check_pair_views` for the checks; this converts both images.
    """
    ref, tst = check_pair_views(reference, test, data_range=data_range)
    return np.asarray(ref, dtype=np.float64), np.asarray(tst, dtype=np.float64)


def check_pair_views(
    reference: ArrayLike, test: ArrayLike, *, data_range: float
) -> tuple[np.ndarray, np.ndarray]:
    """Validate a (reference, test) pair without converting numeric arrays to float64.

    Big images are converted a strip at a time (:mod:`denoscope.core.metrics.strips`);
    non-numeric input is converted here, failing as :func:`numpy.asarray` does.

    Parameters
    ----------
    reference, test : array_like, shape (rows, cols)
        The two images; they must have the same shape and finite values.
    data_range : float
        The intensity range of the images (max possible minus min possible); > 0.

    Returns
    -------
    tuple of ndarray
        ``(reference, test)``, numeric arrays as they are (no copy).

    Raises
    ------
    ParameterError
        On different shapes, non-2-D input, non-finite values or a bad ``data_range``.
    """
    ref, tst = _numeric(reference), _numeric(test)
    if ref.shape != tst.shape:
        raise ParameterError(
            "the two images have different sizes",
            got=f"{ref.shape} and {tst.shape}",
            expected="the same (rows, cols)",
            fix="compare images of the same size (crop or resample one of them first)",
        )
    if ref.ndim != 2:
        raise ParameterError(
            "metrics take single 2-D images",
            got=f"shape {ref.shape}",
            expected="(rows, cols)",
            fix="pass one frame at a time",
        )
    if not (np.all(np.isfinite(ref)) and np.all(np.isfinite(tst))):
        raise ParameterError("an image contains NaN or infinite values", expected="finite values")
    if not np.isfinite(data_range) or data_range <= 0:
        raise ParameterError("data_range must be positive", got=str(data_range), expected="> 0")
    return ref, tst


def _numeric(image: ArrayLike) -> np.ndarray:
    array = np.asarray(image)
    if array.dtype == np.bool_ or not np.issubdtype(array.dtype, np.number):
        return np.asarray(array, dtype=np.float64)
    return array


def mse(reference: ArrayLike, test: ArrayLike, *, data_range: float) -> float:
    """Mean squared error, in squared units of ``data_range``-normalised intensity.

    Parameters
    ----------
    reference, test : array_like, shape (rows, cols)
        Images to compare.
    data_range : float
        Intensity range of the images; the error is computed on
        ``image / data_range`` so values are comparable across ranges
        (with ``data_range=1`` it is the plain MSE).

    Returns
    -------
    float
        ``mean(((reference - test) / data_range) ** 2)``.
    """
    ref, tst = check_pair_views(reference, test, data_range=data_range)
    if use_strips(ref.shape):  # big images: no whole-image float64 copies
        return sum_by_strips(ref, tst, lambda r, t: ((r - t) / data_range) ** 2) / ref.size
    ref, tst = check_pair(ref, tst, data_range=data_range)
    return float(np.mean(((ref - tst) / data_range) ** 2))


def mae(reference: ArrayLike, test: ArrayLike, *, data_range: float) -> float:
    """Mean absolute error on ``data_range``-normalised intensities.

    Parameters
    ----------
    reference, test : array_like, shape (rows, cols)
        Images to compare.
    data_range : float
        Intensity range of the images (see :func:`mse`).

    Returns
    -------
    float
        ``mean(|reference - test| / data_range)``.
    """
    ref, tst = check_pair_views(reference, test, data_range=data_range)
    if use_strips(ref.shape):  # big images: no whole-image float64 copies
        return sum_by_strips(ref, tst, lambda r, t: np.abs(r - t)) / ref.size / data_range
    ref, tst = check_pair(ref, tst, data_range=data_range)
    return float(np.mean(np.abs(ref - tst)) / data_range)


def psnr(reference: ArrayLike, test: ArrayLike, *, data_range: float) -> float:
    """Peak signal-to-noise ratio in dB (as :func:`skimage.metrics.peak_signal_noise_ratio`).

    Parameters
    ----------
    reference, test : array_like, shape (rows, cols)
        Images to compare.
    data_range : float
        Intensity range of the images (the "peak").

    Returns
    -------
    float
        ``10 log10(data_range**2 / MSE)``; ``float('inf')`` for identical images.
    """
    ref, tst = check_pair_views(reference, test, data_range=data_range)
    if use_strips(ref.shape):  # big images: no whole-image float64 copies
        err = sum_by_strips(ref, tst, lambda r, t: (r - t) ** 2) / ref.size
    else:
        ref, tst = check_pair(ref, tst, data_range=data_range)
        err = float(np.mean((ref - tst) ** 2))
    if err == 0.0:
        return float("inf")
    return float(10.0 * np.log10(data_range**2 / err))


def ssim(reference: ArrayLike, test: ArrayLike, *, data_range: float) -> float:
    """Structural similarity (Wang et al. 2004 window, see :data:`SSIM_SETTINGS`).

    Parameters
    ----------
    reference, test : array_like, shape (rows, cols)
        Images to compare; each side must be at least 11 pixels.
    data_range : float
        Intensity range of the images.

    Returns
    -------
    float
        Mean SSIM in [-1, 1]; 1 for identical images.
    """
    ref, tst = check_pair_views(reference, test, data_range=data_range)
    if min(ref.shape) < 11:
        raise ParameterError(
            "SSIM needs images of at least 11x11 pixels (its Gaussian window)",
            got=f"shape {ref.shape}",
        )
    if use_strips(ref.shape):  # big images: same value, memory bounded by a strip
        return ssim_by_strips(ref, tst, data_range=data_range, settings=SSIM_SETTINGS)
    ref, tst = check_pair(ref, tst, data_range=data_range)
    return float(structural_similarity(ref, tst, data_range=data_range, **SSIM_SETTINGS))
