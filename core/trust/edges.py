"""Invented and lost edges, and the signed difference, when the truth is known.

Definitions
-----------
Edge strength ``E(image)`` is the gradient magnitude of the image smoothed by a
Gaussian of standard deviation :data:`EDGE_SCALE_PX` pixels
(:func:`scipy.ndimage.gaussian_gradient_magnitude`), in image units per pixel.
With ``D`` the denoised image and ``T`` the truth::

    invented = max(E(D) − E(T), 0)     edges in the denoised image, not in the truth
    lost     = max(E(T) − E(D), 0)     edges in the truth, not in the denoised image
    signed   = D − T

All three are returned in modality units (per pixel for the edge maps) when a
``scale`` (modality units per [0, 1] unit, the normalisation's span) is given,
else in [0, 1] units.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import ndimage

from denoscope.core.errors import ParameterError

#: Gaussian scale of the edge strength, in pixels.
EDGE_SCALE_PX = 1.5


@dataclass(frozen=True)
class EdgeMaps:
    """Invented and lost edge strength (``unit`` per pixel) and the signed difference (``unit``)."""

    invented: NDArray[np.float32]
    lost: NDArray[np.float32]
    signed: NDArray[np.float32]
    scale_px: float
    unit: str


def edge_strength(image: ArrayLike, *, scale_px: float = EDGE_SCALE_PX) -> NDArray[np.float32]:
    """Gradient magnitude at a Gaussian scale of ``scale_px`` pixels (image units per pixel).

    Parameters
    ----------
    image : array_like, shape (rows, cols)
        Any 2-D image.
    scale_px : float, optional
        Gaussian standard deviation in pixels (> 0).

    Returns
    -------
    ndarray of float32, shape (rows, cols)
    """
    array = np.asarray(image, dtype=np.float32)
    if array.ndim != 2:
        raise ParameterError("edge strength needs a 2-D image", got=f"shape {array.shape}")
    if not (np.isfinite(scale_px) and scale_px > 0):
        raise ParameterError("the edge scale must be positive", got=f"{scale_px} px")
    return ndimage.gaussian_gradient_magnitude(array, float(scale_px), mode="reflect").astype(
        np.float32
    )


def signed_difference(
    denoised01: ArrayLike, truth01: ArrayLike, *, scale: float = 1.0
) -> NDArray[np.float32]:
    """``(denoised − truth) · scale``: modality units when ``scale`` is the normalisation's span."""
    d = np.asarray(denoised01, dtype=np.float32)
    t = np.asarray(truth01, dtype=np.float32)
    if d.shape != t.shape:
        raise ParameterError("images of different shapes", got=f"{d.shape} and {t.shape}")
    return ((d - t) * np.float32(scale)).astype(np.float32)


def edge_maps(
    denoised01: ArrayLike,
    truth01: ArrayLike,
    *,
    scale_px: float = EDGE_SCALE_PX,
    scale: float = 1.0,
    unit: str = "[0, 1] units",
) -> EdgeMaps:
    """Invented edges, lost edges and the signed difference of a denoised slice.

    Parameters
    ----------
    denoised01, truth01 : array_like, shape (rows, cols)
        Denoised image and truth in [0, 1].
    scale_px : float, optional
        Gaussian scale of the edge strength in pixels.
    scale : float, optional
        Modality units per [0, 1] unit (the normalisation's span; 1 keeps [0, 1] units).
    unit : str, optional
        Name of the unit that ``scale`` gives (``"HU"``...).

    Returns
    -------
    EdgeMaps
        The three maps (see the module docstring).
    """
    d = np.asarray(denoised01, dtype=np.float32)
    t = np.asarray(truth01, dtype=np.float32)
    signed = signed_difference(d, t, scale=scale)
    delta = (
        edge_strength(d, scale_px=scale_px) - edge_strength(t, scale_px=scale_px)
    ) * np.float32(scale)
    return EdgeMaps(
        invented=np.maximum(delta, 0.0).astype(np.float32),
        lost=np.maximum(-delta, 0.0).astype(np.float32),
        signed=signed,
        scale_px=float(scale_px),
        unit=unit,
    )
