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
