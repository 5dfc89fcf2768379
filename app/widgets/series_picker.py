"""The series picker of a folder with several series, and the slice slider."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSlider, QWidget

from denoscope.app.state import ViewerState


class SeriesBar(QWidget):
    """A series combo box (hidden for one series) and a slice slider (hidden for one slice).

    Parameters
    ----------
    state : ViewerState
        Follows ``studyChanged`` and ``sliceChanged``; moves the slice.

    Signals
    -------
    seriesChosen(str)
        The user picked another series (its SeriesInstanceUID).
    """

    seriesChosen = Signal(str)

    def __init__(self, state: ViewerState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.series = QComboBox()
        self.series.setToolTip("Series in this folder")
        self.series.setMinimumContentsLength(30)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setToolTip("Slice (wheel over the images, PgUp/PgDn, ←/→)")
        self.label = QLabel("")
        self.label.setMinimumWidth(90)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.addWidget(self.series)
        layout.addWidget(QLabel("Slice"))
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.label)
        self.slider.valueChanged.connect(state.set_slice)
        self.series.activated.connect(self._on_series)
        state.studyChanged.connect(self._on_study)
        state.sliceChanged.connect(self._on_slice)
        self._on_study(state.study)

    def _on_study(self, loaded) -> None:
        with QSignalBlocker(self.series):
            self.series.clear()
            if loaded is not None:
                for info in loaded.series:
                    text = f"{info.description or '(no description)'} · {info.n_frames} frames"
                    self.series.addItem(text, info.series_uid)
                index = self.series.findData(loaded.study.series_uid)
                if index >= 0:
                    self.series.setCurrentIndex(index)
        self.series.setVisible(self.series.count() > 1)
        n = self.state.n_slices()
        with QSignalBlocker(self.slider):
            self.slider.setRange(0, max(n - 1, 0))
            self.slider.setValue(self.state.slice_index)
        self.slider.setEnabled(n > 1)
        self._on_slice(self.state.slice_index)

    def _on_series(self, index: int) -> None:
        uid = self.series.itemData(index)
        if uid and self.state.study is not None and uid != self.state.study.study.series_uid:
            self.seriesChosen.emit(uid)

    def _on_slice(self, index: int) -> None:
        with QSignalBlocker(self.slider):
            self.slider.setValue(index)
        n = self.state.n_slices()
        self.label.setText(f"{index + 1} / {n}" if n else "")
