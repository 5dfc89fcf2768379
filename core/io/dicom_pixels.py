"""Decode one DICOM dataset into frames in modality units.

Pixel pipeline (one rule, in this order):

1. stored values decoded by pydicom (bits stored and pixel representation
   honoured; compressed syntaxes through pydicom's pixel-data plugins);
2. pixel padding: stored values equal to (0028,0120) *Pixel Padding Value*, or
   within it and (0028,0121) *Pixel Padding Range Limit*, are remembered;
3. modality LUT: per-frame *Pixel Value Transformation* of enhanced
   multi-frame files, else the file's Modality LUT Sequence or Rescale
   Slope/Intercept (:func:`pydicom.pixels.apply_modality_lut`) - HU for CT;
4. MONOCHROME1 inverted to MONOCHROME2 as ``lo + hi - x``, with ``lo, hi`` the
   modality-LUT image of the stored-value range, so the values stay in range
   and bright means dense;
5. colour (RGB, YBR_*, converted to RGB by pydicom) and PALETTE COLOR (through
   :func:`pydicom.pixels.apply_color_lut`) reduced to luminance by the BT.601
   rule of :mod:`denoscope.core.io.pixels`;
6. padded pixels set to the minimum of the valid pixels (so they show black
   and do not stretch the window or the normalisation);
7. float32, checked finite.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from denoscope.core.errors import StudyLoadError
from denoscope.core.io.codestream import check_frame_sizes
from denoscope.core.io.decoders import check_decoder, check_native_length
from denoscope.core.io.dicom_file import PALETTE, Geometry, declared_geometry
from denoscope.core.io.guard import reading
from denoscope.core.io.multiframe import (
    finite_values,
    first_float,
    frame_rescale,
    frame_spacing,
    frame_window,
)
from denoscope.core.io.pixels import luminance


def _stored_range(ds: Any) -> tuple[int, int]:
    """Return the (min, max) stored value allowed by Bits Stored and Pixel Representation."""
    bits = int(ds.get("BitsStored", ds.get("BitsAllocated", 16)) or 16)
    bits = min(max(bits, 1), 64)
    if int(ds.get("PixelRepresentation", 0) or 0) == 1:
        return -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    return 0, 2**bits - 1


def _padding_mask(ds: Any, raw: np.ndarray) -> np.ndarray | None:
    """Return a boolean mask of padded pixels from the stored values, or None."""
    pad = first_float(ds.get("PixelPaddingValue"))
    if pad is None:
        return None
    limit = first_float(ds.get("PixelPaddingRangeLimit"))
    if limit is None:
        mask = raw == pad
    else:
        mask = (raw >= min(pad, limit)) & (raw <= max(pad, limit))
    return mask if mask.any() else None


def _to_frames(arr: np.ndarray, geometry: Geometry) -> np.ndarray:
    """Return pixel_array output shaped (frames, rows, cols[, samples])."""
    if geometry.frames == 1 and arr.ndim == (2 if geometry.samples == 1 else 3):
        arr = arr[np.newaxis]
    return arr


@dataclass(frozen=True)
class DecodedImage:
    """Frames of one DICOM file in modality units, with window and spacing."""

    frames: np.ndarray
    window: tuple[float, float] | None
    spacing: tuple[float, float] | None


def _modality_transform(ds: Any, raw: np.ndarray, n_frames: int) -> tuple[np.ndarray, np.ndarray]:
    """Apply the modality LUT; return (values, image of the stored range) as float64.

    The second array has shape (n_frames, 2): per frame, the modality-LUT image
    of the lowest and highest storable values (used to invert MONOCHROME1).
    """
    from pydicom.pixels import apply_modality_lut

    if "FloatPixelData" in ds or "DoubleFloatPixelData" in ds:
        # Float pixel data are values already (no stored-integer range, no rescale):
        # the range used to invert MONOCHROME1 is each frame's own.
        values = raw.astype(np.float64)
        flat = values.reshape(n_frames, -1)
        return values, np.stack([flat.min(axis=1), flat.max(axis=1)], axis=1)
    low, high = _stored_range(ds)
    per_frame = frame_rescale(ds, n_frames)
    if per_frame is not None:
        slopes = np.array([s for s, _ in per_frame], dtype=np.float64)
        intercepts = np.array([i for _, i in per_frame], dtype=np.float64)
        values = raw.astype(np.float64) * slopes[:, None, None] + intercepts[:, None, None]
        bounds = np.stack([low * slopes + intercepts, high * slopes + intercepts], axis=1)
    else:
        values = np.asarray(apply_modality_lut(raw, ds), dtype=np.float64)
        ends = np.asarray(apply_modality_lut(np.array([low, high], dtype=np.int64), ds))
        bounds = np.broadcast_to(ends.astype(np.float64), (n_frames, 2))
    bounds = np.sort(bounds, axis=1)
    return values, bounds


def _window_tags(ds: Any) -> tuple[float, float] | None:
    """Return (center, width) from the window tags (first value), or None."""
    window = frame_window(ds, 0)
    if window is not None:
        return window
    center = first_float(ds.get("WindowCenter"))
    width = first_float(ds.get("WindowWidth"))
    if center is None or width is None or width <= 0:
        return None
    return center, width


def pixel_spacing(ds: Any) -> tuple[float, float] | None:
    """Return (row, col) spacing in mm: PixelSpacing, per-frame, else ImagerPixelSpacing."""
    for values in (
        finite_values(ds.get("PixelSpacing")),
        frame_spacing(ds, 0),
        finite_values(ds.get("ImagerPixelSpacing")),
    ):
        if values is not None and len(values) >= 2 and values[0] > 0 and values[1] > 0:
            return float(values[0]), float(values[1])
    return None


def decode_dataset(ds: Any, path: Path, *, max_bytes: int | None = None) -> DecodedImage:
    """Decode all frames of a dataset into modality units (see the module docstring).

    Parameters
    ----------
    ds : pydicom.Dataset
        A dataset read by :func:`read_dataset` (pixel data included).
    path : Path
        Its file, for messages.
    max_bytes : int, optional
        Memory limit; see :mod:`denoscope.core.io.limits`.

    Returns
    -------
    DecodedImage
        Frames as float64 (n_frames, rows, cols), window or None, spacing or None.

    Raises
    ------
    StudyLoadError
        Any failure, as one of its typed subclasses.
    """
    geometry = declared_geometry(ds, path)
    geometry.check_size(path, max_bytes=max_bytes)
    check_decoder(ds, path)
    with reading(path, "the DICOM header"):
        check_native_length(ds, geometry, path)
    with reading(path, "the compressed frame headers"):
        check_frame_sizes(ds, geometry, path)
    with reading(path, "the DICOM pixel data"), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # size mismatches are reported below, typed
        raw = _to_frames(np.asarray(ds.pixel_array), geometry)
    expected = (geometry.frames, geometry.rows, geometry.columns)
    if raw.shape[:3] != expected:
        raise StudyLoadError(
            "decoded pixel data does not match the declared size",
            path=path,
            got=f"array of shape {raw.shape}",
            expected=f"{expected}",
            fix="The header or the compressed stream is corrupt",
        )
    with reading(path, "the DICOM pixel values"):
        frames, window = _to_modality_units(ds, raw, geometry)
        spacing = pixel_spacing(ds)
    return DecodedImage(frames=frames, window=window, spacing=spacing)


def _to_modality_units(
    ds: Any, raw: np.ndarray, geometry: Geometry
) -> tuple[np.ndarray, tuple[float, float] | None]:
    """Run steps 2-6 of the pipeline on decoded stored values."""
    from pydicom.pixels import apply_color_lut

    window = _window_tags(ds)
    if geometry.photometric == PALETTE:
        rgb = np.asarray(apply_color_lut(raw, ds))
        return luminance(rgb), None
    if raw.ndim == 4 and raw.shape[-1] >= 3:  # colour samples (declared_geometry checked them)
        return luminance(raw), None
    if raw.ndim == 4:
        raw = raw[..., 0]
    mask = _padding_mask(ds, raw)
    values, bounds = _modality_transform(ds, raw, geometry.frames)
    if geometry.photometric == "MONOCHROME1":
        total = (bounds[:, 0] + bounds[:, 1])[:, None, None]
        values = total - values
        if window is not None:
            window = (float(total[0, 0, 0] - window[0]), window[1])
    if mask is not None and not mask.all():
        values[mask] = values[~mask].min()
    return values, window
