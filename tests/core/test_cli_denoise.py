"""``denoscope denoise`` on bundled samples with a tiny saved model."""

from __future__ import annotations

import numpy as np
import pydicom
import pytest
import torch
from PIL import Image

from denoscope.cli import main
from denoscope.core.checkpoint import save_model
from denoscope.core.model_card import ModelCard
from denoscope.core.models import ResCAEConfig, build_model
from denoscope.core.resources import sample_path

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    torch.manual_seed(0)
    model = build_model(ResCAEConfig(widths=(8, 12)))
    path = tmp_path_factory.mktemp("model") / "tiny.safetensors"
    card = ModelCard(
        name="tiny test model",
        architecture=model.config,
        modality="ct",
        normalization={"kind": "fixed", "low": -1024.0, "high": 3071.0, "modality": "ct"},
    )
    save_model(path, model, card)
    return path


def test_ct_sample_to_png_and_dicom_and_refuses_to_overwrite(tmp_path, tiny_model, capsys):
    source = sample_path("ct")
    original = pydicom.dcmread(source)
    png = tmp_path / "ct.png"
    assert main(["denoise", str(source), "-o", str(png), "--model", str(tiny_model)]) == 0
    image = np.asarray(Image.open(png))
    assert image.shape == (original.Rows, original.Columns)
    assert image.dtype == np.uint16 and image.max() > image.min()

    dcm = tmp_path / "ct.dcm"
    assert main(["denoise", str(source), "-o", str(dcm), "--model", str(tiny_model)]) == 0
    derived = pydicom.dcmread(dcm)
    assert derived.ImageType[0] == "DERIVED"
    assert derived.SeriesInstanceUID != original.SeriesInstanceUID
    assert derived.SOPInstanceUID != original.SOPInstanceUID
    assert "tiny test model" in derived.DerivationDescription
    assert derived.pixel_array.shape == original.pixel_array.shape
    assert [float(v) for v in derived.PixelSpacing] == [float(v) for v in original.PixelSpacing]

    before = png.read_bytes()
    capsys.readouterr()
    assert main(["denoise", str(source), "-o", str(png), "--model", str(tiny_model)]) == 2
    assert "--force" in capsys.readouterr().err
    assert png.read_bytes() == before
    args = ["denoise", str(source), "-o", str(png), "--model", str(tiny_model), "--force"]
    assert main(args) == 0


def test_never_writes_onto_the_input(tmp_path, tiny_model, capsys):
    source = tmp_path / "in.dcm"
    source.write_bytes(sample_path("ct").read_bytes())
    before = source.read_bytes()
    args = ["denoise", str(source), "-o", str(source), "--model", str(tiny_model), "--force"]
    assert main(args) == 2
    assert "input" in capsys.readouterr().err
    assert source.read_bytes() == before


def test_png_series_folder_writes_one_file_per_slice(tmp_path, tiny_model):
    folder = tmp_path / "series"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(3):
        Image.fromarray(rng.integers(0, 255, (40, 56), dtype=np.uint8)).save(folder / f"s{i}.png")
    out = tmp_path / "out"
    args = ["denoise", str(folder), "-o", str(out), "--model", str(tiny_model), "--modality", "mri"]
    assert main(args) == 0
    written = sorted(out.glob("*.png"))
    assert len(written) == 3
    assert np.asarray(Image.open(written[0])).shape == (40, 56)
    assert main([*args, "--format", "dicom"]) == 2  # PNG input cannot become DICOM


def test_missing_shipped_model_says_what_to_do(tmp_path, monkeypatch, capsys):
    import denoscope.core.model_registry as registry

    monkeypatch.setattr(registry, "shipped_models_dir", lambda: tmp_path)
    out = tmp_path / "x.png"
    assert main(["denoise", str(sample_path("ct")), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "no ct model is shipped" in err and "--model" in err
    assert not out.exists()


def test_dicom_series_becomes_one_derived_series(tmp_path, tiny_model):
    from pydicom.uid import generate_uid

    folder = tmp_path / "ct_series"
    folder.mkdir()
    source = pydicom.dcmread(sample_path("ct"))
    for i in range(3):
        source.SOPInstanceUID = generate_uid()
        source.InstanceNumber = i + 1
        source.ImagePositionPatient = [0.0, 0.0, float(i)]
        source.save_as(folder / f"slice{i}.dcm")
    out = tmp_path / "derived"
    args = ["denoise", str(folder), "-o", str(out), "--model", str(tiny_model), "--format", "dicom"]
    assert main(args) == 0
    written = [pydicom.dcmread(path) for path in sorted(out.glob("*.dcm"))]
    assert len(written) == 3
    series = {ds.SeriesInstanceUID for ds in written}
    assert len(series) == 1 and source.SeriesInstanceUID not in series
    assert len({ds.SOPInstanceUID for ds in written}) == 3
