"""The built wheel holds every module and data file, and the core stays headless.

A wheel is built from the working tree and installed into a scratch folder;
every module found in the source tree must import from there (this catches
subpackages missing from ``packages`` in ``pyproject.toml``), and the
import-linter contract is checked against that installed layout (grimp walks
real package folders, which an editable install with a ``package-dir`` map
does not have).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SOURCE_ROOTS = {
    "denoscope": REPO / "packaging" / "denoscope",
    "denoscope.core": REPO / "core",
    "denoscope.app": REPO / "app",
    "denoscope.resources": REPO / "resources",
    "denoscope.shipped_models": REPO / "models",
}

pytestmark = pytest.mark.slow


def _source_modules() -> list[str]:
    """Every importable module of the source tree, by dotted name."""
    names: set[str] = set()
    for package, root in SOURCE_ROOTS.items():
        for path in root.rglob("*.py"):
            relative = path.relative_to(root)
            if any(part.startswith(".") or part == "__pycache__" for part in relative.parts):
                continue
            if not (path.parent / "__init__.py").exists():
                continue  # scripts beside data (e.g. samples/make_samples.py), not modules
            parts = list(relative.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            if parts and parts[-1] == "__main__":
                continue
            names.add(".".join([package, *parts]))
    return sorted(names)


@pytest.fixture(scope="module")
def installed_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the wheel from the working tree and install it into a scratch folder."""
    wheel_dir = tmp_path_factory.mktemp("wheel")
    build_tree = tmp_path_factory.mktemp("src") / "denoscope"
    ignore = shutil.ignore_patterns(
        ".venv",
        ".git",
        "build",
        "dist",
        "out",
        "*.egg-info",
        "__pycache__",
        ".pytest_cache",
        ".ruff_cache",
        ".hypothesis",
    )
    shutil.copytree(REPO, build_tree, ignore=ignore)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(wheel_dir),
            str(build_tree),
        ],
        check=True,
    )
    (wheel,) = wheel_dir.glob("denoscope-*.whl")
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
    )
    assert not (target / "core").exists() and not (target / "app").exists(), (
        "bare top-level core/app modules would collide in site-packages"
    )
    return target


def _run_in(site: Path, code: str) -> subprocess.CompletedProcess[str]:
    env = {"PYTHONPATH": str(site), "QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )


def test_every_source_module_imports_from_the_wheel(installed_wheel: Path) -> None:
    modules = _source_modules()
    assert "denoscope.core.errors" in modules and "denoscope.cli" in modules
    code = (
        "import importlib, json, sys\n"
        f"modules = {modules!r}\n"
        "failed = {}\n"
        "for name in modules:\n"
        "    try:\n"
        "        module = importlib.import_module(name)\n"
        f"        assert module.__file__.startswith({str(installed_wheel)!r}), module.__file__\n"
        "    except BaseException as error:\n"
        "        failed[name] = f'{type(error).__name__}: {error}'\n"
        "print(json.dumps(failed))\n"
    )
    result = _run_in(installed_wheel, code)
    assert result.returncode == 0, result.stderr
    failed = json.loads(result.stdout.strip().splitlines()[-1])
    print(f"imported {len(modules) - len(failed)} of {len(modules)} modules from the wheel")
    assert failed == {}


def test_wheel_carries_samples_and_version(installed_wheel: Path) -> None:
    code = (
        "from denoscope.core.resources import SAMPLE_FILES, sample_path\n"
        "import denoscope\n"
        "missing = [n for n in SAMPLE_FILES if not sample_path(n).is_file()]\n"
        "print(denoscope.__version__ if not missing else missing)\n"
    )
    result = _run_in(installed_wheel, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() not in ("", "0.0.0+unknown") and "[" not in result.stdout


def _lint_imports(site: Path) -> subprocess.CompletedProcess[str]:
    lint = Path(sys.executable).with_name("lint-imports")
    env = {"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [str(lint), "--config", str(REPO / "pyproject.toml"), "--no-cache"],
        capture_output=True,
        text=True,
        env=env,
        cwd=site,
        check=False,
    )


def test_core_is_headless_per_import_linter(installed_wheel: Path) -> None:
    result = _lint_imports(installed_wheel)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "KEPT" in result.stdout


def test_import_linter_catches_qt_in_core(installed_wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(installed_wheel, site)
    (site / "denoscope" / "core" / "_qt_leak.py").write_text("import PySide6.QtCore\n")
    result = _lint_imports(site)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout and "PySide6" in result.stdout
