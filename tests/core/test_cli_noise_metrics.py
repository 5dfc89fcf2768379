"""``denoscope noise`` and ``denoscope metrics`` end to end through the root CLI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pydicom.data import get_testdata_file
from skimage import data

from denoscope.cli import main
from denoscope.core.metrics import compute_metrics


def write_png16(path: Path, image01: np.ndarray) -> Path:
    Image.fromarray(np.round(image01 * 65535).astype(np.uint16)).save(path)
    return path


def parse(out: str) -> dict[str, str]:
    return dict(line.split(" ", 1) for line in out.strip().splitlines())


@pytest.fixture(scope="module")
def camera01() -> np.ndarray:
    return (data.camera()[::4, ::4] / 255.0).astype(np.float32)


def test_metrics_prints_every_metric_and_matches_the_library(tmp_path, camera01, capsys):
    blurred = camera01.copy()
    blurred[1:-1, 1:-1] = (camera01[:-2, 1:-1] + camera01[2:, 1:-1] + camera01[1:-1, 1:-1]) / 3
    ref = write_png16(tmp_path / "ref.png", camera01)
    test = write_png16(tmp_path / "test.png", blurred)
    assert main(["metrics", str(ref), str(test)]) == 0
    values = parse(capsys.readouterr().out)
    assert list(values) == ["psnr", "ssim", "mse", "mae", "gmsd", "grid", "lpips"]
    expected = compute_metrics(
        np.round(camera01 * 65535) / 65535, np.round(blurred * 65535) / 65535, data_range=1.0
    )
    assert float(values["psnr"]) == pytest.approx(expected.psnr, abs=0.01)
    assert float(values["ssim"]) == pytest.approx(expected.ssim, abs=1e-4)
    assert float(values["gmsd"]) == pytest.approx(expected.gmsd, abs=1e-4)
    if expected.lpips is not None:
        assert float(values["lpips"]) == pytest.approx(expected.lpips, abs=1e-4)


def test_metrics_identical_prints_inf(tmp_path, camera01, capsys):
    ref = write_png16(tmp_path / "ref.png", camera01)
    assert main(["metrics", str(ref), str(ref), "--no-lpips"]) == 0
    values = parse(capsys.readouterr().out)
    assert values["psnr"] == "inf" and values["mse"] == "0.000e+00"
    assert values["lpips"] == "unavailable"


def test_metrics_on_dicom_uses_the_ct_window(capsys):
    ct = get_testdata_file("CT_small.dcm")
    assert main(["metrics", ct, ct, "--no-lpips"]) == 0
    captured = capsys.readouterr()
    assert parse(captured.out)["ssim"] == "1.0000"
    assert "fixed [-1024, 3071]" in captured.err


def test_metrics_mismatched_sizes_fail_clearly(tmp_path, camera01, capsys):
    ref = write_png16(tmp_path / "ref.png", camera01)
    small = write_png16(tmp_path / "small.png", camera01[:64, :64])
    assert main(["metrics", str(ref), str(small)]) == 2
    err = capsys.readouterr().err
    assert "different sizes" in err and "128x128" in err and "64x64" in err


def test_metrics_unreadable_file_fails_clearly(tmp_path, camera01, capsys):
    ref = write_png16(tmp_path / "ref.png", camera01)
    junk = tmp_path / "junk.dcm"
    junk.write_bytes(b"not an image")
    assert main(["metrics", str(ref), str(junk)]) == 2
    assert "junk.dcm" in capsys.readouterr().err
    assert main(["metrics", str(ref), str(tmp_path / "missing.png")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_metrics_frame_out_of_range(tmp_path, camera01, capsys):
    ref = write_png16(tmp_path / "ref.png", camera01)
    assert main(["metrics", str(ref), str(ref), "--frame", "3", "--no-lpips"]) == 2
    assert "frame index out of range" in capsys.readouterr().err


def test_noise_writes_a_seeded_16bit_png_that_metrics_reads_back(tmp_path, camera01, capsys):
    from denoscope.core.io import load_study
    from denoscope.core.noise import add_noise

    src = write_png16(tmp_path / "clean.png", camera01)
    out = tmp_path / "noisy.png"
    args = ["noise", str(src), "--model", "gaussian", "--level", "0.1", "--seed", "0"]
    assert main([*args, "-o", str(out)]) == 0
    summary = capsys.readouterr().out
    assert "gaussian level 0.1" in summary and "seed 0" in summary
    with Image.open(out) as png:
        assert png.mode.startswith("I")  # 16-bit grey
    written = load_study(out).frames[0] / 65535.0
    expected = add_noise(np.round(camera01 * 65535) / 65535, "gaussian", 0.1, rng=0)
    np.testing.assert_allclose(written, expected, atol=1 / 65535)
    # Same seed, same file; the PSNR printed matches the metrics command.
    assert main(["metrics", str(src), str(out), "--no-lpips"]) == 0
    psnr_line = parse(capsys.readouterr().out)["psnr"]
    assert f"psnr vs clean {psnr_line} dB" in summary


def test_noise_refuses_to_overwrite_without_force(tmp_path, camera01, capsys):
    src = write_png16(tmp_path / "clean.png", camera01)
    out = tmp_path / "noisy.png"
    out.write_bytes(b"keep me")
    assert main(["noise", str(src), "-o", str(out)]) == 2
    assert "--force" in capsys.readouterr().err
    assert out.read_bytes() == b"keep me"
    assert main(["noise", str(src), "-o", str(out), "--force", "--model", "poisson"]) == 0
    assert out.read_bytes() != b"keep me"
    assert main(["noise", str(src), "-o", str(src), "--force"]) == 2
    assert "input" in capsys.readouterr().err


def test_noise_lowdose_ct_on_dicom_to_png_and_derived_dicom(tmp_path, capsys):
    from denoscope.core.io import load_study

    ct = get_testdata_file("CT_small.dcm")
    png = tmp_path / "ld.png"
    assert main(["noise", ct, "--model", "lowdose-ct", "--level", "0.05", "-o", str(png)]) == 0
    dcm = tmp_path / "ld.dcm"
    assert main(["noise", ct, "--model", "lowdose-ct", "--level", "0.05", "-o", str(dcm)]) == 0
    capsys.readouterr()
    derived = load_study(dcm)
    original = load_study(ct)
    assert derived.modality == "ct" and derived.shape == original.shape
    from_png = load_study(png).frames[0] / 65535.0 * 4095.0 - 1024.0
    np.testing.assert_allclose(derived.frames[0], from_png, atol=1.0)
    assert 0 < np.std(derived.frames[0] - np.clip(original.frames[0], -1024, 3071)) < 300


def test_noise_bad_level_and_choices_match_registry(tmp_path, camera01, capsys):
    from denoscope.cli import build_parser
    from denoscope.core.noise import NOISE_MODELS

    src = write_png16(tmp_path / "clean.png", camera01)
    assert main(["noise", str(src), "--level", "5", "-o", str(tmp_path / "o.png")]) == 2
    assert "out of range" in capsys.readouterr().err
    parser = build_parser()
    noise_parser = parser._subparsers._group_actions[0].choices["noise"]
    model_action = next(a for a in noise_parser._actions if a.dest == "model")
    assert set(model_action.choices) == set(NOISE_MODELS)
