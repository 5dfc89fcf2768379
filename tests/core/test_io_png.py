"""PNG studies: bit depths, modes, luminance rule, stacks, errors."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from denoscope.core.errors import StudyLoadError
from denoscope.core.io import list_series, load_study
from denoscope.core.io.pixels import LUMA_WEIGHTS
from tests.core.io_helpers import png16_bytes, write_png

RNG = np.random.default_rng(7)
GREY8 = RNG.integers(0, 256, size=(20, 30), dtype=np.uint8)
RGB8 = RNG.integers(0, 256, size=(20, 30, 3), dtype=np.uint8)


def test_grey_8bit(tmp_path) -> None:
    study = load_study(write_png(tmp_path / "a.png", GREY8))
    assert study.frames.shape == (1, 20, 30)
    assert study.frames.dtype == np.float32
    np.testing.assert_array_equal(study.frames[0], GREY8)
    assert study.modality == "unknown"
    assert not study.is_dicom
    assert study.metadata == []


def test_grey_16bit_keeps_full_depth(tmp_path) -> None:
    grey16 = (RNG.integers(0, 65536, size=(20, 30))).astype(np.uint16)
    path = tmp_path / "a16.png"
    Image.fromarray(grey16).save(path)
    study = load_study(path)
    np.testing.assert_array_equal(study.frames[0], grey16.astype(np.float32))
    assert study.frames.max() > 255


def test_rgb_uses_bt601_luma(tmp_path) -> None:
    study = load_study(write_png(tmp_path / "rgb.png", RGB8))
    expected = RGB8.astype(np.float64) @ np.array(LUMA_WEIGHTS)
    np.testing.assert_allclose(study.frames[0], expected, atol=1e-3)


def test_rgba_drops_alpha(tmp_path) -> None:
    alpha = RNG.integers(0, 256, size=(20, 30, 1), dtype=np.uint8)
    rgba = np.concatenate([RGB8, alpha], axis=2)
    study = load_study(write_png(tmp_path / "rgba.png", rgba))
    expected = RGB8.astype(np.float64) @ np.array(LUMA_WEIGHTS)
    np.testing.assert_allclose(study.frames[0], expected, atol=1e-3)


def test_grey_alpha_keeps_grey(tmp_path) -> None:
    path = tmp_path / "la.png"
    Image.fromarray(np.stack([GREY8, GREY8[::-1]], axis=2), mode="LA").save(path)
    study = load_study(path)
    np.testing.assert_array_equal(study.frames[0], GREY8)


def test_grey_stored_as_rgb_is_exact(tmp_path) -> None:
    study = load_study(write_png(tmp_path / "g.png", np.repeat(GREY8[..., None], 3, axis=2)))
    np.testing.assert_array_equal(study.frames[0], GREY8)


def test_palette(tmp_path) -> None:
    path = tmp_path / "p.png"
    image = Image.fromarray(RGB8).quantize(colors=16)
    image.save(path)
    rgb = np.asarray(image.convert("RGB")).astype(np.float64)
    study = load_study(path)
    np.testing.assert_allclose(study.frames[0], rgb @ np.array(LUMA_WEIGHTS), atol=1e-3)


def test_png_folder_is_a_stack_in_natural_order(tmp_path) -> None:
    for index in (1, 2, 10):
        write_png(tmp_path / f"slice{index}.png", np.full((8, 9), index, dtype=np.uint8))
    study = load_study(tmp_path)
    assert study.frames.shape == (3, 8, 9)
    assert [float(f[0, 0]) for f in study.frames] == [1.0, 2.0, 10.0]
    (info,) = list_series(tmp_path)
    assert info.n_frames == 3 and info.series_uid is None


def test_png_folder_mixed_sizes(tmp_path) -> None:
    write_png(tmp_path / "a.png", np.zeros((8, 9), dtype=np.uint8))
    write_png(tmp_path / "b.png", np.zeros((9, 9), dtype=np.uint8))
    with pytest.raises(StudyLoadError, match="mixed frame sizes"):
        load_study(tmp_path)


def test_truncated_png(tmp_path) -> None:
    path = write_png(tmp_path / "t.png", RGB8)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(StudyLoadError, match="PNG"):
        load_study(path)


def test_empty_folder(tmp_path) -> None:
    with pytest.raises(StudyLoadError, match="no DICOM or PNG images"):
        load_study(tmp_path)


def test_rgb_16bit_keeps_full_depth(tmp_path) -> None:
    rgb16 = RNG.integers(0, 65536, size=(6, 7, 3)).astype(np.uint16)
    path = tmp_path / "rgb16.png"
    path.write_bytes(png16_bytes(rgb16, color_type=2))
    study = load_study(path)
    expected = rgb16.astype(np.float64) @ np.array(LUMA_WEIGHTS)
    np.testing.assert_allclose(study.frames[0], expected, rtol=1e-6)


def test_grey_alpha_16bit_keeps_grey(tmp_path) -> None:
    la16 = RNG.integers(0, 65536, size=(6, 7, 2)).astype(np.uint16)
    path = tmp_path / "la16.png"
    path.write_bytes(png16_bytes(la16, color_type=4))
    study = load_study(path)
    np.testing.assert_array_equal(study.frames[0], la16[..., 0])


def test_rgba_16bit_truncated_is_typed(tmp_path) -> None:
    rgba16 = RNG.integers(0, 65536, size=(6, 7, 4)).astype(np.uint16)
    path = tmp_path / "rgba16.png"
    path.write_bytes(png16_bytes(rgba16, color_type=6)[:60])
    with pytest.raises(StudyLoadError, match="PNG"):
        load_study(path)
