"""Memory limit on a study, checked from its declared size before any decoding."""

from __future__ import annotations

import os
from pathlib import Path

from denoscope.core.errors import StudyTooLargeError

#: Default limit on the bytes a study may take once decoded (2 GiB).
DEFAULT_MAX_BYTES: int = 2 * 1024**3

#: Environment variable that overrides :data:`DEFAULT_MAX_BYTES` (an integer in bytes).
MAX_BYTES_ENV: str = "DENOSCOPE_MAX_STUDY_BYTES"


def max_study_bytes(max_bytes: int | None = None) -> int:
    """Return the limit in force: ``max_bytes`` if given, else the environment, else default."""
    if max_bytes is not None:
        return int(max_bytes)
    env = os.environ.get(MAX_BYTES_ENV, "").strip()
    if env.isdigit():
        return int(env)
    return DEFAULT_MAX_BYTES


def check_declared_size(
    path: Path,
    *,
    rows: int,
    columns: int,
    frames: int,
    samples: int,
    bytes_per_sample: float,
    max_bytes: int | None = None,
) -> None:
    """Refuse a study whose declared decoded size exceeds the limit.

    The largest of the decoded array (``bytes_per_sample`` each) and the float32
    frames Denoscope keeps (4 bytes per pixel, plus one float64 working copy per
    frame) is compared with the limit.

    Parameters
    ----------
    path : Path
        The file concerned (for the message).
    rows, columns, frames, samples : int
        Declared geometry.
    bytes_per_sample : float
        Bytes of one decoded sample.
    max_bytes : int, optional
        Limit in bytes; see :func:`max_study_bytes`.

    Raises
    ------
    StudyTooLargeError
        When the declared size is over the limit or not a positive size.
    """
    limit = max_study_bytes(max_bytes)
    pixels = int(rows) * int(columns) * int(frames)
    need = max(pixels * int(samples) * bytes_per_sample, pixels * 4.0)
    if need > limit:
        raise StudyTooLargeError(
            "image too large to load",
            path=path,
            got=f"{frames} frame(s) of {rows}x{columns}x{samples} = {need / 1024**2:.0f} MiB",
            expected=f"at most {limit / 1024**2:.0f} MiB",
            fix=f"Raise the limit with the environment variable {MAX_BYTES_ENV} (bytes) "
            "if the machine has the memory",
        )
