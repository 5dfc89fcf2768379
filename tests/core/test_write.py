"""Writers: 16-bit PNG and derived DICOM round trips, no overwrite, never onto an input."""

from __future__ import annotations

import shutil

import numpy as np
import pydicom
import pytest

from denoscope.core.errors import OutputExistsError, ParameterError, UnsupportedStudyError
from denoscope.core.intensity import normalization_for
from denoscope.core.io import load_study
from denoscope.core.io.write import save_derived_dicom, save_png16
from tests.core.io_helpers import sample_file, write_png

RNG = np.random.default_rng(11)


# --- save_png16 -----------------------------------------------------------------


def test_png16_round_trip_of_unit_image(tmp_path) -> None:
    image = RNG.random((17, 23))
    path = save_png16(tmp_path / "out.png", image)
    frames = load_study(path).frames
    np.testing.assert_array_equal(frames[0], np.rint(image * 65535))


def test_png16_from_modality_units_with_normalization(tmp_path) -> None:
    study = load_study(sample_file("CT_small.dcm"))
    norm = normalization_for(study.frames, study.modality)
    path = save_png16(tmp_path / "ct.png", study.frames[0], normalization=norm)
    back = norm.from_unit(load_study(path).frames[0] / 65535)
    np.testing.assert_allclose(back, study.frames[0], atol=norm.span / 65535)


def test_png16_data_range_clips(tmp_path) -> None:
    path = save_png16(
        tmp_path / "r.png", np.array([[-5.0, 0.0, 5.0, 10.0, 20.0]]), data_range=(0, 10)
    )
    assert load_study(path).frames[0, 0].tolist() == [0.0, 0.0, 32768.0, 65535.0, 65535.0]


def test_png16_refuses_bad_input(tmp_path) -> None:
    with pytest.raises(ParameterError, match="outside"):
        save_png16(tmp_path / "a.png", np.array([[0.0, 2.0]]))
    with pytest.raises(ParameterError, match="NaN"):
        save_png16(tmp_path / "a.png", np.array([[0.0, np.nan]]))
    with pytest.raises(ParameterError, match="2-D"):
        save_png16(tmp_path / "a.png", np.zeros((2, 2, 2)))
    with pytest.raises(ParameterError, match="folder does not exist"):
        save_png16(tmp_path / "missing" / "a.png", np.zeros((2, 2)))
    assert not (tmp_path / "a.png").exists()


def test_png16_no_overwrite_unless_asked(tmp_path) -> None:
    path = save_png16(tmp_path / "a.png", np.zeros((4, 4)))
    before = path.read_bytes()
    with pytest.raises(OutputExistsError, match="already exists"):
        save_png16(path, np.ones((4, 4)))
    assert path.read_bytes() == before
    save_png16(path, np.ones((4, 4)), overwrite=True)
    assert load_study(path).frames.max() == 65535


def test_png16_never_onto_an_input(tmp_path) -> None:
    source = write_png(tmp_path / "in.png", np.zeros((4, 4), dtype=np.uint8))
    before = source.read_bytes()
    with pytest.raises(OutputExistsError, match="input"):
        save_png16(source, np.ones((4, 4)), overwrite=True, inputs=[source])
    assert source.read_bytes() == before


# --- save_derived_dicom -----------------------------------------------------------


def _reload(path):
    return load_study(path), pydicom.dcmread(path)


def test_derived_ct_keeps_hu_geometry_and_study(tmp_path) -> None:
    source = sample_file("CT_small.dcm")
    before = source.read_bytes()
    study = load_study(source)
    processed = study.frames[0] + 10.0
    path = save_derived_dicom(
        tmp_path / "d.dcm", study, 0, processed, description="denoised: cae ct, gaussian 0.1"
    )
    derived, ds = _reload(path)
    original = pydicom.dcmread(source)
    np.testing.assert_array_equal(derived.frames[0], processed)
    assert derived.modality == "ct"
    assert derived.pixel_spacing == study.pixel_spacing
    assert list(ds.ImageType[:2]) == ["DERIVED", "SECONDARY"]
    assert ds.DerivationDescription == "denoised: cae ct, gaussian 0.1"
    assert "denoised" in ds.SeriesDescription
    assert ds.SOPInstanceUID != original.SOPInstanceUID
    assert ds.SeriesInstanceUID != original.SeriesInstanceUID
    assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID
    assert ds.StudyInstanceUID == original.StudyInstanceUID
    assert list(ds.ImagePositionPatient) == list(original.ImagePositionPatient)
    assert ds.SourceImageSequence[0].ReferencedSOPInstanceUID == original.SOPInstanceUID
    assert (ds.BitsStored, ds.PixelRepresentation) == (original.BitsStored, 1)
    assert float(ds.RescaleIntercept) == float(original.RescaleIntercept)
    assert source.read_bytes() == before


def test_derived_fractional_values_are_rounded_to_stored_steps(tmp_path) -> None:
    study = load_study(sample_file("CT_small.dcm"))
    processed = study.frames[0] + 0.3
    path = save_derived_dicom(tmp_path / "d.dcm", study, 0, processed, description="x")
    np.testing.assert_allclose(load_study(path).frames[0], processed, atol=0.5)


def test_derived_out_of_range_values_get_a_new_encoding(tmp_path) -> None:
    study = load_study(sample_file("CT_small.dcm"))
    processed = study.frames[0] * 40.0 + 0.25  # beyond int16 once stored
    path = save_derived_dicom(tmp_path / "d.dcm", study, 0, processed, description="x")
    ds = pydicom.dcmread(path)
    slope = float(ds.RescaleSlope)
    np.testing.assert_allclose(load_study(path).frames[0], processed, atol=slope / 2 + 1e-3)


def test_derived_monochrome1_keeps_loaded_values_and_window(tmp_path) -> None:
    study = load_study(sample_file("RG1_UNCI.dcm"))
    path = save_derived_dicom(tmp_path / "d.dcm", study, 0, study.frames[0], description="x")
    derived, ds = _reload(path)
    assert ds.PhotometricInterpretation == "MONOCHROME2"
    np.testing.assert_array_equal(derived.frames, study.frames)
    assert derived.window == study.window
    assert derived.modality == "xray"


@pytest.mark.parametrize(
    "name", ["emri_small.dcm", "emri_small_big_endian.dcm", "eCT_Supplemental.dcm"]
)
def test_derived_from_multiframe_is_one_frame(tmp_path, name) -> None:
    study = load_study(sample_file(name))
    index = study.n_frames - 1
    processed = study.frames[index] - 3.0
    path = save_derived_dicom(tmp_path / "d.dcm", study, index, processed, description="x")
    derived, ds = _reload(path)
    assert int(ds.NumberOfFrames) == 1
    assert ds.SourceImageSequence[0].ReferencedFrameNumber == index + 1
    np.testing.assert_allclose(derived.frames[0], processed, atol=1e-3)


def test_derived_from_colour_source(tmp_path) -> None:
    study = load_study(sample_file("SC_rgb.dcm"))
    path = save_derived_dicom(tmp_path / "d.dcm", study, 0, study.frames[0], description="x")
    derived, ds = _reload(path)
    assert (ds.SamplesPerPixel, ds.PhotometricInterpretation) == (1, "MONOCHROME2")
    slope = float(ds.get("RescaleSlope", 1.0))
    np.testing.assert_allclose(derived.frames, study.frames, atol=slope / 2 + 1e-3)


def test_derived_from_a_series_folder(tmp_path) -> None:
    folder = tmp_path / "series"
    folder.mkdir()
    shutil.copy(sample_file("CT_small.dcm"), folder / "a.dcm")
    study = load_study(folder)
    path = save_derived_dicom(tmp_path / "d.dcm", study, 0, study.frames[0], description="x")
    np.testing.assert_array_equal(load_study(path).frames, study.frames)
    with pytest.raises(OutputExistsError, match="input"):
        save_derived_dicom(
            folder / "a.dcm", study, 0, study.frames[0], description="x", overwrite=True
        )


def test_derived_no_overwrite_and_never_onto_input(tmp_path) -> None:
    source = tmp_path / "ct.dcm"
    shutil.copy(sample_file("CT_small.dcm"), source)
    before = source.read_bytes()
    study = load_study(source)
    with pytest.raises(OutputExistsError, match="input"):
        save_derived_dicom(source, study, 0, study.frames[0], description="x", overwrite=True)
    assert source.read_bytes() == before
    out = save_derived_dicom(tmp_path / "d.dcm", study, 0, study.frames[0], description="x")
    with pytest.raises(OutputExistsError, match="already exists"):
        save_derived_dicom(out, study, 0, study.frames[0], description="y")
    save_derived_dicom(out, study, 0, study.frames[0], description="y", overwrite=True)
    assert pydicom.dcmread(out).DerivationDescription == "y"


def test_derived_refuses_bad_arguments(tmp_path) -> None:
    study = load_study(sample_file("CT_small.dcm"))
    with pytest.raises(ParameterError, match="frame index"):
        save_derived_dicom(tmp_path / "d.dcm", study, 5, study.frames[0], description="x")
    with pytest.raises(ParameterError, match="size"):
        save_derived_dicom(tmp_path / "d.dcm", study, 0, study.frames[0][:5], description="x")
    with pytest.raises(ParameterError, match="NaN"):
        save_derived_dicom(
            tmp_path / "d.dcm", study, 0, np.full(study.shape, np.nan), description="x"
        )
    png = load_study(write_png(tmp_path / "p.png", np.zeros((4, 4), dtype=np.uint8)))
    with pytest.raises(UnsupportedStudyError, match="DICOM study"):
        save_derived_dicom(tmp_path / "d.dcm", png, 0, png.frames[0], description="x")
    assert not (tmp_path / "d.dcm").exists()
