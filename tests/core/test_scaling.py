"""Every image kind is scaled by its own sample format; values checked against independent maths."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from denoscope.core.cli.metrics import study_normalization
from denoscope.core.errors import StudyLoadError, UnsupportedStudyError
from denoscope.core.intensity import normalization_for
from denoscope.core.io import load_study


def _png(path: Path, array: np.ndarray, bitdepth: int, greyscale: bool = True) -> Path:
    import png as pypng

    rows, cols = array.shape[:2]
    with open(path, "wb") as fp:
        pypng.Writer(cols, rows, greyscale=greyscale, bitdepth=bitdepth).write(
            fp, array.reshape(rows, -1).tolist()
        )
    return path


def _unit(path: Path) -> np.ndarray:
    study = load_study(path)
    return study_normalization(study).to_unit(study.frames[0])


def test_16bit_tiff_uses_its_own_scale(tmp_path: Path) -> None:
    import tifffile

    values = np.random.default_rng(0).integers(0, 1000, (32, 32)).astype(np.uint16)
    path = tmp_path / "a.tif"
    tifffile.imwrite(path, values)
    unit = _unit(path)
    np.testing.assert_allclose(unit, values / 65535.0, atol=1e-6)
    assert not (unit >= 1.0).any()  # before: 38% saturated (scaled by a PNG header byte)


def test_8bit_tiff_scale(tmp_path: Path) -> None:
    import tifffile

    values = np.arange(256, dtype=np.uint8).reshape(16, 16)
    tifffile.imwrite(tmp_path / "b.tif", values)
    np.testing.assert_allclose(_unit(tmp_path / "b.tif"), values / 255.0, atol=1e-6)


def test_float_tiff_uses_percentiles(tmp_path: Path) -> None:
    import tifffile

    values = np.linspace(-5, 5, 400, dtype=np.float32).reshape(20, 20)
    tifffile.imwrite(tmp_path / "f.tif", values)
    study = load_study(tmp_path / "f.tif")
    assert study.stored_range is None
    assert study_normalization(study).kind == "percentile"


def test_1bit_png_is_0_or_1(tmp_path: Path) -> None:
    bits = (np.arange(64).reshape(8, 8) % 3 == 0).astype(np.uint8)
    unit = _unit(_png(tmp_path / "one.png", bits, 1))
    np.testing.assert_array_equal(unit, bits.astype(np.float32))


@pytest.mark.parametrize("depth", [2, 4, 8, 16])
def test_grey_png_depths(tmp_path: Path, depth: int) -> None:
    top = 2**depth - 1
    values = (np.arange(64).reshape(8, 8) * 7) % (top + 1)
    unit = _unit(_png(tmp_path / f"g{depth}.png", values.astype(np.uint16), depth))
    np.testing.assert_allclose(unit, values / top, atol=1e-6)


def test_rgb_png_luminance(tmp_path: Path) -> None:
    rgb = np.random.default_rng(1).integers(0, 256, (8, 8, 3)).astype(np.uint8)
    unit = _unit(_png(tmp_path / "c.png", rgb, 8, greyscale=False))
    expected = (0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]) / 255.0
    np.testing.assert_allclose(unit, expected, atol=1e-5)


def test_mixed_bit_depths_in_a_folder_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "stack"
    folder.mkdir()
    _png(folder / "a.png", np.zeros((8, 8), np.uint8), 8)
    _png(folder / "b.png", np.zeros((8, 8), np.uint16), 16)
    with pytest.raises(StudyLoadError, match="mixed bit depths"):
        load_study(folder)


def test_constant_image_normalises_to_mid_grey() -> None:
    frames = np.full((1, 16, 16), 123.0, np.float32)
    norm = normalization_for(frames, "mri")
    np.testing.assert_array_equal(norm.to_unit(frames[0]), 0.5)
    np.testing.assert_array_equal(norm.from_unit(norm.to_unit(frames[0])), frames[0])


def test_constant_image_denoises_to_itself(tmp_path: Path, capsys) -> None:
    """Before: a constant image denoised to speckle (half the pixels went to 0)."""
    from denoscope.cli import main

    _png(tmp_path / "flat.png", np.full((64, 64), 100, np.uint8), 8)
    out = tmp_path / "out.png"
    assert main(["denoise", str(tmp_path / "flat.png"), "--modality", "mri", "-o", str(out)]) == 0
    written = load_study(out).frames[0] / 65535.0
    assert np.abs(written - 0.5).max() < 0.02, (written.min(), written.max())


def _dicom(path: Path, **attrs) -> Path:
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID
    ds.SeriesInstanceUID = generate_uid()
    ds.StudyInstanceUID = generate_uid()
    ds.Modality = "OT"
    ds.Rows = ds.Columns = 16
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    for key, value in attrs.items():
        setattr(ds, key, value)
    ds.save_as(path, enforce_file_format=True)
    return path


@pytest.mark.parametrize(
    ("bits", "keyword", "dtype"), [(64, "DoubleFloat", "<f8"), (32, "Float", "<f4")]
)
def test_float_dicom_values(tmp_path: Path, bits: int, keyword: str, dtype: str) -> None:
    values = np.linspace(-1e3, 1e3, 256).reshape(16, 16)
    path = _dicom(
        tmp_path / "f.dcm",
        BitsAllocated=bits,
        **{f"{keyword}PixelData": values.astype(dtype).tobytes()},
    )
    np.testing.assert_allclose(load_study(path).frames[0], values.astype(np.float32))


def test_float_dicom_monochrome1_inverts_within_its_range(tmp_path: Path) -> None:
    values = np.linspace(0, 10, 256).reshape(16, 16)
    path = _dicom(
        tmp_path / "m1.dcm",
        BitsAllocated=32,
        PhotometricInterpretation="MONOCHROME1",
        FloatPixelData=values.astype("<f4").tobytes(),
    )
    np.testing.assert_allclose(load_study(path).frames[0], 10 - values, atol=1e-5)


def test_rgb_declaring_one_sample_is_refused(tmp_path: Path, capsys) -> None:
    from denoscope.cli import main

    path = _dicom(
        tmp_path / "rgb.dcm",
        BitsAllocated=8,
        BitsStored=8,
        HighBit=7,
        PixelRepresentation=0,
        PhotometricInterpretation="RGB",
        PixelData=np.arange(256, dtype=np.uint8).tobytes(),
    )
    with pytest.raises(UnsupportedStudyError, match="SamplesPerPixel 1"):
        load_study(path)
    assert main(["info", str(path)]) == 2
    assert capsys.readouterr().err.count("\n") == 1


@pytest.mark.filterwarnings("ignore:Expected implicit VR:UserWarning")
def test_derived_dicom_drops_command_group(tmp_path: Path) -> None:
    import pydicom

    from denoscope.core.io.write import save_derived_dicom

    raw = (np.arange(256) * 3).astype(np.uint16).reshape(16, 16)
    path = _dicom(
        tmp_path / "cmd.dcm",
        BitsAllocated=16,
        BitsStored=16,
        HighBit=15,
        PixelRepresentation=0,
        PixelData=raw.tobytes(),
    )
    # pydicom refuses to write command-group elements, so they are spliced in as bytes
    # at the start of the dataset (after the file meta): (0000,0002) UI and (0000,0100) US.
    data = path.read_bytes()
    start = (
        132 + 12 + int(pydicom.dcmread(path, stop_before_pixels=True).file_meta[0x00020000].value)
    )
    command = struct.pack("<HH2sH", 0, 2, b"UI", 6) + b"1.2.3\0"
    command += struct.pack("<HH2sHH", 0, 0x100, b"US", 2, 1)
    path.write_bytes(data[:start] + command + data[start:])
    assert any(t.group == 0 for t in pydicom.dcmread(path).keys())
    study = load_study(path)
    out = save_derived_dicom(tmp_path / "out.dcm", study, 0, study.frames[0], description="t")
    written = pydicom.dcmread(out)
    assert not [t for t in written.keys() if t.group == 0]
    np.testing.assert_allclose(load_study(out).frames[0], raw, atol=0.5)
