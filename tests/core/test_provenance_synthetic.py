"""Provenance: synthetic images are marked and kept out of the patient's study; NaN blames the model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest

from denoscope.cli import main
from tests.core import bombs


def _source(tmp_path: Path) -> Path:
    image = np.random.default_rng(0).integers(0, 3000, (32, 32)).astype(np.uint16)
    return bombs.native_dicom(tmp_path, image, "ct.dcm")


@pytest.mark.parametrize("same_study", [False, True])
def test_noise_dicom_is_marked_synthetic(tmp_path: Path, same_study: bool, capsys) -> None:
    source = _source(tmp_path)
    out = tmp_path / "noisy.dcm"
    argv = ["noise", str(source), "--level", "0.05", "-o", str(out)]
    assert main(argv + (["--same-study"] if same_study else [])) == 0, capsys.readouterr().err
    original = pydicom.dcmread(source, stop_before_pixels=True)
    written = pydicom.dcmread(out, stop_before_pixels=True)
    assert "SYNTHETIC" in written.ImageComments
    assert written.DerivationDescription.startswith("SYNTHETIC")
    assert "SYNTHETIC" in written.SeriesDescription
    assert (written.StudyInstanceUID == original.StudyInstanceUID) is same_study
    assert written.SeriesInstanceUID != original.SeriesInstanceUID


def test_model_nan_output_blames_the_model(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    from denoscope.core.checkpoint import load_model, save_model
    from denoscope.core.errors import ModelFileError
    from denoscope.core.model_card import ModelCard
    from denoscope.core.models import build_model
    from denoscope.core.models.config import CAEConfig
    from denoscope.core.review import ReviewParams
    from denoscope.core.review.slice import run_model

    config = CAEConfig(channels=(2, 2))
    path = tmp_path / "m.safetensors"
    save_model(path, build_model(config), ModelCard(name="m", architecture=config, modality="ct"))
    loaded = load_model(path)
    with torch.no_grad():  # the network breaks after loading (e.g. unstable on this input)
        for name, parameter in loaded.module.named_parameters():
            if name.endswith("bias"):
                parameter.fill_(float("nan"))
    params = ReviewParams(modality="ct", model_path=path, device="cpu", real_input=True)
    with pytest.raises(ModelFileError, match="model produced NaN") as info:
        run_model(loaded, np.full((32, 32), 0.5, np.float32), params)
    assert "frame" not in str(info.value)


def test_identity_caption_takes_the_top_level_patient_id(tmp_path: Path) -> None:
    from pydicom.dataset import Dataset
    from pydicom.sequence import Sequence

    from denoscope.core.io import load_study
    from denoscope.core.privacy import caption_identity

    source = _source(tmp_path)
    ds = pydicom.dcmread(source)
    ds.PatientID = "TOP-LEVEL"
    other = Dataset()
    other.PatientID = "NESTED"
    ds.OtherPatientIDsSequence = Sequence([other])
    ds.save_as(source)
    assert caption_identity(load_study(source))["PatientID"] == "TOP-LEVEL"
