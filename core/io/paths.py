"""Input paths: only regular files and folders are opened; everything else is a typed error.

Opening a FIFO blocks until a writer appears, and ``/dev/zero`` never ends, so
the kind of a path is checked with :func:`os.stat` (which never blocks) before
anything opens it. Inside a folder, non-regular entries are skipped with a note
on the ``denoscope.io`` logger (printed on stderr by the CLI). A DICOM scan of a
folder reads only the first 132 bytes of each candidate file to decide whether
it can be DICOM at all (:func:`may_be_dicom`), so a large non-DICOM file costs
one short read instead of a parse.
"""

from __future__ import annotations

import logging
import os
import stat
import struct
from pathlib import Path

from denoscope.core.errors import StudyLoadError

LOG = logging.getLogger("denoscope.io")

_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def kind_of(mode: int) -> str:
    """Return a readable name for a non-regular file mode."""
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def checked_input(path: str | Path) -> Path:
    """Return ``path`` when it is an existing regular file or folder, else raise.

    Raises
    ------
    StudyLoadError
        The path does not exist, cannot be examined (a name too long, no
        permission), or is a FIFO, device or socket.
    """
    path = Path(path).expanduser()
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise StudyLoadError(
            "no such file or folder",
            path=path,
            fix="Check the path; open a DICOM file, a folder of DICOM or PNG files, or a PNG",
        ) from None
    except OSError as exc:
        raise StudyLoadError(
            "cannot examine this path",
            path=_short(path),
            got=exc.strerror or type(exc).__name__,
            fix="Check the path (its length, its folders and their permissions)",
        ) from exc
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return path
    raise StudyLoadError(
        f"this is {kind_of(mode)}, not an image file or folder",
        path=path,
        expected="a regular DICOM, PNG or TIFF file, or a folder of them",
        fix="Open the image files themselves",
    )


def _short(path: Path) -> str:
    """Return the path shortened for a one-line message (very long names)."""
    text = str(path)
    return text if len(text) <= 160 else f"{text[:70]}...{text[-70:]}"


def is_regular(path: Path) -> bool:
    """Return True for a regular file (following links); never blocks, never raises."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def note_skipped(path: Path, why: str) -> None:
    """Log that a folder entry was skipped (stderr in the CLI, the log in the viewer)."""
    LOG.warning("note: skipped %s: %s", path, why)


def may_be_dicom(path: Path) -> bool:
    """Return True when the first bytes of a regular file allow it to be DICOM.

    A Part 10 file has ``DICM`` at byte 128. A raw dataset (no preamble) starts
    with an element tag of group 0x0002-0x0028 in either byte order (the
    first group of any image dataset: file meta, identification, patient,
    acquisition, relationship or image). Everything else (zeros, text, other
    formats) is not DICOM.
    """
    try:
        with open(path, "rb") as fp:
            head = fp.read(132)
    except OSError:
        return False
    if head[128:132] == b"DICM":
        return True
    if len(head) < 8:
        return False
    little, big = struct.unpack("<H", head[:2])[0], struct.unpack(">H", head[:2])[0]
    return any(0x0002 <= group <= 0x0028 and group % 2 == 0 for group in (little, big))
