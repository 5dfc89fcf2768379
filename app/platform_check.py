"""Check the system libraries of Qt's X11 (xcb) platform plugin before Qt starts.

Qt aborts with "could not load the Qt platform plugin xcb" when one of the X11
libraries its xcb plugin links against is missing (on a plain Debian desktop:
``libxcb-cursor0``, ``libxcb-icccm4`` and ``libxcb-keysyms1``), and it does not
say which package to install. :func:`missing_xcb_libraries` tries to load each
library the plugin needs (the list is ``ldd`` of PySide6's ``libqxcb.so`` and
``libQt6XcbQpa.so``) and :func:`install_hint` names the packages that provide
the missing ones on Debian/Ubuntu and on Fedora.

This module imports no Qt: it runs before the ``QApplication`` is created.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class SystemLibrary:
    """A shared library the xcb plugin needs, and the packages that provide it."""

    soname: str
    debian: str
    fedora: str


#: Libraries of Qt 6's xcb platform plugin (beyond glibc) with their packages.
XCB_LIBRARIES: tuple[SystemLibrary, ...] = (
    SystemLibrary("libxcb.so.1", "libxcb1", "libxcb"),
    SystemLibrary("libX11.so.6", "libx11-6", "libX11"),
    SystemLibrary("libX11-xcb.so.1", "libx11-xcb1", "libX11-xcb"),
    SystemLibrary("libxcb-cursor.so.0", "libxcb-cursor0", "xcb-util-cursor"),
    SystemLibrary("libxcb-icccm.so.4", "libxcb-icccm4", "xcb-util-wm"),
    SystemLibrary("libxcb-keysyms.so.1", "libxcb-keysyms1", "xcb-util-keysyms"),
    SystemLibrary("libxcb-image.so.0", "libxcb-image0", "xcb-util-image"),
    SystemLibrary("libxcb-render-util.so.0", "libxcb-render-util0", "xcb-util-renderutil"),
    SystemLibrary("libxcb-util.so.1", "libxcb-util1", "xcb-util"),
    SystemLibrary("libxcb-randr.so.0", "libxcb-randr0", "libxcb"),
    SystemLibrary("libxcb-render.so.0", "libxcb-render0", "libxcb"),
    SystemLibrary("libxcb-shape.so.0", "libxcb-shape0", "libxcb"),
    SystemLibrary("libxcb-shm.so.0", "libxcb-shm0", "libxcb"),
    SystemLibrary("libxcb-sync.so.1", "libxcb-sync1", "libxcb"),
    SystemLibrary("libxcb-xfixes.so.0", "libxcb-xfixes0", "libxcb"),
    SystemLibrary("libxcb-xkb.so.1", "libxcb-xkb1", "libxcb"),
    SystemLibrary("libxkbcommon.so.0", "libxkbcommon0", "libxkbcommon"),
    SystemLibrary("libxkbcommon-x11.so.0", "libxkbcommon-x11-0", "libxkbcommon-x11"),
    SystemLibrary("libGL.so.1", "libgl1", "libglvnd-glx"),
    SystemLibrary("libEGL.so.1", "libegl1", "libglvnd-egl"),
    SystemLibrary("libfontconfig.so.1", "libfontconfig1", "fontconfig"),
    SystemLibrary("libfreetype.so.6", "libfreetype6", "freetype"),
    SystemLibrary("libdbus-1.so.3", "libdbus-1-3", "dbus-libs"),
    SystemLibrary("libglib-2.0.so.0", "libglib2.0-0", "glib2"),
)


def _loads(soname: str) -> bool:
    """Whether the dynamic linker can load ``soname``."""
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def uses_xcb(environ: dict[str, str] | None = None, platform: str | None = None) -> bool:
    """Whether Qt will pick its xcb (X11) platform plugin in this environment.

    True on Linux when ``QT_QPA_PLATFORM`` asks for xcb, or when it is unset,
    an X display is set and no Wayland display is.
    """
    env = os.environ if environ is None else environ
    if not (platform or sys.platform).startswith("linux"):
        return False
    requested = env.get("QT_QPA_PLATFORM", "").strip()
    if requested:
        return requested.split(";")[0].split(":")[0] == "xcb"
    return bool(env.get("DISPLAY")) and not env.get("WAYLAND_DISPLAY")


def missing_xcb_libraries(loads: Callable[[str], bool] | None = None) -> list[SystemLibrary]:
    """The libraries of :data:`XCB_LIBRARIES` that cannot be loaded here.

    Parameters
    ----------
    loads : callable, optional
        ``loads(soname) -> bool``; by default tries ``ctypes.CDLL``.

    Returns
    -------
    list of SystemLibrary
        Empty when the xcb plugin's libraries are all present.
    """
    loads = loads or _loads
    return [library for library in XCB_LIBRARIES if not loads(library.soname)]


def install_hint(missing: list[SystemLibrary]) -> str:
    """The message printed when libraries are missing: what, and the exact packages.

    Parameters
    ----------
    missing : list of SystemLibrary
        What :func:`missing_xcb_libraries` returned (non-empty).

    Returns
    -------
    str
        A few lines naming the libraries and the install commands for Debian/Ubuntu
        and Fedora, plus the headless alternative.
    """
    debian = sorted({library.debian for library in missing})
    fedora = sorted({library.fedora for library in missing})
    names = ", ".join(library.soname for library in missing)
    return "\n".join(
        [
            "denoscope: cannot open a window: Qt's X11 (xcb) platform plugin needs system "
            f"libraries that are not installed: {names}.",
            "Install them, then start Denoscope again:",
            f"  Debian/Ubuntu: sudo apt-get install {' '.join(debian)}",
            f"  Fedora:        sudo dnf install {' '.join(fedora)}",
            "Without a display, `denoscope view --screenshot OUT.png` renders the viewer "
            "offscreen instead.",
        ]
    )


def check_display_libraries(
    environ: dict[str, str] | None = None, loads: Callable[[str], bool] | None = None
) -> str | None:
    """The install hint when Qt would use xcb here and a library is missing, else None."""
    if not uses_xcb(environ):
        return None
    missing = missing_xcb_libraries(loads)
    return install_hint(missing) if missing else None
