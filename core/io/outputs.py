"""Output paths: never an input, never an existing file unless overwriting is allowed."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from denoscope.core.errors import OutputExistsError, ParameterError


def _same_file(a: Path, b: Path) -> bool:
    """Return True when two paths name the same file (resolving links)."""
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return a.resolve() == b.resolve()


def check_output(
    path: str | Path,
    *,
    overwrite: bool,
    inputs: Iterable[str | Path] = (),
    overwrite_hint: str = "pass overwrite=True",
) -> Path:
    """Validate an output path: never an input, never an existing file unless allowed.

    Parameters
    ----------
    path : str or Path
        Where to write.
    overwrite : bool
        Allow replacing an existing file (never an input).
    inputs : iterable of path
        Files the output must not replace.
    overwrite_hint : str, optional
        How the caller allows overwriting, for the message (a CLI says "pass --force").

    Returns
    -------
    Path
        The output path.

    Raises
    ------
    OutputExistsError
        The path is an input, or exists and ``overwrite`` is False.
    ParameterError
        The parent folder does not exist or the path is a folder.
    """
    path = Path(path).expanduser()
    for source in inputs:
        if source is not None and _same_file(path, Path(source)):
            raise OutputExistsError(
                "refusing to write onto an input file",
                path=path,
                fix="Choose another file name; inputs are never modified",
            )
    if path.is_dir():
        raise ParameterError("the output path is a folder", path=path, fix="Give a file name")
    if not path.parent.is_dir():
        raise ParameterError(
            "the output folder does not exist", path=path.parent, fix="Create it first"
        )
    if path.exists() and not overwrite:
        raise OutputExistsError(
            "the output file already exists",
            path=path,
            fix=f"Choose another name, or {overwrite_hint} to replace it",
        )
    return path


def write_bytes(path: Path, data: bytes, *, overwrite: bool) -> None:
    """Write bytes, creating the file exclusively unless overwriting is allowed."""
    try:
        with open(path, "wb" if overwrite else "xb") as fp:
            fp.write(data)
    except FileExistsError as exc:
        raise OutputExistsError(
            "the output file already exists",
            path=path,
            fix="Choose another name, or pass overwrite=True to replace it",
        ) from exc
