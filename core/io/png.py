"""PNG studies: one PNG file, or a folder of PNGs as a stack.

Pillow decodes every PNG except 16-bit colour and 16-bit grey + alpha, which it
reduces to 8 bits; those are decoded by pypng at their full depth.

Values keep their stored scale (0-255 for 8-bit, 0-65535 for 16-bit) as the
"modality units" of a PNG. Grey + alpha, RGB, RGBA and palette images are
reduced to luminance by the rule in :mod:`denoscope.core.io.pixels` (BT.601,
alpha dropped). A PNG has no modality: the study's ``modality`` is
``"unknown"`` (callers choose one with :func:`dataclasses.replace`).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np

from denoscope.core.errors import StudyLoadError, StudyTooLargeError
from denoscope.core.io.guard import reading
from denoscope.core.io.limits import check_declared_size
from denoscope.core.io.pixels import luminance
from denoscope.core.io.study import Study

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_SUFFIXES = (".png",)

#: Pillow modes accepted, with (channels, bytes per sample) for the size check.
_MODES: dict[str, tuple[int, int]] = {
    "1": (1, 1),
    "L": (1, 1),
    "LA": (2, 1),
    "La": (2, 1),
    "P": (1, 1),
    "PA": (2, 1),
    "RGB": (3, 1),
    "RGBA": (4, 1),
    "RGBa": (4, 1),
    "I": (1, 4),
    "I;16": (1, 2),
    "I;16B": (1, 2),
    "I;16L": (1, 2),
    "F": (1, 4),
}


def is_png(path: Path) -> bool:
    """Return True when the file starts with the PNG signature."""
    try:
        with open(path, "rb") as fp:
            return fp.read(8) == PNG_SIGNATURE
    except OSError:
        return False


def _ihdr(path: Path) -> tuple[int, int] | None:
    """Return (bit depth, colour type) from the PNG header, or None if unreadable."""
    try:
        with open(path, "rb") as fp:
            head = fp.read(33)
    except OSError:
        return None
    if len(head) < 26 or head[12:16] != b"IHDR":
        return None
    return head[24], head[25]


def _read_png16_colour(path: Path, *, max_bytes: int | None) -> np.ndarray:
    """Decode a 16-bit colour or grey + alpha PNG at full depth with pypng."""
    import png as pypng

    with reading(path, "the PNG image"), open(path, "rb") as fp:
        # read() parses the header; the rows are decoded lazily afterwards.
        columns, rows, pixel_rows, info = pypng.Reader(file=fp).read()
        planes = int(info["planes"])
        check_declared_size(
            path,
            rows=rows,
            columns=columns,
            frames=1,
            samples=planes,
            bytes_per_sample=2 + 8,
            max_bytes=max_bytes,
        )
        pixels = np.vstack([np.asarray(row, dtype=np.uint16) for row in pixel_rows])
        pixels = pixels.reshape(rows, columns, planes)
    return luminance(pixels)


def natural_key(path: Path) -> list[object]:
    """Sort key that orders ``img2`` before ``img10``."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", path.name)]


def read_png(path: Path, *, max_bytes: int | None = None) -> np.ndarray:
    """Read one PNG as a float64 (rows, cols) luminance image in its stored scale.

    Raises
    ------
    StudyLoadError
        Unreadable, truncated or unsupported PNG.
    StudyTooLargeError
        Declared size over the memory limit (checked before decoding).
    """
    from PIL import Image

    header = _ihdr(path)
    if header is not None and header[0] == 16 and header[1] in (2, 4, 6):
        return _read_png16_colour(path, max_bytes=max_bytes)
    with reading(path, "the PNG image"):
        try:
            with warnings.catch_warnings():
                # Denoscope checks the declared size itself, below.
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                with Image.open(path, formats=["PNG"]) as image:
                    mode = image.mode
                    columns, rows = image.size
                    if mode not in _MODES:
                        raise StudyLoadError(
                            "unsupported PNG pixel mode",
                            path=path,
                            got=mode,
                            expected=", ".join(_MODES),
                        )
                    channels, size = _MODES[mode]
                    check_declared_size(
                        path,
                        rows=rows,
                        columns=columns,
                        frames=1,
                        samples=channels,
                        bytes_per_sample=size + 8,
                        max_bytes=max_bytes,
                    )
                    image.load()
                    if mode in ("P", "PA"):
                        image = image.convert(
                            "RGBA" if mode == "PA" or "transparency" in image.info else "RGB"
                        )
                    pixels = np.asarray(image)
        except Image.DecompressionBombError as exc:
            raise StudyTooLargeError("image too large to load", path=path, got=str(exc)) from exc
        except Image.UnidentifiedImageError as exc:
            raise StudyLoadError(
                "not a readable PNG image",
                path=path,
                expected="a PNG file (8- or 16-bit; grey, grey+alpha, RGB, RGBA or palette)",
                fix="Check that the file is a complete PNG",
            ) from exc
    if pixels.ndim == 3:
        return luminance(pixels)
    return pixels.astype(np.float64)


def png_files(folder: Path) -> list[Path]:
    """Return the PNG files directly in ``folder``, in natural name order."""
    files = [p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in PNG_SUFFIXES]
    return sorted(files, key=natural_key)


def load_png_study(files: list[Path], *, source: Path, max_bytes: int | None = None) -> Study:
    """Load one PNG or a stack of PNGs of one size into a :class:`Study`.

    Raises
    ------
    StudyLoadError
        A file fails to load, or the files differ in size.
    """
    frames = []
    for path in files:
        image = read_png(path, max_bytes=max_bytes)
        if frames and image.shape != frames[0].shape:
            raise StudyLoadError(
                "mixed frame sizes in the PNG stack",
                path=path,
                got=f"{image.shape[0]}x{image.shape[1]}",
                expected=f"{frames[0].shape[0]}x{frames[0].shape[1]} like {files[0].name}",
                fix="Put images of one size in the folder",
            )
        frames.append(image)
        check_declared_size(
            source,
            rows=image.shape[0],
            columns=image.shape[1],
            frames=len(frames),
            samples=1,
            bytes_per_sample=4,
            max_bytes=max_bytes,
        )
    description = source.name if len(files) > 1 else files[0].name
    return Study.from_image_stack(np.stack(frames), source=source, description=description)
