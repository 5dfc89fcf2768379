"""Functional groups of multi-frame (enhanced) DICOM: per-frame values, shared fallback.

Enhanced MR/CT images keep rescale, window, spacing and geometry in
(5200,9229) *Shared Functional Groups Sequence* and (5200,9230) *Per-frame
Functional Groups Sequence*. A per-frame value overrides the shared one.
"""

from __future__ import annotations

import math
from typing import Any


def functional_item(ds: Any, frame: int, sequence: str) -> Any | None:
    """Return the first item of macro ``sequence`` for ``frame`` (per-frame, else shared).

    Parameters
    ----------
    ds : pydicom.Dataset
        The multi-frame dataset.
    frame : int
        Zero-based frame index.
    sequence : str
        Keyword of the functional group macro, e.g. ``"PixelValueTransformationSequence"``.

    Returns
    -------
    pydicom.Dataset or None
        The macro's first item, or None when the frame and shared groups lack it.
    """
    per_frame = ds.get("PerFrameFunctionalGroupsSequence")
    if per_frame is not None and frame < len(per_frame):
        item = per_frame[frame].get(sequence)
        if item:
            return item[0]
    shared = ds.get("SharedFunctionalGroupsSequence")
    if shared:
        item = shared[0].get(sequence)
        if item:
            return item[0]
    return None


def has_functional_groups(ds: Any) -> bool:
    """Return True when the dataset carries shared or per-frame functional groups."""
    return bool(
        ds.get("PerFrameFunctionalGroupsSequence") or ds.get("SharedFunctionalGroupsSequence")
    )


def finite_values(values: Any) -> list[float] | None:
    """Return a (possibly multi-valued) element value as a list of finite floats, or None."""
    if values is None:
        return None
    try:
        if isinstance(values, str | bytes) or not hasattr(values, "__iter__"):
            values = [values]
        out = [float(v) for v in values]
    except (TypeError, ValueError):
        return None
    if not out or not all(math.isfinite(v) for v in out):
        return None
    return out


def first_float(value: Any) -> float | None:
    """Return the first value of a (possibly multi-valued) numeric element, if finite."""
    values = finite_values(value)
    return None if values is None else values[0]


def frame_rescale(ds: Any, n_frames: int) -> list[tuple[float, float]] | None:
    """Return per-frame (slope, intercept) from the functional groups, or None.

    Returns None when no frame has a *Pixel Value Transformation* macro (the
    top-level Modality LUT module then applies).
    """
    if not has_functional_groups(ds):
        return None
    found = False
    out: list[tuple[float, float]] = []
    for frame in range(n_frames):
        item = functional_item(ds, frame, "PixelValueTransformationSequence")
        slope = intercept = None
        if item is not None:
            slope = first_float(item.get("RescaleSlope"))
            intercept = first_float(item.get("RescaleIntercept"))
        if slope is not None and intercept is not None:
            found = True
            out.append((slope, intercept))
        else:
            out.append((1.0, 0.0))
    return out if found else None


def frame_window(ds: Any, frame: int = 0) -> tuple[float, float] | None:
    """Return (center, width) of the frame's *Frame VOI LUT* macro, if valid."""
    item = functional_item(ds, frame, "FrameVOILUTSequence")
    if item is None:
        return None
    center = first_float(item.get("WindowCenter"))
    width = first_float(item.get("WindowWidth"))
    if center is None or width is None or width <= 0:
        return None
    return center, width


def frame_spacing(ds: Any, frame: int = 0) -> list[float] | None:
    """Return the frame's *Pixel Measures* PixelSpacing (row, col), if valid."""
    item = functional_item(ds, frame, "PixelMeasuresSequence")
    return None if item is None else finite_values(item.get("PixelSpacing"))


def frame_geometry(ds: Any, frame: int = 0) -> tuple[list[float] | None, list[float] | None]:
    """Return (ImagePositionPatient, ImageOrientationPatient) of a frame, either may be None."""
    position = functional_item(ds, frame, "PlanePositionSequence")
    orientation = functional_item(ds, frame, "PlaneOrientationSequence")
    pos = None if position is None else finite_values(position.get("ImagePositionPatient"))
    ori = None if orientation is None else finite_values(orientation.get("ImageOrientationPatient"))
    return pos, ori
