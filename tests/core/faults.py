"""Hostile output folders for tests: read-only and full filesystems, real or faked.

Where the tests run as root on Linux with ``mount`` allowed (the development
machines), a real tmpfs is mounted: read-only (``-o ro``, which root cannot
write either) or a few KiB in size (writes fail with ENOSPC). Elsewhere a
read-only folder is a ``chmod 0555`` folder (non-root only), and a full disk
is faked by making the write raise ``OSError(ENOSPC)``.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


def _mount_tmpfs(folder: Path, options: str) -> bool:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    return result.returncode == 0


def _umount(folder: Path) -> None:
    subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


@contextlib.contextmanager
def readonly_folder(parent: Path) -> Iterator[Path]:
    """Yield a folder nobody can write to (a read-only tmpfs, or chmod 0555)."""
    folder = parent / "readonly"
    folder.mkdir()
    if _mount_tmpfs(folder, "ro,size=64k"):
        try:
            yield folder
        finally:
            _umount(folder)
        return
    if os.geteuid() == 0:
        pytest.skip("root ignores folder permissions and tmpfs cannot be mounted here")
    folder.chmod(0o555)
    try:
        yield folder
    finally:
        folder.chmod(0o755)


@contextlib.contextmanager
def full_folder(parent: Path, *, size: str = "32k") -> Iterator[Path]:
    """Yield a folder on a real tiny filesystem (skip where none can be mounted)."""
    folder = parent / "full"
    folder.mkdir()
    if not _mount_tmpfs(folder, f"size={size}"):
        pytest.skip("cannot mount a small tmpfs here (the ENOSPC fake covers this)")
    try:
        yield folder
    finally:
        _umount(folder)


class FakeFullDisk:
    """Make every ``os.write``/file write to ``folder`` fail with ENOSPC after ``budget`` bytes.

    Installed with ``monkeypatch``: wraps :func:`os.fdopen` and :func:`open` so
    handles on files inside ``folder`` write at most ``budget`` bytes and then
    raise ``OSError(ENOSPC)``, like a disk that fills up mid-file.
    """

    def __init__(self, folder: Path, budget: int = 1000) -> None:
        self.folder = str(Path(folder).resolve())
        self.budget = budget
        self.failures = 0

    def wrap(self, handle, name: str | None):
        if name is None or not str(Path(name).resolve()).startswith(self.folder):
            return handle
        return _Limited(handle, self, name)

    def install(self, monkeypatch) -> None:
        import builtins

        real_fdopen, real_open = os.fdopen, builtins.open

        def fdopen(fd, *args, **kwargs):
            handle = real_fdopen(fd, *args, **kwargs)
            try:
                name = os.readlink(f"/proc/self/fd/{fd}")
            except OSError:
                name = None
            return self.wrap(handle, name)

        def open_(file, mode="r", *args, **kwargs):
            handle = real_open(file, mode, *args, **kwargs)
            if any(c in mode for c in "wax") and isinstance(file, str | os.PathLike):
                return self.wrap(handle, os.fspath(file))
            return handle

        monkeypatch.setattr(os, "fdopen", fdopen)
        monkeypatch.setattr(builtins, "open", open_)


class _Limited:
    """A file handle that fails with ENOSPC once the fake disk's budget is used."""

    def __init__(self, handle, fake: FakeFullDisk, name: str) -> None:
        self._handle, self._fake, self._name = handle, fake, name

    def write(self, data):
        room = self._fake.budget - self._handle.tell()
        if len(data) > room:
            self._handle.write(data[: max(room, 0)])
            self._fake.failures += 1
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), self._name)
        return self._handle.write(data)

    def __getattr__(self, name):
        return getattr(self._handle, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._handle.close()
        return False

    def __iter__(self):
        return iter(self._handle)
