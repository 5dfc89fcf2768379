"""The noise model's local σ: a per-pixel Gaussian-equivalent standard deviation, [0, 1] units.

With synthetic noise the σ map comes from the noise model
(:func:`denoscope.core.noise.sigma_map.noise_sigma_map` when that module is
installed); on real input it is estimated from the image
(:func:`estimate_local_sigma`). Until the noise package provides its own
maps, this module carries a documented fallback:

=================  ===========================================================
noise model        local σ (image value x in [0, 1])
=================  ===========================================================
gaussian(-report1) ``level`` (constant)
rician             ``level * max(clean)`` (constant; the Gaussian σ per channel)
poisson            ``sqrt(max(x, 1/level) / level)``
xray               ``sqrt(N + e²) / (N · L_max)`` with ``N = I0 · exp(-L_max · x)``
lowdose-ct         RMS of ``noisy − clean`` under a Gaussian window of 8 px
other              :func:`estimate_local_sigma` of the noisy image
=================  ===========================================================
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import ndimage

#: Side of the blocks over which :func:`estimate_local_sigma` takes a robust median.
ESTIMATE_BLOCK_PX = 32

#: Smallest σ returned (keeps z-scores finite on noiseless pixels), [0, 1] units.
SIGMA_FLOOR = 1e-4

#: :func:`local_sigma` never returns less than this fraction of the map's median: pixels the
#: noise does not reach (outside a CT scan circle, saturated) would otherwise give huge z-scores.
RELATIVE_FLOOR = 0.1

# Second-difference kernel: white noise of σ gives a response of σ·sqrt(36) = 6σ.
_HIGH_PASS = np.array([[1.0, -2.0, 1.0], [-2.0, 4.0, -2.0], [1.0, -2.0, 1.0]])


def estimate_local_sigma(
    noisy01: ArrayLike, *, block: int = ESTIMATE_BLOCK_PX
) -> NDArray[np.float32]:
    """Estimate a per-pixel noise σ of a real (noisy) [0, 1] image without any truth.

    The image is high-passed with the 3 x 3 second-difference kernel (whose
    response to white noise of σ has standard deviation 6σ); in each
    ``block`` x ``block`` block σ is ``1.4826 · median(|h|) / 6`` (robust to edges
    covering under half the block), and the block values are interpolated
    (bilinear) back to every pixel.

    Parameters
    ----------
    noisy01 : array_like, shape (rows, cols)
        Noisy image in [0, 1].
    block : int, optional
        Block side in pixels.

    Returns
    -------
    ndarray of float32, shape (rows, cols)
        σ in [0, 1] units, at least :data:`SIGMA_FLOOR`.
    """
    image = np.asarray(noisy01, dtype=np.float32)
    high = np.abs(ndimage.convolve(image, _HIGH_PASS.astype(np.float32), mode="reflect"))
    rows, cols = image.shape
    nr, nc = max(1, round(rows / block)), max(1, round(cols / block))
    r_edges = np.linspace(0, rows, nr + 1).astype(int)
    c_edges = np.linspace(0, cols, nc + 1).astype(int)
    grid = np.empty((nr, nc), np.float32)
    for i in range(nr):
        for j in range(nc):
            cell = high[r_edges[i] : r_edges[i + 1], c_edges[j] : c_edges[j + 1]]
            grid[i, j] = 1.4826 * float(np.median(cell)) / 6.0
    if grid.size == 1:
        out = np.full(image.shape, grid[0, 0], np.float32)
    else:
        out = ndimage.zoom(grid, (rows / nr, cols / nc), order=1, mode="nearest", grid_mode=True)
        out = _fit_shape(out, image.shape)
    return np.maximum(out, SIGMA_FLOOR).astype(np.float32)


def _fit_shape(array: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    out = array[: shape[0], : shape[1]]
    pad = ((0, shape[0] - out.shape[0]), (0, shape[1] - out.shape[1]))
    return np.pad(out, pad, mode="edge") if any(p[1] for p in pad) else out


def _fallback(name: str, clean: np.ndarray, noisy: np.ndarray, level: float) -> np.ndarray:
    if name.startswith("gaussian"):
        return np.full(clean.shape, float(level), np.float32)
    if name == "rician":
        return np.full(clean.shape, float(level) * float(clean.max()), np.float32)
    if name == "poisson":
        return np.sqrt(np.maximum(clean, 1.0 / level) / level).astype(np.float32)
    if name == "xray":
        from denoscope.core.noise.xray import XRAY_ELECTRONIC_SIGMA, XRAY_MAX_LINE_INTEGRAL

        counts = level * np.exp(-XRAY_MAX_LINE_INTEGRAL * clean.astype(np.float64))
        counts = np.maximum(counts, 0.5)
        sd = np.sqrt(counts + XRAY_ELECTRONIC_SIGMA**2) / (counts * XRAY_MAX_LINE_INTEGRAL)
        return np.minimum(sd, 1.0).astype(np.float32)
    if name == "lowdose-ct":
        error = (noisy.astype(np.float64) - clean) ** 2
        return np.sqrt(ndimage.gaussian_filter(error, 8.0, mode="reflect")).astype(np.float32)
    return estimate_local_sigma(noisy)


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
        return _floored(_estimate(noisy))
    clean = np.asarray(clean01, dtype=np.float32)
    try:
        from denoscope.core.noise.sigma_map import noise_sigma_map
    except ImportError:
        sigma = _fallback(name, clean, noisy, float(level))
    else:
        sigma = np.asarray(
            noise_sigma_map(name, clean, noisy, level, pixel_size_mm=pixel_size_mm), np.float32
        )
    return _floored(np.broadcast_to(sigma, noisy.shape))


def _floored(sigma: np.ndarray) -> NDArray[np.float32]:
    """σ raised to at least :data:`RELATIVE_FLOOR` x its median (and :data:`SIGMA_FLOOR`)."""
    floor = max(SIGMA_FLOOR, RELATIVE_FLOOR * float(np.median(sigma)))
    return np.maximum(sigma, floor).astype(np.float32)


def _estimate(noisy: np.ndarray) -> np.ndarray:
    try:
        from denoscope.core.noise.sigma_map import estimate_sigma_map
    except ImportError:
        return estimate_local_sigma(noisy)
    return _floored(np.broadcast_to(np.asarray(estimate_sigma_map(noisy), np.float32), noisy.shape))
