"""A dismissable message strip at the top of the window (errors never become a crash)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

from denoscope.app.state import ViewerState


class Banner(QWidget):
    """Shows the latest error or warning of a :class:`ViewerState`.

    An error stays until dismissed or until the next success (an "info" message).

    Parameters
    ----------
    state : ViewerState
        Its ``message`` signal fills the banner.
    """

    def __init__(self, state: ViewerState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setObjectName("bannerText")
        close = QToolButton()
        close.setText("✕")
        close.setToolTip("Dismiss")
        close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(close)
        self.kind = ""
        self.hide()
        state.message.connect(self.show_message)

    def show_message(self, kind: str, text: str) -> None:
        """Show ``text``; kind "error", "warning" or "info" selects the colour."""
        if kind == "info":  # a later action succeeded: an error shown is no longer current
            if self.kind == "error":
                self.kind = ""
                self.hide()
            return
        self.kind = kind
        self.setProperty("kind", kind)
        self.style().unpolish(self)
        self.style().polish(self)
        prefix = "Error" if kind == "error" else "Note"
        self.label.setText(f"{prefix}: {text}")
        self.show()

    def text(self) -> str:
        """The shown message as plain text."""
        return self.label.text()
