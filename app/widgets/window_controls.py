"""Display window/level: named presets per modality, percentile presets, center/width, reset.

CT has the radiological presets (brain, subdural, stroke, temporal bone, lung,
mediastinum, abdomen, liver, bone); every modality also gets percentile
presets computed from the study (1–99 %, 0.5–99.5 %, 2–98 %; the CT ones only
when no named preset fits), plus the reader's own ("Save as preset…"). The
combo shows the preset in use by name, or "Custom" when the window matches
none; View > Window presets lists the same names with keys 1–9. The window
only changes the display; it never changes a metric.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtGui import QAction, QKeySequence
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
CUSTOM = "Custom"

#: Percentile presets: name -> (low %, high %).
PERCENTILE_PRESETS: dict[str, tuple[float, float]] = {
    "Percentile 1–99 %": (1.0, 99.0),
    "Percentile 0.5–99.5 %": (0.5, 99.5),
    "Percentile 2–98 %": (2.0, 98.0),
}

#: At most this many pixels are sampled for percentile presets.
PERCENTILE_SAMPLES = 1_000_000


def percentile_windows(frames: np.ndarray) -> dict[str, tuple[float, float]]:
    """Percentile presets (center, width) of a study's frames (a strided sample)."""
    values = np.asarray(frames)
    step = max(1, int(np.ceil(np.sqrt(values.size / PERCENTILE_SAMPLES))))
    sample = values[..., ::step, ::step].ravel()
    sample = sample[np.isfinite(sample)]
    if sample.size == 0:
        return {}
    out = {}
    for name, (low, high) in PERCENTILE_PRESETS.items():
        lo, hi = (float(v) for v in np.percentile(sample, [low, high]))
        if hi > lo:
            out[name] = ((lo + hi) / 2.0, hi - lo)
    return out


class WindowControls(QWidget):
    """Window presets and values of a :class:`ViewerState`.

    Parameters
    ----------
    state : ViewerState
        Follows ``windowChanged`` and ``studyChanged``; sets the window.
    settings : Settings
        Where edited presets are kept.

    Signals
    -------
    presetsChanged()
        The list of presets changed (another study or a saved preset).
    """

    presetsChanged = Signal()

    def __init__(
        self, state: ViewerState, settings: Settings, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.state = state
        self.settings = settings
        self.preset = QComboBox()
        self.preset.setToolTip("Window preset in use (keys 1–9 apply the first nine)")
        self._percentiles: dict[str, tuple[float, float]] = {}
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

    def named_presets(self) -> dict[str, tuple[float, float]]:
        """The numbered presets (keys 1–9): the modality's named ones, the percentiles, own."""
        presets = dict(self.settings.presets(self.modality()))
        presets.update(self._percentiles)
        return presets

    def presets(self) -> dict[str, tuple[float, float]]:
        """Presets of the shown modality, the study default first."""
        presets: dict[str, tuple[float, float]] = {}
        if self.state.study is not None:
            presets[STUDY_DEFAULT] = tuple(float(v) for v in self.state.study.study.window)
        presets.update(self.named_presets())
        return presets

    def _fill_presets(self) -> None:
        loaded = self.state.study
        self._percentiles = {} if loaded is None else percentile_windows(loaded.study.frames)
        with QSignalBlocker(self.preset):
            self.preset.clear()
            for name, (center, width) in self.presets().items():
                self.preset.addItem(name)
                self.preset.setItemData(
                    self.preset.count() - 1, f"center {center:.6g}, width {width:.6g}"
                )
        self._follow(*self.state.window)
        self.presetsChanged.emit()

    def preset_actions(self, parent) -> list[QAction]:
        """Nine actions (keys 1–9) named after the presets; they follow the study."""
        actions = []
        for number in range(1, 10):
            action = QAction(f"Preset {number}", parent)
            action.setShortcut(QKeySequence(str(number)))
            action.triggered.connect(lambda _c=False, n=number: self.apply_preset_number(n))
            actions.append(action)

        def rename() -> None:
            names = list(self.named_presets())
            for number, action in enumerate(actions, start=1):
                if number <= len(names):
                    center, width = self.named_presets()[names[number - 1]]
                    action.setText(f"{names[number - 1]} ({center:.4g} / {width:.4g})")
                    action.setVisible(True)
                else:
                    action.setText(f"Preset {number}")
                    action.setVisible(False)

        self.presetsChanged.connect(rename)
        rename()
        return actions

    def apply_preset(self, name: str) -> bool:
        """Show the window of preset ``name``; False when there is none."""
        presets = self.presets()
        if name not in presets:
            return False
        self.state.set_window(*presets[name])
        return True

    def apply_preset_number(self, number: int) -> bool:
        """Apply the ``number``-th modality preset (1-based, study default excluded)."""
        names = list(self.named_presets())
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
        if ok and name.strip() and name.strip() not in (STUDY_DEFAULT, CUSTOM):
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
        self.preset_in_use = self._match(center, width)
        with QSignalBlocker(self.preset):
            custom = self.preset.findText(CUSTOM)
            if self.preset_in_use == CUSTOM:
                if custom < 0:
                    self.preset.addItem(CUSTOM)
                self.preset.setItemData(
                    self.preset.findText(CUSTOM), f"center {center:.6g}, width {width:.6g}"
                )
            elif custom >= 0:
                self.preset.removeItem(custom)
            self.preset.setCurrentText(self.preset_in_use)

    def _match(self, center: float, width: float) -> str:
        """The preset whose window this is (the first, by name), else :data:`CUSTOM`."""
        for name, (c, w) in self.presets().items():
            if abs(c - center) <= 1e-6 * max(1.0, abs(c)) and abs(w - width) <= 1e-6 * max(1.0, w):
                return name
        return CUSTOM
