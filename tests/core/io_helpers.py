"""Shared helpers for the study-loading tests: test data paths and synthetic files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
from pydicom.data import get_testdata_file


def sample_file(name: str) -> Path:
    """Return the path of a pydicom / pydicom-data test file (offline)."""
    path = get_testdata_file(name)
    assert path is not None, f"pydicom test file {name} is not installed"
    return Path(path)


def write_png(path: Path, array: np.ndarray, mode: str | None = None) -> Path:
    """Write ``array`` as a PNG with Pillow in the given mode."""
    from PIL import Image

    Image.fromarray(array, mode=mode).save(path) if mode else Image.fromarray(array).save(path)
    return path


def ct_copy(path: Path, *, z: float, instance: int, series_uid: str | None = None) -> Path:
    """Write CT_small with a new position / instance number (and series) to ``path``."""
    ds = pydicom.dcmread(sample_file("CT_small.dcm"))
    position = [float(v) for v in ds.ImagePositionPatient]
    ds.ImagePositionPatient = [position[0], position[1], z]
    ds.InstanceNumber = instance
    ds.SOPInstanceUID = pydicom.uid.generate_uid()
    if series_uid is not None:
        ds.SeriesInstanceUID = series_uid
    ds.save_as(path)
    return path


def png16_bytes(array: np.ndarray, color_type: int) -> bytes:
    """Encode a uint16 (rows, cols, channels) array as a 16-bit PNG (no Pillow: it cannot)."""
    import struct
    import zlib

    rows, columns = array.shape[:2]

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    raw = b"".join(b"\x00" + array[r].astype(">u2").tobytes() for r in range(rows))
    header = struct.pack(">IIBBBBB", columns, rows, 16, color_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
