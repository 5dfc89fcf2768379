"""Compressed transfer syntaxes: is a decoder installed, and which package provides it.

Also the length check of uncompressed pixel data, done before decoding so a
truncated file gives a precise message.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from denoscope.core.errors import MissingDecoderError, StudyLoadError
from denoscope.core.io.dicom_file import Geometry, transfer_syntax_uid

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


def check_decoder(ds: Any, path: Path) -> None:
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


def check_native_length(ds: Any, geometry: Geometry, path: Path) -> None:
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
