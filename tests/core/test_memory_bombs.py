"""Memory: bombs are refused at <= 300 MB peak RSS, and the estimate bounds every real load.

Each load runs in a fresh Python so its peak resident memory (VmHWM) can be
read; the bombs are generated in ``tmp_path`` (small on disk).
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

import numpy as np
import pytest

from denoscope.core.errors import StudyLoadError, StudyTooLargeError
from denoscope.core.io import load_study
from denoscope.core.io.limits import (
    DEFAULT_MAX_BYTES,
    WORK_FLOAT64,
    WORK_GREY,
    estimate_bytes,
    max_study_bytes,
    parse_size,
    set_max_study_bytes,
)
from tests.core import bombs

PEAK_LIMIT_MIB = 300.0


def _result(stdout: str) -> str:
    lines = [line for line in stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, stdout
    return lines[-1]


@pytest.mark.parametrize(
    ("make", "error"),
    [
        pytest.param(lambda d: bombs.deflated_dicom_bomb(d), StudyTooLargeError, id="deflate"),
        pytest.param(lambda d: bombs.png_bomb(d, side=13000), StudyTooLargeError, id="png-13000"),
        pytest.param(
            lambda d: bombs.png_bomb(d, side=7000, bit_depth=16, colour_type=2),
            StudyTooLargeError,
            id="png-rgb16",
        ),
        pytest.param(lambda d: bombs.j2k_dicom_mismatch(d), StudyLoadError, id="j2k-8000"),
        pytest.param(lambda d: bombs.sparse_tiff(d, side=30000), StudyTooLargeError, id="tiff"),
    ],
)
def test_bomb_refused_with_bounded_memory(tmp_path: Path, make, error) -> None:
    path = make(tmp_path)
    assert path.stat().st_blocks * 512 < 2 * 1024**2  # small on disk
    peak, stdout = bombs.run_child(bombs.load_in_child(path))
    result = _result(stdout)
    print(f"{path.name}: peak {peak:.0f} MiB, {result[:90]}")
    assert result.startswith(f"RESULT {error.__name__} "), result
    assert str(path) in result
    assert peak <= PEAK_LIMIT_MIB, f"peak {peak:.0f} MiB: {result}"


def test_deflate_bomb_message_names_the_cause(tmp_path: Path) -> None:
    path = bombs.deflated_dicom_bomb(tmp_path, inflated_mib=64)
    with pytest.raises(StudyTooLargeError, match="decompression bomb"):
        load_study(path)


def test_deflated_dicom_still_loads(tmp_path: Path) -> None:
    image = (np.arange(48 * 40, dtype=np.uint16).reshape(48, 40) * 7) % 4096
    study = load_study(bombs.deflated_dicom(tmp_path, image))
    np.testing.assert_array_equal(study.frames[0], image.astype(np.float32))
    assert study.transfer_syntax == "Deflated Explicit VR Little Endian"


def test_png_bomb_refused_before_decoding_says_how_to_raise(tmp_path: Path) -> None:
    path = bombs.png_bomb(tmp_path, side=13000)
    with pytest.raises(StudyTooLargeError, match="--max-memory") as info:
        load_study(path)
    assert "13000x13000" in str(info.value)


def test_limit_can_be_raised_and_lowered(tmp_path: Path) -> None:
    from PIL import Image

    path = tmp_path / "small.png"
    Image.fromarray(np.zeros((512, 512), np.uint8)).save(path)  # ~2.6 MB estimate
    assert max_study_bytes() == DEFAULT_MAX_BYTES
    set_max_study_bytes(1024**2)
    try:
        with pytest.raises(StudyTooLargeError):
            load_study(path)
        assert load_study(path, max_bytes=64 * 1024**2).n_frames == 1
    finally:
        set_max_study_bytes(None)
    assert load_study(path).n_frames == 1


@pytest.mark.parametrize(
    ("text", "value"), [("512M", 512 * 1024**2), ("4G", 4 * 1024**3), ("2GiB", 2 * 1024**3)]
)
def test_parse_size(text: str, value: int) -> None:
    assert parse_size(text) == value


@pytest.mark.parametrize("text", ["", "-1G", "1X", "nan", "10"])
def test_parse_size_rejects(text: str) -> None:
    from denoscope.core.errors import ParameterError

    with pytest.raises(ParameterError):
        parse_size(text)


def _kinds(folder: Path, side: int) -> dict[str, tuple[Path, float]]:
    """Files of every image kind, with the loader's estimate of their peak bytes."""
    import png as pypng
    import tifffile
    from PIL import Image

    rng = np.random.default_rng(0)
    a8 = rng.integers(0, 256, (side, side), dtype=np.uint8)
    a16 = rng.integers(0, 4096, (side, side), dtype=np.uint16)
    rgb8 = np.stack([a8, a8[::-1], a8.T], -1)
    out: dict[str, tuple[Path, float]] = {}

    def est(samples: int, bps: float, work: float) -> float:
        return estimate_bytes(
            rows=side,
            columns=side,
            frames=1,
            samples=samples,
            bytes_per_sample=bps,
            work_bytes_per_pixel=work,
        )

    Image.fromarray(a8).save(folder / "l8.png")
    out["png L8"] = (folder / "l8.png", est(1, 1, WORK_GREY))
    Image.fromarray(a16).save(folder / "l16.png")
    out["png L16"] = (folder / "l16.png", est(1, 2, WORK_GREY))
    Image.fromarray(rgb8).save(folder / "rgb8.png")
    out["png RGB8"] = (folder / "rgb8.png", est(3, 1, WORK_FLOAT64))
    with open(folder / "rgb16.png", "wb") as fp:
        rgb16 = np.stack([a16, a16[::-1], a16.T], -1).reshape(side, -1)
        pypng.Writer(side, side, greyscale=False, bitdepth=16).write(fp, rgb16)
    out["png RGB16"] = (folder / "rgb16.png", est(3, 2, WORK_FLOAT64))
    tifffile.imwrite(folder / "u16.tif", a16)
    out["tiff u16"] = (folder / "u16.tif", est(1, 2, WORK_GREY))
    tifffile.imwrite(folder / "f32.tif", a16.astype(np.float32))
    out["tiff f32"] = (folder / "f32.tif", est(1, 4, WORK_GREY))
    tifffile.imwrite(folder / "rgb.tif", rgb8, photometric="rgb")
    out["tiff rgb8"] = (folder / "rgb.tif", est(3, 1, WORK_FLOAT64))
    out["dicom u16"] = (bombs.native_dicom(folder, a16), est(1, 2, WORK_FLOAT64))
    import pydicom
    from pydicom.uid import JPEG2000Lossless

    ds = pydicom.dcmread(out["dicom u16"][0])
    ds.compress(JPEG2000Lossless, a16, encoding_plugin="pylibjpeg")
    ds.save_as(folder / "j2k.dcm")
    out["dicom j2k"] = (folder / "j2k.dcm", est(1, 2, WORK_FLOAT64))
    return out


def test_estimate_bounds_measured_peak_of_every_kind(tmp_path: Path) -> None:
    """The loader's estimate is at least the measured peak (VmHWM) for every image kind."""
    kinds = _kinds(tmp_path, 1024)
    # One child imports the readers once, then forks one grandchild per kind: each load
    # runs in a fresh address space (freed memory is not reused), without re-importing.
    code = bombs.PRELOAD + (
        "import os, sys\n"
        "def _rss(key):\n"
        "    for line in open('/proc/self/status'):\n"
        "        if line.startswith(key):\n"
        "            return int(line.split()[1]) * 1024\n"
        "def measure(name, path):\n"
        "    sys.stdout.flush()\n"
        "    pid = os.fork()\n"
        "    if pid == 0:\n"
        "        open('/proc/self/clear_refs', 'w').write('5')\n"
        "        base = _rss('VmRSS:')\n"
        "        study = load_study(path)\n"
        "        print('KIND', name, _rss('VmHWM:') - base, flush=True)\n"
        "        os._exit(0)\n"
        "    os.waitpid(pid, 0)\n"
    )
    for name, (path, _) in kinds.items():
        code += f"measure({name!r}, {str(path)!r})\n"
    _, stdout = bombs.run_child(code, timeout=120)
    measured = {
        m.group(1): int(m.group(2)) for m in re.finditer(r"KIND (.+) (\d+)$", stdout, re.MULTILINE)
    }
    assert set(measured) == set(kinds), stdout
    for name, (_, estimate) in kinds.items():
        print(f"{name}: measured {measured[name] / 2**20:.1f} MiB, estimate {estimate / 2**20:.1f}")
    over = {
        name: measured[name] for name, (_, estimate) in kinds.items() if measured[name] > estimate
    }
    assert not over, over


def test_dicom_declaring_huge_frames_refused_before_reading_pixels(tmp_path: Path) -> None:
    path = bombs.native_dicom(tmp_path, np.zeros((8, 8), np.uint16))
    data = bytearray(path.read_bytes())
    # Rows (0028,0010) US: patch the value to 65535 and NumberOfFrames is absent -> 1 frame;
    # Columns too: 65535^2 pixels.
    for element in (0x0010, 0x0011):
        tag = struct.pack("<HH", 0x0028, element) + b"US" + struct.pack("<H", 2)
        at = data.index(tag) + len(tag)
        data[at : at + 2] = struct.pack("<H", 65535)
    path.write_bytes(bytes(data))
    with pytest.raises(StudyTooLargeError, match="65535x65535"):
        load_study(path)
