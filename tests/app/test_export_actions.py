"""File > Export dialogs: files chosen, overwriting asked first, series written off the GUI thread."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox

from denoscope.core.resources import sample_path


def _choose(monkeypatch, path: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))


def _answer(monkeypatch, answer, asked: list) -> None:
    def question(*args, **kwargs):
        asked.append(args[2])
        return answer

    monkeypatch.setattr(QMessageBox, "question", question)


def test_existing_files_are_kept_when_the_user_says_no(
    window, open_study, settle, tmp_path, monkeypatch
):
    open_study(window, sample_path("ct"))
    settle(window)
    out = tmp_path / "cmp.png"
    out.write_bytes(b"keep me")
    asked: list = []
    _choose(monkeypatch, out)
    _answer(monkeypatch, QMessageBox.StandardButton.No, asked)
    window.exports.export_comparison_dialog()
    assert asked and "cmp.png" in asked[0]
    assert out.read_bytes() == b"keep me"
    assert not out.with_suffix(".json").exists()


def test_replacing_after_yes_writes_png_and_sidecar(
    window, open_study, settle, tmp_path, monkeypatch
):
    open_study(window, sample_path("ct"))
    settle(window)
    out = tmp_path / "cmp.png"
    out.with_suffix(".json").write_text("{}", encoding="utf-8")
    asked: list = []
    _choose(monkeypatch, out)
    _answer(monkeypatch, QMessageBox.StandardButton.Yes, asked)
    window.exports.export_comparison_dialog()
    assert len(asked) == 1
    assert out.read_bytes()[:4] == b"\x89PNG"
    assert (
        json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))["screenshot"] == "cmp.png"
    )


def test_denoised_series_export_runs_in_the_worker(
    window, open_study, settle, tmp_path, monkeypatch, qtbot
):
    open_study(window, sample_path("ct"))
    settle(window)
    _choose(monkeypatch, tmp_path / "den.png")
    with qtbot.waitSignal(window.controller.export.finished, timeout=30000) as blocker:
        window.exports.export_denoised_dialog(series=True)
    _gen, written = blocker.args
    assert written == [tmp_path / "den.png"]  # a one-slice series keeps the name (numbered_paths)
    assert written[0].is_file()


def test_nothing_to_export_is_a_message(window, qtbot):
    with qtbot.waitSignal(window.state.message, timeout=1000) as blocker:
        window.exports.export_metrics_dialog()
    assert blocker.args[0] == "error"
