"""Model files as untrusted input: bounded JSON, the safetensors header checked first, a probe.

:func:`denoscope.core.checkpoint.load_model` uses these, in this order:

1. :func:`read_json_bounded` reads the card: at most :data:`MAX_CARD_BYTES`,
   nesting at most :data:`MAX_JSON_DEPTH` (checked by a linear scan before
   :func:`json.loads`, so 200,000 brackets are a typed error, not a
   ``RecursionError``). The card's size fields are bounded by the pydantic
   models (:mod:`denoscope.core.models.config`).
2. :func:`safetensors_header` reads only the weights file's JSON header
   (bounded too) and checks that every tensor's byte range lies in the file
   and matches its dtype and shape.
3. :func:`expected_shapes` builds the card's network on PyTorch's ``meta``
   device (no memory, no initialisation) and lists its tensor names and shapes;
   :func:`check_header_matches` compares them with the header **before** any
   real network is built or any weight is read.
4. After loading, :func:`probe_check` runs the network once on a fixed probe
   image: the output must be finite and inside [0, 1]. A weight tampered with
   and the card's checksum updated to match is caught here.
"""

from __future__ import annotations

import json
import math
import struct
from pathlib import Path
from typing import Any

import numpy as np

from denoscope.core.errors import ModelFileError

#: Largest model card accepted (bytes).
MAX_CARD_BYTES: int = 4 * 1024**2

#: Largest safetensors JSON header accepted (bytes).
MAX_HEADER_BYTES: int = 16 * 1024**2

#: Deepest JSON nesting accepted in a card or a safetensors header.
MAX_JSON_DEPTH: int = 64

#: Side of the probe image (dense-cae uses its fixed patch size instead).
PROBE_SIDE: int = 64

#: Output range tolerance of the probe (float rounding of a final clamp or sigmoid).
PROBE_TOLERANCE: float = 1e-4

_ITEMSIZE = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1}
_ITEMSIZE |= {"U8": 1, "U16": 2, "U32": 4, "U64": 8, "BOOL": 1}


def json_depth(text: str) -> int:
    """Return the deepest nesting of ``[`` and ``{`` in JSON text (strings skipped)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def parse_json_bounded(text: str, path: Path, what: str) -> Any:
    """Parse JSON text whose nesting is at most :data:`MAX_JSON_DEPTH`.

    Raises
    ------
    ModelFileError
        Too deep, or not valid JSON.
    """
    depth = json_depth(text)
    if depth > MAX_JSON_DEPTH:
        raise ModelFileError(
            f"the {what} is nested too deeply",
            path=path,
            got=f"depth {depth}",
            expected=f"at most {MAX_JSON_DEPTH}",
            fix="The file is corrupt or hostile; restore the model's original files",
        )
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError, ValueError) as error:
        raise ModelFileError(
            f"the {what} is not valid JSON",
            path=path,
            got=str(error)[:200],
            fix="restore the model's original files (the .safetensors and its .json card)",
        ) from error


def read_json_bounded(path: Path, what: str = "model card") -> Any:
    """Read a JSON file of at most :data:`MAX_CARD_BYTES` with a depth limit.

    Raises
    ------
    ModelFileError
        Too large, unreadable, not UTF-8, too deep or not JSON.
    """
    try:
        size = path.stat().st_size
        if size > MAX_CARD_BYTES:
            raise ModelFileError(
                f"the {what} is too large",
                path=path,
                got=f"{size} bytes",
                expected=f"at most {MAX_CARD_BYTES} bytes",
                fix="restore the card from the model's original files",
            )
        with open(path, "rb") as handle:
            raw = handle.read(MAX_CARD_BYTES + 1)
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ModelFileError(
            f"the {what} is not valid JSON", path=path, got=str(error)[:200]
        ) from error
    except OSError as error:
        raise ModelFileError(
            f"cannot read the {what}", path=path, got=error.strerror or type(error).__name__
        ) from error
    return parse_json_bounded(text, path, what)


def safetensors_header(path: Path) -> dict[str, tuple[str, tuple[int, ...]]]:
    """Read and check a safetensors file's header without reading any tensor.

    Returns
    -------
    dict
        Tensor name -> (dtype, shape).

    Raises
    ------
    ModelFileError
        Header too large, malformed, or a tensor's byte range that does not fit
        the file or its dtype and shape.
    """

    def bad(problem: str, got: str) -> ModelFileError:
        return ModelFileError(
            f"the weights file's safetensors header is invalid: {problem}",
            path=path,
            got=got[:300],
            fix="restore the original .safetensors file",
        )

    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            prefix = handle.read(8)
            if len(prefix) < 8:
                raise bad("the file is too short", f"{size} bytes")
            (length,) = struct.unpack("<Q", prefix)
            if length > MAX_HEADER_BYTES or length > size - 8:
                raise bad("header length out of range", f"{length} bytes in a {size}-byte file")
            text = handle.read(length).decode("utf-8")
    except UnicodeDecodeError as error:
        raise bad("not UTF-8", str(error)) from error
    except OSError as error:
        raise ModelFileError(
            "cannot read the weights file", path=path, got=error.strerror or str(error)
        ) from error
    header = parse_json_bounded(text, path, "safetensors header")
    if not isinstance(header, dict):
        raise bad("not a JSON object", type(header).__name__)
    data_size = size - 8 - length
    tensors: dict[str, tuple[str, tuple[int, ...]]] = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        try:
            dtype = str(entry["dtype"])
            shape = tuple(int(n) for n in entry["shape"])
            begin, end = (int(n) for n in entry["data_offsets"])
        except (KeyError, TypeError, ValueError) as error:
            raise bad(f"tensor {name!r} is malformed", repr(entry)) from error
        if dtype not in _ITEMSIZE or any(n < 0 for n in shape):
            raise bad(f"tensor {name!r} has an unknown dtype or a negative size", repr(entry))
        need = math.prod(shape) * _ITEMSIZE[dtype]
        if not 0 <= begin <= end <= data_size or end - begin != need:
            raise bad(
                f"tensor {name!r} does not fit the file",
                f"bytes {begin}-{end} of {data_size}, {need} needed for {dtype} {list(shape)}",
            )
        tensors[str(name)] = (dtype, shape)
    return tensors


def expected_shapes(config: Any) -> dict[str, tuple[int, ...]]:
    """Tensor names and shapes of the network a config describes, built on the meta device."""
    import torch

    from denoscope.core.models import build_model

    with torch.device("meta"):
        module = build_model(config)
    return {name: tuple(t.shape) for name, t in module.state_dict().items()}


def check_header_matches(
    header: dict[str, tuple[str, tuple[int, ...]]],
    expected: dict[str, tuple[int, ...]],
    path: Path,
    description: str,
) -> None:
    """Refuse weights whose tensor names or shapes differ from the card's architecture."""
    found = {name: shape for name, (_, shape) in header.items()}
    if found == expected:
        return
    missing = sorted(set(expected) - set(found))
    unexpected = sorted(set(found) - set(expected))
    wrong = sorted(n for n in set(expected) & set(found) if expected[n] != found[n])
    parts = []
    if missing:
        parts.append(f"missing {', '.join(missing[:5])}")
    if unexpected:
        parts.append(f"unexpected {', '.join(unexpected[:5])}")
    if wrong:
        parts.append(
            "wrong shapes " + ", ".join(f"{n} {found[n]} != {expected[n]}" for n in wrong[:5])
        )
    raise ModelFileError(
        "the weights do not fit the architecture in the card",
        path=path,
        got="; ".join(parts),
        expected=f"the tensors of {description}",
        fix="pair the weights with the card they were saved with",
    )


def probe_image(side: int = PROBE_SIDE) -> np.ndarray:
    """The fixed probe: a smooth ramp with a disc and seeded Gaussian noise, in [0, 1]."""
    yy, xx = np.mgrid[0:side, 0:side] / max(side - 1, 1)
    image = 0.2 + 0.5 * xx + 0.2 * ((xx - 0.5) ** 2 + (yy - 0.5) ** 2 < 0.08)
    noise = np.random.default_rng(20240601).normal(0.0, 0.05, (side, side))
    return np.clip(image + noise, 0.0, 1.0).astype(np.float32)


def probe_check(module: Any, path: Path) -> None:
    """Run the network once on :func:`probe_image`; refuse non-finite or out-of-range output.

    Raises
    ------
    ModelFileError
        The output has NaN or infinity, or leaves [0, 1].
    """
    import torch

    side = int(module.fixed_size or PROBE_SIDE)
    multiple = max(int(getattr(module, "stride_multiple", 1) or 1), 1)
    side = -(-side // multiple) * multiple
    x = torch.from_numpy(probe_image(side))[None, None]
    with torch.inference_mode():
        if getattr(module, "noise_level_input", False):
            y = module(x, noise_level=0.05)
        else:
            y = module(x)
    out = y.detach().float().cpu().numpy()
    finite = np.isfinite(out)
    low = float(out[finite].min()) if finite.any() else float("nan")
    high = float(out[finite].max()) if finite.any() else float("nan")
    if not finite.all() or low < -PROBE_TOLERANCE or high > 1 + PROBE_TOLERANCE:
        raise ModelFileError(
            "the network's output on a fixed probe image is "
            + ("not finite" if not finite.all() else "outside [0, 1]"),
            path=path,
            got=f"{int((~finite).sum())} non-finite value(s), range [{low:.4g}, {high:.4g}]",
            expected="finite values in [0, 1]",
            fix="The weights are corrupt or were tampered with (even if the checksum matches); "
            "restore the original model files",
        )
