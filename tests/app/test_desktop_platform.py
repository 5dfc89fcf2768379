"""Start anywhere: the xcb libraries are checked before Qt starts, with exact packages named."""

from __future__ import annotations

import argparse

from denoscope.app import platform_check
from denoscope.app.platform_check import (
    check_display_libraries,
    install_hint,
    missing_xcb_libraries,
    uses_xcb,
)

DEBIAN_MISSING = ("libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1")


def _without(*sonames: str):
    return lambda soname: soname not in sonames


def test_uses_xcb_follows_the_environment() -> None:
    assert uses_xcb({"DISPLAY": ":0"}, "linux")
    assert not uses_xcb({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert uses_xcb({"QT_QPA_PLATFORM": "xcb"}, "linux")
    assert not uses_xcb({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, "linux")
    assert not uses_xcb({}, "linux")
    assert not uses_xcb({"DISPLAY": ":0"}, "darwin")


def test_the_plain_debian_case_names_the_three_packages() -> None:
    missing = missing_xcb_libraries(_without(*DEBIAN_MISSING))
    assert [m.soname for m in missing] == list(DEBIAN_MISSING)
    hint = install_hint(missing)
    assert "sudo apt-get install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1" in hint
    assert "sudo dnf install xcb-util-cursor xcb-util-keysyms xcb-util-wm" in hint
    assert "--screenshot" in hint


def test_nothing_to_say_when_everything_loads_or_no_xcb() -> None:
    assert check_display_libraries({"DISPLAY": ":0"}, loads=lambda _s: True) is None
    assert check_display_libraries({"QT_QPA_PLATFORM": "offscreen"}, loads=lambda _s: False) is None


def test_this_machine_has_what_the_xcb_plugin_links() -> None:
    """The table covers real sonames: on this (set-up) machine the real loader finds libxcb."""
    assert "libxcb.so.1" not in [m.soname for m in missing_xcb_libraries()]


def test_view_exits_cleanly_before_creating_the_application(monkeypatch, capsys) -> None:
    from denoscope.app import cli

    monkeypatch.setenv("DISPLAY", ":99")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.setattr(platform_check, "_loads", _without(*DEBIAN_MISSING))
    created = []
    monkeypatch.setattr("PySide6.QtWidgets.QApplication.__init__", lambda *a: created.append(a))
    args = argparse.Namespace(
        path=None,
        sample="ct",
        screenshot=None,
        force=False,
        modality=None,
        noise=None,
        level=None,
        seed=None,
        device=None,
        model=None,
        real_input=False,
        timeout=1.0,
        stack=False,
    )
    assert cli.run(args) == 3
    err = capsys.readouterr().err
    assert "libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1" in err
    assert "Traceback" not in err
    assert created == []
