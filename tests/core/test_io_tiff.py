"""TIFF studies (extra): pages as frames, 16-bit and float, colour, errors."""

from __future__ import annotations

import numpy as np
import pytest
import tifffile

from denoscope.core.errors import StudyLoadError, StudyTooLargeError
from denoscope.core.io import list_series, load_study
from denoscope.core.io.pixels import LUMA_WEIGHTS

RNG = np.random.default_rng(5)


def test_multipage_16bit(tmp_path) -> None:
    stack = RNG.integers(0, 65536, size=(3, 12, 10)).astype(np.uint16)
    path = tmp_path / "s.tif"
    tifffile.imwrite(path, stack, photometric="minisblack")
    study = load_study(path)
    np.testing.assert_array_equal(study.frames, stack)
    assert study.modality == "unknown" and not study.is_dicom
    assert list_series(path)[0].n_frames == 3


def test_float_and_colour(tmp_path) -> None:
    image = RNG.normal(size=(8, 9)).astype(np.float32)
    tifffile.imwrite(tmp_path / "f.tif", image)
    np.testing.assert_array_equal(load_study(tmp_path / "f.tif").frames[0], image)
    rgb = RNG.integers(0, 256, size=(8, 9, 3)).astype(np.uint8)
    tifffile.imwrite(tmp_path / "c.tif", rgb, photometric="rgb")
    expected = rgb.astype(np.float64) @ np.array(LUMA_WEIGHTS)
    np.testing.assert_allclose(load_study(tmp_path / "c.tif").frames[0], expected, atol=1e-3)
    planar = np.moveaxis(rgb, -1, 0).copy()
    tifffile.imwrite(tmp_path / "p.tif", planar, photometric="rgb", planarconfig="separate")
    np.testing.assert_allclose(load_study(tmp_path / "p.tif").frames[0], expected, atol=1e-3)


def test_nan_and_limits_and_truncation(tmp_path) -> None:
    image = np.zeros((8, 9), dtype=np.float32)
    image[0, 0] = np.nan
    tifffile.imwrite(tmp_path / "n.tif", image)
    with pytest.raises(StudyLoadError, match="not all finite"):
        load_study(tmp_path / "n.tif")
    tifffile.imwrite(tmp_path / "big.tif", np.zeros((100, 100), dtype=np.uint16))
    with pytest.raises(StudyTooLargeError):
        load_study(tmp_path / "big.tif", max_bytes=1000)
    data = (tmp_path / "big.tif").read_bytes()
    (tmp_path / "cut.tif").write_bytes(data[:50])
    with pytest.raises(StudyLoadError, match="TIFF"):
        load_study(tmp_path / "cut.tif")


def test_dicom_with_tiff_preamble_is_dicom() -> None:
    from tests.core.io_helpers import sample_file

    path = sample_file("CT_small.dcm")
    assert path.read_bytes()[:4] in (b"II*\x00", b"MM\x00*")
    assert load_study(path).is_dicom
