"""The fuzz and fault suite: generated hostile inputs and outputs, counted.

Every case is made here, in ``tmp_path``: hypothesis strategies for DICOM
headers (any geometry, transfer syntax, rescale, pixel-data length, deflate
bombs, JPEG 2000 streams that lie about their size), PNG headers, model cards,
odd paths (FIFOs, devices, dangling links, long names) and writers on read-only
or full disks. Each case must end in a result or in a typed
:class:`~denoscope.core.errors.DenoscopeError`; anything else (a traceback, a
hang past :data:`CASE_SECONDS`) is counted as "other" and fails the test.

The counts (cases tried, results, typed errors, other) are printed at the end
of the module, e.g. ``fault suite: 412 cases, 131 results, 281 typed errors,
0 other``.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import signal
import struct
import zlib
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from denoscope.core.errors import DenoscopeError
from denoscope.core.io import list_series, load_study
from tests.core import bombs
from tests.core.faults import FakeFullDisk

#: Longest a single case may take before it counts as a hang.
CASE_SECONDS = 20

#: Memory limit for generated studies (keeps every accepted case small).
LIMIT = 64 * 1024**2

SUITE = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

COUNTS: Counter[str] = Counter()
OTHER: list[str] = []


@pytest.fixture(scope="module", autouse=True)
def _report(request):
    yield
    line = (
        f"fault suite: {COUNTS['cases']} cases, {COUNTS['result']} results, "
        f"{COUNTS['typed']} typed errors, {COUNTS['other']} other"
    )
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
        print(f"\n{line}")


class _Hang(Exception):
    pass


@contextlib.contextmanager
def _deadline(seconds: int = CASE_SECONDS):
    def alarm(signum, frame):
        raise _Hang(f"no result after {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _classify(label: str, action) -> str:
    """Run one case; count it as a result, a typed error or other."""
    COUNTS["cases"] += 1
    try:
        with _deadline():
            action()
    except DenoscopeError:
        COUNTS["typed"] += 1
        return "typed"
    except Exception as exc:  # noqa: BLE001 - the point: anything untyped is a defect
        COUNTS["other"] += 1
        OTHER.append(f"{label}: {type(exc).__name__}: {exc}"[:300])
        return "other"
    COUNTS["result"] += 1
    return "result"


def _load_checked(path: Path) -> None:
    list_series(path)
    study = load_study(path, max_bytes=LIMIT)
    assert study.frames.dtype == np.float32 and np.isfinite(study.frames).all()


def _assert_no_other() -> None:
    assert not OTHER, "\n".join(OTHER[:10])


# ----------------------------------------------------------------------------- DICOM headers

_SHORT_VR = {"US", "UI", "CS", "IS", "DS", "LO"}


def _element(group: int, element: int, vr: str, value: bytes) -> bytes:
    if len(value) % 2:
        value += b"\0" if vr in ("UI", "OB") else b" "
    if vr in _SHORT_VR:
        return struct.pack("<HH2sH", group, element, vr.encode(), len(value)) + value
    return struct.pack("<HH2sHI", group, element, vr.encode(), 0, len(value)) + value


def _us(value: int) -> bytes:
    return struct.pack("<H", value & 0xFFFF)


_TEXT_NUMBERS = st.sampled_from(["1", "0", "-1", "2", "3", "abc", "", "1e9", "nan", "100000"])
_DECIMALS = st.sampled_from(["1", "0", "-1024", "0.5", "nan", "inf", "-inf", "1e308", "x", ""])
_SYNTAXES = st.sampled_from(
    [
        "1.2.840.10008.1.2.1",  # explicit VR little endian
        "1.2.840.10008.1.2.1.99",  # deflated
        "1.2.840.10008.1.2.4.90",  # JPEG 2000 lossless
        "1.2.840.10008.1.2.5",  # RLE
        "1.2.840.10008.1.2.4.50",  # JPEG baseline
        "1.2.3.4.5",  # unknown
    ]
)

dicom_headers = st.fixed_dictionaries(
    {
        "rows": st.one_of(st.integers(1, 48), st.sampled_from([0, 65535])),
        "columns": st.one_of(st.integers(1, 48), st.sampled_from([0, 65535])),
        "frames": _TEXT_NUMBERS,
        "samples": st.sampled_from([1, 1, 1, 3, 0, 4]),
        "photometric": st.sampled_from(
            ["MONOCHROME2", "MONOCHROME1", "RGB", "PALETTE COLOR", "YBR_FULL", "HSV", ""]
        ),
        "bits": st.sampled_from([8, 16, 16, 32, 1, 12, 0, 64]),
        "stored": st.sampled_from([8, 12, 16, 0, 40]),
        "signed": st.sampled_from([0, 1, 2]),
        "slope": _DECIMALS,
        "intercept": _DECIMALS,
        "window": _DECIMALS,
        "syntax": _SYNTAXES,
        "length": st.sampled_from(["exact", "short", "empty", "long", "odd"]),
        "bomb_mib": st.sampled_from([0, 0, 0, 40]),
        "stream_side": st.sampled_from([None, 64, 8000]),
    }
)


def _dicom_bytes(h: dict) -> bytes:
    from pydicom.dataset import FileMetaDataset
    from pydicom.filebase import DicomBytesIO
    from pydicom.filewriter import write_file_meta_info

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    meta.MediaStorageSOPInstanceUID = "1.2.3.4"
    meta.TransferSyntaxUID = h["syntax"]
    head = DicomBytesIO()
    head.write(b"\0" * 128 + b"DICM")
    write_file_meta_info(head, meta, enforce_standard=True)
    body = b"".join(
        [
            _element(0x0008, 0x0016, "UI", b"1.2.840.10008.5.1.4.1.1.7"),
            _element(0x0008, 0x0060, "CS", b"CT"),
            _element(0x0020, 0x000E, "UI", b"1.2.3.4.5"),
            _element(0x0028, 0x0002, "US", _us(h["samples"])),
            _element(0x0028, 0x0004, "CS", h["photometric"].encode()),
            _element(0x0028, 0x0008, "IS", h["frames"].encode()),
            _element(0x0028, 0x0010, "US", _us(h["rows"])),
            _element(0x0028, 0x0011, "US", _us(h["columns"])),
            _element(0x0028, 0x0100, "US", _us(h["bits"])),
            _element(0x0028, 0x0101, "US", _us(h["stored"])),
            _element(0x0028, 0x0102, "US", _us(max(h["stored"] - 1, 0))),
            _element(0x0028, 0x0103, "US", _us(h["signed"])),
            _element(0x0028, 0x1050, "DS", h["window"].encode()),
            _element(0x0028, 0x1051, "DS", b"400"),
            _element(0x0028, 0x1052, "DS", h["intercept"].encode()),
            _element(0x0028, 0x1053, "DS", h["slope"].encode()),
        ]
    )
    try:
        frames = max(int(h["frames"]), 1)
    except ValueError:
        frames = 1
    declared = h["rows"] * h["columns"] * max(frames, 1) * max(h["samples"], 1)
    declared = declared * max(h["bits"], 1) // 8
    size = {
        "exact": declared,
        "short": declared // 2,
        "empty": 0,
        "long": declared + 64,
        "odd": declared + 1,
    }[h["length"]]
    size = min(size, 256 * 1024)
    rng = np.random.default_rng(size)
    pixels = rng.integers(0, 256, size, dtype=np.uint8).tobytes()
    if h["syntax"] in ("1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.5", "1.2.840.10008.1.2.4.50"):
        from pydicom.encaps import encapsulate

        if h["syntax"].endswith(".90") and h["stream_side"]:
            side = h["stream_side"]
            fragment = bombs.j2k_codestream_header(side, side) + pixels[:512]
        else:
            fragment = pixels[:4096] or b"\0\0"
        data = encapsulate([fragment]) + struct.pack("<HHI", 0xFFFE, 0xE0DD, 0)
        return (
            head.getvalue()
            + body
            + struct.pack("<HH2sHI", 0x7FE0, 0x0010, b"OB", 0, 0xFFFFFFFF)
            + data
        )
    if size % 2:
        pixels += b"\0"
    tail = struct.pack("<HH2sHI", 0x7FE0, 0x0010, b"OW", 0, len(pixels) + h["bomb_mib"] * 2**20)
    dataset = body + tail + pixels
    if h["syntax"].endswith(".99"):
        compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
        deflated = compressor.compress(dataset)
        if h["bomb_mib"]:
            deflated += bombs._deflate_zeros(compressor, h["bomb_mib"] * 2**20)
        return head.getvalue() + deflated + compressor.flush()
    return head.getvalue() + dataset


@SUITE
@given(header=dicom_headers)
def test_generated_dicom_headers(tmp_path_factory, header) -> None:
    path = tmp_path_factory.mktemp("dicom") / "case.dcm"
    path.write_bytes(_dicom_bytes(header))
    _classify(f"dicom {header}", lambda: _load_checked(path))
    _assert_no_other()


# ----------------------------------------------------------------------------- PNG headers


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


png_headers = st.fixed_dictionaries(
    {
        "width": st.one_of(st.integers(1, 40), st.sampled_from([0, 20000, 2**31 - 1])),
        "height": st.one_of(st.integers(1, 40), st.sampled_from([0, 20000])),
        "depth": st.sampled_from([1, 2, 4, 8, 16, 3, 0]),
        "colour": st.sampled_from([0, 2, 3, 4, 6, 1]),
        "interlace": st.sampled_from([0, 0, 1, 2]),
        "data": st.sampled_from(["right", "zeros-bomb", "random", "short", "none"]),
        "palette": st.booleans(),
    }
)


def _png_bytes(h: dict) -> bytes:
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}.get(h["colour"], 1)
    row = 1 + (h["width"] * channels * max(h["depth"], 1) + 7) // 8
    rows = min(h["height"], 4096)
    if h["data"] == "right" and row * rows <= 2**20:
        raw = bytes(row * rows)
    elif h["data"] == "zeros-bomb":
        raw = bytes(min(row * rows, 64 * 2**20))
    elif h["data"] == "random":
        raw = np.random.default_rng(h["width"]).integers(0, 256, 4096, np.uint8).tobytes()
    elif h["data"] == "short":
        raw = bytes(min(row * rows // 2, 2**20))
    else:
        raw = b""
    ihdr = struct.pack(
        ">IIBBBBB", h["width"], h["height"], h["depth"], h["colour"], 0, 0, h["interlace"]
    )
    out = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr)
    if h["palette"]:
        out += _chunk(b"PLTE", bytes(range(48)))
    if raw or h["data"] != "none":
        out += _chunk(b"IDAT", zlib.compress(raw, 9))
    return out + _chunk(b"IEND", b"")


@SUITE
@given(header=png_headers)
def test_generated_png_headers(tmp_path_factory, header) -> None:
    path = tmp_path_factory.mktemp("png") / "case.png"
    path.write_bytes(_png_bytes(header))
    _classify(f"png {header}", lambda: _load_checked(path))
    _assert_no_other()


# ----------------------------------------------------------------------------- model cards


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory) -> Path:
    torch = pytest.importorskip("torch")
    from denoscope.core.checkpoint import save_model
    from denoscope.core.model_card import ModelCard
    from denoscope.core.models import build_model
    from denoscope.core.models.config import ResCAEConfig

    config = ResCAEConfig(widths=(4, 4), bottleneck_convs=0)
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("model") / "m.safetensors"
    save_model(path, build_model(config), ModelCard(name="m", architecture=config, modality="ct"))
    return path


_WIDTH = st.one_of(st.integers(1, 8), st.sampled_from([0, -1, 513, 4096, 10**5, 10**9]))
architectures = st.one_of(
    st.fixed_dictionaries(
        {
            "arch": st.just("res-cae"),
            "widths": st.lists(_WIDTH, min_size=0, max_size=7),
            "convs_per_level": st.integers(-1, 6),
            "bottleneck_convs": st.integers(-1, 10),
        }
    ),
    st.fixed_dictionaries(
        {"arch": st.just("cae"), "channels": st.lists(_WIDTH, min_size=2, max_size=2)}
    ),
    st.fixed_dictionaries({"arch": st.just("dncnn"), "depth": st.integers(0, 50), "width": _WIDTH}),
    st.fixed_dictionaries(
        {
            "arch": st.sampled_from(["dense-cae", "unet", ""]),
            "hidden": _WIDTH,
            "patch_size": st.integers(0, 300),
        }
    ),
)
_JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8))
json_values = st.recursive(
    _JSON_LEAF,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=12,
)


@SUITE
@given(
    architecture=architectures,
    extra=json_values,
    depth=st.sampled_from([0, 0, 100, 5000]),
    key=st.sampled_from(["validation_metrics", "notes", "surprise", "normalization"]),
)
def test_generated_model_cards(tiny_model, tmp_path_factory, architecture, extra, depth, key):
    from denoscope.core.checkpoint import load_model

    folder = tmp_path_factory.mktemp("card")
    weights = folder / "m.safetensors"
    weights.write_bytes(tiny_model.read_bytes())
    card = json.loads(tiny_model.with_suffix(".json").read_text())
    card["architecture"] = architecture
    value = "[" * depth + json.dumps(extra) + "]" * depth
    text = json.dumps(card)[:-1] + f', "{key}": {value}}}'
    weights.with_suffix(".json").write_text(text)
    _classify(f"card {architecture} {key} depth {depth}", lambda: load_model(weights))
    _assert_no_other()


# ----------------------------------------------------------------------------- odd paths


def _odd_paths(root: Path) -> list[Path]:
    folder = root / "series"
    folder.mkdir()
    bombs.native_dicom(folder, np.arange(64, dtype=np.uint16).reshape(8, 8), "a.dcm")
    os.mkfifo(folder / "pipe.dcm")
    (folder / "dangling").symlink_to(root / "nowhere")
    (folder / "loop").symlink_to(folder, target_is_directory=True)
    (folder / "empty.dcm").write_bytes(b"")
    (folder / "dir.dcm").mkdir()
    with open(folder / "zeros", "wb") as fp:
        fp.truncate(5 * 2**20)
    paths = [
        folder,
        folder / "pipe.dcm",
        folder / "dangling",
        folder / "empty.dcm",
        folder / "dir.dcm",
        folder / "zeros",
        root / ("n" * 300),
        root / "missing",
        Path("/dev/null"),
        Path("/dev/zero"),
    ]
    return [p for p in paths if not str(p).startswith("/dev/") or p.exists()]


def test_odd_paths(tmp_path: Path) -> None:
    for path in _odd_paths(tmp_path):
        _classify(f"path {path}", lambda path=path: _load_checked(path))
    _assert_no_other()


# ----------------------------------------------------------------------------- faulty outputs

writers = st.sampled_from(["png16", "text", "dicom", "model"])
faults = st.one_of(
    st.tuples(st.just("enospc"), st.integers(0, 3000)),
    st.tuples(st.just("exists"), st.just(0)),
    st.tuples(st.just("missing-folder"), st.just(0)),
    st.tuples(st.just("readonly"), st.just(0)),
)


def _readonly(folder: Path, mp: pytest.MonkeyPatch) -> None:
    """Fake a read-only folder (root ignores permissions): creating a file there fails."""
    import tempfile

    real = tempfile.mkstemp

    def mkstemp(*args, **kwargs):
        if Path(kwargs.get("dir") or ".").resolve() == folder.resolve():
            raise PermissionError(errno.EROFS, os.strerror(errno.EROFS), str(folder))
        return real(*args, **kwargs)

    mp.setattr(tempfile, "mkstemp", mkstemp)


def _write(kind: str, out: Path, root: Path, *, overwrite: bool) -> None:
    from denoscope.core.io.outputs import write_text
    from denoscope.core.io.write import save_derived_dicom, save_png16

    if kind == "png16":
        save_png16(out, np.random.default_rng(0).random((64, 64)), overwrite=overwrite)
    elif kind == "text":
        write_text(out, json.dumps({"x": list(range(2000))}), overwrite=overwrite)
    elif kind == "dicom":
        image = np.random.default_rng(1).integers(0, 3000, (32, 32)).astype(np.uint16)
        study = load_study(bombs.native_dicom(root, image, "src.dcm"))
        save_derived_dicom(out, study, 0, study.frames[0], description="t", overwrite=overwrite)
    else:
        from denoscope.core.checkpoint import save_model
        from denoscope.core.model_card import ModelCard
        from denoscope.core.models import build_model
        from denoscope.core.models.config import CAEConfig

        config = CAEConfig(channels=(2, 2))
        card = ModelCard(name="m", architecture=config, modality="ct")
        if not overwrite and out.exists():  # save_model replaces: the caller checks first
            from denoscope.core.io.outputs import check_output

            check_output(out, overwrite=False)
        save_model(out, build_model(config), card)


@settings(SUITE, max_examples=60)
@given(kind=writers, fault=faults)
def test_writers_under_faults(tmp_path_factory, kind, fault) -> None:
    pytest.importorskip("torch")
    root = tmp_path_factory.mktemp("out")
    folder = root / "target"
    folder.mkdir()
    suffix = {"png16": ".png", "text": ".json", "dicom": ".dcm", "model": ".safetensors"}[kind]
    out = folder / f"x{suffix}"
    name, budget = fault
    if name == "exists":
        out.write_bytes(b"old")
    if name == "missing-folder":
        out = folder / "not-there" / out.name
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    with pytest.MonkeyPatch.context() as mp:
        if name == "enospc":
            FakeFullDisk(folder, budget=budget).install(mp)
        if name == "readonly":
            _readonly(folder, mp)
        outcome = _classify(
            f"write {kind} {fault}", lambda: _write(kind, out, root, overwrite=False)
        )
    after = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    if outcome == "typed":  # nothing half-written, nothing replaced, no temporary left behind
        assert after == before, (kind, fault, sorted(after))
    _assert_no_other()
