"""Hostile inputs made on the fly: small on disk, huge once decoded.

Each generator writes one file under a folder the test gives (``tmp_path``)
and returns its path. Nothing here is checked in as a binary.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np

_ZEROS = bytes(1 << 20)


def _deflate_zeros(compressor: zlib._Compress, n_bytes: int) -> bytes:
    """Compress ``n_bytes`` zero bytes with ``compressor`` (no flush)."""
    parts = []
    full, rest = divmod(n_bytes, len(_ZEROS))
    for _ in range(full):
        parts.append(compressor.compress(_ZEROS))
    parts.append(compressor.compress(bytes(rest)))
    return b"".join(parts)


def _dicom_header(rows: int, columns: int, *, transfer_syntax: str) -> tuple[bytes, bytes]:
    """Return (file preamble + meta, dataset bytes before the pixel data) of a CT image."""
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.filebase import DicomBytesIO
    from pydicom.filewriter import write_dataset, write_file_meta_info
    from pydicom.uid import CTImageStorage, generate_uid

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = CTImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = transfer_syntax
    ds = Dataset()
    ds.SOPClassUID = CTImageStorage
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.Modality = "CT"
    ds.StudyInstanceUID = generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.Rows, ds.Columns = rows, columns
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 16, 15
    ds.PixelRepresentation = 0
    head = DicomBytesIO()
    head.write(b"\0" * 128 + b"DICM")
    write_file_meta_info(head, meta, enforce_standard=True)
    body = DicomBytesIO()
    body.is_little_endian, body.is_implicit_VR = True, False
    write_dataset(body, ds)
    return head.getvalue(), body.getvalue()


def deflated_dicom_bomb(folder: Path, *, inflated_mib: int = 320) -> Path:
    """A deflated DICOM declaring 64x64 pixels whose pixel data inflate to ``inflated_mib``."""
    head, body = _dicom_header(64, 64, transfer_syntax="1.2.840.10008.1.2.1.99")
    n_bytes = inflated_mib * 1024**2
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    pixel_tag = struct.pack("<HH2sHI", 0x7FE0, 0x0010, b"OW", 0, n_bytes)
    data = compressor.compress(body + pixel_tag) + _deflate_zeros(compressor, n_bytes)
    data += compressor.flush()
    path = folder / "deflate_bomb.dcm"
    path.write_bytes(head + data)
    return path


def deflated_dicom(folder: Path, image: np.ndarray) -> Path:
    """A valid deflated DICOM holding ``image`` (uint16), for the non-bomb path."""
    rows, columns = image.shape
    head, body = _dicom_header(rows, columns, transfer_syntax="1.2.840.10008.1.2.1.99")
    pixels = np.ascontiguousarray(image, dtype="<u2").tobytes()
    pixel_tag = struct.pack("<HH2sHI", 0x7FE0, 0x0010, b"OW", 0, len(pixels))
    compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    data = compressor.compress(body + pixel_tag + pixels) + compressor.flush()
    path = folder / "deflated.dcm"
    path.write_bytes(head + data)
    return path


def native_dicom(folder: Path, image: np.ndarray, name: str = "native.dcm") -> Path:
    """An uncompressed 16-bit CT DICOM holding ``image`` (uint16)."""
    rows, columns = image.shape
    head, body = _dicom_header(rows, columns, transfer_syntax="1.2.840.10008.1.2.1")
    pixels = np.ascontiguousarray(image, dtype="<u2").tobytes()
    pixel_tag = struct.pack("<HH2sHI", 0x7FE0, 0x0010, b"OW", 0, len(pixels))
    path = folder / name
    path.write_bytes(head + body + pixel_tag + pixels)
    return path


def sparse_tiff(folder: Path, *, side: int = 30000) -> Path:
    """An uncompressed 16-bit TIFF declaring ``side`` x ``side``; sparse, a few KiB on disk."""
    import tifffile

    path = folder / f"sparse_{side}.tif"
    tifffile.imwrite(path, shape=(side, side), dtype=np.uint16)
    return path


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png_bomb(folder: Path, *, side: int = 13000, bit_depth: int = 8, colour_type: int = 0) -> Path:
    """A PNG of ``side`` x ``side`` zero pixels, streamed (never held in memory)."""
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour_type]
    row = bytes(1 + side * channels * bit_depth // 8)  # filter byte 0 + zero samples
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    ihdr = struct.pack(">IIBBBBB", side, side, bit_depth, colour_type, 0, 0, 0)
    path = folder / f"png_bomb_{side}_{bit_depth}_{colour_type}.png"
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )
    return path


def j2k_codestream_header(rows: int, columns: int) -> bytes:
    """A JPEG 2000 codestream start (SOC + SIZ) declaring ``rows`` x ``columns``, 16-bit grey."""
    siz = struct.pack(">HHIIIIIIIIH", 41, 0, columns, rows, 0, 0, columns, rows, 0, 0, 1)
    siz += bytes([15, 1, 1])  # 16-bit unsigned, no subsampling
    return b"\xff\x4f" + b"\xff\x51" + siz + b"\xff\xd9"


def j2k_dicom_mismatch(folder: Path, *, declared: int = 64, actual: int = 8000) -> Path:
    """A JPEG 2000 DICOM whose header says ``declared``² but whose stream says ``actual``²."""
    from pydicom.encaps import encapsulate

    head, body = _dicom_header(declared, declared, transfer_syntax="1.2.840.10008.1.2.4.90")
    fragment = encapsulate([j2k_codestream_header(actual, actual)])
    pixel_tag = struct.pack("<HH2sHI", 0x7FE0, 0x0010, b"OB", 0, 0xFFFFFFFF)
    path = folder / "j2k_mismatch.dcm"
    delimiter = struct.pack("<HHI", 0xFFFE, 0xE0DD, 0)
    path.write_bytes(head + body + pixel_tag + fragment + delimiter)
    return path


def run_child(code: str, *, timeout: float = 60.0) -> tuple[float, str]:
    """Run ``code`` in a fresh Python; return (its peak RSS in MiB, its stdout).

    The peak is the child's own high-water mark (``VmHWM`` of /proc/self/status)
    as it exits. ``ru_maxrss`` would not do: Linux keeps it across ``exec``, so a
    child forked from a large pytest process would report the parent's size.
    """
    wrapped = (
        "import atexit, sys\n"
        "def _peak():\n"
        "    for line in open('/proc/self/status'):\n"
        "        if line.startswith('VmHWM:'):\n"
        "            print('PEAK_RSS_KIB', line.split()[1], file=sys.stderr)\n"
        "atexit.register(_peak)\n" + code
    )
    proc = subprocess.run(
        [sys.executable, "-c", wrapped],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=dict(os.environ),
        check=False,
    )
    peaks = [line for line in proc.stderr.splitlines() if line.startswith("PEAK_RSS_KIB")]
    assert peaks, proc.stderr[-2000:]
    return float(peaks[-1].split()[-1]) / 1024.0, proc.stdout


#: Child code that imports every reader first, so a load's own peak can be told apart.
PRELOAD = (
    "import numpy, pydicom, pydicom.pixels, PIL.Image, tifffile, png\n"
    "from denoscope.core.io import load_study\n"
    "open('/proc/self/clear_refs', 'w').write('5')  # reset VmHWM to the current RSS\n"
)


def load_in_child(path: Path, *, max_bytes: int | None = None) -> str:
    """Python code that loads ``path`` and prints ``RESULT <error class> <message>``."""
    return (
        PRELOAD + "try:\n"
        f"    load_study({str(path)!r}, max_bytes={max_bytes!r})\n"
        "    print('RESULT loaded')\n"
        "except Exception as exc:\n"
        "    print('RESULT', type(exc).__name__, exc)\n"
    )
