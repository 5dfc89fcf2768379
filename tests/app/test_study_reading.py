"""The reading window: scripted readers answer with real key presses; nothing reveals the method."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

from denoscope.core.study import ReaderSession
from tests.core.study_helpers import make_study

METHODS = ("model", "gaussian", "noisy")


@pytest.fixture(scope="module")
def likert_study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_study(
        tmp_path_factory.mktemp("likert"),
        methods=METHODS,
        n_cases=2,
        with_reference=True,
        name="nlmeans-beats-model.denostudy",
    )


@pytest.fixture(scope="module")
def pairwise_study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_study(
        tmp_path_factory.mktemp("pairwise"),
        design="pairwise",
        methods=METHODS,
        n_cases=2,
        with_reference=True,
        name="model-vs-gaussian.denostudy",
    )


def _window(qtbot, path: Path, reader: str):
    from denoscope.app.study.reading_window import ReadingWindow

    window = ReadingWindow(ReaderSession(path, reader))
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    return window


def _answers(path: Path, reader: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    rows = conn.execute(
        "SELECT a.position, a.choice, a.side, a.confidence, a.seconds, a.id FROM answers a"
        " JOIN readers r ON r.id = a.reader_id WHERE r.name = ? AND a.retracted = 0"
        " ORDER BY a.position",
        (reader,),
    ).fetchall()
    conn.close()
    return rows


def _ratings(path: Path, answer_id: int) -> dict[str, int]:
    conn = sqlite3.connect(path)
    rows = dict(
        conn.execute("SELECT criterion, score FROM ratings WHERE answer_id = ?", (answer_id,))
    )
    conn.close()
    return rows


def _key(qtbot, window, key) -> None:
    qtbot.keyClick(window, key)


def test_likert_reader_answers_with_keys_and_each_answer_is_committed(qtbot, likert_study) -> None:
    window = _window(qtbot, likert_study, "keys")
    total = window.session.total
    assert total == 6
    assert window.progress_label.text() == "case 1 of 6"
    assert [p.key for p in window.trial.panes] == ["single", "reference"]
    for position in range(total):
        _key(qtbot, window, Qt.Key.Key_3)
        _key(qtbot, window, Qt.Key.Key_Return)  # incomplete: refused, nothing saved
        assert "Rate every criterion" in window.message.text()
        assert len(_answers(likert_study, "keys")) == position
        _key(qtbot, window, Qt.Key.Key_5)
        with qtbot.waitSignal(window.answered, timeout=5000) as blocker:
            _key(qtbot, window, Qt.Key.Key_Enter)
        assert blocker.args == [position]
        rows = _answers(likert_study, "keys")
        assert len(rows) == position + 1, "committed before the next case shows"
        assert _ratings(likert_study, rows[-1][5]) == {"overall": 3, "noise": 5}
        if position + 1 < total:
            assert window.progress_label.text() == f"case {position + 2} of 6"
    assert window.done and window.progress_label.text() == "All 6 cases answered"
    assert all(r[4] > 0 for r in _answers(likert_study, "keys")), "time per case recorded"


def test_undo_and_arrow_keys_change_the_last_answer(qtbot, likert_study) -> None:
    window = _window(qtbot, likert_study, "undo")
    for digit in (Qt.Key.Key_2, Qt.Key.Key_2):
        _key(qtbot, window, digit)
    _key(qtbot, window, Qt.Key.Key_Return)
    _key(qtbot, window, Qt.Key.Key_4)
    _key(qtbot, window, Qt.Key.Key_4)
    _key(qtbot, window, Qt.Key.Key_Return)
    assert len(_answers(likert_study, "undo")) == 2
    _key(qtbot, window, Qt.Key.Key_Backspace)
    assert len(_answers(likert_study, "undo")) == 1
    assert window.progress_label.text() == "case 2 of 6"
    assert window.ratings == {"overall": 4, "noise": 4}, "the undone answer is pre-filled"
    _key(qtbot, window, Qt.Key.Key_Up)
    _key(qtbot, window, Qt.Key.Key_1)  # overall -> 1, noise stays 4
    _key(qtbot, window, Qt.Key.Key_Return)
    rows = _answers(likert_study, "undo")
    assert len(rows) == 2 and _ratings(likert_study, rows[1][5]) == {"overall": 1, "noise": 4}
    _key(qtbot, window, Qt.Key.Key_Z)  # plain Z does nothing
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(_answers(likert_study, "undo")) == 1


def test_pause_hides_the_images_stops_the_clock_and_blocks_answers(qtbot, likert_study) -> None:
    window = _window(qtbot, likert_study, "pause")
    _key(qtbot, window, Qt.Key.Key_Space)
    assert window.paused and not window.panes.items
    qtbot.wait(400)
    _key(qtbot, window, Qt.Key.Key_3)
    _key(qtbot, window, Qt.Key.Key_Return)
    assert _answers(likert_study, "pause") == [] and window.ratings == {}
    _key(qtbot, window, Qt.Key.Key_Space)
    assert not window.paused and set(window.panes.items) == {"single", "reference"}
    for key in (Qt.Key.Key_3, Qt.Key.Key_3, Qt.Key.Key_Return):
        _key(qtbot, window, key)
    seconds = _answers(likert_study, "pause")[0][4]
    assert 0 < seconds < 0.35, "the 0.4 s pause is not reading time"


def test_pairwise_keys_choose_a_side_with_confidence_and_panes_are_linked(
    qtbot, pairwise_study
) -> None:
    window = _window(qtbot, pairwise_study, "pairs")
    assert window.session.total == 6
    assert list(window.panes.views) == ["left", "reference", "right"]
    left, right = window.panes.views["left"], window.panes.views["right"]
    left.setRange(xRange=(5, 20), yRange=(5, 20), padding=0)
    (lx, ly), (rx, ry) = left.viewRange(), right.viewRange()
    assert np.allclose(ly, ry) and np.isclose(sum(lx) / 2, sum(rx) / 2), "zoom and pan are linked"
    _key(qtbot, window, Qt.Key.Key_Plus)
    assert np.ptp(right.viewRange()[1]) == pytest.approx(np.ptp(ly) / 1.25), "+ zooms every pane"
    window.panes._on_drag(30.0, -20.0)  # a window/level drag
    levels = {tuple(item.getLevels()) for item in window.panes.items.values()}
    assert len(levels) == 1, "window/level is linked"
    dragged, suggested = window.panes.window, window.trial.window
    assert dragged != suggested
    conn = sqlite3.connect(pairwise_study)
    for position in range(window.session.total):
        _p, trial_id, swap = window.session._order[position]
        a, b = conn.execute(
            "SELECT method_a, method_b FROM trials WHERE id = ?", (trial_id,)
        ).fetchone()
        side_key = Qt.Key.Key_Left if position % 2 == 0 else Qt.Key.Key_Right
        _key(qtbot, window, side_key)
        _key(qtbot, window, Qt.Key.Key_Return)  # no confidence yet: refused
        assert len(_answers(pairwise_study, "pairs")) == position
        _key(qtbot, window, Qt.Key.Key_2)
        _key(qtbot, window, Qt.Key.Key_Return)
        row = _answers(pairwise_study, "pairs")[-1]
        left_method, right_method = (b, a) if swap else (a, b)
        expected = left_method if side_key == Qt.Key.Key_Left else right_method
        assert row[1:4] == (expected, "left" if side_key == Qt.Key.Key_Left else "right", 2)
        if position == 0 and not window.done:
            same_kind = window.trial.window == suggested
            assert window.panes.window == (dragged if same_kind else window.trial.window)
            _key(qtbot, window, Qt.Key.Key_R)
            assert window.panes.window == window.trial.window
    conn.close()
    assert window.done


def _visible_texts(window) -> list[str]:
    """Every string the reading window can show: titles, labels, tooltips, status and pane titles."""
    from PySide6.QtWidgets import QApplication, QWidget

    texts = [window.windowTitle()]
    widgets = [window, *window.findChildren(QWidget)]
    for top in QApplication.topLevelWidgets():
        if top.isVisible():
            texts.append(top.windowTitle())
    for widget in widgets:
        for getter in (
            "text",
            "toolTip",
            "statusTip",
            "whatsThis",
            "accessibleName",
            "accessibleDescription",
            "placeholderText",
            "windowTitle",
        ):
            value = getattr(widget, getter, None)
            if callable(value):
                try:
                    result = value()
                except TypeError:
                    continue
                if isinstance(result, str):
                    texts.append(result)
        for action in widget.actions():
            texts += [action.text(), action.toolTip(), action.statusTip()]
    for title in window.panes.titles.values():
        texts.append(title.text)
    for view in window.panes.views.values():
        texts.append(view.toolTip() if hasattr(view, "toolTip") else "")
    return texts


def _forbidden(path: Path) -> tuple[list[str], dict[int, list[str]]]:
    """Method names, model names, study file name, metric names, and each case's metric values."""
    conn = sqlite3.connect(path)
    words = [
        *METHODS,
        "tiny",
        "res-cae",
        "tiny-ct",
        path.stem,
        path.name,
        "psnr",
        "ssim",
        "lpips",
        "gmsd",
        "dB",
        "median",
        "nlmeans",
        "denoised",
        "bm3d",
    ]
    values: dict[int, list[str]] = {}
    for case, _method, name, value in conn.execute(
        "SELECT case_id, method, name, value FROM metrics"
    ):
        if value is None or not np.isfinite(value):
            continue
        digits = (2, 3, 4) if name in ("psnr",) else (3, 4)
        values.setdefault(case, []).extend(f"{value:.{d}f}" for d in digits)
    conn.close()
    return words, values


@pytest.mark.parametrize("design", ["likert", "pairwise"])
def test_blinding_nothing_the_window_shows_names_the_method_or_a_metric(
    qtbot, likert_study, pairwise_study, design
) -> None:
    from denoscope.app.widgets.tag_browser import TagBrowser

    path = likert_study if design == "likert" else pairwise_study
    window = _window(qtbot, path, f"blind-{design}")
    words, values = _forbidden(path)
    conn = sqlite3.connect(path)
    assert not window.findChildren(TagBrowser), "no DICOM tag browser in the reading window"
    for position in range(window.session.total):
        trial_id = window.session._order[position][1]
        case = conn.execute("SELECT case_id FROM trials WHERE id = ?", (trial_id,)).fetchone()[0]
        states = []
        if design == "likert":
            for key in (Qt.Key.Key_4, Qt.Key.Key_2):
                states.append(_visible_texts(window))
                _key(qtbot, window, key)
        else:
            for key in (Qt.Key.Key_Right, Qt.Key.Key_3):
                states.append(_visible_texts(window))
                _key(qtbot, window, key)
        _key(qtbot, window, Qt.Key.Key_Space)
        states.append(_visible_texts(window))
        _key(qtbot, window, Qt.Key.Key_Space)
        states.append(_visible_texts(window))
        shown = "\n".join(t for state in states for t in state).lower()
        assert "case" in shown and "of" in shown
        for word in words:
            assert word.lower() not in shown, f"{word!r} is visible at position {position + 1}"
        for value in values.get(case, []):
            assert value not in shown, f"metric value {value} is visible"
        _key(qtbot, window, Qt.Key.Key_Return)
    conn.close()
    shown = "\n".join(_visible_texts(window)).lower()
    assert window.done and all(w.lower() not in shown for w in words)


def test_damaged_study_shows_a_message_in_the_window(qtbot, tmp_path) -> None:
    path = make_study(tmp_path, methods=("gaussian", "noisy"), n_cases=2)
    conn = sqlite3.connect(path)
    conn.execute("DELETE FROM images WHERE method = 'noisy'")
    conn.commit()
    conn.close()
    window = _window(qtbot, path, "broken")
    for _ in range(window.session.total):
        if window.trial is None:
            break
        for key in (Qt.Key.Key_3, Qt.Key.Key_3, Qt.Key.Key_Return):
            _key(qtbot, window, key)
    assert window.trial is None and "image is missing" in window.message.text()
    assert len(_answers(path, "broken")) >= 0  # answered cases before it stay saved


def test_file_open_study_in_the_main_window(
    qtbot, window, likert_study, tmp_path, monkeypatch
) -> None:
    from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

    assert window.action_open_study in window.file_menu.actions()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(likert_study), ""))
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("menu reader", True))
    window.action_open_study.trigger()
    reading = window.reading_windows[-1]
    qtbot.addWidget(reading)
    assert reading.isVisible() and reading.progress_label.text() == "case 1 of 6"
    damaged = tmp_path / "damaged.denostudy"
    damaged.write_bytes(b"not a database at all" * 100)
    warnings: list[str] = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(damaged), ""))
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: warnings.append(text))
    window.action_open_study.trigger()
    assert len(window.reading_windows) == 1
    assert warnings and "not a study file" in warnings[0]


def test_study_read_screenshot_leaves_the_study_untouched(qtbot, tmp_path, capsys) -> None:
    from denoscope.cli import main

    path = make_study(tmp_path, methods=("gaussian", "noisy"), n_cases=1)
    before = path.read_bytes()
    out = tmp_path / "reading.png"
    args = ["study", "read", str(path), "--reader", "shot", "--screenshot", str(out)]
    assert main(args) == 0
    assert out.stat().st_size > 10_000 and path.read_bytes() == before
    assert main(args) == 2 and "already exists" in capsys.readouterr().err
    assert main(["study", "read", str(tmp_path / "gone.denostudy"), "--reader", "x"]) == 2
    assert "no such study file" in capsys.readouterr().err
