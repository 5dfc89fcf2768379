"""``denoscope view --screenshot``: the real command renders the viewer offscreen to a PNG."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import torch

    from denoscope.core.checkpoint import save_model
    from denoscope.core.model_card import ModelCard
    from denoscope.core.models import ResCAEConfig, build_model

    torch.manual_seed(0)
    config = ResCAEConfig(widths=(4, 8), convs_per_level=1, bottleneck_convs=1)
    path = tmp_path_factory.mktemp("model") / "tiny.safetensors"
    save_model(
        path, build_model(config), ModelCard(name="tiny", architecture=config, modality="ct")
    )
    return path


def test_view_screenshot_writes_the_window(tmp_path: Path, tiny_model: Path) -> None:
    out = tmp_path / "shot.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", DENOSCOPE_SETTINGS=str(tmp_path / "s.ini"))
    command = [
        sys.executable,
        "-m",
        "denoscope",
        "view",
        "--sample",
        "ct",
        "--noise",
        "gaussian",
        "--level",
        "0.05",
        "--seed",
        "1",
        "--device",
        "cpu",
        "--model",
        str(tiny_model),
        "--screenshot",
        str(out),
    ]
    proc = subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=240, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"wrote {out}" in proc.stdout
    image = np.asarray(Image.open(out).convert("L"))
    assert image.shape[0] >= 600 and image.shape[1] >= 1000
    assert image.std() > 5  # panes with images, not an empty window

    before = out.read_bytes()
    again = subprocess.run(command, capture_output=True, text=True, env=env, timeout=240)
    assert again.returncode == 2 and "--force" in again.stderr, again.stderr
    assert "Traceback" not in again.stderr
    assert out.read_bytes() == before


def test_view_reports_a_missing_file(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "denoscope",
            "view",
            str(tmp_path / "nope.dcm"),
            "--screenshot",
            "x.png",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2
    assert "no such file or folder" in proc.stderr
    assert "Traceback" not in proc.stderr
