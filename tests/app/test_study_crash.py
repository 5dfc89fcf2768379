"""Crash check: kill -9 the reading process between answers, reopen, count the answers."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from denoscope.core.study import ReaderSession
from tests.core.study_helpers import make_study

_READER = textwrap.dedent(
    """
    import sys, time
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from denoscope.app.study.reading_window import ReadingWindow
    from denoscope.core.study import ReaderSession

    app = QApplication([])
    window = ReadingWindow(ReaderSession(sys.argv[1], "crash"))
    window.show()
    for i in range(int(sys.argv[2])):
        for key in (Qt.Key.Key_4, Qt.Key.Key_2, Qt.Key.Key_Return):
            QTest.keyClick(window, key)
        print(f"answered {i + 1}", flush=True)
    QTest.keyClick(window, Qt.Key.Key_5)  # the case on screen is half answered
    print("waiting", flush=True)
    time.sleep(300)
    """
)


def _answers(path: Path) -> int:
    conn = sqlite3.connect(path)
    count = conn.execute("SELECT COUNT(*) FROM answers WHERE retracted = 0").fetchone()[0]
    conn.close()
    return int(count)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_kill_9_between_answers_loses_only_the_case_on_screen(qtbot, tmp_path: Path) -> None:
    path = make_study(tmp_path, methods=("gaussian", "noisy"), n_cases=3)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    process = subprocess.Popen(
        [sys.executable, "-c", _READER, str(path), "4"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    try:
        lines = []
        for line in process.stdout:
            lines.append(line.strip())
            if line.strip() == "waiting":
                break
        assert lines[-2:] == ["answered 4", "waiting"], lines
        os.kill(process.pid, signal.SIGKILL)
        process.wait(30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(30)
    assert process.returncode == -signal.SIGKILL
    assert _answers(path) == 4, "every answer saved before the kill is in the file"
    with ReaderSession(path, "crash") as session:
        assert session.answered() == 4 and session.position() == 4

    from denoscope.app.study.reading_window import ReadingWindow

    window = ReadingWindow(ReaderSession(path, "crash"))
    qtbot.addWidget(window)
    window.show()
    assert window.progress_label.text() == "case 5 of 6", "reading resumes after the last answer"
    assert window.ratings == {}, "the half-answered case starts afresh"
