"""The DICOM tag browser with a search field; identifying fields are marked."""

from __future__ import annotations

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from denoscope.app.state import ViewerState


class TagBrowser(QWidget):
    """The header of the shown study as a searchable list.

    Identifying values (patient, person, institution) are hidden unless
    "Show identifying values" is ticked.

    Parameters
    ----------
    state : ViewerState
        Follows ``studyChanged``.
    """

    def __init__(self, state: ViewerState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search tag, keyword or value…")
        self.search.setClearButtonEnabled(True)
        self.show_identifying = QCheckBox("Show identifying values")
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Tag", "Keyword", "VR", "Value"])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.header().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.show_identifying)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.tree, 1)
        self.search.textChanged.connect(self._filter)
        self.show_identifying.toggled.connect(lambda _on: self._fill())
        state.studyChanged.connect(lambda _s: self._fill())

    def _fill(self) -> None:
        self.tree.clear()
        loaded = self.state.study
        if loaded is None:
            return
        reveal = self.show_identifying.isChecked()
        items = []
        for row in loaded.study.metadata:
            value = row.value if (reveal or not row.identifying) else "(hidden: identifying)"
            item = QTreeWidgetItem([row.tag, row.keyword, row.vr, value])
            if row.identifying:
                for column in range(4):
                    item.setForeground(column, QBrush(QColor("#ebcb8b")))
            items.append(item)
        self.tree.addTopLevelItems(items)
        for column in range(3):
            self.tree.resizeColumnToContents(column)
        self._filter(self.search.text())

    def _filter(self, text: str) -> None:
        needle = text.strip().lower()
        for index in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(index)
            haystack = " ".join(item.text(c) for c in range(4)).lower()
            item.setHidden(bool(needle) and needle not in haystack)

    def visible_rows(self) -> list[tuple[str, str, str, str]]:
        """The rows shown (after the search filter)."""
        rows = []
        for index in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(index)
            if not item.isHidden():
                rows.append(tuple(item.text(c) for c in range(4)))
        return rows
