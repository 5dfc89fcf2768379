"""Writing a series file by file: what an interrupted run wrote, and resuming it.

Every file is written atomically (:func:`denoscope.core.io.outputs.write_bytes`),
so a file that exists is complete. An interrupted or failed run therefore
leaves whole files for the slices before the failure and nothing for the
others; :func:`pending_outputs` lets ``--resume`` write only the missing ones
(no ``--force`` needed), and :func:`written_summary` tells the user which
slices exist.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from denoscope.core.errors import OutputWriteError, ParameterError


def prepare_output_folder(folder: Path) -> Path:
    """Create the output folder of a series (and its parents); a failure is typed.

    Raises
    ------
    OutputWriteError
        The folder cannot be created (read-only parent, a file in the way, ...).
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputWriteError(
            "could not create the output folder",
            path=folder,
            got=exc.strerror or type(exc).__name__,
            fix="Choose a folder you can write to",
        ) from exc
    return folder


def check_folder_name(out: Path, file_suffixes: Sequence[str]) -> None:
    """Refuse an output that names a file of an unsupported type (``-o x.jpg``).

    A path that does not exist and ends in a suffix other than ``file_suffixes``
    looks like a file name; it would otherwise become a folder named ``x.jpg``.

    Raises
    ------
    ParameterError
        For such a path.
    """
    if out.suffix and out.suffix.lower() not in file_suffixes and not out.is_dir():
        raise ParameterError(
            "unsupported output file type",
            path=out,
            got=repr(out.suffix),
            expected=f"a file ending in {' or '.join(file_suffixes)}, or a folder",
            fix="Name the output *.png or *.dcm, or give a folder (one file per frame)",
        )


def pending_outputs(outputs: Sequence[Path], *, resume: bool) -> list[Path]:
    """Return the outputs still to write: all of them, or with ``resume`` the missing ones."""
    if not resume:
        return list(outputs)
    return [path for path in outputs if not path.exists()]


def written_summary(outputs: Sequence[Path], written: Sequence[Path]) -> str:
    """Describe what an interrupted series run left behind, in one line.

    Parameters
    ----------
    outputs : sequence of Path
        Every file of the series, in slice order.
    written : sequence of Path
        The files that exist (complete) now.

    Returns
    -------
    str
        E.g. ``"3 of 10 slice file(s) exist in out/ (slices 1-3); rerun with --resume
        to write the other 7"``.
    """
    done = set(written)
    numbers = [i + 1 for i, path in enumerate(outputs) if path in done]
    folder = outputs[0].parent if outputs else Path(".")
    text = f"{len(numbers)} of {len(outputs)} slice file(s) exist in {folder}"
    if numbers:
        text += f" (slices {_ranges(numbers)})"
    missing = len(outputs) - len(numbers)
    if missing:
        text += f"; rerun with --resume to write the other {missing}"
    return text


def _ranges(numbers: list[int]) -> str:
    """``[1, 2, 3, 7]`` -> ``"1-3, 7"``."""
    parts: list[str] = []
    start = prev = numbers[0]
    for n in [*numbers[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        parts.append(str(start) if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(parts)


def resume_conflict(resume: bool, force: bool) -> None:
    """Refuse ``--resume`` with ``--force`` (keep the files, or replace them: not both)."""
    if resume and force:
        raise ParameterError(
            "--resume keeps the files already written and --force replaces them",
            fix="Give one of --resume or --force",
        )


@contextlib.contextmanager
def series_report(outputs: Sequence[Path]) -> Iterator[None]:
    """On any failure or interrupt of a multi-file run, say on stderr which files exist.

    The exception propagates unchanged (the CLI then prints its one-line error).
    """
    try:
        yield
    except BaseException:
        if len(outputs) > 1:
            written = [path for path in outputs if path.exists()]
            print(f"note: {written_summary(outputs, written)}", file=sys.stderr)
        raise


def existing_series_uid(outputs: Sequence[Path], pending: Sequence[Path]) -> str | None:
    """Return the SeriesInstanceUID of derived DICOM files already written, if any.

    ``--resume`` keeps writing into that series, so the completed run is one series.
    """
    import pydicom

    todo = set(pending)
    for path in outputs:
        if path in todo:
            continue
        try:
            uid = pydicom.dcmread(path, stop_before_pixels=True).get("SeriesInstanceUID")
        except Exception:  # noqa: BLE001 - an unreadable file: a new series instead
            continue
        if uid:
            return str(uid)
    return None
