"""The PySide6 emit work-around keeps the reference count of True steady."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

from denoscope.app import qt_compat


class _Emitter(QObject):
    fired = Signal(int)


def test_many_emits_leave_true_alone():
    emitter = _Emitter()
    seen = []
    emitter.fired.connect(seen.append)
    before = sys.getrefcount(True)
    for value in range(5000):
        emitter.fired.emit(value)
    assert len(seen) == 5000
    assert sys.getrefcount(True) >= before - 50  # other code may drop a few references
    assert not qt_compat.emit_loses_a_reference()
