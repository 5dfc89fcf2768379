"""Pane annotations as plain data (no Qt): orientation letters and scale-bar lengths.

Orientation follows DICOM's patient coordinate system (LPS: +x is the patient's
left, +y posterior, +z head). ImageOrientationPatient gives the direction of
the first row (towards increasing column, i.e. screen right) and of the first
column (towards increasing row, i.e. screen down); a direction is named by its
dominant components, largest first (for example ``"LP"`` for an oblique).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

_LETTERS = (("R", "L"), ("A", "P"), ("F", "H"))  # (negative, positive) for x, y, z

#: Nice scale-bar lengths in mm.
_NICE_MM = (1, 2, 5, 10, 20, 50, 100, 200, 500)


def direction_letters(vector: Sequence[float], *, tolerance: float = 0.25) -> str:
    """Patient-direction letters of a direction cosine vector (LPS).

    Parameters
    ----------
    vector : sequence of 3 float
        Direction cosines (x, y, z).
    tolerance : float
        Components smaller than this (in absolute value) are not named.

    Returns
    -------
    str
        One to three letters, the dominant direction first ("" for a zero vector).
    """
    values = np.asarray(vector, float)[:3]
    order = np.argsort(-np.abs(values))
    letters = []
    for axis in order:
        value = values[axis]
        if abs(value) >= tolerance:
            letters.append(_LETTERS[axis][1 if value > 0 else 0])
    return "".join(letters)


def orientation_labels(orientation: Sequence[float] | None) -> dict[str, str] | None:
    """Letters at the left, right, top and bottom of an image.

    Parameters
    ----------
    orientation : sequence of 6 float or None
        ImageOrientationPatient (row direction, then column direction).

    Returns
    -------
    dict or None
        ``{"left", "right", "top", "bottom"}`` -> letters, or ``None`` when the
        orientation is unknown or malformed.
    """
    if orientation is None:
        return None
    try:
        values = [float(v) for v in orientation]
    except (TypeError, ValueError):
        return None
    if len(values) != 6 or not all(math.isfinite(v) for v in values):
        return None
    row, col = np.asarray(values[:3]), np.asarray(values[3:])
    if np.linalg.norm(row) < 0.5 or np.linalg.norm(col) < 0.5:
        return None
    return {
        "right": direction_letters(row),
        "left": direction_letters(-row),
        "bottom": direction_letters(col),
        "top": direction_letters(-col),
    }


def study_orientation(study: Any, index: int = 0) -> list[float] | None:
    """ImageOrientationPatient of frame ``index`` of a study (None when unknown).

    Looks in the frame's dataset, then in its per-frame and shared functional groups
    (enhanced multi-frame DICOM).
    """
    datasets = getattr(study, "datasets", ()) or ()
    frames = getattr(study, "dataset_frames", ()) or ()
    if not datasets:
        return None
    which = frames[index][0] if 0 <= index < len(frames) else 0
    ds = datasets[min(which, len(datasets) - 1)]
    value = ds.get("ImageOrientationPatient") if hasattr(ds, "get") else None
    if value is None:
        for group in ("SharedFunctionalGroupsSequence", "PerFrameFunctionalGroupsSequence"):
            try:
                value = ds[group][0].PlaneOrientationSequence[0].ImageOrientationPatient
                break
            except (KeyError, IndexError, AttributeError, TypeError):
                continue
    if value is None:
        return None
    try:
        return [float(v) for v in value]
    except (TypeError, ValueError):
        return None


def scale_bar(pixels_per_mm: float, target_px: float) -> tuple[float, float] | None:
    """A nice scale-bar length near ``target_px`` screen pixels.

    Parameters
    ----------
    pixels_per_mm : float
        Screen (or export) pixels per millimetre.
    target_px : float
        About how long the bar should be.

    Returns
    -------
    tuple of float or None
        ``(mm, pixels)`` of the bar, or ``None`` when the scale is unknown.
    """
    if not (math.isfinite(pixels_per_mm) and pixels_per_mm > 0 and target_px > 0):
        return None
    best = min(_NICE_MM, key=lambda mm: abs(math.log(mm * pixels_per_mm / target_px)))
    return float(best), float(best * pixels_per_mm)
