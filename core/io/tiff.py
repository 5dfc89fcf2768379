"""TIFF studies (an extra): single or multi-page greyscale or colour TIFF via tifffile.

The first image series of the file is read; every axis before the image plane
(pages, Z, T, C...) becomes the frame axis. Colour samples (a trailing ``S``
axis of 3 or 4) are reduced to luminance by the BT.601 rule of
:mod:`denoscope.core.io.pixels`. Values keep their stored scale; the modality
is ``"unknown"``.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from denoscope.core.errors import StudyLoadError
from denoscope.core.io.guard import reading
from denoscope.core.io.limits import WORK_FLOAT64, WORK_GREY, check_declared_size
from denoscope.core.io.pixels import luminance
from denoscope.core.io.study import Study

TIFF_SIGNATURES = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")


def is_tiff(path: Path) -> bool:
    """Return True when the file starts with a TIFF or BigTIFF signature and is not DICOM.

    A DICOM preamble may itself hold a TIFF header (dual-personality files), so
    a ``DICM`` prefix at byte 128 wins.
    """
    try:
        with open(path, "rb") as fp:
            head = fp.read(132)
    except OSError:
        return False
    return head[:4] in TIFF_SIGNATURES and head[128:132] != b"DICM"


@contextlib.contextmanager
def _quiet_tifffile() -> Iterator[None]:
    """Silence tifffile's own log lines: its failures reach the user as one typed error."""
    logger = logging.getLogger("tifffile")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        logger.setLevel(level)


def _stored_range(dtype: np.dtype, page: object) -> tuple[float, float] | None:
    """The full range of an integer TIFF's samples (BitsPerSample), None for float data."""
    if dtype.kind not in "ui":
        return None
    bits = getattr(page, "bitspersample", None)
    bits = int(bits) if isinstance(bits, int) and 0 < bits <= dtype.itemsize * 8 else None
    bits = bits or dtype.itemsize * 8
    if dtype.kind == "i":
        return (-float(2 ** (bits - 1)), float(2 ** (bits - 1) - 1))
    return (0.0, float(2**bits - 1))


def load_tiff_study(path: Path, *, max_bytes: int | None = None) -> Study:
    """Load a TIFF file into a :class:`Study` (see the module docstring).

    Raises
    ------
    StudyLoadError
        Unreadable file, no image, or an unsupported layout.
    StudyTooLargeError
        Declared size over the memory limit (checked before decoding).
    """
    import tifffile

    with _quiet_tifffile(), reading(path, "the TIFF image"), tifffile.TiffFile(path) as tif:
        if not tif.series:
            raise StudyLoadError("no image in this TIFF file", path=path)
        series = tif.series[0]
        shape, axes = tuple(int(n) for n in series.shape), str(series.axes)
        sample_axis = axes.find("S")
        samples = shape[sample_axis] if sample_axis >= 0 else 1
        plane = tuple(n for i, n in enumerate(shape) if i != sample_axis)
        if len(plane) < 2 or min(plane) < 1:
            raise StudyLoadError(
                "unsupported TIFF layout", path=path, got=f"axes {axes}, shape {shape}"
            )
        rows, columns = plane[-2], plane[-1]
        frames = int(np.prod(plane[:-2], dtype=np.int64)) if len(plane) > 2 else 1
        check_declared_size(
            path,
            rows=rows,
            columns=columns,
            frames=frames,
            samples=samples,
            bytes_per_sample=np.dtype(series.dtype).itemsize,
            work_bytes_per_pixel=WORK_GREY if samples == 1 else WORK_FLOAT64,
            max_bytes=max_bytes,
        )
        data = np.asarray(series.asarray())
        scale = _stored_range(np.dtype(series.dtype), tif.pages[0])
    if data.size != frames * rows * columns * samples:
        raise StudyLoadError(
            "the TIFF image data do not match the declared size",
            path=path,
            got=f"{data.size} samples",
            expected=f"{frames * rows * columns * samples} for axes {axes}, shape {shape}",
            fix="The file is corrupt or truncated; re-export it",
        )
    if sample_axis >= 0:
        data = np.moveaxis(data, sample_axis, -1)
    if sample_axis >= 0:
        values = luminance(data.reshape(frames, rows, columns, samples))
    else:
        # float32 directly: the study is float32, and one rounding is the same as two.
        values = data.reshape(frames, rows, columns).astype(np.float32)
    return Study.from_image_stack(values, source=path, description=path.name, stored_range=scale)
