"""Every failure of study loading is one typed error naming the file, the problem and a fix."""

from __future__ import annotations

import numpy as np
import pydicom
import pytest

from denoscope.core.errors import (
    MissingDecoderError,
    StudyLoadError,
    StudyTooLargeError,
    UnsupportedStudyError,
)
from denoscope.core.io import load_study
from denoscope.core.io.limits import MAX_BYTES_ENV
from tests.core.io_helpers import sample_file


def _ct(tmp_path, name="ct.dcm"):
    ds = pydicom.dcmread(sample_file("CT_small.dcm"))
    return ds, tmp_path / name


def test_truncated_native_pixel_data(tmp_path) -> None:
    ds, path = _ct(tmp_path)
    ds.PixelData = ds.PixelData[:1000]
    ds.save_as(path)
    with pytest.raises(StudyLoadError, match="truncated pixel data") as caught:
        load_study(path)
    assert str(path) in str(caught.value)
    assert "1000 bytes" in str(caught.value)


def test_no_pixel_data(tmp_path) -> None:
    ds, path = _ct(tmp_path)
    del ds.PixelData
    ds.save_as(path)
    with pytest.raises(StudyLoadError, match="no pixel data") as caught:
        load_study(path)
    assert "CT Image Storage" in str(caught.value)


def test_unsupported_photometric(tmp_path) -> None:
    ds, path = _ct(tmp_path)
    ds.PhotometricInterpretation = "HSV"
    ds.save_as(path)
    with pytest.raises(UnsupportedStudyError, match="photometric interpretation.*HSV"):
        load_study(path)


def test_size_limit_is_checked_before_decoding(tmp_path, monkeypatch) -> None:
    ds, path = _ct(tmp_path)
    ds.PixelData = ds.PixelData[:10]  # would fail to decode: the limit must come first
    ds.save_as(path)
    with pytest.raises(StudyTooLargeError, match="image too large"):
        load_study(path, max_bytes=1000)
    monkeypatch.setenv(MAX_BYTES_ENV, "1000")
    with pytest.raises(StudyTooLargeError, match=MAX_BYTES_ENV):
        load_study(sample_file("CT_small.dcm"))
    monkeypatch.delenv(MAX_BYTES_ENV)
    with pytest.raises(StudyTooLargeError):
        load_study(sample_file("emri_small.dcm"), max_bytes=64 * 64 * 4 * 5)


def test_png_size_limit(tmp_path) -> None:
    from PIL import Image

    path = tmp_path / "big.png"
    Image.fromarray(np.zeros((100, 100), dtype=np.uint8)).save(path)
    with pytest.raises(StudyTooLargeError):
        load_study(path, max_bytes=1000)


class _NoDecoder:
    is_available = False


def test_missing_decoder_names_syntax_and_package(monkeypatch) -> None:
    import pydicom.pixels

    monkeypatch.setattr(pydicom.pixels, "get_decoder", lambda uid: _NoDecoder())
    with pytest.raises(MissingDecoderError) as caught:
        load_study(sample_file("MR2_J2KR.dcm"))
    message = str(caught.value)
    assert "JPEG 2000" in message
    assert "pylibjpeg-openjpeg" in message


def test_unknown_transfer_syntax_is_missing_decoder(tmp_path) -> None:
    ds, path = _ct(tmp_path)
    ds.save_as(path)
    data = path.read_bytes()
    # Same length as the real UID, so the header stays consistent.
    path.write_bytes(data.replace(b"1.2.840.10008.1.2.1\x00", b"1.2.840.10008.1.2.9\x00", 1))
    with pytest.raises(MissingDecoderError, match="1.2.840.10008.1.2.9"):
        load_study(path)


def test_non_finite_values_are_refused(tmp_path) -> None:
    ds, path = _ct(tmp_path)
    ds.RescaleSlope = "1e38"
    ds.save_as(path)
    with pytest.raises(StudyLoadError, match="not all finite"):
        load_study(path)


def test_bits_stored_masks_high_bits(tmp_path) -> None:
    ds, path = _ct(tmp_path)
    raw = ds.pixel_array.astype(np.uint16)
    ds.PixelRepresentation = 0
    ds.BitsStored, ds.HighBit = 12, 11
    del ds.RescaleSlope, ds.RescaleIntercept
    ds.PixelData = (raw | 0xF000).tobytes()
    ds.save_as(path)
    study = load_study(path)
    np.testing.assert_array_equal(study.frames[0], raw & 0x0FFF)


def test_pixel_padding_set_to_minimum_valid(tmp_path) -> None:
    ds, path = _ct(tmp_path)
    raw = ds.pixel_array.copy()
    raw[:10, :10] = -2000
    ds.PixelData = raw.tobytes()
    ds.add_new(0x00280120, "SS", -2000)  # Pixel Padding Value
    ds.save_as(path)
    frame = load_study(path).frames[0]
    padded = np.zeros(raw.shape, dtype=bool)
    padded[:10, :10] = True
    expected_min = raw[~padded].min() * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
    assert frame[~padded].min() == expected_min
    np.testing.assert_array_equal(frame[padded], expected_min)


def test_pixel_padding_range(tmp_path) -> None:
    ds, path = _ct(tmp_path)
    raw = ds.pixel_array.copy()
    raw[:4, :] = -3000
    raw[4:8, :] = -2500
    ds.PixelData = raw.tobytes()
    ds.add_new(0x00280120, "SS", -3000)  # Pixel Padding Value
    ds.add_new(0x00280121, "SS", -2500)  # Pixel Padding Range Limit
    ds.save_as(path)
    frame = load_study(path).frames[0]
    assert np.all(frame[:8] == frame[8:].min())
    assert frame.min() > -2500


def test_compressed_truncated_file() -> None:
    with pytest.raises(StudyLoadError, match="truncated"):
        load_study(sample_file("emri_small_jpeg_2k_lossless_too_short.dcm"))


def test_compressed_syntaxes_decode() -> None:
    reference = load_study(sample_file("emri_small.dcm")).frames
    for name in (
        "emri_small_jpeg_ls_lossless.dcm",
        "emri_small_jpeg_2k_lossless.dcm",
        "emri_small_RLE.dcm",
        "emri_small_big_endian.dcm",
    ):
        study = load_study(sample_file(name))
        np.testing.assert_array_equal(study.frames, reference, err_msg=name)
    assert "JPEG-LS" in load_study(sample_file("emri_small_jpeg_ls_lossless.dcm")).transfer_syntax
