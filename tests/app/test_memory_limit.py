"""File > Study memory limit…: sets the loader's limit, is remembered, and --max-memory wins."""

from __future__ import annotations

import pytest

from denoscope.core.io import limits


@pytest.fixture(autouse=True)
def _reset_limit():
    limits.set_max_study_bytes(None)
    yield
    limits.set_max_study_bytes(None)


def test_menu_sets_and_saves_the_limit(window, monkeypatch) -> None:
    from PySide6.QtWidgets import QInputDialog

    from denoscope.app.memory_limit import saved_limit

    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("3G", True))
    window.action_memory_limit.trigger()
    assert limits.max_study_bytes() == 3 * 1024**3
    assert saved_limit(window.settings) == 3 * 1024**3


def test_bad_value_is_reported_not_applied(window, monkeypatch) -> None:
    from PySide6.QtWidgets import QInputDialog

    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("lots", True))
    window.action_memory_limit.trigger()
    assert limits.process_limit() is None
    assert window.state.last_error is not None and "memory size" in str(window.state.last_error)


def test_saved_limit_applies_unless_the_command_line_set_one(settings) -> None:
    from denoscope.app.memory_limit import SETTINGS_KEY, apply_saved_limit

    settings.qsettings.setValue(SETTINGS_KEY, 2 * 1024**3)
    apply_saved_limit(settings)
    assert limits.max_study_bytes() == 2 * 1024**3
    limits.set_max_study_bytes(5 * 1024**3)  # as `view --max-memory 5G` does
    apply_saved_limit(settings)
    assert limits.max_study_bytes() == 5 * 1024**3
