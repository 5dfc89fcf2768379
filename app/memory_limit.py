"""The viewer's study memory limit: File > Study memory limit…, remembered in the settings.

The limit is :mod:`denoscope.core.io.limits`'s process-wide value (a study whose
estimated decoding memory exceeds it is refused before decoding, with a message
that says how to raise it). ``denoscope view --max-memory SIZE`` wins over the
saved value for that session.
"""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QMenu, QWidget

from denoscope.core.errors import ParameterError
from denoscope.core.io import limits

SETTINGS_KEY = "io/max_memory_bytes"


def saved_limit(settings) -> int | None:  # noqa: ANN001 - app.settings.Settings
    """The limit saved in the settings (bytes), or None."""
    value = settings.qsettings.value(SETTINGS_KEY, None)
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number >= 1024**2 else None


def apply_saved_limit(settings) -> None:  # noqa: ANN001
    """Use the saved limit unless the command line set one (``--max-memory``)."""
    saved = saved_limit(settings)
    if saved is not None and limits.process_limit() is None:
        limits.set_max_study_bytes(saved)


def _describe(size: int) -> str:
    return f"{size / 1024**3:g}G" if size % 1024**3 == 0 else f"{size / 1024**2:.0f}M"


def ask_and_set(window: QWidget, settings) -> int | None:  # noqa: ANN001
    """Ask for a new limit; set and save it. Returns the new limit, or None if cancelled."""
    current = _describe(limits.max_study_bytes())
    text, ok = QInputDialog.getText(
        window,
        "Study memory limit",
        "Refuse a study whose decoding would need more memory than (e.g. 512M, 2G, 8G):",
        text=current,
    )
    if not ok:
        return None
    try:
        size = limits.parse_size(text)
    except ParameterError as error:
        window.state.report("error", str(error))
        return None
    limits.set_max_study_bytes(size)
    settings.qsettings.setValue(SETTINGS_KEY, size)
    window.statusBar().showMessage(f"Study memory limit: {_describe(size)}", 6000)
    return size


def add_memory_limit_action(window: QWidget, menu: QMenu) -> QAction:
    """Add File > Study memory limit… to ``menu``."""
    action = QAction("Study &memory limit…", window)
    action.setToolTip("The most memory a study may need to open (larger ones are refused)")
    action.triggered.connect(lambda: ask_and_set(window, window.settings))
    menu.addAction(action)
    return action
