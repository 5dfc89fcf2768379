"""Frame sizes read from compressed DICOM codestreams' own headers, before decoding.

A decoder allocates what the codestream declares, not what the DICOM header
declares: a JPEG 2000 frame whose DICOM header says 64x64 can hold 8000x8000
and is fully decoded before pydicom compares the sizes. So each frame's
codestream header is parsed here (JPEG 2000 SIZ marker, ISO/IEC 15444-1 A.5.1;
JPEG and JPEG-LS SOF marker, ISO/IEC 10918-1 B.2.2) and compared with the
DICOM geometry first; nothing is decoded.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

from denoscope.core.errors import StudyLoadError
from denoscope.core.io.dicom_file import Geometry, transfer_syntax_uid

_J2K_SYNTAXES = {
    "1.2.840.10008.1.2.4.90",
    "1.2.840.10008.1.2.4.91",
    "1.2.840.10008.1.2.4.92",
    "1.2.840.10008.1.2.4.93",
    "1.2.840.10008.1.2.4.201",
    "1.2.840.10008.1.2.4.202",
    "1.2.840.10008.1.2.4.203",
}
_JPEG_SYNTAXES = {
    "1.2.840.10008.1.2.4.50",
    "1.2.840.10008.1.2.4.51",
    "1.2.840.10008.1.2.4.57",
    "1.2.840.10008.1.2.4.70",
    "1.2.840.10008.1.2.4.80",
    "1.2.840.10008.1.2.4.81",
}
#: JPEG start-of-frame markers (SOF0-SOF15 without DHT, JPG, DAC) and JPEG-LS SOF55.
_SOF = {bytes([0xFF, m]) for m in range(0xC0, 0xD0) if m not in (0xC4, 0xC8, 0xCC)} | {b"\xff\xf7"}


def j2k_size(stream: bytes) -> tuple[int, int] | None:
    """Return (rows, columns) from a JPEG 2000 codestream (or JP2 file), or None."""
    offset = 0
    if stream.startswith(b"\x00\x00\x00\x0cjP  "):  # JP2 boxes: find the jp2c box
        offset = 12
        while offset + 8 <= len(stream):
            length = int.from_bytes(stream[offset : offset + 4], "big")
            if stream[offset + 4 : offset + 8] == b"jp2c":
                offset += 8
                break
            if length < 8:
                return None
            offset += length
    if stream[offset : offset + 4] != b"\xff\x4f\xff\x51" or len(stream) < offset + 24:
        return None
    xsiz, ysiz, x0, y0 = struct.unpack(">IIII", stream[offset + 8 : offset + 24])
    return max(ysiz - y0, 0), max(xsiz - x0, 0)


def jpeg_size(stream: bytes) -> tuple[int, int] | None:
    """Return (rows, columns) from a JPEG or JPEG-LS codestream's SOF marker, or None."""
    if stream[:2] != b"\xff\xd8":
        return None
    offset = 2
    while offset + 4 <= len(stream):
        marker = stream[offset : offset + 2]
        if marker[:1] != b"\xff":
            return None
        if marker in _SOF:
            if offset + 9 > len(stream):
                return None
            rows, columns = struct.unpack(">HH", stream[offset + 5 : offset + 9])
            return rows, columns
        length = struct.unpack(">H", stream[offset + 2 : offset + 4])[0]
        if length < 2:
            return None
        offset += 2 + length
    return None


def check_frame_sizes(ds: Any, geometry: Geometry, path: Path) -> None:
    """Refuse compressed frames whose codestream declares another size than the header.

    Parameters
    ----------
    ds : pydicom.Dataset
        A dataset with encapsulated pixel data (others are ignored).
    geometry : Geometry
        The declared geometry.
    path : Path
        For messages.

    Raises
    ------
    StudyLoadError
        A frame's codestream is larger or smaller than the declared rows x columns.
    """
    from pydicom.encaps import generate_fragmented_frames

    uid = transfer_syntax_uid(ds)
    if uid is None or "PixelData" not in ds:
        return
    if uid in _J2K_SYNTAXES:
        parse = j2k_size
    elif uid in _JPEG_SYNTAXES:
        parse = jpeg_size
    else:
        return
    frames = generate_fragmented_frames(ds.PixelData, number_of_frames=geometry.frames)
    for index, fragments in enumerate(frames):
        if index >= geometry.frames or not fragments:
            break
        size = parse(bytes(fragments[0][:4096]))
        # A JPEG stream may place markers after the first 4 KiB; parse more only then.
        if size is None and parse is jpeg_size:
            size = parse(b"".join(fragments))
        if size is not None and size != (geometry.rows, geometry.columns):
            raise StudyLoadError(
                "a compressed frame's own header declares another size than the DICOM header",
                path=path,
                got=f"frame {index + 1}: {size[0]}x{size[1]} in the codestream",
                expected=f"{geometry.rows}x{geometry.columns} (Rows x Columns)",
                fix="The file is corrupt or hostile; it was not decoded",
            )
