"""Shared argument checks for the noise simulators."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from denoscope.core.errors import ParameterError


def as_image01(image01: ArrayLike) -> NDArray[np.float32]:
    """Return ``image01`` as a float32 (rows, cols) array, checking it is finite.

    Values outside [0, 1] are clipped: simulators define noise on the unit range.
    """
    image = np.asarray(image01, dtype=np.float32)
    if image.ndim != 2:
        raise ParameterError(
            "noise simulators take one 2-D image",
            got=f"shape {image.shape}",
            expected="(rows, cols)",
            fix="apply the noise to one frame at a time",
        )
    if not np.all(np.isfinite(image)):
        raise ParameterError("the image contains NaN or infinite values", expected="finite values")
    return np.clip(image, 0.0, 1.0)


def check_level(level: float, *, name: str, low: float, high: float, unit: str) -> float:
    """Return ``level`` as float if ``low <= level <= high``, else raise ParameterError."""
    value = float(level)
    if not (np.isfinite(value) and low <= value <= high):
        raise ParameterError(
            f"{name} level out of range",
            got=f"{level} {unit}",
            expected=f"{low} to {high} {unit}",
        )
    return value
