"""Work-arounds for defects of the installed Qt binding, applied once on import.

PySide6 6.12.0: ``SignalInstance.emit()`` returns ``True`` without taking a
reference to it, so every emit from Python (ours and pyqtgraph's) lowers the
reference count of ``True`` by one. After some tens of thousands of emits a
long session aborts with "Fatal Python error: bool_dealloc: deallocating True".
:func:`install` detects the defect by measuring it (so a fixed binding is left
alone) and wraps ``emit`` to give back the missing reference.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal, SignalInstance

_installed = False


class _Probe(QObject):
    fired = Signal()


def emit_loses_a_reference() -> bool:
    """Whether ``SignalInstance.emit`` returns ``True`` without a new reference here."""
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(10):
        probe.fired.emit()
    lost = before - sys.getrefcount(True)
    _give_back_true(max(lost, 0))
    return lost >= 10


def _give_back_true(count: int) -> None:
    incref = ctypes.pythonapi.Py_IncRef
    incref.argtypes = [ctypes.py_object]
    for _ in range(count):
        incref(True)


def install() -> bool:
    """Patch ``SignalInstance.emit`` when the binding needs it; True when patched."""
    global _installed
    if _installed:
        return True
    if not emit_loses_a_reference():
        return False
    original = SignalInstance.emit
    incref = ctypes.pythonapi.Py_IncRef
    incref.argtypes = [ctypes.py_object]

    def emit(self, *args):
        result = original(self, *args)
        if isinstance(result, bool):  # a spare reference to a bool is harmless
            incref(result)
        return result

    emit.__doc__ = original.__doc__
    SignalInstance.emit = emit
    _installed = True
    return True


install()
