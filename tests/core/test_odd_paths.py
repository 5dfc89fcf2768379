"""Odd input paths: FIFOs, devices, very long names, large non-DICOM files; no hang, no traceback."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from denoscope.core.errors import StudyLoadError
from denoscope.core.io import list_series, load_study
from denoscope.core.io.paths import may_be_dicom
from tests.core import bombs


def _cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "denoscope", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _series_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "series"
    folder.mkdir()
    bombs.native_dicom(folder, np.arange(64, dtype=np.uint16).reshape(8, 8), "a.dcm")
    return folder


def test_fifo_in_a_folder_is_skipped_with_a_note(tmp_path: Path, caplog) -> None:
    folder = _series_folder(tmp_path)
    os.mkfifo(folder / "pipe")
    os.mkfifo(folder / "pipe.png")
    with caplog.at_level(logging.WARNING, logger="denoscope.io"):
        assert len(list_series(folder)) == 1
        assert load_study(folder).n_frames == 1
    assert "pipe" in caplog.text and "not a regular file" in caplog.text


def test_info_on_a_folder_with_a_fifo_finishes(tmp_path: Path) -> None:
    folder = _series_folder(tmp_path)
    os.mkfifo(folder / "pipe")
    result = _cli("info", str(folder), timeout=60)
    assert result.returncode == 0, result.stderr
    assert "frames:" in result.stdout
    assert "skipped" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("name", ["fifo", "/dev/null", "/dev/zero"])
def test_non_regular_path_given_directly_is_a_typed_error(tmp_path: Path, name: str) -> None:
    if name == "fifo":
        path = tmp_path / "pipe.dcm"
        os.mkfifo(path)
    else:
        path = Path(name)
        if not path.exists():
            pytest.skip(f"{name} missing")
    with pytest.raises(StudyLoadError, match="not an image file or folder"):
        load_study(path)
    with pytest.raises(StudyLoadError, match="not an image file or folder"):
        list_series(path)
    result = _cli("info", str(path), timeout=60)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_very_long_file_name_is_a_typed_error(tmp_path: Path) -> None:
    path = tmp_path / ("x" * 300 + ".dcm")
    with pytest.raises(StudyLoadError, match="cannot examine this path"):
        load_study(path)
    result = _cli("info", str(path))
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_large_file_of_zeros_is_not_parsed(tmp_path: Path) -> None:
    folder = _series_folder(tmp_path)
    with open(folder / "zeros", "wb") as fp:
        fp.truncate(20 * 1024**2)  # 20 MB of zeros (sparse)
    assert not may_be_dicom(folder / "zeros")
    start = time.perf_counter()
    infos = list_series(folder)
    seconds = time.perf_counter() - start
    assert len(infos) == 1 and infos[0].n_files == 1
    assert seconds < 3.0, f"{seconds:.1f} s"  # parsing the zeros took 26 s


def test_raw_dataset_without_preamble_still_found(tmp_path: Path) -> None:
    import struct

    _, body = bombs._dicom_header(8, 8, transfer_syntax="1.2.840.10008.1.2.1")
    pixels = np.arange(64, dtype="<u2").tobytes()
    raw = tmp_path / "raw"
    raw.mkdir()
    # A raw explicit-VR dataset (no preamble, no file meta), starting at group 0x0008.
    (raw / "b").write_bytes(body + struct.pack("<HH2sHI", 0x7FE0, 0x0010, b"OW", 0, 128) + pixels)
    assert may_be_dicom(raw / "b")
    study = load_study(raw)
    np.testing.assert_array_equal(study.frames[0], np.arange(64).reshape(8, 8))


def test_unreadable_folder_is_a_typed_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every folder")
    folder = _series_folder(tmp_path)
    folder.chmod(0)
    try:
        with pytest.raises(StudyLoadError):
            load_study(folder)
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)


@pytest.mark.parametrize("force", [False, True])
def test_output_onto_a_fifo_or_device_is_refused(tmp_path: Path, force: bool) -> None:
    from denoscope.core.errors import ParameterError
    from denoscope.core.io.write import save_png16

    fifo = tmp_path / "out.png"
    os.mkfifo(fifo)
    for target in (fifo, Path("/dev/null")):
        with pytest.raises(ParameterError, match="not a regular file"):
            save_png16(target, np.zeros((4, 4)), overwrite=force)
    assert Path("/dev/null").is_char_device() and fifo.is_fifo()
