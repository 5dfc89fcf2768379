"""Say when a study was stored in colour and reduced to luminance.

Denoscope reviews grey images. Every reader reduces colour input by one rule
(:func:`denoscope.core.io.pixels.luminance`, ITU-R BT.601 luma):
``Y = 0.299 R + 0.587 G + 0.114 B`` in the units of the stored samples; alpha
is dropped; palette images are expanded to RGB first; an image whose three
channels are identical is read as that grey unchanged. This module finds out,
from headers only, whether a loaded study came from colour files, and gives
the note that tells the user so (:func:`with_colour_note`).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

#: The rule, as stated to the user.
LUMINANCE_RULE = (
    "reduced to grey by the BT.601 luminance rule Y = 0.299 R + 0.587 G + 0.114 B "
    "(alpha dropped; identical channels kept as they are)"
)

#: PNG colour types: 2 RGB, 3 palette, 4 grey + alpha, 6 RGBA.
_PNG_COLOUR_TYPES = {2: "RGB", 3: "palette colour", 4: "grey + alpha", 6: "RGBA"}


def _png_kind(path: Path) -> str | None:
    try:
        with open(path, "rb") as fp:
            head = fp.read(33)
    except OSError:
        return None
    if len(head) < 26 or head[12:16] != b"IHDR":
        return None
    return _PNG_COLOUR_TYPES.get(head[25])


def _tiff_kind(path: Path) -> str | None:
    try:
        import tifffile

        with tifffile.TiffFile(path) as tif:
            page = tif.pages.first
            samples = int(getattr(page, "samplesperpixel", 1) or 1)
    except Exception:  # noqa: BLE001 - a header we cannot read here was read by the loader
        return None
    return {2: "grey + alpha", 3: "RGB", 4: "RGBA"}.get(samples)


def _dicom_kind(ds: Any) -> str | None:
    photometric = str(ds.get("PhotometricInterpretation", "") or "").strip().upper()
    try:
        samples = int(ds.get("SamplesPerPixel", 1) or 1)
    except (TypeError, ValueError):
        samples = 1
    if photometric == "PALETTE COLOR":
        return "palette colour"
    if samples > 1:
        return photometric or "colour"
    return None


def colour_kind(study: Any) -> str | None:
    """How the study's (first) file stored colour ("RGB", "palette colour"...), None if grey.

    Parameters
    ----------
    study : denoscope.core.io.Study
        A loaded study (DICOM headers are kept in ``study.datasets``; plain
        images are looked up from ``study.source``).

    Returns
    -------
    str or None
    """
    if study.is_dicom:
        return _dicom_kind(study.datasets[0]) if study.datasets else None
    source = Path(study.source)
    if source.is_dir():
        from denoscope.core.io.png import png_files

        files = png_files(source)
        kinds = [kind for kind in map(_png_kind, files) if kind]
        return kinds[0] if kinds else None
    kind = _png_kind(source)
    if kind is None and source.suffix.lower() in (".tif", ".tiff"):
        kind = _tiff_kind(source)
    return kind


def with_colour_note(study: Any) -> Any:
    """The study with a note in ``notes`` when it was stored in colour (see module doc)."""
    kind = colour_kind(study)
    if kind is None:
        return study
    note = f"This image is stored as {kind}; it was {LUMINANCE_RULE}."
    if note in study.notes:
        return study
    return replace(study, notes=(*study.notes, note))
