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
    assert list(values) == ["psnr", "ssim", "mse", "mae", "gmsd", "lpips"]
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
    assert values["psnr"] == "inf" and values["mse"] == "0.000000"
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
