"""LPIPS on big images runs on a downsampled copy: bounded time and memory, stated everywhere.

LPIPS's AlexNet costs memory and time in proportion to the pixels: on a 2614 x
3072 radiograph it took 106 s and most of 4 GB. Above :data:`LPIPS_MAX_SIDE`
pixels on the longer side, the truth and each compared image are reduced by
the same integer factor ``f = ceil(longer side / LPIPS_MAX_SIDE)`` with a
``f x f`` block mean (an area average: no aliasing of the noise into
structure; a remainder of fewer than ``f`` rows or columns is left out), and
LPIPS is computed on those copies. The factor is reported with the values
(:func:`lpips_label`, the metrics table, the provenance of exports), so an
LPIPS of a downsampled copy is never mistaken for a full-resolution one.
"""

from __future__ import annotations

import math

import numpy as np

#: Longest side, in pixels, on which LPIPS runs at full resolution.
LPIPS_MAX_SIDE = 1024


def lpips_factor(shape: tuple[int, ...]) -> int:
    """The downsampling factor used for an image of ``shape`` (rows, cols); 1 = none."""
    return max(1, math.ceil(max(int(shape[0]), int(shape[1])) / LPIPS_MAX_SIDE))


def lpips_copy(image: np.ndarray, factor: int) -> np.ndarray:
    """``image`` reduced by ``factor`` with a block mean (float32); the image itself for 1.

    Parameters
    ----------
    image : ndarray, shape (rows, cols)
        A [0, 1] image.
    factor : int
        From :func:`lpips_factor`.

    Returns
    -------
    ndarray of float32, shape (rows // factor, cols // factor)
    """
    if factor <= 1:
        return image
    rows, cols = (int(s) // factor * factor for s in image.shape)
    blocks = np.asarray(image[:rows, :cols], np.float32).reshape(
        rows // factor, factor, cols // factor, factor
    )
    return blocks.mean(axis=(1, 3), dtype=np.float32)


def lpips_label(shape: tuple[int, ...]) -> str:
    """How LPIPS was computed for an image of ``shape``, for tables and captions."""
    factor = lpips_factor(shape)
    if factor == 1:
        return "LPIPS (full resolution)"
    rows, cols = int(shape[0]) // factor, int(shape[1]) // factor
    return f"LPIPS on a 1/{factor} downsampled copy ({rows}×{cols}, block mean)"
