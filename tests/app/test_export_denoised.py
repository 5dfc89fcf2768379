"""Export of the denoised image or series through core.io.write (16-bit PNG, derived DICOM)."""

from __future__ import annotations

import numpy as np
import pydicom
import pytest
from PIL import Image

from denoscope.app.export import export_denoised
from denoscope.core.errors import OutputExistsError, ParameterError
from denoscope.core.resources import sample_path


def _shown(window):
    state = window.state
    return state.study, state.result, state.params


def test_denoised_png16_matches_the_shown_image(window, open_study, settle, tmp_path):
    open_study(window, sample_path("ct"))
    settle(window)
    loaded, result, params = _shown(window)
    (out,) = export_denoised(loaded, result, params, tmp_path / "den.png")
    stored = np.asarray(Image.open(out))
    assert stored.dtype == np.uint16
    np.testing.assert_allclose(stored / 65535.0, result.denoised01, atol=1 / 65535)
    with pytest.raises(OutputExistsError):
        export_denoised(loaded, result, params, tmp_path / "den.png")


def test_denoised_derived_dicom_keeps_hu(window, open_study, settle, tmp_path):
    open_study(window, sample_path("ct"))
    settle(window)
    loaded, result, params = _shown(window)
    (out,) = export_denoised(loaded, result, params, tmp_path / "den.dcm")
    ds = pydicom.dcmread(out)
    assert "DERIVED" in list(ds.ImageType)
    hu = ds.pixel_array * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
    expected = loaded.normalization.from_unit(result.denoised01)
    np.testing.assert_allclose(hu, expected, atol=float(ds.RescaleSlope) + 1e-3)
    # Denoised synthetic noise is a simulation: marked, and never filed in the patient's study.
    source = pydicom.dcmread(sample_path("ct"))
    assert "SYNTHETIC" in ds.ImageComments and "SYNTHETIC" in ds.DerivationDescription
    assert ds.StudyInstanceUID != source.StudyInstanceUID
    assert ds.PatientID == source.PatientID  # identity kept unless anonymized


def test_png_study_cannot_become_dicom(window, open_study, settle, tmp_path):
    open_study(window, sample_path("mri-brain"))
    settle(window)
    with pytest.raises(ParameterError):
        export_denoised(*_shown(window), tmp_path / "den.dcm")
