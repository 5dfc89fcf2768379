"""The desktop build: its desktop entry and metainfo validate; the frozen app runs without the venv.

The frozen app itself is built by ``make dist`` (17-57 minutes at nice 19 on the loaded 2-core
development machines and 1.2 GB; not part of ``make test``). The smoke test runs
when one exists: ``$DENOSCOPE_FROZEN_APP`` or ``dist/Denoscope/Denoscope``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"


def _frozen_app() -> Path | None:
    candidate = Path(
        os.environ.get("DENOSCOPE_FROZEN_APP", ROOT / "dist" / "Denoscope" / "Denoscope")
    )
    return candidate if candidate.is_file() else None


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="no desktop-file-utils")
def test_desktop_entry_validates() -> None:
    proc = subprocess.run(
        ["desktop-file-validate", str(PACKAGING / "denoscope.desktop")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0 and not proc.stdout.strip(), proc.stdout + proc.stderr


@pytest.mark.skipif(shutil.which("appstreamcli") is None, reason="no appstreamcli")
def test_metainfo_validates() -> None:
    proc = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(PACKAGING / "denoscope.metainfo.xml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_icon_is_a_256_px_png() -> None:
    from PIL import Image

    with Image.open(PACKAGING / "denoscope.png") as icon:
        assert icon.format == "PNG" and icon.size == (256, 256)


@pytest.mark.slow
@pytest.mark.skipif(_frozen_app() is None, reason="no frozen app (make dist builds one)")
def test_frozen_app_writes_a_screenshot_without_the_venv(tmp_path: Path) -> None:
    app = _frozen_app()
    out = tmp_path / "shot.png"
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [str(app), "--cli", "view", "--sample", "ct", "--screenshot", str(out), "--timeout", "300"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert out.stat().st_size > 50_000
    assert "Traceback" not in proc.stderr
    assert "unavailable" not in proc.stderr.lower()  # the model and LPIPS are inside
