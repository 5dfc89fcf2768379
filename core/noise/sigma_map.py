"""Per-pixel noise level maps: the Gaussian-equivalent sigma of a noise model at each pixel.

A network with a noise-level input (``res-cae`` with ``noise_level_input``, as
FFDNet) is told how much noise to remove *where*. For white Gaussian noise the
map is a constant; for signal-dependent noise it follows the signal:

``gaussian``
    ``sigma`` everywhere (the first report's preset: 0.45).
``rician``
    ``level * max(x)`` everywhere (the simulator's sigma is a fraction of the
    image maximum): the standard deviation of each of the two Gaussian
    channels before the magnitude (the Gaussian-equivalent level of the
    Rician distribution at high SNR).
``poisson``
    ``sqrt(x / level)``: the standard deviation of ``Poisson(level x) / level``
    (``x`` floored at half a photon).
``xray``
    Delta method on ``-log(counts / I0) / L``: with expected counts
    ``E = I0 exp(-L x)`` and electronic noise ``s``,
    ``sqrt(E + s**2) / (E L)`` (capped at :data:`MAX_SIGMA`).
``lowdose-ct``
    Filtered back-projection spreads the sinogram noise over the slice with a
    level that depends on every ray through a pixel, which has no closed form
    here. The map is the *realised* local noise: the root mean square of
    ``noisy - clean`` under a Gaussian window of :data:`CT_WINDOW_SIGMA` pixels.
    It needs the clean image, which is known whenever the noise is synthetic.

On real input (no clean image, unknown noise) :func:`estimate_sigma_map`
estimates the map from the noisy image alone.

All maps are float32, in [0, 1] image units, the shape of the image.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import ndimage

from denoscope.core.errors import ParameterError
from denoscope.core.noise.xray import XRAY_ELECTRONIC_SIGMA, XRAY_MAX_LINE_INTEGRAL

#: Upper bound of any sigma map ([0, 1] units): beyond it the image holds no signal.
MAX_SIGMA = 0.5

#: Gaussian window (pixels) of the realised local noise RMS used for low-dose CT.
CT_WINDOW_SIGMA = 8.0

#: Block side (half-resolution details) of the local medians of :func:`estimate_sigma_map`.
ESTIMATE_BLOCK = 8

#: Gaussian smoothing (in blocks) of the block medians of :func:`estimate_sigma_map`.
ESTIMATE_SMOOTH = 1.0

#: Median of |N(0, 1)|: converts a median absolute deviation to a sigma.
_MAD_TO_SIGMA = 0.6744897501960817


def _image(array: ArrayLike, name: str) -> NDArray[np.float64]:
    image = np.asarray(array, dtype=np.float64)
    if image.ndim != 2 or image.size == 0:
        raise ParameterError(
            f"the {name} image must be a non-empty 2D array", got=f"shape {image.shape}"
        )
    return image


def noise_sigma_map(
    name: str,
    clean01: ArrayLike | None,
    noisy01: ArrayLike | None,
    level: float,
    *,
    pixel_size_mm: float | None = None,
) -> NDArray[np.float32]:
    """Per-pixel Gaussian-equivalent sigma of a registered noise model.

    Parameters
    ----------
    name : str
        A key of :data:`denoscope.core.noise.NOISE_MODELS`.
    clean01 : array_like, shape (rows, cols), or None
        The noise-free image in [0, 1]. Signal-dependent models need it
        (``poisson``, ``xray``, ``lowdose-ct``); None falls back to
        ``noisy01`` (a slightly noisier signal estimate).
    noisy01 : array_like, shape (rows, cols), or None
        The noisy image; ``lowdose-ct`` needs it (with ``clean01``).
    level : float
        The noise level, in the model's unit.
    pixel_size_mm : float, optional
        Unused: accepted so callers can pass the same keywords as
        :func:`denoscope.core.noise.add_noise`.

    Returns
    -------
    ndarray of float32, shape (rows, cols)
        Sigma in [0, 1] units, in ``[0, MAX_SIGMA]``.

    Raises
    ------
    ParameterError
        For an unknown model, or when an image the model needs is missing.
    """
    del pixel_size_mm
    from denoscope.core.noise.registry import get_noise_model

    get_noise_model(name)
    signal = clean01 if clean01 is not None else noisy01
    if signal is None:
        raise ParameterError(f"the {name} sigma map needs the clean or the noisy image")
    x = np.clip(_image(signal, "signal"), 0.0, 1.0)
    if name in ("gaussian", "gaussian-report1"):
        sigma = np.full(x.shape, float(level))
    elif name == "rician":
        sigma = np.full(x.shape, float(level) * float(x.max()))
    elif name == "poisson":
        photons = float(level)
        sigma = np.sqrt(np.maximum(x, 0.5 / photons) / photons)
    elif name == "xray":
        expected = float(level) * np.exp(-XRAY_MAX_LINE_INTEGRAL * x)
        sigma = np.sqrt(expected + XRAY_ELECTRONIC_SIGMA**2) / (
            np.maximum(expected, 0.5) * XRAY_MAX_LINE_INTEGRAL
        )
    elif name == "lowdose-ct":
        if clean01 is None or noisy01 is None:
            raise ParameterError(
                "the low-dose CT sigma map needs both the clean and the noisy image",
                fix="on real input use estimate_sigma_map(noisy)",
            )
        residual = _image(noisy01, "noisy") - _image(clean01, "clean")
        if residual.shape != x.shape:
            raise ParameterError(
                "clean and noisy images differ in shape",
                got=f"{x.shape} and {residual.shape}",
            )
        sigma = np.sqrt(ndimage.gaussian_filter(residual**2, CT_WINDOW_SIGMA, mode="reflect"))
    else:  # a model registered later without a rule here: its measured residual, else estimate
        if clean01 is not None and noisy01 is not None:
            residual = _image(noisy01, "noisy") - _image(clean01, "clean")
            sigma = np.sqrt(ndimage.gaussian_filter(residual**2, CT_WINDOW_SIGMA, mode="reflect"))
        else:
            return estimate_sigma_map(signal)
    return np.clip(sigma, 0.0, MAX_SIGMA).astype(np.float32)


def estimate_sigma_map(noisy01: ArrayLike) -> NDArray[np.float32]:
    """Estimate the local noise sigma of a real noisy image, without a reference.

    The finest diagonal Haar detail ``(a - b - c + d) / 2`` of each 2x2 block
    holds almost no anatomy and, for white noise, has the noise's standard
    deviation. Its median absolute value over blocks of
    :data:`ESTIMATE_BLOCK` x :data:`ESTIMATE_BLOCK` details (robust to edges)
    divided by 0.6745 (Donoho's MAD rule) gives a coarse grid of local sigmas,
    smoothed with a Gaussian of :data:`ESTIMATE_SMOOTH` blocks and resized
    bilinearly to the image. Spatially correlated noise (CT after the ramp
    filter) puts a different share of its power in that band, so the map is a
    scale estimate that the strength control lets a reader adjust.

    Parameters
    ----------
    noisy01 : array_like, shape (rows, cols)
        The noisy image in [0, 1]; at least 2x2.

    Returns
    -------
    ndarray of float32, shape (rows, cols)
        Estimated sigma in [0, 1] units, in ``[0, MAX_SIGMA]``.
    """
    image = _image(noisy01, "noisy")
    rows, cols = image.shape
    if rows < 2 or cols < 2:
        raise ParameterError("the image is too small to estimate its noise", got=f"{rows}x{cols}")
    even = image[: rows // 2 * 2, : cols // 2 * 2]
    a, b = even[0::2, 0::2], even[0::2, 1::2]
    c, d = even[1::2, 0::2], even[1::2, 1::2]
    detail = np.abs(a - b - c + d) / 2.0
    block = min(ESTIMATE_BLOCK, *detail.shape)
    gr, gc = detail.shape[0] // block, detail.shape[1] // block
    blocks = detail[: gr * block, : gc * block].reshape(gr, block, gc, block)
    grid = np.median(blocks.transpose(0, 2, 1, 3).reshape(gr, gc, -1), axis=2) / _MAD_TO_SIGMA
    grid = ndimage.gaussian_filter(grid, ESTIMATE_SMOOTH, mode="nearest")
    full = ndimage.zoom(grid, (rows / gr, cols / gc), order=1, mode="nearest", grid_mode=True)
    full = full[:rows, :cols]
    if full.shape != (rows, cols):
        full = np.pad(full, ((0, rows - full.shape[0]), (0, cols - full.shape[1])), mode="edge")
    return np.clip(full, 0.0, MAX_SIGMA).astype(np.float32)


def network_noise_map(
    module: object,
    noisy01: ArrayLike,
    *,
    noise: str | None,
    level: float | None,
    clean01: ArrayLike | None,
    strength: float = 1.0,
    pixel_size_mm: float | None = None,
) -> NDArray[np.float32] | None:
    """The per-pixel noise level a network with a noise-level input is given, times ``strength``.

    The one rule used by the review pipeline, the evaluation and the trust tests:
    with synthetic noise (``noise``, ``level`` and the clean image known) the noise
    model's own map (:func:`noise_sigma_map`); otherwise (real input) the estimate
    from the noisy image (:func:`estimate_sigma_map`). Blind networks (no
    ``noise_level_input`` attribute set) get None.

    Parameters
    ----------
    module : nn.Module
        The network (only its ``noise_level_input`` flag is read).
    noisy01 : array_like, shape (rows, cols)
        The noisy image in [0, 1].
    noise, level : str, float or None
        The synthetic noise model and level; None on real input.
    clean01 : array_like or None
        The clean image, when known.
    strength : float, optional
        Multiplies the map.
    pixel_size_mm : float, optional
        Passed to :func:`noise_sigma_map`.

    Returns
    -------
    ndarray of float32 or None
    """
    if not getattr(module, "noise_level_input", False):
        return None
    if noise is None or level is None or clean01 is None:
        sigma = estimate_sigma_map(noisy01)
    else:
        sigma = noise_sigma_map(noise, clean01, noisy01, level, pixel_size_mm=pixel_size_mm)
    return (sigma * np.float32(strength)).astype(np.float32)
