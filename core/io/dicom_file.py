"""One DICOM file: read its header safely, decode its frames into modality units.

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

import contextlib
import math
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from denoscope.core.errors import (
    DenoscopeError,
    MissingDecoderError,
    StudyLoadError,
    UnsupportedStudyError,
)
from denoscope.core.io.limits import check_declared_size
from denoscope.core.io.multiframe import (
    first_float,
    frame_rescale,
    frame_spacing,
    frame_window,
)
from denoscope.core.io.pixels import luminance

MONOCHROME = ("MONOCHROME1", "MONOCHROME2")
COLOR = ("RGB", "YBR_FULL", "YBR_FULL_422", "YBR_ICT", "YBR_RCT", "YBR_PARTIAL_420")
PALETTE = "PALETTE COLOR"
PIXEL_KEYWORDS = ("PixelData", "FloatPixelData", "DoubleFloatPixelData")

#: SOP classes whose pixels are not an image to denoise.
_NON_IMAGE_SOP = {
    "1.2.840.10008.5.1.4.1.1.66.4": "a segmentation (SEG)",
    "1.2.840.10008.5.1.4.1.1.66.7": "a label map segmentation",
    "1.2.840.10008.5.1.4.1.1.481.2": "an RT dose grid",
}


def _sop_name(ds: Any) -> str:
    """Return the SOP class of a dataset as a readable name."""
    from pydicom.uid import UID

    sop = ds.get("SOPClassUID")
    if not sop:
        return "unknown SOP class"
    name = UID(str(sop)).name
    return f"{name} ({sop})" if name and name != str(sop) else str(sop)


#: Which package decodes which family of transfer syntaxes.
_DECODER_PACKAGES: list[tuple[tuple[str, ...], str]] = [
    (
        ("1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51"),
        "pylibjpeg-libjpeg (or Pillow, or python-gdcm)",
    ),
    (
        ("1.2.840.10008.1.2.4.57", "1.2.840.10008.1.2.4.70"),
        "pylibjpeg-libjpeg (or python-gdcm)",
    ),
    (
        ("1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.81"),
        "pylibjpeg-libjpeg (or pyjpegls, or python-gdcm)",
    ),
    (
        (
            "1.2.840.10008.1.2.4.90",
            "1.2.840.10008.1.2.4.91",
            "1.2.840.10008.1.2.4.92",
            "1.2.840.10008.1.2.4.93",
            "1.2.840.10008.1.2.4.201",
            "1.2.840.10008.1.2.4.202",
            "1.2.840.10008.1.2.4.203",
        ),
        "pylibjpeg-openjpeg (or python-gdcm)",
    ),
    (("1.2.840.10008.1.2.5",), "pylibjpeg-rle (pydicom's own RLE decoder is built in)"),
]


def decoder_package(transfer_syntax: str) -> str:
    """Return the package(s) that decode ``transfer_syntax`` (for error messages)."""
    for uids, package in _DECODER_PACKAGES:
        if transfer_syntax in uids:
            return package
    return "python-gdcm (or a pydicom pixel-data plugin for this transfer syntax)"


@contextlib.contextmanager
def reading(path: Path, what: str) -> Iterator[None]:
    """Turn any failure of a third-party reader into a :class:`StudyLoadError`.

    Denoscope's own errors pass through; anything else (pydicom or Pillow
    meeting corrupt bytes) becomes one typed error naming the file and the
    original exception, chained as its cause.
    """
    try:
        yield
    except DenoscopeError:
        raise
    except Exception as exc:
        detail = " | ".join(line.strip() for line in str(exc).splitlines() if line.strip())
        raise StudyLoadError(
            f"could not read {what}",
            path=path,
            got=f"{type(exc).__name__}: {detail}"[:400],
            fix="The file is corrupt, truncated or uses an encoding no installed decoder "
            "handles; re-export or re-copy it",
        ) from exc


_TRUNCATION_HINTS = ("End of file reached", "truncated", "Expected explicit VR", "too short")


def read_dataset(path: Path, *, stop_before_pixels: bool = False) -> Any:
    """Read a DICOM header read-only; large values stay on disk until used.

    Files without the 128-byte preamble and ``DICM`` prefix are accepted when
    they still parse as a DICOM dataset (one with a SOP Class UID or Rows).
    pydicom's warnings about the file are recorded, not shown: a file that
    ends early and so lost its pixel data is reported as truncated.

    Raises
    ------
    StudyLoadError
        When the file is not DICOM, cannot be parsed, or is truncated.
    """
    import pydicom
    from pydicom.errors import InvalidDicomError

    with reading(path, "the DICOM file"), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            ds = pydicom.dcmread(path, defer_size="1 MB", stop_before_pixels=stop_before_pixels)
        except InvalidDicomError:
            ds = None
        if ds is None:
            ds = _read_forced(path, stop_before_pixels)
        if ds is None:
            raise StudyLoadError(
                "not a DICOM file",
                path=path,
                expected="a DICOM Part 10 file (or a PNG image)",
                fix="Open a .dcm file, a folder of them, or a PNG",
            )
        # Convert every element now (pydicom parses values lazily), so a corrupt
        # value fails here as a typed error rather than later, anywhere.
        for _ in ds.file_meta if getattr(ds, "file_meta", None) is not None else ():
            pass
        for _ in ds.iterall():
            pass
    notes = [str(w.message) for w in caught]
    truncated = [n for n in notes if any(h in n for h in _TRUNCATION_HINTS)]
    if truncated and not stop_before_pixels and not any(k in ds for k in PIXEL_KEYWORDS):
        raise StudyLoadError(
            "truncated file: it ends before its pixel data is complete",
            path=path,
            got=truncated[0].splitlines()[0][:200],
            fix="The file was cut short; copy it again from its source",
        )
    return ds


def _read_forced(path: Path, stop_before_pixels: bool) -> Any | None:
    """Read a DICOM file lacking the Part 10 header; None when it is not DICOM."""
    import pydicom
    from pydicom.dataset import FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian

    try:
        ds = pydicom.dcmread(
            path, defer_size="1 MB", stop_before_pixels=stop_before_pixels, force=True
        )
    except Exception:  # noqa: BLE001 - anything that fails to parse is "not DICOM"
        return None
    if "SOPClassUID" not in ds and "Rows" not in ds:
        return None
    if "TransferSyntaxUID" not in getattr(ds, "file_meta", {}):
        meta = getattr(ds, "file_meta", None) or FileMetaDataset()
        implicit = ds.original_encoding[0] if ds.original_encoding else True
        meta.TransferSyntaxUID = ImplicitVRLittleEndian if implicit else ExplicitVRLittleEndian
        ds.file_meta = meta
    return ds


def transfer_syntax_uid(ds: Any) -> str | None:
    """Return the dataset's transfer syntax UID, if any."""
    meta = getattr(ds, "file_meta", None)
    uid = None if meta is None else meta.get("TransferSyntaxUID")
    return None if uid is None else str(uid)


def transfer_syntax_name(ds: Any) -> str | None:
    """Return the dataset's transfer syntax as a readable name."""
    from pydicom.uid import UID

    uid = transfer_syntax_uid(ds)
    if uid is None:
        return None
    name = UID(uid).name
    return name if name and name != uid else uid


def _positive_int(ds: Any, keyword: str, path: Path, default: int | None = None) -> int:
    """Return a required positive integer attribute or raise a typed error."""
    value = ds.get(keyword, default)
    try:
        number = int(value) if value is not None else None
    except (TypeError, ValueError):
        number = None
    if number is None or number <= 0:
        raise StudyLoadError(
            f"invalid or missing {keyword}",
            path=path,
            got=repr(value),
            expected="a positive integer",
            fix="The DICOM header is incomplete or corrupt",
        )
    return number


@dataclass(frozen=True)
class Geometry:
    """Declared pixel geometry of a DICOM image."""

    rows: int
    columns: int
    frames: int
    samples: int
    bits_allocated: int
    photometric: str


def declared_geometry(ds: Any, path: Path, *, require_pixels: bool = True) -> Geometry:
    """Return the declared geometry of an image dataset, validated.

    ``require_pixels=False`` accepts a header read without its pixel data.

    Raises
    ------
    StudyLoadError
        No pixel data, or missing/invalid geometry.
    UnsupportedStudyError
        A non-image SOP class or an unsupported photometric interpretation.
    """
    has_pixels = any(keyword in ds for keyword in PIXEL_KEYWORDS)
    if (require_pixels and not has_pixels) or (not has_pixels and "Rows" not in ds):
        raise StudyLoadError(
            "no pixel data in this DICOM file",
            path=path,
            got=_sop_name(ds),
            expected="an image with (7FE0,0010) Pixel Data",
            fix="Open an image file (this may be a report, structure set or DICOMDIR)",
        )
    sop = str(ds.get("SOPClassUID", ""))
    if sop in _NON_IMAGE_SOP:
        raise UnsupportedStudyError(
            f"this file is {_NON_IMAGE_SOP[sop]}, not an image to denoise",
            path=path,
            got=_sop_name(ds),
            fix="Open the image series it refers to",
        )
    photometric = str(ds.get("PhotometricInterpretation", "MONOCHROME2")).strip().upper()
    if photometric not in (*MONOCHROME, *COLOR, PALETTE):
        raise UnsupportedStudyError(
            "unsupported photometric interpretation",
            path=path,
            got=photometric,
            expected=f"one of {', '.join((*MONOCHROME, *COLOR, PALETTE))}",
        )
    return Geometry(
        rows=_positive_int(ds, "Rows", path),
        columns=_positive_int(ds, "Columns", path),
        frames=_positive_int(ds, "NumberOfFrames", path, default=1),
        samples=_positive_int(ds, "SamplesPerPixel", path, default=1),
        bits_allocated=_positive_int(ds, "BitsAllocated", path, default=16),
        photometric=photometric,
    )


def _check_decoder(ds: Any, path: Path) -> None:
    """Raise MissingDecoderError when the transfer syntax has no usable decoder."""
    from pydicom.pixels import get_decoder
    from pydicom.uid import UID

    uid = transfer_syntax_uid(ds)
    if uid is None or "PixelData" not in ds:
        return
    ts = UID(uid)
    if not ts.is_transfer_syntax:
        raise MissingDecoderError(
            "unknown transfer syntax: no decoder for it",
            path=path,
            got=uid,
            fix="Convert the file to a standard transfer syntax (e.g. with dcmtk or gdcmconv)",
        )
    if not ts.is_compressed:
        return
    try:
        decoder = get_decoder(ts)
    except NotImplementedError as exc:
        raise MissingDecoderError(
            "no decoder for this transfer syntax",
            path=path,
            got=f"{ts.name} ({uid})",
            fix=f"Install {decoder_package(uid)}, or convert the file to an uncompressed syntax",
        ) from exc
    if not decoder.is_available:
        raise MissingDecoderError(
            "the decoder for this compressed transfer syntax is not installed",
            path=path,
            got=f"{ts.name} ({uid})",
            fix=f"Install {decoder_package(uid)}",
        )


def _check_native_length(ds: Any, geometry: Geometry, path: Path) -> None:
    """Raise on uncompressed pixel data shorter than the declared geometry."""
    from pydicom.uid import UID

    uid = transfer_syntax_uid(ds)
    if uid is None or "PixelData" not in ds:
        return
    ts = UID(uid)
    if not ts.is_transfer_syntax or ts.is_compressed:
        return
    bits = geometry.rows * geometry.columns * geometry.frames * geometry.samples
    bits *= geometry.bits_allocated
    expected = math.ceil(bits / 8)
    if geometry.photometric == "YBR_FULL_422":
        expected = expected * 2 // 3
    got = len(ds.PixelData)
    if got < expected:
        raise StudyLoadError(
            "truncated pixel data",
            path=path,
            got=f"{got} bytes",
            expected=f"{expected} bytes for {geometry.frames} frame(s) of "
            f"{geometry.rows}x{geometry.columns}x{geometry.samples} at {geometry.bits_allocated} bits",
            fix="The file was cut short; copy it again from its source",
        )


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
    from denoscope.core.io.multiframe import finite_values

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
    check_declared_size(
        path,
        rows=geometry.rows,
        columns=geometry.columns,
        frames=geometry.frames,
        samples=geometry.samples,
        bytes_per_sample=max(geometry.bits_allocated / 8, 1) + 8,
        max_bytes=max_bytes,
    )
    _check_decoder(ds, path)
    with reading(path, "the DICOM header"):
        _check_native_length(ds, geometry, path)
    with reading(path, "the DICOM pixel data"):
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
    if geometry.photometric in COLOR or (raw.ndim == 4 and raw.shape[-1] >= 3):
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
