"""Display window/level: presets per modality (editable), center/width, reset.

The window only changes the display; it never changes a metric.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QPushButton,
    QWidget,
)

from denoscope.app.settings import Settings
from denoscope.app.state import ViewerState

STUDY_DEFAULT = "Study default"


class WindowControls(QWidget):
    """Window presets and values of a :class:`ViewerState`.

    Parameters
    ----------
    state : ViewerState
        Follows ``windowChanged`` and ``studyChanged``; sets the window.
    settings : Settings
        Where edited presets are kept.
    """

    def __init__(
        self, state: ViewerState, settings: Settings, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.state = state
        self.settings = settings
        self.preset = QComboBox()
        self.center = QDoubleSpinBox()
        self.width = QDoubleSpinBox()
        for spin in (self.center, self.width):
            spin.setRange(-1e6, 1e6)
            spin.setDecimals(1)
            spin.setKeyboardTracking(False)
        self.width.setMinimum(1e-3)
        self.reset = QPushButton("Reset")
        self.reset.setToolTip("Back to the study's window  [R]")
        self.save = QPushButton("Save as preset…")
        form = QFormLayout(self)
        form.addRow("Preset", self.preset)
        row = QHBoxLayout()
        row.addWidget(self.center)
        row.addWidget(self.width)
        form.addRow("Center / width", row)
        buttons = QHBoxLayout()
        buttons.addWidget(self.reset)
        buttons.addWidget(self.save)
        form.addRow(buttons)
        self.histogram = pg.PlotWidget()
        self.histogram.setBackground("#14171a")
        self.histogram.setMaximumHeight(110)
        self.histogram.hideAxis("left")
        self.histogram.setMouseEnabled(x=False, y=False)
        self.histogram.setMenuEnabled(False)
        self.histogram.setToolTip("Slice histogram; drag the band or its edges to set the window")
        self.bars = self.histogram.plot(
            [0.0, 1.0], [0.0], stepMode="center", fillLevel=0, brush="#3b6ea580", pen="#6b8fb8"
        )
        self.region = pg.LinearRegionItem(brush="#ebcb8b30")
        self.histogram.addItem(self.region)
        form.addRow(self.histogram)
        self.region.sigRegionChangeFinished.connect(self._on_region)
        state.resultChanged.connect(self._on_result)
        self.preset.activated.connect(lambda _i: self.apply_preset(self.preset.currentText()))
        self.center.valueChanged.connect(lambda v: state.set_window(v, state.window[1]))
        self.width.valueChanged.connect(lambda v: state.set_window(state.window[0], v))
        self.reset.clicked.connect(self.reset_window)
        self.save.clicked.connect(self._save_dialog)
        state.windowChanged.connect(self._follow)
        state.studyChanged.connect(lambda _s: self._fill_presets())
        self._fill_presets()
        self._follow(*state.window)

    def modality(self) -> str:
        """Modality of the shown study ("unknown" when none)."""
        return "unknown" if self.state.study is None else self.state.study.study.modality

    def presets(self) -> dict[str, tuple[float, float]]:
        """Presets of the shown modality, the study default first."""
        presets: dict[str, tuple[float, float]] = {}
        if self.state.study is not None:
            presets[STUDY_DEFAULT] = tuple(float(v) for v in self.state.study.study.window)
        presets.update(self.settings.presets(self.modality()))
        return presets

    def _fill_presets(self) -> None:
        with QSignalBlocker(self.preset):
            self.preset.clear()
            for name, (center, width) in self.presets().items():
                self.preset.addItem(name)
                self.preset.setItemData(
                    self.preset.count() - 1, f"center {center:g}, width {width:g}"
                )

    def apply_preset(self, name: str) -> bool:
        """Show the window of preset ``name``; False when there is none."""
        presets = self.presets()
        if name not in presets:
            return False
        self.state.set_window(*presets[name])
        return True

    def apply_preset_number(self, number: int) -> bool:
        """Apply the ``number``-th modality preset (1-based, study default excluded)."""
        names = list(self.settings.presets(self.modality()))
        return 1 <= number <= len(names) and self.apply_preset(names[number - 1])

    def reset_window(self) -> None:
        """Back to the study's suggested window."""
        self.apply_preset(STUDY_DEFAULT)

    def save_preset(self, name: str) -> None:
        """Store the current window as preset ``name`` of the shown modality."""
        presets = self.settings.presets(self.modality())
        presets[name] = self.state.window
        self.settings.set_presets(self.modality(), presets)
        self._fill_presets()

    def _save_dialog(self) -> None:
        name, ok = QInputDialog.getText(self, "Save window preset", "Preset name:")
        if ok and name.strip() and name.strip() != STUDY_DEFAULT:
            self.save_preset(name.strip())

    def _on_result(self, result) -> None:
        if result is None or result.histogram is None:
            return
        counts, edges = result.histogram
        self.bars.setData(edges, np.log1p(counts.astype(float)))
        low, high = float(edges[0]), float(edges[-1])
        center, width = self.state.window
        self.histogram.setXRange(
            min(low, center - width / 2), max(high, center + width / 2), padding=0.02
        )

    def _on_region(self) -> None:
        """The band was dragged (applied once the drag finishes, not on every move)."""
        low, high = self.region.getRegion()
        self.state.set_window((low + high) / 2.0, high - low)

    def _follow(self, center: float, width: float) -> None:
        with QSignalBlocker(self.region):
            self.region.setRegion((center - width / 2.0, center + width / 2.0))
        with QSignalBlocker(self.center), QSignalBlocker(self.width):
            self.center.setValue(center)
            self.width.setValue(width)
        match = next((n for n, w in self.presets().items() if w == (center, width)), None)
        with QSignalBlocker(self.preset):
            if match is not None:
                self.preset.setCurrentText(match)
