"""Pixel rules shared by every reader: modality family, luminance, window, finiteness.

Luminance rule (colour DICOM and PNG): ITU-R BT.601 luma weights computed in
floating point on the original bit depth, ``Y = 0.299 R + 0.587 G + 0.114 B``
(the weights of Pillow's ``"L"`` conversion, without its rounding to 8 bits).
When the three channels are equal (grey stored as colour, grey palettes) the
common channel is used exactly. An alpha channel is dropped, not composited:
compositing over a background would change the intensities being measured.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from denoscope.core.errors import StudyLoadError
from denoscope.core.modality import Modality

#: BT.601 luma weights for R, G, B.
LUMA_WEIGHTS: tuple[float, float, float] = (0.299, 0.587, 0.114)

#: Percentiles of the fallback display window.
WINDOW_PERCENTILES: tuple[float, float] = (1.0, 99.0)

_WINDOW_SAMPLE = 1_000_000


def modality_family(dicom_modality: str | None) -> Modality:
    """Map a DICOM Modality value to a :class:`~denoscope.core.modality.Modality`."""
    return Modality.from_dicom(dicom_modality)


def luminance(rgb: np.ndarray) -> np.ndarray:
    """Convert colour samples to luminance by the BT.601 rule.

    Parameters
    ----------
    rgb : ndarray, shape (..., C)
        C = 3 (RGB) or 4 (RGBA; alpha dropped); C = 2 is grey + alpha.

    Returns
    -------
    ndarray of float64, shape (...)
        The luminance, in the units of the input samples.
    """
    channels = rgb.shape[-1]
    if channels in (1, 2):
        return rgb[..., 0].astype(np.float64)
    color = rgb[..., :3]
    if np.array_equal(color[..., 0], color[..., 1]) and np.array_equal(
        color[..., 0], color[..., 2]
    ):
        return color[..., 0].astype(np.float64)
    # Channel by channel, in place: one float64 result and one temporary, not a
    # float64 copy of all three channels (memory of large colour images).
    out = color[..., 0].astype(np.float64)
    out *= LUMA_WEIGHTS[0]
    for channel in (1, 2):
        out += color[..., channel].astype(np.float64) * LUMA_WEIGHTS[channel]
    return out


def robust_window(frames: np.ndarray) -> tuple[float, float]:
    """Return a (center, width) window spanning the 1st to 99th percentile.

    At most a million evenly strided samples are used. The width is at least 1
    unit (or the full range when that is smaller than 1 and non-zero).
    """
    flat = frames.reshape(-1)
    step = max(1, flat.size // _WINDOW_SAMPLE)
    sample = flat[::step]
    low, high = np.percentile(sample, WINDOW_PERCENTILES)
    if high <= low:
        low, high = float(sample.min()), float(sample.max())
    width = float(high - low)
    if width <= 0:
        width = 1.0
    return float((low + high) / 2.0), width


def ensure_finite(frames: np.ndarray, path: Path) -> np.ndarray:
    """Return ``frames`` as C-contiguous float32, refusing NaN, infinity or overflow.

    Raises
    ------
    StudyLoadError
        When a value is NaN or infinite, or too large for float32.
    """
    values = np.asarray(frames)
    finite = np.isfinite(values)
    limit = float(np.finfo(np.float32).max)
    # max and min, not abs(): no full-size temporary copy of a large study.
    if finite.all() and (
        values.size == 0 or max(float(values.max()), -float(values.min())) <= limit
    ):
        del finite
        return np.ascontiguousarray(values, dtype=np.float32)
    bad = int(
        values.size - np.count_nonzero(finite & (np.abs(np.where(finite, values, 0)) <= limit))
    )
    raise StudyLoadError(
        "pixel values are not all finite",
        path=path,
        got=f"{bad} NaN, infinite or float32-overflowing value(s)",
        expected="finite pixel values",
        fix="Check the file's rescale slope/intercept and float pixel data",
    )
