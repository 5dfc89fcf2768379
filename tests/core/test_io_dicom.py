"""Single DICOM files: modality units, MONOCHROME1, multi-frame, window, spacing, metadata."""

from __future__ import annotations

import numpy as np
import pydicom
import pytest
from pydicom.pixels import apply_modality_lut

from denoscope.core.errors import StudyLoadError, UnsupportedStudyError
from denoscope.core.io import Study, list_series, load_study
from denoscope.core.io.pixels import modality_family
from tests.core.io_helpers import sample_file


def test_ct_small_is_in_hounsfield_units_like_pydicom() -> None:
    path = sample_file("CT_small.dcm")
    study = load_study(path)
    ds = pydicom.dcmread(path)
    expected = apply_modality_lut(ds.pixel_array, ds)
    assert isinstance(study, Study)
    assert study.frames.dtype == np.float32
    assert study.frames.shape == (1, 128, 128)
    np.testing.assert_allclose(study.frames[0], expected, rtol=0, atol=1e-3)
    assert study.frames.min() == pytest.approx(expected.min())
    assert study.frames.max() == pytest.approx(expected.max())
    assert study.modality == "ct"
    assert study.units == "HU"
    assert study.dicom_modality == "CT"
    assert study.is_dicom
    assert study.pixel_spacing == pytest.approx((0.661468, 0.661468))
    assert study.series_uid == str(ds.SeriesInstanceUID)
    assert study.transfer_syntax == "Explicit VR Little Endian"
    assert study.source == path


def test_mr_small_window_from_tags_and_metadata_flags() -> None:
    study = load_study(sample_file("MR_small.dcm"))
    assert study.modality == "mri"
    assert study.window == (600.0, 1600.0)
    rows = {row.keyword: row for row in study.metadata}
    assert rows["PatientName"].identifying
    assert rows["PatientID"].identifying
    assert not rows["Rows"].identifying
    assert rows["Rows"].value == "64"
    assert rows["Rows"].tag == "(0028,0010)"
    assert rows["Rows"].vr == "US"
    assert rows["PixelData"].value.startswith("<O")


def test_monochrome1_radiograph_has_bright_bones() -> None:
    path = sample_file("RG1_UNCI.dcm")
    study = load_study(path)
    ds = pydicom.dcmread(path)
    raw = ds.pixel_array.astype(np.float64)
    assert ds.PhotometricInterpretation == "MONOCHROME1"
    assert study.modality == "xray"
    frame = study.frames[0].astype(np.float64)
    # Inverted: lo + hi - x over the 15-bit stored range.
    np.testing.assert_allclose(frame, (2**15 - 1) - raw)
    rows, cols = frame.shape
    # Spine (centre column band) is brighter than the lung fields either side of it.
    spine = frame[rows // 3 : 2 * rows // 3, cols // 2 - 60 : cols // 2 + 60].mean()
    left = frame[rows // 3 : 2 * rows // 3, cols // 4 - 60 : cols // 4 + 60].mean()
    right = frame[rows // 3 : 2 * rows // 3, 3 * cols // 4 - 60 : 3 * cols // 4 + 60].mean()
    assert spine > left and spine > right
    # The tag window (15000/30000 on stored values) is mirrored like the pixels.
    assert study.window == (2**15 - 1 - 15000.0, 30000.0)


def test_multiframe_gives_its_frame_count() -> None:
    study = load_study(sample_file("emri_small.dcm"))
    assert study.frames.shape == (10, 64, 64)
    assert study.modality == "mri"
    assert len(study.dataset_frames) == 10
    assert study.dataset_frames[3] == (0, 3)


def test_enhanced_ct_per_frame_rescale() -> None:
    path = sample_file("eCT_Supplemental.dcm")
    ds = pydicom.dcmread(path)
    study = load_study(path)
    raw = ds.pixel_array.astype(np.float64)
    for index, item in enumerate(ds.PerFrameFunctionalGroupsSequence):
        transform = item.get("PixelValueTransformationSequence") or (
            ds.SharedFunctionalGroupsSequence[0].PixelValueTransformationSequence
        )
        slope = float(transform[0].RescaleSlope)
        intercept = float(transform[0].RescaleIntercept)
        np.testing.assert_allclose(study.frames[index], raw[index] * slope + intercept)
    assert study.frames.min() >= -1024


def test_palette_and_colour_become_luminance() -> None:
    palette = load_study(sample_file("OBXXXX1A.dcm"))
    assert palette.frames.shape == (1, 600, 800)
    rgb = load_study(sample_file("SC_rgb.dcm"))
    ds = pydicom.dcmread(sample_file("SC_rgb.dcm"))
    expected = ds.pixel_array.astype(np.float64) @ np.array([0.299, 0.587, 0.114])
    np.testing.assert_allclose(rgb.frames[0], expected, atol=1e-3)


def test_not_dicom_is_a_typed_error(tmp_path) -> None:
    path = tmp_path / "notes.dcm"
    path.write_text("hello, this is not an image")
    with pytest.raises(StudyLoadError, match="not a DICOM file"):
        load_study(path)


def test_missing_path_is_a_typed_error(tmp_path) -> None:
    with pytest.raises(StudyLoadError, match="no such file or folder"):
        load_study(tmp_path / "nothing.dcm")


def test_segmentation_is_refused() -> None:
    with pytest.raises(UnsupportedStudyError, match="segmentation"):
        load_study(sample_file("liver.dcm"))


def test_list_series_of_one_file() -> None:
    infos = list_series(sample_file("CT_small.dcm"))
    assert len(infos) == 1
    assert infos[0].modality == "ct"
    assert infos[0].n_frames == 1
    assert (infos[0].rows, infos[0].columns) == (128, 128)


def test_file_is_not_modified() -> None:
    path = sample_file("MR_small.dcm")
    before = path.read_bytes()
    stat = path.stat()
    load_study(path)
    assert path.read_bytes() == before
    assert path.stat().st_mtime_ns == stat.st_mtime_ns


@pytest.mark.parametrize(
    ("dicom", "family"),
    [
        ("MR", "mri"),
        ("CT", "ct"),
        ("CR", "xray"),
        ("DX", "xray"),
        ("DR", "xray"),
        ("RG", "xray"),
        ("MG", "xray"),
        ("PX", "xray"),
        ("US", "unknown"),
        ("PT", "unknown"),
        (None, "unknown"),
        ("mr ", "mri"),
    ],
)
def test_modality_family(dicom, family) -> None:
    assert modality_family(dicom) == family


def test_first_window_value_when_several(tmp_path) -> None:
    ds = pydicom.dcmread(sample_file("CT_small.dcm"))
    ds.WindowCenter = [40, 400]
    ds.WindowWidth = [400, 2000]
    ds.save_as(tmp_path / "w.dcm")
    assert load_study(tmp_path / "w.dcm").window == (40.0, 400.0)


def test_percentile_window_without_tags(tmp_path) -> None:
    ds = pydicom.dcmread(sample_file("CT_small.dcm"))
    assert "WindowCenter" not in ds
    ds.save_as(tmp_path / "w.dcm")
    study = load_study(tmp_path / "w.dcm")
    low, high = np.percentile(study.frames, [1, 99])
    assert study.window == pytest.approx(((low + high) / 2, high - low))


def test_nested_sequence_rows() -> None:
    study = load_study(sample_file("eCT_Supplemental.dcm"))
    nested = [row for row in study.metadata if "[0]." in row.tag]
    assert nested
    assert any(row.keyword == "RescaleIntercept" for row in nested)
