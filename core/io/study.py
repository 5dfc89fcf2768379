"""The result of loading a study: frames in modality units plus what describes them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np


@dataclass(frozen=True)
class TagRow:
    """One row of the tag browser.

    Attributes
    ----------
    tag : str
        The tag as ``"(gggg,eeee)"``; nested items are prefixed by their sequence,
        e.g. ``"(5200,9229)[0].(0028,9145)"``.
    keyword : str
        The DICOM keyword (empty for private or unknown tags).
    vr : str
        The value representation.
    value : str
        The value as text, shortened for long or binary values.
    identifying : bool
        True for fields that identify a patient, a person or an institution.
    """

    tag: str
    keyword: str
    vr: str
    value: str
    identifying: bool


@dataclass(frozen=True)
class SeriesInfo:
    """A series found in a file or folder, as offered to the user to choose from.

    Attributes
    ----------
    series_uid : str or None
        SeriesInstanceUID (None for PNG studies and DICOM files without one).
    dicom_modality : str or None
        The DICOM Modality value (e.g. ``"CT"``).
    modality : str
        The model family: ``"mri"``, ``"ct"``, ``"xray"`` or ``"unknown"``.
    description : str
        SeriesDescription (or the file name).
    n_files : int
        Number of files in the series.
    n_frames : int
        Number of frames the series holds (declared, before decoding).
    rows, columns : int
        Frame size of the first image.
    files : tuple of Path
        The files of the series, in load order.
    """

    series_uid: str | None
    dicom_modality: str | None
    modality: str
    description: str
    n_files: int
    n_frames: int
    rows: int
    columns: int
    files: tuple[Path, ...] = field(repr=False, default=())


@dataclass(frozen=True, eq=False)
class Study:
    """A loaded study: float32 frames in modality units and their description.

    Attributes
    ----------
    frames : ndarray of float32, shape (n_frames, rows, cols)
        Pixel values in modality units (Hounsfield units for CT), MONOCHROME1
        already inverted so that higher always means brighter; always finite.
    modality : str
        Model family: ``"mri"``, ``"ct"``, ``"xray"`` or ``"unknown"``.
    dicom_modality : str or None
        The DICOM Modality value, None for PNG.
    window : tuple of float
        Suggested display window (center, width) in modality units.
    pixel_spacing : tuple of float or None
        (row, col) spacing in mm, when known.
    metadata : list of TagRow
        The header as rows for a tag browser (empty for PNG).
    source : Path
        The file or folder loaded.
    series_uid : str or None
        SeriesInstanceUID of the loaded series.
    description : str
        A short human description (series description or file name).
    transfer_syntax : str or None
        Transfer syntax name of the (first) DICOM file.
    is_dicom : bool
        Whether the study came from DICOM.
    datasets : tuple of pydicom.Dataset
        The headers (without pixel data) of the files loaded, for writing derived
        DICOM; empty for PNG.
    dataset_frames : tuple of (int, int)
        For each frame, the index into ``datasets`` and the frame number within
        that dataset.
    notes : tuple of str
        What loading changed or decided that the user should know (colour reduced
        to luminance, files stacked, files left out).
    stacked_from : tuple of str
        The SeriesInstanceUIDs of single-frame series stacked into this study, in
        stack order (see :mod:`denoscope.core.io.stacking`); empty otherwise.
    stored_range : tuple of float or None
        For PNG and integer TIFF, the full range the file's sample format can hold
        in the units of ``frames`` (``(0, 255)`` for 8-bit, ``(0, 65535)`` for
        16-bit, ``(0, 1)`` for 1-bit PNG, ``(0, 4095)`` for 12-bit TIFF): the
        fixed scale of a plain image. None for DICOM and float TIFF.
    """

    frames: np.ndarray
    modality: str
    dicom_modality: str | None
    window: tuple[float, float]
    pixel_spacing: tuple[float, float] | None
    metadata: list[TagRow]
    source: Path
    series_uid: str | None
    description: str
    transfer_syntax: str | None
    is_dicom: bool
    datasets: tuple[Any, ...] = field(default=(), repr=False)
    dataset_frames: tuple[tuple[int, int], ...] = field(default=(), repr=False)
    notes: tuple[str, ...] = ()
    stacked_from: tuple[str, ...] = ()
    stored_range: tuple[float, float] | None = None

    @classmethod
    def from_image_stack(
        cls,
        values: np.ndarray,
        *,
        source: Path,
        description: str,
        stored_range: tuple[float, float] | None = None,
    ) -> Study:
        """Build the study of a plain image file (PNG, TIFF): no modality, tags or spacing.

        Parameters
        ----------
        values : ndarray, shape (n_frames, rows, cols)
            Grey values as read (already reduced to luminance).
        source : Path
            The file or folder loaded.
        description : str
            What to call the study (a file or folder name).
        stored_range : tuple of float, optional
            The full range of the file's sample format (see the class attributes).

        Returns
        -------
        Study
            Float32 frames checked finite, a robust percentile window, modality "unknown".
        """
        from denoscope.core.io.pixels import ensure_finite, robust_window

        frames = ensure_finite(values, source)
        return cls(
            frames=frames,
            modality="unknown",
            dicom_modality=None,
            window=robust_window(frames),
            pixel_spacing=None,
            metadata=[],
            source=source,
            series_uid=None,
            description=description,
            transfer_syntax=None,
            is_dicom=False,
            stored_range=stored_range,
        )

    @property
    def n_frames(self) -> int:
        """Number of frames."""
        return int(self.frames.shape[0])

    @property
    def shape(self) -> tuple[int, int]:
        """Frame size as (rows, cols)."""
        return int(self.frames.shape[1]), int(self.frames.shape[2])

    @property
    def units(self) -> str:
        """Name of the pixel unit: ``"HU"`` for DICOM CT, else ``""`` (arbitrary units).

        The rule is :func:`denoscope.core.modality.pixel_unit`'s.
        """
        from denoscope.core.modality import pixel_unit

        return "HU" if pixel_unit(self.modality, is_dicom=self.is_dicom) == "HU" else ""
