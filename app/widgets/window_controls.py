"""Display window/level: presets per modality (editable), center/width, reset.

The window only changes the display; it never changes a metric.
"""

from __future__ import annotations

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

    def _follow(self, center: float, width: float) -> None:
        with QSignalBlocker(self.center), QSignalBlocker(self.width):
            self.center.setValue(center)
            self.width.setValue(width)
        match = next((n for n, w in self.presets().items() if w == (center, width)), None)
        with QSignalBlocker(self.preset):
            if match is not None:
                self.preset.setCurrentText(match)
