"""File > Open study in the main viewer: choose a study file and a reader, open the reading window."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMainWindow, QMenu, QMessageBox

from denoscope.core.errors import DenoscopeError


def open_reading_window(path: str | Path, reader: str):
    """Open ``path`` for ``reader`` in a new reading window (shown), and return it.

    Raises
    ------
    DenoscopeError
        The study cannot be opened (missing, damaged, newer schema) or the name is empty.
    """
    from denoscope.app.study.reading_window import ReadingWindow
    from denoscope.core.study.session import ReaderSession

    window = ReadingWindow(ReaderSession(path, reader))
    window.show()
    window.activateWindow()
    window.setFocus()
    return window


def add_open_study_action(window: QMainWindow, menu: QMenu) -> QAction:
    """Add "Open study…" to ``menu``: file dialog, reader name, reading window.

    The reading windows opened are kept in ``window.reading_windows``.
    """
    window.reading_windows = []

    def run() -> None:
        path, _ = QFileDialog.getOpenFileName(
            window, "Open reader study", "", "Reader studies (*.denostudy);;All files (*)"
        )
        if not path:
            return
        reader, ok = QInputDialog.getText(window, "Reader", "Your name or initials:")
        if not ok:
            return
        try:
            window.reading_windows.append(open_reading_window(path, reader))
        except DenoscopeError as error:
            QMessageBox.warning(window, "Cannot open the study", str(error))

    action = QAction("Open &study…", window)
    action.triggered.connect(lambda _checked=False: run())
    menu.addAction(action)
    return action
