"""Every output of Denoscope goes through here: one check, one file-name pattern, atomic writes.

* :func:`check_output` (one path) and :func:`check_outputs` (all files of a
  series, checked before anything is written): never an input, never an
  existing file unless overwriting is allowed.
* :func:`numbered_paths`: the one pattern for the files of a series,
  ``name_0001.ext``, ``name_0002.ext``... (a single frame keeps ``name.ext``).
* :func:`write_bytes` / :func:`write_text`: write to a temporary file in the
  target's folder, fsync it, then move it into place (``os.replace``; without
  ``overwrite`` a hard link, which fails if the target appeared meanwhile), so a
  reader never sees a half-written file and a failed write leaves the old file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from denoscope.core.errors import OutputExistsError, OutputWriteError, ParameterError

#: Digits of the frame number in :func:`numbered_paths` (``_0001``).
SERIES_NUMBER_DIGITS = 4


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
    if path.exists() and not path.is_file():  # a FIFO or a device: never replaced (issue 14)
        raise ParameterError(
            "the output path is not a regular file (a FIFO, device or socket)",
            path=path,
            fix="Give the name of a regular file",
        )
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


def check_outputs(
    paths: Iterable[str | Path],
    *,
    overwrite: bool,
    inputs: Iterable[str | Path] = (),
    overwrite_hint: str = "pass overwrite=True",
) -> list[Path]:
    """:func:`check_output` for every file of one export, before any is written.

    Returns
    -------
    list of Path
        The checked paths, in order.
    """
    inputs = [Path(p) for p in inputs if p is not None]
    return [
        check_output(p, overwrite=overwrite, inputs=inputs, overwrite_hint=overwrite_hint)
        for p in paths
    ]


def numbered_paths(base: str | Path, count: int) -> list[Path]:
    """The file names of a series of ``count`` frames written at ``base``.

    Parameters
    ----------
    base : str or Path
        The name chosen by the user (``out/denoised.png``).
    count : int
        Number of frames.

    Returns
    -------
    list of Path
        ``[base]`` for one frame, else ``base`` with ``_0001``, ``_0002``...
        before the suffix (``out/denoised_0001.png``).
    """
    base = Path(base)
    if count < 1:
        raise ParameterError("nothing to write", got=f"{count} frames", expected="at least 1")
    if count == 1:
        return [base]
    width = max(SERIES_NUMBER_DIGITS, len(str(count)))
    return [base.with_name(f"{base.stem}_{i + 1:0{width}d}{base.suffix}") for i in range(count)]


def write_bytes(path: str | Path, data: bytes, *, overwrite: bool) -> Path:
    """Write ``data`` atomically (temporary file in the same folder, fsync, rename).

    Parameters
    ----------
    path : str or Path
        The target.
    data : bytes
        The whole content.
    overwrite : bool
        Replace an existing file; otherwise an existing file raises and is kept.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    OutputExistsError
        ``overwrite`` is False and the file exists.
    OutputWriteError
        The folder is not writable, the disk is full, or another OS error; the
        target is untouched and no temporary file is left.
    """
    path = Path(path)
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)  # fails if the target exists: no clobbering race
            except FileExistsError:
                raise
            except OSError:  # filesystems without hard links
                if path.exists():
                    raise FileExistsError(path) from None
                os.replace(tmp, path)
        _fsync_folder(path.parent)
    except FileExistsError as exc:
        raise OutputExistsError(
            "the output file already exists",
            path=path,
            fix="Choose another name, or pass overwrite=True to replace it",
        ) from exc
    except OSError as exc:
        raise OutputWriteError(
            "could not write the file",
            path=path,
            got=exc.strerror or type(exc).__name__,
            fix="Check that the folder exists, is writable and has free space",
        ) from exc
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    return path


def write_text(path: str | Path, text: str, *, overwrite: bool) -> Path:
    """Write UTF-8 text atomically (see :func:`write_bytes`)."""
    return write_bytes(path, text.encode("utf-8"), overwrite=overwrite)


def _fsync_folder(folder: Path) -> None:
    """Make a rename durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
