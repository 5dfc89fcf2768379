"""Memory limit on a study, checked from its declared size before any decoding.

The estimate of a load's peak memory is

    FIXED_BYTES + pixels x (2 x samples x bytes_per_sample + work_bytes_per_pixel)

two copies of the decoded samples (the decoder's buffer and the array made
from it) plus the working arrays of the pixel pipeline:
:data:`WORK_GREY` for grey PNG/TIFF (one float32 frame), :data:`WORK_FLOAT64`
where a float64 image is computed (DICOM modality LUT, colour luminance).
These constants are measured, not guessed: ``tests/core/test_memory_bombs.py``
loads every image kind in a fresh process and asserts that the measured peak
(VmHWM) stays below the estimate.

The limit in force is, in order: the ``max_bytes`` argument, the process-wide
value set by :func:`set_max_study_bytes` (the CLI's ``--max-memory``), the
``DENOSCOPE_MAX_STUDY_BYTES`` environment variable, :data:`DEFAULT_MAX_BYTES`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from denoscope.core.errors import ParameterError, StudyTooLargeError

#: Default limit on the memory one study load may take (1 GiB): a 512x512 CT series of
#: 1000 slices, or a 16-bit 4096x5120 mammogram, fits; raise it with ``--max-memory``.
DEFAULT_MAX_BYTES: int = 1024**3

#: Environment variable that overrides :data:`DEFAULT_MAX_BYTES` (bytes, or e.g. "4G").
MAX_BYTES_ENV: str = "DENOSCOPE_MAX_STUDY_BYTES"

#: Working bytes per pixel for grey images kept as float32 (measured peak: 5.5-9).
WORK_GREY: float = 8.0

#: Working bytes per pixel where a float64 image is computed (measured peak: 17-27).
WORK_FLOAT64: float = 20.0

#: Fixed cost of a load besides the pixels (decoder set-up, first allocations).
FIXED_BYTES: float = 16 * 1024**2

_process_limit: int | None = None

_UNITS = {"": 1, "B": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}


def parse_size(text: str, *, minimum: int = 1024**2) -> int:
    """Parse a memory size: bytes (``"500000000"``) or with a unit (``"512M"``, ``"4GiB"``).

    Units are binary (K = 1024). Raises :class:`ParameterError` on anything else
    or on a size below ``minimum`` (1 MiB by default).
    """
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*", str(text), re.IGNORECASE)
    if match is None:
        raise ParameterError(
            "not a memory size",
            got=repr(text),
            expected="bytes, or a number with K, M, G or T (e.g. 512M, 4G)",
        )
    value = int(float(match.group(1)) * _UNITS[match.group(2).upper()])
    if value < minimum:
        raise ParameterError(
            "memory limit too small", got=repr(text), expected=f"at least {minimum} bytes"
        )
    return value


def set_max_study_bytes(max_bytes: int | None) -> None:
    """Set (or, with None, clear) the process-wide limit, e.g. from ``--max-memory``."""
    global _process_limit
    _process_limit = None if max_bytes is None else int(max_bytes)


def process_limit() -> int | None:
    """The process-wide limit set by :func:`set_max_study_bytes`, or None."""
    return _process_limit


def max_study_bytes(max_bytes: int | None = None) -> int:
    """Return the limit in force (see the module docstring)."""
    if max_bytes is not None:
        return int(max_bytes)
    if _process_limit is not None:
        return _process_limit
    env = os.environ.get(MAX_BYTES_ENV, "").strip()
    if env:
        try:
            return parse_size(env, minimum=1)
        except ParameterError:
            pass
    return DEFAULT_MAX_BYTES


def estimate_bytes(
    *,
    rows: int,
    columns: int,
    frames: int,
    samples: int,
    bytes_per_sample: float,
    work_bytes_per_pixel: float = WORK_FLOAT64,
) -> float:
    """Return the estimated peak bytes of loading an image of this declared geometry."""
    pixels = int(rows) * int(columns) * int(frames)
    per_pixel = 2.0 * int(samples) * float(bytes_per_sample) + work_bytes_per_pixel
    return FIXED_BYTES + pixels * per_pixel


def check_declared_size(
    path: Path,
    *,
    rows: int,
    columns: int,
    frames: int,
    samples: int,
    bytes_per_sample: float,
    work_bytes_per_pixel: float = WORK_FLOAT64,
    max_bytes: int | None = None,
) -> None:
    """Refuse a study whose estimated peak memory exceeds the limit.

    Parameters
    ----------
    path : Path
        The file concerned (for the message).
    rows, columns, frames, samples : int
        Declared geometry.
    bytes_per_sample : float
        Bytes of one decoded sample.
    work_bytes_per_pixel : float, optional
        Working memory per pixel: :data:`WORK_GREY` or :data:`WORK_FLOAT64`.
    max_bytes : int, optional
        Limit in bytes; see :func:`max_study_bytes`.

    Raises
    ------
    StudyTooLargeError
        When the estimate is over the limit.
    """
    limit = max_study_bytes(max_bytes)
    need = estimate_bytes(
        rows=rows,
        columns=columns,
        frames=frames,
        samples=samples,
        bytes_per_sample=bytes_per_sample,
        work_bytes_per_pixel=work_bytes_per_pixel,
    )
    if need > limit:
        raise StudyTooLargeError(
            "image too large to load",
            path=path,
            got=f"{frames} frame(s) of {rows}x{columns}x{samples}, needing about "
            f"{need / 1024**2:.0f} MiB to decode",
            expected=f"at most {limit / 1024**2:.0f} MiB",
            fix=f"Raise the limit with --max-memory SIZE (or the environment variable "
            f"{MAX_BYTES_ENV}) if the machine has the memory",
        )
