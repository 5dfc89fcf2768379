"""The real window on a real X server (Xvfb, xcb platform): open, denoise, export, close.

Skipped where Xvfb is not installed (``.ci/run`` installs it on Debian when it can);
the offscreen suite covers the same code without it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DRIVER = Path(__file__).with_name("xcb_driver.py")

pytestmark = pytest.mark.skipif(shutil.which("Xvfb") is None, reason="Xvfb is not installed")


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny untrained res-cae (seeded)."""
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


@pytest.fixture
def xvfb_display():
    """A private Xvfb server; yields its DISPLAY string."""
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    try:
        with os.fdopen(read) as pipe:
            number = pipe.readline().strip()
        if not number:
            pytest.fail("Xvfb did not start")
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.slow
def test_real_window_opens_denoises_exports_and_closes(
    xvfb_display: str, tiny_model: Path, tmp_path: Path
) -> None:
    from denoscope.app.platform_check import check_display_libraries

    env = dict(os.environ, DISPLAY=xvfb_display, QT_QPA_PLATFORM="xcb")
    env.pop("WAYLAND_DISPLAY", None)
    hint = check_display_libraries(env)
    if hint is not None:
        pytest.skip(hint)
    proc = subprocess.run(
        [sys.executable, str(DRIVER), str(tmp_path), str(tiny_model)],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "PLATFORM xcb" in proc.stdout
    assert (tmp_path / "comparison.png").stat().st_size > 10_000
    assert (tmp_path / "comparison.json").exists()
    closed = float(proc.stdout.split("CLOSED ")[1].split()[0])
    assert closed < 1.0
    assert "Traceback" not in proc.stderr
