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
from denoscope.core.io.limits import WORK_FLOAT64, WORK_GREY, check_declared_size
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


def stored_range(path: Path) -> tuple[float, float]:
    """The full range of a PNG's values as :func:`read_png` returns them.

    16-bit images: 0-65535. 1-bit greyscale: 0-1 (Pillow gives booleans). Every
    other depth: 0-255 (Pillow scales 2- and 4-bit grey to 8 bits; palettes give
    8-bit colours).
    """
    header = _ihdr(path)
    if header is None:
        return (0.0, 255.0)
    depth, colour_type = header
    if depth == 16:
        return (0.0, 65535.0)
    if depth == 1 and colour_type == 0:
        return (0.0, 1.0)
    return (0.0, 255.0)


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
            bytes_per_sample=2,
            max_bytes=max_bytes,
        )
        pixels = np.vstack([np.asarray(row, dtype=np.uint16) for row in pixel_rows])
        pixels = pixels.reshape(rows, columns, planes)
    return luminance(pixels).astype(np.float32)


def natural_key(path: Path) -> list[object]:
    """Sort key that orders ``img2`` before ``img10``."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", path.name)]


def read_png(path: Path, *, max_bytes: int | None = None) -> np.ndarray:
    """Read one PNG as a float32 (grey) or float64 (colour) (rows, cols) image in its stored scale.

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
                        bytes_per_sample=size,
                        work_bytes_per_pixel=WORK_GREY if channels == 1 else WORK_FLOAT64,
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
        return luminance(pixels).astype(np.float32)
    # float32 holds every 8- and 16-bit value exactly (the study is float32 anyway).
    return pixels.astype(np.float32)


def png_files(folder: Path) -> list[Path]:
    """Return the PNG files directly in ``folder``, in natural name order."""
    from denoscope.core.io.paths import is_regular, note_skipped

    files = []
    for entry in folder.iterdir():
        if entry.suffix.lower() not in PNG_SUFFIXES or entry.is_dir():
            continue
        if is_regular(entry):
            files.append(entry)
        else:
            note_skipped(entry, "not a regular file")
    return sorted(files, key=natural_key)


def load_png_study(files: list[Path], *, source: Path, max_bytes: int | None = None) -> Study:
    """Load one PNG or a stack of PNGs of one size into a :class:`Study`.

    Raises
    ------
    StudyLoadError
        A file fails to load, or the files differ in size.
    """
    stack: np.ndarray | None = None
    scale = stored_range(files[0])
    for index, path in enumerate(files):
        if stored_range(path) != scale:
            raise StudyLoadError(
                "mixed bit depths in the PNG stack",
                path=path,
                got=f"values 0-{stored_range(path)[1]:g}",
                expected=f"values 0-{scale[1]:g} like {files[0].name}",
                fix="Put images of one bit depth in the folder (they would be scaled differently)",
            )
        image = read_png(path, max_bytes=max_bytes)
        if len(files) == 1:  # one file: no stack to copy into
            return Study.from_image_stack(
                image[np.newaxis], source=source, description=path.name, stored_range=scale
            )
        if stack is None:
            check_declared_size(
                source,
                rows=image.shape[0],
                columns=image.shape[1],
                frames=len(files),
                samples=1,
                bytes_per_sample=0,
                work_bytes_per_pixel=4,  # one float32 stack, filled file by file
                max_bytes=max_bytes,
            )
            stack = np.empty((len(files), *image.shape), dtype=np.float32)
        if image.shape != stack.shape[1:]:
            raise StudyLoadError(
                "mixed frame sizes in the PNG stack",
                path=path,
                got=f"{image.shape[0]}x{image.shape[1]}",
                expected=f"{stack.shape[1]}x{stack.shape[2]} like {files[0].name}",
                fix="Put images of one size in the folder",
            )
        stack[index] = image
        del image
    assert stack is not None  # files is never empty
    description = source.name if len(files) > 1 else files[0].name
    return Study.from_image_stack(stack, source=source, description=description, stored_range=scale)
