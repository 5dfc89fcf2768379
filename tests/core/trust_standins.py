"""Stand-in denoisers whose behaviour is known, to check the trust maps against ground truth."""

from __future__ import annotations

import numpy as np
from scipy import ndimage

SIZE = 128


def phantom(size: int = SIZE) -> np.ndarray:
    """A round 'body' of smoothly varying tissue (0.45-0.55) on a dark background."""
    yy, xx = np.mgrid[:size, :size]
    body = (yy - size / 2) ** 2 + (xx - size / 2) ** 2 < (0.45 * size) ** 2
    tissue = 0.5 + 0.05 * np.sin(xx / 15.0) * np.cos(yy / 21.0)
    return np.where(body, tissue, 0.05).astype(np.float32)


def identity(noisy01: np.ndarray) -> np.ndarray:
    """Removes nothing."""
    return np.asarray(noisy01, np.float32)


def deleter(clean_without_lesions: np.ndarray):
    """A perfect denoiser that also deletes every inserted disc: returns the lesion-free truth."""

    def run(_noisy01: np.ndarray) -> np.ndarray:
        return clean_without_lesions.copy()

    return run


def line_adder(amplitude: float, *, width: int = 3, smooth: float = 1.0):
    """A Gaussian smoother that adds a vertical bright line of ``width`` px through the centre."""

    def run(noisy01: np.ndarray) -> np.ndarray:
        out = ndimage.gaussian_filter(np.asarray(noisy01, np.float32), smooth)
        col = out.shape[1] // 2
        out[:, col - width // 2 : col + width // 2 + 1] += amplitude
        return out.astype(np.float32)

    return run


def line_mask(shape: tuple[int, int], width: int = 3) -> np.ndarray:
    """Pixels of the line :func:`line_adder` draws."""
    mask = np.zeros(shape, bool)
    col = shape[1] // 2
    mask[:, col - width // 2 : col + width // 2 + 1] = True
    return mask
