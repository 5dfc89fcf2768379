"""Bounded fuzz: corrupted DICOM and PNG bytes only ever give a Study or the typed error."""

from __future__ import annotations

import io
import shutil

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from denoscope.core.errors import StudyLoadError
from denoscope.core.io import Study, load_study
from tests.core.io_helpers import png16_bytes, sample_file

FUZZ = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _tiff_bytes() -> bytes:
    import tifffile

    buffer = io.BytesIO()
    stack = np.random.default_rng(5).integers(0, 4096, size=(2, 16, 12)).astype(np.uint16)
    tifffile.imwrite(buffer, stack, photometric="minisblack")
    return buffer.getvalue()


def _png_bytes() -> bytes:
    from PIL import Image

    rng = np.random.default_rng(3)
    buffer = io.BytesIO()
    Image.fromarray(rng.integers(0, 65535, size=(24, 20)).astype(np.uint16)).save(buffer, "PNG")
    return buffer.getvalue()


DICOM = sample_file("MR_small.dcm").read_bytes()
PNG = _png_bytes()
TIFF = _tiff_bytes()
# 16-bit RGB goes through the pypng decoder rather than Pillow.
PNG16_RGB = png16_bytes(
    np.random.default_rng(4).integers(0, 65536, size=(12, 10, 3)).astype(np.uint16), color_type=2
)

# Positions are fractions of the file, or of its first 2 KiB (the header) half the time.
edits = st.lists(
    st.tuples(st.booleans(), st.floats(0, 1, exclude_max=True), st.integers(0, 255)),
    min_size=1,
    max_size=8,
)


def _corrupt(data: bytes, changes: list[tuple[bool, float, int]], cut: float | None) -> bytes:
    buffer = bytearray(data)
    for in_header, where, value in changes:
        span = min(len(buffer), 2048) if in_header else len(buffer)
        buffer[int(where * span)] = value
    if cut is not None:
        buffer = buffer[: int(cut * len(buffer))]
    return bytes(buffer)


def _check(path) -> None:
    try:
        study = load_study(path)
    except StudyLoadError as error:
        assert str(error)
        return
    assert isinstance(study, Study)
    assert study.frames.dtype == np.float32
    assert study.frames.ndim == 3
    assert np.isfinite(study.frames).all()


@pytest.mark.filterwarnings("ignore::UserWarning")
@FUZZ
@given(changes=edits, cut=st.none() | st.floats(0, 1))
def test_corrupted_dicom(tmp_path_factory, changes, cut) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "image.dcm"
    path.write_bytes(_corrupt(DICOM, changes, cut))
    _check(path)


@FUZZ
@given(source=st.sampled_from([PNG, PNG16_RGB]), changes=edits, cut=st.none() | st.floats(0, 1))
def test_corrupted_png(tmp_path_factory, source, changes, cut) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "image.png"
    path.write_bytes(_corrupt(source, changes, cut))
    _check(path)


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@settings(FUZZ, max_examples=100)
@given(changes=edits, cut=st.none() | st.floats(0, 1))
def test_corrupted_tiff(tmp_path_factory, changes, cut) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "image.tif"
    path.write_bytes(_corrupt(TIFF, changes, cut))
    _check(path)


def test_corrupted_file_in_a_folder_is_skipped_or_typed(tmp_path) -> None:
    shutil.copy(sample_file("CT_small.dcm"), tmp_path / "good.dcm")
    (tmp_path / "bad.dcm").write_bytes(DICOM[:300])
    _check(tmp_path)
