"""Check the import-linter contracts of ``pyproject.toml`` against the source tree, by hand.

``lint-imports`` (grimp) finds a package by walking its folder, which the
editable install does not have: it maps ``denoscope.core`` onto ``core/`` with
an import hook. This script builds that mapping as a tree of symbolic links in
``build/import-tree/denoscope`` (``core`` -> ``core/``, ``app`` -> ``app/``, the
root package's files from ``packaging/denoscope/``) and runs ``lint-imports``
on it, so the contracts are checked against the code being edited::

    .venv/bin/python packaging/lint_imports.py        # or: make lint-imports

Exit status: that of ``lint-imports`` (0 when every contract is kept).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

#: Where each subpackage of ``denoscope`` lives in the repository (pyproject's package-dir).
PACKAGE_DIRS: dict[str, str] = {"core": "core", "app": "app"}


def build_tree(target: Path) -> Path:
    """Make ``target/denoscope`` mirror the installed package layout with symbolic links.

    Returns
    -------
    Path
        ``target`` (put it first on ``PYTHONPATH``).
    """
    root = target / "denoscope"
    if target.exists():
        shutil.rmtree(target)
    root.mkdir(parents=True)
    for source in (REPO / "packaging" / "denoscope").glob("*.py"):
        (root / source.name).symlink_to(source)
    for name, folder in PACKAGE_DIRS.items():
        (root / name).symlink_to(REPO / folder, target_is_directory=True)
    return target


def run(target: Path | None = None, *, config: Path | None = None) -> subprocess.CompletedProcess:
    """Build the link tree and run ``lint-imports`` on it; returns the finished process."""
    tree = build_tree(target or REPO / "build" / "import-tree")
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or "lint-imports"
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [lint, "--config", str(config or REPO / "pyproject.toml"), "--no-cache"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tree,
        check=False,
    )


if __name__ == "__main__":
    result = run()
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    sys.exit(result.returncode)
