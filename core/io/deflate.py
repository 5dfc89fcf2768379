"""Deflated DICOM (transfer syntax 1.2.840.10008.1.2.1.99) inflated with a bound.

pydicom inflates a deflated file's whole dataset in one ``zlib.decompress``
call before it looks at a single element, so a 1 MB file can ask for gigabytes.
Here the stream is inflated incrementally with :class:`zlib.Decompress` and a
``max_length`` bound:

* a header read (``stop_before_pixels``) inflates at most
  :data:`HEADER_INFLATE_BYTES`;
* a full read first reads the header, checks the declared image size against
  the memory limit (:mod:`denoscope.core.io.limits`), then inflates at most the
  header, the declared pixel data and :data:`SLACK_BYTES`; a stream that holds
  more than its header declares is refused as a decompression bomb.

The inflated bytes are parsed by pydicom's own :func:`pydicom.filereader.read_dataset`.
"""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import Any

from denoscope.core.errors import StudyLoadError, StudyTooLargeError

DEFLATED_UID = "1.2.840.10008.1.2.1.99"

#: Inflated bytes allowed for a header read (everything before the pixel data).
HEADER_INFLATE_BYTES: int = 16 * 1024**2

#: Inflated bytes allowed beyond the header and the declared pixel data.
SLACK_BYTES: int = 1024**2

_CHUNK = 1 << 16
_PIXEL_DATA_TAGS = (0x7FE00010, 0x7FE00008, 0x7FE00009)


def deflated_meta(path: Path) -> Any | None:
    """Return the file meta of a deflated Part 10 file, or None for any other file."""
    from pydicom.filereader import read_file_meta_info

    try:
        with open(path, "rb") as fp:
            head = fp.read(132)
        if head[128:132] != b"DICM":
            return None
        meta = read_file_meta_info(path)
    except Exception:  # noqa: BLE001 - not a readable Part 10 file: pydicom decides later
        return None
    uid = meta.get("TransferSyntaxUID")
    return meta if uid is not None and str(uid) == DEFLATED_UID else None


def inflate(path: Path, offset: int, limit: int, *, strict: bool) -> bytes:
    """Inflate the raw deflate stream of ``path`` from ``offset``, at most ``limit`` bytes.

    Parameters
    ----------
    path : Path
        The file.
    offset : int
        Where the deflated dataset starts (after the file meta).
    limit : int
        Most bytes to produce.
    strict : bool
        True: a stream longer than ``limit`` raises. False: the first ``limit``
        bytes are returned (enough for a header read).

    Raises
    ------
    StudyTooLargeError
        ``strict`` and the stream inflates to more than ``limit`` bytes.
    StudyLoadError
        The deflate stream is corrupt.
    """
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    out = bytearray()
    try:
        with open(path, "rb") as fp:
            fp.seek(offset)
            while chunk := fp.read(_CHUNK):
                data = chunk
                while data:
                    out += inflater.decompress(data, limit + 1 - len(out))
                    if len(out) > limit:
                        if not strict:
                            del out[limit:]
                            return bytes(out)
                        raise StudyTooLargeError(
                            "the deflated DICOM data inflate to more than the header declares "
                            "(a decompression bomb)",
                            path=path,
                            got=f"more than {limit / 1024**2:.1f} MiB once inflated",
                            expected=f"at most {limit / 1024**2:.1f} MiB",
                            fix="The file is corrupt or hostile; do not open it",
                        )
                    data = inflater.unconsumed_tail
                if inflater.eof:
                    break
            out += inflater.flush()
    except zlib.error as exc:
        raise StudyLoadError(
            "corrupt deflate stream in a deflated DICOM file",
            path=path,
            got=str(exc),
            fix="The file is corrupt or truncated; copy it again from its source",
        ) from exc
    return bytes(out)


def _at_pixel_data(tag: Any, vr: Any, length: Any) -> bool:
    return int(tag) in _PIXEL_DATA_TAGS


def _parse(path: Path, meta: Any, inflated: bytes, *, stop_before_pixels: bool) -> Any:
    """Parse inflated dataset bytes into a FileDataset carrying the original meta."""
    from pydicom.dataset import FileDataset
    from pydicom.filebase import DicomBytesIO
    from pydicom.filereader import read_dataset

    buffer = DicomBytesIO(inflated)
    dataset = read_dataset(
        buffer,
        is_implicit_VR=False,
        is_little_endian=True,
        stop_when=_at_pixel_data if stop_before_pixels else None,
    )
    with open(path, "rb") as fp:
        preamble = fp.read(128)
    return FileDataset(
        str(path),
        dataset,
        preamble=preamble,
        file_meta=meta,
        is_implicit_VR=False,
        is_little_endian=True,
    )


def read_deflated(
    path: Path, meta: Any, *, stop_before_pixels: bool, max_bytes: int | None = None
) -> Any:
    """Read a deflated DICOM file with bounded inflation (see the module docstring).

    Parameters
    ----------
    path : Path
        The file.
    meta : FileMetaDataset
        Its file meta, from :func:`deflated_meta`.
    stop_before_pixels : bool
        Read only the header.
    max_bytes : int, optional
        The memory limit (see :func:`denoscope.core.io.limits.max_study_bytes`).

    Returns
    -------
    pydicom.dataset.FileDataset
        The dataset, its transfer syntax still the deflated one.

    Raises
    ------
    StudyLoadError
        Or :class:`StudyTooLargeError` for a bomb.
    """
    from denoscope.core.io.dicom_file import declared_geometry

    length = meta.get("FileMetaInformationGroupLength")
    if length is None:
        raise StudyLoadError(
            "deflated DICOM file without a file meta group length",
            path=path,
            fix="The file meta header is incomplete; re-export the file",
        )
    offset = 132 + 12 + int(length)
    head = inflate(path, offset, HEADER_INFLATE_BYTES, strict=False)
    header = _parse(path, meta, head, stop_before_pixels=True)
    if stop_before_pixels:
        return header
    geometry = declared_geometry(header, path, require_pixels=False)
    geometry.check_size(path, max_bytes=max_bytes)
    declared = geometry.rows * geometry.columns * geometry.frames * geometry.samples
    declared = -(-declared * geometry.bits_allocated // 8)
    limit = len(head) + declared + SLACK_BYTES
    del head, header
    return _parse(path, meta, inflate(path, offset, limit, strict=True), stop_before_pixels=False)
