"""Folders of DICOM files: group by SeriesInstanceUID, sort slices by position.

Slices are ordered by ImagePositionPatient projected on the slice normal (the
cross product of the ImageOrientationPatient row and column directions of the
first slice) when every file has both; otherwise by InstanceNumber; ties and
files without either keep their natural file-name order.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from denoscope.core.errors import DenoscopeError
from denoscope.core.io.dicom_file import read_dataset
from denoscope.core.io.multiframe import finite_values, frame_geometry
from denoscope.core.io.paths import is_regular, may_be_dicom, note_skipped
from denoscope.core.io.pixels import modality_family
from denoscope.core.io.png import natural_key
from denoscope.core.io.study import SeriesInfo

DICOMDIR_SOP = "1.2.840.10008.1.3.10"
_MAX_FILES = 20_000


@dataclass(frozen=True)
class Header:
    """A DICOM file found in a folder, with its header (no pixel data)."""

    path: Path
    ds: Any

    @property
    def series_uid(self) -> str | None:
        """SeriesInstanceUID, or None."""
        uid = self.ds.get("SeriesInstanceUID")
        return str(uid) if uid else None

    @property
    def n_frames(self) -> int:
        """Declared number of frames (1 when absent or invalid)."""
        try:
            return max(1, int(self.ds.get("NumberOfFrames", 1) or 1))
        except (TypeError, ValueError):
            return 1


def is_dicomdir(ds: Any) -> bool:
    """Return True for a DICOMDIR (media directory) dataset."""
    meta = getattr(ds, "file_meta", None)
    sop = None if meta is None else meta.get("MediaStorageSOPClassUID")
    return str(sop) == DICOMDIR_SOP or "DirectoryRecordSequence" in ds


def scan_folder(folder: Path) -> list[Header]:
    """Return the DICOM image files under ``folder`` (recursively), skipping others.

    Hidden files, DICOMDIR files and files that are not DICOM are skipped;
    FIFOs, devices and sockets are skipped with a note
    (:func:`denoscope.core.io.paths.note_skipped`), and only files whose first
    132 bytes allow DICOM are parsed (:func:`denoscope.core.io.paths.may_be_dicom`).
    """
    headers: list[Header] = []
    candidates: list[Path] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            if not name.startswith("."):
                candidates.append(Path(root) / name)
        if len(candidates) > _MAX_FILES:
            break
    for path in sorted(candidates, key=lambda p: (str(p.parent), natural_key(p))):
        if path.suffix.lower() in (".png", ".txt", ".md", ".json", ".jpg", ".jpeg"):
            continue
        if not is_regular(path):  # a FIFO would block the scan forever
            note_skipped(path, "not a regular file")
            continue
        if not may_be_dicom(path):  # one 132-byte read, not a parse of a large file
            continue
        try:
            ds = read_dataset(path, stop_before_pixels=True)
        except DenoscopeError:
            continue
        if is_dicomdir(ds) or "Rows" not in ds:
            continue
        headers.append(Header(path, ds))
    return headers


def group_series(headers: list[Header]) -> dict[str | None, list[Header]]:
    """Group headers by SeriesInstanceUID, in order of first appearance."""
    groups: dict[str | None, list[Header]] = {}
    for header in headers:
        groups.setdefault(header.series_uid, []).append(header)
    return groups


def _geometry(header: Header) -> tuple[list[float] | None, list[float] | None]:
    """Return (position, orientation) of a file's first frame."""
    pos = finite_values(header.ds.get("ImagePositionPatient"))
    ori = finite_values(header.ds.get("ImageOrientationPatient"))
    if pos is None or ori is None:
        fpos, fori = frame_geometry(header.ds, 0)
        pos, ori = pos or fpos, ori or fori
    return pos, ori


def _instance_number(header: Header) -> float:
    """Return InstanceNumber, or +inf when missing."""
    try:
        return float(header.ds.get("InstanceNumber"))
    except (TypeError, ValueError):
        return float("inf")


def sort_slices(headers: list[Header]) -> list[Header]:
    """Sort a series' files by position along the slice normal (see module docstring)."""
    ordered = list(headers)  # already in natural file-name order
    geometry = [_geometry(h) for h in ordered]
    if all(
        pos is not None and len(pos) == 3 and ori is not None and len(ori) == 6
        for pos, ori in geometry
    ):
        ori = np.asarray(geometry[0][1], dtype=np.float64)
        normal = np.cross(ori[:3], ori[3:])
        if np.linalg.norm(normal) > 1e-6:
            keys = {
                id(h): (float(np.dot(np.asarray(pos), normal)), _instance_number(h))
                for h, (pos, _) in zip(ordered, geometry, strict=True)
            }
            return sorted(ordered, key=lambda h: keys[id(h)])
    return sorted(ordered, key=_instance_number)


def series_info(uid: str | None, headers: list[Header]) -> SeriesInfo:
    """Describe one series for the user."""
    first = headers[0].ds
    modality = first.get("Modality")
    description = str(first.get("SeriesDescription", "") or "").strip()
    if not description:
        description = headers[0].path.name if len(headers) == 1 else headers[0].path.parent.name
    return SeriesInfo(
        series_uid=uid,
        dicom_modality=str(modality) if modality else None,
        modality=modality_family(modality),
        description=description,
        n_files=len(headers),
        n_frames=sum(h.n_frames for h in headers),
        rows=int(first.get("Rows", 0) or 0),
        columns=int(first.get("Columns", 0) or 0),
        files=tuple(h.path for h in headers),
    )
