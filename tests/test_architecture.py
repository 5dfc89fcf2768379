"""Architecture contracts hold on the source tree being edited (not only in the built wheel).

``packaging/lint_imports.py`` (``make lint-imports``) maps the editable layout
into a tree grimp can walk and runs ``lint-imports``: core is headless and
imports neither the app nor the dispatcher, the layers go dispatcher -> app ->
core, and the viewer's background jobs and parameters import no Qt.
"""

from __future__ import annotations

import ast
import importlib.util
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _lint_module():
    spec = importlib.util.spec_from_file_location(
        "lint_imports", REPO / "packaging/lint_imports.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_import_contract_is_kept(tmp_path):
    result = _lint_module().run(tmp_path / "tree")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("KEPT") >= 3 and "BROKEN" not in result.stdout


def test_a_layer_violation_is_caught(tmp_path):
    """A copy of core importing the app breaks the layers contract."""
    lint = _lint_module()
    fake = tmp_path / "repo"
    for part in ("core", "app"):
        shutil.copytree(REPO / part, fake / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "packaging", fake / "packaging")
    (fake / "core" / "_leak.py").write_text("import denoscope.app.params\n")
    lint.REPO = fake
    result = lint.run(tmp_path / "tree", config=REPO / "pyproject.toml")
    assert result.returncode != 0 and "BROKEN" in result.stdout
    assert "denoscope.core._leak" in result.stdout


def test_core_names_no_app_module():
    """No string in core's code (docstrings aside) names a module of the app."""
    found = []
    for path in (REPO / "core").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
                and "denoscope.app" in node.value
            ):
                found.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert found == []
