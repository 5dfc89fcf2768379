"""One DICOM file's header: read it safely (read-only) and validate its image geometry.

Decoding the pixels is :mod:`denoscope.core.io.dicom_pixels`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from denoscope.core.errors import StudyLoadError, UnsupportedStudyError
from denoscope.core.io.guard import reading

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


_TRUNCATION_HINTS = ("End of file reached", "truncated", "Expected explicit VR", "too short")


def read_dataset(
    path: Path, *, stop_before_pixels: bool = False, max_bytes: int | None = None
) -> Any:
    """Read a DICOM header read-only; large values stay on disk until used.

    A deflated file is inflated with a bound (:mod:`denoscope.core.io.deflate`):
    at most the header it declares plus its declared pixel data, and never past
    the memory limit ``max_bytes`` (see :func:`denoscope.core.io.limits.max_study_bytes`).

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

    from denoscope.core.io.deflate import deflated_meta, read_deflated

    with reading(path, "the DICOM file"), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        meta = deflated_meta(path)
        try:
            if meta is not None:
                ds = read_deflated(
                    path, meta, stop_before_pixels=stop_before_pixels, max_bytes=max_bytes
                )
            else:
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

    from denoscope.core.io.paths import may_be_dicom

    if not may_be_dicom(path):  # 132 bytes decide; a forced parse of 5 MB of zeros took 12 s
        return None

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

    def check_size(self, path: Path, *, max_bytes: int | None) -> None:
        """Refuse, before decoding, a declared image too large for ``max_bytes``.

        Calls :func:`denoscope.core.io.limits.check_declared_size` with this geometry.
        """
        from denoscope.core.io.limits import check_declared_size

        check_declared_size(
            path,
            rows=self.rows,
            columns=self.columns,
            frames=self.frames,
            samples=self.samples,
            bytes_per_sample=max(self.bits_allocated / 8, 1),
            max_bytes=max_bytes,
        )


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
    geometry = Geometry(
        rows=_positive_int(ds, "Rows", path),
        columns=_positive_int(ds, "Columns", path),
        frames=_positive_int(ds, "NumberOfFrames", path, default=1),
        samples=_positive_int(ds, "SamplesPerPixel", path, default=1),
        bits_allocated=_positive_int(ds, "BitsAllocated", path, default=16),
        photometric=photometric,
    )
    needed = 3 if photometric in COLOR else 1
    if geometry.samples != needed:
        raise UnsupportedStudyError(
            "the header's samples per pixel contradict its photometric interpretation",
            path=path,
            got=f"{photometric} with SamplesPerPixel {geometry.samples}",
            expected=f"SamplesPerPixel {needed} for {photometric}",
            fix="The DICOM header is inconsistent; re-export the image",
        )
    return geometry
