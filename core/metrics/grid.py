"""Grid-artifact index: how much of the error is a 2-pixel periodic pattern.

A network that resamples by 2 (pixel shuffle, stride-2 transposed
convolution) can leave a checkerboard or stripe pattern of period 2 pixels in
flat regions. PSNR hardly sees it (a +-2.8 HU pattern is a small error), a
reader sees it at once at a narrow window.

Definition. Let ``e = (test - reference) / data_range`` and ``G_s`` a Gaussian
filter of standard deviation ``s`` pixels (:data:`GRID_WINDOW`). The local
amplitudes of the three period-2 patterns (vertical stripes, horizontal
stripes, checkerboard: the Nyquist frequencies (0, pi), (pi, 0), (pi, pi)) are

``a_c = G_s[e * (-1)**col]``, ``a_r = G_s[e * (-1)**row]``,
``a_x = G_s[e * (-1)**(row + col)]``

and the grid energy is ``E = mean(a_c**2 + a_r**2 + a_x**2)``. An error that is
white noise of variance ``v`` gives ``E = 3 v / (4 pi s**2)`` on average (the
sum of squared weights of a 2-D Gaussian is ``1 / (4 pi s**2)``): the noise
floor. The **grid index** is ``E / (3 mean(e**2) / (4 pi s**2))``:

- about 1 when the error is white (the noisy input under white noise);
- below 1 when the error is smooth (blur, a good denoiser's residual error);
- well above 1 when a period-2 pattern stands out from the error (a grid), up to
  ``4 pi s**2 / 3`` (67 for s = 4) when the error is nothing but a grid;
- 0 for identical images.

It is dimensionless and does not depend on ``data_range``. It counts every
period-2 component of the error, including the staircase errors a denoiser
makes at pixel-sharp edges, so on images with such edges it reads above 1 even
without a grid. :func:`grid_amplitude` gives the pattern's RMS amplitude
itself, in the images' units (HU for CT), optionally only over the flat regions
of the truth (:func:`flat_mask`), where a grid is what a reader sees.

Comparing methods. Because the index is relative to the error's own power, it
describes the error's *shape*: a method whose error is much smaller but whiter
can read higher than one with a larger, smoother error while leaving less
period-2 pattern. To compare *how much* grid two methods leave on the same
image, compare the energy itself, ``index x MSE``, or relative to the noisy
input's (the noise floor): the shipping bar does this
(``denoscope.core.evaluation.report.relative_grid_energy``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import ndimage

from denoscope.core.metrics.fidelity import check_pair, check_pair_views
from denoscope.core.metrics.strips import STRIP_ROWS, row_windows, use_strips

#: Standard deviation (pixels) of the local window of the grid measure.
GRID_WINDOW = 4.0


def _period2_energy(error: np.ndarray, window: float, first_row: int = 0) -> np.ndarray:
    # Broadcast sign vectors (not full-size index arrays: 8-MP images stay within memory).
    # ``first_row``: where a strip starts in the whole image (the row signs are absolute).
    sign_c = np.where(np.arange(error.shape[1]) % 2, -1.0, 1.0)[None, :]
    sign_r = np.where((np.arange(error.shape[0]) + first_row) % 2, -1.0, 1.0)[:, None]
    energy = np.zeros_like(error)
    for sign in (sign_c, sign_r, sign_c * sign_r):
        energy += ndimage.gaussian_filter(error * sign, window, mode="reflect") ** 2
    return energy


def _strip_sums(
    reference: np.ndarray,
    test: np.ndarray,
    *,
    scale: float | None,
    window: float,
    mask: np.ndarray | None = None,
    rows_per_strip: int = STRIP_ROWS,
) -> tuple[float, float, int]:
    """Sums of the period-2 energy and of the squared error, and their pixel count, by strips.

    The error is ``(test - reference) / scale`` (not divided when ``scale`` is None),
    as the whole-image functions compute it. Each strip is read with the Gaussian's
    reach (``int(4 * window + 0.5)`` rows, scipy's default truncation) on each side,
    so its kept energy values are the whole image's; only ``mask`` pixels count.
    """
    halo = int(4.0 * float(window) + 0.5)
    energy_sum, error_sum, count = 0.0, 0.0, 0
    for lo, hi, top, bottom in row_windows(
        reference.shape[0], halo=halo, rows_per_strip=rows_per_strip
    ):
        error = np.asarray(test[lo:hi], np.float64) - np.asarray(reference[lo:hi], np.float64)
        if scale is not None:
            error = error / scale
        kept = slice(top - lo, bottom - lo)
        energy = _period2_energy(error, window, first_row=lo)[kept]
        error = error[kept]
        if mask is not None:
            energy, error = energy[mask[top:bottom]], error[mask[top:bottom]]
        energy_sum += float(np.sum(energy, dtype=np.float64))
        error_sum += float(np.sum(error**2, dtype=np.float64))
        count += int(energy.size)
    return energy_sum, error_sum, count


def grid_index_by_strips(
    reference: np.ndarray,
    test: np.ndarray,
    *,
    data_range: float,
    window: float = GRID_WINDOW,
    rows_per_strip: int = STRIP_ROWS,
) -> float:
    """:func:`grid_index` computed a strip of rows at a time (big images; same value).

    Parameters
    ----------
    reference, test : ndarray, shape (rows, cols)
        Checked images of one shape (any numeric dtype).
    data_range : float
        Intensity range.
    window : float, optional
        Local window standard deviation in pixels.
    rows_per_strip : int, optional
        Rows kept per strip.

    Returns
    -------
    float
        The grid index, equal to the whole-image value to float rounding.
    """
    energy, squared, count = _strip_sums(
        reference, test, scale=float(data_range), window=window, rows_per_strip=rows_per_strip
    )
    power = squared / count
    if power == 0.0:
        return 0.0
    floor = 3.0 * power / (4.0 * np.pi * window**2)
    return float((energy / count) / floor)


def grid_amplitude_by_strips(
    reference: np.ndarray,
    test: np.ndarray,
    *,
    window: float = GRID_WINDOW,
    mask: np.ndarray | None = None,
    rows_per_strip: int = STRIP_ROWS,
) -> float:
    """:func:`grid_amplitude` computed a strip of rows at a time (big images; same value).

    Parameters
    ----------
    reference, test : ndarray, shape (rows, cols)
        Checked images of one shape (any numeric dtype).
    window : float, optional
        Local window standard deviation in pixels.
    mask : ndarray of bool, optional
        Checked mask of the images' shape, or None for every pixel.
    rows_per_strip : int, optional
        Rows kept per strip.

    Returns
    -------
    float
        The RMS amplitude in the images' units (nan for an empty mask).
    """
    energy, _squared, count = _strip_sums(
        reference, test, scale=None, window=window, mask=mask, rows_per_strip=rows_per_strip
    )
    return float(np.sqrt(energy / count)) if count else float("nan")


def flat_mask(
    reference: ArrayLike,
    *,
    data_range: float,
    tolerance: float = 1e-4,
    window: float = GRID_WINDOW,
) -> np.ndarray:
    """Pixels far from any edge of ``reference`` (for :func:`grid_amplitude`).

    A pixel is flat when the largest absolute first difference within
    ``3 * window`` pixels of it (the reach of the grid measure's Gaussian window) is at
    most ``tolerance * data_range``: a region where the truth has no edge, so any
    period-2 pattern in the error there is an artefact, not a staircase at an edge.
    """
    ref = np.asarray(reference, dtype=np.float64)
    step = np.zeros_like(ref)
    step[:, :-1] = np.abs(np.diff(ref, axis=1))
    step[:-1, :] = np.maximum(step[:-1, :], np.abs(np.diff(ref, axis=0)))
    size = 2 * int(np.ceil(3 * window)) + 1
    return ndimage.maximum_filter(step, size=size, mode="nearest") <= tolerance * float(data_range)


def grid_index(
    reference: ArrayLike, test: ArrayLike, *, data_range: float, window: float = GRID_WINDOW
) -> float:
    """Grid-artifact index of ``test`` against ``reference`` (see the module docstring).

    Parameters
    ----------
    reference, test : array_like, shape (rows, cols)
        Images of the same shape.
    data_range : float
        Intensity range (checked, as for every metric; the index does not depend on it).
    window : float, optional
        Local window standard deviation in pixels (default :data:`GRID_WINDOW`).

    Returns
    -------
    float
        ``>= 0``; about 1 for a white error, ``< 1`` for a smooth one, ``> 1`` for a
        period-2 pattern; 0 for identical images.
    """
    ref, tst = check_pair_views(reference, test, data_range=data_range)
    if use_strips(ref.shape):  # big images: the same value, a fraction of the memory
        return grid_index_by_strips(ref, tst, data_range=data_range, window=window)
    ref, tst = check_pair(ref, tst, data_range=data_range)
    error = (tst.astype(np.float64) - ref.astype(np.float64)) / float(data_range)
    power = float(np.mean(error**2))
    if power == 0.0:
        return 0.0
    floor = 3.0 * power / (4.0 * np.pi * window**2)
    return float(np.mean(_period2_energy(error, window)) / floor)


def grid_amplitude(
    reference: ArrayLike,
    test: ArrayLike,
    *,
    data_range: float,
    window: float = GRID_WINDOW,
    mask: ArrayLike | None = None,
) -> float:
    """RMS amplitude of the period-2 patterns in ``test - reference``, in image units.

    Parameters
    ----------
    reference, test : array_like, shape (rows, cols)
        Images of the same shape (modality units give HU for CT).
    data_range : float
        Intensity range (checked only).
    window : float, optional
        Local window standard deviation in pixels.
    mask : array_like of bool, optional
        Average only over these pixels (e.g. :func:`flat_mask` of the reference: where
        a grid is an artefact and not an edge's staircase). None: every pixel.

    Returns
    -------
    float
        ``sqrt(mean(a_c**2 + a_r**2 + a_x**2))`` in the images' units (nan for an empty mask).
    """
    ref, tst = check_pair_views(reference, test, data_range=data_range)
    selected = None
    if mask is not None:
        selected = np.asarray(mask, dtype=bool)
        if selected.shape != ref.shape:
            raise ValueError(f"mask shape {selected.shape} differs from the image's {ref.shape}")
        if not selected.any():
            return float("nan")
    if use_strips(ref.shape):  # big images: the same value, a fraction of the memory
        return grid_amplitude_by_strips(ref, tst, window=window, mask=selected)
    ref, tst = check_pair(ref, tst, data_range=data_range)
    error = tst.astype(np.float64) - ref.astype(np.float64)
    energy = _period2_energy(error, window)
    if selected is not None:
        energy = energy[selected]
    return float(np.sqrt(np.mean(energy)))
