"""Tile geometry and blending weights for tiled inference.

Tiles are computed up front on the (reflect-padded) image. Along each axis a
tile has, on every side that faces a neighbouring tile, a *halo* of ``margin``
pixels (about half the network's receptive field) whose outputs get weight 0,
then a cosine ramp of ``overlap`` pixels. Consecutive tiles are spaced so that
one tile's ramp-down lies exactly on the next one's ramp-up, and ``cos^2 +
sin^2 = 1``: every output pixel is a convex blend of outputs that saw their
full receptive field, so tiled and untiled results agree to float rounding.
Tile starts are multiples of the network's stride, so pooling and
pixel-unshuffle grids line up with the untiled run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from denoscope.core.errors import ParameterError


@dataclass(frozen=True)
class AxisTiling:
    """Tiles along one axis: start offsets, a common length, and per-tile weights."""

    starts: tuple[int, ...]
    length: int
    weights: tuple[np.ndarray, ...]

    @property
    def weight_sum(self) -> np.ndarray:
        """Sum of the tiles' weights at each position (all > 0)."""
        total = np.zeros(self.starts[-1] + self.length, dtype=np.float64)
        for start, weight in zip(self.starts, self.weights, strict=True):
            total[start : start + self.length] += weight
        return total.astype(np.float32)


def _ramp_window(length: int, margin: int, overlap: int, first: bool, last: bool) -> np.ndarray:
    window = np.ones(length, dtype=np.float32)
    phase = (np.arange(overlap, dtype=np.float64) + 0.5) / overlap * (np.pi / 2)
    up = (np.sin(phase) ** 2).astype(np.float32)
    if not first:
        window[:margin] = 0.0
        window[margin : margin + overlap] = up
    if not last:
        window[length - margin :] = 0.0
        window[length - margin - overlap : length - margin] = up[::-1]
    return window


def axis_tiling(size: int, *, tile: int, margin: int, overlap: int, stride: int) -> AxisTiling:
    """Plan the tiles along one axis of length ``size`` (a multiple of ``stride``).

    Parameters
    ----------
    size : int
        Length of the padded axis.
    tile : int
        Largest tile length (rounded down to a multiple of ``stride``).
    margin : int
        Halo given weight 0 on sides facing another tile.
    overlap : int
        Length of the cosine blend between neighbouring tiles (>= 1).
    stride : int
        Tile starts and lengths are multiples of this.

    Returns
    -------
    AxisTiling
        One tile of length ``size`` when ``size <= tile``.

    Raises
    ------
    ParameterError
        If the tile cannot hold two halos and a blend.
    """
    tile = tile // stride * stride
    if size <= tile:
        return AxisTiling((0,), size, (np.ones(size, dtype=np.float32),))
    step = (tile - 2 * margin - overlap) // stride * stride
    if step <= 0:
        raise ParameterError(
            "the tile is too small for this network's receptive field and the overlap",
            got=f"tile {tile}, overlap {overlap}, halo {margin}",
            expected=f"tile >= {2 * margin + overlap + stride}",
            fix="use a larger tile or a smaller overlap",
        )
    starts = list(range(0, size - tile, step))
    starts.append(size - tile)
    weights = tuple(
        _ramp_window(tile, margin, overlap, i == 0, i == len(starts) - 1)
        for i in range(len(starts))
    )
    return AxisTiling(tuple(starts), tile, weights)


def pad_amounts(size: int, multiple: int, minimum: int = 1) -> tuple[int, int]:
    """Return (before, after) padding that makes ``size`` a multiple >= ``minimum``.

    Padding is split evenly between both ends (the extra pixel after).
    """
    target = max(-(-size // multiple) * multiple, -(-minimum // multiple) * multiple)
    extra = target - size
    return extra // 2, extra - extra // 2


def reflect_pad(image: np.ndarray, pads: tuple[tuple[int, int], tuple[int, int]]) -> np.ndarray:
    """Reflect-pad a 2D image (``symmetric`` where the image is too small to reflect)."""
    if pads == ((0, 0), (0, 0)):
        return image
    too_small = any(p > n - 1 for (a, b), n in zip(pads, image.shape, strict=True) for p in (a, b))
    return np.pad(image, pads, mode="symmetric" if too_small else "reflect")
