"""The boundary between third-party readers and Denoscope's typed errors."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from denoscope.core.errors import DenoscopeError, StudyLoadError


@contextlib.contextmanager
def reading(path: Path, what: str) -> Iterator[None]:
    """Turn any failure of a third-party reader into a :class:`StudyLoadError`.

    Denoscope's own errors pass through; anything else (pydicom or Pillow
    meeting corrupt bytes) becomes one typed error naming the file and the
    original exception, chained as its cause.
    """
    try:
        yield
    except DenoscopeError:
        raise
    except Exception as exc:
        detail = " | ".join(line.strip() for line in str(exc).splitlines() if line.strip())
        raise StudyLoadError(
            f"could not read {what}",
            path=path,
            got=f"{type(exc).__name__}: {detail}"[:400],
            fix="The file is corrupt, truncated or uses an encoding no installed decoder "
            "handles; re-export or re-copy it",
        ) from exc
