"""The dark reading-room theme: Fusion style, a dark palette and ``resources/style.qss``."""

from __future__ import annotations

from PySide6.QtGui import QColor, QIcon, QPalette
from PySide6.QtWidgets import QApplication

_COLOURS = {
    QPalette.ColorRole.Window: "#1b1e22",
    QPalette.ColorRole.WindowText: "#d8dee9",
    QPalette.ColorRole.Base: "#14171a",
    QPalette.ColorRole.AlternateBase: "#1f2328",
    QPalette.ColorRole.ToolTipBase: "#2a2f36",
    QPalette.ColorRole.ToolTipText: "#d8dee9",
    QPalette.ColorRole.Text: "#d8dee9",
    QPalette.ColorRole.Button: "#252a30",
    QPalette.ColorRole.ButtonText: "#d8dee9",
    QPalette.ColorRole.BrightText: "#ff6b6b",
    QPalette.ColorRole.Highlight: "#3b6ea5",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.PlaceholderText: "#7b8794",
}


def style_sheet() -> str:
    """The contents of the bundled ``style.qss`` (empty when missing)."""
    from denoscope.core.resources import resources_dir

    path = resources_dir() / "style.qss"
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def app_icon() -> QIcon:
    """The application icon (``resources/icons/denoscope.png``; empty when missing)."""
    from denoscope.core.resources import resources_dir

    path = resources_dir() / "icons" / "denoscope.png"
    return QIcon(str(path)) if path.is_file() else QIcon()


def apply_theme(app: QApplication) -> None:
    """Apply the dark theme and the icon to ``app``."""
    app.setStyle("Fusion")
    app.setWindowIcon(app_icon())
    palette = QPalette()
    for role, colour in _COLOURS.items():
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#5c6670"))
    app.setPalette(palette)
    app.setStyleSheet(style_sheet())
