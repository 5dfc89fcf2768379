"""The ``denoscope`` command: version, help listing every subcommand, ``python -m``."""

from __future__ import annotations

import subprocess
import sys

import pytest

import denoscope
from denoscope.cli import build_parser, main

EXPECTED_COMMANDS = {
    "info",
    "noise",
    "metrics",
    "denoise",
    "train",
    "evaluate",
    "bench",
    "view",
    "study",
}


def test_version_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"denoscope {denoscope.__version__}"


def test_help_lists_every_subcommand() -> None:
    help_text = build_parser().format_help()
    listed = {name for name in EXPECTED_COMMANDS if f"    {name}" in help_text}
    assert listed == EXPECTED_COMMANDS, f"missing from --help: {EXPECTED_COMMANDS - listed}"


def test_python_dash_m_runs_the_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "denoscope", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("denoscope ")


def test_help_does_not_import_torch_or_qt() -> None:
    code = (
        "import sys\n"
        "from denoscope.cli import build_parser\n"
        "build_parser().format_help()\n"
        "print(sorted(m for m in ('torch', 'PySide6', 'pyqtgraph') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
